"""Regional token demand 2026-2035 for the bundled scenarios (low / base / high).

Every assumption is a named constant below with its source or basis; the full
derivation is written up in data/README.md.  Public figures come from
shared/reference/demand.csv (company statements relayed by press, LBNL 2024,
EPRI 2024 / 2026, IEA Energy and AI 2025).

Steps
-----
1. **2026 market volume** (tokens / year, all large providers outside China):
   annualised 2026 run-rates that were published -- Google 3.2 quadrillion
   tokens / month (May 2026), OpenAI API 15 billion tokens / minute (Mar 2026),
   Microsoft Foundry (>500 trillion / year in FY2025, growing ~7x / year),
   OpenRouter (>1 trillion / day, Nov 2025) -- plus an *estimate* for ChatGPT's
   undisclosed consumer traffic (taken equal to the API volume) and a factor
   for providers that publish nothing (Meta, Anthropic, xAI, AWS, ...).
2. **Owner's share**: the plan's owner is one large provider serving
   ``OWNER_SHARE`` of that market (estimate), with no existing fleet: the plan
   builds everything it serves.
3. **Growth**: yearly multipliers ``BASE_GROWTH`` tapering from 2.5x (2027) to
   1.2x (2035).  Token counts grew 5-9x / year in 2025-26 (Google 480 T -> 1.3 Q
   -> 3.2 Q tokens / month from May 2025 to May 2026; Microsoft "up 5x" and
   "~7x" y/y; OpenAI API 6 B -> 15 B tokens / min Oct 2025 -> Mar 2026) while
   data-centre electricity is forecast to grow ~15 % / year worldwide (IEA:
   415 TWh 2024 -> ~945 TWh 2030) and 13-27 % / year in the US (LBNL 2024:
   176 TWh 2023 -> 325-580 TWh 2028).  Tokens outgrow electricity by the gain in
   tokens per kWh (newer chips, MoE models; Microsoft: cost per token "more than
   halved" in a year), so token growth converges from the recent 5-9x toward
   electricity growth x ~1.05 efficiency gain by the mid 2030s.
4. **Cases**: low and high multiply the base by a factor interpolated
   geometrically from 2026 to 2035 (``CASE_MULT``): low 0.8 -> 0.5, high
   1.25 -> 2.0 -- the spread of the LBNL 2028 range (325-580 TWh, x1.8) and of
   the EPRI 2030 scenarios (4.6-9.1 % -> 9-17 % of US electricity).
5. **Model mix**: shares interpolated linearly from ``MODEL_MIX_2026`` to
   ``MODEL_MIX_2035``.  Small and mixture-of-experts models dominate served
   tokens and reasoning models' share keeps rising (a16z / OpenRouter "State of
   AI", 100 T token study, 2025: reasoning models passed half of routed tokens
   in 2025; small and mid-size open models lead open-weight usage).  The 405B
   dense model is ~50x costlier per token than 8B-class models and is kept to
   a fraction of a percent (batch distillation / evaluation work).
6. **Regional split**: shares interpolated linearly from
   ``REGION_SHARE_2026`` to ``REGION_SHARE_2035``.  Anchored on the IEA base
   case data-centre electricity by region (2024 -> 2030, China excluded:
   US 183 -> 426 TWh, Europe 68 -> 113, Asia-Pacific excl. China 48 -> 101,
   rest of world 15 -> 29, i.e. US ~58-64 %, Europe ~17-22 %, APAC ~15 %,
   RoW ~4-5 %), shifted toward where users are (US users are fewer than US
   data centres) and growing outside the US over time (estimate).  Within the
   US: east 40 %, central 30 %, west 30 % (population of census regions,
   tilted to the West for its AI-heavy user base; estimate).  Within Europe:
   west 85 %, north (Nordics, Baltics, Poland) 15 % by population.  Within
   APAC: east (JP/KR/TW) 40 %, south-east 25 %, south Asia 25 %, Oceania 10 %
   (estimate from internet users weighted by spend).
7. **Latency limits** (``MAX_LATENCY_MS``, network round trip): interactive
   chat with small models 60 ms, 70B chat 80 ms, gpt-oss-120b agentic/chat
   100 ms, reasoning (deepseek-r1, long thinking time dwarfs the network)
   200 ms, 405B batch work: no limit.  Basis: conversational UX targets of
   ~100 ms network RTT (Google / Akamai web-performance guidance) with the
   strictest budget for the cheapest, most latency-sensitive traffic.

Public API
----------
``build_demand(case)`` with case in {"low", "base", "high"} -> DataFrame with
columns region, model, year, tokens_per_year (float, tokens / year),
max_latency_ms (float ms, NaN = no limit); one row per region x model x year
(11 regions x 5 models x 10 years = 550 rows).

``python -m planner.prep.demand_forecast`` rewrites
data/demand/{low,base,high}.csv and the demand.csv of each bundled scenario
(base case restricted to the scenario's regions.csv).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .demand_tiers import TIERED_SCENARIOS
from .demand_tiers import split as split_tiers

START_YEAR = 2026
END_YEAR = 2035
YEARS = list(range(START_YEAR, END_YEAR + 1))

MINUTES_PER_YEAR = 60 * 24 * 365
DAYS_PER_YEAR = 365

# --- 1. published 2026 run-rates (tokens / year) ---------------------------------
GOOGLE_TOKENS_PER_MONTH_2026 = 3.2e15  # May 2026, Google I/O reporting (reference/demand.csv)
OPENAI_API_TOKENS_PER_MIN_2026 = 15e9  # Mar 2026, with the $122B raise (reference/demand.csv)
MICROSOFT_FOUNDRY_TOKENS_PER_YEAR_FY25 = 5e14  # ">500 T tokens / year", FY25 Q4 call
MICROSOFT_GROWTH_PER_YEAR = 7.0  # "~7x y/y", same call
OPENROUTER_TOKENS_PER_DAY_2025 = 1e12  # late Nov 2025, a16z / OpenRouter study
CHATGPT_CONSUMER_VS_API = 1.0  # estimate: consumer ChatGPT traffic ~ API volume (undisclosed)
UNDISCLOSED_PROVIDERS_FACTOR = 1.5  # estimate: Meta, Anthropic, xAI, AWS, Mistral... add 50 %

GOOGLE_2026 = GOOGLE_TOKENS_PER_MONTH_2026 * 12
OPENAI_API_2026 = OPENAI_API_TOKENS_PER_MIN_2026 * MINUTES_PER_YEAR
OPENAI_CONSUMER_2026 = OPENAI_API_2026 * CHATGPT_CONSUMER_VS_API
MICROSOFT_2026 = MICROSOFT_FOUNDRY_TOKENS_PER_YEAR_FY25 * MICROSOFT_GROWTH_PER_YEAR
OPENROUTER_2026 = OPENROUTER_TOKENS_PER_DAY_2025 * DAYS_PER_YEAR
MARKET_2026 = UNDISCLOSED_PROVIDERS_FACTOR * (
    GOOGLE_2026 + OPENAI_API_2026 + OPENAI_CONSUMER_2026 + MICROSOFT_2026 + OPENROUTER_2026
)  # ~8.7e16 tokens / year

# --- 2. the plan's owner ---------------------------------------------------------
OWNER_SHARE = 0.25  # estimate: one of the ~4 leading providers
OWNER_TOKENS_2026 = MARKET_2026 * OWNER_SHARE  # ~2.2e16 tokens / year

# --- 3. growth of the base case (multiplier from the previous year) --------------
BASE_GROWTH = {
    2027: 2.5,
    2028: 2.0,
    2029: 1.7,
    2030: 1.5,
    2031: 1.4,
    2032: 1.3,
    2033: 1.25,
    2034: 1.2,
    2035: 1.2,
}

# --- 4. cases: multiplier on the base in 2026 and 2035, geometric in between -----
CASE_MULT = {"low": (0.8, 0.5), "base": (1.0, 1.0), "high": (1.25, 2.0)}

# --- 5. model mix (share of tokens), linear 2026 -> 2035 ----------------------------
MODELS = ["llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "deepseek-r1", "gpt-oss-120b"]
MODEL_MIX_2026 = {
    "llama-3.1-8b": 0.40,
    "llama-3.1-70b": 0.20,
    "llama-3.1-405b": 0.005,
    "deepseek-r1": 0.145,
    "gpt-oss-120b": 0.25,
}
MODEL_MIX_2035 = {
    "llama-3.1-8b": 0.33,
    "llama-3.1-70b": 0.08,
    "llama-3.1-405b": 0.002,
    "deepseek-r1": 0.30,
    "gpt-oss-120b": 0.288,
}

# --- 6. regional split (share of tokens), linear 2026 -> 2035 ----------------------
REGIONS = [
    "us_east",
    "us_central",
    "us_west",
    "eu_west",
    "eu_north",
    "apac_east",
    "apac_southeast",
    "south_asia",
    "oceania",
    "middle_east",
    "latam",
]
_US_SPLIT = {"us_east": 0.40, "us_central": 0.30, "us_west": 0.30}
_EU_SPLIT = {"eu_west": 0.85, "eu_north": 0.15}
_APAC_SPLIT = {"apac_east": 0.40, "apac_southeast": 0.25, "south_asia": 0.25, "oceania": 0.10}
BLOCK_SHARE_2026 = {"us": 0.55, "eu": 0.20, "apac": 0.17, "middle_east": 0.03, "latam": 0.05}
BLOCK_SHARE_2035 = {"us": 0.45, "eu": 0.20, "apac": 0.23, "middle_east": 0.05, "latam": 0.07}


def _region_shares(block: dict[str, float]) -> dict[str, float]:
    out = {r: block["us"] * s for r, s in _US_SPLIT.items()}
    out.update({r: block["eu"] * s for r, s in _EU_SPLIT.items()})
    out.update({r: block["apac"] * s for r, s in _APAC_SPLIT.items()})
    out["middle_east"] = block["middle_east"]
    out["latam"] = block["latam"]
    return out


REGION_SHARE_2026 = _region_shares(BLOCK_SHARE_2026)
REGION_SHARE_2035 = _region_shares(BLOCK_SHARE_2035)

# --- 7. latency limits (ms round trip; None = no limit) ----------------------------
MAX_LATENCY_MS = {
    "llama-3.1-8b": 60.0,
    "llama-3.1-70b": 80.0,
    "gpt-oss-120b": 100.0,
    "deepseek-r1": 200.0,
    "llama-3.1-405b": None,
}

CASES = ("low", "base", "high")


def _lerp(a: float, b: float, year: int) -> float:
    t = (year - START_YEAR) / (END_YEAR - START_YEAR)
    return a + (b - a) * t


def base_totals() -> dict[int, float]:
    """Owner's total tokens / year in the base case, by year."""
    totals = {START_YEAR: OWNER_TOKENS_2026}
    for y in YEARS[1:]:
        totals[y] = totals[y - 1] * BASE_GROWTH[y]
    return totals


def case_multiplier(case: str, year: int) -> float:
    """Multiplier of a case on the base, geometric between its 2026 and 2035 values."""
    if case not in CASE_MULT:
        raise ValueError(f"unknown demand case {case!r}; expected one of {', '.join(CASES)}")
    m0, m1 = CASE_MULT[case]
    t = (year - START_YEAR) / (END_YEAR - START_YEAR)
    return float(np.exp(np.log(m0) + (np.log(m1) - np.log(m0)) * t))


def totals(case: str = "base") -> dict[int, float]:
    """Owner's total tokens / year for a case, by year."""
    return {y: v * case_multiplier(case, y) for y, v in base_totals().items()}


def _round_sig(x: float, sig: int = 4) -> float:
    if x == 0:
        return 0.0
    return float(f"{x:.{sig - 1}e}")


def build_demand(case: str = "base") -> pd.DataFrame:
    """Demand table for a case: region, model, year, tokens_per_year, max_latency_ms.

    tokens_per_year in tokens / year (float, 4 significant digits);
    max_latency_ms in ms (NaN = no limit).  550 rows.
    """
    tot = totals(case)
    rows = []
    for region in REGIONS:
        for model in MODELS:
            for y in YEARS:
                share_r = _lerp(REGION_SHARE_2026[region], REGION_SHARE_2035[region], y)
                share_m = _lerp(MODEL_MIX_2026[model], MODEL_MIX_2035[model], y)
                lim = MAX_LATENCY_MS[model]
                rows.append(
                    {
                        "region": region,
                        "model": model,
                        "year": y,
                        "tokens_per_year": _round_sig(tot[y] * share_r * share_m),
                        "max_latency_ms": np.nan if lim is None else lim,
                    }
                )
    return pd.DataFrame(rows, columns=["region", "model", "year", "tokens_per_year", "max_latency_ms"])


def _data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data"


# §7.5 sovereign AI: share of a region's demand that must be served from sites in its own
# country (demand.csv ``sovereign_share``). Only South Asia (country IN in world's
# regions.csv) has one: India runs a national compute programme (IndiaAI Mission, >38,000
# GPUs onboarded by 2026; shared/reference/sovereignty.csv) and a conditional cross-border
# regime (DPDP Act 2023 s.16). 0.25 is an *estimate* (public-sector, IndiaAI-subsidised and
# regulated-sector work as a quarter of served tokens); the reference gives programme
# sizes, not a share of demand. Other regions span several countries (eu_west, eu_north,
# apac_*, middle_east, latam) or have no residency rule (US: GDPR-like rules absent,
# Stargate is private; Australia: none in the reference). See data/README.md.
SOVEREIGN_SHARE = {"south_asia": 0.25}


def with_sovereign_share(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a ``sovereign_share`` column (0..1, blank = 0) when one of its regions has
    a share in :data:`SOVEREIGN_SHARE`; unchanged otherwise (e.g. the us scenario)."""
    if not df["region"].isin(list(SOVEREIGN_SHARE)).any():
        return df
    out = df.copy()
    out["sovereign_share"] = out["region"].map(lambda r: f"{SOVEREIGN_SHARE[r]:g}" if r in SOVEREIGN_SHARE else "")
    return out


def _write(df: pd.DataFrame, path: Path) -> None:
    out = with_sovereign_share(df.copy())
    out["max_latency_ms"] = out["max_latency_ms"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    out["tokens_per_year"] = out["tokens_per_year"].map(lambda v: f"{v:.4g}")
    out.to_csv(path, index=False)


def regenerate(data_dir: Path | None = None) -> list[Path]:
    """Write data/demand/{low,base,high}.csv and each scenario's demand.csv (base case)."""
    data_dir = data_dir or _data_dir()
    (data_dir / "demand").mkdir(parents=True, exist_ok=True)
    written = []
    tables = {case: build_demand(case) for case in CASES}
    tables = {case: split_tiers(df) for case, df in tables.items()}  # service tiers (planner.prep.demand_tiers)
    for case, df in tables.items():
        path = data_dir / "demand" / f"{case}.csv"
        _write(df, path)
        written.append(path)
    for folder in sorted(p for p in (data_dir / "scenarios").iterdir() if p.is_dir()):
        reg = folder / "regions.csv"
        if not reg.exists():
            continue
        regions = set(pd.read_csv(reg, encoding="utf-8-sig", keep_default_na=False)["region"])
        df = tables["base"][tables["base"]["region"].isin(regions)]
        if folder.name not in TIERED_SCENARIOS:  # one row per (region, model, year), served at default_tier
            whole = build_demand("base")
            df = whole[whole["region"].isin(regions)]
        _write(df, folder / "demand.csv")
        written.append(folder / "demand.csv")
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else None
    for path in regenerate(target):
        print(f"wrote {path}")
    for case in CASES:
        t = totals(case)
        print(f"{case}: {t[START_YEAR]:.3g} tokens/yr in {START_YEAR}, {t[END_YEAR]:.3g} in {END_YEAR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
