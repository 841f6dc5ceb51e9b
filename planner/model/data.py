"""Turn a validated :class:`planner.io.scenario.Scenario` into the model's sparse index sets and
scaled parameters (:class:`ModelData`).

Index letters, in this order everywhere: r region, s site, m model, g chip, c cooling,
k tech, y year, h slice. Only the tuples that can carry a non-zero value are created:
chip–cooling pairs that fit, chip purchase windows, (region, site) pairs within each
demand's latency limit, (site, tech) pairs listed in site_power.csv, and slices where a
variable tech has a non-zero capacity factor. Each pruning rule is exact: it removes only
variables the constraints of DESIGN.md §4 would force to zero.

Scaling (DESIGN.md §4): money in million USD (MUSD), power in MW, energy in MWh, tokens in
tera-tokens (Ttok = 1e12 tokens), CO2 in kilotonnes (kt).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from ..io.fleet import supply_table
from .cfe import inputs as cfe_inputs
from .existing import Existing, existing_data, first_open_year
from .inputs import resource_inputs
from .sovereignty import inputs as sovereignty_inputs
from .tiers import tier_data

SECONDS_PER_YEAR = 3600.0 * 8760.0
TOK = 1e12  # tokens per model unit (tera-token)
MUSD = 1e6  # USD per model money unit


def crf(rate: float, life: float) -> float:
    """Capital recovery factor CRF(L) = r / (1 - (1+r)^-L); 1/L when r = 0."""
    if rate == 0:
        return 1.0 / life
    return rate / (1.0 - (1.0 + rate) ** (-life))


@dataclass
class ModelData:
    """Sets and parameters of the program, already scaled. Dicts are keyed by the index
    tuples named in their comments; lists of tuples are the sparse index sets."""

    years: list[int]
    start_year: int
    df: dict[int, float]  # y -> discount factor
    rate: float
    hall_mw: float
    load_factor: float
    regions: list[str]
    sites: list[str]
    models: list[str]
    chips: list[str]
    coolings: list[str]
    techs: list[str]
    slices: list[str]
    site: dict[str, dict]  # s -> site row (raw units)
    chip: dict[str, dict]  # g -> chip row
    cool: dict[str, dict]  # c -> cooling row
    tech: dict[str, dict]  # k -> power row
    weight: dict[str, float]  # h -> hours a year
    duration: dict[str, float]  # h -> hours
    price_mult: dict[str, float]  # h -> grid price multiplier
    prev_slice: dict[str, str]  # h -> previous slice of the same day (cyclic)
    site_life: int
    carbon_price: dict[int, float]  # y -> USD/t
    carbon_cap: dict[int, float]  # y -> t (only years with a cap)
    unserved_penalty: float  # MUSD per Ttok
    # sparse index sets
    open_sy: list[tuple]
    hall_scy: list[tuple]
    hallsvc_scy: dict[tuple, list[tuple]]  # (s,c,y) -> hall keys in service
    buy_sgcy: list[tuple]
    installed_sgcy: dict[tuple, list[tuple]]  # (s,g,c,y) -> buy keys installed
    active_sgcy: list[tuple]
    tok_sgmy: list[tuple]
    tok_coef: dict[tuple, float]  # (s,g,m,y) -> units-year per Ttok
    serve_rsmy: list[tuple]
    net_cost: dict[tuple, float]  # (r,s) -> MUSD per Ttok
    demand_rmy: dict[tuple, float]  # (r,m,y) -> Ttok
    new_sky: list[tuple]
    cap_sky: dict[tuple, list[tuple]]  # (s,k,y) -> new keys in service
    max_mw: dict[tuple, float]  # (s,k) -> MW (only where given)
    gen_skyh: list[tuple]
    cf: dict[tuple, float]  # (s,k,h) -> capacity factor (variable techs)
    stor_skyh: list[tuple]
    grid_syh: list[tuple]
    load_sy: list[tuple]
    max_units: dict[tuple, float] = field(default_factory=dict)  # (g,y) -> units
    identical_sites: list[list[str]] = field(default_factory=list)  # groups of interchangeable sites
    # §7.3 24/7 CFE (planner.model.cfe): y -> target (only years with a target > 0), s -> grid share
    cfe_target: dict[int, float] = field(default_factory=dict)
    cfe_target_table: dict[int, float] = field(default_factory=dict)  # y -> target, every year
    grid_cfe_share: dict[str, float] = field(default_factory=dict)
    # §7.5 sovereign AI (planner.model.sovereignty): demand key -> share (only shares > 0),
    # demand key -> sites in the region's own country
    sovereign_share: dict[tuple, float] = field(default_factory=dict)
    home_sites: dict[tuple, frozenset] = field(default_factory=dict)
    region_country: dict[str, str] = field(default_factory=dict)  # r -> ISO code (where given)
    site_country: dict[str, str] = field(default_factory=dict)  # s -> ISO code (where given)
    # DESIGN.md §7.6 (planner.model.limits, planner.model.objectives)
    limits: dict = field(default_factory=dict)  # limit key -> {y: value} (USD, MW; every year)
    objective: str = "cost"  # cost | tokens | value
    value_mtok: dict = field(default_factory=dict)  # m -> USD per million tokens (== MUSD/Ttok)
    existing: Existing = field(default_factory=Existing)  # DESIGN.md §7.7 existing fleet
    # DESIGN.md §7.1 / §7.4 inputs (planner.model.labour.resource_inputs)
    labour_bw: dict = field(default_factory=dict)  # (asset, trade) -> construction worker-years per MW
    labour_ow: dict = field(default_factory=dict)  # (asset, trade) -> operations workers per MW
    labour_supply: dict = field(default_factory=dict)  # (pool, trade, y) -> (worker-years, premium USD or None)
    labour_pool: dict = field(default_factory=dict)  # s -> pool
    carbon_scope: str = "operational"
    # service tiers (DESIGN.md §7.9), empty when tiers are not in use: the model index M then
    # holds products "model␟tier" (planner.io.tiers.product), each mapped back here
    tiers: list[str] = field(default_factory=list)  # tiers.csv order
    product_of: dict[str, tuple[str, str]] = field(default_factory=dict)  # product -> (model, tier)
    value_mult: dict[str, float] = field(default_factory=dict)  # tier -> value multiplier (blank = 1)


def _records(df: pd.DataFrame, key: str) -> dict[str, dict]:
    return {r[key]: r for r in df.drop(columns=["_row"]).to_dict("records")}


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _windows(by_key: dict, Y: list[int], life_of) -> dict:
    """For each ``key -> sorted years b`` and each year y: the keys ``(*key, b)`` with
    y - L < b <= y (assets bought in b still in service in y), L = ``life_of(key)``.
    Bisection on the sorted years: no scan of every (y, b) pair."""
    out = {}
    for key, ys in by_key.items():
        L = int(life_of(key))
        for y in Y:
            lo, hi = bisect_right(ys, y - L), bisect_right(ys, y)
            if hi > lo:
                out[(*key, y)] = [(*key, b) for b in ys[lo:hi]]
    return out


def build_data(scn) -> ModelData:
    """Build :class:`ModelData` from a validated scenario (see module docstring)."""
    cfg = scn.config
    Y = cfg.years
    y0 = cfg.start_year
    rho = cfg.discount_rate
    T = scn.tables
    site = _records(T["sites.csv"], "site")
    chip = _records(T["chips.csv"], "chip")
    cool = _records(T["cooling.csv"], "cooling")
    tech = _records(T["power.csv"], "tech")
    sl = T["slices.csv"].sort_values(["day", "hour", "slice"], kind="stable")
    S = sorted(site)
    G = sorted(chip)
    C = sorted(cool)
    K = sorted(tech)
    H = list(sl["slice"])
    weight = dict(zip(sl["slice"], sl["duration_h"] * sl["days_per_year"], strict=True))
    duration = dict(zip(sl["slice"], sl["duration_h"], strict=True))
    mult = dict(zip(sl["slice"], sl["grid_price_mult"], strict=True))
    prev = {}
    for _, g in sl.groupby("day", sort=False):
        hs = list(g["slice"])
        for i, h in enumerate(hs):
            prev[h] = hs[i - 1]
    R = sorted(T["regions.csv"]["region"])
    M = sorted(T["models.csv"]["model"])
    Mset = set(M)
    hb = float(cfg.hall_block_mw)

    # --- infrastructure
    ex = existing_data(T, Y, chip, cool, tech)  # DESIGN.md §7.7 (planner.model.existing)
    open_sy = [(s, y) for s in S for y in Y if y >= first_open_year(ex, s, site[s]["first_year"])]
    hall_scy = [
        (s, c, y)
        for s in S
        for c in C
        for y in Y
        if y >= site[s]["first_year"] and y >= cool[c]["first_year"] and site[s]["max_it_mw"] >= hb
    ]
    hall_by_sc = defaultdict(list)
    for s, c, y in hall_scy:
        hall_by_sc[s, c].append(y)
    hallsvc = _windows(hall_by_sc, Y, lambda k: cool[k[1]]["lifetime_years"])
    for k in sorted(ex.hall_mw):  # existing halls in service: a key even without a block built
        hallsvc.setdefault(k, [])
    svc_years = defaultdict(list)  # (s, c) -> sorted years with a hall in service
    for s, c, y in hallsvc:
        svc_years[s, c].append(y)

    # --- chips
    fits = [(g, c) for g in G for c in C if chip[g]["rack_kw"] <= cool[c]["max_rack_kw"]]
    buy = []
    for sy in svc_years.values():
        sy.sort()
    for s in S:
        for g, c in fits:
            L = int(chip[g]["lifetime_years"])
            first = max(y0, chip[g]["first_year"])
            last = cfg.end_year if _nan(chip[g]["last_year"]) else min(cfg.end_year, chip[g]["last_year"])
            for y in range(int(first), int(last) + 1):
                # a unit that retires before any hall of c is in service at s is never active
                sy = svc_years.get((s, c))
                if sy:
                    i = bisect_right(sy, y - 1)
                    if i < len(sy) and sy[i] < min(y + L, cfg.end_year + 1):
                        buy.append((s, g, c, y))
    buy_by = defaultdict(list)
    for s, g, c, y in buy:
        buy_by[s, g, c].append(y)
    installed = _windows(buy_by, Y, lambda k: chip[k[1]]["lifetime_years"])
    for k in sorted(ex.units):  # existing units in service
        installed.setdefault(k, [])
    active = [(s, g, c, y) for (s, g, c, y) in installed if (s, c, y) in hallsvc]
    tp = T["throughput.csv"]
    tps = {
        (r["model"], r["chip"]): r["tokens_per_s_per_chip"]
        for r in tp.to_dict("records")
        if r["tokens_per_s_per_chip"] > 0 and r["chip"] in chip and r["model"] in Mset
    }
    tiered = tier_data(scn, chip, Mset)  # None without tiers (DESIGN.md §7.9)
    if tiered is not None:
        M, tps = tiered.products, tiered.throughput
    models_of_chip = defaultdict(list)
    for m, g in sorted(tps):
        models_of_chip[g].append(m)
    active_sgy = sorted({(s, g, y) for s, g, c, y in active})

    # --- serving
    dem = T["demand.csv"]
    demand = {}
    maxlat = {}
    for r in dem.to_dict("records"):
        if r["tokens_per_year"] > 0:
            k = (r["region"], r["model"], int(r["year"]))
            demand[k] = r["tokens_per_year"] / TOK
            maxlat[k] = r["max_latency_ms"]
    if tiered is not None:
        demand, maxlat = tiered.demand, tiered.max_latency
    lat = T["latency.csv"]
    sites_of_region = defaultdict(list)
    net_cost = {}
    for r in lat.to_dict("records"):
        sites_of_region[r["region"]].append((r["site"], r["latency_ms"]))
        net_cost[r["region"], r["site"]] = r["network_cost_usd_per_mtok"]  # USD/Mtok == MUSD/Ttok
    can_make = {(s, m, y) for s, g, y in active_sgy for m in models_of_chip.get(g, [])}
    serve = []
    for (r, m, y), _ in sorted(demand.items()):
        lim = maxlat[r, m, y]
        for s, ms in sorted(sites_of_region.get(r, [])):
            if (_nan(lim) or ms <= lim) and (s, m, y) in can_make:
                serve.append((r, s, m, y))
    serve_smy = {(s, m, y) for r, s, m, y in serve}
    tok = [(s, g, m, y) for s, g, y in active_sgy for m in models_of_chip.get(g, []) if (s, m, y) in serve_smy]
    u = cfg.max_utilization
    tok_coef = {
        (s, g, m, y): TOK / (tps[m, g] * chip[g]["chips_per_unit"] * SECONDS_PER_YEAR * u) for s, g, m, y in tok
    }

    # --- energy
    sp = T["site_power.csv"]
    pairs = [(r["site"], r["tech"]) for r in sp.to_dict("records")]
    max_mw = {(r["site"], r["tech"]): r["max_mw"] for r in sp.to_dict("records") if not _nan(r["max_mw"])}
    new = []
    for s, k in sorted(pairs):
        t = tech[k]
        first = max(y0 + int(t["lead_time_years"]), int(t["first_year"]))
        if (s, k) in max_mw and max_mw[s, k] <= 0:
            continue
        if t["unit_mw"] > 0 and (s, k) in max_mw and max_mw[s, k] < t["unit_mw"]:
            continue
        new += [(s, k, y) for y in Y if y >= first]
    new_by = defaultdict(list)
    for s, k, y in new:
        new_by[s, k].append(y)
    cap = _windows(new_by, Y, lambda k: tech[k[1]]["lifetime_years"])
    for k in sorted(ex.power_mw):  # existing power capacity in service
        cap.setdefault(k, [])
    pr = T["profiles.csv"]
    cf = {
        (r["site"], r["tech"], r["slice"]): r["capacity_factor"]
        for r in pr.to_dict("records")
        if r["capacity_factor"] > 0 and r["tech"] in tech and tech[r["tech"]]["kind"] == "variable"
    }
    load_s = {s for s, g, c, y in active}
    load_sy = sorted({(s, y) for s, g, c, y in active})
    load_set = set(load_sy)
    gen, stor = [], []
    for s, k, y in sorted(cap):
        if (s, y) not in load_set:
            continue
        kind = tech[k]["kind"]
        for h in H:
            if kind == "dispatchable" or (kind == "variable" and cf.get((s, k, h), 0) > 0):
                gen.append((s, k, y, h))
            elif kind == "storage":
                stor.append((s, k, y, h))
    grid = [
        (s, y, h)
        for s, y in load_sy
        if y >= site[s]["grid_first_year"] and (_nan(site[s]["grid_cap_mw"]) or site[s]["grid_cap_mw"] > 0)
        for h in H
    ]
    del load_s

    cp = {y: (cfg.year_value(cfg.carbon_price, y) or 0.0) for y in Y}
    cc = {y: cfg.year_value(cfg.carbon_cap, y) for y in Y} if cfg.carbon_cap else {}
    max_units = {}
    for g in G:
        mu = chip[g]["max_units_per_year"]
        if not _nan(mu):
            for y in Y:
                max_units[g, y] = mu
    if "chip_supply.csv" in T:  # DESIGN.md §7.7: per-year supply replaces max_units_per_year
        max_units = supply_table(cfg, T)
    return ModelData(
        years=Y,
        start_year=y0,
        df={y: (1.0 + rho) ** (-(y - y0)) for y in Y},
        rate=rho,
        hall_mw=hb,
        load_factor=cfg.load_factor,
        regions=R,
        sites=S,
        models=M,
        chips=G,
        coolings=C,
        techs=K,
        slices=H,
        site=site,
        chip=chip,
        cool=cool,
        tech=tech,
        weight=weight,
        duration=duration,
        price_mult=mult,
        prev_slice=prev,
        site_life=int(cfg.site_lifetime_years),
        carbon_price=cp,
        carbon_cap=cc,
        unserved_penalty=cfg.unserved_penalty_usd_per_mtok,  # USD/Mtok == MUSD/Ttok
        open_sy=open_sy,
        hall_scy=hall_scy,
        hallsvc_scy=hallsvc,
        buy_sgcy=buy,
        installed_sgcy=installed,
        active_sgcy=active,
        tok_sgmy=tok,
        tok_coef=tok_coef,
        serve_rsmy=serve,
        net_cost=net_cost,
        demand_rmy=demand,
        new_sky=new,
        cap_sky=cap,
        max_mw=max_mw,
        gen_skyh=gen,
        cf=cf,
        stor_skyh=stor,
        grid_syh=grid,
        load_sy=load_sy,
        max_units=max_units,
        **cfe_inputs(cfg, Y, site),
        **sovereignty_inputs(T, demand, _demand_product(scn, tiered)),
        identical_sites=[
            g2 for g2 in ([s for s in g if s not in ex.sites] for g in _identical_sites(S, site, T)) if len(g2) > 1
        ],
        limits={k: {y: cfg.year_value(t, y) for y in Y} for k, t in cfg.limits.items()},
        objective=cfg.objective,
        existing=ex,
        value_mtok=_values(T, tiered),
        **resource_inputs(scn),  # DESIGN.md §7.1 / §7.4
        **(tiered.fields() if tiered is not None else {}),
    )


def _demand_product(scn, tiered):
    """demand.csv row (a dict) -> the model key of the program: the model, or with service
    tiers (DESIGN.md §7.9) the product of the model and the row's tier (blank: the default)."""
    if tiered is None:
        return None
    from ..io.tiers import default_tier, product

    default = default_tier(scn.config, scn.tables)

    def key(row: dict) -> str:
        t = row.get("tier")
        return product(row["model"], t if isinstance(t, str) and t else default)

    return key


def _values(T: dict, tiered) -> dict:
    """Model key -> value_usd_per_mtok (DESIGN.md §7.6); with tiers, per product: the model's
    value times its tier's ``value_mult`` (§7.9)."""
    value = {r["model"]: float(r.get("value_usd_per_mtok", 0.0) or 0.0) for r in T["models.csv"].to_dict("records")}
    if tiered is None:
        return value
    return {p: value.get(mm, 0.0) * tiered.value_mult.get(t, 1.0) for p, (mm, t) in tiered.product_of.items()}


# columns of sites.csv the program never reads (labels and map position)
_DESCRIPTIVE = {"site", "name", "lat", "lon", "source", "_row"}


def _identical_sites(S: list[str], site: dict, T: dict) -> list[list[str]]:
    """Groups (2 or more, names sorted) of sites whose every input to the program is the
    same: their sites.csv row apart from name, position and source, their site_power.csv
    rows, their profiles.csv rows and their latency.csv rows. Any plan can swap two such
    sites without changing its cost, which the symmetry-breaking rows of
    :mod:`planner.model.tightening` use."""

    def clean(v):
        return None if _nan(v) else v

    def rows_of(name: str, drop: tuple[str, ...]) -> dict:
        out = defaultdict(list)
        df = T[name]
        cols = [c for c in df.columns if c not in drop]
        for r in df.to_dict("records"):
            out[r["site"]].append(tuple(clean(r[c]) for c in cols))
        return out

    power = rows_of("site_power.csv", ("site", "source", "_row"))
    prof = rows_of("profiles.csv", ("site", "source", "_row"))
    lat = rows_of("latency.csv", ("site", "source", "_row"))
    groups = defaultdict(list)
    for s in S:
        row = tuple(sorted((k, clean(v)) for k, v in site[s].items() if k not in _DESCRIPTIVE))
        key = (row, tuple(sorted(power.get(s, []))), tuple(sorted(prof.get(s, []))), tuple(sorted(lat.get(s, []))))
        groups[repr(key)].append(s)
    return [sorted(g) for g in groups.values() if len(g) > 1]
