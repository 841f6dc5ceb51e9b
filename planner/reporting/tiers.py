"""Service tiers in the results and the report (DESIGN.md §7.9).

- :func:`tier_chips_table` (solve time): the optional results table ``tier_chips.csv`` --
  year, site, chip, model, tier, tokens, it_mw, usd: the tokens each chip makes for each
  (model, tier), the active IT power (MW) that takes (constraint (3) read per product:
  tokens / (tokens_per_s_per_chip x chips_per_unit x 3600 x 8760 x max_utilization) units x
  it_kw_per_unit / 1000) and the share of the year's cost it carries. Written only when the
  scenario uses tiers.
- :func:`tier_section` (report): cost per million tokens by tier and which chips serve which
  tier, from the tables alone, so a re-rendered report matches the one written at solve time.

Cost per million tokens of a tier (average, undiscounted, money of each year) = the ``usd`` of
its rows / its tokens x 1e6: each chip's annuity and O&M go to the tiers that use its units, in
proportion to the unit-years they take; sites, halls, energy and idle chips by active IT MW;
network by tokens; the unserved penalty to no tier. It is a cost allocation; the marginal cost
of one more token of a tier is in marginal_costs.csv.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pyomo.environ as pyo

from ..io.results import TIER_CHIP_COLUMNS
from ..model.data import MUSD, TOK, crf
from ..solver.solution import LAYER_OF_COMPONENT
from .fmt import _tok
from .stack import generation_of


def tier_chips_table(m, d) -> dict[str, pd.DataFrame]:
    """``{"tier_chips": DataFrame}`` with :data:`TIER_CHIP_COLUMNS` when ``d`` uses tiers,
    else ``{}``. ``m`` is the solved Pyomo model, ``d`` its ModelData.

    ``usd`` is the row's share of its year's cost (undiscounted USD): the annuity and fixed O&M
    of the chip's units installed at that site and year, shared among the (model, tier) rows of
    that (site, chip, year) by the unit-years each takes; every other cost except network and
    the unserved penalty (sites, halls, energy, idle chips) by the row's share of the year's
    active IT MW; network cost by its share of the year's tokens."""
    if m is None or d is None or not getattr(d, "product_of", None):
        return {}

    def val(x) -> float:
        v = pyo.value(x, exception=False)
        return 0.0 if v is None else float(v)

    tok, mw, units = defaultdict(float), defaultdict(float), defaultdict(float)
    for s, g, p, y in d.tok_sgmy:
        v = val(m.tok[s, g, p, y])
        if v <= 1e-12:
            continue
        model, tier = d.product_of[p]
        key = (y, s, g, model, tier)
        u = v * d.tok_coef[s, g, p, y]  # active units this product takes
        tok[key] += v * TOK
        units[key] += u
        mw[key] += u * d.chip[g]["it_kw_per_unit"] / 1000.0
    chip_usd = defaultdict(float)  # (y, s, g) -> USD of the units installed
    for (s, g, _c, y), keys in d.installed_sgcy.items():
        ch = d.chip[g]
        per_unit = ch["capex_usd_per_unit"] * crf(d.rate, ch["lifetime_years"]) + ch["fom_usd_per_unit_yr"]
        chip_usd[y, s, g] += per_unit * sum(val(m.buy[k]) for k in keys)
    used = defaultdict(float)
    for (y, s, g, _m, _t), u in units.items():
        used[y, s, g] += u
    rest, net = defaultdict(float), defaultdict(float)
    for comp in m.cost_components:
        layer = LAYER_OF_COMPONENT.get(comp, "other")
        if layer == "penalties":
            continue
        for y in d.years:
            (net if layer == "network" else rest)[y] += val(getattr(m, comp)[y]) * MUSD
    for (y, s, g), usd in chip_usd.items():
        if used.get((y, s, g), 0.0) > 0:
            rest[y] -= usd  # allocated to the rows of that chip below
    mw_y, tok_y = defaultdict(float), defaultdict(float)
    for k in tok:
        mw_y[k[0]] += mw[k]
        tok_y[k[0]] += tok[k]
    rows = []
    for k in sorted(tok):
        y, s, g = k[0], k[1], k[2]
        usd = chip_usd.get((y, s, g), 0.0) * units[k] / used[y, s, g] if used[y, s, g] > 0 else 0.0
        usd += rest[y] * (mw[k] / mw_y[y] if mw_y[y] > 0 else 0.0)
        usd += net[y] * (tok[k] / tok_y[y] if tok_y[y] > 0 else 0.0)
        rows.append((*k, tok[k], mw[k], usd))
    return {"tier_chips": pd.DataFrame(rows, columns=TIER_CHIP_COLUMNS)}


def cost_per_mtok_by_tier(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """year, tier, tokens, usd, usd_per_mtok from ``tier_chips`` (empty without it)."""
    tc = tables.get("tier_chips")
    cols = ["year", "tier", "tokens", "usd", "usd_per_mtok"]
    if tc is None or not len(tc):
        return pd.DataFrame(columns=cols)
    by = tc.groupby(["year", "tier"])[["tokens", "usd"]].sum().reset_index()
    by["usd_per_mtok"] = by["usd"] / (by["tokens"] / 1e6)
    return by[cols]


def tier_section(doc, tables: dict[str, pd.DataFrame], years: list[int]) -> None:
    """Add the "Service tiers" section to the report ``doc`` (nothing without tiers)."""
    tc = tables.get("tier_chips")
    if tc is None or not len(tc):
        return
    doc.h("Service tiers")
    doc.p(
        "Cost per million tokens by tier (undiscounted, money of each year): each chip's annuity and O&M go to the "
        "tiers that use its units (by unit-years), sites, halls, energy and idle chips by active IT MW, network by "
        "tokens; the unserved penalty to no tier. "
        "A tier that promises more tokens per second per user runs each chip at a smaller batch, so it takes more "
        "chips (and MW) per token."
    )
    cpt = cost_per_mtok_by_tier(tables)
    pv = cpt.pivot_table(index="tier", columns="year", values="usd_per_mtok", aggfunc="first")
    pv.index.name = "USD/Mtok: tier"
    doc.frame(pv, lambda v: f"{v:,.3f}")
    last = int(tc["year"].max())
    tm = tc[tc["year"] == last].groupby(["model", "tier"])[["tokens", "usd"]].sum()
    tm = (tm["usd"] / (tm["tokens"] / 1e6)).unstack("tier")
    tm = tm[[t for t in pv.index if t in tm.columns]]
    tm.index.name = f"USD/Mtok {last}: model"
    doc.p(
        f"The same by model in {last}: a tier's average mixes models (405B tokens cost far more than 8B ones), "
        "so compare tiers within a model."
    )
    doc.frame(tm, lambda v: f"{v:,.3f}")
    doc.p("Which chips serve which tier (tokens over the horizon, and the chip's share of the tier's tokens).")
    g = tc.groupby(["tier", "chip"])["tokens"].sum().reset_index()
    total = g.groupby("tier")["tokens"].transform("sum")
    g["share"] = g["tokens"] / total
    g = g.sort_values(["tier", "tokens"], ascending=[True, False], kind="stable")
    rows = [[r.tier, f"{r.chip} ({generation_of(r.chip)})", _tok(r.tokens), f"{r.share:.0%}"] for r in g.itertuples()]
    doc.table(["tier", "chip", "tokens", "share"], rows, "llrr")


def compare_rows(ta: dict, tb: dict, years: list[int]) -> list[tuple]:
    """Rows of :func:`planner.reporting.compare.compare` for two plans' tiers (section, item,
    year, a, b, change, unit): tokens served and cost per million tokens per tier and year;
    [] when neither plan uses tiers. A tier one plan lacks counts 0 there."""
    ca, cb = cost_per_mtok_by_tier(ta), cost_per_mtok_by_tier(tb)
    if not len(ca) and not len(cb):
        return []
    rows = []
    ia = ca.set_index(["tier", "year"]) if len(ca) else None
    ib = cb.set_index(["tier", "year"]) if len(cb) else None
    tiers = sorted(set(ca["tier"]) | set(cb["tier"]))

    def get(ix, key, col):
        if ix is None or key not in ix.index:
            return 0.0
        v = ix.at[key, col]
        return 0.0 if pd.isna(v) else float(v)

    for col, section, unit in (("tokens", "tokens by tier", "tokens"), ("usd_per_mtok", "cost by tier", "USD/Mtok")):
        for t in tiers:
            for y in years:
                a, b = get(ia, (t, y), col), get(ib, (t, y), col)
                if a or b:
                    rows.append((section, t, y, a, b, b - a, unit))
    return rows
