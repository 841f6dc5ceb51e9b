"""A small but non-trivial scenario for the invariant, determinism and property tests:
three sites in two regions, two chips, two cooling technologies, solar, battery and gas,
four slices on two representative days, three years, a carbon price and a chip supply
limit. Built on tests/builder.py."""

from __future__ import annotations

import copy
from pathlib import Path

from builder import BASE, write_scenario


def small_spec(years: int = 3, demand_scale: float = 1.0) -> dict:
    b = copy.deepcopy(BASE)
    y0 = 2026
    site = b["sites"][0]
    sites = [
        dict(
            site,
            site="s1",
            region="r1",
            max_it_mw=30,
            grid_cap_mw=4,
            grid_price_usd_per_mwh=60,
            grid_co2_kg_per_mwh=400,
        ),
        dict(
            site,
            site="s2",
            region="r1",
            max_it_mw=20,
            first_year=y0 + 1,
            grid_price_usd_per_mwh=45,
            pue_adder=0.05,
            open_cost_usd=15_000_000,
        ),
        dict(
            site,
            site="s3",
            region="r2",
            max_it_mw=40,
            grid_cap_mw="",
            grid_price_usd_per_mwh=80,
            grid_co2_kg_per_mwh=100,
        ),
    ]
    regions = [b["regions"][0], {"region": "r2", "name": "Region 2", "lat": 50.0, "lon": 8.0}]
    latency = [
        {"region": "r1", "site": "s1", "latency_ms": 5, "network_cost_usd_per_mtok": 0.001},
        {"region": "r1", "site": "s2", "latency_ms": 20, "network_cost_usd_per_mtok": 0.002},
        {"region": "r1", "site": "s3", "latency_ms": 90, "network_cost_usd_per_mtok": 0.004},
        {"region": "r2", "site": "s3", "latency_ms": 8, "network_cost_usd_per_mtok": 0.001},
        {"region": "r2", "site": "s1", "latency_ms": 95, "network_cost_usd_per_mtok": 0.004},
    ]
    demand = []
    for i in range(years):
        y = y0 + i
        demand += [
            {
                "region": "r1",
                "model": "m1",
                "year": y,
                "tokens_per_year": demand_scale * 2e14 * (1 + 0.5 * i),
                "max_latency_ms": "",
            },
            {
                "region": "r1",
                "model": "m2",
                "year": y,
                "tokens_per_year": demand_scale * 5e13 * (1 + i),
                "max_latency_ms": 30,
            },
            {"region": "r2", "model": "m1", "year": y, "tokens_per_year": demand_scale * 1e14, "max_latency_ms": 50},
        ]
    chip = b["chips"][0]
    chips = [
        dict(chip, chip="x1", max_units_per_year=300),
        dict(
            chip,
            chip="x2",
            unit_name="NVL rack",
            chips_per_unit=72,
            it_kw_per_unit=130,
            rack_kw=130,
            capex_usd_per_unit=3_500_000,
            fom_usd_per_unit_yr=50_000,
            first_year=y0 + 1,
            lifetime_years=4,
        ),
    ]
    cool = b["cooling"][0]
    cooling = [
        cool,
        dict(cool, cooling="liquid", pue=1.1, max_rack_kw=200, capex_usd_per_mw_it=2_000_000, lifetime_years=12),
    ]
    models = [
        b["models"][0],
        {"model": "m2", "name": "Model 2", "params_b": 400, "active_params_b": 40, "context": 32768, "source": "test"},
    ]
    throughput = [
        {"model": "m1", "chip": "x1", "tokens_per_s_per_chip": 1000, "source": "test"},
        {"model": "m1", "chip": "x2", "tokens_per_s_per_chip": 3000, "source": "test"},
        {"model": "m2", "chip": "x2", "tokens_per_s_per_chip": 1500, "source": "test"},
    ]
    slices = [
        {
            "slice": "sum_day",
            "day": "summer",
            "hour": 6,
            "duration_h": 12,
            "days_per_year": 182,
            "grid_price_mult": 1.2,
        },
        {
            "slice": "sum_night",
            "day": "summer",
            "hour": 18,
            "duration_h": 12,
            "days_per_year": 182,
            "grid_price_mult": 0.8,
        },
        {
            "slice": "win_day",
            "day": "winter",
            "hour": 6,
            "duration_h": 12,
            "days_per_year": 183,
            "grid_price_mult": 1.1,
        },
        {
            "slice": "win_night",
            "day": "winter",
            "hour": 18,
            "duration_h": 12,
            "days_per_year": 183,
            "grid_price_mult": 0.9,
        },
    ]
    site_power = [
        {"site": "s1", "tech": "solar", "max_mw": 20},
        {"site": "s1", "tech": "battery", "max_mw": ""},
        {"site": "s1", "tech": "gas", "max_mw": 10},
        {"site": "s3", "tech": "solar", "max_mw": ""},
    ]
    profiles = [
        {"site": s, "tech": "solar", "slice": h, "capacity_factor": cf}
        for s in ("s1", "s3")
        for h, cf in (("sum_day", 0.45), ("win_day", 0.25))
    ]
    return {
        "toml": {
            "end_year": y0 + years - 1,
            "hall_block_mw": 2,
            "carbon_price_usd_per_t": {str(y0): 20, str(y0 + 2): 60},
            "solver": {"time_limit_s": 60, "mip_rel_gap": 1e-6, "threads": 1, "seed": 1},
        },
        "regions": regions,
        "sites": sites,
        "latency": latency,
        "demand": demand,
        "chips": chips,
        "cooling": cooling,
        "models": models,
        "throughput": throughput,
        "slices": slices,
        "site_power": site_power,
        "profiles": profiles,
    }


def write_small(folder: Path, years: int = 3, **overrides) -> Path:
    spec = small_spec(years)
    spec.update(overrides)
    return write_scenario(folder, **spec)
