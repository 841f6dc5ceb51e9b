"""The cost of the tokens served, apart from the penalty of the tokens not served.

The unserved penalty (``unserved_penalty_usd_per_mtok`` x tokens not served) is a price put
on demand the plan does not meet, not money spent making tokens. Divided by the tokens
served it inflated the average cost per million tokens (a plan showed $81.91/Mtok where the
cost of serving was $0.71). The average here leaves it out; the penalty is shown on its own.
"""

from __future__ import annotations

import pandas as pd

from .fmt import _tok, _usd
from .stack import cost_per_mtok_by_layer, tokens_served_by_year

PENALTY = "unserved_penalty"  # the costs.csv component of the penalty


def cost_per_mtok_served(tables: dict[str, pd.DataFrame], years: list[int]) -> pd.Series:
    """year -> undiscounted USD per million tokens served, every cost but the unserved
    penalty (NaN in a year with nothing served)."""
    cpm = cost_per_mtok_by_layer(tables, years)
    c = tables["costs"]
    pen = c[c["component"] == PENALTY].groupby("year")["usd"].sum().reindex(years).fillna(0.0)
    served = tokens_served_by_year(tables).reindex(years).fillna(0.0)
    return cpm["total"] - pen / (served.where(served > 0) / 1e6)


def penalty_by_year(tables: dict[str, pd.DataFrame], years: list[int]) -> pd.Series:
    """year -> undiscounted USD of unserved penalty (0 where all is served)."""
    c = tables["costs"]
    return c[c["component"] == PENALTY].groupby("year")["usd"].sum().reindex(years).fillna(0.0)


def headline(tables: dict[str, pd.DataFrame], years: list[int]) -> list[str]:
    """The report's sentences: the average cost per million tokens served without the
    penalty, and the penalty with the tokens it is for, on its own."""
    out = []
    cpm = cost_per_mtok_served(tables, years).dropna()
    if len(cpm):
        span = f"{_usd_mtok(cpm.iloc[0])} in {cpm.index[0]}"
        if len(cpm) > 1:
            span += f", {_usd_mtok(cpm.iloc[-1])} in {cpm.index[-1]}"
        out.append(f"Average cost per million tokens served: {span} (the unserved penalty is not in it).")
    pen = penalty_by_year(tables, years)
    if pen.sum() > 0:
        un = tables["unserved"]
        tok = float(un["tokens"].sum()) if len(un) else 0.0
        out.append(
            f"Penalty for tokens not served: {_usd(float(pen.sum()))} over the horizon (undiscounted) for "
            f"{_tok(tok)} not served; a price on unmet demand, not a cost of serving."
        )
    return out


def _usd_mtok(x: float) -> str:
    return f"${x:,.2f}" if abs(x) >= 0.1 else f"${x:,.4f}"
