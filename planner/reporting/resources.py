"""Report sections and plots of DESIGN.md §7.1 (skilled labour), §7.2 (water) and §7.4
(embodied carbon), from the results tables ``labour``, ``water`` and ``emissions`` (and
serving, costs, binding_limits) and summary.json's ``embodied_co2_amortised_t``. Each section
appears only when its table is in the results folder.

:func:`section` adds the three sections to a :class:`planner.reporting.report.Doc`;
:func:`plots` returns the PNGs (``labour.png``, ``water.png``) the sections show.
"""

from __future__ import annotations

import pandas as pd

from .fmt import _span, _t, _usd

TOL = 1e-6


def _served_by_year(tables) -> dict[int, float]:
    s = tables.get("serving")
    if s is None or not len(s):
        return {}
    return {int(k): float(v) for k, v in s.groupby("year")["tokens"].sum().items()}


def _n(x: float) -> str:
    return f"{x:,.1f}" if abs(x) < 100 else f"{x:,.0f}"


def _has(tables, name) -> bool:
    t = tables.get(name)
    return t is not None and len(t) > 0


def _labour_limited(tables) -> bool:
    """The labour plot is drawn when some pool and trade has workers available (a
    labour_supply.csv row); with catalog figures only, the table says it all."""
    return _has(tables, "labour") and bool(tables["labour"]["available_worker_years"].notna().any())


def _water_capped(tables) -> bool:
    """The water plot is drawn when some site has a cap (otherwise the table says it all)."""
    return _has(tables, "water") and bool(tables["water"]["cap_ml"].notna().any())


def section(doc, tables, summary, years) -> None:
    """Add the labour, water and emissions sections to ``doc`` (each only with its table)."""
    if _has(tables, "labour"):
        _labour(doc, tables, years)
    if _has(tables, "water"):
        _water(doc, tables, years)
    if _has(tables, "emissions"):
        _emissions(doc, tables, summary, years)


def binding_years(g: pd.DataFrame) -> list[int]:
    """Years where a pool/trade row is at its limit: need ≥ available, extra workers hired, or
    a positive shadow price."""
    need = g["construction_worker_years"] + g["operations_workers"]
    avail = g["available_worker_years"]
    at = avail.notna() & (need >= avail - TOL * avail.abs().clip(lower=1.0))
    at |= g["extra_workers"] > TOL
    at |= g["shadow_price_usd_per_worker_year"].fillna(0.0) > TOL
    return sorted(int(y) for y in g.loc[at, "year"])


def _labour(doc, tables, years) -> None:
    lab = tables["labour"]
    doc.h("Skilled labour")
    costs = tables.get("costs")
    premium = 0.0
    if costs is not None and len(costs):
        premium = float(costs.loc[costs["component"] == "labour_premium", "usd"].sum())
    doc.p(
        "Workers each labour pool and trade needs (construction worker-years of what enters service "
        "that year plus operations staff of what is in service) against what labour_supply.csv makes "
        f"available. Hiring premium paid over the horizon: {_usd(premium)} (undiscounted)."
    )
    rows = []
    for (pool, trade), g in lab.groupby(["pool", "trade"], sort=True):
        g = g.sort_values("year")
        need = g["construction_worker_years"] + g["operations_workers"]
        i = int(need.to_numpy().argmax())
        avail = g["available_worker_years"]
        by = binding_years(g)
        sp = g["shadow_price_usd_per_worker_year"].dropna()
        rows.append(
            [
                pool,
                trade,
                f"{_n(float(need.max()))} ({int(g['year'].iloc[i])})",
                "no limit"
                if avail.isna().all()
                else (
                    _n(float(avail.min()))
                    if float(avail.min()) == float(avail.max())
                    else f"{_n(float(avail.min()))}–{_n(float(avail.max()))}"
                ),
                _span(by) if by else "–",
                _n(float(g["extra_workers"].sum())),
                _usd(float(sp.max())) if len(sp) else "–",
            ]
        )
    doc.table(
        [
            "pool",
            "trade",
            "peak need, worker-years (year)",
            "available",
            "binding years",
            "extra hired",
            "shadow price",
        ],
        rows,
        align="llrrlrr",
    )
    if _labour_limited(tables):
        doc.img("labour.png", "Skilled labour: needed vs available")


def _water(doc, tables, years) -> None:
    w = tables["water"]
    doc.h("Water")
    served = _served_by_year(tables)
    tot = w.groupby("year")["total_ml"].sum()
    per = []
    for y in years:
        tok = served.get(y, 0.0)
        if tok > 0:
            per.append(f"{y} {float(tot.get(y, 0.0)) * 1e6 / (tok / 1e6):,.3g} L")
    doc.p(
        "Water consumed per site (cooling: WUE × climate multiplier × IT energy; generation: onsite plants) "
        "against its cap. Litres per million tokens served: " + ("; ".join(per) if per else "no tokens served") + "."
    )
    rows = []
    for site, g in w.groupby("site", sort=True):
        g = g.sort_values("year")
        cap = g["cap_ml"]
        at = g[cap.notna() & (g["total_ml"] >= cap - TOL * cap.abs().clip(lower=1.0))]
        i = int(g["total_ml"].to_numpy().argmax())
        rows.append(
            [
                site,
                f"{float(g['cooling_ml'].sum()):,.1f}",
                f"{float(g['generation_ml'].sum()):,.1f}",
                f"{float(g['total_ml'].max()):,.1f} ({int(g['year'].iloc[i])})",
                "no limit" if cap.isna().all() else f"{float(cap.min()):,.1f}",
                _span([int(y) for y in at["year"]]) if len(at) else "–",
            ]
        )
    doc.table(["site", "cooling ML", "generation ML", "peak ML/yr (year)", "cap ML/yr", "at cap"], rows, align="lrrrrl")
    if _water_capped(tables):
        doc.img("water.png", "Water use by site against caps")


def _emissions(doc, tables, summary, years) -> None:
    e = tables["emissions"]
    doc.h("Emissions")
    piv = e.pivot_table(index="year", columns="source", values="co2_t", aggfunc="sum").reindex(years).fillna(0.0)
    served = _served_by_year(tables)
    amort = {int(k): float(v) for k, v in (summary.get("embodied_co2_amortised_t") or {}).items()}
    sources = [c for c in ("grid", "onsite", "embodied_chips", "embodied_halls", "embodied_power") if c in piv.columns]
    rows = []
    for y in years:
        op = float(piv.loc[y, [c for c in ("grid", "onsite") if c in piv.columns]].sum())
        tok = served.get(y, 0.0)
        op_i = f"{op * 1e6 / (tok / 1e6):,.3g}" if tok > 0 else "–"
        life_i = f"{(op + amort.get(y, 0.0)) * 1e6 / (tok / 1e6):,.3g}" if tok > 0 and amort else "–"
        rows.append([str(y), *[_t(float(piv.loc[y, c])) for c in sources], op_i, life_i])
    scope = summary.get("carbon_scope", "operational")
    doc.p(
        f"CO2 by source (embodied: of what enters service that year). Carbon scope: {scope} "
        + (
            "(embodied CO2 counts in the carbon cap and price)."
            if scope == "lifecycle"
            else "(embodied CO2 is reported only)."
        )
        + " Intensity in gCO2 per million tokens served; lifecycle spreads each asset's embodied CO2 evenly over "
        "its lifetime (for this report only)."
    )
    doc.table(["year", *sources, "operational g/Mtok", "lifecycle g/Mtok"], rows, align="l" + "r" * (len(sources) + 2))


# ---------------------------------------------------------------- plots


def plots(tables, summary) -> dict[str, bytes]:
    """``labour.png`` (when a labour_supply.csv row applies) and ``water.png`` (when a site has
    a water cap)."""
    from . import stack
    from .plots import _empty, _fig, _png

    years = stack.years_of(summary)
    out = {}
    if _labour_limited(tables):
        lab = tables["labour"].copy()
        lab["need"] = lab["construction_worker_years"] + lab["operations_workers"]
        fig = _fig()
        ax = fig.add_subplot(111)
        groups = list(lab.groupby(["pool", "trade"], sort=True))
        top = sorted(groups, key=lambda kv: -float(kv[1]["need"].max()))[:8]
        if not top:
            _empty(ax)
        for i, ((pool, trade), g) in enumerate(top):
            g = g.set_index("year").reindex(years)
            color = f"C{i % 10}"
            ax.plot([str(y) for y in years], g["need"].fillna(0.0), color=color, label=f"{pool} {trade} needed")
            if g["available_worker_years"].notna().any():
                ax.plot(
                    [str(y) for y in years],
                    g["available_worker_years"],
                    color=color,
                    linestyle="--",
                    label=f"{pool} {trade} available",
                )
        ax.set_ylabel("worker-years")
        ax.set_title("Skilled labour needed (solid) vs available (dashed)")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
        out["labour.png"] = _png(fig)
    if _water_capped(tables):
        w = tables["water"]
        fig = _fig()
        ax = fig.add_subplot(111)
        piv = w.pivot_table(index="year", columns="site", values="total_ml", aggfunc="sum").reindex(years).fillna(0.0)
        capped = sorted(set(w.loc[w["cap_ml"].notna(), "site"]))  # capped sites first, then the largest users
        top = (capped + [x for x in piv.max().sort_values(ascending=False).index if x not in capped])[
            : max(8, len(capped))
        ]
        for i, s in enumerate(top):
            ax.plot([str(y) for y in years], piv[s], color=f"C{i % 10}", label=f"{s}")
            cap = w[w["site"] == s].set_index("year")["cap_ml"].reindex(years)
            if cap.notna().any():
                ax.plot([str(y) for y in years], cap, color=f"C{i % 10}", linestyle="--", label=f"{s} cap")
        if not top:
            _empty(ax)
        ax.set_ylabel("ML a year")
        ax.set_title("Water use by site (solid) against caps (dashed)")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
        out["water.png"] = _png(fig)
    return out


def compare_rows(ta, tb, years, add) -> None:
    """Rows of ``planner compare`` for the §7 tables present in either plan: labour needed and
    extra workers hired per year, water per year, CO2 per source and year. ``add(section,
    item, year, a, b, unit)`` appends one row."""

    def by_year(t, name, col, key=None):
        x = t.get(name)
        if x is None or not len(x):
            return {}
        if key is not None:
            x = x[x[key[0]] == key[1]]
        return x.groupby("year")[col].sum().to_dict()

    if _has(ta, "labour") or _has(tb, "labour"):
        for col, item, unit in (
            ("construction_worker_years", "construction", "worker-years"),
            ("operations_workers", "operations staff", "workers"),
            ("extra_workers", "extra workers hired", "worker-years"),
        ):
            a, b = by_year(ta, "labour", col), by_year(tb, "labour", col)
            for y in years:
                if a.get(y, 0.0) or b.get(y, 0.0):
                    add("labour", item, y, a.get(y), b.get(y), unit)
    if _has(ta, "water") or _has(tb, "water"):
        a, b = by_year(ta, "water", "total_ml"), by_year(tb, "water", "total_ml")
        for y in years:
            if a.get(y, 0.0) or b.get(y, 0.0):
                add("water", "all sites", y, a.get(y), b.get(y), "ML")
    if _has(ta, "emissions") or _has(tb, "emissions"):
        for src in ("grid", "onsite", "embodied_chips", "embodied_halls", "embodied_power"):
            a = by_year(ta, "emissions", "co2_t", ("source", src))
            b = by_year(tb, "emissions", "co2_t", ("source", src))
            for y in years:
                if a.get(y, 0.0) or b.get(y, 0.0):
                    add("emissions", src, y, a.get(y), b.get(y), "t")
