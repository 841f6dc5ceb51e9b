"""What the objective modes and limits of DESIGN.md §7.6 add to the report and the terminal
summary: which objective was used, the tokens served (and, for ``tokens``, the most the
limits allow and the bound), value and NPC (``value``), tokens per MW and per USD, and the
limits given."""

from __future__ import annotations

import pandas as pd

from .fmt import _mw, _tok, _usd

MODE_TEXT = {
    "cost": "least net present cost (demand met or penalised)",
    "tokens": "most tokens served within the limits (demand a ceiling), then the cheapest plan that serves them",
    "value": "most served value (value_usd_per_mtok per model) minus net present cost (demand a ceiling)",
}


def npc_shown(summary: dict):
    """The figure the report calls "net present cost": summary.json's ``objective_usd``,
    except in ``value`` mode, where that is cost minus value and ``npc_usd`` is shown."""
    if summary.get("objective") == "value" and summary.get("npc_usd") is not None:
        return summary["npc_usd"]
    return summary.get("objective_usd")


def objective_sentences(summary: dict) -> list[str]:
    """Sentences for the executive summary (empty for a plain ``cost`` plan without limits)."""
    mode = summary.get("objective", "cost")
    out = []
    if mode != "cost":
        out.append(f"Objective **{mode}**: {MODE_TEXT.get(mode, mode)}.")
    served = summary.get("tokens_served")
    if mode == "tokens" and served is not None:
        txt = f"Tokens served: **{_tok(served)}** over the horizon"
        if summary.get("tokens_max") is not None:
            txt += f" (stage 1 maximum {_tok(summary['tokens_max'])}"
            if summary.get("tokens_bound") is not None:
                txt += f", bound {_tok(summary['tokens_bound'])}"
            txt += ")"
        out.append(txt + f"; the cheapest plan that serves them costs {_usd(summary.get('objective_usd') or 0.0)}.")
    if mode == "value":
        out.append(
            f"Value of the tokens served {_usd(summary.get('value_usd') or 0.0)} (discounted), net present cost "
            f"{_usd(summary.get('npc_usd') or 0.0)}: objective (cost − value) {_usd(summary.get('objective_usd') or 0.0)}."
        )
    if mode != "cost" or summary.get("limits"):
        per_mw, per_usd = summary.get("tokens_per_mw"), summary.get("tokens_per_usd")
        bits = []
        if per_mw:
            bits.append(f"{_tok(per_mw)} a year per MW of facility draw")
        if per_usd:
            bits.append(f"{per_usd:,.0f} tokens per USD of net present cost")
        if bits:
            out.append("Intelligence per unit: " + "; ".join(bits) + ".")
        if summary.get("facility_mw_peak") is not None:
            out.append(f"Peak facility draw {_mw(summary['facility_mw_peak'])}.")
    lim = summary.get("limits") or {}
    if lim:
        out.append("Limits given: " + ", ".join(f"`{k}`" for k in lim) + " (see Binding limits).")
    return out


def tokens_by_model(tables: dict[str, pd.DataFrame], years: list[int]) -> pd.DataFrame:
    """Tokens served per year (index) and model (columns), from serving.csv."""
    s = tables.get("serving")
    if s is None or not len(s):
        return pd.DataFrame(index=years)
    return s.pivot_table(index="year", columns="model", values="tokens", aggfunc="sum").reindex(years).fillna(0.0)
