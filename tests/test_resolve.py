"""planner.solver.highs.resolve: variants of a compiled program (fixed columns, dropped upper
bounds, dropped rows, relaxed integrality) solved without compiling again."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from planner.solver.highs import hand_off, resolve


@pytest.fixture
def compiled():
    """min x + 2y with x integer in [0, 5], y in [0, 2], row a: x + y >= 7, row cut: x <= 1."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(within=pyo.NonNegativeIntegers, bounds=(0, 5))
    m.y = pyo.Var(bounds=(0, 2))
    m.a = pyo.Constraint(expr=m.x + m.y >= 7)
    m.cut = pyo.Constraint(expr=m.x <= 1)
    m.o = pyo.Objective(expr=m.x + 2 * m.y)
    ho = hand_off(m)
    x = [v.name for v in ho.columns].index("x")
    rows = [c.name for c in ho.rows]
    return ho, x, rows.index("a"), rows.index("cut")


def test_as_compiled_the_cut_makes_it_infeasible(compiled):
    ho, x, a, cut = compiled
    r = resolve(ho, threads=1)
    assert not r.ok and "nfeasible" in r.status


def test_dropping_a_row(compiled):
    ho, x, a, cut = compiled
    r = resolve(ho, free_rows=[cut], threads=1)  # x = 5, y = 2
    assert r.ok and r.objective == pytest.approx(9.0)
    assert r.col_value[x] == pytest.approx(5.0)


def test_dropping_an_upper_bound_and_integrality(compiled):
    ho, x, a, cut = compiled
    mask = np.zeros(len(ho.columns), dtype=bool)
    mask[x] = True
    r = resolve(ho, free_rows=[cut], unbounded_above=mask, continuous=True, threads=1)
    assert r.ok and r.objective == pytest.approx(7.0)  # x = 7, y = 0
    assert r.row_dual[a] == pytest.approx(1.0)  # one more unit of a costs one more x
    assert ho.upper[x] == 5.0  # the compiled program is unchanged


def test_fixing_a_column(compiled):
    ho, x, a, cut = compiled
    r = resolve(ho, fix={x: 6.0}, free_rows=[cut], continuous=True, threads=1)
    assert r.ok and r.objective == pytest.approx(6.0 + 2.0)  # x = 6, y = 1
    assert r.row_dual[a] == pytest.approx(2.0)  # now y is the margin
