"""Try to serve what a plan leaves unserved.

A plan accepted within the MIP gap may leave tokens unserved whose penalty fits inside the
gap although serving them costs far less than the penalty (``us`` with a carbon price of
$200/t left 1.25 Ttok of llama-3.1-405b unserved in us_east at a long-run cost of $2.02/Mtok
against a $100 penalty). That is the gap's tolerance, not the plan's intent.

:func:`serve_unserved` solves a small restricted MIP from the plan: every integer decision
stays as planned, except at the sites that could serve the unserved demand (within its
latency limit), where sites may open and chips, halls and lumpy power units may be added
(never removed: the plan's purchases are lower bounds). The restricted program only adds
options to the plan. It is solved as a relaxation of the additions (an LP), whose additions
are rounded up to whole purchases, the rest re-solved as an LP and polished
(:func:`planner.solver.polish.polish`: the fewest purchases covering the use made of each
asset); the new plan is kept only when its net present cost is lower. What then remains unserved is explained by
:func:`planner.reporting.unserved.unserved_reasons` from the binding limits of the plan.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import pyomo.environ as pyo

from .highs import Handoff
from .neighbourhood import repair_rounding
from .polish import polish
from .session import new_highs, run_guard, stop_at

_SITE_VARS = ("open", "hall", "buy", "new_units")  # integer decisions indexed by site first


def unserved_keys(m, tol: float = 1e-6) -> list[tuple]:
    """(r, m, y) with unserved tokens above ``tol`` Ttok in the plan loaded in ``m``."""
    return [k for k, v in m.unserved.items() if (v.value or 0.0) > tol]


def serve_unserved(m, d, ho: Handoff, time_limit: float = 30.0, threads: int = 1, seed: int = 1) -> dict | None:
    """Re-solve the plan loaded in ``m`` with purchases free to grow at the sites that can
    serve its unserved demand (see module docstring). When the re-solve lowers the net
    present cost, the new plan is loaded into ``m`` and ``{"objective": MUSD, "before":
    MUSD, "unserved_before": Ttok, "unserved_after": Ttok, "sites": [...], "seconds": s}`` is
    returned; None when nothing is unserved, the re-solve fails or does not lower the cost."""
    t0 = time.perf_counter()
    keys = unserved_keys(m)
    if not keys:
        return None
    want = {(r, mm, y) for r, mm, y in keys}
    sites = sorted({s for (r, s, mm, y) in d.serve_rsmy if (r, mm, y) in want})
    if not sites:
        return None
    before = float(pyo.value(m.npc))
    unserved_before = float(sum(m.unserved[k].value or 0.0 for k in keys))
    col = ho.column_index()
    x = np.array([0.0 if v.value is None else float(v.value) for v in ho.columns])
    lower, upper = ho.lower.copy(), ho.upper.copy()
    integer = np.flatnonzero(ho.integer)
    free = np.zeros(len(ho.columns), dtype=bool)
    site_set = set(sites)
    for name in _SITE_VARS:
        var = getattr(m, name, None)
        if var is None:
            continue
        for key, v in var.items():
            j = col.get(id(v))
            if j is not None and key[0] in site_set:
                free[j] = True
    for j in integer:
        val = float(round(x[j]))
        if free[j]:
            lower[j] = max(lower[j], val)  # may add, never remove
        else:
            lower[j] = upper[j] = val
    # 1. the linear relaxation of the additions: the plan's integers fixed, those at the
    #    candidate sites free to grow continuously (fast: an LP warm from nothing but small)
    h = new_highs(int(threads), seed)
    h.passModel(ho.lp)
    n = len(ho.columns)
    idx = integer.astype(np.int32)
    h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kContinuous))
    h.changeColsBounds(n, np.arange(n, dtype=np.int32), lower, upper)
    h.setOptionValue("time_limit", float(time_limit))
    with run_guard(stop_at(h, time.perf_counter() + float(time_limit) + 1.0)):
        h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    relaxed = np.asarray(h.getSolution().col_value)
    # 2. whole purchases: each addition rounded up, everything integer fixed, the rest an LP
    r = np.clip(np.ceil(relaxed[integer] - 1e-6), lower[integer], upper[integer])
    # additions that overflow a site filled to its max_it_mw are rounded down instead
    # (planner.solver.neighbourhood.repair_rounding; never below the plan's purchases)
    full = relaxed.copy()
    full[integer] = r
    full, _ = repair_rounding(ho, full, np.maximum(relaxed, lower))
    r = full[integer]
    h.changeColsBounds(len(idx), idx, r, r)
    left = max(1.0, float(time_limit) - (time.perf_counter() - t0))
    h.setOptionValue("time_limit", left)
    with run_guard(stop_at(h, time.perf_counter() + left + 1.0)):
        h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    saved = [(v, v.value) for v in ho.columns]
    ho.load(np.asarray(h.getSolution().col_value))
    # 3. polish: the fewest purchases that cover the use the new plan makes of each asset
    polish(m, d, threads=threads, handoff=ho)
    if float(pyo.value(m.npc)) >= before - 1e-9 * max(1.0, abs(before)):
        for v, val in saved:
            v.set_value(val, skip_validation=True)
        return None
    return {
        "objective": float(pyo.value(m.npc)),
        "before": before,
        "unserved_before": unserved_before,
        "unserved_after": float(sum(v.value or 0.0 for v in m.unserved.values())),
        "sites": sites,
        "seconds": time.perf_counter() - t0,
    }
