"""Marginal token costs and shadow prices of binding limits (planner.solver.marginal), checked
against values computed by hand on one-site, one-chip, grid-only scenarios (tests/builder.py).

Hand figures of the base scenario (chip x1: 8 chips x 1000 tok/s, 10 kW, 300 k$, 5 years;
air cooling PUE 1.2; hall 5 M$/MW shell + 1 M$/MW cooling, 15 years; grid 50 $/MWh; rate 7 %):
a unit makes 8000 x 3600 x 8760 x 0.7 tokens a year and draws 10 kW x 0.8 x 1.2 from the grid.
"""

from __future__ import annotations

import pytest
from builder import BASE, write_scenario

from planner.api import plan
from planner.model.data import crf
from planner.reporting.limits import sentences
from planner.solver.marginal import analyse

MTOK_PER_UNIT_YR = 8 * 1000 * 3600 * 8760 * 0.7 / 1e6  # 176,601.6
ENERGY_USD_PER_UNIT_YR = 10 * 0.8 * 1.2 * 8760 / 1000 * 50  # 4,204.8
CHIP_USD_PER_UNIT_YR = 300_000 * crf(0.07, 5)  # annuity, no fixed O&M
HALL_USD_PER_UNIT_YR = 6_000_000 * crf(0.07, 15) * 10 / 1000  # hall share of 10 kW IT
ENERGY_PER_MTOK = ENERGY_USD_PER_UNIT_YR / MTOK_PER_UNIT_YR
LONG_RUN_PER_MTOK = (CHIP_USD_PER_UNIT_YR + HALL_USD_PER_UNIT_YR + ENERGY_USD_PER_UNIT_YR) / MTOK_PER_UNIT_YR


def _demand(*pairs):
    return [{"region": "r1", "model": "m1", "year": y, "tokens_per_year": t, "max_latency_ms": ""} for y, t in pairs]


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    # demand grows, so the long-run price is not degenerate: one more token in 2026 means
    # one unit bought a year earlier (its 2026 annuity), in 2027 one more unit.
    folder = write_scenario(
        tmp_path_factory.mktemp("two_years"),
        toml={"end_year": 2027},
        demand=_demand((2026, 1e13), (2027, 1.5e13)),
    )
    p = plan(folder)
    return p, analyse(p.model, p.data)


def test_short_run_token_cost_is_the_energy_of_a_spare_unit(two_years):
    p, mk = two_years
    assert mk.status == {"short_run": "optimal", "long_run": "optimal"}
    # 57 and 85 units are bought for 56.6 and 84.9 units of work: with every integer fixed,
    # one more token runs a spare unit a little longer, paying only its energy (2027 is
    # undiscounted back from DF = 1/1.07)
    mc = mk.marginal_costs.set_index("year")
    assert mc.loc[2026, "usd_per_mtok"] == pytest.approx(ENERGY_PER_MTOK, rel=1e-6)
    assert mc.loc[2027, "usd_per_mtok"] == pytest.approx(ENERGY_PER_MTOK, rel=1e-6)
    assert ENERGY_PER_MTOK == pytest.approx(0.0238095, rel=1e-5)


def test_long_run_token_cost_is_the_annualised_unit_plus_energy(two_years):
    p, mk = two_years
    mc = mk.marginal_costs.set_index("year")
    for y in (2026, 2027):
        assert mc.loc[y, "usd_per_mtok_long_run"] == pytest.approx(LONG_RUN_PER_MTOK, rel=1e-6)
    assert LONG_RUN_PER_MTOK == pytest.approx(0.4754186, rel=1e-6)


def test_model_is_restored_after_the_lp_resolves(two_years):
    p, _ = two_years
    m = p.model
    for v in m.buy.values():
        assert not v.fixed and v.is_integer()
    assert all(v.is_binary() and not v.fixed for v in m.open.values())
    assert m.buy["s1", "x1", "air", 2026].ub is not None
    assert round(m.buy["s1", "x1", "air", 2026].value) == 57


def test_grid_limit_shadow_price_is_the_running_cost_difference(tmp_path):
    # grid capped at 0.3 MW of a 0.544 MW load; the rest comes from one 1 MW gas unit
    # (lumpy, so fixed in the short run) running at 2 + 60 $/MWh against 50 $/MWh grid:
    # one more MW of interconnect saves 12 $/MWh for 8760 h
    power = [dict(r) for r in BASE["power"]]
    gas = next(r for r in power if r["tech"] == "gas")
    gas.update(unit_mw=1, fuel_usd_per_mwh=60)
    sites = [dict(BASE["sites"][0], grid_cap_mw=0.3)]
    folder = write_scenario(
        tmp_path, sites=sites, power=power, site_power=[{"site": "s1", "tech": "gas", "max_mw": ""}]
    )
    p = plan(folder)
    mk = analyse(p.model, p.data)
    bl = mk.binding_limits
    grid = bl[bl["limit"] == "grid_interconnect"]
    assert len(grid) == 1
    row = grid.iloc[0]
    assert (row["item"], row["year"], row["unit"], row["basis"]) == ("s1", 2026, "USD per MW-year", "short_run")
    assert row["shadow_price"] == pytest.approx(8760 * (62 - 50), rel=1e-6)
    text = sentences(bl, {"s1": "Site 1"})
    assert any(
        t.startswith("The grid interconnect at Site 1 binds in 2026: each extra MW would save $105,120") for t in text
    )


def test_site_capacity_shadow_price_long_run(tmp_path):
    # 0.5 MW IT of site for 0.57 MW of work: one more MW IT holds 100 more units, each
    # serving tokens that would otherwise pay the 100 $/Mtok penalty
    sites = [dict(BASE["sites"][0], max_it_mw=0.5)]
    folder = write_scenario(tmp_path, sites=sites, toml={"hall_block_mw": 0.1})
    p = plan(folder)
    mk = analyse(p.model, p.data)
    bl = mk.binding_limits
    site = bl[bl["limit"] == "site_it_capacity"]
    assert len(site) == 1 and site.iloc[0]["item"] == "s1" and site.iloc[0]["basis"] == "long_run"
    per_unit = MTOK_PER_UNIT_YR * 100 - (CHIP_USD_PER_UNIT_YR + HALL_USD_PER_UNIT_YR + ENERGY_USD_PER_UNIT_YR)
    assert site.iloc[0]["shadow_price"] == pytest.approx(100 * per_unit, rel=1e-6)
    # at the margin tokens go unserved: the short-run and long-run token prices are the penalty
    assert mk.marginal_costs["usd_per_mtok_long_run"].iloc[0] == pytest.approx(100, rel=1e-9)


def test_chip_supply_shadow_price_long_run(tmp_path):
    chips = [dict(BASE["chips"][0], max_units_per_year=30)]
    folder = write_scenario(tmp_path, chips=chips)
    p = plan(folder)
    mk = analyse(p.model, p.data)
    bl = mk.binding_limits
    sup = bl[bl["limit"] == "chip_supply"]
    assert len(sup) == 1 and sup.iloc[0]["item"] == "x1" and sup.iloc[0]["unit"] == "USD per unit"
    # one more unit in the single year: serves a unit-year of tokens instead of the penalty,
    # and costs one year of annuity, its hall share and its energy
    per_unit = MTOK_PER_UNIT_YR * 100 - (CHIP_USD_PER_UNIT_YR + HALL_USD_PER_UNIT_YR + ENERGY_USD_PER_UNIT_YR)
    assert sup.iloc[0]["shadow_price"] == pytest.approx(per_unit, rel=1e-6)


def test_short_run_only_skips_the_second_lp(two_years):
    p, _ = two_years
    mk = analyse(p.model, p.data, long_run=False)
    assert set(mk.status) == {"short_run"}
    assert mk.marginal_costs["usd_per_mtok_long_run"].isna().all()
