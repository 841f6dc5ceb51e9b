"""Energy layer: onsite power built and dispatched, grid imports and storage, per slice.

Decisions: ``new[s,k,y]`` (MW built; ``new_units[s,k,y]`` integer where ``unit_mw > 0``),
``gen[s,k,y,h]``, ``grid[s,y,h]``, ``charge``/``discharge``/``soc[s,k,y,h]`` for storage.
Constraints 6, 7, 8, 9 and 11 of DESIGN.md §4 (constraint 5, the facility load, comes from
the chips layer). Cost components: ``power_capital``, ``power_fom``, ``grid_energy``,
``fuel_vom``, ``carbon``.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pyomo.environ as pyo

from .data import MUSD, ModelData, crf
from .rows import eq, ge, le, linear, var_dict


def define(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Add the energy decisions, balances and cost terms to ``m``."""
    m.NEW_SKY = pyo.Set(initialize=d.new_sky, dimen=3, ordered=True)
    m.CAP_SKY = pyo.Set(initialize=sorted(d.cap_sky), dimen=3, ordered=True)
    m.GEN_SKYH = pyo.Set(initialize=d.gen_skyh, dimen=4, ordered=True)
    m.STOR_SKYH = pyo.Set(initialize=d.stor_skyh, dimen=4, ordered=True)
    m.GRID_SYH = pyo.Set(initialize=d.grid_syh, dimen=3, ordered=True)

    def new_bounds(m, s, k, y):
        mx = d.max_mw.get((s, k))
        if mx is None:
            return (0, None)
        u = d.tech[k]["unit_mw"]
        return (0, math.floor(mx / u + 1e-9) * u if u > 0 else mx)

    m.new = pyo.Var(m.NEW_SKY, within=pyo.NonNegativeReals, bounds=new_bounds)
    lumpy = [(s, k, y) for s, k, y in d.new_sky if d.tech[k]["unit_mw"] > 0]
    m.LUMPY_SKY = pyo.Set(initialize=lumpy, dimen=3, ordered=True)
    m.new_units = pyo.Var(m.LUMPY_SKY, within=pyo.NonNegativeIntegers)
    m.new_lumpy = pyo.Constraint(
        m.LUMPY_SKY, rule=lambda m, s, k, y: m.new[s, k, y] == d.tech[k]["unit_mw"] * m.new_units[s, k, y]
    )
    m.capacity = pyo.Expression(
        m.CAP_SKY, rule=lambda m, s, k, y: pyo.quicksum(m.new[key] for key in d.cap_sky[s, k, y])
    )
    capped = [key for key in sorted(d.cap_sky) if (key[0], key[1]) in d.max_mw]
    m.CAPPED_SKY = pyo.Set(initialize=capped, dimen=3, ordered=True)
    ex = d.existing  # DESIGN.md §7.7: existing MW count in (7) and in max_mw
    m.max_capacity = pyo.Constraint(
        m.CAPPED_SKY, rule=lambda m, s, k, y: m.capacity[s, k, y] + ex.power_mw.get((s, k, y), 0.0) <= d.max_mw[s, k]
    )

    # Capacity in service enters a row of every slice; one variable per (s, k, y) defined
    # once keeps the build-year terms out of those rows (exact substitution).
    used = sorted({(s, k, y) for s, k, y, h in d.gen_skyh} | {(s, k, y) for s, k, y, h in d.stor_skyh})
    m.CAPUSE_SKY = pyo.Set(initialize=used, dimen=3, ordered=True)
    m.cap_mw = pyo.Var(m.CAPUSE_SKY, within=pyo.NonNegativeReals)
    m.cap_def = pyo.Constraint(
        m.CAPUSE_SKY,
        rule=lambda m, s, k, y: m.cap_mw[s, k, y] == m.capacity[s, k, y] + ex.power_mw.get((s, k, y), 0.0),
    )

    m.gen = pyo.Var(m.GEN_SKYH, within=pyo.NonNegativeReals)

    def grid_bounds(m, s, y, h):
        cap = d.site[s]["grid_cap_mw"]
        return (0, None if cap is None or math.isnan(cap) else cap)  # constraint 8

    m.grid = pyo.Var(m.GRID_SYH, within=pyo.NonNegativeReals, bounds=grid_bounds)
    m.charge = pyo.Var(m.STOR_SKYH, within=pyo.NonNegativeReals)
    m.discharge = pyo.Var(m.STOR_SKYH, within=pyo.NonNegativeReals)
    m.soc = pyo.Var(m.STOR_SKYH, within=pyo.NonNegativeReals)

    gen, cap = var_dict(m.gen), var_dict(m.cap_mw)
    charge, discharge, soc = var_dict(m.charge), var_dict(m.discharge), var_dict(m.soc)
    grid = var_dict(m.grid)

    def gen_limit(m, s, k, y, h):  # constraint 7
        t = d.tech[k]
        share = d.cf[s, k, h] if t["kind"] == "variable" else t["availability"]
        return le(((1.0, gen[s, k, y, h]), (-share, cap[s, k, y])))

    m.gen_limit = pyo.Constraint(m.GEN_SKYH, rule=gen_limit)

    # constraint 9: storage, cyclic within each representative day, losses on charging
    def soc_balance(m, s, k, y, h):
        dur = d.duration[h]
        return eq(
            (
                (1.0, soc[s, k, y, h]),
                (-1.0, soc[s, k, y, d.prev_slice[h]]),
                (-dur * d.tech[k]["round_trip_eff"], charge[s, k, y, h]),
                (dur, discharge[s, k, y, h]),
            )
        )

    m.soc_balance = pyo.Constraint(m.STOR_SKYH, rule=soc_balance)
    m.soc_limit = pyo.Constraint(
        m.STOR_SKYH,
        rule=lambda m, s, k, y, h: le(((1.0, soc[s, k, y, h]), (-d.tech[k]["storage_hours"], cap[s, k, y]))),
    )
    m.charge_limit = pyo.Constraint(
        m.STOR_SKYH, rule=lambda m, s, k, y, h: le(((1.0, charge[s, k, y, h]), (-1.0, cap[s, k, y])))
    )
    m.discharge_limit = pyo.Constraint(
        m.STOR_SKYH, rule=lambda m, s, k, y, h: le(((1.0, discharge[s, k, y, h]), (-1.0, cap[s, k, y])))
    )

    gen_by_syh = defaultdict(list)
    for s, k, y, h in d.gen_skyh:
        gen_by_syh[s, y, h].append(gen[s, k, y, h])
    stor_by_syh = defaultdict(list)
    for s, k, y, h in d.stor_skyh:
        stor_by_syh[s, y, h].append((discharge[s, k, y, h], charge[s, k, y, h]))
    bal = [(s, y, h) for s, y in d.load_sy for h in d.slices]
    load = var_dict(m.load_mw)

    def power_balance(m, s, y, h):  # constraint 6
        terms = [(1.0, v) for v in gen_by_syh.get((s, y, h), ())]
        for dis, ch in stor_by_syh.get((s, y, h), ()):
            terms += ((1.0, dis), (-1.0, ch))
        g = grid.get((s, y, h))
        if g is not None:
            terms.append((1.0, g))
        terms.append((-1.0, load[s, y]))
        return ge(terms)

    m.BAL_SYH = pyo.Set(initialize=bal, dimen=3, ordered=True)
    m.power_balance = pyo.Constraint(m.BAL_SYH, rule=power_balance)

    # CO2 in kt per year: kg/MWh x MWh / 1e6
    gen_by_y = defaultdict(list)
    for s, k, y, h in d.gen_skyh:
        gen_by_y[y].append((s, k, h))
    stor_by_y = defaultdict(list)
    for s, k, y, h in d.stor_skyh:
        stor_by_y[y].append((s, k, h))
    grid_by_y = defaultdict(list)
    for s, y, h in d.grid_syh:
        grid_by_y[y].append((s, h))

    def co2_kt(m, y):
        w = d.weight
        terms = [
            (w[h] * d.site[s]["grid_co2_kg_per_mwh"] / 1e6, grid[s, y, h])
            for s, h in grid_by_y.get(y, [])
            if d.site[s]["grid_co2_kg_per_mwh"]
        ]
        terms += [
            (w[h] * d.tech[k]["co2_kg_per_mwh"] / 1e6, gen[s, k, y, h])
            for s, k, h in gen_by_y.get(y, [])
            if d.tech[k]["co2_kg_per_mwh"]
        ]
        terms += [
            (w[h] * d.tech[k]["co2_kg_per_mwh"] / 1e6, discharge[s, k, y, h])
            for s, k, h in stor_by_y.get(y, [])
            if d.tech[k]["co2_kg_per_mwh"]
        ]
        return linear(terms)

    m.co2_kt = pyo.Expression(m.YEARS, rule=co2_kt)
    cap_years = [y for y in d.years if d.carbon_cap.get(y) is not None]
    m.CAPYEARS = pyo.Set(initialize=cap_years, ordered=True)
    m.carbon_cap = pyo.Constraint(m.CAPYEARS, rule=lambda m, y: m.co2_kt[y] <= d.carbon_cap[y] / 1e3)  # constraint 11

    cap_by_y = defaultdict(list)
    for s, k, y in d.cap_sky:
        cap_by_y[y].append((s, k))
    m.power_capital = pyo.Expression(
        m.YEARS,
        rule=lambda m, y: pyo.quicksum(
            d.tech[k]["capex_usd_per_kw"]
            * 1000.0
            / MUSD
            * crf(d.rate, d.tech[k]["lifetime_years"])
            * m.capacity[s, k, y]
            for s, k in cap_by_y.get(y, [])
        ),
    )
    m.power_fom = pyo.Expression(
        m.YEARS,
        rule=lambda m, y: pyo.quicksum(
            d.tech[k]["fom_usd_per_kw_yr"] * 1000.0 / MUSD * (m.capacity[s, k, y] + ex.power_mw.get((s, k, y), 0.0))
            for s, k in cap_by_y.get(y, [])
            if d.tech[k]["fom_usd_per_kw_yr"]
        ),
    )
    m.grid_energy = pyo.Expression(
        m.YEARS,
        rule=lambda m, y: linear(
            (d.weight[h] * d.site[s]["grid_price_usd_per_mwh"] * d.price_mult[h] / MUSD, grid[s, y, h])
            for s, h in grid_by_y.get(y, [])
        ),
    )

    run_cost = {k: d.tech[k]["vom_usd_per_mwh"] + d.tech[k]["fuel_usd_per_mwh"] for k in d.techs}

    def fuel_vom(m, y):
        terms = [(d.weight[h] * run_cost[k] / MUSD, gen[s, k, y, h]) for s, k, h in gen_by_y.get(y, []) if run_cost[k]]
        terms += [
            (d.weight[h] * run_cost[k] / MUSD, discharge[s, k, y, h]) for s, k, h in stor_by_y.get(y, []) if run_cost[k]
        ]
        return linear(terms)

    m.fuel_vom = pyo.Expression(m.YEARS, rule=fuel_vom)
    # USD/t x kt x 1e3 t/kt / 1e6 = MUSD
    m.carbon = pyo.Expression(
        m.YEARS, rule=lambda m, y: d.carbon_price[y] * 1e3 / MUSD * m.co2_kt[y] if d.carbon_price[y] else 0.0
    )
    m.cost_components += ["power_capital", "power_fom", "grid_energy", "fuel_vom", "carbon"]
    # the rules above keep their lookup tables alive through their closures; every row is
    # built, so the tables are emptied (about 0.2 GB on 100 sites x 20 years x 96 slices)
    tables = (gen, cap, charge, discharge, soc, grid, load, gen_by_syh, stor_by_syh)
    for table in (*tables, gen_by_y, stor_by_y, grid_by_y):
        table.clear()
