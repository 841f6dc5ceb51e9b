"""Try to serve what a plan leaves unserved.

A plan accepted within the MIP gap may leave tokens unserved whose penalty fits inside the
gap although serving them costs far less than the penalty (``us`` with a carbon price of
$200/t left 1.25 Ttok of llama-3.1-405b unserved in us_east at a long-run cost of $2.02/Mtok
against a $100 penalty). That is the gap's tolerance, not the plan's intent.

:func:`serve_unserved` solves a small restricted MIP from the plan: every integer decision
stays as planned, except at the sites that could serve the unserved demand (within its
latency limit), where sites may open and chips, halls and lumpy power units may be added
(never removed: the plan's purchases are lower bounds). The restricted program only adds
options to the plan; it is tried with chip units alone free to grow first, then hall blocks
too, then lumpy power units, then site openings (:data:`TIERS`), until one serves all the
demand, and the cheapest result is kept. Each is solved as a relaxation of the additions (an LP), whose additions
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


# the purchases a restricted re-solve may add, from the smallest change to the broadest: the
# linear relaxation of a broad set spreads fractions of lumpy purchases (hall blocks, power
# units, site openings) over many sites and years, and rounding each of them up can cost more
# than the unserved penalty it saves (``us`` at $200/t: chips alone served the 72 Gtok the
# plan left unserved in 2030 for $4.9 M less; with every purchase free, rounding up cost
# $462 M more and the plan kept its unserved tokens)
TIERS = (("buy",), ("buy", "hall"), ("buy", "hall", "new_units"), _SITE_VARS)


def serve_unserved(m, d, ho: Handoff, time_limit: float = 30.0, threads: int = 1, seed: int = 1) -> dict | None:
    """Re-solve the plan loaded in ``m`` with purchases free to grow at the sites that can
    serve its unserved demand (see module docstring), trying the purchases of
    :data:`TIERS` in turn (chip units only, then hall blocks too, then lumpy power units,
    then site openings), each within its share of what is left of ``time_limit`` seconds,
    until one serves everything, and keeping the cheapest plan. When a
    re-solve lowers the net present cost, the new plan is loaded into ``m`` and
    ``{"objective": MUSD, "before": MUSD, "unserved_before": Ttok, "unserved_after": Ttok,
    "sites": [...], "purchases": the tier's variable names, "seconds": s}`` is returned;
    None when nothing is unserved, the re-solves fail or none lowers the cost."""
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
    plan = [(v, v.value) for v in ho.columns]
    x = np.array([0.0 if val is None else float(val) for _v, val in plan])
    best, best_x, best_tier = before - 1e-9 * max(1.0, abs(before)), None, None
    for k, tier in enumerate(TIERS):
        left = float(time_limit) - (time.perf_counter() - t0)
        if left <= 0:
            break
        share = left / (len(TIERS) - k)  # the broader tiers keep their share of the time
        obj = _restricted(m, d, ho, x, set(sites), tier, share, threads, seed)
        served = obj is not None and not unserved_keys(m)
        if obj is not None and obj < best:
            best, best_tier = obj, tier
            best_x = [v.value for v in ho.columns]
        for v, val in plan:  # back to the plan before the next tier
            v.set_value(val, skip_validation=True)
        if served and best_tier == tier:  # the smallest change that serves everything
            break
    if best_x is None:
        return None
    for v, val in zip(ho.columns, best_x, strict=True):
        v.set_value(val, skip_validation=True)
    return {
        "objective": float(pyo.value(m.npc)),
        "before": before,
        "unserved_before": unserved_before,
        "unserved_after": float(sum(v.value or 0.0 for v in m.unserved.values())),
        "sites": sites,
        "purchases": list(best_tier),
        "seconds": time.perf_counter() - t0,
    }


def _restricted(m, d, ho: Handoff, x, site_set: set, names: tuple, time_limit: float, threads: int, seed: int):
    """One restricted re-solve of the plan ``x`` (HiGHS column values): the integer
    decisions of the variables ``names`` at the sites ``site_set`` may grow, every other
    integer decision stays as planned. The relaxation of the additions is solved as an LP,
    its additions rounded up to whole purchases, the rest re-solved as an LP and polished.
    Loads the result into ``m`` and returns its net present cost (MUSD); None on a failure."""
    t0 = time.perf_counter()
    col = ho.column_index()
    lower, upper = ho.lower.copy(), ho.upper.copy()
    integer = np.flatnonzero(ho.integer)
    free = np.zeros(len(ho.columns), dtype=bool)
    for name in names:
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
    ho.load(np.asarray(h.getSolution().col_value))
    # 3. polish: the fewest purchases that cover the use the new plan makes of each asset
    polish(m, d, threads=threads, handoff=ho)
    return float(pyo.value(m.npc))
