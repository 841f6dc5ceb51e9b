"""Shadow prices of the 24/7 CFE target (14) and of sovereignty (15) (DESIGN.md §7.3, §7.5,
priced as the end of §7.6 says: a limit on operation, the CFE target, in the short-run LP;
a limit on what is built, sovereignty, in the long-run LP).

Both rows are ``≥`` rows of a minimisation, so their dual (HiGHS: d objective / d
right-hand side) is ≥ 0 and is the saving in net present cost of loosening the limit by one
unit; divided by DF_y it is money of year y.

- ``cfe_target``, item = site: USD per MWh a year of hourly-matched carbon-free energy
  required at that site (the row is in MWh a year);
- ``sovereignty``, item = region/model (the demand key without the year): the cost of
  sovereignty, USD per million tokens that must be served at home.
"""

from __future__ import annotations

from ..model.data import MUSD
from .limit_registry import LimitKind, register

# limit name -> (unit of its shadow price, human name); merged into marginal.LIMITS
LIMITS = {
    "cfe_target": ("USD per MWh", "24/7 carbon-free energy target"),
    "sovereignty": ("USD per million tokens", "sovereign share"),
}
SHORT_RUN_ROWS = {"cfe_target"}
LONG_RUN_ROWS = {"sovereign_share"}
TOL = 1e-7  # MUSD (discounted), as planner.solver.marginal


def cfe_limits(m, d, duals: dict) -> list[tuple]:
    """Binding rows (14) of the short-run LP: (limit, item, year, shadow_price, unit, basis)."""
    comp = getattr(m, "cfe_target", None)
    if comp is None:
        return []
    out = []
    for (s, y), c in comp.items():
        val = duals.get(c, 0.0)
        if val > TOL:
            out.append(("cfe_target", s, y, val / d.df[y] * MUSD, LIMITS["cfe_target"][0], "short_run"))
    return out


def sovereignty_limits(m, d, duals: dict) -> list[tuple]:
    """Binding rows (15) of the long-run LP: (limit, item, year, shadow_price, unit, basis);
    1 MUSD per Ttok = 1 USD per million tokens."""
    comp = getattr(m, "sovereign_share", None)
    if comp is None:
        return []
    out = []
    for key, c in comp.items():
        val = duals.get(c, 0.0)
        y = key[-1]
        if val > TOL:
            item = sovereignty_item(d, key)[0]
            out.append(("sovereignty", item, y, val / d.df[y], LIMITS["sovereignty"][0], "long_run"))
    return out


def sovereignty_item(d, key: tuple) -> tuple[str, int]:
    """(item, year) of the row (15) of demand key ``key`` = (r, m, y, ...): "region/model", a
    product key of service tiers (model, tier) reading "region/model/tier" (DESIGN.md §7.9)."""
    parts = [*key[:1], *getattr(d, "product_of", {}).get(key[1], (key[1],)), *key[2:-1]]
    return "/".join(str(k) for k in parts), int(key[-1])


# for pricing one MORE unit (planner.solver.limit_registry): the CFE target row (14) is in MWh
# a year (one MWh less of hourly-matched clean energy required); the sovereign share row (15)
# in Ttok (one million tokens less that must be served at home: 1e-6 Ttok; re-solve step 1e9 tokens)
register(  # a step of 1 MWh: 1e-3 MWh a year moves the slice variables by less than HiGHS's tolerances
    "cfe_target",
    LimitKind("cfe_target", step=1.0, one="MWh a year", range_unit="MWh"),
)
register(
    "sovereignty",
    LimitKind(
        "sovereign_share",
        sovereignty_item,
        per=1e-6,
        step=1e3,
        one="million tokens",
        range_unit="million tokens",
    ),
)
