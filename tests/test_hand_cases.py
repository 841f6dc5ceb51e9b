"""Hand-computed cases: each objective below is worked out from the formulas of DESIGN.md §4
in the test itself (CRF, discount factors, slice weights), not read from the program.

Common figures of the base scenario (tests/builder.py): one 8-GPU unit makes
1000 tok/s/GPU x 8 x 3600 x 8760 x 0.7 = 1.766016e11 tokens a year, so 1e13 tokens need
56.6246 active units -> 57 bought; 10 kW per unit; hall blocks of 1 MW; PUE 1.2; load
factor 0.8; grid 50 USD/MWh.
"""

from __future__ import annotations

import math

import pytest
from builder import BASE, write_scenario

from planner.api import plan

RATE = 0.07
UNIT_TOKENS = 1000 * 8 * 3600 * 8760 * 0.7  # tokens per unit-year at max_utilization
OPEN, BUILD, COOL = 10e6, 5e6, 1e6


def crf(rate: float, life: int) -> float:
    return rate / (1 - (1 + rate) ** -life)


def load_mw(tokens: float, pue: float = 1.2) -> float:
    active = tokens / UNIT_TOKENS
    return 0.8 * active * 10 / 1000 * pue


def solve(tmp_path, **kw):
    write_scenario(tmp_path / "scn", **kw)
    return plan(tmp_path / "scn")


def test_one_site_one_chip_grid_one_year(tmp_path):
    p = solve(tmp_path)
    assert p.result.status == "optimal"
    units = math.ceil(1e13 / UNIT_TOKENS)
    assert units == 57
    cap = p.tables["capacity"].iloc[0]
    assert cap["units_installed"] == 57
    assert cap["units_active"] == pytest.approx(1e13 / UNIT_TOKENS, rel=1e-9)
    expected = (
        OPEN * crf(RATE, 30)  # site
        + (BUILD + COOL) * 1 * crf(RATE, 15)  # one 1 MW hall block
        + 57 * 300_000 * crf(RATE, 5)  # chips
        + load_mw(1e13) * 8760 * 50  # grid energy
    )
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)
    inv = p.tables["investment_schedule"]
    assert set(inv["item"]) == {"site", "hall air", "x1 (air)"}
    assert inv.loc[inv["item"] == "x1 (air)", "capex_usd"].iloc[0] == pytest.approx(57 * 300_000)
    assert p.tables["unserved"].empty


def test_two_years_discounting_and_crf(tmp_path):
    demand = [
        {"region": "r1", "model": "m1", "year": 2026, "tokens_per_year": 1e13, "max_latency_ms": ""},
        {"region": "r1", "model": "m1", "year": 2027, "tokens_per_year": 2e13, "max_latency_ms": ""},
    ]
    p = solve(tmp_path, toml={"end_year": 2027}, demand=demand)
    # 2026: 57 units, 1 block; 2027: ceil(113.25) = 114 units, ceil(1.1325 MW) = 2 blocks
    c26 = (
        OPEN * crf(RATE, 30) + (BUILD + COOL) * crf(RATE, 15) + 57 * 300_000 * crf(RATE, 5) + load_mw(1e13) * 8760 * 50
    )
    c27 = (
        OPEN * crf(RATE, 30)
        + 2 * (BUILD + COOL) * crf(RATE, 15)
        + 114 * 300_000 * crf(RATE, 5)
        + load_mw(2e13) * 8760 * 50
    )
    assert p.summary()["objective_usd"] == pytest.approx(c26 + c27 / 1.07, rel=1e-7)
    inv = p.tables["investment_schedule"].set_index(["year", "item"])
    assert inv.loc[(2026, "x1 (air)"), "quantity"] == 57
    assert inv.loc[(2027, "x1 (air)"), "quantity"] == 57
    assert inv.loc[(2027, "hall air"), "quantity"] == 1
    costs = p.tables["costs"].set_index(["year", "component"])
    assert costs.loc[(2027, "chip_capital"), "usd_discounted"] == pytest.approx(
        114 * 300_000 * crf(RATE, 5) / 1.07, rel=1e-9
    )


def test_unserved_cheaper_than_building(tmp_path):
    p = solve(tmp_path, toml={"unserved_penalty_usd_per_mtok": 0.01})
    # 1e13 tokens = 1e7 million tokens at 0.01 USD each; building costs millions
    assert p.summary()["objective_usd"] == pytest.approx(1e7 * 0.01, rel=1e-9)
    assert p.tables["investment_schedule"].empty
    assert p.tables["unserved"]["tokens"].sum() == pytest.approx(1e13, rel=1e-9)


def _solar_battery_case(grid_price):
    slices = [
        {"slice": "night", "day": "d", "hour": 0, "duration_h": 12, "days_per_year": 365, "grid_price_mult": 1},
        {"slice": "day", "day": "d", "hour": 12, "duration_h": 12, "days_per_year": 365, "grid_price_mult": 1},
    ]
    sites = [dict(BASE["sites"][0], grid_price_usd_per_mwh=grid_price)]
    power = [dict(r) for r in BASE["power"]]
    for r in power:
        if r["tech"] == "battery":
            r["storage_hours"] = 12
    return dict(
        slices=slices,
        sites=sites,
        power=power,
        site_power=[{"site": "s1", "tech": "solar", "max_mw": ""}, {"site": "s1", "tech": "battery", "max_mw": ""}],
        profiles=[
            {"site": "s1", "tech": "solar", "slice": "day", "capacity_factor": 1.0},
            {"site": "s1", "tech": "solar", "slice": "night", "capacity_factor": 0.0},
        ],
    )


def test_solar_battery_versus_grid(tmp_path):
    """Solar (capacity factor 1 by day, 0 by night, 12 h each) costs
    1000 x CRF(25) + 20 = 105.8 kUSD per MW-year, i.e. 24.2 USD/MWh of daytime energy;
    moving a night MWh through the battery (12 h, 85 %) costs 64.6 USD/MWh. So: grid at
    20 USD/MWh -> grid only; at 50 -> solar by day, grid by night; at 1000 -> solar and
    battery only."""
    base = OPEN * crf(RATE, 30) + (BUILD + COOL) * crf(RATE, 15) + 57 * 300_000 * crf(RATE, 5)
    L = load_mw(1e13)
    solar_yr = 1000 * (1000 * crf(RATE, 25) + 20)  # USD per MW-year
    batt_yr = 1000 * (1000 * crf(RATE, 15) + 25)
    assert solar_yr / 4380 == pytest.approx(24.16, abs=0.01)
    assert (solar_yr + batt_yr) / 0.85 / 4380 == pytest.approx(64.63, abs=0.01)

    p = solve(tmp_path / "cheap", **_solar_battery_case(20))
    assert set(p.tables["energy"]["tech"]) == {"grid"}
    assert p.summary()["objective_usd"] == pytest.approx(base + L * 8760 * 20, rel=1e-7)

    p = solve(tmp_path / "mid", **_solar_battery_case(50))
    e = p.tables["energy"].set_index("tech")
    assert set(e.index) == {"grid", "solar"}
    assert e.loc["solar", "capacity_mw"] == pytest.approx(L, rel=1e-6)
    assert e.loc["grid", "energy_mwh"] == pytest.approx(L * 4380, rel=1e-6)
    assert p.summary()["objective_usd"] == pytest.approx(base + L * solar_yr + L * 4380 * 50, rel=1e-7)

    # night: discharge L for 12 h; the battery recharges in the 12 h of day at 85 %, so
    # its power is L/0.85 and solar covers L + L/0.85 by day
    p = solve(tmp_path / "dear", **_solar_battery_case(1000))
    e = p.tables["energy"].set_index("tech")
    assert "grid" not in e.index
    solar_mw = L + L / 0.85
    batt_mw = L / 0.85
    assert e.loc["solar", "capacity_mw"] == pytest.approx(solar_mw, rel=1e-6)
    assert e.loc["battery", "capacity_mw"] == pytest.approx(batt_mw, rel=1e-6)
    expected = base + solar_mw * solar_yr + batt_mw * batt_yr
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)


def test_latency_limit_forces_farther_allowed_site(tmp_path):
    site = BASE["sites"][0]
    sites = [
        dict(site, site="near", open_cost_usd=100e6),
        dict(site, site="far", open_cost_usd=10e6),
        dict(site, site="toofar", open_cost_usd=1e6),
    ]
    latency = [
        {"region": "r1", "site": "near", "latency_ms": 5, "network_cost_usd_per_mtok": 0},
        {"region": "r1", "site": "far", "latency_ms": 40, "network_cost_usd_per_mtok": 0},
        {"region": "r1", "site": "toofar", "latency_ms": 80, "network_cost_usd_per_mtok": 0},
    ]
    demand = [{"region": "r1", "model": "m1", "year": 2026, "tokens_per_year": 1e13, "max_latency_ms": 50}]
    p = solve(tmp_path, sites=sites, latency=latency, demand=demand)
    assert set(p.tables["serving"]["site"]) == {"far"}
    expected = (
        10e6 * crf(RATE, 30) + (BUILD + COOL) * crf(RATE, 15) + 57 * 300_000 * crf(RATE, 5) + load_mw(1e13) * 8760 * 50
    )
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)


def test_lead_time_delays_a_tech(tmp_path):
    demand = [
        {"region": "r1", "model": "m1", "year": 2026, "tokens_per_year": 1e13, "max_latency_ms": ""},
        {"region": "r1", "model": "m1", "year": 2027, "tokens_per_year": 1e13, "max_latency_ms": ""},
    ]
    sites = [dict(BASE["sites"][0], grid_cap_mw=0)]  # no grid: only gas can power the site
    power = [dict(r) for r in BASE["power"]]
    for r in power:
        if r["tech"] == "gas":
            r["lead_time_years"] = 1
    p = solve(
        tmp_path,
        toml={"end_year": 2027},
        demand=demand,
        sites=sites,
        power=power,
        site_power=[{"site": "s1", "tech": "gas", "max_mw": ""}],
    )
    inv = p.tables["investment_schedule"]
    gas = inv[inv["item"] == "gas"]
    assert list(gas["year"]) == [2027]
    un = p.tables["unserved"].set_index("year")["tokens"]
    assert un.loc[2026] == pytest.approx(1e13, rel=1e-9)
    assert 2027 not in un.index
    L = load_mw(1e13)
    c26 = 1e7 * 100  # all of 2026 unserved at 100 USD per million tokens
    c27 = (
        OPEN * crf(RATE, 30)
        + (BUILD + COOL) * crf(RATE, 15)
        + 57 * 300_000 * crf(RATE, 5)
        + L * 1000 * (1000 * crf(RATE, 30) + 20)
        + L * 8760 * (2 + 25)
    )
    assert p.summary()["objective_usd"] == pytest.approx(c26 + c27 / 1.07, rel=1e-7)


def test_chip_last_year_forces_next_generation(tmp_path):
    demand = [
        {"region": "r1", "model": "m1", "year": 2026, "tokens_per_year": 1e13, "max_latency_ms": ""},
        {"region": "r1", "model": "m1", "year": 2027, "tokens_per_year": 1e13, "max_latency_ms": ""},
    ]
    x1 = dict(BASE["chips"][0], last_year=2026, lifetime_years=1)
    x2 = dict(BASE["chips"][0], chip="x2", capex_usd_per_unit=400_000, lifetime_years=1)
    throughput = [
        {"model": "m1", "chip": "x1", "tokens_per_s_per_chip": 1000, "source": "t"},
        {"model": "m1", "chip": "x2", "tokens_per_s_per_chip": 1000, "source": "t"},
    ]
    p = solve(tmp_path, toml={"end_year": 2027}, demand=demand, chips=[x1, x2], throughput=throughput)
    inv = p.tables["investment_schedule"]
    chips = inv[inv["layer"] == "chips"].set_index("year")["item"]
    assert chips.loc[2026] == "x1 (air)"
    assert chips.loc[2027] == "x2 (air)"
    common = OPEN * crf(RATE, 30) + (BUILD + COOL) * crf(RATE, 15) + load_mw(1e13) * 8760 * 50
    c26 = common + 57 * 300_000 * crf(RATE, 1)
    c27 = common + 57 * 400_000 * crf(RATE, 1)
    assert crf(RATE, 1) == pytest.approx(1.07)
    assert p.summary()["objective_usd"] == pytest.approx(c26 + c27 / 1.07, rel=1e-7)


def test_solves_with_different_thread_counts_in_one_process(tmp_path):
    """HiGHS sizes one process-wide scheduler on its first run; a later solve asking for
    another thread count used to fail at once ("no plan found")."""
    write_scenario(tmp_path / "scn")
    expected = (
        OPEN * crf(RATE, 30) + (BUILD + COOL) * crf(RATE, 15) + 57 * 300_000 * crf(RATE, 5) + load_mw(1e13) * 8760 * 50
    )
    for threads in (1, 2, 1):
        p = plan(tmp_path / "scn", threads=threads)
        assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)
