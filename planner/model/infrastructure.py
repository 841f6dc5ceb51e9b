"""Infrastructure layer: sites opened and hall blocks built per cooling technology.

Decisions: ``open[s,y]`` (binary, non-decreasing), ``hall[s,c,y]`` (integer blocks of
``hall_block_mw`` IT MW entering service in year y). Constraint 1 of DESIGN.md §4.
Cost components (MUSD per year, undiscounted): ``site_capital``, ``hall_capital``,
``hall_fom``.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from .data import MUSD, ModelData, crf
from .existing import hall_mw_by_site_year


def define(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Add the infrastructure decisions, constraints and cost terms to ``m``."""
    hb = d.hall_mw
    m.OPEN_SY = pyo.Set(initialize=d.open_sy, dimen=2, ordered=True)
    m.HALL_SCY = pyo.Set(initialize=d.hall_scy, dimen=3, ordered=True)
    m.HALLSVC_SCY = pyo.Set(initialize=sorted(d.hallsvc_scy), dimen=3, ordered=True)
    m.open = pyo.Var(m.OPEN_SY, within=pyo.Binary)

    def hall_bounds(m, s, c, y):
        return (0, math.floor(d.site[s]["max_it_mw"] / hb + 1e-9))

    m.hall = pyo.Var(m.HALL_SCY, within=pyo.NonNegativeIntegers, bounds=hall_bounds)

    def hallsvc(m, s, c, y):
        return pyo.quicksum(m.hall[k] for k in d.hallsvc_scy[s, c, y])

    m.hall_in_service = pyo.Expression(m.HALLSVC_SCY, rule=hallsvc)

    def open_of(s, y):
        return m.open[s, y] if (s, y) in m.OPEN_SY else 0

    m._open_of = open_of

    def nondecreasing(m, s, y):
        if (s, y - 1) not in m.OPEN_SY:
            return pyo.Constraint.Skip
        return m.open[s, y] >= m.open[s, y - 1]

    m.open_nondecreasing = pyo.Constraint(m.OPEN_SY, rule=nondecreasing)

    svc_by_sy: dict = {}
    svc_by_y: dict = {}
    for s, c, y in d.hallsvc_scy:
        svc_by_sy.setdefault((s, y), []).append(c)
        svc_by_y.setdefault(y, []).append((s, c))

    ex = d.existing
    ex_mw = hall_mw_by_site_year(ex)  # DESIGN.md §7.7: existing halls count against max_it_mw

    def site_capacity(m, s, y):  # constraint 1
        cs = svc_by_sy.get((s, y))
        if not cs:
            return pyo.Constraint.Skip
        return hb * pyo.quicksum(m.hall_in_service[s, c, y] for c in cs) + ex_mw.get((s, y), 0.0) <= d.site[s][
            "max_it_mw"
        ] * open_of(s, y)

    m.site_capacity = pyo.Constraint(m.OPEN_SY, rule=site_capacity)

    L = d.site_life
    f_site = crf(d.rate, L)

    def site_capital(m, y):
        # open cost annualised over site_lifetime_years from the opening year:
        # sum over b in [y-L+1, y] of (open[b] - open[b-1]) telescopes to open[y] - open[y-L]
        return pyo.quicksum(
            d.site[s]["open_cost_usd"] / MUSD * f_site * (open_of(s, y) - open_of(s, y - L))
            for s in d.sites
            if s not in ex.sites  # a site with existing assets opens at no cost (§7.7)
        )

    def hall_capital(m, y):
        return pyo.quicksum(
            (d.site[s]["build_cost_usd_per_mw_it"] + d.cool[c]["capex_usd_per_mw_it"])
            * hb
            / MUSD
            * crf(d.rate, d.cool[c]["lifetime_years"])
            * m.hall_in_service[s, c, y]
            for (s, c) in svc_by_y.get(y, [])
        )

    def hall_fom(m, y):
        return pyo.quicksum(
            (d.site[s]["fom_usd_per_mw_it_yr"] + d.cool[c]["fom_usd_per_mw_it_yr"])
            * hb
            / MUSD
            * m.hall_in_service[s, c, y]
            for (s, c) in svc_by_y.get(y, [])
        ) + sum(  # existing halls in service (§7.7)
            (d.site[s]["fom_usd_per_mw_it_yr"] + d.cool[c]["fom_usd_per_mw_it_yr"]) * mw / MUSD
            for (s, c, yy), mw in sorted(ex.hall_mw.items())
            if yy == y
        )

    m.site_capital = pyo.Expression(m.YEARS, rule=site_capital)
    m.hall_capital = pyo.Expression(m.YEARS, rule=hall_capital)
    m.hall_fom = pyo.Expression(m.YEARS, rule=hall_fom)
    m.cost_components += ["site_capital", "hall_capital", "hall_fom"]
