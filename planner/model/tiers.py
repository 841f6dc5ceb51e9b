"""Service tiers in the program (DESIGN.md §7.9) as *products* of the model index.

With tiers in use, every (model, tier) becomes one entry ``"model␟tier"``
(:func:`planner.io.tiers.product`) of the model index M. ``tok[s,g,p,y]``, ``serve[r,s,p,y]``
and ``unserved[r,p,y]`` then carry the tier, the balances (4) hold per (r, m, t, y) and
constraint (3) reads each product's own throughput -- exactly §7.9's program, built by the
unchanged layer modules. Without tiers the products are the models themselves and nothing
here runs, so the program is §4's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..io.tiers import demand_tiers, product, tier_list, tier_throughput, tiers_in_use

TOK = 1e12  # tokens per tera-token, as planner.model.data


@dataclass
class TierData:
    """The tier-expanded parts of :class:`planner.model.ModelData`.

    - ``tiers``: tier names in tiers.csv order;
    - ``products``: sorted product keys (the model index M);
    - ``product_of``: product -> (model, tier);
    - ``throughput``: (product, chip) -> tokens/s per chip (> 0 only, after the blank-tier
      fallback of §7.9);
    - ``demand``: (region, product, year) -> tera-tokens (> 0 only); ``max_latency`` the same
      keys -> ms (NaN = no limit);
    - ``value_mult``: tier -> multiplier on the model's value_usd_per_mtok (blank = 1).
    """

    tiers: list[str]
    products: list[str]
    product_of: dict[str, tuple[str, str]]
    throughput: dict[tuple, float]
    demand: dict[tuple, float]
    max_latency: dict[tuple, float]
    value_mult: dict[str, float]

    def fields(self) -> dict:
        """The ModelData keyword arguments this adds."""
        return {"tiers": self.tiers, "product_of": self.product_of, "value_mult": self.value_mult}


def tier_data(scn, chip: dict, models: set) -> TierData | None:
    """Expand a validated scenario into products, or None when tiers are not in use.
    ``chip`` is the chips.csv records by chip, ``models`` the set of models.csv keys."""
    T = scn.tables
    if not tiers_in_use(scn.config, T):
        return None
    tiers = tier_list(T)
    tt = T["tiers.csv"]
    value_mult = {
        t: (1.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v))
        for t, v in zip(tt["tier"], tt["value_mult"], strict=True)
    }
    product_of = {product(m, t): (m, t) for m in sorted(models) for t in tiers}
    tps = {
        (product(m, t), g): v
        for (m, g, t), v in tier_throughput(T, tiers).items()
        if v > 0 and g in chip and m in models
    }
    dem = T["demand.csv"]
    res = demand_tiers(scn.config, T, dem)
    demand, maxlat = {}, {}
    for r, t in zip(dem.to_dict("records"), res, strict=True):
        if r["tokens_per_year"] > 0:
            k = (r["region"], product(r["model"], t), int(r["year"]))
            demand[k] = r["tokens_per_year"] / TOK
            maxlat[k] = r["max_latency_ms"]
    return TierData(
        tiers=tiers,
        products=sorted(product_of),
        product_of=product_of,
        throughput=tps,
        demand=demand,
        max_latency=maxlat,
        value_mult=value_mult,
    )
