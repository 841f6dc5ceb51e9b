"""The row builders of planner.model.rows, and the one reformulated row family of the energy
layer (charge + discharge <= capacity in place of DESIGN.md's two rows)."""

from __future__ import annotations

import highspy
import numpy as np
import pyomo.environ as pyo
import pytest
from builder import bundled_copy, write_scenario
from test_hand_cases import _solar_battery_case

from planner.model import build_data, build_model
from planner.model.rows import eq, ge, le, linear
from planner.scenario import load_scenario
from planner.solve import hand_off, new_highs


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


def _relaxed_objective(folder, separate_limits: bool) -> tuple[float, float]:
    """LP relaxation optimum (MUSD) and battery discharge (MWh-slices) of the scenario, with
    DESIGN.md's two rows charge <= capacity, discharge <= capacity or the planner's one."""
    d = build_data(load_scenario(folder))
    m = build_model(d)
    if separate_limits:
        m.flow_limit.deactivate()
        m.charge_limit = pyo.Constraint(m.STOR_SKYH, rule=lambda m, *i: m.charge[i] <= m.cap_mw[i[:3]])
        m.discharge_limit = pyo.Constraint(m.STOR_SKYH, rule=lambda m, *i: m.discharge[i] <= m.cap_mw[i[:3]])
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(m)
    ho = hand_off(m)
    h = new_highs(1, 1)
    h.passModel(ho.lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    ho.load(h.getSolution().col_value)
    return h.getInfo().objective_function_value, sum(pyo.value(v) for v in m.discharge.values())


def _arbitrage_case():
    """Grid only, at 0.1 x 100 USD/MWh by day and 3 x 100 by night, plus a battery: charging
    by day to discharge at night pays, so the battery runs every day."""
    kw = _solar_battery_case(100)
    kw["slices"][0]["grid_price_mult"] = 3.0
    kw["slices"][1]["grid_price_mult"] = 0.1
    kw["site_power"] = [{"site": "s1", "tech": "battery", "max_mw": ""}]
    kw["profiles"] = []
    return kw


@pytest.mark.parametrize("case", ["solar_battery", "grid_arbitrage", "us_2026"])
def test_one_flow_row_gives_the_same_optimum_as_two(tmp_path, case):
    if case == "solar_battery":
        folder = write_scenario(tmp_path / "scn", **_solar_battery_case(1000))
    elif case == "grid_arbitrage":
        folder = write_scenario(tmp_path / "scn", **_arbitrage_case())
    else:
        folder = bundled_copy(tmp_path / "us", end_year=2026, name="us")
    one, used = _relaxed_objective(folder, separate_limits=False)
    two, _ = _relaxed_objective(folder, separate_limits=True)
    if case != "us_2026":  # (us: no battery pays in 2026; the test then checks the rest of the model)
        assert used > 0  # the battery is in use, so the rows bind
    assert one == pytest.approx(two, rel=1e-9)
