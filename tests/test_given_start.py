"""A plan handed to the solve from outside (``solve_model(start_fn=..., known_bound=...)``):
the stochastic plan starts from the mean-demand plan evaluated in every scenario and is
bounded by the scenarios solved alone. Hand-computed on min x + 2y, x + y >= 1.5, x, y
whole numbers in [0, 5]: the optimum is x = 2, y = 0 at 2."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from planner.solver.highs import hand_off, solve_model, violation


def _model():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 5))
    m.y = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 5))
    m.c = pyo.Constraint(expr=m.x + m.y >= 1.5)
    m.npc = pyo.Objective(expr=m.x + 2 * m.y)
    return m


def _values(x, y):
    def f(ho):
        val = {"x": x, "y": y}
        return np.array([val[v.name] for v in ho.columns], dtype=float)

    return f


def test_violation_is_the_worst_row_bound_or_integrality_miss():
    ho = hand_off(_model())
    assert violation(ho, _values(2, 0)(ho)) == 0.0
    # x + y = 1 misses the row's 1.5 by 0.5, relative to 1 + 1.5
    assert violation(ho, _values(1, 0)(ho)) == pytest.approx(0.5 / 2.5)
    assert violation(ho, _values(6, 0)(ho)) == pytest.approx(1 / 6)  # above x's bound 5
    assert violation(ho, _values(1.25, 1)(ho)) == pytest.approx(0.25)  # not a whole number


def test_a_plan_within_the_gap_of_the_known_bound_is_the_answer():
    m = _model()
    res = solve_model(m, time_limit=30, mip_gap=0.01, threads=1, start_fn=_values(2, 0), known_bound=2.0)
    assert res.status == "optimal" and res.objective == pytest.approx(2.0) and res.gap == 0.0
    assert res.heuristic["given_start"] == "used" and "lp_seconds" not in res.heuristic  # no heuristic ran
    assert pyo.value(m.x) == 2 and pyo.value(m.y) == 0


def test_a_worse_plan_is_improved_and_the_known_bound_counts():
    m = _model()
    res = solve_model(m, time_limit=30, mip_gap=0.01, threads=1, start_fn=_values(3, 0), known_bound=1.9)
    assert res.objective == pytest.approx(2.0) and res.heuristic["given_start_objective"] == pytest.approx(3.0)
    assert res.bound >= 1.9 - 1e-9


def test_a_plan_that_breaks_a_row_is_not_used():
    m = _model()
    res = solve_model(m, time_limit=30, mip_gap=0.01, threads=1, start_fn=_values(1, 0), known_bound=0.5)
    assert res.heuristic["given_start"].startswith("rejected") and res.objective == pytest.approx(2.0)
