"""Report sections, plot and compare rows of 24/7 carbon-free energy (DESIGN.md §7.3) and
sovereign AI (§7.5), from the results tables only (``cfe``, ``sovereignty``,
``binding_limits``, ``infrastructure``), so ``planner report DIR`` re-renders them.

- :func:`sections` adds "24/7 carbon-free energy" (score per site against the target, the
  fleet's score weighted by facility load, the target's shadow price) and "Sovereign AI"
  (per region and year: demand, share served at home, share required, unserved, the cost
  of sovereignty) to a report :class:`planner.reporting.report.Doc`;
- :func:`plots` gives ``cfe_score.png`` (score per site and the fleet's, against the target);
- :func:`compare_rows` gives the rows ``planner compare`` adds for both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .fmt import _tok, _usd

CFE_PLOT = "cfe_score.png"


def _pct(x: float) -> str:
    return "–" if x is None or pd.isna(x) else f"{100 * x:.1f} %"


def fleet_cfe(tables) -> pd.Series:
    """year -> the fleet's CFE score, each site's score weighted by its facility load (the
    infrastructure table's facility_mw; equal weights when that table is absent)."""
    cfe = tables.get("cfe")
    if cfe is None or not len(cfe):
        return pd.Series(dtype=float)
    c = cfe.copy()
    infra = tables.get("infrastructure")
    if infra is not None and len(infra):
        w = infra.groupby(["year", "site"])["facility_mw"].sum()
        c["w"] = [float(w.get((y, s), 0.0)) for y, s in zip(c["year"], c["site"], strict=True)]
    else:
        c["w"] = 1.0
    if not (c["w"] > 0).any():
        c["w"] = 1.0
    g = c.groupby("year")
    return g.apply(lambda t: float(np.average(t["cfe_score"], weights=t["w"])) if t["w"].sum() > 0 else np.nan)


def sovereignty_by_region(tables) -> pd.DataFrame:
    """year, region, country, demand, home, required, unserved (tokens) and shares of demand."""
    sov = tables.get("sovereignty")
    if sov is None or not len(sov):
        return pd.DataFrame()
    g = sov.groupby(["year", "region", "country"], as_index=False)[
        ["demand_tokens", "home_tokens", "abroad_tokens", "required_tokens", "unserved_tokens"]
    ].sum()
    g["home_share"] = g["home_tokens"] / g["demand_tokens"]
    g["required_share"] = g["required_tokens"] / g["demand_tokens"]
    return g


def _limit_prices(tables, limit: str) -> pd.DataFrame:
    bl = tables.get("binding_limits")
    if bl is None or not len(bl):
        return pd.DataFrame(columns=["item", "year", "shadow_price"])
    return bl[bl["limit"] == limit]


def sections(doc, tables, summary, years) -> None:
    """Add the CFE and sovereignty sections to ``doc`` when their tables are present."""
    _cfe_section(doc, tables, years)
    _sovereignty_section(doc, tables)


def _cfe_section(doc, tables, years) -> None:
    cfe = tables.get("cfe")
    if cfe is None or not len(cfe):
        return
    doc.h("24/7 carbon-free energy")
    doc.p(
        "The share of each site's facility load matched hour by hour with carbon-free supply in the same slice: "
        "carbon-free onsite generation, the grid's own carbon-free share of imports (grid_cfe_share) and storage "
        "discharge, less storage charging (storage moves clean surplus between slices but never turns grid energy "
        "into clean energy). Surplus in a slice does not count."
    )
    pv = cfe.pivot_table(index="site", columns="year", values="cfe_score", aggfunc="first")
    fleet = fleet_cfe(tables)
    target = cfe.groupby("year")["target"].first()
    pv.loc["fleet (load-weighted)"] = fleet.reindex(pv.columns)
    if target.notna().any():
        pv.loc["target"] = target.reindex(pv.columns)
    pv.index.name = "site"
    doc.frame(pv, _pct)
    miss = []
    if target.notna().any():
        for r in cfe.itertuples():
            if pd.notna(r.target) and r.target > 0 and r.cfe_score < r.target - 1e-6:
                miss.append(f"{r.site} {int(r.year)}")
    lim = _limit_prices(tables, "cfe_target")
    items = []
    for site, g in lim.groupby("item"):
        span = ", ".join(str(int(y)) for y in sorted(g["year"]))
        items.append(
            f"The CFE target binds at {site} in {span}: each MWh a year less of hourly-matched clean energy "
            f"would save {_usd(float(g['shadow_price'].min()))}–{_usd(float(g['shadow_price'].max()))} (short run)."
        )
    if miss:
        items.append("Below target: " + ", ".join(miss) + ".")
    doc.ul(items)
    doc.img(CFE_PLOT, "24/7 CFE score by site against the target")


def _sovereignty_section(doc, tables) -> None:
    g = sovereignty_by_region(tables)
    if not len(g):
        return
    doc.h("Sovereign AI")
    doc.p(
        "Demand served from sites in the region's own country. A sovereign share must be served at home or not at "
        "all (at the unserved penalty). The cost of sovereignty is the dual of (15) in the long-run re-solve: what "
        "one million tokens less of the sovereign share would save, in USD of the year."
    )
    lim = _limit_prices(tables, "sovereignty")
    cost = {}
    for r in lim.itertuples():
        region = str(r.item).split("/")[0]
        cost.setdefault((int(r.year), region), []).append(float(r.shadow_price))
    rows = []
    for r in g.itertuples():
        c = cost.get((int(r.year), r.region))
        ctext = "–" if not c else (f"${min(c):,.4f}" if max(c) - min(c) < 1e-9 else f"${min(c):,.4f}–{max(c):,.4f}")
        rows.append(
            [
                f"{r.region} ({r.country})",
                str(int(r.year)),
                _tok(r.demand_tokens),
                _pct(r.home_share),
                _pct(r.required_share),
                _tok(r.unserved_tokens),
                ctext,
            ]
        )
    doc.table(
        ["region (country)", "year", "demand", "at home", "required", "unserved", "cost of sovereignty (USD/Mtok)"],
        rows,
        "lrrrrrr",
    )


def plots(tables, summary) -> dict[str, bytes]:
    """``cfe_score.png`` when the plan has a cfe table (else nothing)."""
    cfe = tables.get("cfe")
    if cfe is None or not len(cfe):
        return {}
    from .plots import _fig, _png

    fig = _fig()
    ax = fig.add_subplot(111)
    pv = cfe.pivot_table(index="year", columns="site", values="cfe_score", aggfunc="first").sort_index()
    for site in pv.columns:
        ax.plot(pv.index, 100 * pv[site], marker="o", lw=1, alpha=0.6, label=str(site))
    fleet = fleet_cfe(tables)
    ax.plot(fleet.index, 100 * fleet, color="k", lw=2.5, label="fleet (load-weighted)")
    target = cfe.groupby("year")["target"].first()
    if target.notna().any():
        ax.step(target.index, 100 * target, where="mid", color="#c00", ls="--", lw=2, label="target")
    ax.set_ylim(0, 105)
    ax.set_ylabel("hourly-matched carbon-free share of load (%)")
    ax.set_xlabel("year")
    ax.set_title("24/7 carbon-free energy score by site")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    return {CFE_PLOT: _png(fig)}


def compare_rows(ta, tb, years) -> list[tuple]:
    """(section, item, year, a, b, unit) rows for ``planner compare``: the fleet's CFE score
    per year and the share served at home per region and year (where either plan has them)."""
    out = []
    fa, fb = fleet_cfe(ta), fleet_cfe(tb)
    for y in years:
        if y in fa.index or y in fb.index:
            out.append(("24/7 CFE", "fleet score", y, fa.get(y), fb.get(y), "share"))
    sa, sb = sovereignty_by_region(ta), sovereignty_by_region(tb)
    ia = sa.set_index(["year", "region"])["home_share"].to_dict() if len(sa) else {}
    ib = sb.set_index(["year", "region"])["home_share"].to_dict() if len(sb) else {}
    for y, region in sorted(set(ia) | set(ib)):
        out.append(("sovereignty", f"{region} served at home", y, ia.get((y, region)), ib.get((y, region)), "share"))
    return out
