"""Limits of DESIGN.md §7.6: a cash-capex budget per year, a facility power envelope per year
and a net-present-cost budget.

Rows (only for the limits scenario.toml's ``[limits]`` gives; MUSD, MW):

- ``limit_capex[y]``: the cash capex of the investment schedule in year y, i.e. the overnight
  cost of what enters service that year -- site open cost × (open[s,y] − open[s,y−1]),
  (build_cost_usd_per_mw_it + cooling capex_usd_per_mw_it) × hall_block_mw × hall[s,c,y],
  capex_usd_per_unit × buy[s,g,c,y], capex_usd_per_kw × 1000 × new[s,k,y] -- ≤ the limit of y.
- ``limit_facility[y]``: Σ_s L[s,y] (the facility load of constraint 5, MW) ≤ the limit of y.
- ``limit_npc``: :attr:`npc_cost` ≤ ``npc_budget_usd``.

Expression ``npc_cost`` (MUSD): Σ_y DF_y × Σ of every registered cost component of
``m.cost_components`` except ``unserved_penalty`` -- so every §4 and §7 cost term that a layer
registers before :func:`define` runs is included. :func:`define` therefore runs after every
layer and before :mod:`.finance`.

A scenario without ``[limits]`` gets no rows from here (``npc_cost`` is an Expression, not
a row or a variable: the program is unchanged).
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

MUSD = 1e6  # USD per model money unit (as planner.model.data.MUSD)
PENALTY = "unserved_penalty"


def npc_components(m: pyo.ConcreteModel) -> list[str]:
    """Names of the registered cost components that count in the net present cost of §7.6
    (every one but the unserved penalty)."""
    return [c for c in m.cost_components if c != PENALTY]


def define(m: pyo.ConcreteModel, d) -> None:
    """Add ``npc_cost`` and the limit rows of ``d.limits`` (key -> {year: value}) to ``m``."""
    comps = npc_components(m)
    m.npc_cost = pyo.Expression(
        expr=pyo.quicksum(d.df[y] * pyo.quicksum(getattr(m, c)[y] for c in comps) for y in d.years)
    )
    limits = getattr(d, "limits", None) or {}
    if "capex_usd_per_year" in limits:
        lim = limits["capex_usd_per_year"]
        m.CAPEX_LIMIT_Y = pyo.Set(initialize=list(d.years), ordered=True)
        m.capex_cash = pyo.Expression(m.YEARS, rule=lambda m, y: capex_cash(m, d, y))
        m.limit_capex = pyo.Constraint(m.CAPEX_LIMIT_Y, rule=lambda m, y: m.capex_cash[y] <= lim[y] / MUSD)
    if "facility_mw" in limits:
        lim = limits["facility_mw"]
        by_y = defaultdict(list)
        for s, y in d.load_sy:
            by_y[y].append(s)
        years = [y for y in d.years if by_y.get(y)]
        m.FACILITY_LIMIT_Y = pyo.Set(initialize=years, ordered=True)
        m.limit_facility = pyo.Constraint(
            m.FACILITY_LIMIT_Y, rule=lambda m, y: pyo.quicksum(m.load_mw[s, y] for s in by_y[y]) <= lim[y]
        )
    if "npc_budget_usd" in limits:
        budget = limits["npc_budget_usd"][d.years[0]]
        m.limit_npc = pyo.Constraint(expr=m.npc_cost <= budget / MUSD)


def capex_cash(m: pyo.ConcreteModel, d, y: int):
    """Cash capex (MUSD, undiscounted) of what enters service in year y: the investment
    schedule's ``capex_usd`` of that year (see module docstring)."""
    terms = []
    for s in d.sites:
        cost = d.site[s]["open_cost_usd"] / MUSD
        if cost and (s, y) in m.OPEN_SY:
            prev = m.open[s, y - 1] if (s, y - 1) in m.OPEN_SY else 0.0
            terms.append(cost * (m.open[s, y] - prev))
    hb = d.hall_mw
    for s, c, yy in _by_year(m, "HALL_SCY", y):
        terms.append(
            (d.site[s]["build_cost_usd_per_mw_it"] + d.cool[c]["capex_usd_per_mw_it"]) * hb / MUSD * m.hall[s, c, yy]
        )
    for s, g, c, yy in _by_year(m, "BUY_SGCY", y):
        terms.append(d.chip[g]["capex_usd_per_unit"] / MUSD * m.buy[s, g, c, yy])
    for s, k, yy in _by_year(m, "NEW_SKY", y):
        terms.append(d.tech[k]["capex_usd_per_kw"] * 1000.0 / MUSD * m.new[s, k, yy])
    return pyo.quicksum(terms)


def _by_year(m, set_name: str, y: int) -> list[tuple]:
    """Keys of the index set ``set_name`` whose last element (the year) is ``y``, grouped once
    per model (a dict year -> keys cached on the model)."""
    cache = m.__dict__.setdefault("_limits_by_year", {})
    if set_name not in cache:
        g = defaultdict(list)
        for key in getattr(m, set_name):
            g[key[-1]].append(key)
        cache[set_name] = g
    return cache[set_name].get(y, [])
