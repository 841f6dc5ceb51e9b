"""The five layers of a plan, walked top-down for the report: tokens (demand) -> chips
(units, MW IT, by generation) -> infrastructure (sites, halls, cooling, MW facility) ->
energy (MWh by source, CO2), with the cost each layer adds per million tokens.

Two kinds of helpers:

* :func:`extra_tables` -- computed once after a solve from the model and the scenario and
  written into the results folder next to the DESIGN.md §6 tables, so ``planner report DIR``
  can re-render everything without the scenario or a solve:
  ``sites`` (site, name, region, lat, lon, max_it_mw, grid_cap_mw),
  ``chips`` (chip, vendor, unit_name, generation) and
  ``infrastructure`` (year, site, cooling, hall_mw, it_mw, facility_mw).
* table views (``*_by_year``) that work on the results tables only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from ..io.results import (
    CFE_SOVEREIGNTY_COLUMNS,
    FLOAT_FORMAT,
    LIMIT_COLUMNS,
    MARGINAL_COLUMNS,
    RESOURCE_COLUMNS,
    TIER_CHIP_COLUMNS,
    read_results,
    typed,
)
from ..solver.solution import LAYER_OF_COMPONENT

LAYERS = ("energy", "chips", "infrastructure", "network", "penalties")

EXTRA_COLUMNS = {
    "sites": ["site", "name", "region", "lat", "lon", "max_it_mw", "grid_cap_mw"],
    "chips": ["chip", "vendor", "unit_name", "generation"],
    "infrastructure": ["year", "site", "cooling", "hall_mw", "it_mw", "facility_mw"],
}
# the columns each optional table must have when it is there
OPTIONAL_COLUMNS = {**EXTRA_COLUMNS, "marginal_costs": MARGINAL_COLUMNS, "binding_limits": LIMIT_COLUMNS}
OPTIONAL_COLUMNS.update(CFE_SOVEREIGNTY_COLUMNS)  # §7.3 cfe.csv, §7.5 sovereignty.csv
OPTIONAL_COLUMNS.update(RESOURCE_COLUMNS)  # DESIGN.md §7.1, §7.2, §7.4
OPTIONAL_COLUMNS["tier_chips"] = TIER_CHIP_COLUMNS  # service tiers (planner.reporting.tiers)

# chip key -> architecture generation (bundled catalog); other keys fall back to the
# patterns of GENERATION_PATTERNS, then to the key itself.
GENERATION = {
    "H100_HGX": "Hopper",
    "H200_HGX": "Hopper",
    "B200_HGX": "Blackwell",
    "GB200_NVL72": "Blackwell",
    "B300_HGX": "Blackwell Ultra",
    "GB300_NVL72": "Blackwell Ultra",
    "VR200_NVL144": "Rubin",
    "MI300X_OAM8": "CDNA3",
    "MI325X_OAM8": "CDNA3",
    "MI355X_OAM8": "CDNA4",
    "GAUDI3_OAM8": "Gaudi 3",
}
GENERATION_PATTERNS = [
    (r"^(GH|H)\d", "Hopper"),
    (r"^G?B3\d", "Blackwell Ultra"),
    (r"^G?B2\d", "Blackwell"),
    (r"^(VR|R)\d|RUBIN", "Rubin"),
    (r"^MI3[0-2]", "CDNA3"),
    (r"^MI35", "CDNA4"),
    (r"GAUDI\s*3", "Gaudi 3"),
    (r"GAUDI", "Gaudi"),
]
# chronological order of generations for legends and tables
GENERATION_ORDER = ["Hopper", "Blackwell", "Blackwell Ultra", "Rubin", "CDNA3", "CDNA4", "Gaudi", "Gaudi 3"]


def generation_of(chip: str) -> str:
    """Architecture generation of a chip key (e.g. ``B300_HGX`` -> ``Blackwell Ultra``)."""
    if chip in GENERATION:
        return GENERATION[chip]
    key = str(chip).upper()
    for pat, gen in GENERATION_PATTERNS:
        if re.search(pat, key):
            return gen
    return str(chip)


def generation_sort_key(gen: str) -> tuple:
    return (GENERATION_ORDER.index(gen), "") if gen in GENERATION_ORDER else (len(GENERATION_ORDER), gen)


# ---------------------------------------------------------------- tables written at solve time


def extra_tables(p) -> dict[str, pd.DataFrame]:
    """``sites``, ``chips`` and ``infrastructure`` tables of a solved :class:`planner.api.Plan`."""
    T = p.scenario.tables
    s = T["sites.csv"].copy()
    for col in EXTRA_COLUMNS["sites"]:
        if col not in s.columns:
            s[col] = float("nan")
    sites = s[EXTRA_COLUMNS["sites"]].sort_values("site").reset_index(drop=True)
    c = T["chips.csv"].copy()
    c["generation"] = c["chip"].map(generation_of)
    chips = c[EXTRA_COLUMNS["chips"]].sort_values("chip").reset_index(drop=True)
    return {"sites": sites, "chips": chips, "infrastructure": infrastructure_table(p.model, p.data)}


def infrastructure_table(m, d) -> pd.DataFrame:
    """Hall MW in service, MW IT active and average facility draw (MW) per site, cooling, year."""
    if m is None or d is None:
        return pd.DataFrame(columns=EXTRA_COLUMNS["infrastructure"])

    def v(x):
        val = pyo.value(x, exception=False)
        return 0.0 if val is None or abs(val) < 1e-9 else float(val)

    hall = defaultdict(float)
    for s, c, y in d.hallsvc_scy:
        hall[s, c, y] += v(m.hall_in_service[s, c, y]) * d.hall_mw
    ex = getattr(d, "existing", None)
    for (s, c, y), mw in (ex.hall_mw if ex else {}).items():  # existing halls in service (§7.7)
        hall[s, c, y] += mw
    it = defaultdict(float)
    fac = defaultdict(float)
    for s, g, c, y in d.active_sgcy:
        a = v(m.active_units[s, g, c, y])
        if a:
            mw = a * d.chip[g]["it_kw_per_unit"] / 1000.0
            it[s, c, y] += mw
            fac[s, c, y] += d.load_factor * mw * (d.cool[c]["pue"] + d.site[s]["pue_adder"])
    rows = []
    for key in sorted(set(hall) | set(it), key=lambda k: (k[2], k[0], k[1])):
        s, c, y = key
        if hall.get(key, 0.0) <= 0 and it.get(key, 0.0) <= 0:
            continue
        rows.append((y, s, c, round(hall.get(key, 0.0), 9), it.get(key, 0.0), fac.get(key, 0.0)))
    return pd.DataFrame(rows, columns=EXTRA_COLUMNS["infrastructure"])


def read_folder(folder: Path) -> tuple[dict[str, pd.DataFrame], dict]:
    """Tables and summary of a results folder, with the optional tables of this module where
    present (:func:`planner.io.results.read_results`)."""
    return read_results(folder, optional=OPTIONAL_COLUMNS)


def as_written(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables with every float rounded as the CSV files store it (``%.12g``), so a report
    rendered after a solve is byte-identical to one re-rendered from the folder."""
    out = {}
    for name, t in tables.items():
        t = t.copy()
        for col in t.columns:
            if pd.api.types.is_float_dtype(t[col]):
                t[col] = [float(FLOAT_FORMAT % v) if v == v else v for v in t[col]]
        out[name] = typed(name, t)  # the dtypes a read-back gives (planner.io.results.typed)
    return out


# ---------------------------------------------------------------- views on the tables


def years_of(summary: dict) -> list[int]:
    return list(range(int(summary["start_year"]), int(summary["end_year"]) + 1))


def demand_by_year(tables) -> pd.DataFrame:
    """year, region, model, demand, served, unserved (tokens)."""
    s = tables["serving"]
    u = tables["unserved"]
    served = s.groupby(["year", "region", "model"])["tokens"].sum() if len(s) else pd.Series(dtype=float)
    uns = u.groupby(["year", "region", "model"])["tokens"].sum() if len(u) else pd.Series(dtype=float)
    idx = served.index.union(uns.index)
    if not len(idx):
        return pd.DataFrame(columns=["year", "region", "model", "demand", "served", "unserved"])
    out = pd.DataFrame({"served": served.reindex(idx).fillna(0.0), "unserved": uns.reindex(idx).fillna(0.0)})
    out["demand"] = out["served"] + out["unserved"]
    out = out.reset_index()
    out.columns = ["year", "region", "model", "served", "unserved", "demand"]
    return out[["year", "region", "model", "demand", "served", "unserved"]]


def chips_by_generation(tables) -> pd.DataFrame:
    """year, generation, units_installed, units_active, it_mw, tokens."""
    c = tables["capacity"]
    cols = ["year", "generation", "units_installed", "units_active", "it_mw", "tokens"]
    if not len(c):
        return pd.DataFrame(columns=cols)
    c = c.assign(generation=c["chip"].map(generation_of))
    out = c.groupby(["year", "generation"], as_index=False).agg(
        units_installed=("units_installed", "sum"),
        units_active=("units_active", "sum"),
        it_mw=("it_mw", "sum"),
        tokens=("tokens_per_year", "sum"),
    )
    return out[cols]


def generation_pivot(tables, years, value="it_mw") -> pd.DataFrame:
    """years x generations (chronological) of ``value``."""
    cg = chips_by_generation(tables)
    if not len(cg):
        return pd.DataFrame(index=years)
    pv = cg.pivot_table(index="year", columns="generation", values=value, aggfunc="sum").reindex(years).fillna(0.0)
    return pv[sorted(pv.columns, key=generation_sort_key)]


def infrastructure_by_year(tables, years) -> pd.DataFrame:
    """Per year: sites open, hall MW in service by cooling, MW IT active, MW facility (average
    draw). Without infrastructure.csv (older folders) hall MW is the cumulative MW built."""
    so = sites_opened(tables)
    out = pd.DataFrame(index=pd.Index(years, name="year"))
    out["sites_open"] = [int((so["year"] <= y).sum()) for y in years]
    inf = tables.get("infrastructure")
    if inf is not None and len(inf):
        h = inf.pivot_table(index="year", columns="cooling", values="hall_mw", aggfunc="sum").reindex(years).fillna(0)
        for c in h.columns:
            out[f"hall_mw_{c}"] = h[c]
        out["it_mw"] = inf.groupby("year")["it_mw"].sum().reindex(years).fillna(0.0)
        out["facility_mw"] = inf.groupby("year")["facility_mw"].sum().reindex(years).fillna(0.0)
    else:
        inv = tables["investment_schedule"]
        halls = inv[inv["item"].str.startswith("hall ")]
        for item, g in halls.groupby("item"):
            built = g.groupby("year")["quantity"].sum().reindex(years).fillna(0.0).cumsum()
            out[f"hall_mw_{item[5:]}"] = built
        cap = tables["capacity"]
        out["it_mw"] = cap.groupby("year")["it_mw"].sum().reindex(years).fillna(0.0) if len(cap) else 0.0
    return out


def energy_by_source(tables, years, value="energy_mwh") -> pd.DataFrame:
    """years x tech of ``value`` (energy_mwh, co2_t, cost_usd, capacity_mw)."""
    e = tables["energy"]
    if not len(e):
        return pd.DataFrame(index=years)
    return e.pivot_table(index="year", columns="tech", values=value, aggfunc="sum").reindex(years).fillna(0.0)


def co2_by_year(tables, years) -> pd.Series:
    e = tables["energy"]
    if not len(e):
        return pd.Series(0.0, index=years)
    return e.groupby("year")["co2_t"].sum().reindex(years).fillna(0.0)


def capex_by_layer(tables, years) -> pd.DataFrame:
    """Cash capex (USD, in the build year) per year and layer (infrastructure, chips, energy)."""
    inv = tables["investment_schedule"]
    cols = ["infrastructure", "chips", "energy"]
    if not len(inv):
        return pd.DataFrame(0.0, index=years, columns=cols)
    pv = inv.pivot_table(index="year", columns="layer", values="capex_usd", aggfunc="sum")
    return pv.reindex(index=years, columns=cols).fillna(0.0)


def sites_opened(tables) -> pd.DataFrame:
    """Sites open in the plan: columns year, site, existing (bool). A site the plan opens has
    a ``site`` row in the investment schedule; a site with existing assets (DESIGN.md §7.7,
    items "<asset> (existing)", no open cost) is open from its earliest existing build year
    (which may precede the horizon) and is marked ``existing``."""
    inv = tables["investment_schedule"]
    new = inv[inv["item"] == "site"][["year", "site"]].assign(existing=False)
    ex = inv[inv["item"].astype(str).str.endswith(" (existing)")]
    ex = ex[~ex["site"].isin(set(new["site"]))]
    old = ex.groupby("site", as_index=False)["year"].min().assign(existing=True)[["year", "site", "existing"]]
    out = pd.concat([new, old], ignore_index=True) if len(old) else new
    return out.sort_values(["year", "site"]).reset_index(drop=True)


def site_mw(tables) -> pd.DataFrame:
    """Peak hall MW (or MW IT when halls are unknown) per site over the horizon."""
    inf = tables.get("infrastructure")
    if inf is not None and len(inf):
        return inf.groupby(["site", "year"])["hall_mw"].sum().groupby("site").max().rename("mw").reset_index()
    cap = tables["capacity"]
    if not len(cap):
        return pd.DataFrame(columns=["site", "mw"])
    return cap.groupby(["site", "year"])["it_mw"].sum().groupby("site").max().rename("mw").reset_index()


def tokens_served_by_year(tables: dict[str, pd.DataFrame]) -> pd.Series:
    s = tables["serving"]
    return s.groupby("year")["tokens"].sum() if len(s) else pd.Series(dtype=float)


def cost_per_mtok_by_layer(tables: dict[str, pd.DataFrame], years: list[int]) -> pd.DataFrame:
    """Undiscounted USD per million tokens served, per year and layer (columns: LAYERS and
    ``total``); the layers add up to the total exactly. Years with nothing served are NaN."""
    c = tables["costs"].copy()
    c["layer"] = c["component"].map(LAYER_OF_COMPONENT)
    by = (
        c.pivot_table(index="year", columns="layer", values="usd", aggfunc="sum")
        .reindex(index=years, columns=list(LAYERS))
        .fillna(0.0)
    )
    served = tokens_served_by_year(tables).reindex(years).fillna(0.0)
    out = by.div(served.where(served > 0) / 1e6, axis=0)
    out["total"] = out[list(LAYERS)].sum(axis=1, min_count=1)  # NaN, not 0, where nothing is served
    return out
