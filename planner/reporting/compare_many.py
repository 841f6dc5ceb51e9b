"""Compare plans honestly: a difference smaller than the plans' optimality
gaps is not a difference between the plans, and more than two plans side by side.

A plan accepted within a relative MIP gap g has a net present cost C at most g x C above the
optimum of its program. Two plans' costs C_a and C_b can then differ by up to g_a C_a + g_b C_b
from the solver's tolerance alone: a change in NPC smaller than that says nothing about
the scenarios (:func:`within_gaps`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import stack
from .fmt import _pct, _usd

OVERVIEW_COLUMNS = [
    "plan",
    "scenario",
    "status",
    "objective_usd",
    "mip_gap",
    "change_usd",
    "within_gaps",
    "sites_opened",
    "it_mw_last_year",
    "energy_mwh",
    "co2_t",
    "unserved_tokens",
]


def gap_usd(summary: dict) -> float:
    """How far above its optimum a plan's NPC may be (USD): gap x objective (0 without a gap)."""
    gap, obj = summary.get("mip_gap"), summary.get("objective_usd")
    if gap is None or obj is None:
        return 0.0
    return max(0.0, float(gap)) * abs(float(obj))


def within_gaps(sa: dict, sb: dict) -> bool:
    """True when the NPCs of the two plans differ by no more than the sum of their gaps (USD)."""
    d = abs(float(sb["objective_usd"]) - float(sa["objective_usd"]))
    return d <= gap_usd(sa) + gap_usd(sb)


def gap_sentence(sa: dict, sb: dict) -> str | None:
    """The sentence `compare` prints when the change in NPC from A to B is within the gaps."""
    if not within_gaps(sa, sb):
        return None
    d = float(sb["objective_usd"]) - float(sa["objective_usd"])
    return (
        f"The change in net present cost ({'+' if d >= 0 else '-'}{_usd(abs(d))}) is smaller than the plans' "
        f"optimality gaps together ({_usd(gap_usd(sa) + gap_usd(sb))}: A within {_pct(sa.get('mip_gap') or 0)}, "
        f"B within {_pct(sb.get('mip_gap') or 0)} of optimal): it may come from the solver's tolerance, not from "
        "the scenarios; solve both with a smaller --mip-gap to tell."
    )


def overview(folders: list[str | Path]) -> pd.DataFrame:
    """One row per plan (columns :data:`OVERVIEW_COLUMNS`): NPC and gap, the change from the
    first plan and whether it is within both plans' gaps, sites opened, MW IT active in the last
    year, energy (MWh), CO2 (t) and unserved tokens over the horizon. Raises FileNotFoundError
    on a folder that is not a results folder."""
    rows = []
    first = None
    for f in folders:
        t, s = stack.read_folder(Path(f))
        years = stack.years_of(s)
        if first is None:
            first = s
        ea = stack.energy_by_source(t, years)
        cap = t["capacity"]
        last = cap[cap["year"] == years[-1]]["it_mw"].sum() if len(cap) else 0.0
        un = t["unserved"]["tokens"].sum() if len(t["unserved"]) else 0.0
        rows.append(
            (
                str(f),
                s.get("scenario"),
                s.get("status"),
                float(s["objective_usd"]),
                s.get("mip_gap"),
                float(s["objective_usd"]) - float(first["objective_usd"]),
                within_gaps(first, s),
                len(stack.sites_opened(t)),
                float(last),
                float(ea.to_numpy().sum()) if len(ea) else 0.0,
                float(sum(stack.co2_by_year(t, years).values)),
                float(un),
            )
        )
    return pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)


def tok_short(x: float) -> str:
    """Tokens in at most ~9 characters for the `compare` table: 284,582,683 -> "285 Mtok"
    (the report's formatter prints everything below a Gtok in full)."""
    for f, u in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= f:
            v = x / f
            return f"{v:,.2f} {u}tok" if abs(v) < 10 else f"{v:,.0f} {u}tok"
    return f"{x:,.0f} tok"
