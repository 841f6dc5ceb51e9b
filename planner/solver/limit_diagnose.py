"""The §7.6 limits in the infeasibility diagnosis of :mod:`planner.solver.diagnose`: each
given limit (``capex_usd_per_year``, ``facility_mw``, ``npc_budget_usd``) gets a penalised
slack like the other hard limits, so a budget below what the existing fleet must pay
(its fixed O&M is sunk in no plan) is named with the amount it has to rise by."""

from __future__ import annotations

import pyomo.environ as pyo

MUSD = 1e6
# family -> how the sentence names it
WHAT = {
    "capex": "capex budget (limits.capex_usd_per_year in scenario.toml, USD)",
    "facility": "facility power limit (limits.facility_mw in scenario.toml)",
    "npc": "net present cost budget (limits.npc_budget_usd in scenario.toml, USD)",
}


def relax_limits(m, d, relax) -> None:
    """Replace the §7.6 limit rows of ``m`` by relaxed rows with a slack, through the
    diagnosis's ``relax(name, con, index_set, limit_of, unit, what, body_of)``."""
    lim = getattr(d, "limits", None) or {}
    if hasattr(m, "limit_capex"):
        m.limit_capex.deactivate()
        t = lim["capex_usd_per_year"]
        relax(
            "capex",
            m.limit_capex,
            m.CAPEX_LIMIT_Y,
            lambda y: t[y] / MUSD,
            "MUSD",
            lambda y: ("capex_usd_per_year", y, None),
            lambda y: m.capex_cash[y],
        )
    if hasattr(m, "limit_facility"):
        m.limit_facility.deactivate()
        t = lim["facility_mw"]
        by_y: dict = {}
        for s, y in d.load_sy:
            by_y.setdefault(y, []).append(s)
        relax(
            "facility",
            m.limit_facility,
            m.FACILITY_LIMIT_Y,
            lambda y: t[y],
            "MW",
            lambda y: ("facility_mw", y, None),
            lambda y: pyo.quicksum(m.load_mw[s, y] for s in by_y[y]),
        )
    if hasattr(m, "limit_npc"):
        m.limit_npc.deactivate()
        y0 = d.years[0]
        m._NPC_LIMIT = pyo.Set(initialize=[y0], ordered=True)
        budget = lim["npc_budget_usd"][y0] / MUSD
        relax(
            "npc",
            m.limit_npc,
            m._NPC_LIMIT,
            lambda y: budget,
            "MUSD",
            lambda y: ("npc_budget_usd", y, None),
            lambda y: m.npc_cost,
        )
