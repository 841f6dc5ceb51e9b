"""The start heuristic's repaired rounding and its neighbourhood MIP
(planner.solver.neighbourhood, planner.solver.heuristics.mip_start)."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from builder import BASE, write_scenario

from planner.io.scenario import load_scenario
from planner.model import build_data, build_model
from planner.solver.heuristics import mip_start
from planner.solver.highs import hand_off, resolve
from planner.solver.neighbourhood import neighbourhood_bounds, repair_rounding


def _halls_model():
    """Two hall builds (20 MW blocks) and an opening at a site of 50 MW: 20 (h1 + h2) <= 50 open."""
    m = pyo.ConcreteModel()
    m.h1 = pyo.Var(within=pyo.NonNegativeIntegers, bounds=(0, 10))
    m.h2 = pyo.Var(within=pyo.NonNegativeIntegers, bounds=(0, 10))
    m.open = pyo.Var(within=pyo.Binary)
    m.mw = pyo.Var(within=pyo.NonNegativeReals)
    m.cap = pyo.Constraint(expr=20 * (m.h1 + m.h2) <= 50 * m.open)
    m.use = pyo.Constraint(expr=m.mw <= 20 * (m.h1 + m.h2))
    m.obj = pyo.Objective(expr=m.h1 + m.h2 + m.open - m.mw)
    return m


def test_repair_rounds_down_the_integers_a_full_site_cannot_hold():
    """Relaxed 1.25 + 1.25 blocks fill the 50 MW site; rounded up, 2 + 2 blocks = 80 MW break
    the integer-only row 20 (h1 + h2) <= 50. The repair lowers h1 (first of the two, both
    0.25 above their floor) to 1: 60 MW still break it, so h2 goes to 1 too: 40 MW <= 50.
    The row with a continuous column (mw) is left alone."""
    m = _halls_model()
    ho = hand_off(m)
    col = ho.column_index()
    x = np.zeros(len(ho.columns))
    x[col[id(m.h1)]], x[col[id(m.h2)]], x[col[id(m.open)]], x[col[id(m.mw)]] = 1.25, 1.25, 1.0, 50.0
    up = x.copy()
    ints = np.flatnonzero(ho.integer)
    up[ints] = np.ceil(x[ints] - 1e-6)
    out, lowered = repair_rounding(ho, up, x)
    assert lowered == 2
    assert out[col[id(m.h1)]] == 1 and out[col[id(m.h2)]] == 1 and out[col[id(m.open)]] == 1
    assert out[col[id(m.mw)]] == 50.0  # continuous columns are not touched
    # a plan that already holds is returned unchanged
    again, n = repair_rounding(ho, out, x)
    assert n == 0 and np.array_equal(again, out)


def test_neighbourhood_box_fixes_integral_and_zero_values():
    m = _halls_model()
    ho = hand_off(m)
    col = ho.column_index()
    x = np.zeros(len(ho.columns))
    x[col[id(m.h1)]], x[col[id(m.h2)]], x[col[id(m.open)]] = 1.25, 5e-7, 1.0
    ints, lo, up = neighbourhood_bounds(ho, x)
    box = {int(j): (lo[k], up[k]) for k, j in enumerate(ints)}
    assert box[col[id(m.h1)]] == (1.0, 2.0)  # fractional: floor..ceiling
    assert box[col[id(m.h2)]] == (0.0, 0.0)  # at zero: fixed at its lower bound
    assert box[col[id(m.open)]] == (1.0, 1.0)  # integral: fixed


def test_start_of_a_rounding_that_overflows_the_site_is_the_optimum():
    """Each block used earns 19 (20 MW at -1 less its cost of 1): the relaxation fills the
    50 MW site with 2.5 blocks (objective 100 - 47.5 + 1 = 53.5). Rounded up, 3 or more
    blocks overflow it (20 x 3 > 50); repaired, the plan is the integer optimum: 2 blocks,
    100 - 38 + 1 = 63 -- found before any restricted MIP, within the gap of the bound."""
    m = _halls_model()
    m.obj.deactivate()
    m.obj2 = pyo.Objective(expr=100 + m.h1 + m.h2 + m.open - m.mw)
    ho = hand_off(m)
    start, info = mip_start(ho, time_limit=30, mip_gap=0.2, threads=1, seed=1)
    assert info["lp_bound"] == pytest.approx(53.5, rel=1e-9)
    assert info["repaired"] >= 1
    assert info["rounded"] == pytest.approx(63.0, rel=1e-9)
    assert info["objective"] == pytest.approx(63.0, rel=1e-9) and info["proven"]
    col = ho.column_index()
    assert start[col[id(m.h1)]] + start[col[id(m.h2)]] == pytest.approx(2.0)


def test_start_heuristic_ends_at_the_optimum_of_a_two_year_full_site(tmp_path):
    """The builder's one-site case on a 1 MW site over two years with 1e13 then 3e13 tokens
    (2027 needs 1.70 MW of IT, more than the site holds): with a gap of 1e-9 the plan of the
    start heuristic (rounding, neighbourhood MIP, restricted MIP) is HiGHS's optimum."""
    demand = [
        {"region": "r1", "model": "m1", "year": 2026, "tokens_per_year": 1e13, "max_latency_ms": ""},
        {"region": "r1", "model": "m1", "year": 2027, "tokens_per_year": 3e13, "max_latency_ms": ""},
    ]
    sites = [dict(BASE["sites"][0], max_it_mw=1)]
    folder = write_scenario(tmp_path / "scn", toml={"end_year": 2027}, demand=demand, sites=sites)
    m = build_model(build_data(load_scenario(folder)))
    ho = hand_off(m)
    start, info = mip_start(ho, time_limit=60, mip_gap=1e-9, threads=1, seed=1)
    assert start is not None
    best = resolve(ho, threads=1, options={"mip_rel_gap": 1e-9})
    assert best.ok
    assert info["objective"] == pytest.approx(best.objective, rel=1e-9)
    assert info["lp_bound"] <= best.objective * (1 + 1e-9)


def test_neighbourhood_mip_gives_the_plan_when_rounding_up_is_infeasible():
    """A power unit of 3 MW feeding a 5 MW connection (a row with a continuous column, which
    the repair leaves alone): the relaxation runs 5/3 units (objective 100 - 10 x 5 = 50);
    rounded up, 2 units = 6 MW break the connection and no rounding gives a plan. The
    neighbourhood MIP (1 or 2 units) finds the optimum, 1 unit: 100 - 10 x 3 = 70."""
    m = pyo.ConcreteModel()
    m.n = pyo.Var(within=pyo.NonNegativeIntegers, bounds=(0, 10))
    m.mw = pyo.Var(within=pyo.NonNegativeReals, bounds=(0, 5))
    m.use = pyo.Var(within=pyo.NonNegativeReals)
    m.unit = pyo.Constraint(expr=m.mw == 3 * m.n)
    m.run = pyo.Constraint(expr=m.use <= m.mw)
    m.obj = pyo.Objective(expr=100 - 10 * m.use)
    ho = hand_off(m)
    start, info = mip_start(ho, time_limit=30, mip_gap=0.01, threads=1, seed=1)
    assert info["lp_bound"] == pytest.approx(50.0, rel=1e-9)
    assert "rounded_cover" not in info and info["neighbourhood"] == pytest.approx(70.0, rel=1e-9)
    assert info["objective"] == pytest.approx(70.0, rel=1e-9)
    assert start[ho.column_index()[id(m.n)]] == pytest.approx(1.0)


def test_cover_buys_early_when_a_later_shortfall_falls_outside_the_purchase_window():
    """A chip sold in 2026-2027 only, five-year life: 6 units needed in 2026, 83 in 2027-2030
    and 78 in 2031. Greedy: 6 in 2026, 77 in 2027; in 2031 the 2026 units have retired and
    77 < 78, but 2031 is outside the window -- the missing unit is bought in 2027, the latest
    year whose purchases still serve 2031 (it used to make the cover fail, and with it the
    start heuristic's cover rounding on world)."""
    from planner.solver.polish import _cover

    years = list(range(2026, 2032))
    need = {2026: 6, 2027: 83, 2028: 83, 2029: 83, 2030: 83, 2031: 78}
    assert _cover(years, need, 5, {2026, 2027}) == {2026: 6, 2027: 78}
    # a need no allowed year can serve still fails
    assert _cover(years, {2031: 1}, 2, {2026, 2027}) is None


def test_a_relaxation_later_than_the_heuristic_share_still_gives_a_start(tmp_path):
    """The relaxation may run to lp_share (0.9) of the time limit although the heuristic's
    share is smaller: with share 1e-4 of 100 s (a 1 s budget) the relaxation of the bundled
    us scenario cut to 2026-2027 is still solved (its bound is the LP optimum, 1e-6) and
    rounded into a plan, where the 1 s budget alone used to end without a start."""
    from builder import bundled_copy

    folder = bundled_copy(tmp_path / "us2", 2027, name="us")
    m = build_model(build_data(load_scenario(folder)))
    ho = hand_off(m)
    lp = resolve(ho, continuous=True, threads=1)
    start, info = mip_start(ho, time_limit=100, mip_gap=0.01, threads=1, seed=1, share=1e-4)
    assert info["lp_bound"] == pytest.approx(lp.objective, rel=1e-6)
    assert start is not None and info["objective"] >= info["lp_bound"] * (1 - 1e-9)
