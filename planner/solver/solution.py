"""Read a solved model back into the tidy tables of the results folder (DESIGN.md §6).

All tables are in report units (USD, tokens, MW, MWh, t CO2), sorted by their key columns,
with solver noise below 1e-9 of a model unit set to zero, so reruns are byte-identical.

Tables: ``investment_schedule``, ``capacity``, ``energy``, ``serving``, ``unserved``,
``costs`` (see :data:`COLUMNS`). ``tokens_per_year`` of a chip at a site is split between
its cooling technologies in proportion to the units active in each; the ``capacity_mw`` of
the grid row in energy.csv is the peak import (MW) of that year; ``energy_mwh`` is energy
delivered to the load (surplus of variable techs, curtailed, is not counted; storage rows
give the energy discharged).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pyomo.environ as pyo

from ..io.results import COLUMNS
from ..model.data import MUSD, TOK, ModelData, crf
from .solution_cfe import tables as cfe_sovereignty_tables
from .tiers import split_tables

LAYER_OF_COMPONENT = {
    "site_capital": "infrastructure",
    "hall_capital": "infrastructure",
    "hall_fom": "infrastructure",
    "chip_capital": "chips",
    "chip_fom": "chips",
    "power_capital": "energy",
    "power_fom": "energy",
    "grid_energy": "energy",
    "fuel_vom": "energy",
    "carbon": "energy",
    "network": "network",
    "unserved_penalty": "penalties",
    "labour_premium": "infrastructure",  # DESIGN.md §7.1
    "water": "infrastructure",  # §7.2
    "embodied_carbon": "energy",  # §7.4 (priced with the carbon price)
}

EPS = 1e-9


def _v(x) -> float:
    """Value of a variable or expression, with solver noise removed."""
    val = pyo.value(x, exception=False)
    if val is None:
        return 0.0
    val = float(val)
    if abs(val) < EPS:
        return 0.0
    return val


def _round_int(x: float) -> float:
    r = round(x)
    return float(r) if abs(x - r) < 1e-6 else x


def extract(m: pyo.ConcreteModel, d: ModelData) -> dict[str, pd.DataFrame]:
    """Return every results table (DataFrames with the columns of :data:`COLUMNS`)."""
    tables = {
        "investment_schedule": _investments(m, d),
        "capacity": _capacity(m, d),
        "energy": _energy(m, d),
        "serving": _serving(m, d),
        "unserved": _unserved(m, d),
        "costs": _costs(m, d),
    }
    from .resources import resource_tables  # DESIGN.md §7.1, §7.2, §7.4

    extra = resource_tables(m, d, tables["energy"])
    for name, cols in COLUMNS.items():
        t = tables[name]
        tables[name] = (
            t[cols].sort_values(cols[: _nkeys(name)], kind="stable").reset_index(drop=True)
            if len(t)
            else pd.DataFrame(columns=cols)
        )
    tables.update(cfe_sovereignty_tables(m, d))  # §7.3 cfe, §7.5 sovereignty (only with their inputs)
    tables.update(extra)
    return split_tables(tables, d)


def _nkeys(name: str) -> int:
    return {"investment_schedule": 4, "capacity": 4, "energy": 3, "serving": 4, "unserved": 3, "costs": 2}[name]


def _investments(m, d: ModelData) -> pd.DataFrame:
    rows = []
    rows += existing_schedule(d)  # DESIGN.md §7.7: "<asset> (existing)", capex 0, year = build_year
    for s in d.sites:
        prev = 0.0
        if s in d.existing.sites:
            continue  # a site with existing assets opens at no cost: no site row
        for y in d.years:
            o = _v(m.open[s, y]) if (s, y) in m.OPEN_SY else 0.0
            if o - prev > 0.5:
                rows.append((y, s, "infrastructure", "site", 1.0, "site", d.site[s]["open_cost_usd"]))
            prev = o
    for s, c, y in d.hall_scy:
        n = _round_int(_v(m.hall[s, c, y]))
        if n > 0:
            mw = n * d.hall_mw
            rows.append(
                (
                    y,
                    s,
                    "infrastructure",
                    f"hall {c}",
                    mw,
                    "MW IT",
                    (d.site[s]["build_cost_usd_per_mw_it"] + d.cool[c]["capex_usd_per_mw_it"]) * mw,
                )
            )
    for s, g, c, y in d.buy_sgcy:
        n = _round_int(_v(m.buy[s, g, c, y]))
        if n > 0:
            rows.append((y, s, "chips", f"{g} ({c})", n, "units", d.chip[g]["capex_usd_per_unit"] * n))
    for s, k, y in d.new_sky:
        mw = _v(m.new[s, k, y])
        if mw > 0:
            rows.append((y, s, "energy", k, mw, "MW", d.tech[k]["capex_usd_per_kw"] * 1000.0 * mw))
    return pd.DataFrame(rows, columns=COLUMNS["investment_schedule"])


def existing_schedule(d: ModelData) -> list[tuple]:
    """Investment-schedule rows of the existing fleet (DESIGN.md §7.7): (build_year, site,
    layer, "<asset> (existing)", quantity, unit, 0.0)."""
    layer = {"hall": ("infrastructure", "MW IT"), "chip": ("chips", "units"), "power": ("energy", "MW")}
    return [
        (
            r["build_year"],
            r["site"],
            layer[r["kind"]][0],
            f"{r['asset']} (existing)",
            r["quantity"],
            layer[r["kind"]][1],
            0.0,
        )
        for r in (d.existing.rows if d.existing else [])
    ]


def _capacity(m, d: ModelData) -> pd.DataFrame:
    act = {k: _v(m.active_units[k]) for k in d.active_sgcy}
    tok_sgy = defaultdict(float)
    for s, g, mm, y in d.tok_sgmy:
        tok_sgy[s, g, y] += _v(m.tok[s, g, mm, y])
    act_sgy = defaultdict(float)
    for (s, g, _c, y), a in act.items():
        act_sgy[s, g, y] += a
    rows = []
    for (s, g, c, y), keys in sorted(d.installed_sgcy.items()):
        inst = _round_int(sum(_v(m.buy[k]) for k in keys)) + d.existing.units.get((s, g, c, y), 0.0)
        a = act.get((s, g, c, y), 0.0)
        if inst <= 0 and a <= 0:
            continue
        share = a / act_sgy[s, g, y] if act_sgy[s, g, y] > 0 else 0.0
        rows.append((y, s, g, c, a, inst, a * d.chip[g]["it_kw_per_unit"] / 1000.0, tok_sgy[s, g, y] * share * TOK))
    return pd.DataFrame(rows, columns=COLUMNS["capacity"])


def _energy(m, d: ModelData) -> pd.DataFrame:
    rows = []
    w = d.weight
    gen_e = defaultdict(float)
    for (s, k, y), mwh in _delivered(m, d).items():
        gen_e[s, k, y] += mwh
    for s, k, y, h in d.stor_skyh:
        gen_e[s, k, y] += w[h] * _v(m.discharge[s, k, y, h])
    for s, k, y in sorted(d.cap_sky):
        t = d.tech[k]
        built = _v(m.capacity[s, k, y])
        cap = built + d.existing.power_mw.get((s, k, y), 0.0)  # existing MW: no capital (§7.7)
        e = gen_e.get((s, k, y), 0.0)
        if cap <= 0 and e <= 0:
            continue
        co2 = e * t["co2_kg_per_mwh"] / 1000.0
        cost = (
            built * 1000.0 * t["capex_usd_per_kw"] * crf(d.rate, t["lifetime_years"])
            + cap * 1000.0 * t["fom_usd_per_kw_yr"]
            + e * (t["vom_usd_per_mwh"] + t["fuel_usd_per_mwh"])
            + co2 * d.carbon_price[y]
        )
        rows.append((y, s, k, cap, e, co2, cost))
    grid = defaultdict(list)
    for s, y, h in d.grid_syh:
        grid[s, y].append(h)
    for (s, y), hs in sorted(grid.items()):
        vals = {h: _v(m.grid[s, y, h]) for h in hs}
        e = sum(w[h] * v for h, v in vals.items())
        if e <= 0:
            continue
        co2 = e * d.site[s]["grid_co2_kg_per_mwh"] / 1000.0
        cost = (
            sum(w[h] * v * d.site[s]["grid_price_usd_per_mwh"] * d.price_mult[h] for h, v in vals.items())
            + co2 * d.carbon_price[y]
        )
        rows.append((y, s, "grid", max(vals.values()), e, co2, cost))
    return pd.DataFrame(rows, columns=COLUMNS["energy"])


def _delivered(m, d: ModelData) -> dict[tuple, float]:
    """MWh a year each (site, tech, year) delivers. Surplus in a slice (supply above the
    facility load, which the program lets go to waste) is taken off the variable techs in
    proportion to their output, so curtailed energy is not reported as used."""
    gen = {k: _v(m.gen[k]) for k in d.gen_skyh}
    supply = defaultdict(float)
    var_out = defaultdict(float)
    for (s, k, y, h), v in gen.items():
        supply[s, y, h] += v
        if d.tech[k]["kind"] == "variable":
            var_out[s, y, h] += v
    for s, k, y, h in d.stor_skyh:
        supply[s, y, h] += _v(m.discharge[s, k, y, h]) - _v(m.charge[s, k, y, h])
    for s, y, h in d.grid_syh:
        supply[s, y, h] += _v(m.grid[s, y, h])
    load = {k: _v(m.facility_load[k]) for k in d.load_sy}
    out = defaultdict(float)
    for (s, k, y, h), v in gen.items():
        if d.tech[k]["kind"] == "variable" and var_out[s, y, h] > 0:
            surplus = max(0.0, supply[s, y, h] - load.get((s, y), 0.0))
            v -= min(surplus, var_out[s, y, h]) * v / var_out[s, y, h]
        out[s, k, y] += d.weight[h] * max(v, 0.0)
    return out


def _serving(m, d: ModelData) -> pd.DataFrame:
    rows = [(y, r, s, mm, _v(m.serve[r, s, mm, y]) * TOK) for r, s, mm, y in d.serve_rsmy]
    t = pd.DataFrame(rows, columns=COLUMNS["serving"])
    return t[t["tokens"] > 0]


def _unserved(m, d: ModelData) -> pd.DataFrame:
    rows = [(y, r, mm, _v(m.unserved[r, mm, y]) * TOK) for r, mm, y in sorted(d.demand_rmy)]
    t = pd.DataFrame(rows, columns=COLUMNS["unserved"])
    return t[t["tokens"] > 0]


def _costs(m, d: ModelData) -> pd.DataFrame:
    rows = []
    for comp in m.cost_components:
        e = getattr(m, comp)
        for y in d.years:
            usd = _v(e[y]) * MUSD
            rows.append((y, comp, usd, usd * d.df[y]))
    return pd.DataFrame(rows, columns=COLUMNS["costs"])


def layer_totals(costs: pd.DataFrame) -> dict[str, float]:
    """Discounted USD per layer (infrastructure, chips, energy, network, penalties)."""
    out = {layer: 0.0 for layer in ("infrastructure", "chips", "energy", "network", "penalties")}
    for comp, v in costs.groupby("component")["usd_discounted"].sum().items():
        out[LAYER_OF_COMPONENT[comp]] += float(v)
    return out
