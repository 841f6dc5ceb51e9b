"""The solver floor: HiGHS alone on the MPS file of a size, same options as ``planner``
(time limit, relative gap, threads, seed), no Python model in the process.

    python -m benchmarks.floor FILE.mps --time-limit S --mip-gap G --threads N
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mps")
    ap.add_argument("--time-limit", type=float, required=True)
    ap.add_argument("--mip-gap", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", a.threads)
    h.setOptionValue("random_seed", 1)
    t0 = time.perf_counter()
    h.readModel(a.mps)
    read_s = time.perf_counter() - t0
    h.setOptionValue("time_limit", a.time_limit)
    h.setOptionValue("mip_rel_gap", a.mip_gap)
    t0 = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t0
    info = h.getInfo()
    has = info.primal_solution_status == 2
    gap = info.mip_gap if has else None
    out = {
        "read_s": read_s,
        "solve_s": solve_s,
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": info.objective_function_value if has else None,
        "bound": info.mip_dual_bound,
        "gap": gap if gap is not None and math.isfinite(gap) else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    sys.stdout.write("RESULT " + json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
