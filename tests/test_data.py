"""The bundled data is real, sourced, physically plausible and valid.

Fails if a bundled row lacks a `source`, if a value leaves its plausible range, or if a
catalog or scenario file fails validation (with every demand forecast).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.io.scenario import CATALOG_DIR, DATA_DIR, MODELS_DIR, SCENARIOS_DIR, load_scenario
from planner.prep.roofline import CHIP_SPECS

SCENARIOS = sorted(p.name for p in SCENARIOS_DIR.iterdir() if (p / "scenario.toml").exists())
DEMANDS = sorted((DATA_DIR / "demand").glob("*.csv"))


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def sourced_files() -> list[Path]:
    files = [CATALOG_DIR / f for f in ("chips.csv", "cooling.csv", "power.csv")]
    files += [MODELS_DIR / "models.csv", MODELS_DIR / "throughput.csv"]
    files += [SCENARIOS_DIR / s / "sites.csv" for s in SCENARIOS]
    files += [DATA_DIR / "resource" / "annual_cf.csv"]
    return files


def test_bundled_scenarios_exist():
    assert {"world", "us"} <= set(SCENARIOS)
    assert len(DEMANDS) == 3


@pytest.mark.parametrize("path", sourced_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_row_has_a_source(path):
    t = read(path)
    assert "source" in t.columns
    blank = t["source"].isna() | (t["source"].astype(str).str.strip() == "")
    assert not blank.any(), f"{path.name}: rows {list(t.index[blank] + 2)} lack a source"


def test_chip_catalog_plausible():
    c = read(CATALOG_DIR / "chips.csv")
    assert len(c) >= 10 and c["vendor"].nunique() >= 3
    for r in c.itertuples():
        tdp_kw = CHIP_SPECS[r.chip]["tdp_w"] / 1000.0
        ratio = r.it_kw_per_unit / (r.chips_per_unit * tdp_kw)
        assert 1 / 2 <= ratio <= 2, (
            f"{r.chip}: it_kw_per_unit {r.it_kw_per_unit} vs {r.chips_per_unit} x {tdp_kw} kW TDP"
        )
        assert r.rack_kw >= r.it_kw_per_unit or r.chips_per_unit <= 8
        assert 5_000 <= r.capex_usd_per_unit / r.chips_per_unit <= 200_000, r.chip
        assert 1 <= r.lifetime_years <= 80
        assert 2020 <= r.first_year <= 2032
        assert pd.isna(r.last_year) or r.last_year >= r.first_year


def test_cooling_catalog_plausible():
    c = read(CATALOG_DIR / "cooling.csv")
    assert set(c["cooling"]) >= {"air", "dlc", "immersion"} and len(c) >= 4
    assert c["pue"].between(1.0, 2.0).all()
    assert c["wue_l_per_kwh"].between(0, 5).all()
    assert c["lifetime_years"].between(1, 80).all()
    assert c["capex_usd_per_mw_it"].between(0, 10e6).all()


def test_power_catalog_plausible():
    p = read(CATALOG_DIR / "power.csv")
    assert set(p["kind"]) == {"dispatchable", "variable", "storage"} and len(p) >= 6
    assert p["capex_usd_per_kw"].between(300, 15_000).all()
    assert p["lifetime_years"].between(1, 80).all()
    assert p["availability"].fillna(1).between(0, 1).all()
    assert p["round_trip_eff"].fillna(1).between(0, 1).all()
    assert p["co2_kg_per_mwh"].fillna(0).between(0, 1200).all()
    assert (p.loc[p["kind"] == "storage", "storage_hours"] > 0).all()
    gas = p[p["tech"].str.startswith("gas")]
    # heat rate 6-12 MMBtu/MWh x 53.06 kg/MMBtu
    assert gas["co2_kg_per_mwh"].between(6 * 53.06, 12 * 53.06).all()


def test_models_and_throughput_plausible():
    m = read(MODELS_DIR / "models.csv")
    t = read(MODELS_DIR / "throughput.csv")
    chips = read(CATALOG_DIR / "chips.csv")
    assert len(m) >= 5
    assert (m["active_params_b"] <= m["params_b"]).all()
    tiers = read(MODELS_DIR / "tiers.csv")  # one row per model, chip and service tier
    assert len(t) == len(m) * len(chips) * len(tiers)
    assert t["tokens_per_s_per_chip"].between(1, 200_000).all()


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_plausible(name):
    folder = SCENARIOS_DIR / name
    s = read(folder / "sites.csv")
    assert s["pue_adder"].between(0, 0.3).all()
    assert s["grid_price_usd_per_mwh"].between(10, 400).all()
    assert s["grid_co2_kg_per_mwh"].between(0, 1200).all()
    assert s["build_cost_usd_per_mw_it"].between(2e6, 20e6).all()
    assert s["lat"].between(-90, 90).all() and s["lon"].between(-180, 180).all()
    pr = read(folder / "profiles.csv")
    assert pr["capacity_factor"].between(0, 1).all()
    # annual capacity factors vary by site (in scenarios of several sites; gigawatt has one)
    annual = pr.groupby(["site", "tech"])["capacity_factor"].mean().unstack()
    if len(s) > 3:  # a one-site example (cfe247) has one profile per tech
        assert annual["solar_pv"].nunique() > 3 and annual["wind_onshore"].nunique() > 3
    sl = read(folder / "slices.csv")
    assert len(sl) <= 48 and (sl["duration_h"] * sl["days_per_year"]).sum() == pytest.approx(8760)  # <= 48
    lat = read(folder / "latency.csv")
    assert lat["latency_ms"].between(0, 500).all()


def test_world_scenario_size():
    folder = SCENARIOS_DIR / "world"
    s = read(folder / "sites.csv")
    r = read(folder / "regions.csv")
    assert len(s) >= 25 and len(r) >= 6
    assert s["region"].nunique() >= 6


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenarios_validate(name):
    scn = load_scenario(SCENARIOS_DIR / name)
    assert not [w for w in scn.warnings if "missing" in w.text]


@pytest.mark.parametrize("demand", DEMANDS, ids=lambda p: p.name)
def test_demand_forecasts_validate_with_world(demand):
    load_scenario(SCENARIOS_DIR / "world", demand)


def test_demand_cases_ordered():
    tot = {p.stem: read(p).groupby("year")["tokens_per_year"].sum() for p in DEMANDS}
    assert (tot["low"] < tot["base"]).all() and (tot["base"] < tot["high"]).all()
    base = read(SCENARIOS_DIR / "world" / "demand.csv")
    assert base.equals(read(DATA_DIR / "demand" / "base.csv"))
