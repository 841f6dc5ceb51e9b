"""Benchmark suite: ``python -m benchmarks [--quick | --full] [--time-limit S] [--sizes NAME ...]``.

For each size: generate the scenario (:mod:`benchmarks.generate`; the bundled ``us`` and
``world`` scenarios are used as they are), run the whole pipeline in a child process
(:mod:`benchmarks.one`: load, validate, build, hand-off, solve, write; peak RSS of that
process), then HiGHS alone on the same program written as MPS (:mod:`benchmarks.floor`)
with the same options. Prints a table per size and writes results.csv and RESULTS.md (with
the machine described): ``--full`` into benchmarks/, ``--quick`` into benchmarks/quick/
(``--out`` to choose another folder).

Overhead ratio = (our end-to-end seconds - HiGHS-alone seconds) / HiGHS-alone seconds,
where end-to-end = load + validate + build + hand-off + solve + write. Target on every
size: overhead <= max(5 s, 0.25 x solver time).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from planner.io.results import write_files

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Size:
    name: str
    sites: int  # 0 = a bundled scenario, used as it is
    years: int
    slices: int
    chips: int
    time_limit: float
    bundled: str = ""
    decomposition_time_limit: float = 0.0  # 0: the same as time_limit


QUICK = [
    Size("us (bundled)", 0, 10, 24, 11, 120, bundled="us"),
    Size("world (bundled)", 0, 10, 24, 11, 240, bundled="world"),
    Size("syn 20x10x24x11", 20, 10, 24, 11, 60),
    Size("syn 50x10x24x11", 50, 10, 24, 11, 600),
    Size("syn 100x20x96x12", 100, 20, 96, 12, 240),
]
FULL = [
    Size("us (bundled)", 0, 10, 24, 11, 120, bundled="us"),
    Size("world (bundled)", 0, 10, 24, 11, 300, bundled="world", decomposition_time_limit=300),
    Size("syn 50x10x24x11", 50, 10, 24, 11, 600),
    Size("syn 50x20x48x12", 50, 20, 48, 12, 600, decomposition_time_limit=300),
    Size("syn 100x20x96x12", 100, 20, 96, 12, 600, decomposition_time_limit=600),
    Size("syn 200x20x96x12", 200, 20, 96, 12, 600, decomposition_time_limit=1200),
]
# the decomposition's targets at hyperscale: size -> (relative gap proven, seconds); see RESULTS.md
TARGETS = {
    "world (bundled)": (0.01, 45),
    "syn 50x20x48x12": (0.02, 300),
    "syn 100x20x96x12": (0.02, 600),
    "syn 200x20x96x12": (0.05, 1200),
}


def machine() -> dict:
    import highspy
    import pyomo

    try:
        import psutil
    except ImportError:
        raise SystemExit('The benchmarks need psutil: .venv/bin/pip install -e ".[bench]"') from None

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        hv = version("highspy")
    except Exception:
        hv = getattr(highspy, "__version__", "?")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyomo": pyomo.__version__,
        "highspy": hv,
    }


def _child(args: list[str], timeout: float) -> dict:
    try:
        p = subprocess.run(
            [sys.executable, "-m", *args], capture_output=True, text=True, timeout=timeout, cwd=str(ROOT)
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (p.stderr or p.stdout).strip().splitlines()[-1:] or ["no output"]
    return {"error": f"exit {p.returncode}: {tail[0][:200]}"}


def run_size(sz: Size, work: Path, threads: int, heuristic: bool, method: str = "monolithic") -> dict:
    if sz.bundled:
        folder = ROOT / "data" / "scenarios" / sz.bundled
        gen_s = 0.0
    else:
        from .generate import generate

        t0 = time.perf_counter()
        folder = generate(
            work / f"scn_{sz.sites}_{sz.years}_{sz.slices}_{sz.chips}", sz.sites, sz.years, sz.slices, sz.chips
        )
        gen_s = time.perf_counter() - t0
    mps = work / "model.mps"
    if method == "decomposition":  # no HiGHS-alone floor: the monolithic row has it
        limit = sz.decomposition_time_limit or sz.time_limit
        args = ["benchmarks.one", str(folder), str(work / "out"), "--time-limit", str(limit)]
        args += ["--threads", str(threads), "--method", "decomposition"]
        ours = _child(args, timeout=4 * limit + 1800)
        return {"size": sz, "generate_s": gen_s, "ours": ours, "floor": {}}
    args = ["benchmarks.one", str(folder), str(work / "out"), "--time-limit", str(sz.time_limit)]
    args += ["--threads", str(threads), "--mps", str(mps)]
    if not heuristic:
        args.append("--no-heuristic")
    ours = _child(args, timeout=4 * sz.time_limit + 1800)
    floor = {}
    if mps.exists():
        floor = _child(
            ["benchmarks.floor", str(mps), "--time-limit", str(sz.time_limit), "--threads", str(threads)],
            timeout=4 * sz.time_limit + 600,
        )
        mps.unlink()
    return {"size": sz, "generate_s": gen_s, "ours": ours, "floor": floor}


COLS = [
    "size",
    "load_s",
    "validate_s",
    "build_s",
    "handoff_s",
    "handoff_peak_mb",
    "solve_s",
    "write_s",
    "total_s",
    "peak_rss_mb",
    "variables",
    "integers",
    "constraints",
    "nonzeros",
    "status",
    "gap",
    "highs_alone_s",
    "highs_alone_status",
    "highs_alone_gap",
    "overhead_s",
    "overhead_ratio",
    "overhead_ok",
]


def row_of(r: dict) -> dict:
    sz, o, f = r["size"], r["ours"], r["floor"]
    row = {c: "" for c in COLS}
    row["size"] = sz.name
    if "error" in o:
        row["status"] = o["error"]
        return row
    t = o["timings"]
    for k in ("load", "validate", "build", "handoff", "solve", "write"):
        row[f"{k}_s"] = round(t[k], 1)
    total = sum(t[k] for k in ("load", "validate", "build", "handoff", "solve", "write"))
    row["total_s"] = round(total, 1)
    row["peak_rss_mb"] = round(o["peak_rss_mb"])
    row["handoff_peak_mb"] = "" if o.get("handoff_peak_mb") is None else round(o["handoff_peak_mb"])
    row.update({k: o["sizes"].get(k, "") for k in ("variables", "integers", "constraints", "nonzeros")})
    row["status"] = o["status"]
    row["gap"] = "" if o["gap"] is None else f"{o['gap']:.2%}"
    if f and "error" not in f:
        row["highs_alone_s"] = round(f["solve_s"], 1)
        row["highs_alone_status"] = f["status"]
        row["highs_alone_gap"] = "" if f["gap"] is None else f"{f['gap']:.2%}"
        over = total - f["solve_s"]
        row["overhead_s"] = round(over, 1)
        row["overhead_ratio"] = round(over / max(f["solve_s"], 1e-9), 2)
        row["overhead_ok"] = "yes" if over <= max(5.0, 0.25 * f["solve_s"]) else "no"
    elif f:
        row["highs_alone_status"] = f["error"]
    return row


CHECKPOINTS = (30, 60, 120, 300, 600, 1200)  # seconds of solve


def gap_at(trace: list, t: float) -> str:
    """Gap of the best plan known ``t`` seconds into the solve ('-' before the first plan)."""
    known = [g for s, g in trace if s <= t]
    return f"{known[-1]:.2%}" if known else "-"


def markdown(
    rows: list[dict], mach: dict, mode: str, seconds: float, extra: list[dict], traces: dict | None = None
) -> str:
    out = ["# Benchmark results", ""]
    out.append(f"Produced by `python -m benchmarks {mode}` in {seconds / 60:.1f} min.")
    out.append("")
    out.append(
        f"Machine: {mach['cpu']}, {mach['cores']} cores, {mach['memory_gb']} GB RAM; {mach['os']}; "
        f"Python {mach['python']}, Pyomo {mach['pyomo']}, highspy {mach['highspy']}. "
        "Solves use 2 threads and a relative gap of 1 %."
    )
    out.append("")
    out.append(
        "Seconds per stage of our pipeline (solve includes the LP-guided start heuristic), peak RSS of "
        "the process, the program handed to HiGHS, and HiGHS alone on the same program (MPS file, "
        "same options, no heuristic). overhead = our total - HiGHS alone; target: overhead <= "
        "max(5 s, 0.25 x HiGHS alone). A negative overhead means our path (heuristic start) finished "
        "sooner than HiGHS alone."
    )
    out.append("")
    out.append("| " + " | ".join(COLS) + " |")
    out.append("|" + "---|" * len(COLS))
    for r in rows:
        out.append("| " + " | ".join(str(r[c]) for c in COLS) + " |")
    out.append("")
    if extra:
        out.append("Start heuristic per size (LP bound, start plan, gap of the start to the LP bound):")
        out.append("")
        out.append("| size | lp_bound MUSD | start MUSD | gap to LP | integers fixed / left | heuristic s |")
        out.append("|---|---|---|---|---|---|")
        for e in extra:
            out.append(
                f"| {e['size']} | {e.get('lp_bound', '')} | {e.get('objective', '')} | {e.get('gap_to_lp', '')} | "
                f"{e.get('fixed', '')} / {e.get('free', '')} | {e.get('seconds', '')} |"
            )
        out.append("")
    if traces:
        out.append(
            "Gap against time: the relative gap of the best plan known that many seconds into the solve "
            "stage (start heuristic included; '-' = no plan yet), and the final gap."
        )
        out.append("")
        out.append("| size | " + " | ".join(f"{c} s" for c in CHECKPOINTS) + " | final |")
        out.append("|---|" + "---|" * (len(CHECKPOINTS) + 1))
        for name, tr in traces.items():
            final = f"{tr[-1][1]:.2%} at {tr[-1][0]:g} s" if tr else "no plan"
            out.append(f"| {name} | " + " | ".join(gap_at(tr, c) for c in CHECKPOINTS) + f" | {final} |")
        out.append("")
    return "\n".join(out) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument(
        "--quick", action="store_true", help="bundled scenarios, 20, 50 and 100 sites (about 40 min; default)"
    )
    g.add_argument("--full", action="store_true", help="up to 200 sites x 20 years x 96 slices x 12 chips (hours)")
    ap.add_argument("--time-limit", type=float, help="override every size's solver time limit (s)")
    ap.add_argument("--sizes", nargs="*", help="only sizes whose name contains one of these")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-heuristic", action="store_true", help="plain HiGHS in our pipeline too")
    ap.add_argument(
        "--method",
        choices=["monolithic", "decomposition", "both"],
        default="both",
        help="the monolithic MIP, Benders decomposition (sizes with a decomposition time limit), or both",
    )
    ap.add_argument(
        "--out", help="folder for results.csv and RESULTS.md (default: benchmarks/ for --full, benchmarks/quick/ else)"
    )
    a = ap.parse_args(argv)
    sizes = FULL if a.full else QUICK
    mode = "--full" if a.full else "--quick"
    if a.sizes:
        sizes = [s for s in sizes if any(x in s.name for x in a.sizes)]
        if not sizes:
            names = ", ".join(s.name for s in (FULL if a.full else QUICK))
            sys.exit(f"error: no {mode} size matches {' '.join(a.sizes)} (sizes: {names}); nothing was run or written")
    if a.time_limit:
        sizes = [
            Size(
                **{
                    **s.__dict__,
                    "time_limit": a.time_limit,
                    "decomposition_time_limit": a.time_limit if s.decomposition_time_limit else 0.0,
                }
            )
            for s in sizes
        ]
        mode += f" --time-limit {a.time_limit:g}"
    mach = machine()
    print(f"machine: {mach}")
    rows, extra, traces = [], [], {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planner_bench_") as tmp:
        runs = []
        for sz in sizes:
            if a.method in ("monolithic", "both"):
                runs.append((sz, "monolithic"))
            if a.method in ("decomposition", "both") and (sz.decomposition_time_limit or a.method == "decomposition"):
                runs.append((sz, "decomposition"))
        for sz, method in runs:
            print(f"\n== {sz.name} {method} (time limit {sz.time_limit:g} s)", flush=True)
            r = run_size(sz, Path(tmp), a.threads, not a.no_heuristic, method)
            row = row_of(r)
            name = sz.name if method == "monolithic" else f"{sz.name} [decomposition]"
            row["size"] = name
            rows.append(row)
            traces[name] = r["ours"].get("trace") or []
            h = r["ours"].get("heuristic") or {}
            if h:
                extra.append(
                    {
                        "size": sz.name,
                        **{
                            k: (round(v, 4) if isinstance(v, float) else v)
                            for k, v in h.items()
                            if k in ("lp_bound", "objective", "gap_to_lp", "fixed", "free", "seconds")
                        },
                    }
                )
            for c in COLS:
                print(f"  {c:20s} {row[c]}")
    seconds = time.perf_counter() - t0
    out = Path(a.out) if a.out else (HERE if a.full else HERE / "quick")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    # atomically: a run stopped half-way leaves the previous table whole
    write_files(out, {"results.csv": buf.getvalue(), "RESULTS.md": markdown(rows, mach, mode, seconds, extra, traces)})
    print(f"\nwrote {out / 'results.csv'} and {out / 'RESULTS.md'} ({seconds / 60:.1f} min)")


if __name__ == "__main__":
    main()
