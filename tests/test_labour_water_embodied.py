"""Skilled labour (12), water (13) and embodied carbon E[y] (DESIGN.md §7.1, §7.2, §7.4):
each pinned by a hand-computed case where it binds, and the program without their inputs is
exactly today's (same rows, columns and objective).

Figures of the base scenario (tests/builder.py, as in test_hand_cases.py): one unit makes
UNIT_TOKENS = 1000 x 8 x 3600 x 8760 x 0.7 tokens a year, 10 kW IT; 1e13 tokens need 56.62
active units (57 bought, one 1 MW hall block); PUE 1.2; load factor 0.8; grid 50 USD/MWh.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builder import BASE, bundled_copy, write_scenario

from planner import api
from planner.api import plan
from planner.io.scenario import load_scenario
from planner.model import build_data, build_model
from planner.reporting.checks import check_plan

RATE = 0.07
UNIT_TOKENS = 1000 * 8 * 3600 * 8760 * 0.7
OPEN, BUILD, COOL = 10e6, 5e6, 1e6
LABOUR_HEADER = "asset,trade,build_worker_years_per_mw,ops_workers_per_mw,source\n"
SUPPLY_HEADER = "pool,trade,year,worker_years,premium_usd_per_worker_year\n"


def crf(rate: float, life: int) -> float:
    return rate / (1 - (1 + rate) ** -life)


def grid_cost(tokens: float, pue: float = 1.2) -> float:
    return 0.8 * tokens / UNIT_TOKENS * 10 / 1000 * pue * 8760 * 50


def base_objective(units: int = 57, build: float = BUILD, cool: float = COOL, chip_capex: float = 300_000) -> float:
    return OPEN * crf(RATE, 30) + (build + cool) * crf(RATE, 15) + units * chip_capex * crf(RATE, 5) + grid_cost(1e13)


def scenario(tmp_path, name="scn", labour=None, supply=None, **kw) -> Path:
    f = write_scenario(tmp_path / name, **kw)
    if labour is not None:
        (f / "labour.csv").write_text(LABOUR_HEADER + labour)
    if supply is not None:
        (f / "labour_supply.csv").write_text(SUPPLY_HEADER + supply)
    return f


def two_years(demand_2026=1e13, demand_2027=None):
    rows = [dict(BASE["demand"][0], year=2026, tokens_per_year=demand_2026)]
    if demand_2027:
        rows.append(dict(BASE["demand"][0], year=2027, tokens_per_year=demand_2027))
    return {"toml": {"end_year": 2027}, "demand": rows}


# ------------------------------------------------------------------ the program without inputs


def _lp(folder: Path, monkeypatch=None, off: bool = False) -> str:
    from planner.model import embodied, labour, water

    if off:
        for mod in (labour, water, embodied):
            monkeypatch.setattr(mod, "define", lambda m, d: None)
    m = build_model(build_data(load_scenario(folder)))
    if off:
        monkeypatch.undo()
    buf = Path(folder) / ("off.lp" if off else "on.lp")
    m.write(str(buf), io_options={"symbolic_solver_labels": True})
    return buf.read_text()


@pytest.mark.parametrize("variant", ["bare", "inputs_that_add_nothing"])
def test_hand_scenario_without_inputs_builds_todays_program(tmp_path, monkeypatch, variant):
    """No §7.1/7.2/7.4 input, or inputs that by DESIGN add no row (labour figures without a
    supply row, a lifecycle scope without embodied figures, embodied figures under the
    operational scope, a wue_mult without cap or price): the LP file is byte-identical to the
    one built with the three modules switched off."""
    kw = {}
    labour = None
    if variant == "inputs_that_add_nothing":
        labour = "air,electricians,5,0.5,t\nx1,installers,2,,t\n"
        kw["toml"] = {"carbon_scope": "lifecycle", "carbon_price_usd_per_t": 50}
        kw["sites"] = [dict(BASE["sites"][0], wue_mult=1.4, labour_pool="p9")]
    f = scenario(tmp_path, labour=labour, **kw)
    assert _lp(f) == _lp(f, monkeypatch, off=True)
    if variant == "inputs_that_add_nothing":
        chips = [dict(BASE["chips"][0], embodied_co2_t_per_unit=3)]
        f2 = scenario(tmp_path, "op", chips=chips, toml={"carbon_price_usd_per_t": 50})
        assert _lp(f2) == _lp(f2, monkeypatch, off=True)


def test_us_builds_todays_program(tmp_path, monkeypatch):
    """The bundled `us` (its catalog labour figures, no labour_supply.csv, no water caps or
    prices, operational scope), one year: identical LP with and without the new modules."""
    f = bundled_copy(tmp_path / "us", 2026, name="us")
    assert _lp(f) == _lp(f, monkeypatch, off=True)


# ------------------------------------------------------------------ (12) skilled labour


def test_premium_paid_for_extra_workers(tmp_path):
    """Air halls need 5 construction worker-years and 0.5 operations workers per MW: one 1 MW
    block in 2026 needs 5.5 worker-years; 3 are available, so 2.5 are hired at 100,000 USD
    each, paid in the year hired: the objective rises by exactly 250,000 USD (DF = 1), and
    the long-run shadow price of the row is the premium."""
    f = scenario(
        tmp_path, labour="air,electricians,5,0.5,t\n", supply="r1,electricians,2026,3,100000\nr1,electricians,2030,1,\n"
    )
    p = api.solve(f)
    assert p.failures == []
    assert p.summary()["objective_usd"] == pytest.approx(base_objective() + 250_000, rel=1e-9)
    lab = p.tables["labour"]
    assert len(lab) == 1  # the 2030 row is outside the horizon
    r = lab.iloc[0]
    assert (r["construction_worker_years"], r["operations_workers"], r["available_worker_years"]) == (5, 0.5, 3)
    assert r["extra_workers"] == pytest.approx(2.5)
    assert r["shadow_price_usd_per_worker_year"] == pytest.approx(100_000, rel=1e-6)
    costs = p.tables["costs"]
    assert costs.loc[costs["component"] == "labour_premium", "usd"].sum() == pytest.approx(250_000)


def test_hard_limit_moves_the_build_to_another_pool(tmp_path):
    """s1 (pool r1) has 3 electrician-years, a block needs 5: the hall goes to s2, in its own
    pool p2 and 1 MUSD/MW dearer, whose cost the objective then carries."""
    s1 = dict(BASE["sites"][0])
    s2 = dict(BASE["sites"][0], site="s2", build_cost_usd_per_mw_it=6e6, labour_pool="p2")
    lat = BASE["latency"] + [dict(BASE["latency"][0], site="s2")]
    f = scenario(
        tmp_path, labour="air,electricians,5,,t\n", supply="r1,electricians,2026,3,\n", sites=[s1, s2], latency=lat
    )
    p = plan(f)
    inv = p.tables["investment_schedule"]
    assert set(inv["site"]) == {"s2"}
    assert p.summary()["objective_usd"] == pytest.approx(base_objective(build=6e6), rel=1e-9)
    free = plan(scenario(tmp_path, "free", labour="air,electricians,5,,t\n", sites=[s1, s2], latency=lat))
    assert set(free.tables["investment_schedule"]["site"]) == {"s1"}


def test_hard_limit_forces_the_build_a_year_later(tmp_path):
    """No electricians in 2026 (a row of 0) and no row for 2027: nothing can be built in 2026,
    so its demand is unserved and the hall enters service in 2027."""
    f = scenario(
        tmp_path, labour="air,electricians,5,,t\n", supply="r1,electricians,2026,0,\n", **two_years(1e13, 1e13)
    )
    p = plan(f)
    inv = p.tables["investment_schedule"]
    assert set(inv.loc[inv["item"] == "hall air", "year"]) == {2027}
    un = p.tables["unserved"]
    assert un.loc[un["year"] == 2026, "tokens"].sum() == pytest.approx(1e13, rel=1e-9)
    assert un.loc[un["year"] == 2027, "tokens"].sum() == pytest.approx(0.0, abs=1.0)


def test_operations_staff_of_a_later_year_cap_earlier_builds(tmp_path):
    """2 operations workers per MW of air halls, only 2 available in 2027: a hall built in
    2026 is still in service in 2027, so 2026 can have one 1 MW block only, i.e. 100 units,
    although 2026 itself has no labour row and its demand (3e13 tokens) needs 170."""
    f = scenario(tmp_path, labour="air,operations,,2,t\n", supply="r1,operations,2027,2,\n", **two_years(3e13))
    p = plan(f)
    un = p.tables["unserved"]
    assert un.loc[un["year"] == 2026, "tokens"].sum() == pytest.approx(3e13 - 100 * UNIT_TOKENS, rel=1e-9)
    free = plan(scenario(tmp_path, "free", labour="air,operations,,2,t\n", **two_years(3e13)))
    assert free.tables["unserved"].empty


# ------------------------------------------------------------------ (13) water


def test_water_cap_limits_cooling_water(tmp_path):
    """An active unit evaporates 8.76 x 0.8 x 10/1000 MW x 0.3 L/kWh = 0.021024 ML a year; a
    cap of 1.0512 ML lets 50 units run, so 1e13 - 50 x UNIT_TOKENS tokens are unserved."""
    per_unit = 8.76 * 0.8 * 0.01 * 0.3
    site = dict(BASE["sites"][0], water_cap_ml_per_yr=50 * per_unit)
    p = api.solve(scenario(tmp_path, sites=[site]))
    assert p.failures == []
    assert p.tables["unserved"]["tokens"].sum() == pytest.approx(1e13 - 50 * UNIT_TOKENS, rel=1e-9)
    w = p.tables["water"].iloc[0]
    assert w["cooling_ml"] == pytest.approx(50 * per_unit, rel=1e-9)
    assert w["cap_ml"] == pytest.approx(50 * per_unit)


def _gas_site(tmp_path, name, cap=None, price=None):
    site = dict(BASE["sites"][0])
    if cap is not None:
        site["water_cap_ml_per_yr"] = cap
    if price is not None:
        site["water_price_usd_per_ml"] = price
    cooling = [dict(BASE["cooling"][0], wue_l_per_kwh=0)]
    power = [dict(t, water_l_per_mwh=1000 if t["tech"] == "gas" else "") for t in BASE["power"]]
    sp = [{"site": "s1", "tech": "gas", "max_mw": ""}]
    return scenario(tmp_path, name, sites=[site], cooling=cooling, power=power, site_power=sp)


def test_water_cap_limits_generation_water(tmp_path):
    """Gas (1000 L/MWh) is cheaper than the grid here, so without a cap it carries the whole
    load; a 2 ML cap lets it make 2000 MWh, the grid the rest. Short-run shadow price of the
    cap: one more ML is 1000 MWh more gas instead of grid, at 50 - 27 USD/MWh, less the
    capacity to make it (1000/8760 MW of annuity and fixed O&M)."""
    p = api.solve(_gas_site(tmp_path, "cap", cap=2.0))
    assert p.failures == []
    en = p.tables["energy"]
    assert en.loc[en["tech"] == "gas", "energy_mwh"].sum() == pytest.approx(2000, rel=1e-9)
    assert p.tables["water"]["generation_ml"].sum() == pytest.approx(2.0, rel=1e-9)
    bl = p.tables["binding_limits"]
    wc = bl[bl["limit"] == "water_cap"].iloc[0]
    per_mw_year = 1000 * 1000 * crf(RATE, 30) + 20 * 1000
    assert wc["basis"] == "short_run"
    assert wc["shadow_price"] == pytest.approx(1000 * (50 - 27) - 1000 / 8760 * per_mw_year, rel=1e-6)
    free = plan(_gas_site(tmp_path, "free"))
    en = free.tables["energy"]
    assert en.loc[en["tech"] == "gas", "energy_mwh"].sum() > 4000


def test_water_price_enters_the_objective(tmp_path):
    """A price of 100,000 USD/ML with a climate multiplier of 1.5 on WUE 0.3: the plan does not
    move, and the objective rises by price x W = 1e5 x 8.76 x 0.8 x active MW x 0.45."""
    site = dict(BASE["sites"][0], water_price_usd_per_ml=100_000, wue_mult=1.5)
    p = plan(scenario(tmp_path, sites=[site]))
    active_mw = 1e13 / UNIT_TOKENS * 10 / 1000
    water = 8.76 * 0.8 * active_mw * 0.3 * 1.5
    assert p.summary()["objective_usd"] == pytest.approx(base_objective() + 100_000 * water, rel=1e-9)
    assert p.tables["water"]["total_ml"].sum() == pytest.approx(water, rel=1e-9)


# ------------------------------------------------------------------ E[y] embodied carbon


def _two_chips():
    x2 = dict(BASE["chips"][0], chip="x2", capex_usd_per_unit=290_000, embodied_co2_t_per_unit=100)
    chips = [dict(BASE["chips"][0], embodied_co2_t_per_unit=""), x2]
    tp = BASE["throughput"] + [dict(BASE["throughput"][0], chip="x2")]
    return {"chips": chips, "throughput": tp}


def test_lifecycle_scope_under_a_carbon_price(tmp_path):
    """x2 is 10,000 USD cheaper a unit but carries 100 t each. Operational scope: x2 is bought
    (embodied CO2 reported only, 5700 t). Lifecycle at 100 USD/t: 57 x 100 t x 100 USD is paid
    in the year bought, more than the annuity saved, so x1 is bought and the objective is the
    x1 plan's."""
    op = plan(scenario(tmp_path, "op", toml={"carbon_price_usd_per_t": 100}, **_two_chips()))
    assert set(op.tables["capacity"]["chip"]) == {"x2"}
    assert op.summary()["objective_usd"] == pytest.approx(base_objective(chip_capex=290_000), rel=1e-9)
    em = op.tables["emissions"].set_index("source")["co2_t"]
    assert em["embodied_chips"] == pytest.approx(5700)
    life = plan(
        scenario(tmp_path, "life", toml={"carbon_price_usd_per_t": 100, "carbon_scope": "lifecycle"}, **_two_chips())
    )
    assert set(life.tables["capacity"]["chip"]) == {"x1"}
    assert life.summary()["objective_usd"] == pytest.approx(base_objective(), rel=1e-9)
    # priced embodied CO2 is a cost term: forcing x2 under lifecycle pays 570,000 USD for it
    only_x2 = _two_chips()
    only_x2["chips"] = only_x2["chips"][1:]
    only_x2["throughput"] = only_x2["throughput"][1:]
    forced = plan(
        scenario(tmp_path, "forced", toml={"carbon_price_usd_per_t": 100, "carbon_scope": "lifecycle"}, **only_x2)
    )
    assert forced.summary()["objective_usd"] == pytest.approx(base_objective(chip_capex=290_000) + 570_000, rel=1e-9)


def test_lifecycle_scope_under_a_carbon_cap(tmp_path):
    """Air halls carry 50 t/MW, liquid ones 10 t/MW and cost 0.5 MUSD/MW more. A cap of 20 t a
    year (the grid is carbon-free): operational scope builds air; lifecycle builds liquid."""
    cooling = [
        dict(BASE["cooling"][0], embodied_co2_t_per_mw_it=50),
        dict(
            BASE["cooling"][0],
            cooling="liquid",
            capex_usd_per_mw_it=1.5e6,
            max_rack_kw=100,
            embodied_co2_t_per_mw_it=10,
        ),
    ]
    op = plan(scenario(tmp_path, "op", cooling=cooling, toml={"carbon_cap_t": 20}))
    assert set(op.tables["capacity"]["cooling"]) == {"air"}
    life = plan(scenario(tmp_path, "life", cooling=cooling, toml={"carbon_cap_t": 20, "carbon_scope": "lifecycle"}))
    assert set(life.tables["capacity"]["cooling"]) == {"liquid"}
    assert life.summary()["objective_usd"] == pytest.approx(base_objective(cool=1.5e6), rel=1e-9)
    em = life.tables["emissions"].set_index("source")["co2_t"]
    assert em["embodied_halls"] == pytest.approx(10)
    assert check_plan(life) == []


# ------------------------------------------------------------------ results folder, report, export, compare


def test_results_folder_report_export_and_compare(tmp_path):
    """labour.csv, water.csv and emissions.csv are written with the columns of DESIGN.md §7,
    read back, re-checked from the folder (check_results), rendered in the report with their
    plots, exported in JSON (valid against the schema) and compared."""
    from click.testing import CliRunner

    from planner.cli import main
    from planner.reporting.checks import check_results
    from planner.reporting.compare import compare

    site = dict(BASE["sites"][0], water_cap_ml_per_yr=100)
    chips = [dict(BASE["chips"][0], embodied_co2_t_per_unit=2)]
    f = scenario(
        tmp_path,
        labour="air,electricians,5,0.5,t\n",
        supply="r1,electricians,2026,3,100000\n",
        sites=[site],
        chips=chips,
    )
    out = api.solve(f).write(tmp_path / "out")
    res = api.read_results(out)
    assert list(res.tables["labour"].columns) == [
        "year",
        "pool",
        "trade",
        "construction_worker_years",
        "operations_workers",
        "available_worker_years",
        "extra_workers",
        "shadow_price_usd_per_worker_year",
    ]
    assert list(res.tables["water"].columns) == ["year", "site", "cooling_ml", "generation_ml", "total_ml", "cap_ml"]
    em = res.tables["emissions"]
    assert list(em.columns) == ["year", "source", "co2_t"]
    assert em.set_index("source")["co2_t"]["embodied_chips"] == pytest.approx(2 * 57)
    assert res.tables["water"]["cap_ml"].tolist() == [100]
    assert check_results(out, f) == []
    md = (out / "report.md").read_text()
    for text in ("## Skilled labour", "## Water", "## Emissions", "plots/labour.png", "plots/water.png"):
        assert text in md
    assert (out / "plots" / "labour.png").is_file() and (out / "plots" / "water.png").is_file()
    assert "The electricians available in labour pool r1 bind in 2026" in md
    r = CliRunner().invoke(main, ["export", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    t, _, _ = compare(out, out)
    assert {"labour", "water", "emissions"} <= set(t["section"])


def test_chip_installation_labour_counts_per_mw_it_bought(tmp_path):
    """Installers: 2 worker-years per MW IT of units bought (10 kW each, 0.02 a unit); 1
    worker-year available: 50 units can be bought, so 1e13 - 50 x UNIT_TOKENS tokens go
    unserved."""
    f = scenario(tmp_path, labour="x1,installers,2,,t\n", supply="r1,installers,2026,1,\n")
    p = plan(f)
    assert p.tables["capacity"]["units_installed"].sum() == 50
    assert p.tables["unserved"]["tokens"].sum() == pytest.approx(1e13 - 50 * UNIT_TOKENS, rel=1e-9)
    assert p.tables["labour"].iloc[0]["construction_worker_years"] == pytest.approx(1.0)
