"""Valid inequalities that tighten the linear relaxation without changing the optimum.

The program links a site's opening (binary) to what it hosts only through the aggregate
"halls in service x block <= max_it_mw x open" (constraint 1), whose big-M lets the linear
relaxation open a site at 0.3 % to serve a few MW. Two families of inequalities, standard in
facility location, cut those fractional plans away:

- ``serve_needs_open[r,s,m,y]``: serve[r,s,m,y] <= demand[r,m,y] x open[s,y]. Valid for every
  feasible plan: a site serves only if it makes tokens, which needs active chips, halls in
  service and so an open site.
- ``open_needs_hall[s,y]``: halls in service at s in y >= open[s,y], written only for years
  y < start_year + (shortest cooling lifetime), when no hall can have retired yet. A plan
  that keeps a site open without ever having built a hall there is matched or beaten by the
  same plan opening the site later (the open cost is annualised from the opening year), so
  an optimal plan always satisfies it.

- ``site_order[s,y]``: open[s,y] >= open[s',y] for consecutive sites s < s' of a group whose
  every input is the same (:attr:`ModelData.identical_sites`). Swapping two such sites with
  everything they host changes no cost, so among the optimal plans there is one opening them
  in name order (open is non-decreasing, so "opened no later" is the order); without these
  rows branch and bound explores each of the swapped copies.

None of the families excludes every optimal plan, so the optimum of DESIGN.md §4 is unchanged.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from .data import ModelData


def define(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Add the tightening inequalities to ``m`` (after the layers are defined); their names
    are listed in ``m.tightening`` so that dual analyses can set them aside."""
    m.tightening = ["serve_needs_open", "open_needs_hall", "site_order"]
    order = [
        (s, y, nxt)
        for group in d.identical_sites
        for s, nxt in zip(group, group[1:])
        for y in d.years
        if (s, y) in m.OPEN_SY and (nxt, y) in m.OPEN_SY
    ]
    m.SITE_ORDER = pyo.Set(initialize=order, dimen=3, ordered=True)
    m.site_order = pyo.Constraint(m.SITE_ORDER, rule=lambda m, s, y, nxt: m.open[s, y] >= m.open[nxt, y])
    m.serve_needs_open = pyo.Constraint(
        m.SERVE_RSMY,
        rule=lambda m, r, s, mm, y: m.serve[r, s, mm, y] <= d.demand_rmy[r, mm, y] * m._open_of(s, y),
    )
    if not d.coolings:
        return
    shortest = min(int(d.cool[c]["lifetime_years"]) for c in d.coolings)
    svc = defaultdict(list)
    for s, c, y in d.hallsvc_scy:
        svc[s, y].append(c)
    ex_sites = d.existing.sites if d.existing else {}  # an existing site is open without a hall built (§7.7)
    keys = [(s, y) for s, y in d.open_sy if y < d.start_year + shortest and svc.get((s, y)) and s not in ex_sites]
    m.OPEN_HALL_SY = pyo.Set(initialize=keys, dimen=2, ordered=True)
    m.open_needs_hall = pyo.Constraint(
        m.OPEN_HALL_SY, rule=lambda m, s, y: pyo.quicksum(m.hall_in_service[s, c, y] for c in svc[s, y]) >= m.open[s, y]
    )
