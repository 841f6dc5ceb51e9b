"""What a plan covers, said first: the report's scope statement and the
notes that explain its less obvious columns."""

from __future__ import annotations

import pandas as pd

from .fmt import _tok


def section(doc, tables: dict[str, pd.DataFrame], summary: dict) -> None:
    """The "Scope" paragraph: demand covered (regions, models, tokens, years), candidate sites,
    and what is and is not modelled (DESIGN.md §4)."""
    years = (
        f"{summary['start_year']}–{summary['end_year']}"
        if summary["end_year"] != summary["start_year"]
        else str(summary["start_year"])
    )
    s, u = tables["serving"], tables["unserved"]
    regions = sorted(set(s["region"]) | set(u["region"])) if len(s) or len(u) else []
    models = sorted(set(s["model"]) | set(u["model"])) if len(s) or len(u) else []
    tokens = float(s["tokens"].sum() + (u["tokens"].sum() if len(u) else 0.0))
    sites = tables.get("sites")
    n_sites = len(sites) if sites is not None else None
    doc.p(
        f"**Scope.** The token demand of demand.csv in {years}: {_tok(tokens)} in total for "
        f"{len(models)} model{'s' if len(models) != 1 else ''} in {len(regions)} region{'s' if len(regions) != 1 else ''} "
        "(the share of the market the scenario gives this provider, as written in demand.csv), served from "
        + (f"{n_sites} candidate site{'s' if n_sites != 1 else ''}" if n_sites is not None else "the candidate sites")
        + ". **Inference only**: training is not planned. Modelled: which sites open, data halls by cooling, "
        "chips by generation, onsite power and storage, grid imports, network cost and latency, CO2 price or cap, "
        "over representative time slices of each year"
        + "".join(f"; {x}" for x in _features(tables, summary))
        + ". Not modelled: training, networking and storage hardware inside the halls, "
        + ("" if _has(tables, "labour") else "staff, ")
        + "taxes, financing beyond the discount rate, and the hour-by-hour weather of any single year."
    )


def _has(tables: dict[str, pd.DataFrame], name: str) -> bool:
    t = tables.get(name)
    return t is not None and len(t) > 0


def _features(tables: dict[str, pd.DataFrame], summary: dict) -> list[str]:
    """The optional inputs (DESIGN.md §7) this plan was made with, in words, from the result
    tables they write (an empty or absent table: the feature was not used)."""
    out = []
    if _has(tables, "labour"):
        out.append("skilled labour by pool and trade")
    if _has(tables, "water"):
        out.append("water")
    if _has(tables, "cfe"):
        out.append("24/7 carbon-free energy")
    if _has(tables, "sovereignty"):
        out.append("sovereign shares of demand")
    if _has(tables, "tier_chips"):
        out.append("service tiers")
    if summary.get("existing"):
        out.append("the existing fleet")
    return out


FACILITY_NOTE = (
    "*MW IT powered on* is the IT power of the chips active that year (units x kW per unit); "
    "*MW facility (avg draw)* is the average power the sites draw from the grid and onsite plants over the "
    "year: IT load at the scenario's load factor times the PUE of the cooling (plus the site's climate adder). "
    "It is below MW IT when the load factor is below 1/PUE."
)


def qty(q: float, unit: str) -> str:
    """An investment quantity: whole numbers from 10 up, 2 decimals below (0.28 MW, never "0 MW")."""
    if abs(q) >= 10 or float(q).is_integer():
        return f"{q:,.0f} {unit}"
    return f"{q:,.2f} {unit}"
