"""Symmetry breaking between identical sites (planner.model.tightening.site_order)."""

from __future__ import annotations

import pytest
from builder import BASE, write_scenario
from test_hand_cases import BUILD, COOL, OPEN, RATE, crf, load_mw

from planner.io.scenario import load_scenario
from planner.model import build_data, build_model
from planner.solver.highs import solve_model


def _three_sites(tmp_path, s3_price=50):
    """s1 (the hand case's site), s2 = s1 under another name and position, s3 = s1 with
    grid at ``s3_price`` USD/MWh; the same latency row for each; two years."""
    s1 = dict(BASE["sites"][0])
    s2 = dict(s1, site="s2", name="Site 2", lat=s1["lat"] + 1, lon=s1["lon"] - 1, source="another source")
    s3 = dict(s1, site="s3", name="Site 3", grid_price_usd_per_mwh=s3_price)
    lat = [dict(BASE["latency"][0], site=s) for s in ("s1", "s2", "s3")]
    demand = [dict(BASE["demand"][0], year=2026), dict(BASE["demand"][0], year=2027, tokens_per_year=2e13)]
    return write_scenario(tmp_path / "scn", sites=[s1, s2, s3], latency=lat, demand=demand, toml={"end_year": 2027})


def test_identical_sites_are_grouped_by_every_input(tmp_path):
    d = build_data(load_scenario(_three_sites(tmp_path, s3_price=60)))
    assert d.identical_sites == [["s1", "s2"]]  # s3's grid price differs
    d = build_data(load_scenario(_three_sites(tmp_path / "same", s3_price=50)))
    assert d.identical_sites == [["s1", "s2", "s3"]]
    m = build_model(d)
    # open[s1,y] >= open[s2,y], open[s2,y] >= open[s3,y] for both years
    assert sorted(m.SITE_ORDER) == [("s1", 2026, "s2"), ("s1", 2027, "s2"), ("s2", 2026, "s3"), ("s2", 2027, "s3")]


def test_site_order_keeps_the_optimum_and_opens_the_first_name(tmp_path):
    folder = _three_sites(tmp_path, s3_price=50)
    objectives = []
    for keep in (True, False):
        d = build_data(load_scenario(folder))
        m = build_model(d)
        if not keep:
            m.site_order.deactivate()
        res = solve_model(m, time_limit=60, mip_gap=1e-9, threads=1, seed=1)
        assert res.status == "optimal"
        objectives.append(res.objective)
        if keep:
            assert [round(m.open["s1", y].value) for y in (2026, 2027)] == [1, 1]
            assert [round(m.open[s, y].value) for s in ("s2", "s3") for y in (2026, 2027)] == [0, 0, 0, 0]
    assert objectives[0] == pytest.approx(objectives[1], rel=1e-9)
    # one site serves both years: the two-year hand case (57 units and 1 block in 2026,
    # 114 units and 2 blocks in 2027)
    c26 = OPEN * crf(RATE, 30) + (BUILD + COOL) * crf(RATE, 15) + 57 * 300_000 * crf(RATE, 5)
    c26 += load_mw(1e13) * 8760 * 50
    c27 = OPEN * crf(RATE, 30) + 2 * (BUILD + COOL) * crf(RATE, 15) + 114 * 300_000 * crf(RATE, 5)
    c27 += load_mw(2e13) * 8760 * 50
    assert objectives[0] * 1e6 == pytest.approx(c26 + c27 / 1.07, rel=1e-7)
