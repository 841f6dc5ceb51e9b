"""Split a demand forecast across service tiers (DESIGN.md §7.9, models/tiers.csv).

:func:`split` turns one row per (region, model, year) into one row per tier with
``tokens_per_year x TIER_SHARE[model][tier]`` (4 significant digits, as the forecast).

**The shares are assumptions** (no public source splits served tokens by interactivity): they
follow what each model is used for in :mod:`planner.prep.demand_forecast` (its point 5 and 7)
and the existence of batch APIs at about half price for work that can wait (OpenAI Batch API,
Anthropic Message Batches: 50 % off, results within 24 h):

- llama-3.1-8b (autocomplete, classification, cheap chat): 20 % batch, 50 % standard, 30 %
  interactive (autocomplete and voice need fast streaming);
- llama-3.1-70b (chat): 20 / 60 / 20;
- llama-3.1-405b (distillation, evaluation: the forecast's "batch work"): 80 / 20 / 0;
- deepseek-r1 (reasoning: thousands of thinking tokens per answer, so the wait a user sees is
  set by the per-user rate): 15 / 35 / 50;
- gpt-oss-120b (agents and coding: tool loops of many calls): 15 / 35 / 50.

Batch demand carries no latency limit (a batch job is indifferent to the network round trip);
the other tiers keep the model's limit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIERS = ("batch", "standard", "interactive")
TIER_SHARE = {  # assumption, see the module docstring
    "llama-3.1-8b": {"batch": 0.20, "standard": 0.50, "interactive": 0.30},
    "llama-3.1-70b": {"batch": 0.20, "standard": 0.60, "interactive": 0.20},
    "llama-3.1-405b": {"batch": 0.80, "standard": 0.20, "interactive": 0.00},
    "deepseek-r1": {"batch": 0.15, "standard": 0.35, "interactive": 0.50},
    "gpt-oss-120b": {"batch": 0.15, "standard": 0.35, "interactive": 0.50},
}
NO_LATENCY_LIMIT = {"batch"}
#: bundled scenarios whose demand.csv is split (us keeps one row per region, model and year and
#: serves it at its scenario.toml default_tier)
TIERED_SCENARIOS = {"world"}


def split(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` (region, model, year, tokens_per_year, max_latency_ms) -> the same columns plus
    ``tier`` after ``year``, one row per tier with a share > 0. Raises KeyError for a model
    without shares."""
    rows = []
    for r in df.to_dict("records"):
        for t in TIERS:
            share = TIER_SHARE[r["model"]][t]
            if share <= 0:
                continue
            v = r["tokens_per_year"] * share
            rows.append(
                {
                    "region": r["region"],
                    "model": r["model"],
                    "year": r["year"],
                    "tier": t,
                    "tokens_per_year": float(f"{v:.3e}") if v else 0.0,
                    "max_latency_ms": np.nan if t in NO_LATENCY_LIMIT else r["max_latency_ms"],
                }
            )
    return pd.DataFrame(rows, columns=["region", "model", "year", "tier", "tokens_per_year", "max_latency_ms"])
