"""Sovereign AI (data residency): a share of each demand row served from the region's own
country (DESIGN.md §7.5).

Inputs: regions.csv and sites.csv ``country`` (ISO 3166 alpha-2, compared exactly as
written; a site without a country is abroad for every region), demand.csv
``sovereign_share`` (0..1, blank = 0).

Program, for every demand row with sovereign_share > 0 (constraint ``sovereign_share``):
  Σ_{s: country_s = country_r} serve[r,s,m,y] + unserved[r,m,y] ≥ sovereign_share × demand[r,m,y]   (15)
in tera-tokens. The row is written per demand key: a serve key is the demand key with the
site inserted after the region, so a demand re-indexed by more columns (e.g. a service
tier) keeps one row (15) per demand row. No cost term; its dual in the long-run marginal LP
is the cost of sovereignty (USD per million tokens).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pyomo.environ as pyo

from .rows import ge


def _country(v) -> str | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v == "" else str(v)


def inputs(T: dict[str, pd.DataFrame], demand: dict[tuple, float], model_key=None) -> dict:
    """The ModelData fields of §7.5: ``region_country`` and ``site_country`` (name ->
    country, only where given), ``sovereign_share`` (demand key (r, m, y) -> share, for
    demand rows in ``demand`` with a share > 0) and ``home_sites`` (same keys -> the sites
    whose country is the region's). ``model_key(row)`` gives a demand row's model key in the
    program (with service tiers: the (model, tier) product, so (15) holds per (r, m, t, y))."""
    out: dict = {}
    reg, sit = T["regions.csv"], T["sites.csv"]
    if "country" in reg.columns:
        out["region_country"] = {r: c for r, c in zip(reg["region"], map(_country, reg["country"])) if c}
    if "country" in sit.columns:
        out["site_country"] = {s: c for s, c in zip(sit["site"], map(_country, sit["country"])) if c}
    dem = T["demand.csv"]
    if "sovereign_share" not in dem.columns:
        return out
    rows = dem[dem["sovereign_share"] > 0]
    sites_of = defaultdict(set)
    for site, c in out.get("site_country", {}).items():
        sites_of[c].add(site)
    share, home = {}, {}
    for r in rows.to_dict("records"):
        key = (r["region"], model_key(r) if model_key else r["model"], int(r["year"]))
        if key in demand:
            share[key] = float(r["sovereign_share"])
            home[key] = frozenset(sites_of.get(out.get("region_country", {}).get(r["region"]), ()))
    if share:
        out.update(sovereign_share=share, home_sites=home)
    return out


def demand_key(serve_key: tuple) -> tuple:
    """The demand key of a serve key: (r, s, m, y, ...) -> (r, m, y, ...)."""
    return (serve_key[0], *serve_key[2:])


def define(m: pyo.ConcreteModel, d) -> None:
    """Add (15) to ``m`` (after the serving layer). Nothing is added without a share > 0."""
    if not d.sovereign_share:
        return
    home = defaultdict(list)
    for key, v in m.serve.items():
        dk = demand_key(key)
        if dk in d.sovereign_share and key[1] in d.home_sites[dk]:
            home[dk].append(v)
    keys = sorted(d.sovereign_share)
    m.SOVEREIGN_KEYS = pyo.Set(initialize=keys, dimen=len(keys[0]), ordered=True)
    m.sovereign_share = pyo.Constraint(
        m.SOVEREIGN_KEYS,
        rule=lambda m, *k: ge(
            [(1.0, v) for v in home.get(k, ())] + [(1.0, m.unserved[k])],
            d.sovereign_share[k] * d.demand_rmy[k],
        ),
    )
