"""Result tables of 24/7 CFE (DESIGN.md §7.3) and sovereign AI (§7.5), read from a solved
model.

- ``cfe`` (written when the scenario has a ``cfe_target`` or a site with a
  ``grid_cfe_share`` > 0): year, site, cfe_score, target -- for every site and year with a
  facility load. cfe_score = Σ_h w_h × min(L, clean_h) / (Σ_h w_h × L) from the slice values,
  clean_h = Σ_{carbon-free k} gen + grid_cfe_share × grid + Σ_st (discharge − charge);
  target is the interpolated ``cfe_target`` of the year (blank without one).
- ``sovereignty`` (written when a region has a country): year, region, model, country,
  demand_tokens, sovereign_share, required_tokens (share × demand), home_tokens (served
  from sites of the region's country), abroad_tokens, unserved_tokens -- one row per demand
  row of a region with a country.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pyomo.environ as pyo

from ..io.results import CFE_COLUMNS, SOVEREIGNTY_COLUMNS
from ..model.cfe import carbon_free
from ..model.data import TOK

EPS = 1e-9


def _v(x) -> float:
    val = pyo.value(x, exception=False)
    return 0.0 if val is None or abs(float(val)) < EPS else float(val)


def tables(m, d) -> dict[str, pd.DataFrame]:
    """The tables of this module that the scenario's inputs call for (see module docstring)."""
    out = {}
    if d.cfe_target_table or d.grid_cfe_share:
        out["cfe"] = cfe_table(m, d)
    sov = sovereignty_table(m, d)
    if sov is not None:
        out["sovereignty"] = sov
    return out


def cfe_table(m, d) -> pd.DataFrame:
    """year, site, cfe_score, target for every (site, year) with a facility load > 0."""
    clean = defaultdict(float)
    for s, k, y, h in d.gen_skyh:
        if carbon_free(d.tech[k]):
            clean[s, y, h] += _v(m.gen[s, k, y, h])
    for s, y, h in d.grid_syh:
        share = d.grid_cfe_share.get(s, 0.0)
        if share:
            clean[s, y, h] += share * _v(m.grid[s, y, h])
    for s, k, y, h in d.stor_skyh:
        clean[s, y, h] += _v(m.discharge[s, k, y, h]) - _v(m.charge[s, k, y, h])
    hours = sum(d.weight[h] for h in d.slices)
    rows = []
    for s, y in d.load_sy:
        load = _v(m.load_mw[s, y])
        if load <= 0:
            continue
        matched = sum(d.weight[h] * min(load, clean.get((s, y, h), 0.0)) for h in d.slices)
        target = d.cfe_target_table.get(y, float("nan")) if d.cfe_target_table else float("nan")
        rows.append((y, s, matched / (hours * load), target))
    t = pd.DataFrame(rows, columns=CFE_COLUMNS)
    return t.sort_values(["year", "site"], kind="stable").reset_index(drop=True)


def sovereignty_table(m, d) -> pd.DataFrame | None:
    """One row per demand row of a region with a country (None when no region has one)."""
    if not d.region_country:
        return None
    home = defaultdict(float)
    abroad = defaultdict(float)
    for key, v in m.serve.items():
        r, s = key[0], key[1]
        dk = (r, *key[2:])
        tok = _v(v) * TOK
        if r in d.region_country and d.site_country.get(s) == d.region_country[r]:
            home[dk] += tok
        else:
            abroad[dk] += tok
    rows = []
    for key in sorted(d.demand_rmy):
        c = d.region_country.get(key[0])
        if c is None:
            continue
        dem = d.demand_rmy[key] * TOK
        share = d.sovereign_share.get(key, 0.0)
        uns = _v(m.unserved[key]) * TOK
        rows.append((key[-1], key[0], key[1], c, dem, share, share * dem, home[key], abroad[key], uns))
    t = pd.DataFrame(rows, columns=SOVEREIGNTY_COLUMNS)
    return t.sort_values(["year", "region", "model"], kind="stable").reset_index(drop=True)
