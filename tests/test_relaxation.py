"""The background LP relaxation (planner.solver.relaxation): its bound is the relaxation's
optimum computed by hand; a relaxation past its deadline or stopped gives no bound; and the
stochastic plan uses the bound of its equivalent's relaxation, or keeps its start when the
relaxation has not finished."""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo
import pytest

from planner.solver.highs import hand_off
from planner.solver.relaxation import BackgroundRelaxation


def _small():
    """min x + 2y s.t. x + y >= 2.5, x <= 1, x, y integer >= 0: the relaxation takes x = 1,
    y = 1.5, so its bound is 1 + 2 x 1.5 = 4 (the integer optimum is 1 + 2 x 2 = 5)."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 1))
    m.y = pyo.Var(domain=pyo.NonNegativeIntegers)
    m.c = pyo.Constraint(expr=m.x + m.y >= 2.5)
    m.npc = pyo.Objective(expr=m.x + 2 * m.y)
    return m


def _transport(n=120):
    """A transportation LP of n x n columns (presolve leaves it whole), so the interior
    point runs several iterations and looks at its callback."""
    rng = np.random.default_rng(3)
    cost = rng.uniform(1, 10, (n, n))
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.x = pyo.Var(m.I, m.I, domain=pyo.NonNegativeReals)
    m.supply = pyo.Constraint(m.I, rule=lambda m, i: sum(m.x[i, j] for j in m.I) <= 1.0)
    m.demand = pyo.Constraint(m.I, rule=lambda m, j: sum(m.x[i, j] for i in m.I) >= 0.9)
    m.npc = pyo.Objective(expr=sum(cost[i, j] * m.x[i, j] for i in m.I for j in m.I))
    return m


def test_bound_is_the_relaxation_optimum():
    r = BackgroundRelaxation(hand_off(_small()), threads=1, seed=1)
    assert r.bound() == pytest.approx(4.0, abs=1e-7)
    assert r.status == "optimal" and r.seconds >= 0


def test_past_its_deadline_there_is_no_bound():
    r = BackgroundRelaxation(hand_off(_transport()), threads=1, seed=1, deadline=time.perf_counter() - 1.0)
    assert r.bound() is None
    assert r.status != "optimal"


def _cases(tmp_path):
    from test_stochastic import _case

    from planner.futures.stochastic import DemandCase

    folder = _case(tmp_path)
    return folder, [DemandCase("a", tmp_path / "a.csv", 0.5), DemandCase("b", tmp_path / "b.csv", 0.5)]


def test_the_stochastic_plan_records_its_equivalents_relaxation(tmp_path):
    """The hedge case of test_stochastic: the bound recorded is the optimum of the
    equivalent's relaxation solved here on its own, and the plan is the hand-computed hedge."""
    from test_stochastic import O1, O3, UNIT_TOK, D, _plan_cost

    from planner import api
    from planner.futures.stochastic import build_equivalent, solve_stochastic
    from planner.model import build_model
    from planner.model.data import build_data
    from planner.solver.highs import resolve

    folder, cases = _cases(tmp_path)
    doc = solve_stochastic(folder, cases, tmp_path / "out")
    models = [build_model(build_data(api.load_scenario(folder, c.file))) for c in cases]
    lp = resolve(hand_off(build_equivalent(models, [0.5, 0.5], 2027)), continuous=True, threads=2)
    assert lp.ok
    rel = doc["relaxation"]
    assert rel["status"] == "optimal"
    assert rel["bound_usd"] == pytest.approx(lp.objective * 1e6, rel=1e-6)
    n = -(-D // UNIT_TOK)
    assert doc["expected_cost_usd"] == pytest.approx(_plan_cost(O3, n, D), rel=1e-7)
    assert rel["bound_usd"] <= doc["expected_cost_usd"] * (1 + 1e-9)
    assert doc["scenarios_bound_usd"] == pytest.approx(_plan_cost(O1, n, D), rel=0.01)


def test_an_unfinished_relaxation_leaves_the_start(tmp_path, monkeypatch):
    """When the relaxation has no bound by the equivalent's time limit, the plan is its start
    (the mean-demand plan evaluated in both cases, computed in test_stochastic), bounded by
    the cases solved alone, with a note saying so."""
    from planner.futures.stochastic import solve_stochastic

    monkeypatch.setattr(BackgroundRelaxation, "bound", lambda self, wait_until=None: None)
    folder, cases = _cases(tmp_path)
    doc = solve_stochastic(folder, cases, tmp_path / "out")
    assert doc["expected_cost_usd"] == pytest.approx(doc["start_usd"], rel=1e-9)
    assert doc["eev_usd"] == pytest.approx(doc["start_usd"], rel=1e-9) and doc["vss_usd"] == 0.0
    assert doc["relaxation"]["bound_usd"] is None
    assert doc["status"] == "time_limit" and "no better hedge" in doc["note"]
    gap = (doc["expected_cost_usd"] - doc["scenarios_bound_usd"]) / doc["expected_cost_usd"]
    assert doc["mip_gap"] == pytest.approx(gap, rel=1e-6)
