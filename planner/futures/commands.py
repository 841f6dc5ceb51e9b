"""What the CLI verbs of §7.8 do (``planner sweep``, ``planner solve --stochastic``,
``planner alternatives``): the CLI parses options and hands them here with its two rich
consoles; errors are the library's typed errors, which the CLI turns into sentences."""

from __future__ import annotations

import sys
import time
from pathlib import Path


def sweep_command(spec_file, out_dir, workers, dask_address, quiet, out, err) -> None:
    """``planner sweep``: check the spec (exit 1 before anything is solved), run the
    variants with a progress line, write sweep.csv and the report. Exit 130 on Ctrl-C
    (finished variants kept); when no variant was solved, 1 if every variant failed its
    input checks (bad input, DESIGN.md §5), else 3."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .report import write_report
    from .runner import SOLVED, default_folder, run_sweep
    from .spec import read_spec

    spec = read_spec(spec_file)
    folder = Path(out_dir) if out_dir else default_folder(spec)
    where = f"Dask cluster {dask_address}" if dask_address else "local processes"
    out.print(f"Sweep {spec.name}: {len(spec.variants)} variants of {spec.base} on {where}.", markup=False)
    progress = None
    task = None

    def on_start(n, total):
        nonlocal task
        if total > n:
            out.print(f"{total - n} variant(s) already finished in {folder}; skipped.", markup=False)
        if progress is not None:
            task = progress.add_task("Variants", total=n)

    def on_done(row, done, n):
        ok = row["status"] in SOLVED
        npc = row.get("objective_usd")
        gap = row.get("mip_gap")
        gap_s = f", gap {gap:.2%}" if isinstance(gap, (int, float)) and gap == gap else ""
        msg = (
            f"{row['variant']}: {row['status']}, net present cost ${npc / 1e9:,.3f} bn{gap_s} ({row.get('seconds') or 0:.1f} s)"
            if ok and npc is not None
            else f"{row['variant']}: {row['status']}: {row.get('error')}"
        )
        (out if ok else err).print(("done " if ok else "FAILED ") + msg, markup=False, soft_wrap=True)
        if progress is not None and task is not None:
            progress.update(task, completed=done)

    if not quiet:
        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        progress.start()
    try:
        res = run_sweep(spec, folder, workers=workers, dask=dask_address, on_done=on_done, on_start=on_start)
    except KeyboardInterrupt:
        if progress is not None:
            progress.stop()
        err.print(
            f"Interrupted; the finished variants are kept in {folder} (sweep.csv lists them); "
            "run the same command again to solve the rest.",
            markup=False,
        )
        sys.exit(130)
    finally:
        if progress is not None:
            progress.stop()
    write_report(res.folder, spec, res.rows)
    n_ok = int(res.rows["status"].isin(SOLVED).sum())
    n_short = n_ok - int((res.rows["status"] == "optimal").sum())
    short = f" ({n_short} not proven within the requested gap: see sweep.md)" if n_short else ""
    out.print(
        f"{n_ok} of {len(res.rows)} variants solved{short}; sweep.csv, sweep.md and sweep.html written to {res.folder}",
        markup=False,
    )
    if n_ok == 0:
        code = _no_plan_exit(res.rows)
        if code == 1:
            err.print(
                "Every variant failed its input checks (sweep.csv gives each error); nothing was solved.", markup=False
            )
        sys.exit(code)


def _no_plan_exit(rows) -> int:
    """Exit code of a sweep that solved no variant: 1 (bad input) when every variant's
    status is ``input_error``, else 3 (no plan, as ``planner solve``)."""
    return 1 if len(rows) and bool((rows["status"] == "input_error").all()) else 3


def stochastic_command(
    scenario, cases_text, demand, out_dir, time_limit, mip_gap, threads, seed, quiet, out, err, overwrite=False
):
    """``planner solve --stochastic``: parse and check the cases, solve the deterministic
    equivalent (and the mean-demand and single-scenario solves for VSS and EVPI), print the
    expected cost, VSS and EVPI."""
    from ..io.errors import UsageError
    from ..reporting.fmt import _usd
    from .stochastic import parse_cases, solve_stochastic

    if demand:
        raise UsageError("--demand and --stochastic exclude each other: name every demand file in --stochastic.")
    cases = parse_cases(cases_text)
    status = None
    t0 = time.perf_counter()
    if not quiet and err.is_terminal:
        status = err.status("Building the deterministic equivalent…")
        status.start()

    def on_stage(text):
        if status is not None:
            status.update(text + "…")
        elif not quiet:  # piped or logged: one line per stage, as `planner solve` prints them
            err.print(f"[{time.perf_counter() - t0:7.1f} s] {text}", markup=False)

    try:
        doc = solve_stochastic(
            scenario,
            cases,
            out_dir,
            time_limit=time_limit,
            mip_gap=mip_gap,
            threads=threads,
            seed=seed,
            overwrite=overwrite,
            on_stage=on_stage,
        )
    finally:
        if status is not None:
            status.stop()

    def money(x):
        return "–" if x is None else _usd(x)

    out.print(
        f"{doc['scenario']}, two-stage over {len(cases)} demand scenarios (investments to {doc['first_stage_until']} shared): "
        f"{doc['status']}, expected net present cost {money(doc['expected_cost_usd'])}; "
        f"VSS {money(doc.get('vss_usd'))} (± {money(doc.get('vss_gap_usd'))}), "
        f"EVPI {money(doc.get('evpi_usd'))} (± {money(doc.get('evpi_gap_usd'))}).",
        markup=False,
        soft_wrap=True,
    )
    for name, s in doc["scenarios"].items():
        out.print(f"  {name} (P={s['probability']:g}): {money(s['objective_usd'])} -> {s['folder']}", markup=False)
    if doc.get("note"):
        err.print(f"warning: {doc['note']}", markup=False)


def alternatives_command(results_dir, slack, count, focus, scenario, demand, out, err) -> None:
    """``planner alternatives``: write the near-optimal plans and print how they compare."""
    from ..reporting.fmt import _usd
    from .alternatives import alternatives, ranges

    status = err.status("Building the program…")
    status.start()
    try:
        table = alternatives(
            results_dir,
            slack=slack,
            n=count,
            focus=focus,
            scenario=scenario,
            demand=demand,
            on_stage=lambda s: status.update(s + "…"),
        )
    finally:
        status.stop()
    for r in table.itertuples():
        out.print(f"plan {r.plan}: {_usd(r.objective_usd)} ({r.slack_used:+.2%}) {r.folder}", markup=False)
    rg = ranges(table)
    for verdict in ("must-have", "free choice"):
        items = rg.loc[rg["verdict"] == verdict, "item"].tolist()
        out.print(f"{verdict}: {', '.join(items) or 'none'}", markup=False, soft_wrap=True)
    if len(table) - 1 < count:
        err.print(f"warning: only {len(table) - 1} of {count} alternatives were found.", markup=False)
    out.print(f"Comparison written to {Path(results_dir) / 'alternatives' / 'alternatives.csv'}", markup=False)
