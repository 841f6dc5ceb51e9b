"""Binding limits (binding_limits.csv) as sentences a person reads in the report."""

from __future__ import annotations

import pandas as pd

from .fmt import _usd


def sentences(binding_limits: pd.DataFrame, names: dict[str, str] | None = None) -> list[str]:
    """Plain sentences, one per limit and item, grouping consecutive years:
    "grid interconnect at Site X binds 2027–2029: each extra MW would save $Y a year"."""
    names = names or {}
    out = []
    if binding_limits is None or not len(binding_limits):
        return out
    for (limit, item), g in binding_limits.groupby(["limit", "item"], sort=True):
        g = g.sort_values("year")
        years = [int(y) for y in g["year"]]
        runs = []
        for y in years:
            if runs and y == runs[-1][-1] + 1:
                runs[-1].append(y)
            else:
                runs.append([y])
        span = ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)
        lo, hi = float(g["shadow_price"].min()), float(g["shadow_price"].max())
        val = _usd(lo) if abs(hi - lo) <= 0.005 * max(abs(hi), 1.0) else f"{_usd(lo)}–{_usd(hi)}"
        where = names.get(item, item)
        if limit == "grid_interconnect":
            out.append(f"The grid interconnect at {where} binds in {span}: each extra MW would save {val} a year.")
        elif limit == "site_it_capacity":
            out.append(
                f"The IT capacity of {where} binds in {span}: each extra MW IT would save {val} a year "
                "(long run, capacity can grow)."
            )
        elif limit == "chip_supply":
            out.append(
                f"The supply of {where} binds in {span}: each extra unit that could be bought would save {val} "
                "(present value in the year of purchase, long run)."
            )
        elif limit == "carbon_cap":
            out.append(f"The carbon cap binds in {span}: each extra tonne of CO2 allowed would save {val}.")
        elif limit == "facility_mw":  # DESIGN.md §7.6
            out.append(
                f"The facility power limit binds in {span}: each extra MW of facility draw allowed would save "
                f"{val} (long run, capacity can grow)."
            )
        elif limit == "capex_usd_per_year":
            out.append(
                f"The capex budget binds in {span}: each extra USD of capex allowed that year would save {val} "
                "(long run)."
            )
        elif limit == "npc_budget_usd":
            out.append(f"The net present cost budget binds: each extra USD of budget would save {val} (long run).")
        elif limit == "power_max_mw":
            site, _, tech = str(item).partition("/")
            out.append(
                f"The {tech} limit (max_mw) at {names.get(site, site)} binds in {span}: "
                f"each extra MW allowed would save {val} a year."
            )
        elif limit == "cfe_target":  # §7.3, short run
            out.append(
                f"The 24/7 carbon-free energy target at {where} binds in {span}: each MWh a year less of "
                f"hourly-matched clean energy would save {val}."
            )
        elif limit == "sovereignty":  # §7.5, long run
            region, _, model = str(item).partition("/")
            out.append(
                f"The sovereign share of {model} in {names.get(region, region)} binds in {span}: the cost of "
                f"sovereignty is {g['shadow_price'].min():,.4f}–{g['shadow_price'].max():,.4f} USD per million tokens "
                "(long run)."
            )
        elif limit == "labour":  # DESIGN.md §7.1
            pool, _, trade = str(item).partition("/")
            out.append(
                f"The {trade} available in labour pool {pool} bind in {span}: each extra worker-year would save {val} "
                "(long run)."
            )
        elif limit == "water_cap":  # DESIGN.md §7.2
            out.append(f"The water cap of {where} binds in {span}: each extra ML a year would save {val}.")
    return out
