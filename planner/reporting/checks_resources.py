"""Invariant checks of DESIGN.md §7.1 (labour), §7.2 (water) and §7.4 (embodied carbon),
re-derived from the written tables and the scenario's inputs, independently of the model.
Hooked into :mod:`planner.reporting.checks`:

- ``labour``: construction worker-years and operations workers of labour.csv recomputed from
  investment_schedule.csv (what enters service each year, and what is still in service) and
  labour.csv's figures; constraint (12) need ≤ available + extra; extra workers only where a
  premium is given;
- ``water``: cooling_ml recomputed from capacity.csv (active units × kW × 8.76 × load_factor ×
  WUE × wue_mult), generation_ml at least the water of energy.csv's delivered MWh, total =
  cooling + generation, and (13) total ≤ cap;
- ``emissions``: embodied CO2 per source recomputed from investment_schedule.csv; grid and
  onsite CO2 equal energy.csv's; under ``lifecycle`` operational + embodied CO2 ≤ the carbon cap.

:func:`add_costs` adds the ``labour_premium``, ``water`` and ``embodied_carbon`` components to
the objective recomputation.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pandas as pd

from ..io.validate_resources import site_pools

TOL = 1e-6


def _num(x, blank: float = 0.0) -> float:
    return blank if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(abs(a), abs(b), 1.0)


def _supply(ctx) -> dict:
    sup = ctx.scn.tables.get("labour_supply.csv")
    out = {}
    if sup is None:
        return out
    for r in sup.to_dict("records"):
        y = int(r["year"])
        if ctx.years[0] <= y <= ctx.years[-1]:
            out[r["pool"], r["trade"], y] = (float(r["worker_years"]), r["premium_usd_per_worker_year"])
    return out


def _embodied(ctx) -> dict[tuple[int, str], float]:
    _buys, _halls, _plants = ctx.builds
    out: dict = defaultdict(float)
    for (_s, g, _c), by in _buys(ctx).items():
        for b, n in by.items():
            out[b, "embodied_chips"] += n * _num(ctx.chip[g].get("embodied_co2_t_per_unit"))
    for (_s, c), by in _halls(ctx).items():
        for b, mw in by.items():
            out[b, "embodied_halls"] += mw * _num(ctx.cool[c].get("embodied_co2_t_per_mw_it"))
    for (_s, k), by in _plants(ctx).items():
        for b, mw in by.items():
            out[b, "embodied_power"] += mw * _num(ctx.tech[k].get("embodied_co2_t_per_mw"))
    return out


def add_costs(ctx, cost: dict, builds) -> None:
    """Add the §7 cost components (undiscounted USD per (year, component)) to ``cost``.
    ``builds`` is ``(buys, halls, plants)``: the functions of :mod:`planner.reporting.checks`
    that read what investment_schedule.csv builds (passed in, so that this module does not
    import that one)."""
    ctx.builds = builds
    lab = ctx.t.get("labour")
    if lab is not None and len(lab):
        sup = _supply(ctx)
        for r in lab.itertuples():
            prem = sup.get((r.pool, r.trade, int(r.year)), (0, None))[1]
            if r.extra_workers and not pd.isna(prem):
                cost[int(r.year), "labour_premium"] += float(r.extra_workers) * float(prem)
    w = ctx.t.get("water")
    if w is not None and len(w):
        for r in w.itertuples():
            price = _num(ctx.site[r.site].get("water_price_usd_per_ml"))
            if price:
                cost[int(r.year), "water"] += float(r.total_ml) * price
    if getattr(ctx.cfg, "carbon_scope", "operational") == "lifecycle":
        for (y, _src), t in _embodied(ctx).items():
            if ctx.cp.get(y):
                cost[y, "embodied_carbon"] += t * ctx.cp[y]


def check_resources(ctx, builds) -> list[str]:
    """Every failure of the three families above (empty when all hold); ``builds`` as for
    :func:`add_costs`."""
    ctx.builds = builds
    return _check_labour(ctx) + _check_water(ctx) + _check_emissions(ctx)


def _check_labour(ctx) -> list[str]:
    _buys, _halls, _plants = ctx.builds
    lab = ctx.t.get("labour")
    if lab is None:
        return []
    T = ctx.scn.tables
    bw, ow = defaultdict(list), defaultdict(list)
    lt = T.get("labour.csv")
    for r in lt.to_dict("records") if lt is not None else []:
        if _num(r["build_worker_years_per_mw"]):
            bw[r["asset"]].append((r["trade"], float(r["build_worker_years_per_mw"])))
        if _num(r["ops_workers_per_mw"]):
            ow[r["asset"]].append((r["trade"], float(r["ops_workers_per_mw"])))
    pool = site_pools(T["sites.csv"])
    build, ops = defaultdict(float), defaultdict(float)

    def count(s, asset, b, q, life):
        for t, f in bw.get(asset, ()):
            build[pool[s], t, b] += q * f
        for t, f in ow.get(asset, ()):
            for y in ctx.years:
                if b <= y <= b + life - 1:
                    ops[pool[s], t, y] += q * f

    for (s, c), by in _halls(ctx).items():
        for b, mw in by.items():
            count(s, c, b, mw, int(ctx.cool[c]["lifetime_years"]))
    for (s, k), by in _plants(ctx).items():
        for b, mw in by.items():
            count(s, k, b, mw, int(ctx.tech[k]["lifetime_years"]))
    for (s, g, _c), by in _buys(ctx).items():
        for b, n in by.items():
            count(s, g, b, n * ctx.chip[g]["it_kw_per_unit"] / 1000.0, 1)
    ex = T.get("existing.csv")  # DESIGN.md §7.7: existing halls' and plants' staff count, no construction
    for r in ex.to_dict("records") if ex is not None else []:
        a, s = r["asset"], r["site"]
        spec = ctx.cool.get(a) or ctx.tech.get(a)
        if spec is None:
            continue  # a chip: its operations staff are the halls'
        for t, f in ow.get(a, ()):
            for y in ctx.years:
                if int(r["build_year"]) <= y <= int(r["build_year"]) + int(spec["lifetime_years"]) - 1:
                    ops[pool[s], t, y] += float(r["quantity"]) * f
    sup = _supply(ctx)
    out = []
    table = {(r.pool, r.trade, int(r.year)): r for r in lab.itertuples()}
    for key in sorted(set(table) | {k for k, v in build.items() if v > TOL} | {k for k, v in ops.items() if v > TOL}):
        p, t, y = key
        r = table.get(key)
        got_b = float(r.construction_worker_years) if r is not None else 0.0
        got_o = float(r.operations_workers) if r is not None else 0.0
        if not _close(got_b, build.get(key, 0.0)) or not _close(got_o, ops.get(key, 0.0)):
            out.append(
                f"labour: pool {p}, trade {t}, {y}: labour.csv gives {got_b:.9g} construction worker-years and "
                f"{got_o:.9g} operations workers, the investment schedule gives {build.get(key, 0.0):.9g} and "
                f"{ops.get(key, 0.0):.9g}"
            )
        ext = float(r.extra_workers) if r is not None else 0.0
        if key in sup:
            avail, prem = sup[key]
            need = build.get(key, 0.0) + ops.get(key, 0.0)
            if need > avail + ext + TOL * max(need, 1.0):
                out.append(
                    f"labour: pool {p}, trade {t}, {y} needs {need:.9g} worker-years, more than {avail:.9g} + {ext:.9g} extra"
                )
            if ext > TOL and pd.isna(prem):
                out.append(f"labour: pool {p}, trade {t}, {y} hires {ext:.9g} extra workers under a hard limit")
        elif ext > TOL:
            out.append(
                f"labour: pool {p}, trade {t}, {y} hires {ext:.9g} extra workers without a labour_supply.csv row"
            )
    return out


def _check_water(ctx) -> list[str]:
    w = ctx.t.get("water")
    if w is None:
        return []
    lf = ctx.cfg.load_factor
    cool, gen = defaultdict(float), defaultdict(float)
    for r in ctx.t["capacity"].itertuples():
        wue = _num(ctx.cool[r.cooling]["wue_l_per_kwh"]) * _num(ctx.site[r.site].get("wue_mult"), 1.0)
        cool[r.site, int(r.year)] += 8.76 * lf * r.units_active * ctx.chip[r.chip]["it_kw_per_unit"] / 1000.0 * wue
    for r in ctx.t["energy"].itertuples():
        if r.tech != "grid" and ctx.tech[r.tech]["kind"] != "storage":
            gen[r.site, int(r.year)] += r.energy_mwh * _num(ctx.tech[r.tech].get("water_l_per_mwh")) / 1e6
    out = []
    table = {(r.site, int(r.year)): r for r in w.itertuples()}
    for key in sorted(set(table) | {k for k, v in cool.items() if v > TOL} | {k for k, v in gen.items() if v > TOL}):
        s, y = key
        r = table.get(key)
        c = float(r.cooling_ml) if r is not None else 0.0
        g = float(r.generation_ml) if r is not None else 0.0
        tot = float(r.total_ml) if r is not None else 0.0
        if not _close(c, cool.get(key, 0.0)):
            out.append(f"water: {s} in {y}: water.csv cooling_ml {c:.9g}, capacity.csv gives {cool.get(key, 0.0):.9g}")
        if g < gen.get(key, 0.0) - TOL * max(g, 1.0):
            out.append(
                f"water: {s} in {y}: water.csv generation_ml {g:.9g}, below the {gen.get(key, 0.0):.9g} ML of energy.csv"
            )
        if not _close(tot, c + g):
            out.append(f"water: {s} in {y}: total_ml {tot:.9g} is not cooling + generation {c + g:.9g}")
        cap = _num(ctx.site[s].get("water_cap_ml_per_yr"), math.nan)
        if not math.isnan(cap) and tot > cap + TOL * max(cap, 1.0):
            out.append(f"water: {s} in {y} uses {tot:.9g} ML, above its cap {cap:.9g} ML (13)")
    return out


def _check_emissions(ctx) -> list[str]:
    e = ctx.t.get("emissions")
    if e is None or not len(e):
        return []
    got = {(int(r.year), r.source): float(r.co2_t) for r in e.itertuples()}
    want = defaultdict(float, _embodied(ctx))
    for r in ctx.t["energy"].itertuples():
        want[int(r.year), "grid" if r.tech == "grid" else "onsite"] += float(r.co2_t)
    out = []
    for key in sorted(set(got) | {k for k, v in want.items() if v > TOL}):
        if not _close(got.get(key, 0.0), want.get(key, 0.0)):
            out.append(
                f"emissions: {key[1]} in {key[0]}: emissions.csv says {got.get(key, 0.0):.9g} t, "
                f"the tables give {want.get(key, 0.0):.9g} t"
            )
    if getattr(ctx.cfg, "carbon_scope", "operational") == "lifecycle" and ctx.cfg.carbon_cap:
        tot = defaultdict(float)
        for (y, _src), t in got.items():
            tot[y] += t
        for y in ctx.years:
            cap = ctx.cfg.year_value(ctx.cfg.carbon_cap, y)
            if cap is not None and tot[y] > cap + TOL * max(cap, 1.0):
                out.append(f"emissions: lifecycle CO2 of {y} is {tot[y]:.9g} t, above the carbon cap {cap:.9g} t (11)")
    return out
