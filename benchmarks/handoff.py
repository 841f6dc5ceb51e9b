"""Compare the in-memory ways of handing the Pyomo model to HiGHS on one scenario:
``python -m benchmarks.handoff [SCENARIO]`` (default: the bundled world scenario).

- ``contrib``: pyomo.contrib.solver Highs ``set_instance`` (the previous planner path)
- ``appsi``: pyomo.contrib.appsi Highs ``set_instance``
- ``standard_form``: Pyomo's LinearStandardFormCompiler + one highspy ``passModel``
  (:func:`planner.solver.highs.hand_off`, the planner path now)

Each is run in a fresh process on a freshly built model; prints a Markdown table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time


def _one(scenario: str, how: str) -> dict:
    from planner.io.scenario import load_scenario
    from planner.model import build_data, build_model

    m = build_model(build_data(load_scenario(scenario)))
    t0 = time.perf_counter()
    if how == "contrib":
        from pyomo.contrib.solver.solvers.highs import Highs

        opt = Highs()
        opt.set_instance(m)
        n = opt._solver_model.getNumCol()
    elif how == "appsi":
        from pyomo.contrib.appsi.solvers.highs import Highs

        opt = Highs()
        opt.set_instance(m)
        n = opt._solver_model.getNumCol()
    else:
        import highspy

        from planner.solver.highs import hand_off

        ho = hand_off(m)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(ho.lp)
        n = h.getNumCol()
    return {"how": how, "seconds": time.perf_counter() - t0, "columns": n}


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--one":
        print("RESULT " + json.dumps(_one(argv[1], argv[2])))
        return
    from planner.io.scenario import resolve_scenario_path

    scenario = str(resolve_scenario_path(argv[0] if argv else "world"))
    rows = []
    for how in ("contrib", "appsi", "standard_form"):
        p = subprocess.run(
            [sys.executable, "-m", "benchmarks.handoff", "--one", scenario, how], capture_output=True, text=True
        )
        line = next((ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")), None)
        rows.append(json.loads(line[7:]) if line else {"how": how, "seconds": float("nan"), "columns": "error"})
    print(f"Hand-off of {scenario} to HiGHS (seconds, fresh process each):\n")
    print("| interface | seconds | columns |\n|---|---|---|")
    for r in rows:
        print(f"| {r['how']} | {r['seconds']:.1f} | {r['columns']} |")


if __name__ == "__main__":
    main()
