"""Chips layer: units bought, installed and powered on, and tokens made on them.

Decisions: ``buy[s,g,c,y]`` (integer units, chip g fitting cooling c, inside the chip's
purchase window), ``active[s,g,c,y]`` (Pyomo name ``active_units``, because ``active`` is reserved on a block; units powered on, <= units bought in the last
``lifetime_years``), ``tok[s,g,m,y]`` (Ttok of model m made on chip g at site s).
Constraints 2, 3 and 10 of DESIGN.md §4. Cost components: ``chip_capital``, ``chip_fom``.
Registers the facility load L[s,y] (MW, constraint 5) for the energy layer.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pyomo.environ as pyo

from .data import MUSD, ModelData, crf


def define(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Add the chip decisions, constraints, cost terms and facility load to ``m``."""
    m.BUY_SGCY = pyo.Set(initialize=d.buy_sgcy, dimen=4, ordered=True)
    m.INST_SGCY = pyo.Set(initialize=sorted(d.installed_sgcy), dimen=4, ordered=True)
    m.ACTIVE_SGCY = pyo.Set(initialize=d.active_sgcy, dimen=4, ordered=True)
    m.TOK_SGMY = pyo.Set(initialize=d.tok_sgmy, dimen=4, ordered=True)

    def buy_bounds(m, s, g, c, y):
        # more units than the whole site could power can never be active (tightening only)
        return (0, math.floor(d.site[s]["max_it_mw"] * 1000.0 / d.chip[g]["it_kw_per_unit"] + 1e-9))

    m.buy = pyo.Var(m.BUY_SGCY, within=pyo.NonNegativeIntegers, bounds=buy_bounds)
    m.installed = pyo.Expression(
        m.INST_SGCY, rule=lambda m, s, g, c, y: pyo.quicksum(m.buy[k] for k in d.installed_sgcy[s, g, c, y])
    )
    m.active_units = pyo.Var(m.ACTIVE_SGCY, within=pyo.NonNegativeReals)
    ex = d.existing  # DESIGN.md §7.7: existing units are installed units that may be active
    m.active_le_installed = pyo.Constraint(
        m.ACTIVE_SGCY,
        rule=lambda m, s, g, c, y: (
            m.active_units[s, g, c, y] <= m.installed[s, g, c, y] + ex.units.get((s, g, c, y), 0.0)
        ),
    )
    m.tok = pyo.Var(m.TOK_SGMY, within=pyo.NonNegativeReals)

    by_scy = defaultdict(list)
    by_sgy = defaultdict(list)
    by_sy = defaultdict(list)
    for s, g, c, y in d.active_sgcy:
        by_scy[s, c, y].append(g)
        by_sgy[s, g, y].append(c)
        by_sy[s, y].append((g, c))

    def hall_power(m, s, c, y):  # constraint 2
        return pyo.quicksum(
            d.chip[g]["it_kw_per_unit"] / 1000.0 * m.active_units[s, g, c, y] for g in by_scy[s, c, y]
        ) <= d.hall_mw * m.hall_in_service[s, c, y] + ex.hall_mw.get((s, c, y), 0.0)

    m.HALLPOWER_SCY = pyo.Set(initialize=sorted(by_scy), dimen=3, ordered=True)
    m.hall_power = pyo.Constraint(m.HALLPOWER_SCY, rule=hall_power)

    tok_by_sgy = defaultdict(list)
    for s, g, mm, y in d.tok_sgmy:
        tok_by_sgy[s, g, y].append(mm)

    def chip_throughput(m, s, g, y):  # constraint 3, in units-year
        return pyo.quicksum(d.tok_coef[s, g, mm, y] * m.tok[s, g, mm, y] for mm in tok_by_sgy[s, g, y]) <= pyo.quicksum(
            m.active_units[s, g, c, y] for c in by_sgy[s, g, y]
        )

    m.THRU_SGY = pyo.Set(initialize=sorted(tok_by_sgy), dimen=3, ordered=True)
    m.chip_throughput = pyo.Constraint(m.THRU_SGY, rule=chip_throughput)

    buy_by_gy = defaultdict(list)
    for s, g, c, y in d.buy_sgcy:
        buy_by_gy[g, y].append((s, c))
    m.SUPPLY_GY = pyo.Set(initialize=sorted(k for k in d.max_units if k in buy_by_gy), dimen=2, ordered=True)
    m.chip_supply = pyo.Constraint(  # constraint 10
        m.SUPPLY_GY,
        rule=lambda m, g, y: (
            pyo.quicksum(m.buy[s, g, c, y] for s, c in buy_by_gy[g, y])
            <= d.max_units[g, y] - ex.built_units.get((g, y), 0.0)
        ),
    )

    # constraint 5: facility load, the same in every slice (MW)
    def facility_load(m, s, y):
        return d.load_factor * pyo.quicksum(
            m.active_units[s, g, c, y]
            * d.chip[g]["it_kw_per_unit"]
            / 1000.0
            * (d.cool[c]["pue"] + d.site[s]["pue_adder"])
            for g, c in by_sy[s, y]
        )

    m.LOAD_SY = pyo.Set(initialize=d.load_sy, dimen=2, ordered=True)
    m.facility_load = pyo.Expression(m.LOAD_SY, rule=facility_load)
    # The load enters every slice's power balance; one variable per (s, y) defined once keeps
    # the ~20 chip/cooling terms out of each of those rows (an exact substitution: same
    # optimum, far fewer nonzeros, a much easier LP).
    m.load_mw = pyo.Var(m.LOAD_SY, within=pyo.NonNegativeReals)
    m.load_def = pyo.Constraint(m.LOAD_SY, rule=lambda m, s, y: m.load_mw[s, y] == m.facility_load[s, y])

    inst_by_y = defaultdict(list)
    for s, g, c, y in d.installed_sgcy:
        inst_by_y[y].append((s, g, c))

    def chip_capital(m, y):
        return pyo.quicksum(
            d.chip[g]["capex_usd_per_unit"] / MUSD * crf(d.rate, d.chip[g]["lifetime_years"]) * m.installed[s, g, c, y]
            for s, g, c in inst_by_y.get(y, [])
        )

    def chip_fom(m, y):
        return pyo.quicksum(
            d.chip[g]["fom_usd_per_unit_yr"] / MUSD * m.installed[s, g, c, y] for s, g, c in inst_by_y.get(y, [])
        ) + sum(  # existing units in service (§7.7)
            d.chip[g]["fom_usd_per_unit_yr"] / MUSD * n for (s, g, c, yy), n in sorted(ex.units.items()) if yy == y
        )

    m.chip_capital = pyo.Expression(m.YEARS, rule=chip_capital)
    m.chip_fom = pyo.Expression(m.YEARS, rule=chip_fom)
    m.cost_components += ["chip_capital", "chip_fom"]
