"""Water (DESIGN.md §7.2): consumption of cooling and onsite generation, site caps and prices.

Water use of site s in year y, in ML (megalitres):

    W[s,y] = 8.76 × load_factor × Σ_{g,c} active[s,g,c,y] × it_kw_per_unit_g/1000 × wue_c × wue_mult_s
           + Σ_k Σ_h w_h × gen[s,k,y,h] × water_l_per_mwh_k / 1e6

(8.76 = 8760 h × 1000 kWh/MWh / 1e6 L/ML; WUE is litres per kWh of IT energy, The Green
Grid's definition; storage consumes no water). Only sites with ``water_cap_ml_per_yr`` or a
``water_price_usd_per_ml`` > 0 get ``water_ml[s,y]`` (Expression, ML) in the program; elsewhere
water is reported only. Constraint (13): ``water_cap[s,y]``: W[s,y] ≤ water_cap_ml_per_yr.
Cost component (MUSD/yr, undiscounted): ``water`` = Σ_s water_price × W[s,y] / 1e6.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pyomo.environ as pyo

from .data import MUSD, ModelData
from .rows import le, linear

ML_PER_MW_YEAR_PER_L_PER_KWH = 8.76  # 8760 h × 1000 kWh/MWh / 1e6 L/ML


def _num(x, blank: float) -> float:
    return blank if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def water_cap(d: ModelData, s: str) -> float | None:
    """The site's cap in ML a year, or None (no limit)."""
    v = d.site[s].get("water_cap_ml_per_yr")
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def water_price(d: ModelData, s: str) -> float:
    """USD per ML (0 when blank or absent)."""
    return _num(d.site[s].get("water_price_usd_per_ml"), 0.0)


def cooling_coef(d: ModelData, s: str, g: str, c: str) -> float:
    """ML a year per active unit of chip g in cooling c at site s."""
    wue = _num(d.cool[c].get("wue_l_per_kwh"), 0.0) * _num(d.site[s].get("wue_mult"), 1.0)
    return ML_PER_MW_YEAR_PER_L_PER_KWH * d.load_factor * d.chip[g]["it_kw_per_unit"] / 1000.0 * wue


def gen_coef(d: ModelData, k: str, h: str) -> float:
    """ML per MW generated in slice h by tech k (storage: 0)."""
    t = d.tech[k]
    if t["kind"] == "storage":
        return 0.0
    return d.weight[h] * _num(t.get("water_l_per_mwh"), 0.0) / 1e6


def water_terms(m, d: ModelData, sites: set[str]) -> dict[tuple, list[tuple]]:
    """(s, y) -> [(ML per unit, VarData)] of W[s,y] for the sites in ``sites``."""
    out = defaultdict(list)
    for s, g, c, y in d.active_sgcy:
        if s in sites:
            coef = cooling_coef(d, s, g, c)
            if coef:
                out[s, y].append((coef, m.active_units[s, g, c, y]))
    for s, k, y, h in d.gen_skyh:
        if s in sites:
            coef = gen_coef(d, k, h)
            if coef:
                out[s, y].append((coef, m.gen[s, k, y, h]))
    return out


def define(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Add ``water_ml``, constraint (13) ``water_cap`` and the ``water`` cost component (only
    at sites with a cap or a price)."""
    sites = {s for s in d.sites if water_cap(d, s) is not None or water_price(d, s) > 0}
    if not sites:
        return
    terms = water_terms(m, d, sites)
    keys = sorted(terms)
    m.WATER_SY = pyo.Set(initialize=keys, dimen=2, ordered=True)
    m.water_ml = pyo.Expression(m.WATER_SY, rule=lambda m, s, y: linear(terms[s, y]))
    capped = [(s, y) for s, y in keys if water_cap(d, s) is not None]
    m.WATERCAP_SY = pyo.Set(initialize=capped, dimen=2, ordered=True)
    m.water_cap = pyo.Constraint(m.WATERCAP_SY, rule=lambda m, s, y: le(terms[s, y], water_cap(d, s)))
    priced = defaultdict(list)
    for s, y in keys:
        if water_price(d, s) > 0:
            priced[y].append(s)
    if not priced:
        return
    m.water = pyo.Expression(
        m.YEARS,
        rule=lambda m, y: (
            pyo.quicksum(water_price(d, s) / MUSD * m.water_ml[s, y] for s in priced[y]) if priced.get(y) else 0.0
        ),
    )
    m.cost_components.append("water")
