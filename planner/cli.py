"""The ``planner`` command line (click). It parses, prints and maps errors to exit codes;
the library does the work.

Exit codes (DESIGN.md §5): 0 solved, 1 bad input, 2 usage, 3 infeasible or no solution,
4 internal error (a bug; the traceback goes to a log file), 130 interrupted (Ctrl-C). Errors go to stderr as one sentence each, never a traceback.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .io.errors import InputError, PlannerError, UsageError, group_sentences
from .reporting.fmt import _pct

out = Console(highlight=False, soft_wrap=True)  # long paths and headlines stay on one line
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(e: PlannerError) -> None:
    if isinstance(e, InputError):
        for line in group_sentences(e.problems):
            err.print(line, markup=False, soft_wrap=True)
        n = len(e.problems)
        ctx = click.get_current_context(silent=True)
        done = {
            "solve": "; nothing was solved",
            "report": "; no report was written",
            "export": "; nothing was exported",
        }
        err.print(
            f"{n} problem{'s' if n != 1 else ''} found{done.get(ctx.info_name if ctx else '', '')}.", markup=False
        )
    else:
        err.print(str(e), markup=False, soft_wrap=True)
        for line in getattr(e, "diagnosis", []) or []:
            err.print(f"  {line}", markup=False, soft_wrap=True)
    sys.exit(e.exit_code)


def _print_warnings(warnings) -> None:
    """Print a scenario's warnings (:class:`planner.io.errors.Problem` list) to stderr, the same
    problem on many rows as one sentence (:func:`planner.io.errors.group_sentences`)."""
    for line in group_sentences(warnings, noun="warning"):
        err.print(f"warning: {line}", markup=False, soft_wrap=True)


def _signed0(x: float) -> str:
    """ "+12" / "-3" / "0": a change shown to whole units, never "+0" or "-0"."""
    return "0" if round(x) == 0 else f"{x:+,.0f}"


def _signed2(x: float) -> str:
    return "0" if round(x, 2) == 0 else f"{x:+,.2f}"


def _plain(*cells) -> list[Text]:
    """Table cells as plain text: names from the data ("[/b]" in a site name) are not markup."""
    return [Text(str(c)) for c in cells]


def friendly(f):
    """Turn library errors into sentences and exit codes; Ctrl-C into exit 130."""

    @functools.wraps(f)
    def wrapper(*a, **kw):
        # a Ctrl-C that lands inside a library's C code (e.g. while matplotlib's extension
        # registers its types on import) can surface as another error: remember that one came
        interrupted = []
        old = None
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):

            def on_sigint(signum, frame):
                interrupted.append(True)
                raise KeyboardInterrupt

            old = signal.signal(signal.SIGINT, on_sigint)
        try:
            return _run(a, kw, interrupted)
        finally:
            if old is not None:
                signal.signal(signal.SIGINT, old)

    def _run(a, kw, interrupted):
        try:
            return f(*a, **kw)
        except PlannerError as e:
            _fail(e)
        except KeyboardInterrupt:
            err.print("Interrupted; nothing was written.", markup=False)
            sys.exit(130)
        except (FileExistsError, IsADirectoryError, NotADirectoryError, PermissionError) as e:
            # a path on the command line (or inside a results folder) is not what it must be
            what = e.filename or "a path"
            err.print(f"Cannot use {what}: {e.strerror or e}; nothing was written.", markup=False, soft_wrap=True)
            sys.exit(2)
        except MemoryError:
            err.print("Out of memory while planning; try a smaller scenario or fewer slices.", markup=False)
            sys.exit(1)
        except SystemExit:
            raise
        except Exception as e:  # a bug: one sentence here, the traceback in a log file
            if interrupted:
                err.print("Interrupted; nothing was written.", markup=False)
                sys.exit(130)
            import tempfile
            import traceback

            log = Path(tempfile.gettempdir()) / "planner-error.log"
            log.write_text(traceback.format_exc(), encoding="utf-8")
            err.print(
                f"Internal error ({type(e).__name__}: {e}); this is a bug in planner, please report it with {log}.",
                markup=False,
                soft_wrap=True,
            )
            sys.exit(4)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planner")
def main() -> None:
    """Plan AI factories: which sites to open, which power to build or buy, which chips to
    install and which cooling to use, year by year, to meet token demand at least net
    present cost."""


@main.command()
@click.argument("scenario", required=False)
def validate(scenario: str | None) -> None:
    """Load and check every file of SCENARIO (a folder, or a bundled scenario name)."""
    _validate(scenario)


@friendly
def _validate(scenario):
    from .io.scenario import load_scenario, resolve_scenario_path

    path = resolve_scenario_path(scenario)
    scn = load_scenario(path)
    _print_warnings(scn.warnings)
    T = scn.tables
    out.print(
        f"{path}: valid. {len(T['sites.csv'])} sites in {len(T['regions.csv'])} regions, "
        f"{len(T['chips.csv'])} chips, {len(T['cooling.csv'])} cooling technologies, {len(T['power.csv'])} power technologies, "
        f"{len(T['models.csv'])} models, {len(T['slices.csv'])} time slices, years {scn.config.start_year}-{scn.config.end_year}.",
        markup=False,
        soft_wrap=True,
    )


@main.command()
@click.argument("scenario", required=False)
@click.option("--demand", type=click.Path(dir_okay=False), help="CSV replacing the scenario's demand.csv.")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), help="Results folder (default results/<scenario name>)."
)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Solver time limit in seconds.")
@click.option("--mip-gap", type=click.FloatRange(0, 1), help="Relative MIP gap tolerance, e.g. 0.01.")
@click.option("--threads", type=click.IntRange(min=1), help="Solver threads.")
@click.option("--seed", type=click.IntRange(min=0), help="Solver random seed.")
@click.option(
    "--overwrite", is_flag=True, help="Replace an existing results folder instead of writing a new timestamped one."
)
@click.option("--quiet", is_flag=True, help="No progress display.")
@click.option(
    "--marginals/--no-marginals",
    default=True,
    show_default=True,
    help="Price tokens and binding limits with two LP re-solves of the plan (marginal_costs.csv, binding_limits.csv).",
)
@click.option(
    "--objective",
    type=click.Choice(["cost", "tokens", "value"]),
    help="Objective mode (DESIGN.md §7.6), overriding scenario.toml's objective.",
)
@click.option(
    "--stochastic",
    metavar="NAME=DEMAND.csv:P,...",
    help="A two-stage plan over demand scenarios with probabilities P (DESIGN.md §7.8): writes OUT/stochastic.json and OUT/<NAME>/.",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "monolithic", "decomposition"]),
    default="auto",
    show_default=True,
    help="One MIP for HiGHS, or Benders decomposition (investment master, per-slice operation LPs); auto picks by size.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Decomposition: solve the subproblems on a pool of N processes (default: threads of this process).",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS|local",
    help="Decomposition: solve the subproblems on a Dask cluster: a scheduler address (tcp://host:8786) or local for a LocalCluster.",
)
def solve(
    scenario,
    demand,
    out_dir,
    time_limit,
    mip_gap,
    threads,
    seed,
    overwrite,
    quiet,
    marginals,
    objective,
    stochastic=None,
    method="auto",
    workers=None,
    dask_address=None,
) -> None:
    """Solve SCENARIO (default: the bundled world scenario) and write the results folder."""
    if method == "monolithic" and (workers is not None or dask_address is not None):
        raise click.UsageError(
            "--workers and --dask place the decomposition's subproblems; --method monolithic has none."
        )
    if stochastic is not None and (workers is not None or dask_address is not None):
        raise click.UsageError("--workers and --dask apply to one plan's decomposition, not to --stochastic.")
    if stochastic is not None:  # "" too: parse_cases says what is missing
        if objective not in (None, "cost"):
            raise click.UsageError("--stochastic plans at least expected cost: only --objective cost is allowed.")
        return _stochastic(scenario, stochastic, demand, out_dir, time_limit, mip_gap, threads, seed, quiet, overwrite)
    _solve(
        scenario,
        demand,
        out_dir,
        time_limit,
        mip_gap,
        threads,
        seed,
        overwrite,
        quiet,
        marginals,
        objective,
        method,
        workers,
        dask_address,
    )


@friendly
def _solve(
    scenario,
    demand,
    out_dir,
    time_limit,
    mip_gap,
    threads,
    seed,
    overwrite,
    quiet,
    marginals=True,
    objective=None,
    method="auto",
    workers=None,
    dask_address=None,
):
    from . import api
    from .io.results import prepare_output
    from .io.scenario import resolve_scenario_path

    path = resolve_scenario_path(scenario)
    scn = api.load_scenario(path, demand)
    if objective:
        from .io.limits import value_warning

        scn.config.objective = objective  # --objective overrides scenario.toml (DESIGN.md §7.6)
        w = value_warning(objective, scn.tables)
        if w is not None and all(p.sentence() != w.sentence() for p in scn.warnings):
            scn.warnings.append(w)
    _print_warnings(scn.warnings)
    from .io.provenance import default_folder

    target = Path(out_dir) if out_dir else default_folder(scn.config.name, demand)  # results/world-high
    target = prepare_output(target, overwrite, protect=[path])
    from .progress_display import Progress

    shown = Progress(err, api.solver_settings(scn, time_limit)["time_limit_s"]) if not quiet else None
    try:
        if shown is not None:
            shown.__enter__()
        p = api.solve(
            scn,
            time_limit=time_limit,
            mip_gap=mip_gap,
            threads=threads,
            seed=seed,
            marginals=marginals,
            progress=shown.progress if shown else None,
            on_stage=shown.on_stage if shown else None,
            method=method,
            workers=workers,
            dask=dask_address,
        )
        if shown is not None:
            shown.on_stage("write")
    finally:
        if shown is not None:
            shown.__exit__(None, None, None)
    for note in p.notes:
        err.print(f"warning: {note}", markup=False)
    folder = p._write_prepared(target, overwrite)
    summary = p.summary()
    summary["timings_s"]["write"] = round(p.timings["write"], 3)
    print_summary(p.tables, summary)
    if p.failures:
        from .reporting.checks import bug_report

        err.print(bug_report(p.failures), markup=False, soft_wrap=True)
        err.print(
            f"The plan was written to {folder} but failed the checks above; this is a bug in planner.", markup=False
        )
        sys.exit(4)
    if folder != target:
        out.print(
            f"{target} already exists; the plan was written to {folder} (use --overwrite to replace it).", markup=False
        )
    else:
        out.print(f"Results written to {folder}", markup=False)
    if p.kept:
        out.print(
            f"Kept there from the previous folder (not part of the plan): {', '.join(p.kept)}",
            markup=False,
            soft_wrap=True,
        )
    if summary["status"] == "time_limit":
        from .reporting.report import FAR_FROM_OPTIMAL

        gap = summary["mip_gap"]
        far = gap is not None and gap >= FAR_FROM_OPTIMAL
        err.print(
            "warning: the time limit was reached before the gap tolerance; "
            + (
                f"this plan is within {_pct(gap)} of optimal, not {summary['mip_rel_gap_requested']:.2%}"
                if gap is not None
                else "how far this plan is from optimal is unknown (no bound)"
            )
            + ("; it is far from optimal: do not act on it, solve again with a longer --time-limit." if far else "."),
            markup=False,
        )


def print_objective(tables, summary, years) -> None:
    """The objective mode's lines (DESIGN.md §7.6) and, outside ``cost`` mode, the tokens served
    per year by model."""
    from .reporting.fleet import fleet_sentences
    from .reporting.fmt import _tok
    from .reporting.objective import objective_sentences, tokens_by_model

    for line in objective_sentences(summary) + fleet_sentences(tables, summary):
        out.print(line.replace("**", "").replace("`", ""), markup=False, soft_wrap=True)
    if summary.get("objective", "cost") == "cost":
        return
    tb = tokens_by_model(tables, years)
    t = Table(title="Tokens served per year by model", title_justify="left")
    t.add_column("year")
    for mm in tb.columns:
        t.add_column(str(mm), justify="right")
    t.add_column("total", justify="right")
    for y in years:
        row = [str(y)] + [_tok(float(tb.loc[y, mm])) for mm in tb.columns] if y in tb.index else [str(y)]
        row.append(_tok(float(tb.loc[y].sum())) if y in tb.index and len(tb.columns) else "0 tok")
        t.add_row(*_plain(*row))
    out.print(t)


class _StatusLine:
    """The live status line: re-rendered by rich several times a second, so the elapsed time
    runs even between HiGHS callbacks (which only fire while the MIP search runs)."""

    def __init__(self):
        import time

        self.start = time.perf_counter()
        self.stage = "Building and handing the model to HiGHS"
        self.inc = self.bound = self.gap = None

    def __rich__(self) -> str:
        import time

        elapsed = time.perf_counter() - self.start
        if self.stage != "Solving":
            return f"{self.stage}… {elapsed:6.1f} s"
        return progress_text(elapsed, self.inc, self.bound, self.gap)


def progress_text(elapsed: float, inc: float | None, bound: float | None, gap: float | None) -> str:
    """The status line while HiGHS runs: elapsed time, incumbent, dual bound and gap (MUSD in)."""

    def bn(x):
        return "–" if x is None else f"${x / 1e3:,.3f} bn"

    gap_txt = "–" if gap is None or inc is None else f"{_pct(gap)}"
    return f"Solving: {elapsed:6.1f} s  incumbent {bn(inc)}  bound {bn(bound)}  gap {gap_txt}"


def print_summary(tables, summary) -> None:
    """The short human summary printed after a solve."""
    import pandas as pd

    from .reporting.fmt import _tok, _usd
    from .reporting.objective import npc_shown
    from .reporting.report import chips_by_year, energy_mix, sites_opened

    years = list(range(summary["start_year"], summary["end_year"] + 1))
    gap = summary.get("mip_gap")
    gap_txt = f", gap {_pct(gap)} (asked {summary['mip_rel_gap_requested']:.2%})" if gap is not None else ""
    out.print(
        f"[bold]{escape(str(summary['scenario']))}[/bold] {years[0]}–{years[-1]}: {summary['status']}, "
        f"net present cost [bold]{_usd(npc_shown(summary))}[/bold] (real {summary['currency_year']} USD){gap_txt}"
    )
    sz = summary["sizes"]
    tm = summary["timings_s"]
    out.print(
        f"Model: {sz.get('variables', 0):,} variables ({sz.get('integers', 0):,} integer), {sz.get('constraints', 0):,} constraints. "
        + "Seconds: "
        + ", ".join(f"{k} {v:.1f}" for k, v in tm.items()),
        markup=False,
    )
    print_objective(tables, summary, years)  # DESIGN.md §7.6
    _print_loud_warnings(summary)
    so = sites_opened(tables)
    out.print(
        "Sites opened: "
        + (", ".join(f"{r.site} ({r.year}{', existing' if r.existing else ''})" for r in so.itertuples()) or "none"),
        markup=False,
        soft_wrap=True,
    )
    cb = chips_by_year(tables)
    if len(cb):
        t = Table(title="Chips by year: MW IT active (units installed)", title_justify="left")
        t.add_column("year")
        t.add_column("MW IT", justify="right")
        t.add_column("chips")
        for y in years:
            r = cb[(cb["year"] == y) & (cb["units"] > 0)]
            t.add_row(
                *_plain(
                    str(y),
                    f"{r['it_mw'].sum():,.0f}",
                    ", ".join(f"{c.chip} {c.it_mw:,.0f} ({c.units:,.0f})" for c in r.itertuples()),
                )
            )
        out.print(t)
    em = energy_mix(tables)
    from .reporting.served import cost_per_mtok_served

    cpm = pd.DataFrame({"total": cost_per_mtok_served(tables, years)})  # without the unserved penalty
    t = Table(title="Energy mix (share of MWh) and cost per million tokens served", title_justify="left")
    t.add_column("year")
    techs = list(em.columns) if len(em) else []
    for k in techs:
        t.add_column(k, justify="right")
    t.add_column("USD/Mtok", justify="right")  # served, without the unserved penalty
    for y in years:
        row = [str(y)]
        tot = em.loc[y].sum() if len(em) and y in em.index else 0.0
        for k in techs:
            row.append(f"{em.loc[y, k] / tot:.0%}" if tot > 0 and y in em.index else "")
        v = cpm.loc[y, "total"]
        row.append("" if v != v else f"{v:,.3f}")
        t.add_row(*_plain(*row))
    out.print(t)
    un = tables["unserved"]
    if len(un):
        by = un.groupby("year")["tokens"].sum()
        out.print(
            "Unserved tokens: " + ", ".join(f"{y} {_tok(v)}" for y, v in by.items()), markup=False, soft_wrap=True
        )
        from .reporting.served import headline

        for line in headline(tables, years)[1:]:
            out.print(line, markup=False, soft_wrap=True)
    else:
        out.print("All demand is served.", markup=False)


def _print_loud_warnings(summary) -> None:
    """Repeat under the plan's headline the warnings of values far outside the bundled
    catalog's range (a likely unit slip, :mod:`planner.io.plausible`): the plan was made on them."""
    from .io.plausible import MAGNITUDE_MARK, SIZE_MARK

    loud = [w for w in summary.get("warnings", []) if MAGNITUDE_MARK in w or SIZE_MARK in w]
    for w in loud:
        out.print(Text.assemble(("CHECK THIS INPUT: ", "bold yellow"), w))


def _read_folder(folder: Path):
    from .api import read_results

    res = read_results(folder)
    return res.tables, res.summary()


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
def report(results_dir: str) -> None:
    """Re-render report.md, report.html and plots/ of a results folder without solving again."""
    _report(results_dir)


@friendly
def _report(results_dir):
    from .api import report as render

    folder = Path(results_dir)
    render(folder)
    out.print(f"Report written to {folder / 'report.md'} and {folder / 'report.html'}", markup=False)


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), required=True, help="Export format.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(),
    help="Where to write (default: DIR/export/ for csv, DIR/plan.xlsx or DIR/plan.json).",
)
@click.option("--overwrite", is_flag=True, help="Replace export files that already exist.")
def export(results_dir: str, fmt: str, out_path: str | None, overwrite: bool) -> None:
    """Export the investment schedule and every table of a results folder as CSV (units in
    the headers), one Excel workbook (a sheet per table) or one JSON document (schema:
    planner/schemas/results.schema.json). Existing files are never replaced without
    --overwrite, and a CSV export never goes into a scenario folder or over a results
    folder's own tables."""
    _export(results_dir, fmt, out_path, overwrite)


@friendly
def _export(results_dir, fmt, out_path, overwrite=False):
    import jsonschema

    from .io.errors import Problem
    from .reporting.export import ExportClash
    from .reporting.export import export as do_export

    folder = Path(results_dir)
    _read_folder(folder)  # a clear error for a folder that is not a results folder
    if out_path is not None and not out_path.strip():
        raise UsageError("--out is empty; give a path or leave --out out.")
    if out_path and fmt != "csv" and Path(out_path).is_dir():
        raise UsageError(f"--out {out_path} is a folder; give a file name for --format {fmt}.")
    try:
        path = do_export(folder, fmt, out_path, overwrite=overwrite)
    except ExportClash as e:
        hint = "choose another --out" if e.never else "choose another --out or add --overwrite"
        raise UsageError(f"Not exported: {e}; {hint}.") from None
    except jsonschema.ValidationError as e:
        # a table of the folder has a column or value the results schema does not allow
        path = list(e.absolute_path)
        if len(path) >= 3 and path[0] == "tables":
            where = f"{path[1]}.csv, row {int(path[2]) + 2}"
        else:
            where = "/".join(str(k) for k in path) or "summary.json"
        raise InputError(
            [Problem(str(folder), None, None, f"{where} does not follow the results schema: {e.message}")]
        ) from None
    out.print(f"Exported {folder} as {fmt} to {path}", markup=False)


@main.command()
@click.argument("dir_a", type=click.Path(file_okay=False))
@click.argument("dir_b", type=click.Path(file_okay=False))
@click.argument("more", nargs=-1, type=click.Path(file_okay=False))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the comparison as CSV.")
@click.option("--overwrite", is_flag=True, help="Replace the --csv file if it exists.")
def compare(dir_a: str, dir_b: str, more: tuple[str, ...], csv_path: str | None, overwrite: bool) -> None:
    """Show what changed from plan DIR_A to plan DIR_B: net present cost, sites, MW IT by chip
    generation and energy by source, per year. With more plans (DIR_A DIR_B DIR_C ...), one
    row per plan against DIR_A. A change in net present cost smaller than the plans'
    optimality gaps is said to be so."""
    _compare(dir_a, dir_b, csv_path, overwrite, more)


@friendly
def _compare(dir_a, dir_b, csv_path, overwrite=False, more=()):
    if csv_path is not None:
        from .io.results import protected_reason

        if not csv_path.strip():
            raise UsageError("--csv is empty; give a file name.")
        why = protected_reason(Path(csv_path))
        if why is not None:
            raise UsageError(f"--csv {csv_path}: {why}; choose another name.")
        if Path(csv_path).exists() and not overwrite:
            raise UsageError(f"--csv {csv_path} already exists; choose another name or add --overwrite.")
        if not Path(csv_path).parent.is_dir():
            raise UsageError(f"--csv {csv_path}: the folder {Path(csv_path).parent} does not exist.")
    from .reporting.compare import compare as do_compare
    from .reporting.fmt import _usd

    _read_folder(Path(dir_a))
    _read_folder(Path(dir_b))
    if more:  # more than two plans, one row each against the first
        _compare_many([dir_a, dir_b, *more], csv_path)
        return
    t, sa, sb = do_compare(dir_a, dir_b)
    out.print(
        f"A = {dir_a} ({sa['scenario']}, {sa['status']})   B = {dir_b} ({sb['scenario']}, {sb['status']})",
        markup=False,
        soft_wrap=True,
    )
    from .io.provenance import differences

    for line in differences(sa, sb):
        out.print(f"Provenance: {line}", markup=False, soft_wrap=True)

    def signed(v, unit):
        if v != v:
            return ""
        if unit == "USD":
            return ("+" if v > 0 else "−") + _usd(abs(v)) if v else "0"
        if unit == "year opened":
            return f"{v:+.0f} y" if v else "same"
        return _signed0(v) if abs(v) >= 1 else _signed2(v)

    def fmt(v, unit):
        if v != v:
            return "–"
        if unit == "USD":
            return _usd(v)
        if unit == "year opened":
            return f"{v:.0f}"
        return f"{v:,.0f}" if abs(v) >= 10 else f"{v:,.2f}"

    cost = t[t["section"] == "cost"]
    tb = Table(title="Cost", title_justify="left")
    for c in ("item", "A", "B", "B − A"):
        tb.add_column(c, justify="left" if c == "item" else "right")
    for r in cost.itertuples():
        if r.item == "annual cost":
            continue
        tb.add_row(*_plain(r.item, fmt(r.a, r.unit), fmt(r.b, r.unit), signed(r.change, r.unit)))
    out.print(tb)
    from .reporting.compare_many import gap_sentence

    within = gap_sentence(sa, sb)
    if within:
        out.print(within, markup=False, soft_wrap=True)
    sites = t[t["section"] == "sites"]
    if len(sites):
        tb = Table(title="Sites (year opened)", title_justify="left")
        for c in ("site", "A", "B", "change"):
            tb.add_column(c, justify="left" if c == "site" else "right")
        for r in sites.itertuples():
            ch = "opened only in B" if r.a != r.a else ("opened only in A" if r.b != r.b else signed(r.change, r.unit))
            tb.add_row(*_plain(r.item, fmt(r.a, r.unit), fmt(r.b, r.unit), ch))
        out.print(tb)
    for section, title, scale, _unit in (
        ("MW IT by generation", "MW IT by chip generation (B − A, and B)", 1.0, "MW"),
        ("energy by source", "Energy by source, GWh (B − A, and B)", 1e3, "GWh"),
        ("cost by tier", "Cost per million tokens by service tier, USD/Mtok (B − A, and B)", 1.0, "USD/Mtok"),
    ):
        sec = t[t["section"] == section]
        if not len(sec):
            continue
        tb = Table(title=title, title_justify="left")
        tb.add_column("year")
        items = list(dict.fromkeys(sec["item"]))
        for it in items:
            tb.add_column(str(it), justify="right")
        ac = cost[cost["item"] == "annual cost"].set_index("year")
        if section == "MW IT by generation":
            tb.add_column("annual cost B − A", justify="right")
        for y in sorted(sec["year"].dropna().unique()):
            row = [str(y)]
            for it in items:
                r = sec[(sec["item"] == it) & (sec["year"] == y)]
                if r.empty:
                    row.append("")
                else:
                    d, b = r["change"].iloc[0] / scale, r["b"].iloc[0] / scale
                    big = max(abs(d), abs(b)) >= 10
                    row.append(
                        (f"{_signed0(d)} ({b:,.0f})" if big else f"{_signed2(d)} ({b:,.2f})")
                        if abs(d) >= 0.005
                        else (f"= ({b:,.0f})" if big else f"= ({b:,.2f})")
                    )
            if section == "MW IT by generation":
                row.append(signed(ac.loc[y, "change"], "USD") if y in ac.index else "")
            tb.add_row(*_plain(*row))
        out.print(tb)
    co2 = t[t["section"] == "CO2"]
    if len(co2):
        out.print(
            f"CO2 over the horizon: A {co2['a'].sum() / 1e3:,.0f} kt, B {co2['b'].sum() / 1e3:,.0f} kt "
            f"({co2['change'].sum() / 1e3:+,.0f} kt).",
            markup=False,
        )
    un = t[t["section"] == "unserved"]
    if len(un):
        out.print(f"Unserved tokens: A {un['a'].sum():,.3g}, B {un['b'].sum():,.3g}.", markup=False)
    if csv_path:
        tmp = Path(csv_path).with_name(f".{Path(csv_path).name}.tmp")
        t.to_csv(tmp, index=False, float_format="%.12g", lineterminator="\n")
        os.replace(tmp, csv_path)
        out.print(f"Comparison written to {csv_path}", markup=False)


def _compare_many(folders: list[str], csv_path: str | None) -> None:
    """`compare` of three or more plans: one row per plan (:func:`planner.reporting.compare_many.overview`)."""
    from .reporting.compare_many import overview
    from .reporting.fmt import _t, _usd

    for f in folders[2:]:
        _read_folder(Path(f))
    t = overview(folders)
    letters = [chr(ord("A") + i) if i < 26 else str(i + 1) for i in range(len(t))]
    for k, r in zip(letters, t.itertuples(), strict=True):
        out.print(f"{k} = {r.plan} ({r.scenario}, {r.status})", markup=False, soft_wrap=True)
    from rich import box

    from .reporting.compare_many import tok_short

    # fits an 80-column terminal: short headers, no border at the edges, numbers never wrap
    tb = Table(
        title="Plans against A (MW IT in the last year; GWh, CO2 over the horizon)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for c in ("plan", "NPC", "gap", "NPC − A", "sites", "MW IT", "GWh", "CO2", "unserved"):
        if c == "plan":  # the letter of the plan (its folder is named above the table)
            tb.add_column(c, no_wrap=True, min_width=4)
        else:
            tb.add_column(c, justify="right", no_wrap=True)
    for i, r in enumerate(t.itertuples()):
        ch = "" if i == 0 else ("+" if r.change_usd >= 0 else "−") + _usd(abs(r.change_usd))
        if i and r.within_gaps:
            ch += " *"
        gap = "" if r.mip_gap is None or r.mip_gap != r.mip_gap else _pct(r.mip_gap)
        tb.add_row(
            *_plain(
                letters[i],
                _usd(r.objective_usd),
                gap,
                ch,
                str(r.sites_opened),
                f"{r.it_mw_last_year:,.0f}",
                f"{r.energy_mwh / 1e3:,.0f}",
                _t(r.co2_t),
                tok_short(r.unserved_tokens) if r.unserved_tokens else "0",
            )
        )
    out.print(tb)
    if t["within_gaps"].iloc[1:].any():
        out.print(
            "*: within the gaps: the change from A is smaller than the two plans' optimality gaps together; "
            "it may come from the solver's tolerance, not from the scenarios.",
            markup=False,
            soft_wrap=True,
        )
    if csv_path:
        tmp = Path(csv_path).with_name(f".{Path(csv_path).name}.tmp")
        t.to_csv(tmp, index=False, float_format="%.12g", lineterminator="\n")
        os.replace(tmp, csv_path)
        out.print(f"Comparison written to {csv_path}", markup=False)


@main.command("prep-days")
@click.option(
    "--solar",
    type=click.Path(dir_okay=False, exists=True),
    required=True,
    help="Hourly solar CF CSV (hour + a column per site).",
)
@click.option(
    "--wind",
    type=click.Path(dir_okay=False, exists=True),
    multiple=True,
    help="Hourly wind CF CSV (same format); repeat it: a site's column comes from the first file that has it.",
)
@click.option("--sites", help="Comma-separated sites to keep (default: every column).")
@click.option(
    "--days",
    type=click.IntRange(1, 40),
    default=5,
    show_default=True,
    help="Representative days (extreme days come on top).",
)
@click.option("--segments", type=click.IntRange(1, 24), default=6, show_default=True, help="Slices per day.")
@click.option("--method", type=click.Choice(["kmedoids", "hierarchical"]), default="kmedoids", show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder for slices.csv, profiles.csv, days_accuracy.csv.",
)
@click.option(
    "--site-power",
    type=click.Path(dir_okay=False, exists=True),
    help="A scenario's site_power.csv: profiles only for its solar_pv / wind_onshore pairs.",
)
@click.option(
    "--stand-ins",
    type=click.Path(dir_okay=False, exists=True),
    help="CSV site,record,reason: a site without a weather record uses the record's column.",
)
@click.option(
    "--wind-annual-cf",
    type=click.Path(dir_okay=False, exists=True),
    help="CSV site,annual_cf,source[,scaling]: station wind (a *station* file) is brought to this annual CF "
    "(hub speed scaled with --station-weather, else the CF scaled linearly and clipped at 1).",
)
@click.option(
    "--station-weather",
    type=click.Path(file_okay=False, exists=True),
    help="Folder of station weather <CTRY>_<WMO>.csv (wind10, temp_c) with site_station_map.csv beside it: "
    "station wind is re-derived with the hub SPEED scaled to --wind-annual-cf (not the CF).",
)
@click.option("--accuracy", "accuracy_csv", type=click.Path(dir_okay=False), help="Write days_accuracy here instead.")
@click.option("--plot", "plot_png", type=click.Path(dir_okay=False), help="Also write a duration-curve plot (PNG).")
def prep_days(
    solar,
    wind,
    sites,
    days,
    segments,
    method,
    out_dir,
    site_power,
    stand_ins,
    wind_annual_cf,
    station_weather,
    accuracy_csv,
    plot_png,
) -> None:
    """Representative days from a year of hourly capacity factors (tsam k-medoids, extreme
    days kept): write slices.csv and profiles.csv (needs the prep extra)."""
    _prep_days(
        solar,
        wind,
        sites,
        days,
        segments,
        method,
        out_dir,
        site_power,
        stand_ins,
        wind_annual_cf,
        accuracy_csv,
        plot_png,
        station_weather,
    )


@friendly
def _prep_days(
    solar,
    wind,
    sites,
    days,
    segments,
    method,
    out_dir,
    site_power,
    stand_ins,
    wind_annual_cf,
    accuracy_csv,
    plot_png,
    station_weather=None,
):
    from .io.results import write_files
    from .prep import weather_days as wd

    files = {"solar_pv": [Path(solar)]}  # the tech names of the bundled power.csv
    if wind:
        files["wind_onshore"] = [Path(w) for w in wind]
    pairs = None
    if site_power:
        import pandas as pd

        sp = pd.read_csv(site_power)
        pairs = [(s, k) for s, k in zip(sp["site"], sp["tech"], strict=True) if k in files]
    keep = [x.strip() for x in sites.split(",") if x.strip()] if sites else None
    try:
        series, records = wd.assemble(
            files,
            pairs=pairs,
            sites=keep,
            stand_ins=wd.read_stand_ins(Path(stand_ins)) if stand_ins else None,
            wind_cf=wd.read_annual_cf(Path(wind_annual_cf)) if wind_annual_cf else None,
            station_weather=Path(station_weather) if station_weather else None,
        )
        slices, profiles, acc = wd.representative_days(series, days=days, segments=segments, method=method)
    except (ImportError, ValueError) as e:
        raise UsageError(str(e)) from None
    acc = acc.merge(records, on=["site", "tech"], how="left")
    files_out = {
        "slices.csv": slices.to_csv(index=False, lineterminator="\n"),
        "profiles.csv": profiles.to_csv(index=False, float_format="%.4f", lineterminator="\n"),
    }
    acc_text = acc.to_csv(index=False, float_format="%.4f", lineterminator="\n")
    if accuracy_csv:
        write_files(Path(accuracy_csv).parent, {Path(accuracy_csv).name: acc_text})
    else:
        files_out["days_accuracy.csv"] = acc_text
    write_files(Path(out_dir), files_out)
    if plot_png:
        wd.plot_duration_curves(series, slices, profiles, acc, Path(plot_png))
    out.print(
        f"{len(slices)} slices on {slices['day'].nunique()} days written to {out_dir}; annual CF kept to "
        f"{(acc['annual_cf_days'] - acc['annual_cf']).abs().max():.4f}, duration-curve RMSE up to {acc['duration_rmse'].max():.3f}.",
        markup=False,
        soft_wrap=True,
    )


# ---------------------------------------------------------------- many futures (DESIGN.md §7.8)


@main.command()
@click.argument("spec_file", metavar="SPEC.toml", type=click.Path(dir_okay=False))
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), help="Sweep folder (default results/sweep-<spec name>)."
)
@click.option("--workers", type=click.IntRange(min=1), help="Variants solved at once (default: the cores).")
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS|local",
    help="Solve on a Dask cluster: a scheduler address (tcp://host:8786) or local for a LocalCluster.",
)
@click.option("--quiet", is_flag=True, help="No progress display.")
def sweep(spec_file, out_dir, workers, dask_address, quiet) -> None:
    """Solve the variants of a base scenario that SPEC.toml names, in parallel, and write
    sweep.csv, sweep.md and sweep.html beside their results folders."""
    _sweep(spec_file, out_dir, workers, dask_address, quiet)


@friendly
def _sweep(spec_file, out_dir, workers, dask_address, quiet):
    from .futures.commands import sweep_command

    sweep_command(spec_file, out_dir, workers, dask_address, quiet, out, err)


@friendly
def _stochastic(scenario, stochastic, demand, out_dir, time_limit, mip_gap, threads, seed, quiet, overwrite=False):
    from .futures.commands import stochastic_command

    stochastic_command(
        scenario, stochastic, demand, out_dir, time_limit, mip_gap, threads, seed, quiet, out, err, overwrite
    )


@main.command()
@click.argument("results_dir", metavar="DIR", type=click.Path(file_okay=False))
@click.option(
    "--slack",
    type=click.FloatRange(min=0),
    default=0.05,
    show_default=True,
    help="Allowed cost above the optimum, as a share of it.",
)
@click.option(
    "-n", "count", type=click.IntRange(min=1), default=5, show_default=True, help="Number of alternative plans."
)
@click.option(
    "--focus",
    type=click.Choice(["sites", "energy", "chips"]),
    default="sites",
    show_default=True,
    help="The layer the alternatives differ in.",
)
@click.option("--scenario", help="The scenario DIR was planned from (default: the bundled scenario of DIR's name).")
@click.option(
    "--demand", type=click.Path(dir_okay=False), help="The demand file DIR was planned with, if not the scenario's."
)
def alternatives(results_dir, slack, count, focus, scenario, demand) -> None:
    """Near-optimal plans (MGA, Hop-Skip-Jump): each within (1 + slack) of DIR's net present
    cost, each avoiding what the earlier plans used in the focus layer; written to
    DIR/alternatives/<k>/ with alternatives.csv comparing them."""
    _alternatives(results_dir, slack, count, focus, scenario, demand)


@friendly
def _alternatives(results_dir, slack, count, focus, scenario, demand):
    from .futures.commands import alternatives_command

    alternatives_command(results_dir, slack, count, focus, scenario, demand, out, err)


def run() -> None:
    """Run the command line and exit with its code: the ``planner`` script and ``python -m planner``.

    A Ctrl-C ends with exit code 130 even when the interrupt landed inside a nested interpreter
    call (a Cython module initialising during one of Pyomo's deferred imports runs code through
    ``PyRun_String``). CPython then remembers the KeyboardInterrupt as unhandled although
    :func:`friendly` handled it, and under ``python -m`` kills itself with SIGINT at exit instead of
    returning 130. The results and temporary folders are already settled by then, so the process
    ends at once with the documented code.
    """
    try:
        main()
    except SystemExit as e:
        if e.code != 130:
            raise
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)


if __name__ == "__main__":  # pragma: no cover
    run()
