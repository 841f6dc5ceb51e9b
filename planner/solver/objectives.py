"""Solving in the objective modes of DESIGN.md §7.6, and the summary figures they report.

``cost`` and ``value`` are one MIP each (:func:`planner.solver.highs.solve_model`). ``tokens``
is two: stage 1 maximises the tokens served T (as min −T), stage 2 keeps T ≥ T₁(1 − 1e-6)
and minimises the net present cost without the unserved penalty. Both stages use the
scenario's gap and share its time limit (stage 2 gets what stage 1 left, at least 1 s).
If stage 2 finds no plan in that time, stage 1's plan (feasible for stage 2) is kept and the
status says ``time_limit``.

The start heuristic and polish minimise the active objective of the compiled program, so
they run unchanged in every mode (every mode minimises).
"""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo

from ..model.data import MUSD, TOK
from ..model.objectives import to_stage2
from .highs import SolveResult
from .highs import solve_model as _solve_model


def solve_objective(m, d, settings: dict, progress=None, rounder=None, solve_fn=None) -> tuple[SolveResult, dict]:
    """Solve ``m`` (built from ``d``) for ``d.objective`` with ``settings`` (time_limit_s,
    mip_rel_gap, threads, seed). Returns the final stage's :class:`SolveResult` (objective in
    MUSD) and summary.json keys of the mode (``tokens_max``, ``tokens_bound`` in tokens for
    ``tokens``). ``solve_fn`` replaces :func:`planner.solver.highs.solve_model` (the API
    passes its own name for it, which tests may wrap)."""
    st = settings
    solve_model = solve_fn or _solve_model
    kw = dict(mip_gap=st["mip_rel_gap"], threads=st["threads"], seed=st["seed"], progress=progress)
    mode = getattr(d, "objective", "cost")
    if mode != "tokens":
        res = solve_model(m, time_limit=st["time_limit_s"], rounder=rounder, **kw)
        return res, {}
    t0 = time.perf_counter()
    res1 = solve_model(m, time_limit=st["time_limit_s"], rounder=rounder, **kw)
    if not res1.has_solution or res1.status == "interrupted":
        return res1, {}
    t1 = float(pyo.value(m.tokens_served))
    extra = {
        "tokens_max": t1 * TOK,
        "tokens_bound": (-res1.bound * TOK) if res1.bound is not None else None,
        "tokens_stage1_status": res1.status,
        "tokens_stage1_gap": res1.gap,
    }
    stage1 = [(v, v.value) for v in res1.handoff.columns]
    to_stage2(m, t1)
    left = max(1.0, float(st["time_limit_s"]) - (time.perf_counter() - t0))
    res2 = solve_model(m, time_limit=left, rounder=rounder, **kw)
    res2.time_limit = float(st["time_limit_s"])
    res2.timings["solve"] = res1.timings.get("solve", 0.0) + res2.timings.get("solve", 0.0)
    res2.timings["handoff"] = res1.timings.get("handoff", 0.0) + res2.timings.get("handoff", 0.0)
    if not res2.has_solution and res2.status != "interrupted":
        for v, x in stage1:
            v.set_value(x, skip_validation=True)
        res2.objective = float(pyo.value(m.npc_cost))
        res2.status = "time_limit"
    return res2, extra


def mode_summary(m, d, tables: dict) -> dict:
    """summary.json keys every mode writes (DESIGN.md §7.6): ``objective`` (the mode),
    ``tokens_served`` (tokens served by the plan), ``npc_usd`` (NPC without the unserved
    penalty, USD), ``tokens_per_mw`` (tokens served per MW-year of facility draw: tokens over
    the horizon / Σ_y Σ_s L[s,y]), ``tokens_per_usd`` (tokens served / npc_usd),
    ``facility_mw_peak`` (the largest Σ_s L[s,y]) and, in ``value`` mode, ``value_usd`` (the
    discounted value of the served tokens, USD)."""
    serving = tables.get("serving")
    served = float(serving["tokens"].sum()) if serving is not None and len(serving) else 0.0
    npc = float(pyo.value(m.npc_cost)) * MUSD if hasattr(m, "npc_cost") else None
    by_y: dict = {}
    for (_s, y), v in m.load_mw.items():
        by_y[y] = by_y.get(y, 0.0) + float(v.value or 0.0)
    mw_years = float(sum(by_y.values()))
    out = {
        "objective": getattr(d, "objective", "cost"),
        "tokens_served": served,
        "npc_usd": npc,
        "facility_mw_peak": max(by_y.values()) if by_y else 0.0,
        "tokens_per_mw": served / mw_years if mw_years > 1e-9 else None,
        "tokens_per_usd": served / npc if npc and npc > 0 else None,
    }
    if getattr(d, "limits", None):
        out["limits"] = {k: {str(y): v for y, v in t.items()} for k, t in d.limits.items()}
    if out["objective"] == "value":
        out["value_usd"] = float(pyo.value(m.served_value)) * MUSD if hasattr(m, "served_value") else 0.0
    return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in out.items()}
