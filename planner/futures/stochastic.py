"""A two-stage stochastic plan over demand scenarios (DESIGN.md §7.8, ``planner solve
--stochastic NAME=FILE:P,...``).

The deterministic equivalent: one Pyomo block per demand scenario, each the model
:func:`planner.model.build_model` builds for the scenario with that demand file, under one
objective Σ_i P_i × npc_i (every block's full objective, unserved penalty included). The
investment decisions ``open``, ``hall``, ``buy`` and ``new`` of the years before
``start_year + first_stage_years`` (scenario.toml, default 3) are tied across the blocks
(non-anticipativity: what must be committed now); a decision one block has and another
lacks (its index set is sparse) is 0 in all. Everything else -- later investments, active
units, serving, dispatch, storage -- is each scenario's recourse.

Reported beside the expected cost (``stochastic.json``):

- VSS, the value of the stochastic solution: the plan of the probability-weighted mean
  demand (the union of the files' rows, a missing row 0) has its first stage fixed and is
  evaluated in every scenario; VSS = Σ_i P_i × that cost − the stochastic expected cost;
- EVPI, the expected value of perfect information: the stochastic expected cost − Σ_i P_i ×
  each scenario solved alone;
- ``vss_gap_usd``/``evpi_gap_usd``: the sum of the absolute gaps (objective − bound, USD) of
  the solves each difference comes from (a difference of optima is only known to that).

The solves VSS and EVPI need run first, and serve the equivalent: the mean-demand plan
evaluated in every scenario is a plan of it, and so is the first stage of the scenario that
asks for most tokens in the first-stage years (solved alone) evaluated in the others -- with
a dear unserved penalty the hedge is usually near that cautious plan, and the mean-demand
plan can be far from it. The cheaper of the two is the equivalent's start, so the stochastic
plan is never worse than either; the scenarios solved alone bound it from below (Σ_i P_i ×
each one's bound). No post-solve polish runs on the equivalent (it would treat each block
alone and could pull the shared decisions apart).
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..io.errors import InputError, Problem, UsageError
from ..io.results import prepare_output, write_files
from ..io.schema import FILES
from ..model import build_data, build_model
from ..model.data import MUSD

FIRST_STAGE = ("open", "hall", "buy", "new")
AGREE = ("max_latency_ms", "sovereign_share")


@dataclass
class DemandCase:
    """One scenario of the stochastic plan: its ``name``, demand ``file`` and ``probability``."""

    name: str
    file: Path
    probability: float


def parse_cases(text: str) -> list[DemandCase]:
    """``"low=low.csv:0.25,base=base.csv:0.5,high=high.csv:0.25"`` -> cases. Raises
    :class:`UsageError` for a malformed item and :class:`InputError` when the probabilities do
    not sum to 1 within 1e-6, a name repeats or a file does not exist."""
    cases: list[DemandCase] = []
    if not text.strip(",; \t\n"):
        raise UsageError(
            f"--stochastic {text!r} names no scenario; give NAME=DEMAND.csv:P,... "
            "(e.g. low=data/demand/low.csv:0.5,high=data/demand/high.csv:0.5)."
        )
    items = [x.strip() for x in text.split(",")]
    if not all(items):
        raise UsageError(
            f"--stochastic {text!r} has an empty item (two commas in a row, or a comma at an end); "
            "give NAME=DEMAND.csv:P,..."
        )
    for item in items:
        name, eq, rest = item.partition("=")
        file, colon, prob = rest.rpartition(":")
        if not eq or not colon or not name.strip() or not file.strip():
            raise UsageError(
                f"--stochastic item {item!r} is not NAME=DEMAND.csv:P (e.g. high=data/demand/high.csv:0.25)."
            )
        try:
            p = float(prob)
        except ValueError:
            raise UsageError(f"--stochastic item {item!r}: the probability {prob!r} is not a number.") from None
        cases.append(DemandCase(name.strip(), Path(file.strip()), p))
    problems = []
    if len(cases) < 1:
        raise UsageError("--stochastic needs at least one NAME=DEMAND.csv:P.")
    seen = set()
    for c in cases:
        if c.name in seen:
            problems.append(Problem("--stochastic", None, None, f"the scenario name {c.name} is used twice"))
        seen.add(c.name)
        if not c.file.is_file():
            problems.append(Problem("--stochastic", None, None, f"the demand file {c.file} of {c.name} does not exist"))
        if not (0 <= c.probability <= 1) or not math.isfinite(c.probability):
            problems.append(
                Problem("--stochastic", None, None, f"the probability {c.probability:g} of {c.name} is not in [0, 1]")
            )
    total = sum(c.probability for c in cases)
    if abs(total - 1.0) > 1e-6:
        problems.append(
            Problem("--stochastic", None, None, f"the probabilities sum to {total:.9g}, not 1 (within 1e-6)")
        )
    if problems:
        raise InputError(problems)
    return cases


def _key_cols() -> list[str]:
    """The demand key: region, model, year and the optional ``tier`` column (a blank tier is
    one key of its own, as the reader counts it)."""
    spec = FILES["demand.csv"]
    return [*spec.keys, *(k for k in spec.extra.get("optional_keys", ()) if k not in spec.keys)]


def mean_demand(cases: list[DemandCase]) -> pd.DataFrame:
    """The probability-weighted mean demand: the union of the files' rows (by the demand
    key), ``tokens_per_year`` = Σ_i P_i × tokens_i (a missing row counting 0), every other
    column from the first file holding the row. Raises :class:`InputError` naming the file
    and row where two files disagree on ``max_latency_ms`` or ``sovereign_share``."""
    keys = _key_cols()
    frames = []
    problems = []
    first: dict[tuple, tuple[str, int, dict]] = {}
    for c in cases:
        t = pd.read_csv(c.file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for i, row in enumerate(t.to_dict("records")):
            k = tuple(str(row.get(col, "")).strip() for col in keys)
            if k in first:
                fname, frow, frec = first[k]
                for col in AGREE:
                    a, b = str(frec.get(col, "")).strip(), str(row.get(col, "")).strip()
                    same = a == b
                    if not same:
                        try:
                            same = float(a) == float(b)
                        except ValueError:
                            same = False
                    if not same:
                        problems.append(
                            Problem(
                                c.file.name,
                                i + 2,
                                col,
                                f"{b or 'blank'} disagrees with {fname}, row {frow} ({a or 'blank'}); "
                                "the scenarios of a stochastic plan may differ in tokens only",
                            )
                        )
            else:
                first[k] = (c.file.name, i + 2, row)
        t["_p"] = c.probability
        frames.append(t)
    if problems:
        raise InputError(problems)
    rows = []
    for _f, _r, rec in first.values():
        rows.append(dict(rec))
    out = pd.DataFrame(rows)
    tot: dict[tuple, float] = {}
    for t in frames:
        for row in t.to_dict("records"):
            k = tuple(str(row.get(col, "")).strip() for col in keys)
            v = str(row.get("tokens_per_year", "")).strip()
            tot[k] = tot.get(k, 0.0) + row["_p"] * (float(v) if v else 0.0)
    out["tokens_per_year"] = [repr(tot[tuple(str(r.get(c, "")).strip() for c in keys)]) for r in rows]
    return out


def _first_stage_keys(m, var: str, cutoff: int) -> list[tuple]:
    v = getattr(m, var, None)
    if v is None:
        return []
    return [k for k in v if (k[-1] if isinstance(k, tuple) else k) < cutoff]


def build_equivalent(models: list, probs: list[float], cutoff: int) -> pyo.ConcreteModel:
    """The deterministic equivalent: ``models`` (one per scenario, from build_model) as blocks
    ``scen0``, ``scen1``, ... of a new model, their objectives replaced by Σ_i P_i × npc_i and
    the first-stage decisions (year < ``cutoff``) tied to block 0's (0 where a block lacks one)."""
    de = pyo.ConcreteModel(name="stochastic")
    for i, m in enumerate(models):
        m.npc.deactivate()
        de.add_component(f"scen{i}", m)
    de.npc = pyo.Objective(expr=sum(p * m.npc.expr for p, m in zip(probs, models)), sense=pyo.minimize)
    de.nonanticipativity = pyo.ConstraintList()
    for var in FIRST_STAGE:
        keys: dict[tuple, None] = {}
        for m in models:
            keys.update(dict.fromkeys(_first_stage_keys(m, var, cutoff)))
        for k in keys:
            have = [getattr(m, var)[k] for m in models if k in getattr(m, var, {})]
            ref = have[0]
            for m in models:
                v = getattr(m, var)
                if k in v:
                    if v[k] is not ref:
                        de.nonanticipativity.add(v[k] == ref)
                else:
                    de.nonanticipativity.add(ref == 0)
    return de


def copy_values(src, dst) -> None:
    """Give every variable of model ``dst`` the value of its namesake in ``src`` (two models
    built from the same data, e.g. a scenario with its first stage fixed and its block of the
    deterministic equivalent); a variable ``src`` lacks keeps its value."""
    for v in dst.component_objects(pyo.Var, active=True, descend_into=True):
        sv = src.component(v.local_name)
        if sv is None:
            continue
        for k, vd in v.items():
            if k in sv:
                vd.set_value(sv[k].value, skip_validation=True)


def start_values(ho) -> np.ndarray:
    """The values loaded in the compiled program's variables (unset = 0, integers rounded):
    the equivalent's start once every block holds a plan (:func:`copy_values`)."""
    x = np.array([0.0 if v.value is None else float(v.value) for v in ho.columns])
    x[ho.integer] = np.round(x[ho.integer])
    return x


def first_stage_values(m, cutoff: int) -> dict[tuple[str, tuple], float]:
    """(var, key) -> value of the first-stage decisions of a solved model (integers rounded)."""
    out = {}
    for var in FIRST_STAGE:
        for k in _first_stage_keys(m, var, cutoff):
            v = getattr(m, var)[k]
            x = v.value or 0.0
            out[var, k] = float(round(x)) if v.is_integer() or v.is_binary() else x
    return out


def fix_first_stage(m, values: dict, cutoff: int) -> list[str]:
    """Fix ``m``'s first-stage decisions to ``values`` (0 where not given); returns notes for
    values ``m`` has no decision for (a plan that the scenario cannot hold)."""
    notes = []
    for var in FIRST_STAGE:
        for k in _first_stage_keys(m, var, cutoff):
            getattr(m, var)[k].fix(values.get((var, k), 0.0))
    for (var, k), x in values.items():
        if abs(x) > 1e-9 and k not in getattr(m, var, {}):
            notes.append(f"{var}{list(k)} = {x:g} has no counterpart in this scenario")
    return notes


@dataclass
class Solved:
    """One solve: status, objective and absolute gap in USD (None when there is no plan)."""

    status: str
    objective_usd: float | None
    gap_usd: float | None
    mip_gap: float | None = None
    plan: object = None
    extra: dict = field(default_factory=dict)
    model: object = None  # the solved Pyomo model (a plan with its first stage fixed)

    @property
    def bound_usd(self) -> float | None:
        """A valid lower bound of the optimum: objective − absolute gap (None without a plan)."""
        if self.objective_usd is None or self.gap_usd is None:
            return None
        return self.objective_usd - self.gap_usd


def _abs_gap(res) -> float | None:
    if res.objective is None:
        return None
    if res.bound is None:
        return 0.0 if res.gap == 0 else None
    return abs(res.objective - res.bound) * MUSD


def _settings(scn, time_limit, mip_gap, threads, seed) -> dict:
    from ..api import solver_settings

    return solver_settings(scn, time_limit, mip_gap, threads, seed)


def _solve(
    m, st, rounder=None, start_fn=None, known_bound=None, time_limit=None, heuristic=True, full_mip=True, handoff=None
):
    from ..solver.highs import solve_model

    res = solve_model(
        m,
        time_limit=st["time_limit_s"] if time_limit is None else time_limit,
        mip_gap=st["mip_rel_gap"],
        threads=int(st["threads"]),
        seed=int(st["seed"]),
        heuristic=heuristic,  # the generic start (round up, then a restricted MIP) keeps tied columns equal
        rounder=rounder,
        start_fn=start_fn,
        known_bound=known_bound,
        full_mip=full_mip,
        handoff=handoff,
    )
    if res.status == "interrupted":
        raise KeyboardInterrupt
    return res


def _alone(scn, st) -> Solved:
    from .. import api

    try:
        p = api.plan(
            scn, time_limit=st["time_limit_s"], mip_gap=st["mip_rel_gap"], threads=st["threads"], seed=st["seed"]
        )
    except Exception as e:  # no plan: the figures that need it are null
        return Solved("no_solution", None, None, extra={"error": str(e)})
    return Solved(p.result.status, p.result.objective * MUSD, _abs_gap(p.result), p.result.gap, plan=p)


def _fixed(scn, values, cutoff, st) -> Solved:
    d = build_data(scn)
    m = build_model(d)
    notes = fix_first_stage(m, values, cutoff)
    from ..solver.polish import rounder

    # the cover rounding of a single plan (fixed first-stage variables are constants of the
    # compiled program, so it leaves them as they are)
    res = _solve(m, st, rounder=rounder(m, d, threads=int(st["threads"])))
    if not res.has_solution:
        return Solved(res.status, None, None, extra={"notes": notes})
    return Solved(res.status, res.objective * MUSD, _abs_gap(res), res.gap, extra={"notes": notes}, model=m)


def _first_solves(evaluate, folder, mean, cases, scns, models, datas, probs, cutoff, st, stage):
    """The solves VSS and EVPI need, run before the equivalent because they help it: the
    mean-demand plan evaluated in every scenario, and the most cautious scenario's first
    stage (the most tokens before ``cutoff``) evaluated in the others, are plans of the
    equivalent (the cheaper is its start, copied into ``models``), and the scenarios solved
    alone bound it from below (Σ_i P_i × optimum_i ≤ the stochastic optimum). Returns
    ``(start_fn, start_from, start_cost USD, known_bound MUSD, eev, ws, ev)`` (Nones and
    empty lists without ``evaluate``)."""
    from .. import api

    start_fn = start_cost = known_bound = start_from = ev = None
    eev, ws = [], []
    if not evaluate:
        return start_fn, start_from, start_cost, known_bound, eev, ws, ev
    stage("Solving the mean-demand plan (for VSS)")
    with tempfile.TemporaryDirectory() as tmp:
        mf = Path(tmp) / "demand.csv"
        mean.to_csv(mf, index=False, lineterminator="\n")
        ev_scn = api.load_scenario(folder, mf)
    ev = _alone(ev_scn, st)
    if ev.plan is not None:
        ev_first = first_stage_values(ev.plan.model, cutoff)
        ev.plan = None
        for c, scn, m in zip(cases, scns, models):
            stage(f"Evaluating the mean-demand plan in {c.name}")
            e = _fixed(scn, ev_first, cutoff, st)
            if e.model is not None:
                copy_values(e.model, m)  # the equivalent's block i starts at this plan
                e.model = None
            eev.append(e)
    early = [sum(v for k, v in d.demand_rmy.items() if k[-1] < cutoff) for d in datas]
    j = max(range(len(cases)), key=lambda i: early[i])  # the most cautious first stage
    for i, (c, scn) in enumerate(zip(cases, scns)):
        stage(f"Solving {c.name} alone (for EVPI)")
        w = _alone(scn, st)
        if i != j:
            w.plan = None
        ws.append(w)
    if eev and all(e.objective_usd is not None for e in eev):
        start_fn = start_values
        start_from = "the mean-demand plan"
        start_cost = sum(p * e.objective_usd for p, e in zip(probs, eev))
    if len(cases) > 1 and ws[j].plan is not None:
        cautious = first_stage_values(ws[j].plan.model, cutoff)
        alt = []
        for i, (c, scn) in enumerate(zip(cases, scns)):
            if i == j:
                alt.append(Solved(ws[j].status, ws[j].objective_usd, ws[j].gap_usd, model=ws[j].plan.model))
                continue
            stage(f"Evaluating {cases[j].name}'s first stage in {c.name}")
            alt.append(_fixed(scn, cautious, cutoff, st))
        if all(a.objective_usd is not None for a in alt):
            cost = sum(p * a.objective_usd for p, a in zip(probs, alt))
            if start_fn is None or cost < start_cost:
                for a, m in zip(alt, models):
                    copy_values(a.model, m)
                start_fn, start_from, start_cost = start_values, f"{cases[j].name}'s first stage", cost
        ws[j].plan = None
    if all(w.bound_usd is not None for w in ws):
        known_bound = sum(p * w.bound_usd for p, w in zip(probs, ws)) / MUSD
    return start_fn, start_from, start_cost, known_bound, eev, ws, ev


def _solve_equivalent(de, st, start_fn, start_cost, known_bound, relax, stage):
    """Solve the equivalent ``de`` within the scenario's time limit. With a start and the
    background relaxation ``relax`` (:class:`planner.solver.relaxation.BackgroundRelaxation`),
    wait for the relaxation's bound (at most the time limit): the start proven by it (or by
    ``known_bound``) is the plan; else HiGHS's MIP gets the time left, from the start, with
    the best bound known as its floor; a relaxation unfinished at the limit leaves the start
    and ``known_bound``. ``start_cost`` (USD) is the start's expected cost; the equivalent is
    solved as ``relax`` compiled it (``relax.handoff``), not compiled again. Returns
    ``(SolveResult, relaxation record or None)``."""
    from ..solver.highs import _rel_gap

    stage("Solving the deterministic equivalent")
    proven = (
        start_cost is not None
        and known_bound is not None
        and _rel_gap(start_cost / MUSD, known_bound) <= float(st["mip_rel_gap"])
    )
    if relax is None or start_fn is None or proven:
        ho = relax.handoff if relax is not None else None
        return _solve(de, st, start_fn=start_fn, known_bound=known_bound, handoff=ho), None
    t0 = time.perf_counter()
    limit = float(st["time_limit_s"])
    relax.stop_at(t0 + limit)
    bound = relax.bound(wait_until=t0 + limit)
    relax.stop(timeout=0.0)  # past the limit: stopped at its next iteration, not waited for
    record = {"status": relax.status, "seconds": relax.seconds, "bound_usd": None}
    if bound is not None:
        record["bound_usd"] = bound * MUSD
        known_bound = bound if known_bound is None else max(known_bound, bound)
    left = limit - (time.perf_counter() - t0)
    # the start heuristic would solve the same relaxation again: the start goes to HiGHS as it is
    res = _solve(
        de,
        st,
        start_fn=start_fn,
        known_bound=known_bound,
        time_limit=max(1.0, left),
        heuristic=False,
        full_mip=bound is not None and left > 1.0,
        handoff=relax.handoff,
    )
    return res, record


def solve_stochastic(
    scenario,
    cases: list[DemandCase],
    out: str | Path | None = None,
    *,
    time_limit=None,
    mip_gap=None,
    threads=None,
    seed=None,
    evaluate: bool = True,
    overwrite: bool = False,
    on_stage=None,
) -> dict:
    """Plan ``scenario`` (a name or folder) over the demand ``cases``; write one results
    folder per case under ``out`` (default ``results/<name>-stochastic``), ``stochastic.json``,
    ``stochastic.md`` and ``stochastic.html``; return stochastic.json's content. ``evaluate`` also solves the
    mean-demand plan and each case alone for VSS and EVPI; ``overwrite`` replaces a
    stochastic plan already in ``out`` (else :class:`UsageError`). Raises :class:`InputError` for bad
    input (probabilities, disagreeing demand files, ``objective`` other than cost) and
    :class:`planner.io.errors.NoSolutionError` when the deterministic equivalent has no plan."""
    from .. import api
    from ..io.errors import NoSolutionError
    from ..io.scenario import resolve_scenario_path

    stage = on_stage or (lambda s: None)
    folder = resolve_scenario_path(scenario)
    mean = mean_demand(cases)  # checks the files agree before anything is built
    scns = [api.load_scenario(folder, c.file) for c in cases]
    cfg = scns[0].config
    objective = getattr(cfg, "objective", "cost") or "cost"
    if objective != "cost":
        raise InputError(
            [Problem("scenario.toml", None, "objective", f'is "{objective}"; a stochastic plan minimises cost only')]
        )
    fsy = int(getattr(cfg, "first_stage_years", 3))
    cutoff = cfg.start_year + fsy
    st = _settings(scns[0], time_limit, mip_gap, threads, seed)
    given = {"time_limit_s": time_limit, "mip_rel_gap": mip_gap, "threads": threads, "seed": seed}
    out = Path(out) if out is not None else Path("results") / f"{cfg.name}-stochastic"
    if (out / "stochastic.json").exists() and not overwrite:
        raise UsageError(f"{out} already holds a stochastic plan; use --overwrite to replace it, or another --out.")
    existed = out.exists()
    for c in cases:  # every folder can be written, before anything is solved
        prepare_output(out / c.name, True, protect=[folder])
    try:
        stage("Building the deterministic equivalent")
        datas = [build_data(s) for s in scns]
        models = [build_model(d) for d in datas]
        probs = [c.probability for c in cases]
        de = build_equivalent(models, probs, cutoff)
        relax = None
        if evaluate and len(cases) > 1:
            # the equivalent's LP relaxation (its bound; as long as the scenario MIPs together
            # on world) runs beside the solves below, on the core their largely serial MIPs
            # leave idle
            from ..solver.highs import hand_off
            from ..solver.relaxation import BackgroundRelaxation

            relax = BackgroundRelaxation(hand_off(de), threads=int(st["threads"]), seed=int(st["seed"]))
        try:
            start_fn, start_from, start_cost, known_bound, eev, ws, ev = _first_solves(
                evaluate, folder, mean, cases, scns, models, datas, probs, cutoff, st, stage
            )
            res, relaxation = _solve_equivalent(de, st, start_fn, start_cost, known_bound, relax, stage)
        finally:
            if relax is not None:
                relax.stop(timeout=10.0)  # on Ctrl-C or an error, the process ends without waiting for it
        if not res.has_solution:
            raise NoSolutionError(f"The stochastic plan found no solution ({res.status}); raise --time-limit.")
        rp = res.objective * MUSD
        rp_gap = _abs_gap(res)
        doc_first = first_stage_values(models[0], cutoff)
        doc: dict = {
            "scenario": cfg.name,
            "first_stage_years": fsy,
            "first_stage_until": cutoff - 1,
            "status": res.status,
            "mip_gap": res.gap,
            "expected_cost_usd": rp,
            "expected_cost_gap_usd": rp_gap,
            "first_stage_decisions": sum(1 for x in doc_first.values() if abs(x) > 1e-9),
            "scenarios": {},
        }
        start_obj = res.heuristic.get("given_start_objective")
        # the start the equivalent was given (the mean-demand plan evaluated in every scenario)
        # and the lower bound from the scenarios solved alone, where the evaluation ran first
        doc["start_usd"] = start_obj * MUSD if start_obj is not None else None
        doc["start_from"] = start_from if start_obj is not None else None
        doc["scenarios_bound_usd"] = known_bound * MUSD if known_bound is not None else None
        # the equivalent's own LP relaxation, solved beside the scenario solves: its bound
        # (usually well above the scenarios' own) is the equivalent's floor
        doc["relaxation"] = relaxation
        folders = {}
        for c, scn, m, d in zip(cases, scns, models, datas):
            obj = pyo.value(m.npc.expr)
            p = api.plan_from_model(scn, m, d, res, obj, res.gap, given=given)  # the equivalent's gap
            p.extra["stochastic"] = {
                "case": c.name,
                "probability": c.probability,
                "demand": str(c.file),
                "first_stage_until": cutoff - 1,
                "expected_cost_usd": rp,
            }
            folders[c.name] = p.write(out / c.name, overwrite=True)
            doc["scenarios"][c.name] = {
                "probability": c.probability,
                "demand": str(c.file),
                "objective_usd": obj * MUSD,
                "folder": str(folders[c.name]),
            }
        notes = []
        if evaluate:
            doc["ev_objective_usd"] = ev.objective_usd
            for c, e, w in zip(cases, eev or [None] * len(cases), ws):
                doc["scenarios"][c.name]["eev_objective_usd"] = e.objective_usd if e else None
                doc["scenarios"][c.name]["ws_objective_usd"] = w.objective_usd
            if eev and all(e.objective_usd is not None for e in eev) and rp_gap is not None:
                eev_cost = sum(p * e.objective_usd for p, e in zip(probs, eev))
                doc["eev_usd"] = eev_cost
                vss = eev_cost - rp
                doc["vss_usd"] = 0.0 if abs(vss) <= 1e-12 * abs(rp) else vss  # the start kept: 0, not round-off
                gaps = [e.gap_usd for e in eev]
                doc["vss_gap_usd"] = rp_gap + sum(gaps) if all(g is not None for g in gaps) else None
            else:
                doc["vss_usd"] = doc["vss_gap_usd"] = None
                notes.append("VSS is null: the mean-demand plan, or its evaluation in a scenario, found no plan.")
            if all(w.objective_usd is not None for w in ws) and rp_gap is not None:
                ws_cost = sum(p * w.objective_usd for p, w in zip(probs, ws))
                doc["ws_usd"] = ws_cost
                doc["evpi_usd"] = rp - ws_cost
                gaps = [w.gap_usd for w in ws]
                doc["evpi_gap_usd"] = rp_gap + sum(gaps) if all(g is not None for g in gaps) else None
            else:
                doc["evpi_usd"] = doc["evpi_gap_usd"] = None
                notes.append("EVPI is null: a scenario solved alone found no plan.")
        else:
            doc.update(vss_usd=None, evpi_usd=None, vss_gap_usd=None, evpi_gap_usd=None)
            notes.append("VSS and EVPI were not evaluated.")
        kept = res.heuristic.get("given_start") == "used" and rp >= start_obj * MUSD - 1e-6 * abs(rp)
        if start_obj is not None and kept and res.status != "optimal":
            notes.append(
                f"The stochastic plan is its start, {start_from} evaluated in every scenario: the "
                "deterministic equivalent found no better hedge within its time limit."
            )
        if notes:
            doc["note"] = " ".join(notes)
        report = _report(doc, folders, cutoff)
        write_files(
            out,
            {
                "stochastic.json": json.dumps(doc, indent=2, sort_keys=True) + "\n",
                "stochastic.md": report.markdown(),
                "stochastic.html": report.html(title=f"Two-stage plan — {doc['scenario']}"),
            },
        )
        return doc
    except BaseException:
        # interrupted or failed before anything was written: no empty --out folder is left
        if not existed and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise


def _report(doc: dict, folders: dict[str, Path], cutoff: int):
    """stochastic.md/.html (a :class:`planner.reporting.report.Doc`): the here-and-now
    decisions (shared) beside each scenario's recourse."""
    from ..reporting.fmt import _usd
    from ..reporting.report import Doc

    out = Doc()
    out.h(f"Two-stage plan of {doc['scenario']} over {len(folders)} demand scenarios", 1)

    def money(x):
        return "–" if x is None else _usd(x)

    out.ul(
        [
            f"Expected net present cost: **{money(doc['expected_cost_usd'])}** ({doc['status']}, gap {doc['mip_gap'] or 0:.2%}).",
            f"Value of the stochastic solution (VSS): {money(doc.get('vss_usd'))} (± {money(doc.get('vss_gap_usd'))}).",
            f"Expected value of perfect information (EVPI): {money(doc.get('evpi_usd'))} (± {money(doc.get('evpi_gap_usd'))}).",
            f"Shared (here-and-now) decisions: every investment of {cutoff - doc['first_stage_years']}–{cutoff - 1}.",
        ]
    )
    names = list(folders)
    inv = {n: pd.read_csv(folders[n] / "investment_schedule.csv", keep_default_na=False, na_values=[""]) for n in names}
    first = inv[names[0]]
    first = first[first["year"] < cutoff]
    # the existing fleet is in the schedule (at no capex) but is not a decision to take now
    existing = first["item"].astype(str).str.endswith("(existing)")
    first = first[~existing]

    def qty(q: float) -> str:
        return f"{q:,.0f}" if float(q).is_integer() else f"{q:,.4g}"

    out.h(f"Build now (before {cutoff}, the same in every scenario)", 2)
    if existing.any():
        out.p(
            f"The existing fleet ({int(existing.sum())} row{'s' if int(existing.sum()) != 1 else ''} of "
            "investment_schedule.csv, no capex) is "
            "already in service and not listed here."
        )
    out.table(
        ["year", "site", "layer", "item", "quantity", "unit", "capex"],
        [[r.year, r.site, r.layer, r.item, qty(r.quantity), r.unit, _usd(r.capex_usd)] for r in first.itertuples()],
        align="llllrlr",
    )
    out.h(f"Recourse (from {cutoff}): capex by scenario and layer", 2)
    rows = []
    for n in names:
        t = inv[n][inv[n]["year"] >= cutoff]
        by = t.groupby("layer")["capex_usd"].sum()
        rows.append(
            [n, f"{doc['scenarios'][n]['probability']:g}", money(doc["scenarios"][n]["objective_usd"])]
            + [_usd(float(by.get(k, 0.0))) for k in ("infrastructure", "chips", "energy")]
        )
    out.table(["scenario", "P", "NPC", "infrastructure", "chips", "energy"], rows)
    if doc.get("note"):
        out.p(doc["note"])
    return out
