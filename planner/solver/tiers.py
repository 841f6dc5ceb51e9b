"""Split the program's product keys back into ``model`` and ``tier`` columns (DESIGN.md §7.9).

With tiers in use the model index of the program holds products ``"model␟tier"``
(:mod:`planner.model.tiers`); serving.csv, unserved.csv and marginal_costs.csv then carry a
``model`` and a ``tier`` column (tier right after model). Without tiers the tables pass
through unchanged.
"""

from __future__ import annotations

import pandas as pd

from ..model.data import ModelData


def split_products(t: pd.DataFrame, d: ModelData) -> pd.DataFrame:
    """``t`` with its ``model`` column (product keys) split into ``model`` and ``tier``; ``t``
    itself when ``d`` has no tiers or ``t`` has no ``model`` column."""
    if not d.product_of or "model" not in t.columns:
        return t
    t = t.copy()
    pairs = [d.product_of[p] for p in t["model"]]
    t["model"] = [m for m, _ in pairs]
    t.insert(list(t.columns).index("model") + 1, "tier", [x for _, x in pairs])
    return t.reset_index(drop=True)


def split_tables(tables: dict[str, pd.DataFrame], d: ModelData) -> dict[str, pd.DataFrame]:
    """:func:`split_products` on serving, unserved and marginal_costs where present."""
    for name in ("serving", "unserved", "marginal_costs", "sovereignty"):
        if name in tables:
            tables[name] = split_products(tables[name], d)
    return tables
