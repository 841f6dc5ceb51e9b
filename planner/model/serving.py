"""Models and applications layers: tokens sent from sites to regions, and unserved demand.

Decisions: ``serve[r,s,m,y]`` (Ttok, only where the (region, site) pair is listed in
latency.csv within the demand's ``max_latency_ms``), ``unserved[r,m,y]`` (Ttok).
Constraint 4 of DESIGN.md §4. Cost components: ``network``, ``unserved_penalty``.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from .data import ModelData


def define(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Add serving decisions, the token balances and their cost terms to ``m``."""
    m.SERVE_RSMY = pyo.Set(initialize=d.serve_rsmy, dimen=4, ordered=True)
    m.DEMAND_RMY = pyo.Set(initialize=sorted(d.demand_rmy), dimen=3, ordered=True)
    m.serve = pyo.Var(m.SERVE_RSMY, within=pyo.NonNegativeReals)
    m.unserved = pyo.Var(
        m.DEMAND_RMY, within=pyo.NonNegativeReals, bounds=lambda m, r, mm, y: (0, d.demand_rmy[r, mm, y])
    )

    serve_by_smy = defaultdict(list)
    serve_by_rmy = defaultdict(list)
    for r, s, mm, y in d.serve_rsmy:
        serve_by_smy[s, mm, y].append(r)
        serve_by_rmy[r, mm, y].append(s)
    tok_by_smy = defaultdict(list)
    for s, g, mm, y in d.tok_sgmy:
        tok_by_smy[s, mm, y].append(g)

    m.PROD_SMY = pyo.Set(initialize=sorted(tok_by_smy), dimen=3, ordered=True)
    m.production_balance = pyo.Constraint(  # constraint 4, first part
        m.PROD_SMY,
        rule=lambda m, s, mm, y: (
            pyo.quicksum(m.serve[r, s, mm, y] for r in serve_by_smy[s, mm, y])
            == pyo.quicksum(m.tok[s, g, mm, y] for g in tok_by_smy[s, mm, y])
        ),
    )
    m.demand_balance = pyo.Constraint(  # constraint 4, second part
        m.DEMAND_RMY,
        rule=lambda m, r, mm, y: (
            pyo.quicksum(m.serve[r, s, mm, y] for s in serve_by_rmy[r, mm, y]) + m.unserved[r, mm, y]
            == d.demand_rmy[r, mm, y]
        ),
    )

    serve_by_y = defaultdict(list)
    for r, s, mm, y in d.serve_rsmy:
        serve_by_y[y].append((r, s, mm))
    dem_by_y = defaultdict(list)
    for r, mm, y in d.demand_rmy:
        dem_by_y[y].append((r, mm))

    # USD per million tokens x Ttok = MUSD
    m.network = pyo.Expression(
        m.YEARS,
        rule=lambda m, y: pyo.quicksum(
            d.net_cost[r, s] * m.serve[r, s, mm, y] for r, s, mm in serve_by_y.get(y, []) if d.net_cost[r, s]
        ),
    )
    m.unserved_penalty = pyo.Expression(
        m.YEARS,
        rule=lambda m, y: pyo.quicksum(d.unserved_penalty * m.unserved[r, mm, y] for r, mm in dem_by_y.get(y, [])),
    )
    m.cost_components += ["network", "unserved_penalty"]
