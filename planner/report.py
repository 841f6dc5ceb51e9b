"""Turn the results tables into what a person reads: the terminal summary and report.md.

Works from the tables and summary.json only (never the model), so ``planner report DIR``
re-renders a results folder without solving again.
"""

from __future__ import annotations

import pandas as pd

from .solution import LAYER_OF_COMPONENT

LAYERS = ("energy", "chips", "infrastructure", "network", "penalties")


def _usd(x: float) -> str:
    a = abs(x)
    if a >= 1e9:
        return f"${x / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"${x / 1e6:,.1f} M"
    return f"${x:,.0f}"


def _tok(x: float) -> str:
    for f, u in ((1e15, "P"), (1e12, "T"), (1e9, "G")):
        if abs(x) >= f:
            return f"{x / f:,.2f} {u}tok"
    return f"{x:,.0f} tok"


def tokens_served_by_year(tables: dict[str, pd.DataFrame]) -> pd.Series:
    s = tables["serving"]
    return s.groupby("year")["tokens"].sum() if len(s) else pd.Series(dtype=float)


def cost_per_mtok_by_layer(tables: dict[str, pd.DataFrame], years: list[int]) -> pd.DataFrame:
    """Undiscounted USD per million tokens served, per year and layer (columns: LAYERS and
    ``total``); the layers add up to the total exactly. Years with nothing served are NaN."""
    c = tables["costs"].copy()
    c["layer"] = c["component"].map(LAYER_OF_COMPONENT)
    by = (
        c.pivot_table(index="year", columns="layer", values="usd", aggfunc="sum")
        .reindex(index=years, columns=list(LAYERS))
        .fillna(0.0)
    )
    served = tokens_served_by_year(tables).reindex(years).fillna(0.0)
    out = by.div(served.where(served > 0) / 1e6, axis=0)
    out["total"] = out[list(LAYERS)].sum(axis=1)
    return out


def sites_opened(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    inv = tables["investment_schedule"]
    return inv[inv["item"] == "site"][["year", "site"]].sort_values(["year", "site"]).reset_index(drop=True)


def summary_lines(tables: dict[str, pd.DataFrame], summary: dict) -> list[str]:
    """Plain-text summary lines (also used by the terminal output)."""
    years = list(range(summary["start_year"], summary["end_year"] + 1))
    lines = []
    gap = summary.get("mip_gap")
    lines.append(
        f"Scenario {summary['scenario']} {years[0]}-{years[-1]}: status {summary['status']}, "
        f"net present cost {_usd(summary['objective_usd'])} (real {summary['currency_year']} USD), "
        f"MIP gap {gap:.2%} (asked {summary['mip_rel_gap_requested']:.2%})"
        if gap is not None
        else "MIP gap n/a"
    )
    t = summary.get("timings_s", {})
    lines.append("Timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in t.items()))
    so = sites_opened(tables)
    if len(so):
        lines.append("Sites opened: " + ", ".join(f"{r.site} ({r.year})" for r in so.itertuples()))
    else:
        lines.append("Sites opened: none")
    return lines


def chips_by_year(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Units installed and MW IT active per chip and year (columns year, chip, units, it_mw)."""
    c = tables["capacity"]
    if not len(c):
        return pd.DataFrame(columns=["year", "chip", "units", "it_mw"])
    return c.groupby(["year", "chip"], as_index=False).agg(units=("units_installed", "sum"), it_mw=("it_mw", "sum"))


def energy_mix(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """MWh per source and year (index year, columns tech)."""
    e = tables["energy"]
    if not len(e):
        return pd.DataFrame()
    return e.pivot_table(index="year", columns="tech", values="energy_mwh", aggfunc="sum").fillna(0.0)


def render_markdown(tables: dict[str, pd.DataFrame], summary: dict) -> str:
    """report.md: what to build where and when, cost per million tokens by layer, warnings."""
    years = list(range(summary["start_year"], summary["end_year"] + 1))
    out = [f"# Buildout plan — {summary['scenario']} ({years[0]}–{years[-1]})", ""]
    gap = summary.get("mip_gap")
    out += [
        "## Summary",
        "",
        f"- Status: **{summary['status']}**; MIP gap achieved {gap:.3%} (asked {summary['mip_rel_gap_requested']:.2%})."
        if gap is not None
        else f"- Status: **{summary['status']}**.",
        f"- Net present cost: **{_usd(summary['objective_usd'])}** (real {summary['currency_year']} USD, discounted to {years[0]}).",
        "- Capital is annualised with the capital recovery factor and counted only inside the horizon: an asset bought in the last year costs one year of annuity, and there is no salvage value.",
    ]
    for layer, v in summary.get("totals_usd_discounted", {}).items():
        out.append(f"  - {layer}: {_usd(v)}")
    so = sites_opened(tables)
    out.append("- Sites opened: " + (", ".join(f"{r.site} ({r.year})" for r in so.itertuples()) or "none") + ".")
    un = tables["unserved"]
    tot_un = float(un["tokens"].sum()) if len(un) else 0.0
    out.append(f"- Unserved demand over the horizon: {_tok(tot_un)}.")
    out.append("")
    out += ["## Investment schedule (cash, undiscounted, in the build year)", ""]
    inv = tables["investment_schedule"]
    if len(inv):
        out.append("| year | site | layer | item | quantity | unit | capex |")
        out.append("|---|---|---|---|---:|---|---:|")
        for r in inv.itertuples():
            out.append(
                f"| {r.year} | {r.site} | {r.layer} | {r.item} | {r.quantity:,.0f} | {r.unit} | {_usd(r.capex_usd)} |"
            )
    else:
        out.append("Nothing is built.")
    out.append("")
    out += ["## Chips installed by year", ""]
    cb = chips_by_year(tables)
    if len(cb):
        pu = cb.pivot_table(index="year", columns="chip", values="units", aggfunc="sum").fillna(0)
        out.append("| year | " + " | ".join(pu.columns) + " |")
        out.append("|---|" + "---:|" * len(pu.columns))
        for y, r in pu.iterrows():
            out.append(f"| {y} | " + " | ".join(f"{v:,.0f}" for v in r.values) + " |")
    out.append("")
    out += ["## Energy by source (GWh)", ""]
    em = energy_mix(tables)
    if len(em):
        out.append("| year | " + " | ".join(em.columns) + " |")
        out.append("|---|" + "---:|" * len(em.columns))
        for y, r in em.iterrows():
            out.append(f"| {y} | " + " | ".join(f"{v / 1e3:,.0f}" for v in r.values) + " |")
    out.append("")
    out += ["## Cost per million tokens served, by layer (undiscounted USD of each year)", ""]
    cpm = cost_per_mtok_by_layer(tables, years)
    out.append("| year | " + " | ".join(cpm.columns) + " |")
    out.append("|---|" + "---:|" * len(cpm.columns))
    for y, r in cpm.iterrows():
        out.append(f"| {y} | " + " | ".join("–" if pd.isna(v) else f"{v:,.4f}" for v in r.values) + " |")
    out.append("")
    w = summary.get("warnings", [])
    if w:
        out += ["## Input warnings", ""] + [f"- {x}" for x in w] + [""]
    return "\n".join(out) + "\n"
