"""24/7 carbon-free energy (DESIGN.md §7.3) and sovereign AI (§7.5), pinned by hand.

Every case starts from the one-site scenario of tests/builder.py: 57 units of x1 (10 kW,
8 accelerators, 1000 tokens/s each) serve 1e13 tokens a year, a facility load
L = 0.8 x 1e13 / UNIT_TOKENS x 10 kW x 1.2 PUE. Two 12-hour slices (night, day); solar has
a capacity factor of 1 by day and 0 by night; the battery holds 12 h at 85 % round trip.
"""

from __future__ import annotations

import copy
import math

import pandas as pd
import pytest
from builder import BASE, bundled_copy, write_scenario

from planner.api import plan, solve
from planner.io.scenario import load_scenario
from planner.model import build_data, build_model

RATE = 0.07
UNIT_TOKENS = 1000 * 8 * 3600 * 8760 * 0.7
OPEN, BUILD, COOL = 10e6, 5e6, 1e6


def crf(rate: float, life: int) -> float:
    return rate / (1 - (1 + rate) ** -life)


L = 0.8 * 1e13 / UNIT_TOKENS * 10 / 1000 * 1.2  # MW
BASE_COST = OPEN * crf(RATE, 30) + (BUILD + COOL) * crf(RATE, 15) + 57 * 300_000 * crf(RATE, 5)
SOLAR_YR = 1000 * (1000 * crf(RATE, 25) + 20)  # USD per MW-year
BATT_YR = 1000 * (1000 * crf(RATE, 15) + 25)


def _case(grid_price=50.0, target=None, share=None, solar_capex=1000, techs=("solar", "battery"), years=1):
    slices = [
        {"slice": "night", "day": "d", "hour": 0, "duration_h": 12, "days_per_year": 365, "grid_price_mult": 1},
        {"slice": "day", "day": "d", "hour": 12, "duration_h": 12, "days_per_year": 365, "grid_price_mult": 1},
    ]
    site = dict(BASE["sites"][0], grid_price_usd_per_mwh=grid_price)
    if share is not None:
        site["grid_cfe_share"] = share
    power = [dict(r) for r in BASE["power"]]
    for r in power:
        if r["tech"] == "battery":
            r["storage_hours"] = 12
        if r["tech"] == "solar":
            r["capex_usd_per_kw"] = solar_capex
    toml = {"end_year": 2026 + years - 1}
    if target is not None:
        toml["cfe_target"] = target
    demand = [dict(BASE["demand"][0], year=2026 + i) for i in range(years)]
    return dict(
        toml=toml,
        slices=slices,
        sites=[site],
        power=power,
        demand=demand,
        site_power=[{"site": "s1", "tech": k, "max_mw": ""} for k in techs],
        profiles=[
            {"site": "s1", "tech": "solar", "slice": "day", "capacity_factor": 1.0},
            {"site": "s1", "tech": "solar", "slice": "night", "capacity_factor": 0.0},
        ],
    )


def _plan(tmp_path, **kw):
    write_scenario(tmp_path, **kw)
    p = plan(tmp_path)
    assert p.result.status == "optimal"
    return p


def _energy(p):
    return p.tables["energy"].groupby("tech")["capacity_mw"].sum().to_dict()


# ---------------------------------------------------------------- the program without the inputs


def _lp_text(folder, tmp) -> str:
    m = build_model(build_data(load_scenario(folder)))
    path = tmp / "p.lp"
    m.write(str(path), io_options={"symbolic_solver_labels": True})
    return path.read_text()


FEATURE_COMPONENTS = ("cfe", "CFE_", "sovereign", "SOVEREIGN")


def _feature_components(m) -> list[str]:
    return [c.name for c in m.component_objects() if c.name.startswith(FEATURE_COMPONENTS)]


def test_blank_inputs_build_todays_program_hand(tmp_path):
    """Countries, blank grid_cfe_share and sovereign_share columns and a target of 0 add no
    row, column or objective term: the LP file is byte-identical to the scenario without them."""
    plain = write_scenario(tmp_path / "plain", **_case())
    spec = _case(target={"2026": 0.0})
    spec["sites"][0]["grid_cfe_share"] = ""
    spec["sites"][0]["country"] = "US"
    spec["regions"] = [dict(BASE["regions"][0], country="US")]
    spec["demand"] = [dict(BASE["demand"][0], sovereign_share="")]
    blank = write_scenario(tmp_path / "blank", **spec)
    assert _lp_text(plain, tmp_path) == _lp_text(blank, tmp_path)
    assert _feature_components(build_model(build_data(load_scenario(blank)))) == []
    # a grid share alone (no target) adds nothing either
    spec["sites"][0]["grid_cfe_share"] = 0.4
    spec["toml"].pop("cfe_target")
    share = write_scenario(tmp_path / "share", **spec)
    assert _lp_text(plain, tmp_path) == _lp_text(share, tmp_path)


def test_blank_inputs_build_todays_program_us(tmp_path):
    """The bundled us scenario (horizon cut to 2027) with the new columns added blank builds
    the same rows, columns and objective as without them."""
    plain = bundled_copy(tmp_path / "plain", 2027, name="us")
    blank = bundled_copy(tmp_path / "blank", 2027, name="us")
    for fname, col in (("sites.csv", "grid_cfe_share"), ("sites.csv", "country"), ("demand.csv", "sovereign_share")):
        t = pd.read_csv(blank / fname, dtype=str, keep_default_na=False)
        t[col] = ""
        t.to_csv(blank / fname, index=False)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert _lp_text(plain, a) == _lp_text(blank, b)


# ---------------------------------------------------------------- 24/7 CFE (14)


def test_target_90_needs_solar_and_storage(tmp_path):
    """Without a target the plan is solar by day and grid by night: score 0.5. A 90 % target
    needs 0.8 L of clean energy at night, which only the battery can give: it charges
    0.8 L / 0.85 from solar surplus by day. Cost = base + solar (L + 0.8 L/0.85) + battery
    0.8 L/0.85 + grid 0.2 L x 4380 h x 50 USD/MWh."""
    p = _plan(tmp_path / "free", **_case(target=0.0001))
    assert p.tables["cfe"].iloc[0]["cfe_score"] == pytest.approx(0.5, rel=1e-6)
    assert set(_energy(p)) == {"grid", "solar"}

    write_scenario(tmp_path / "t90", **_case(target=0.9))
    p = solve(tmp_path / "t90", threads=1)
    assert not p.failures
    e = _energy(p)
    batt = 0.8 * L / 0.85
    assert e["battery"] == pytest.approx(batt, rel=1e-6)
    assert e["solar"] == pytest.approx(L + batt, rel=1e-6)
    grid = p.tables["energy"].set_index("tech").loc["grid", "energy_mwh"]
    assert grid == pytest.approx(0.2 * L * 4380, rel=1e-6)
    expected = BASE_COST + (L + batt) * SOLAR_YR + batt * BATT_YR + 0.2 * L * 4380 * 50
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)
    row = p.tables["cfe"].iloc[0]
    assert (row["year"], row["site"], row["target"]) == (2026, "s1", 0.9)
    assert row["cfe_score"] == pytest.approx(0.9, rel=1e-6)
    # short run: one more MWh a year of clean night energy takes 1/0.85 MW-h of solar and
    # battery per night hour and saves a MWh of grid: ((solar + battery)/0.85 - 4380 x 50) / 4380
    bl = p.tables["binding_limits"]
    row = bl[bl["limit"] == "cfe_target"].iloc[0]
    assert (row["item"], row["year"], row["unit"], row["basis"]) == ("s1", 2026, "USD per MWh", "short_run")
    assert row["shadow_price"] == pytest.approx(((SOLAR_YR + BATT_YR) / 0.85 - 4380 * 50) / 4380, rel=1e-6)


def test_storage_cannot_launder_grid_energy(tmp_path):
    """Solar dear (3000 USD/kW: 277 kUSD per MW-year), grid cheap (20 USD/MWh), target 0.5.
    Charging the battery from the grid by day and counting the discharge at night as clean
    would cost 347 kUSD per MW of load against 365 kUSD honestly; since charging counts
    against its own slice, the plan must build solar for the day (L) and no battery."""
    solar_yr = 1000 * (3000 * crf(RATE, 25) + 20)
    honest = solar_yr + 4380 * 20
    gaming = (1 + 1 / 0.85) * 4380 * 20 + BATT_YR / 0.85
    assert gaming < honest  # the score would be gamed if charging were not subtracted
    p = _plan(tmp_path, **_case(grid_price=20, target=0.5, solar_capex=3000))
    e = _energy(p)
    assert e.get("battery", 0.0) == pytest.approx(0.0, abs=1e-9)
    assert e["solar"] == pytest.approx(L, rel=1e-6)
    assert p.tables["cfe"].iloc[0]["cfe_score"] == pytest.approx(0.5, rel=1e-6)
    assert p.summary()["objective_usd"] == pytest.approx(BASE_COST + L * honest, rel=1e-7)


def test_grid_cfe_share_counted_and_no_grid_bought_to_curtail(tmp_path):
    """Grid only, grid_cfe_share 0.5: a target of 0.5 is met by the grid alone (score 0.5,
    all served). A target of 0.75 could be met by buying 1.5 L of grid in every slice and
    curtailing the surplus; the row grid <= L + charge forbids it, so no load can run and
    all demand is unserved (penalty 100 USD per million tokens)."""
    p = _plan(tmp_path / "half", **_case(target=0.5, share=0.5, techs=()))
    assert p.tables["unserved"].empty
    assert p.tables["cfe"].iloc[0]["cfe_score"] == pytest.approx(0.5, rel=1e-6)
    assert p.summary()["objective_usd"] == pytest.approx(BASE_COST + L * 8760 * 50, rel=1e-7)

    p = _plan(tmp_path / "more", **_case(target=0.75, share=0.5, techs=()))
    assert p.tables["unserved"]["tokens"].sum() == pytest.approx(1e13, rel=1e-9)
    assert p.summary()["objective_usd"] == pytest.approx(100 * 1e13 / 1e6, rel=1e-7)


def test_target_interpolated_across_years(tmp_path):
    """cfe_target {2026: 0.5, 2028: 0.9} is 0.7 in 2027 (linear, as the carbon tables): the
    2027 score is 0.7, met with a battery shifting 0.4 L of solar surplus to the night."""
    p = _plan(tmp_path, **_case(target={"2026": 0.5, "2028": 0.9}, years=2))
    cfe = p.tables["cfe"].set_index("year")
    assert cfe.loc[2026, "target"] == pytest.approx(0.5)
    assert cfe.loc[2027, "target"] == pytest.approx(0.7)
    assert cfe.loc[2026, "cfe_score"] == pytest.approx(0.5, rel=1e-6)
    assert cfe.loc[2027, "cfe_score"] == pytest.approx(0.7, rel=1e-6)
    e = p.tables["energy"].set_index(["year", "tech"])["capacity_mw"]
    assert e.get((2026, "battery"), 0.0) == pytest.approx(0.0, abs=1e-9)
    assert e[(2027, "battery")] == pytest.approx(0.4 * L / 0.85, rel=1e-6)


# ---------------------------------------------------------------- sovereignty (15)


D = 1000 * UNIT_TOKENS


def _two_countries(share, home_reach=True):
    """Region r1 (US) served by s1 (US, grid 100 USD/MWh) and s2 (CA, grid 20 USD/MWh), both
    free to open; demand D = 1000 unit-years of tokens, so 60 % is exactly 600 units (6 hall
    blocks) and the split costs no rounding."""
    s1 = dict(BASE["sites"][0], site="s1", country="US", grid_price_usd_per_mwh=100, open_cost_usd=0)
    s2 = dict(BASE["sites"][0], site="s2", name="Site 2", country="CA", grid_price_usd_per_mwh=20, open_cost_usd=0)
    latency = [{"region": "r1", "site": "s2", "latency_ms": 5, "network_cost_usd_per_mtok": 0}]
    if home_reach:
        latency.append({"region": "r1", "site": "s1", "latency_ms": 5, "network_cost_usd_per_mtok": 0})
    return dict(
        regions=[dict(BASE["regions"][0], country="US")],
        sites=[s1, s2],
        latency=latency,
        demand=[dict(BASE["demand"][0], tokens_per_year=D, sovereign_share=share)],
    )


def test_sovereignty_forces_dearer_domestic_site(tmp_path):
    """Without a share everything is served from the cheaper Canadian site. With 0.6 the
    US site serves exactly 60 %; in the long run a token at home costs the energy price gap,
    80 USD/MWh x 84.096 MWh per unit-year / UNIT_TOKENS = 0.0381 USD per million tokens:
    the cost of sovereignty in binding_limits.csv."""
    write_scenario(tmp_path / "free", **_two_countries(""))
    p = plan(tmp_path / "free")
    assert set(p.tables["serving"]["site"]) == {"s2"}

    write_scenario(tmp_path / "sov", **_two_countries(0.6))
    p = solve(tmp_path / "sov", threads=1)
    sv = p.tables["serving"].groupby("site")["tokens"].sum()
    assert sv["s1"] == pytest.approx(0.6 * D, rel=1e-6)
    assert sv["s2"] == pytest.approx(0.4 * D, rel=1e-6)
    assert p.tables["unserved"].empty
    sov = p.tables["sovereignty"].iloc[0]
    assert sov["home_tokens"] == pytest.approx(0.6 * D, rel=1e-6)
    assert sov["required_tokens"] == pytest.approx(0.6 * D, rel=1e-9)
    bl = p.tables["binding_limits"]
    row = bl[bl["limit"] == "sovereignty"].iloc[0]
    unit_mwh = 0.8 * 10 / 1000 * 1.2 * 8760
    assert (row["item"], row["year"], row["basis"], row["unit"]) == (
        "r1/m1",
        2026,
        "long_run",
        "USD per million tokens",
    )
    assert row["shadow_price"] == pytest.approx(80 * unit_mwh / UNIT_TOKENS * 1e6, rel=1e-4)
    assert not p.failures


def test_sovereign_share_unserved_without_reachable_home_site(tmp_path):
    """The US site cannot reach r1 (no latency pair): 60 % of the demand can only be
    unserved, 40 % is served from Canada."""
    write_scenario(tmp_path, **_two_countries(0.6, home_reach=False))
    p = solve(tmp_path, threads=1)
    assert p.tables["unserved"]["tokens"].sum() == pytest.approx(0.6 * D, rel=1e-6)
    assert p.tables["serving"]["tokens"].sum() == pytest.approx(0.4 * D, rel=1e-6)
    assert not p.failures


def test_checks_catch_a_broken_sovereign_share(tmp_path):
    """The invariant check re-derives (15) from serving.csv: moving home tokens abroad fails."""
    from planner.reporting.checks import _check

    write_scenario(tmp_path, **_two_countries(0.6))
    p = plan(tmp_path)
    t = copy.deepcopy(p.tables)
    t["serving"].loc[t["serving"]["site"] == "s1", "site"] = "s2"
    fails = _check(t, p.scenario, None, slice_failures=[])
    assert any("sovereignty" in f for f in fails), fails
    assert not any("sovereignty" in f for f in _check(p.tables, p.scenario, None, slice_failures=[]))


def test_checks_catch_a_missed_cfe_target(tmp_path):
    from planner.reporting.checks import _check

    p = _plan(tmp_path, **_case(target=0.9))
    t = copy.deepcopy(p.tables)
    t["cfe"]["cfe_score"] = 0.8
    assert any("cfe" in f for f in _check(t, p.scenario, None, slice_failures=[]))
    assert not any("cfe" in f for f in _check(p.tables, p.scenario, None, slice_failures=[]))
    assert not math.isnan(p.tables["cfe"].iloc[0]["cfe_score"])


# ---------------------------------------------------------------- results folder, report, export, compare


def test_results_report_export_compare(tmp_path):
    """A plan with both features writes cfe.csv and sovereignty.csv, reads them back, renders
    both report sections (the same after `planner report`), exports them in JSON (schema
    checked) and compare lists their changes."""
    from planner.api import read_results
    from planner.api import report as rerender
    from planner.reporting.compare import compare
    from planner.reporting.export import export

    spec = _two_countries(0.6)
    spec["toml"] = {"cfe_target": 0.5}
    for s in spec["sites"]:
        s["grid_cfe_share"] = 0.6
    write_scenario(tmp_path / "scn", **spec)
    p = solve(tmp_path / "scn", threads=1)
    assert not p.failures
    out = p.write(tmp_path / "out")
    res = read_results(out)
    assert list(res.tables["cfe"].columns) == ["year", "site", "cfe_score", "target"]
    assert res.tables["cfe"]["cfe_score"].tolist() == pytest.approx([0.6, 0.6])
    assert res.tables["sovereignty"].iloc[0]["country"] == "US"
    md = (out / "report.md").read_text()
    assert "## 24/7 carbon-free energy" in md and "## Sovereign AI" in md
    assert "fleet (load-weighted)" in md and "60.0 %" in md
    assert (out / "plots" / "cfe_score.png").is_file()
    rerender(out)
    assert (out / "report.md").read_text() == md
    doc = export(out, "json", tmp_path / "plan.json")
    import json

    tables = json.loads(doc.read_text())["tables"]
    assert {"cfe", "sovereignty"} <= set(tables)

    spec["demand"][0]["sovereign_share"] = 0.2
    write_scenario(tmp_path / "scn2", **spec)
    out2 = solve(tmp_path / "scn2", threads=1).write(tmp_path / "out2")
    t, _, _ = compare(out, out2)
    row = t[(t["section"] == "sovereignty")].iloc[0]
    assert row["a"] == pytest.approx(0.6, rel=1e-6) and row["b"] < 0.6
    assert (t["section"] == "24/7 CFE").any()
