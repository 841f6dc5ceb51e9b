"""The ``planner`` command line (click). It parses, prints and maps errors to exit codes;
the library does the work.

Exit codes (DESIGN.md §5): 0 solved, 1 bad input, 2 usage, 3 infeasible or no solution,
130 interrupted (Ctrl-C). Errors go to stderr as one sentence each, never a traceback.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from .errors import InputError, PlannerError, UsageError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _fail(e: PlannerError) -> None:
    if isinstance(e, InputError):
        for p in e.problems:
            err.print(p.sentence(), markup=False, soft_wrap=True)
        n = len(e.problems)
        err.print(f"{n} problem{'s' if n != 1 else ''} found; nothing was solved.", markup=False)
    else:
        err.print(str(e), markup=False, soft_wrap=True)
        for line in getattr(e, "diagnosis", []) or []:
            err.print(f"  {line}", markup=False, soft_wrap=True)
    sys.exit(e.exit_code)


def friendly(f):
    """Turn library errors into sentences and exit codes; Ctrl-C into exit 130."""

    @functools.wraps(f)
    def wrapper(*a, **kw):
        try:
            return f(*a, **kw)
        except PlannerError as e:
            _fail(e)
        except KeyboardInterrupt:
            err.print("Interrupted; nothing was written.", markup=False)
            sys.exit(130)
        except MemoryError:
            err.print("Out of memory while planning; try a smaller scenario or fewer slices.", markup=False)
            sys.exit(1)

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
    from .scenario import load_scenario, resolve_scenario_path

    path = resolve_scenario_path(scenario)
    scn = load_scenario(path)
    for w in scn.warnings:
        err.print(f"warning: {w.sentence()}", markup=False, soft_wrap=True)
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
def solve(scenario, demand, out_dir, time_limit, mip_gap, threads, seed, overwrite, quiet) -> None:
    """Solve SCENARIO (default: the bundled base scenario) and write the results folder."""
    _solve(scenario, demand, out_dir, time_limit, mip_gap, threads, seed, overwrite, quiet)


@friendly
def _solve(scenario, demand, out_dir, time_limit, mip_gap, threads, seed, overwrite, quiet):
    import time

    from .report import render_markdown
    from .results_io import choose_folder, write_results
    from .run import plan
    from .scenario import load_scenario, resolve_scenario_path

    path = resolve_scenario_path(scenario)
    t0 = time.perf_counter()
    scn = load_scenario(path, demand)
    t_load = time.perf_counter() - t0
    for w in scn.warnings:
        err.print(f"warning: {w.sentence()}", markup=False, soft_wrap=True)
    target = Path(out_dir) if out_dir else Path("results") / scn.config.name
    if target.exists() and not target.is_dir():
        raise UsageError(f"--out {target} is a file, not a folder.")
    progress = None
    status = None
    if not quiet:
        status = err.status("Building the model…")
        status.start()

        def progress(elapsed, inc, bound, gap):
            txt = f"Solving: {elapsed:5.0f} s"
            if inc is not None:
                txt += f", incumbent ${inc / 1e3:,.3f} bn"
            if bound is not None:
                txt += f", bound ${bound / 1e3:,.3f} bn"
            if gap is not None and inc is not None:
                txt += f", gap {gap:.2%}"
            status.update(txt)

    try:
        p = plan(scn, time_limit=time_limit, mip_gap=mip_gap, threads=threads, seed=seed, progress=progress)
    finally:
        if status is not None:
            status.stop()
    p.timings["load"] = t_load
    t1 = time.perf_counter()
    summary = p.summary()
    folder = choose_folder(target, overwrite)
    write_results(folder, p.tables, summary, {"report.md": render_markdown(p.tables, summary)})
    summary["timings_s"]["write"] = round(time.perf_counter() - t1, 3)
    print_summary(p.tables, summary)
    if folder != target:
        out.print(
            f"{target} already exists; the plan was written to {folder} (use --overwrite to replace it).", markup=False
        )
    else:
        out.print(f"Results written to {folder}", markup=False)
    if summary["status"] == "time_limit":
        err.print(
            f"warning: the time limit was reached before the gap tolerance; this plan is within {summary['mip_gap']:.2%} of optimal, not {summary['mip_rel_gap_requested']:.2%}.",
            markup=False,
        )


def print_summary(tables, summary) -> None:
    """The short human summary printed after a solve."""
    from .report import _tok, _usd, chips_by_year, cost_per_mtok_by_layer, energy_mix, sites_opened

    years = list(range(summary["start_year"], summary["end_year"] + 1))
    gap = summary.get("mip_gap")
    gap_txt = f", gap {gap:.2%} (asked {summary['mip_rel_gap_requested']:.2%})" if gap is not None else ""
    out.print(
        f"[bold]{summary['scenario']}[/bold] {years[0]}–{years[-1]}: {summary['status']}, "
        f"net present cost [bold]{_usd(summary['objective_usd'])}[/bold] (real {summary['currency_year']} USD){gap_txt}"
    )
    sz = summary["sizes"]
    tm = summary["timings_s"]
    out.print(
        f"Model: {sz.get('variables', 0):,} variables ({sz.get('integers', 0):,} integer), {sz.get('constraints', 0):,} constraints. "
        + "Seconds: "
        + ", ".join(f"{k} {v:.1f}" for k, v in tm.items()),
        markup=False,
    )
    so = sites_opened(tables)
    out.print(
        "Sites opened: " + (", ".join(f"{r.site} ({r.year})" for r in so.itertuples()) or "none"),
        markup=False,
        soft_wrap=True,
    )
    cb = chips_by_year(tables)
    if len(cb):
        t = Table(title="MW IT active (units installed) by chip and year", title_justify="left")
        t.add_column("year")
        chips = sorted(cb["chip"].unique())
        for c in chips:
            t.add_column(c, justify="right")
        for y in years:
            row = [str(y)]
            for c in chips:
                r = cb[(cb["year"] == y) & (cb["chip"] == c)]
                row.append("" if r.empty else f"{r['it_mw'].iloc[0]:,.0f} ({r['units'].iloc[0]:,.0f})")
            t.add_row(*row)
        out.print(t)
    em = energy_mix(tables)
    cpm = cost_per_mtok_by_layer(tables, years)
    t = Table(title="Energy mix (share of MWh) and cost per million tokens", title_justify="left")
    t.add_column("year")
    techs = list(em.columns) if len(em) else []
    for k in techs:
        t.add_column(k, justify="right")
    t.add_column("USD/Mtok", justify="right")
    for y in years:
        row = [str(y)]
        tot = em.loc[y].sum() if len(em) and y in em.index else 0.0
        for k in techs:
            row.append(f"{em.loc[y, k] / tot:.0%}" if tot > 0 and y in em.index else "")
        v = cpm.loc[y, "total"]
        row.append("" if v != v else f"{v:,.3f}")
        t.add_row(*row)
    out.print(t)
    un = tables["unserved"]
    if len(un):
        by = un.groupby("year")["tokens"].sum()
        out.print(
            "Unserved tokens: " + ", ".join(f"{y} {_tok(v)}" for y, v in by.items()), markup=False, soft_wrap=True
        )
    else:
        out.print("All demand is served.", markup=False)


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
def report(results_dir: str) -> None:
    """Re-render report.md of a results folder without solving again."""
    _report(results_dir)


@friendly
def _report(results_dir):
    from .report import render_markdown
    from .results_io import read_results

    folder = Path(results_dir)
    try:
        tables, summary = read_results(folder)
    except FileNotFoundError as e:
        raise UsageError(f"{folder} is not a results folder ({Path(e.filename).name} is missing).") from None
    text = render_markdown(tables, summary)
    tmp = folder / ".report.md.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(folder / "report.md")
    out.print(f"Report written to {folder / 'report.md'}", markup=False)


if __name__ == "__main__":  # pragma: no cover
    main()
