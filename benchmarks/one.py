"""One benchmark size, run in its own process (so its peak RSS is its own): load, validate,
build, hand-off, solve, write -- each timed -- then print one JSON line, with the peak RSS
up to the end of the hand-off and the gap against solve time (the start heuristic's plan,
then each change HiGHS reports, then the final gap).

    python -m benchmarks.one SCENARIO_DIR OUT_DIR --time-limit S [--mps FILE] [--no-heuristic]
                             [--method monolithic|decomposition] [--benders JSON]

With ``--method decomposition`` the solve is :func:`planner.solver.benders.solve_benders`
(the trace is then its best plan's gap to its bound after each iteration).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("out")
    ap.add_argument("--time-limit", type=float, required=True)
    ap.add_argument("--mip-gap", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--mps")
    ap.add_argument("--no-heuristic", action="store_true")
    ap.add_argument("--method", choices=["monolithic", "decomposition"], default="monolithic")
    ap.add_argument(
        "--benders", default="{}", help='options of solve_benders as JSON, e.g. \'{"also": [], "anchors": []}\''
    )
    a = ap.parse_args(argv)

    import planner.io.validate as validate
    from planner.io.results import write_results
    from planner.io.scenario import load_scenario
    from planner.model import build_data, build_model
    from planner.solver.highs import solve_model
    from planner.solver.polish import rounder
    from planner.solver.solution import extract

    t = {}
    spent = {"validate": 0.0}
    cross = validate.cross_checks

    def timed_cross(*args, **kw):
        t0 = time.perf_counter()
        try:
            return cross(*args, **kw)
        finally:
            spent["validate"] += time.perf_counter() - t0

    validate.cross_checks = timed_cross

    import planner.solver.highs as solve_mod

    handoff = solve_mod.hand_off
    after = {}

    def measured_handoff(m):
        ho = handoff(m)
        after["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        return ho

    solve_mod.hand_off = measured_handoff
    trace = []  # (seconds since the solve began, relative gap) each time the gap changes

    def progress(elapsed, incumbent, bound, gap):
        if gap is not None and (not trace or abs(trace[-1][1] - gap) > 1e-6):
            trace.append((round(elapsed, 1), gap))

    t0 = time.perf_counter()
    scn = load_scenario(a.scenario)
    total = time.perf_counter() - t0
    t["validate"] = spent["validate"]
    t["load"] = total - spent["validate"]
    t0 = time.perf_counter()
    d = build_data(scn)
    m = build_model(d)
    t["build"] = time.perf_counter() - t0
    solve = solve_model
    if a.method == "decomposition":
        import functools

        from planner.solver.benders import solve_benders

        solve = functools.partial(solve_benders, d=d, **json.loads(a.benders))
    res = solve(
        m,
        time_limit=a.time_limit,
        mip_gap=a.mip_gap,
        threads=a.threads,
        seed=1,
        heuristic=not a.no_heuristic,
        write_mps=a.mps,
        progress=progress,
        rounder=None if a.no_heuristic else rounder(m, d, threads=a.threads),
    )
    t["handoff"] = res.timings["handoff"]
    t["solve"] = res.timings["solve"]
    t["heuristic"] = res.timings.get("heuristic", 0.0)
    t0 = time.perf_counter()
    if res.has_solution:
        tables = extract(m, d)
        summary = {"status": res.status, "objective_usd": res.objective * 1e6, "mip_gap": res.gap, "sizes": res.sizes}
        write_results(Path(a.out), tables, summary, {})
    t["write"] = time.perf_counter() - t0
    h = res.heuristic
    if h.get("gap_to_lp") is not None:  # the start plan, known when the heuristic ends
        trace.insert(0, (round(h["seconds"], 1), h["gap_to_lp"]))
    final = (round(res.timings["solve"], 1), res.gap)
    if res.gap is not None and (not trace or trace[-1] != final):
        trace.append(final)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out = {
        "timings": t,
        "peak_rss_mb": peak_mb,
        "handoff_peak_mb": after.get("peak_mb"),
        "trace": sorted(trace),
        "sizes": res.sizes,
        "status": res.status,
        "objective": res.objective,
        "bound": res.bound,
        "gap": res.gap,
        "heuristic": {k: v for k, v in res.heuristic.items() if isinstance(v, (int, float, str, bool))},
        "method": a.method,
    }
    dec = getattr(res, "decomposition", None)
    if dec:
        out["decomposition"] = {k: v for k, v in dec.items() if k != "log"}
    sys.stdout.write("RESULT " + json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
