"""planner — capacity-expansion planning of AI factories (sites, power, chips, cooling).

The Python API, for notebooks and scripts (the ``planner`` command is a thin layer over it):

- :func:`load_scenario` (name or folder, demand=None) -> :class:`Scenario`, whose tables are
  pandas DataFrames that may be edited before solving;
- :func:`solve` (scenario, time_limit=..., mip_gap=...) -> :class:`Plan` with
  ``.summary()``, ``.tables`` (DataFrames in report units) and ``.write(folder)``;
- :func:`read_results` (folder) -> :class:`Results` with ``.summary()`` and ``.tables``;
- :func:`report` (folder): re-render report.md, report.html and plots/.

Errors: :class:`InputError` (bad input; ``.problems`` names file, row and column),
:class:`UsageError` (a path or argument that cannot be used), :class:`NoSolutionError` (no
plan: infeasible, or none within the time limit); all are :class:`PlannerError`.

Example::

    import planner
    scn = planner.load_scenario("us")
    plan = planner.solve(scn, time_limit=60)
    print(plan.summary()["objective_usd"])
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> the module defining it; imported on first use, so that ``planner --help`` and
# ``planner validate`` start without loading Pyomo, HiGHS and matplotlib
_WHERE = {
    "Plan": "planner.api",
    "Results": "planner.api",
    "load_scenario": "planner.api",
    "read_results": "planner.api",
    "report": "planner.api",
    "solve": "planner.api",
    "InputError": "planner.io.errors",
    "NoSolutionError": "planner.io.errors",
    "PlannerError": "planner.io.errors",
    "UsageError": "planner.io.errors",
    "Scenario": "planner.io.scenario",
}

__all__ = [
    "InputError",
    "NoSolutionError",
    "Plan",
    "PlannerError",
    "Results",
    "Scenario",
    "UsageError",
    "load_scenario",
    "read_results",
    "report",
    "solve",
]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
