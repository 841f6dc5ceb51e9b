"""What the CLI verbs of §7.8 do (``planner sweep``, ``planner solve --stochastic``,
``planner alternatives``): the CLI parses options and hands them here with its two rich
consoles; errors are the library's typed errors, which the CLI turns into sentences."""

from __future__ import annotations

import sys
from pathlib import Path


def sweep_command(spec_file, out_dir, workers, dask_address, quiet, out, err) -> None:
    """``planner sweep``: check the spec (exit 1 before anything is solved), run the
    variants with a progress line, write sweep.csv and the report. Exit 130 on Ctrl-C
    (finished variants kept), 3 when no variant was solved."""
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
        msg = (
            f"{row['variant']}: {row['status']}, net present cost ${npc / 1e9:,.3f} bn ({row.get('seconds') or 0:.1f} s)"
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
    out.print(
        f"{n_ok} of {len(res.rows)} variants solved; sweep.csv, sweep.md and sweep.html written to {res.folder}",
        markup=False,
    )
    if n_ok == 0:
        sys.exit(3)
