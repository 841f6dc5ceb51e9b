"""The row builders of planner.model.rows: the coefficients, bounds and optimum of rows
written with them."""

from __future__ import annotations

import highspy
import numpy as np
import pyomo.environ as pyo
import pytest

from planner.model.rows import eq, ge, le, linear
from planner.solver.highs import hand_off, new_highs


def test_rows_compile_to_the_coefficients_written():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 10))
    m.y = pyo.Var(bounds=(0, 10))
    m.a = pyo.Constraint(expr=le([(2.0, m.x), (-3.0, m.y)], 5))  # 2x - 3y <= 5
    m.b = pyo.Constraint(expr=ge([(1.0, m.x), (0.0, m.y)], 1))  # x >= 1 (zero dropped)
    m.c = pyo.Constraint(expr=eq([(1.0, m.x), (1.0, m.y)], 4))  # x + y = 4
    m.o = pyo.Objective(expr=linear([(1.0, m.x), (2.0, m.y)]))
    ho = hand_off(m)
    lp = ho.lp
    A = np.zeros((lp.num_row_, lp.num_col_))
    start, index, value = (np.asarray(v) for v in (lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_))
    for j in range(lp.num_col_):
        for p in range(start[j], start[j + 1]):
            A[index[p], j] = value[p]
    assert [v.name for v in ho.columns] == ["x", "y"]
    assert A.tolist() == [[2.0, -3.0], [1.0, 0.0], [1.0, 1.0]]
    assert list(lp.row_lower_) == [-highspy.kHighsInf, 1.0, 4.0]
    assert list(lp.row_upper_) == [5.0, highspy.kHighsInf, 4.0]
    assert list(lp.col_cost_) == [1.0, 2.0]
    # min x + 2y with x + y = 4, 2x - 3y <= 5 -> y >= 0.6: x = 3.4, y = 0.6, cost 4.6
    h = new_highs(1, 1)
    h.passModel(lp)
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(4.6, rel=1e-9)
