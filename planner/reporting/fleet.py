"""The existing fleet (DESIGN.md §7.7) in the report: what exists and what the plan adds,
and existing units the plan leaves idle ("retired early", with the reason they are idle)."""

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
    out += retired_sentences((summary.get("existing") or {}).get("retired_early") or [])
    return out


REASONS = {
    "no_demand": "the site serves no demand: no latency.csv pair within a demand's max_latency_ms",
    "no_throughput": "throughput.csv gives them no model served from the site",
    "no_halls": "no {c} halls for them and none can be built in time",
    "halls_full": "its {c} halls are full and no more can be built in time",
    "no_power": "no grid or onsite power at the site",
    "power_bound": "no grid and no new onsite power there, so its existing power caps what runs",
    "halls_cost": "no room in its {c} halls, and more halls for them cost more than they save",
    "cost": "newer chips pay for their own power",
}  # the texts of planner.solver.fleet.IDLE_REASONS (reporting does not import the solver)


def retired_sentences(early: list[dict]) -> list[str]:
    """One sentence per site for the existing units the plan leaves idle (summary.json
    ``existing.retired_early``: records with site, chip, year, idle_existing units, one per
    cooling of the halls they stand in, and ``reason``, a key of :data:`REASONS`):
    "Existing units retired early at S (left idle: newer chips pay for their own power): up
    to 40 A in 2027–2029, up to 12 B in 2031."; chips in order of the most units idle. The
    reasons of a site's records are listed in order of the units they leave idle; a record
    without a reason (older folders) gives a plain "left idle"."""
    by: dict = {}  # site -> chip -> year -> units idle (summed over the halls' coolings)
    why: dict = {}  # site -> reason text -> units idle
    for r in early:
        years = by.setdefault(r["site"], {}).setdefault(r["chip"], {})
        years[int(r["year"])] = years.get(int(r["year"]), 0.0) + float(r["idle_existing"])
        key = r.get("reason")
        if key:
            text = REASONS.get(key, str(key)).format(c=r.get("cooling") or "")
            w = why.setdefault(r["site"], {})
            w[text] = w.get(text, 0.0) + float(r["idle_existing"])
    out = []
    for s, chips in sorted(by.items()):
        parts = []
        for g, years in sorted(chips.items(), key=lambda kv: (-max(kv[1].values()), kv[0])):
            parts.append(f"up to {max(years.values()):,.0f} {g} in {_span(list(years))}")
        reasons = [t for t, _ in sorted(why.get(s, {}).items(), key=lambda kv: (-kv[1], kv[0]))]
        label = f"left idle: {'; '.join(reasons)}" if reasons else "left idle"
        out.append(f"Existing units retired early at {s} ({label}): {', '.join(parts)}.")
    return out
