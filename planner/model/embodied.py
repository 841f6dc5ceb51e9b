"""Embodied carbon (DESIGN.md §7.4): CO2 of chips, halls and power plant before they draw a watt.

Embodied CO2 of year y, in t (the model holds kt, like ``co2_kt``):

    E[y] = Σ_s ( Σ_{g,c} buy[s,g,c,y] × e_g + Σ_c hall[s,c,y] × hall_block_mw × e_c + Σ_k new[s,k,y] × e_k )

counted in the year the asset enters service (e_g: chips.csv ``embodied_co2_t_per_unit``,
e_c: cooling.csv ``embodied_co2_t_per_mw_it``, e_k: power.csv ``embodied_co2_t_per_mw``).
Under scenario.toml ``carbon_scope = "lifecycle"`` E[y] is added to the carbon cap (11) of
year y and priced at year y's carbon price (cost component ``embodied_carbon``, MUSD/yr,
undiscounted); under ``"operational"`` (the default) it is reported only and the program is
unchanged. Pyomo names: ``embodied_kt[y]`` (Expression).
"""

from __future__ import annotations

import math
from collections import defaultdict

import pyomo.environ as pyo

from .data import MUSD, ModelData
from .rows import linear


def _e(row: dict, col: str) -> float:
    v = row.get(col)
    return 0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def embodied_terms(m, d: ModelData) -> dict[int, dict[str, list[tuple]]]:
    """y -> source (``embodied_chips``, ``embodied_halls``, ``embodied_power``) -> [(t per
    unit, VarData)]."""
    out: dict = defaultdict(lambda: defaultdict(list))
    for s, g, c, y in d.buy_sgcy:
        e = _e(d.chip[g], "embodied_co2_t_per_unit")
        if e:
            out[y]["embodied_chips"].append((e, m.buy[s, g, c, y]))
    for s, c, y in d.hall_scy:
        e = _e(d.cool[c], "embodied_co2_t_per_mw_it") * d.hall_mw
        if e:
            out[y]["embodied_halls"].append((e, m.hall[s, c, y]))
    for s, k, y in d.new_sky:
        e = _e(d.tech[k], "embodied_co2_t_per_mw")
        if e:
            out[y]["embodied_power"].append((e, m.new[s, k, y]))
    return out


def define(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Under ``"lifecycle"``: add ``embodied_kt``, put it into the carbon cap rows and price
    it (component ``embodied_carbon``). Must run after the energy layer."""
    if d.carbon_scope != "lifecycle":
        return
    terms = embodied_terms(m, d)
    if not terms:
        return
    flat = {y: [(c / 1e3, v) for src in terms[y].values() for c, v in src] for y in terms}
    m.EMBODIED_Y = pyo.Set(initialize=sorted(flat), ordered=True)
    m.embodied_kt = pyo.Expression(m.EMBODIED_Y, rule=lambda m, y: linear(flat[y]))
    for y in m.CAPYEARS:  # constraint (11) with E[y]
        if y in flat:
            m.carbon_cap[y].set_value(m.co2_kt[y] + m.embodied_kt[y] <= d.carbon_cap[y] / 1e3)
    priced = [y for y in flat if d.carbon_price.get(y)]
    if priced:
        m.embodied_carbon = pyo.Expression(
            m.YEARS,
            rule=lambda m, y: d.carbon_price[y] * 1e3 / MUSD * m.embodied_kt[y] if y in priced else 0.0,
        )
        m.cost_components.append("embodied_carbon")
