"""An LP-guided start for the MIP ("relax, fix and dive").

1. Solve the LP relaxation of the whole program (every integer made continuous). Its
   objective is a valid lower bound on the optimum.
2. Round every integer the relaxation uses up to the next integer, repair the rows of
   integers only that this breaks (:func:`planner.solver.neighbourhood.repair_rounding`: a
   site filled to its ``max_it_mw`` gets one hall block too many), and re-solve the rest as
   an LP (warm-started from the relaxation's basis): a quick plan, usually a few per cent
   above the bound, and a start for the next steps.
2b. When neither rounding gives a plan, solve the neighbourhood MIP of the relaxation (RENS,
   :func:`planner.solver.neighbourhood.neighbourhood_bounds`): integers the relaxation
   leaves integral fixed there, fractional ones at their floor or ceiling. Smaller than the
   restricted MIP of step 3, so HiGHS finds a first plan there sooner (on world with tiers:
   5.4 % above the LP bound after 36 s, where the restricted MIP without a start had found
   none after 300 s); that plan is a plan of the full program and a start for step 3.
3. Fix to 0 every integer column (site opened, hall blocks, chip units, lumpy power units)
   that the relaxation leaves at 0, and solve the restricted MIP that remains (a small
   fraction of the integers, so HiGHS closes it quickly). The restricted program only
   removes options, so any plan it finds is a plan of the full program; it never has
   junk units of chips the relaxation does not use.
4. The better plan is handed to the full MIP as a start (``Highs.setSolution``). When it is
   already within the requested gap of the LP bound the full MIP has nothing left to
   prove and :func:`mip_start` says so (``proven``): its gap is measured against the LP
   bound, which is weaker than HiGHS's own bound, so this is never optimistic.

Nothing here changes the program: the full MIP of DESIGN.md §4 is always what is solved
(or what the proven gap refers to).
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from .neighbourhood import neighbourhood_bounds, repair_rounding
from .session import new_highs, run_guard, stop_at

ZERO = 1e-6  # LP values at or below this are "not used"


def mip_start(
    ho,
    time_limit: float,
    mip_gap: float,
    threads: int,
    seed: int,
    share: float = 0.75,
    restricted_gap: float = 0.25,
    rounder=None,
    share_neighbourhood: float = 0.4,
    lp_share: float = 0.9,
):
    """Return ``(col_values or None, info)`` for the compiled program ``ho``
    (:class:`planner.solver.highs.Handoff`). Spends at most ``share`` of ``time_limit`` -- or all of
    it when too little would be left for the full MIP to improve on the start (less than
    about three LP solves).

    ``lp_share``: the share of ``time_limit`` the LP relaxation may take (its rounding then
    gets a tenth of ``time_limit`` more).

    ``share_neighbourhood``: the share of the time left after rounding that the neighbourhood
    MIP (:func:`planner.solver.neighbourhood.neighbourhood_bounds`) may use when no rounding
    gave a plan; 0 skips it.

    ``rounder(ho, x)``, if given, turns the relaxed column values into a plan (column values
    or None) that competes with rounding every integer up.

    ``info``: ``lp_bound`` (MUSD), ``objective`` of the start (MUSD), ``gap_to_lp`` (relative,
    like HiGHS's gap), ``fixed`` (integer columns fixed to 0), ``free`` (integer columns
    left), ``proven`` (the start is within ``mip_gap`` of the LP bound), ``seconds``.
    """
    t0 = time.perf_counter()
    budget = max(1.0, share * float(time_limit))
    info: dict = {}
    lp = ho.lp
    ints = np.flatnonzero(ho.integer).astype(np.int32)
    h = new_highs(threads, seed)
    h.passModel(lp)
    # the relaxation may run past the heuristic's share: without it there is no start, and a
    # full MIP given the rest cannot even finish its own root LP (on world: 105 % gap after
    # 240 s at load 9, nothing served); a relaxation done by lp_share still leaves time to round
    lp_limit = max(budget, min(lp_share * float(time_limit), float(time_limit) - 1.0))
    stopped = stop_at(h, t0 + lp_limit + 1.0)
    h.changeColsIntegrality(len(ints), ints, np.full(len(ints), highspy.HighsVarType.kContinuous))
    h.setOptionValue("time_limit", lp_limit)
    # interior point (with crossover, for a vertex) solves this relaxation 3-4x faster than
    # dual simplex: 36 s against 129 s on the bundled world scenario, 2 threads
    h.setOptionValue("solver", "ipm")
    with run_guard(stopped):
        h.run()
    h.setOptionValue("solver", "choose")
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        info.update(stage="lp", status=h.modelStatusToString(h.getModelStatus()))
        info["seconds"] = time.perf_counter() - t0
        return None, info
    x = np.asarray(h.getSolution().col_value)
    lp_bound = h.getInfo().objective_function_value
    info["lp_bound"] = lp_bound
    info["lp_seconds"] = time.perf_counter() - t0
    if info["lp_seconds"] > budget - 0.1 * float(time_limit):
        # a late relaxation: the rounding steps get a tenth of the time limit after it
        budget = min(float(time_limit) - 1.0, info["lp_seconds"] + 0.1 * float(time_limit))
        stopped = stop_at(h, t0 + budget + 1.0)

    # rounding: every integer rounded up from its relaxed value (more capacity than the
    # relaxation uses), the rows of integers only that this breaks repaired (a site filled
    # to its max_it_mw gets one hall block too many: some are rounded down instead), the
    # rest re-solved as an LP warm-started from the relaxation's basis
    lo, up = ho.lower[ints], ho.upper[ints]
    full = x.copy()
    full[ints] = np.clip(np.ceil(x[ints] - ZERO), lo, up)
    full, info["repaired"] = repair_rounding(ho, full, x)
    r = full[ints]
    h.changeColsBounds(len(ints), ints, r, r)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("time_limit", max(1.0, budget - (time.perf_counter() - t0)))
    with run_guard(stopped):
        h.run()
    h.setOptionValue("solver", "choose")
    rounded = None
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        rounded = np.asarray(h.getSolution().col_value, dtype=np.float64)
        info["rounded"] = h.getInfo().objective_function_value
    h.changeColsBounds(len(ints), ints, lo, up)
    if rounder is not None:
        # a rounding that knows the program (``rounder(ho, x)``: whole purchases covering
        # the relaxation's use of each asset, the rest re-solved); the better plan is kept
        alt = rounder(ho, x)
        if alt is not None:
            alt_obj = float(np.dot(np.asarray(lp.col_cost_), alt) + lp.offset_)
            info["rounded_cover"] = alt_obj
            if rounded is None or alt_obj < info["rounded"]:
                rounded, info["rounded"] = alt, alt_obj
    info["rounding_seconds"] = time.perf_counter() - t0 - info["lp_seconds"]

    def gap_of(obj: float) -> float | None:  # relative gap to the LP bound, like HiGHS's
        return (obj - lp_bound) / max(abs(obj), 1e-9) if obj > 0 else None

    rounded_gap = gap_of(info["rounded"]) if rounded is not None else None
    if lp_bound > 0 and rounded_gap is not None and rounded_gap <= mip_gap:
        # already within the requested gap of the bound: no restricted MIP needed
        info.update(objective=info["rounded"], gap_to_lp=rounded_gap, proven=True, fixed=0, free=int(len(ints)))
        info["seconds"] = time.perf_counter() - t0
        return rounded, info

    h.changeColsIntegrality(len(ints), ints, np.full(len(ints), highspy.HighsVarType.kInteger))
    if lp_bound > 0:
        # stop as soon as a plan is within the requested gap of the LP bound: proving a
        # restricted MIP's own optimality would not prove anything more about the full program
        h.setOptionValue("objective_target", lp_bound / (1.0 - float(mip_gap)) * (1.0 - 1e-9))
    # without a rounded plan, the neighbourhood MIP (RENS): the integers the relaxation leaves
    # integral fixed there, the fractional ones at their floor or ceiling -- a smaller MIP
    # whose plans are plans of the full program; a start for the restricted MIP below
    t_nb = time.perf_counter()
    nb_left = share_neighbourhood * (budget - (t_nb - t0))
    if rounded is None and nb_left >= 1.0:
        nb_ints, nb_lo, nb_up = neighbourhood_bounds(ho, x, ZERO)
        h.changeColsBounds(len(nb_ints), nb_ints, nb_lo, nb_up)
        h.setOptionValue("time_limit", nb_left)
        h.setOptionValue("mip_rel_gap", float(mip_gap) * restricted_gap)
        with run_guard(stopped):
            h.run()
        nb_info = h.getInfo()
        info["neighbourhood_free"] = int((nb_up > nb_lo).sum())
        info["neighbourhood_seconds"] = time.perf_counter() - t_nb
        if nb_info.primal_solution_status == 2 and nb_info.mip_gap < 1e20:
            nb_obj = nb_info.objective_function_value
            info["neighbourhood"] = info["rounded"] = nb_obj
            rounded = np.asarray(h.getSolution().col_value, dtype=np.float64)
        h.changeColsBounds(len(ints), ints, lo, up)
        nb_gap = gap_of(info["rounded"]) if rounded is not None else None
        if lp_bound > 0 and nb_gap is not None and nb_gap <= mip_gap:
            info.update(objective=info["rounded"], gap_to_lp=nb_gap, proven=True, fixed=0, free=int(len(ints)))
            info["seconds"] = time.perf_counter() - t0
            return rounded, info

    # restricted MIP: integers the relaxation leaves at zero stay at zero
    zero = ints[x[ints] <= ZERO]
    h.changeColsBounds(len(zero), zero, ho.lower[zero], ho.lower[zero])
    if rounded is not None:
        # the rounded plan keeps the unused integers at zero: a start for the restricted MIP
        sol = highspy.HighsSolution()
        sol.col_value = list(rounded)
        sol.value_valid = True
        h.setSolution(sol)
    elapsed = time.perf_counter() - t0
    left = budget - elapsed
    if float(time_limit) - elapsed < 3.0 * info["lp_seconds"] + 5.0:
        # too little time for the full MIP to re-solve its root LP and improve on a start:
        # the restricted MIP is the best use of all the time that is left
        left = float(time_limit) - elapsed - 1.0
        stopped = stop_at(h, t0 + float(time_limit))
    if left < 1.0:
        info["seconds"] = time.perf_counter() - t0
        if rounded is None:
            return None, info
        gap = gap_of(info["rounded"])
        info.update(objective=info["rounded"], gap_to_lp=gap, proven=bool(gap is not None and gap <= mip_gap))
        return rounded, info
    h.setOptionValue("time_limit", left)
    # more of HiGHS's primal heuristics (default 0.05): the restricted MIP is after a good
    # plan, not a proof; on world, 115-128 s to the target instead of 155 s (two seeds)
    h.setOptionValue("mip_heuristic_effort", 0.3)
    # a tighter gap than requested: the start should land within the gap of the LP bound
    h.setOptionValue("mip_rel_gap", float(mip_gap) * restricted_gap)
    with run_guard(stopped):
        h.run()
    sol_ok = h.getInfo().primal_solution_status == 2 and h.getInfo().mip_gap < 1e20
    info.update(fixed=int(len(zero)), free=int(len(ints) - len(zero)))
    info["seconds"] = time.perf_counter() - t0
    if sol_ok:
        start = np.asarray(h.getSolution().col_value, dtype=np.float64)
        obj = h.getInfo().objective_function_value
        if rounded is not None and info["rounded"] < obj:
            start, obj = rounded, info["rounded"]
    elif rounded is not None:
        start, obj = rounded, info["rounded"]
    else:
        info["status"] = h.modelStatusToString(h.getModelStatus())
        return None, info
    gap = gap_of(obj)
    info.update(objective=obj, gap_to_lp=gap, proven=bool(gap is not None and gap <= mip_gap))
    return start, info
