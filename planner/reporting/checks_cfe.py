"""Invariant checks of 24/7 CFE (DESIGN.md §7.3, constraint (14)) and sovereignty (§7.5,
constraint (15)), re-derived from the written tables and the scenario's inputs, run by
:mod:`planner.reporting.checks` after every solve:

- ``cfe``: every site with IT load in a year with a target > 0 has a row in cfe.csv; its
  ``target`` is the scenario's ``cfe_target`` interpolated to the year; its ``cfe_score``
  meets the target (to 1e-6) and is at most 1;
- ``sovereignty``: for every demand row with ``sovereign_share`` > 0, the tokens serving.csv
  sends from sites of the region's country plus the row's unserved tokens reach
  share × demand (1e-6 relative); sovereignty.csv's home tokens agree with serving.csv.
"""

from __future__ import annotations

import math

import pandas as pd

TOL = 1e-6


def _country(v) -> str | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else str(v)


def check_cfe_sovereignty(ctx) -> list[str]:
    """Failures of both checks (``ctx`` is :class:`planner.reporting.checks._Context`)."""
    return check_cfe(ctx) + check_sovereignty(ctx)


def check_cfe(ctx) -> list[str]:
    table = getattr(ctx.cfg, "cfe_target", None)
    cfe = ctx.t.get("cfe")
    if cfe is None:
        return []
    out = []
    target = {y: (ctx.cfg.year_value(table, y) or 0.0) for y in ctx.years} if table else {}
    have = set()
    for r in cfe.itertuples():
        y, s = int(r.year), str(r.site)
        have.add((s, y))
        want = target.get(y)
        if want is None:
            if not (isinstance(r.target, float) and math.isnan(r.target)):
                out.append(f"cfe: site {s}, {y}: target {r.target} written, but the scenario has no cfe_target")
            continue
        if abs(float(r.target) - want) > 1e-9:
            out.append(f"cfe: site {s}, {y}: target {r.target} written, the scenario's is {want:.9g}")
        if want > 0 and float(r.cfe_score) < want - TOL:
            out.append(f"cfe: site {s}, {y}: score {float(r.cfe_score):.9g} is below the target {want:.9g} of (14)")
        if float(r.cfe_score) > 1 + TOL:
            out.append(f"cfe: site {s}, {y}: score {float(r.cfe_score):.9g} is above 1")
    cap = ctx.t.get("capacity")
    if cap is not None and len(cap):
        loaded = cap[cap["it_mw"] > 1e-9].groupby(["site", "year"]).size()
        for s, y in loaded.index:
            if target.get(int(y), 0.0) > 0 and (str(s), int(y)) not in have:
                out.append(f"cfe: site {s} has IT load in {int(y)}, a year with a target, but no row in cfe.csv")
    return out


def check_sovereignty(ctx) -> list[str]:
    T = ctx.scn.tables
    dem = T["demand.csv"]
    if "sovereign_share" not in dem.columns or not (dem["sovereign_share"] > 0).any():
        return []
    reg, sit = T["regions.csv"], T["sites.csv"]
    country_of = dict(zip(reg["region"], map(_country, reg.get("country", [None] * len(reg))), strict=True))
    site_country = dict(zip(sit["site"], map(_country, sit.get("country", [None] * len(sit))), strict=True))
    serving, unserved = ctx.t["serving"], ctx.t["unserved"]
    tiered = "tier" in serving.columns  # §7.9: (15) holds per (region, model, tier, year)

    def k(r, tier=None):
        return (
            (r.region, r.model, tier if tier is not None else r.tier, int(r.year))
            if tiered
            else (
                r.region,
                r.model,
                int(r.year),
            )
        )

    home: dict = {}
    for r in serving.itertuples():
        c = country_of.get(r.region)
        if c is not None and site_country.get(r.site) == c:
            key = k(r)
            home[key] = home.get(key, 0.0) + float(r.tokens)
    uns = {}
    for r in unserved.itertuples():
        uns[k(r)] = uns.get(k(r), 0.0) + float(r.tokens)
    out = []
    rows = dem[(dem["sovereign_share"] > 0) & (dem["tokens_per_year"] > 0)]
    if tiered:
        from ..io.tiers import demand_tiers

        tiers = demand_tiers(ctx.cfg, T, rows)
    for i, r in zip(rows.index, rows.itertuples(), strict=True):
        key = k(r, tiers[i]) if tiered else k(r)
        need = float(r.sovereign_share) * float(r.tokens_per_year)
        got = home.get(key, 0.0) + float(uns.get(key, 0.0))
        if got < need - TOL * max(need, 1.0):
            out.append(
                f"sovereignty: region {key[0]}, model {key[1]}, {key[2]}: served at home {home.get(key, 0.0):.9g} "
                f"+ unserved {float(uns.get(key, 0.0)):.9g} tokens is below sovereign_share x demand {need:.9g} of (15)"
            )
    sov = ctx.t.get("sovereignty")
    if isinstance(sov, pd.DataFrame) and len(sov):
        for r in sov.itertuples():
            key = k(r)
            h = home.get(key, 0.0)
            if abs(float(r.home_tokens) - h) > TOL * max(h, float(r.demand_tokens), 1.0):
                out.append(
                    f"sovereignty: region {key[0]}, model {key[1]}, {key[2]}: sovereignty.csv has {r.home_tokens:.9g} "
                    f"home tokens, serving.csv {h:.9g}"
                )
    return out
