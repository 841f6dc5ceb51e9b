"""Write small scenario folders for tests: every file in DESIGN.md §3 format, including
its own catalog and model files, so tests never depend on the bundled data.

``write_scenario(folder, **overrides)`` starts from a one-site, one-chip, grid-only,
one-year scenario (:data:`BASE`) and replaces whole tables or settings by keyword.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

BASE = {
    "toml": {
        "name": "hand",
        "start_year": 2026,
        "end_year": 2026,
        "discount_rate": 0.07,
        "currency_year": 2025,
        "hall_block_mw": 1,
        "max_utilization": 0.7,
        "load_factor": 0.8,
        "unserved_penalty_usd_per_mtok": 100,
        "site_lifetime_years": 30,
        "solver": {"time_limit_s": 60, "mip_rel_gap": 1e-9, "threads": 1, "seed": 1},
    },
    "regions": [{"region": "r1", "name": "Region 1", "lat": 40.0, "lon": -75.0}],
    "sites": [
        {
            "site": "s1",
            "region": "r1",
            "name": "Site 1",
            "lat": 40.0,
            "lon": -75.0,
            "max_it_mw": 100,
            "open_cost_usd": 10_000_000,
            "build_cost_usd_per_mw_it": 5_000_000,
            "fom_usd_per_mw_it_yr": 0,
            "first_year": "",
            "grid_cap_mw": "",
            "grid_first_year": "",
            "grid_price_usd_per_mwh": 50,
            "grid_co2_kg_per_mwh": 0,
            "pue_adder": 0,
            "source": "test",
        }
    ],
    "latency": [{"region": "r1", "site": "s1", "latency_ms": 5, "network_cost_usd_per_mtok": 0}],
    "demand": [{"region": "r1", "model": "m1", "year": 2026, "tokens_per_year": 1e13, "max_latency_ms": ""}],
    "site_power": [],
    "slices": [{"slice": "d1h0", "day": "d1", "hour": 0, "duration_h": 24, "days_per_year": 365, "grid_price_mult": 1}],
    "profiles": [],
    "chips": [
        {
            "chip": "x1",
            "vendor": "V",
            "unit_name": "8-GPU server",
            "chips_per_unit": 8,
            "first_year": 2020,
            "last_year": "",
            "it_kw_per_unit": 10,
            "rack_kw": 40,
            "capex_usd_per_unit": 300_000,
            "fom_usd_per_unit_yr": 0,
            "lifetime_years": 5,
            "max_units_per_year": "",
            "source": "test",
        }
    ],
    "cooling": [
        {
            "cooling": "air",
            "pue": 1.2,
            "max_rack_kw": 50,
            "capex_usd_per_mw_it": 1_000_000,
            "fom_usd_per_mw_it_yr": 0,
            "wue_l_per_kwh": 0.3,
            "lifetime_years": 15,
            "first_year": "",
            "source": "test",
        }
    ],
    "power": [
        {
            "tech": "solar",
            "kind": "variable",
            "capex_usd_per_kw": 1000,
            "fom_usd_per_kw_yr": 20,
            "vom_usd_per_mwh": 0,
            "fuel_usd_per_mwh": 0,
            "co2_kg_per_mwh": 0,
            "lifetime_years": 25,
            "lead_time_years": 0,
            "first_year": "",
            "unit_mw": 0,
            "availability": "",
            "storage_hours": "",
            "round_trip_eff": "",
            "source": "test",
        },
        {
            "tech": "battery",
            "kind": "storage",
            "capex_usd_per_kw": 1000,
            "fom_usd_per_kw_yr": 25,
            "vom_usd_per_mwh": 0,
            "fuel_usd_per_mwh": 0,
            "co2_kg_per_mwh": 0,
            "lifetime_years": 15,
            "lead_time_years": 0,
            "first_year": "",
            "unit_mw": 0,
            "availability": "",
            "storage_hours": 4,
            "round_trip_eff": 0.85,
            "source": "test",
        },
        {
            "tech": "gas",
            "kind": "dispatchable",
            "capex_usd_per_kw": 1000,
            "fom_usd_per_kw_yr": 20,
            "vom_usd_per_mwh": 2,
            "fuel_usd_per_mwh": 25,
            "co2_kg_per_mwh": 370,
            "lifetime_years": 30,
            "lead_time_years": 0,
            "first_year": "",
            "unit_mw": 0,
            "availability": 1,
            "storage_hours": "",
            "round_trip_eff": "",
            "source": "test",
        },
    ],
    "models": [
        {"model": "m1", "name": "Model 1", "params_b": 70, "active_params_b": 70, "context": 8192, "source": "test"}
    ],
    "throughput": [{"model": "m1", "chip": "x1", "tokens_per_s_per_chip": 1000, "source": "test"}],
}

FILES = {
    "regions": "regions.csv",
    "sites": "sites.csv",
    "latency": "latency.csv",
    "demand": "demand.csv",
    "site_power": "site_power.csv",
    "slices": "slices.csv",
    "profiles": "profiles.csv",
    "chips": "chips.csv",
    "cooling": "cooling.csv",
    "power": "power.csv",
    "models": "models.csv",
    "throughput": "throughput.csv",
}

COLUMNS = {
    "site_power": ["site", "tech", "max_mw"],
    "profiles": ["site", "tech", "slice", "capacity_factor"],
}


def _toml_value(v) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v)


def write_toml(path: Path, doc: dict) -> None:
    lines = []
    tables = []
    for k, v in doc.items():
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{k} = {_toml_value(v)}")
    for k, v in tables:
        lines.append(f"[{k}]")
        for kk, vv in v.items():
            lines.append(f'"{kk}" = {_toml_value(vv)}' if str(kk).isdigit() else f"{kk} = {_toml_value(vv)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_scenario(folder: Path, **overrides) -> Path:
    """Write a scenario to ``folder``. Keyword ``toml`` updates scenario.toml settings (a
    dict); any table name of :data:`FILES` replaces that table (a list of row dicts)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = copy.deepcopy(BASE)
    for k, v in overrides.items():
        if k == "toml":
            spec["toml"].update(v)
        else:
            spec[k] = v
    write_toml(folder / "scenario.toml", spec["toml"])
    for key, fname in FILES.items():
        rows = spec[key]
        df = pd.DataFrame(rows) if rows else pd.DataFrame(columns=COLUMNS.get(key, []))
        df.to_csv(folder / fname, index=False)
    return folder


def bundled_copy(dest: Path, end_year: int, name: str = "world") -> Path:
    """Copy the bundled scenario ``name`` to ``dest`` with its horizon cut at ``end_year``
    (demand beyond it is dropped with a warning when loaded). Skips the test when the
    bundled scenario is absent."""
    import re
    import shutil

    import pytest

    from planner.io.scenario import SCENARIOS_DIR

    src = SCENARIOS_DIR / name
    if not src.is_dir():
        pytest.skip(f"bundled scenario {name} not present")
    shutil.copytree(src, dest, dirs_exist_ok=True)
    toml = Path(dest) / "scenario.toml"
    text, n = re.subn(r"(?m)^end_year\s*=\s*\d+", f"end_year = {end_year}", toml.read_text())
    assert n == 1, "scenario.toml has no end_year line"
    toml.write_text(text)
    return Path(dest)
