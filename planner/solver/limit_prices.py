"""Shadow prices of the §7.6 limits (DESIGN.md §7.6), from the long-run LP of
:mod:`planner.solver.marginal` (integers relaxed, site openings fixed): limits on what is
built -- capex and facility -- are priced there, and so is the NPC budget.

Each price is the saving in net present cost from one more unit of the limit, undiscounted
to its year (÷ DF_y): ``facility_mw`` in USD per MW of facility draw in that year,
``capex_usd_per_year`` in USD per USD of capex in that year, ``npc_budget_usd`` in USD per
USD of budget (a present value already: its year is the start year, DF = 1).
"""

from __future__ import annotations

from ..model.data import MUSD
from .limit_registry import LimitKind, register

ROWS = ("limit_capex", "limit_facility", "limit_npc")
# limit name -> (unit of its shadow price, human name)
UNITS = {
    "capex_usd_per_year": ("USD per USD", "capex budget"),
    "facility_mw": ("USD per MW", "facility power limit"),
    "npc_budget_usd": ("USD per USD", "net present cost budget"),
}
TOL = 1e-7


def limit_prices(m, d, duals: dict, basis: str = "long_run") -> list[tuple]:
    """Rows (limit, item, year, shadow_price, unit, basis) of binding_limits.csv for the §7.6
    limit rows of ``m`` whose dual (in ``duals``: Pyomo constraint -> MUSD per unit of
    right-hand side) saves more than noise."""
    out = []
    for comp_name, limit, conv in (
        ("limit_capex", "capex_usd_per_year", 1.0),  # MUSD per MUSD == USD per USD
        ("limit_facility", "facility_mw", MUSD),  # MUSD per MW -> USD per MW
    ):
        comp = getattr(m, comp_name, None)
        if comp is None:
            continue
        for y in comp:
            c = comp[y]
            val = -duals.get(c, 0.0)
            if val > TOL:
                out.append((limit, "all sites", y, val / d.df[y] * conv, UNITS[limit][0], basis))
    c = getattr(m, "limit_npc", None)
    if c is not None:
        val = -duals.get(c, 0.0)
        if val > TOL:
            y0 = d.years[0]
            out.append(("npc_budget_usd", "all sites", y0, val, UNITS["npc_budget_usd"][0], basis))
    return out


# for pricing one MORE unit (planner.solver.limit_registry): capex and the NPC budget are
# rows in MUSD (one USD: 1e-6 MUSD; re-solve step $1000), facility_mw in MW
register(
    "capex_usd_per_year",
    LimitKind(
        "limit_capex", lambda d, y: ("all sites", int(y)), per=1e-6, step=1e3, one="USD of capex", range_unit="USD"
    ),
)
register(
    "facility_mw",
    LimitKind("limit_facility", lambda d, y: ("all sites", int(y)), one="MW of facility draw", range_unit="MW"),
)
register(
    "npc_budget_usd",
    LimitKind(
        "limit_npc",
        lambda d, _k: ("all sites", int(d.years[0])),
        per=1e-6,
        step=1e3,
        discounted=False,
        one="USD of budget",
        range_unit="USD",
    ),
)
