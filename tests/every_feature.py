"""A scenario with every optional input of DESIGN.md §7 on the one-year scenario of
tests/builder.py: labour (a soft pool), water (cap, price, climate multiplier), 24/7 CFE, embodied
carbon in lifecycle scope, sovereignty, service tiers, an existing fleet built before the horizon,
chip supply, and the three limits of §7.6."""

from __future__ import annotations

from pathlib import Path

from builder import BASE, write_scenario


def every_feature(folder: Path) -> Path:
    """The builder scenario with each optional input of DESIGN.md §7 given."""
    site = dict(
        BASE["sites"][0],
        country="US",
        grid_cfe_share=0.5,
        water_cap_ml_per_yr=1000,
        water_price_usd_per_ml=10,
        wue_mult=1.2,
    )
    scn = write_scenario(
        folder,
        toml={"cfe_target": 0.5, "carbon_scope": "lifecycle"},
        regions=[dict(BASE["regions"][0], country="US")],
        sites=[site],
        demand=[dict(BASE["demand"][0], sovereign_share=0.5, tier="")],
        chips=[dict(BASE["chips"][0], embodied_co2_t_per_unit=3.0)],
        cooling=[dict(BASE["cooling"][0], embodied_co2_t_per_mw_it=500.0)],
        models=[dict(BASE["models"][0], value_usd_per_mtok=2.0)],
        throughput=[dict(BASE["throughput"][0], tier="")],
    )
    (scn / "tiers.csv").write_text(
        "tier,tokens_per_s_per_user,description,value_mult,source\nbatch,,offline,1,test\n", encoding="utf-8"
    )
    (scn / "labour.csv").write_text(
        "asset,trade,build_worker_years_per_mw,ops_workers_per_mw,source\nair,electricians,5,0.5,test\n",
        encoding="utf-8",
    )
    (scn / "labour_supply.csv").write_text(
        "pool,trade,year,worker_years,premium_usd_per_worker_year\nr1,electricians,2026,40,80000\n", encoding="utf-8"
    )
    (scn / "existing.csv").write_text(
        "site,asset,cooling,build_year,quantity,source\ns1,air,,2024,2,test\ns1,x1,air,2024,50,test\n", encoding="utf-8"
    )
    (scn / "chip_supply.csv").write_text("chip,year,max_units,source\nx1,2026,100000,test\n", encoding="utf-8")
    with (scn / "scenario.toml").open("a", encoding="utf-8") as f:
        f.write("[limits]\nfacility_mw = 500\ncapex_usd_per_year = 1e10\nnpc_budget_usd = 1e11\n")
    return scn
