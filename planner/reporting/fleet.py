"""The existing fleet (DESIGN.md §7.7) in the report: what exists and what the plan adds,
and existing units the plan leaves idle ("retired early")."""

from __future__ import annotations

import pandas as pd

from .fmt import _mw, _span

SUFFIX = " (existing)"


def fleet_sentences(tables: dict[str, pd.DataFrame], summary: dict) -> list[str]:
    """Sentences for the executive summary; empty without an existing fleet."""
    inv = tables.get("investment_schedule")
    if inv is None or not len(inv):
        return []
    is_ex = inv["item"].astype(str).str.endswith(SUFFIX)
    if not is_ex.any():
        return []
    ex, new = inv[is_ex], inv[~is_ex]

    def totals(t: pd.DataFrame) -> str:
        parts = []
        halls = t[(t["layer"] == "infrastructure") & (t["unit"] == "MW IT")]["quantity"].sum()
        units = t[t["layer"] == "chips"]["quantity"].sum()
        power = t[t["layer"] == "energy"]["quantity"].sum()
        if halls:
            parts.append(f"{_mw(float(halls))} IT of halls")
        if units:
            parts.append(f"{units:,.0f} chip units")
        if power:
            parts.append(f"{_mw(float(power))} of onsite power")
        return ", ".join(parts) or "nothing"

    sites = sorted(set(ex["site"]))
    out = [
        f"Existing fleet (existing.csv, no capital cost, fixed O&M paid): {totals(ex)} at {', '.join(sites)}; "
        f"the plan adds {totals(new)}."
    ]
    early = (summary.get("existing") or {}).get("retired_early") or []
    by: dict = {}
    for r in early:
        by.setdefault((r["site"], r["chip"]), []).append(r)
    for (s, g), rs in sorted(by.items()):
        years = sorted(int(r["year"]) for r in rs)
        idle = max(float(r["idle_existing"]) for r in rs)
        out.append(
            f"Existing {g} units at {s} are retired early: up to {idle:,.0f} of them stand idle in {_span(years)}, "
            "because newer chips pay for their own power."
        )
    return out
