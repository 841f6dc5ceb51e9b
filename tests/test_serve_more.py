"""Issue 12, item 2a: unserved tokens a plan leaves within its gap are served afterwards."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from builder import BASE, write_scenario

from planner.api import plan
from planner.reporting.unserved import unserved_reasons
from planner.solver.highs import resolve
from planner.solver.serve_more import serve_unserved, unserved_keys


def test_a_plan_short_of_chips_is_completed_when_that_is_cheaper(tmp_path):
    """The optimum buys 57 units of x1 and serves everything. A plan with 40 units (the rest
    unserved at $100/Mtok, as an incumbent accepted within a loose gap might) is handed to
    the restricted re-solve, which adds the 17 units back and reaches the optimum's cost."""
    p = plan(write_scenario(tmp_path / "scn"))
    m, ho = p.model, p.result.handoff
    best = pyo.value(m.npc)
    assert not unserved_keys(m)
    col = ho.column_index()
    buys = {col[id(v)]: v.value for v in m.buy.values() if id(v) in col}
    assert sum(buys.values()) == pytest.approx(57)
    fix = {j: 40.0 for j in buys}
    for j in np.flatnonzero(ho.integer):
        fix.setdefault(int(j), float(round(ho.columns[j].value)))
    short = resolve(ho, fix=fix, continuous=True)
    assert short.ok
    ho.load(short.col_value)
    worse = pyo.value(m.npc)
    assert worse > best and unserved_keys(m)
    more = serve_unserved(m, p.data, ho)
    assert more is not None
    assert more["before"] == pytest.approx(worse)
    assert more["objective"] == pytest.approx(best, rel=1e-9)
    assert more["unserved_after"] == pytest.approx(0.0, abs=1e-9)
    assert sum(m.buy[k].value for k in m.buy) == pytest.approx(57)


def test_nothing_to_serve_is_left_alone(tmp_path):
    p = plan(write_scenario(tmp_path / "scn"))
    assert serve_unserved(p.model, p.data, p.result.handoff) is None


def test_what_remains_unserved_is_explained_by_the_binding_limit(tmp_path):
    """Chip supply capped at 20 units: the rest stays unserved, and the sentence names the cap."""
    import planner

    chips = [dict(BASE["chips"][0], max_units_per_year=20)]
    p = planner.solve(write_scenario(tmp_path / "scn", chips=chips))
    (s,) = unserved_reasons(p.tables)
    assert s == "Unserved in 2026 (m1 in r1): limited by the chip supply of x1."


def test_a_lumpy_unit_worth_a_fraction_does_not_block_serving(tmp_path):
    """The case of ``us`` at a $200/t carbon price: a 100 MW gas unit at 27 $/MWh against
    50 $/MWh grid is worth building in the linear relaxation (a fraction of it runs the
    0.55 MW site) but not whole (about $10 M a year for $0.11 M of energy saved), so the
    optimum buys 57 units of x1 from the grid and builds no gas. A plan with 40 units is
    completed with chips alone, at the optimum's cost; rounding up the relaxation with every
    purchase free built the whole gas unit (a plan dearer than the optimum)."""
    power = [dict(r) for r in BASE["power"]]
    next(r for r in power if r["tech"] == "gas").update(unit_mw=100)
    p = plan(write_scenario(tmp_path / "scn", power=power, site_power=[{"site": "s1", "tech": "gas", "max_mw": ""}]))
    m, ho = p.model, p.result.handoff
    best = pyo.value(m.npc)
    assert sum(v.value for v in m.new_units.values()) == 0 and not unserved_keys(m)
    col = ho.column_index()
    buys = {col[id(v)] for v in m.buy.values() if id(v) in col}
    fix = {j: 40.0 for j in buys}
    for j in np.flatnonzero(ho.integer):
        fix.setdefault(int(j), float(round(ho.columns[j].value)))
    short = resolve(ho, fix=fix, continuous=True)
    ho.load(short.col_value)
    worse = pyo.value(m.npc)
    # 1e13 - 40 x (8 x 1000 tok/s x 0.7 x 8760 h x 3600 s) tokens unserved
    assert sum(v.value for v in m.unserved.values()) * 1e12 == pytest.approx(1e13 - 40 * 8 * 1000 * 0.7 * 31_536_000)
    more = serve_unserved(m, p.data, ho)
    assert more is not None and more["purchases"] == ["buy"]
    assert more["before"] == pytest.approx(worse)
    assert more["objective"] == pytest.approx(best, rel=1e-9)
    assert more["unserved_after"] == pytest.approx(0.0, abs=1e-9)
    assert sum(v.value for v in m.new_units.values()) == 0
