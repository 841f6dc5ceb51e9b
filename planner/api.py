"""The whole job in one call: scenario folder -> validated tables -> Pyomo model -> HiGHS
-> tables -> results folder. The CLI is a thin layer over :func:`plan`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .io.errors import NoSolutionError
from .io.scenario import Scenario, load_scenario
from .model import build_data, build_model
from .model.data import MUSD
from .solver.highs import ProgressFn, SolveResult, solve_model
from .solver.polish import polish, rounder
from .solver.solution import extract, layer_totals


@dataclass
class Plan:
    """A solved plan: the scenario, the solve result, the results tables (report units) and
    the seconds spent in each stage (load, build, handoff, solve, extract)."""

    scenario: Scenario
    result: SolveResult
    tables: dict[str, pd.DataFrame]
    timings: dict[str, float] = field(default_factory=dict)
    model: object = None
    data: object = None

    def summary(self) -> dict:
        """The content of summary.json."""
        r = self.result
        cfg = self.scenario.config
        return {
            "scenario": cfg.name,
            "start_year": cfg.start_year,
            "end_year": cfg.end_year,
            "currency_year": cfg.currency_year,
            "status": r.status,
            "objective_usd": r.objective * MUSD if r.objective is not None else None,
            "bound_usd": r.bound * MUSD if r.bound is not None else None,
            "mip_gap": r.gap,
            "mip_rel_gap_requested": r.requested_gap,
            "time_limit_s": r.time_limit,
            "solve_seconds": round(r.timings.get("solve", 0.0), 3),
            "build_seconds": round(self.timings.get("build", 0.0), 3),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "sizes": r.sizes,
            "totals_usd_discounted": layer_totals(self.tables["costs"]),
            "warnings": [p.sentence() for p in self.scenario.warnings],
        }


def solver_settings(scn: Scenario, time_limit=None, mip_gap=None, threads=None, seed=None) -> dict:
    """Solver settings from scenario.toml's [solver] table, overridden where given."""
    s = dict(scn.config.solver)
    for key, val in (("time_limit_s", time_limit), ("mip_rel_gap", mip_gap), ("threads", threads), ("seed", seed)):
        if val is not None:
            s[key] = val
    return s


def plan(
    scenario: str | Path | Scenario,
    demand: str | Path | None = None,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    seed: int | None = None,
    progress: ProgressFn | None = None,
) -> Plan:
    """Load (unless given a Scenario), build, solve and extract a plan.

    Raises :class:`planner.io.errors.InputError` for bad input and
    :class:`planner.io.errors.NoSolutionError` when HiGHS finds no plan (infeasible, or the
    time limit hit without an incumbent).
    """
    timings: dict[str, float] = {}
    t = time.perf_counter()
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, demand)
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    d = build_data(scn)
    m = build_model(d)
    timings["build"] = time.perf_counter() - t
    st = solver_settings(scn, time_limit, mip_gap, threads, seed)
    res = solve_model(
        m,
        time_limit=st["time_limit_s"],
        mip_gap=st["mip_rel_gap"],
        threads=st["threads"],
        seed=st["seed"],
        progress=progress,
        rounder=rounder(m, d, threads=int(st["threads"])),
    )
    timings["handoff"] = res.timings["handoff"]
    timings["solve"] = res.timings["solve"]
    if res.status == "interrupted":
        raise KeyboardInterrupt
    if not res.has_solution:
        if res.status == "infeasible":
            from .solver.diagnose import diagnose

            raise NoSolutionError(
                "The program is infeasible: the hard limits (carbon cap, chip supply, grid and site capacities) cannot all be met.",
                diagnosis=diagnose(m, d, st),
            )
        raise NoSolutionError(
            f"HiGHS found no plan within the time limit of {st['time_limit_s']:g} s; raise --time-limit."
        )
    if res.sizes.get("integers", 0) > 0:
        t = time.perf_counter()
        better = polish(m, d, threads=int(st["threads"]), handoff=res.handoff)
        timings["polish"] = time.perf_counter() - t
        if better is not None:
            res.objective = better
            if res.bound is not None and better != 0:
                res.gap = max(0.0, (better - res.bound) / abs(better))
    t = time.perf_counter()
    tables = extract(m, d)
    timings["extract"] = time.perf_counter() - t
    return Plan(scenario=scn, result=res, tables=tables, timings=timings, model=m, data=d)
