"""The Python API: what a notebook needs, and what the CLI is a thin layer over.

::

    import planner

    scn = planner.load_scenario("us")                 # a bundled name or a scenario folder
    chips = scn["chips"]                              # pandas DataFrames, one per input file
    chips.loc[chips["chip"] == "B200_HGX", "capex_usd_per_unit"] *= 0.8
    plan = planner.solve(scn, time_limit=60)          # Plan: .summary(), .tables, .write()
    plan.summary()["objective_usd"]                   # net present cost, USD
    folder = plan.write("results/us-cheap-b200")      # the results folder of DESIGN.md §6
    res = planner.read_results(folder)                # Results: .summary(), .tables
    planner.report(folder)                            # re-render report.md / .html / plots

The pipeline runs one way: files -> validated tables (:mod:`planner.io`) -> Pyomo model
(:mod:`planner.model`) -> HiGHS and the solution tables (:mod:`planner.solver`) -> report and
exports (:mod:`planner.reporting`). Errors are the typed exceptions of :mod:`planner.io.errors`
(:class:`InputError` for bad input, :class:`UsageError` for a wrong path or argument,
:class:`NoSolutionError` when HiGHS finds no plan); the CLI turns each into one sentence and
an exit code.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .io.errors import InputError, NoSolutionError, Problem, UsageError
from .io.results import choose_folder, prepare_output, write_files, write_results
from .io.scenario import Scenario, recheck, resolve_scenario_path
from .io.scenario import load_scenario as _load_folder
from .model import build_data, build_model
from .model.data import MUSD
from .reporting.checks import check_plan
from .reporting.report import report_files
from .reporting.stack import as_written, extra_tables, read_folder
from .reporting.tiers import tier_chips_table
from .solver.benders import choose_method, method_summary, solve_benders
from .solver.fleet import fleet_summary
from .solver.highs import ProgressFn, SolveResult, solve_model
from .solver.marginal import analyse
from .solver.objectives import mode_summary, solve_objective
from .solver.polish import polish, rounder
from .solver.resources import apply_labour_prices, resource_summary
from .solver.solution import extract, layer_totals

StageFn = Callable[[str], None]


def load_scenario(scenario: str | os.PathLike | None = None, demand: str | os.PathLike | None = None) -> Scenario:
    """Load and validate a scenario: a bundled name (``"world"``, ``"us"``), a scenario folder,
    or None for the bundled default. ``demand`` is a CSV replacing the scenario's demand.csv.

    Returns a :class:`~planner.io.scenario.Scenario` whose ``tables`` (also ``scn["chips"]``)
    are pandas DataFrames, one per input file of DESIGN.md §3 (typed, blanks resolved, plus a
    ``_row`` column giving the file row), which may be edited before :func:`solve`.
    Raises :class:`UsageError` when the scenario or demand file does not exist and
    :class:`InputError` listing every problem of every file."""
    t = time.perf_counter()
    scn = _load_folder(resolve_scenario_path(scenario), demand)
    scn.load_seconds = time.perf_counter() - t
    return scn


@dataclass
class Plan:
    """A solved plan.

    - ``scenario``: the :class:`~planner.io.scenario.Scenario` it was planned from;
    - ``result``: the :class:`~planner.solver.highs.SolveResult` (status, objective and bound
      in MUSD, gap, sizes);
    - ``tables``: name -> DataFrame in report units (USD, tokens, MW, MWh, t), the CSV files
      of the results folder (DESIGN.md §6) with the columns of :data:`planner.io.results.COLUMNS`;
      after :func:`solve` also ``sites``, ``chips``, ``infrastructure`` and, with marginals,
      ``marginal_costs`` and ``binding_limits``, rounded as the CSV files store them;
    - ``timings``: seconds per stage (load, build, handoff, solve, polish, extract, marginal);
    - ``notes``: warnings of the stages after the solve (an LP re-solve that did not finish);
    - ``failures``: invariant checks the plan failed (:mod:`planner.reporting.checks`; empty
      when it passed, which is the only outcome of a correct planner);
    - ``model``/``data``: the Pyomo model and its :class:`~planner.model.ModelData`.
    """

    scenario: Scenario
    result: SolveResult
    tables: dict[str, pd.DataFrame]
    timings: dict[str, float] = field(default_factory=dict)
    model: object = None
    data: object = None
    extra: dict = field(default_factory=dict)  # summary.json keys added after the solve
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    folder: Path | None = None  # where :meth:`write` wrote it
    kept: list[str] = field(default_factory=list)  # the user's files kept from an --overwrite'n folder

    def summary(self) -> dict:
        """The content of summary.json (a new dict at each call)."""
        r = self.result
        cfg = self.scenario.config
        out = {
            "scenario": cfg.name,
            "start_year": cfg.start_year,
            "end_year": cfg.end_year,
            "currency_year": cfg.currency_year,
            "status": r.status,
            "objective_usd": r.objective * MUSD if r.objective is not None else None,
            "bound_usd": r.bound * MUSD if r.bound is not None else None,
            "mip_gap": max(0.0, r.gap) if r.gap is not None else None,  # -1e-15 is 0
            "mip_rel_gap_requested": r.requested_gap,
            "time_limit_s": r.time_limit,
            "solve_seconds": round(r.timings.get("solve", 0.0), 3),
            "build_seconds": round(self.timings.get("build", 0.0), 3),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "sizes": r.sizes,
            "totals_usd_discounted": layer_totals(self.tables["costs"]),
            "warnings": [p.sentence() for p in self.scenario.warnings],
        }
        out.update(self.extra)
        return out

    def write(self, folder: str | os.PathLike | None = None, overwrite: bool = False) -> Path:
        """Write the results folder (DESIGN.md §6: tables, summary.json, report.md,
        report.html, plots/) atomically and return its path. ``folder`` defaults to
        ``results/<scenario name>``; when it exists and ``overwrite`` is False a timestamped
        sibling is written instead, when ``overwrite`` is True the old plan is replaced and
        the user's own files in it are kept (named in ``self.kept``). Raises
        :class:`UsageError` when the folder cannot be written or is a scenario folder."""
        from .io.provenance import default_folder

        demand = self.scenario.paths.get("demand.csv")
        own = demand is None or Path(demand).resolve() == (Path(self.scenario.folder) / "demand.csv").resolve()
        target = (
            Path(folder) if folder is not None else default_folder(self.scenario.config.name, None if own else demand)
        )
        target = prepare_output(target, overwrite, protect=[self.scenario.folder])
        return self._write_prepared(target, overwrite)

    def _write_prepared(self, target: Path, overwrite: bool) -> Path:
        t = time.perf_counter()
        summary = self.summary()
        folder = choose_folder(target, overwrite)
        self.kept = []
        write_results(folder, self.tables, summary, report_files(self.tables, summary), kept=self.kept, started=t)
        self.timings["write"] = time.perf_counter() - t
        self.folder = folder
        return folder


def solver_settings(scn: Scenario, time_limit=None, mip_gap=None, threads=None, seed=None) -> dict:
    """Solver settings from scenario.toml's [solver] table, overridden where given."""
    s = dict(scn.config.solver)
    for key, val in (("time_limit_s", time_limit), ("mip_rel_gap", mip_gap), ("threads", threads), ("seed", seed)):
        if val is not None:
            s[key] = val
    return s


def within_gap(res) -> None:
    """A plan stopped by the time limit that a post-solve step (polish, serving the unserved)
    brought within the requested gap of its bound is optimal in the MIP sense: set
    ``res.status`` to ``optimal`` then (``res``: :class:`planner.solver.highs.SolveResult`)."""
    if res.status == "time_limit" and res.gap is not None and res.gap <= res.requested_gap:
        res.status = "optimal"


def plan(
    scenario: str | Path | Scenario,
    demand: str | Path | None = None,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    seed: int | None = None,
    progress: ProgressFn | None = None,
    on_stage: StageFn | None = None,
    method: str = "auto",
    workers: int | None = None,
    dask: str | None = None,
) -> Plan:
    """Load (unless given a Scenario), build, solve and extract a plan. ``on_stage(name)`` is
    called as each stage starts (``build``, ``solve``, ``polish``, ``serve_unserved``, ``extract``).

    Raises :class:`planner.io.errors.InputError` for bad input and
    :class:`planner.io.errors.NoSolutionError` when HiGHS finds no plan (infeasible, or the
    time limit hit without an incumbent).
    """
    timings: dict[str, float] = {}
    t = time.perf_counter()
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, demand)
    timings["load"] = time.perf_counter() - t
    stage = on_stage or (lambda _name: None)
    stage("build")
    t = time.perf_counter()
    d = build_data(scn)
    m = build_model(d)
    timings["build"] = time.perf_counter() - t
    st = solver_settings(scn, time_limit, mip_gap, threads, seed)
    stage("solve")
    chosen, why = choose_method(method, m)  # monolithic MIP or Benders decomposition
    if chosen == "monolithic" and (workers is not None or dask):
        why += "; --workers/--dask unused (the monolithic MIP has no subproblems)"
    solve_fn = (
        solve_model
        if chosen == "monolithic"
        else functools.partial(solve_benders, d=d, workers=workers, dask=dask or None)
    )
    res, mode_extra = solve_objective(
        m, d, st, progress=progress, rounder=rounder(m, d, threads=int(st["threads"])), solve_fn=solve_fn
    )
    mode_extra.update(method_summary(chosen, why, res))
    timings["handoff"] = res.timings["handoff"]
    timings["solve"] = res.timings["solve"]
    if progress is not None and res.has_solution:  # the solve's outcome, for the stages after it
        progress(res.timings["solve"], res.objective, res.bound, res.gap)
    if res.status == "interrupted":
        raise KeyboardInterrupt
    if not res.has_solution:
        if res.status == "infeasible":
            from .solver.diagnose import diagnose

            raise NoSolutionError(
                "The program is infeasible: the hard limits (carbon cap, chip supply, grid and site capacities) cannot all be met.",
                diagnosis=diagnose(m, d, st),
            )
        raise NoSolutionError(
            f"HiGHS found no plan within the time limit of {st['time_limit_s']:g} s; raise --time-limit."
        )
    if res.sizes.get("integers", 0) > 0 and chosen == "monolithic":  # Benders re-optimised its plan's LP
        stage("polish")
        t = time.perf_counter()
        better = polish(m, d, threads=int(st["threads"]), handoff=res.handoff)
        timings["polish"] = time.perf_counter() - t
        if better is not None:
            res.objective = better
            if res.bound is not None and better != 0:
                res.gap = max(0.0, (better - res.bound) / abs(better))
                within_gap(res)
    extra = {}
    if res.sizes.get("integers", 0) > 0 and d.objective == "cost":
        # unserved tokens whose penalty fits in the gap are served where that is cheaper
        # (cost mode only: in the tokens and value modes unserved demand carries no penalty)
        from .solver.serve_more import serve_unserved, unserved_keys

        if unserved_keys(m):
            stage("serve_unserved")
            t = time.perf_counter()
            more = serve_unserved(
                m,
                d,
                res.handoff,
                time_limit=min(60.0, max(10.0, 0.2 * float(st["time_limit_s"]))),
                threads=int(st["threads"]),
                seed=int(st["seed"]),
            )
            timings["serve_unserved"] = time.perf_counter() - t
            if more is not None:
                res.objective = more["objective"]
                if res.bound is not None and res.objective != 0:
                    res.gap = max(0.0, (res.objective - res.bound) / abs(res.objective))
                    within_gap(res)
                extra["served_after_solve"] = {
                    "objective_before_usd": more["before"] * MUSD,
                    "unserved_tokens_before": more["unserved_before"] * 1e12,
                    "unserved_tokens_after": more["unserved_after"] * 1e12,
                    "sites": more["sites"],
                }
    stage("extract")
    t = time.perf_counter()
    tables = extract(m, d)
    timings["extract"] = time.perf_counter() - t
    mode_extra.update(mode_summary(m, d, tables))  # DESIGN.md §7.6 summary keys
    mode_extra.update(fleet_summary(m, d))  # DESIGN.md §7.7 existing fleet
    mode_extra.update(extra)
    return Plan(scenario=scn, result=res, tables=tables, timings=timings, model=m, data=d, extra=mode_extra)


def solve(
    scenario: str | os.PathLike | Scenario | None = None,
    demand: str | os.PathLike | None = None,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    seed: int | None = None,
    marginals: bool = True,
    progress: ProgressFn | None = None,
    on_stage: StageFn | None = None,
    method: str = "auto",
    workers: int | None = None,
    dask: str | None = None,
) -> Plan:
    """Plan a scenario: build the program, solve it with HiGHS, extract the tables, price
    tokens and binding limits (``marginals``: two LP re-solves) and run the invariant checks
    -- what ``planner solve`` does before writing. Nothing is written; call
    :meth:`Plan.write`.

    ``scenario`` is a :class:`Scenario` (from :func:`load_scenario`, possibly edited: it is
    checked again, :func:`planner.io.scenario.recheck`), a bundled name or a folder; ``demand`` replaces demand.csv when a name or folder is given.
    ``time_limit`` (s), ``mip_gap`` (relative), ``threads`` and ``seed`` override
    scenario.toml's ``[solver]`` table. ``progress(elapsed_s, incumbent_musd, bound_musd,
    gap)`` is called while the MIP runs; ``on_stage(name)`` when a stage starts (``"build"``,
    ``"solve"``, ``"polish"``, ``"serve_unserved"``, ``"extract"``, ``"marginal"``).

    ``method``: ``"monolithic"`` (one MIP for HiGHS, with the LP-guided start),
    ``"decomposition"`` (Benders: :mod:`planner.solver.benders`) or ``"auto"`` (by size,
    :func:`planner.solver.benders.choose_method`); summary.json records the method and why.
    The decomposition's subproblems run on ``threads`` threads of this process, on a pool
    of ``workers`` (> 1) processes, or with ``dask`` (a scheduler address or ``"local"``) on
    that Dask cluster; the monolithic MIP ignores both.

    A plan found before the time limit is returned with ``summary()["status"] ==
    "time_limit"`` and its gap in ``summary()["mip_gap"]``: check them before acting on it.

    Raises :class:`InputError` for bad input, :class:`UsageError` for a missing scenario or
    a setting out of range and :class:`NoSolutionError` when HiGHS finds no plan
    (infeasible, or no plan within the time limit); KeyboardInterrupt when interrupted."""
    _check_settings(time_limit, mip_gap, threads, seed)
    if method not in ("auto", "monolithic", "decomposition"):
        raise UsageError(f"method={method!r} is not valid: give 'auto', 'monolithic' or 'decomposition'.")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise UsageError(f"workers={workers!r} is not valid: give a whole number of processes, 1 or more.")
    if dask is not None and (not isinstance(dask, str) or not dask.strip()):
        raise UsageError(f"dask={dask!r} is not valid: give a scheduler address (tcp://host:8786) or 'local'.")
    if method == "monolithic" and (workers is not None or dask is not None):
        raise UsageError(
            "workers and dask place the decomposition's subproblems; method='monolithic' has none: drop them or use method='decomposition'."
        )
    # a Scenario may have been edited in memory since it was loaded: check it again
    if isinstance(scenario, Scenario):
        from .io.revalidate import revalidate

        scn = recheck(scenario)  # settings, unknown columns, the horizon
        revalidate(scn)  # every cell parsed again as a file's would be
    else:
        scn = load_scenario(scenario, demand)
    p = plan(
        scn,
        time_limit=time_limit,
        mip_gap=mip_gap,
        threads=threads,
        seed=seed,
        progress=progress,
        on_stage=on_stage,
        method=method,
        workers=workers,
        dask=dask,
    )
    p.timings["load"] = scn.load_seconds
    from .io.provenance import provenance  # where the plan came from

    given = {"time_limit_s": time_limit, "mip_rel_gap": mip_gap, "threads": threads, "seed": seed}
    p.extra["provenance"] = provenance(scn, solver_settings(scn, time_limit, mip_gap, threads, seed), given)
    if marginals and on_stage is not None:
        on_stage("marginal")
    return finish(p, marginals=marginals)


def finish(p: Plan, marginals: bool = True) -> Plan:
    """The stages after the solve, on a solved :class:`Plan` whose ``tables`` are the raw
    extraction: the extra tables (sites, chips, infrastructure, tier_chips), with
    ``marginals`` the LP re-solves that price tokens and limits, the summary's totals and the
    invariant checks; ``p.tables`` then become the tables as written. Returns ``p``.
    :func:`solve` ends here, and so do the plans of :mod:`planner.futures` (stochastic
    scenarios, near-optimal alternatives), so that every results folder is made alike."""
    extras = extra_tables(p)
    extras.update(tier_chips_table(p.model, p.data))  # service tiers (DESIGN.md §7.9), when in use
    if marginals:
        mk = analyse(p.model, p.data, time_limit=max(30.0, p.result.time_limit), handoff=p.result.handoff)
        p.timings["marginal"] = mk.seconds
        extras.update(mk.tables)
        apply_labour_prices(p.tables, mk.binding_limits)  # DESIGN.md §7.1: labour.csv shadow prices
        if mk.status:
            p.extra["marginal_status"] = mk.status
        for basis, st in mk.status.items():
            if st != "optimal":
                p.notes.append(f"the {basis.replace('_', '-')} LP re-solve ended {st}; its prices are left blank.")
    p.extra["totals_usd_discounted"] = layer_totals(p.tables["costs"])
    p.extra.update(resource_summary(p.model, p.data))  # DESIGN.md §7.4: scope, amortised embodied CO2
    p.failures = check_plan(p)
    p.extra["invariant_checks"] = [str(f) for f in p.failures] if p.failures else "passed"
    p.tables = as_written({**p.tables, **extras})
    return p


def _check_settings(time_limit, mip_gap, threads, seed) -> None:
    """The solver overrides' ranges, as the CLI's options enforce them; UsageError otherwise."""

    def bad(name, v, what):
        raise UsageError(f"{name}={v!r} is not valid: {what}.")

    def number(v):
        return isinstance(v, int | float) and not isinstance(v, bool) and v == v

    if time_limit is not None and not (number(time_limit) and time_limit > 0):
        bad("time_limit", time_limit, "give the solver time limit in seconds, above 0")
    if mip_gap is not None and not (number(mip_gap) and 0 <= mip_gap <= 1):
        bad("mip_gap", mip_gap, "give the relative MIP gap as a fraction from 0 to 1, e.g. 0.01")
    if threads is not None and not (isinstance(threads, int) and not isinstance(threads, bool) and threads >= 1):
        bad("threads", threads, "give a whole number of solver threads, 1 or more")
    if seed is not None and not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        bad("seed", seed, "give a whole number, 0 or more")


@dataclass
class Results:
    """A results folder read back: ``folder``, ``tables`` (name -> DataFrame, the CSV files
    of DESIGN.md §6 that are present, typed) and :meth:`summary` (summary.json)."""

    folder: Path
    tables: dict[str, pd.DataFrame]
    _summary: dict

    def summary(self) -> dict:
        """The content of summary.json (a copy)."""
        return dict(self._summary)


def read_results(folder: str | os.PathLike) -> Results:
    """Read a results folder written by ``planner solve`` or :meth:`Plan.write`. Raises
    :class:`UsageError` when it is not a folder or lacks a table, :class:`InputError` naming
    the file, row and column when one is damaged."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder.")
    try:
        tables, summary = read_folder(folder)
    except FileNotFoundError as e:
        raise UsageError(f"{folder} is not a results folder ({Path(e.filename).name} is missing).") from None
    except ValueError as e:
        raise InputError([Problem(str(folder), None, None, f"is not a readable results folder: {e}")]) from None
    return Results(folder=folder, tables=tables, _summary=summary)


def report(folder: str | os.PathLike) -> list[Path]:
    """Re-render report.md, report.html and plots/ of a results folder from its tables
    (without solving again); returns the files written. Raises like :func:`read_results`."""
    res = read_results(folder)
    files = report_files(res.tables, res._summary)
    write_files(res.folder, files)
    return [res.folder / name for name in files]


def plan_from_model(
    scn: Scenario,
    m,
    d,
    res: SolveResult,
    objective: float,
    gap: float | None = None,
    given: dict | None = None,
) -> Plan:
    """A finished :class:`Plan` of a model solved outside :func:`plan`: one scenario's block
    of a stochastic plan's deterministic equivalent, or a near-optimal alternative
    (:mod:`planner.futures`).

    ``m``/``d``: the solved Pyomo model (or block) and its :class:`~planner.model.ModelData`;
    ``res``: the :class:`SolveResult` of the solve that set ``m``'s values, whose objective and
    bound are of another program (the expected cost, the MGA objective); ``objective``: the
    plan's own net present cost in MUSD (``m.npc.expr``); ``gap``: the relative gap to report
    (the equivalent's, or None where no bound applies to this plan). The SolveResult kept is
    ``res``'s status, requested gap, time limit, sizes and timings with that objective, no
    bound, this gap and no solver log, start-heuristic account or handoff. ``given``: the
    solver settings given on top of scenario.toml (``time_limit_s``, ``mip_rel_gap``,
    ``threads``, ``seed``; None or missing = not given), recorded with every input file's hash,
    the demand file, the planner version and commit in summary.json's ``provenance``
    (:func:`planner.io.provenance.provenance`, as :func:`solve` records it). The tables are
    extracted and :func:`finish` runs without the marginal re-solves."""
    from .io.provenance import provenance

    r = SolveResult(
        status=res.status,
        objective=objective,
        bound=None,
        gap=gap,
        requested_gap=res.requested_gap,
        time_limit=res.time_limit,
        sizes=res.sizes,
        timings=res.timings,
    )
    p = Plan(scenario=scn, result=r, tables=extract(m, d), model=m, data=d)
    given = {k: (given or {}).get(k) for k in ("time_limit_s", "mip_rel_gap", "threads", "seed")}
    st = solver_settings(scn, given["time_limit_s"], given["mip_rel_gap"], given["threads"], given["seed"])
    p.extra["provenance"] = provenance(scn, st, given)
    return finish(p, marginals=False)
