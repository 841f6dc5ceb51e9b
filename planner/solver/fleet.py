"""What the existing fleet (DESIGN.md §7.7) does in a solved plan, for summary.json: the
existing halls, units and power in service, and existing units left idle ("retired
early"), with the reason they are idle (:func:`idle_reason`)."""

from __future__ import annotations

import pyomo.environ as pyo


def fleet_summary(m, d) -> dict:
    """summary.json key ``existing`` (absent without existing.csv): ``halls_mw``,
    ``units`` and ``power_mw`` in service in the first year (MW IT, units, MW), and
    ``retired_early``: one record per (site, chip, cooling, year) where fewer units are
    powered on than the existing units in service plus the units bought, so that at least
    ``idle_existing`` = existing + bought − active (at most the existing) existing units are
    idle: ``existing``, ``active``, ``idle_existing`` and ``reason`` (a key of
    planner.reporting.fleet.REASONS)."""
    ex = d.existing
    if not ex:
        return {}
    y0 = d.years[0]
    out = {
        "halls_mw": sum(mw for (_s, _c, y), mw in ex.hall_mw.items() if y == y0),
        "units": sum(n for (_s, _g, _c, y), n in ex.units.items() if y == y0),
        "power_mw": sum(mw for (_s, _k, y), mw in ex.power_mw.items() if y == y0),
        "retired_early": [],
    }
    for (s, g, c, y), n in sorted(ex.units.items()):
        key = (s, g, c, y)
        act = float(pyo.value(m.active_units[key])) if key in m.ACTIVE_SGCY else 0.0
        bought = float(pyo.value(m.installed[key])) if key in m.INST_SGCY else 0.0
        idle = min(n, n + bought - act)
        if idle > 0.5:
            out["retired_early"].append(
                {
                    "site": s,
                    "chip": g,
                    "cooling": c,
                    "year": y,
                    "existing": n,
                    "active": act,
                    "idle_existing": idle,
                    "reason": idle_reason(m, d, s, c, y, g),
                }
            )
    return {"existing": out}


def idle_reason(m, d, s: str, c: str, y: int, g: str | None = None) -> str:
    """Why existing units in the (site s, cooling c, year y) halls are left idle, the first
    that holds of: ``no_demand`` (no (region, site, model, year) serving pair: no latency.csv
    row within a demand's max latency), ``no_throughput`` (chip g makes no model served from
    s: no throughput.csv row), ``no_halls`` (no existing c halls and no new hall
    block can be in service in y), ``no_power`` (no
    grid and no onsite generation or storage key at s in y), ``power_bound`` (no grid at s in y
    and no new onsite power can be in service there: the existing power caps what runs),
    ``halls_full`` (the existing c
    halls are full and no new block can be in service in y), ``halls_cost`` (the c halls are
    full and the plan does not build more for them), else ``cost`` (the plan finds running
    newer chips cheaper). The report words them (planner.reporting.fleet.REASONS)."""
    if not any(ss == s and yy == y for (_r, ss, _m, yy) in d.serve_rsmy):
        return "no_demand"
    if g is not None and not any(ss == s and gg == g and yy == y for (ss, gg, _m, yy) in d.tok_sgmy):
        return "no_throughput"
    buildable = bool(d.hallsvc_scy.get((s, c, y)))
    cap = d.existing.hall_mw.get((s, c, y), 0.0)
    if not buildable and cap <= 1e-9:
        return "no_halls"
    if buildable:
        cap += float(pyo.value(m.hall_in_service[s, c, y])) * d.hall_mw
    used = sum(
        float(pyo.value(m.active_units[k])) * d.chip[k[1]]["it_kw_per_unit"] / 1000.0
        for k in d.active_sgcy
        if k[0] == s and k[2] == c and k[3] == y
    )
    full = used >= cap - 1e-6
    has_power = any(ss == s and yy == y for (ss, yy, _h) in d.grid_syh) or any(
        ss == s and yy == y for (ss, _k, yy, _h) in list(d.gen_skyh) + list(d.stor_skyh)
    )
    if not has_power:
        return "no_power"
    grid = any(ss == s and yy == y for (ss, yy, _h) in d.grid_syh)
    can_build = any(ss == s and yy == y and keys for (ss, _k, yy), keys in d.cap_sky.items())
    if not grid and not can_build and _existing_power_full(m, d, s, y):
        return "power_bound"
    if full:
        return "halls_cost" if buildable else "halls_full"
    return "cost"


def _existing_power_full(m, d, s: str, y: int) -> bool:
    """Whether the average facility draw at site s in year y (load_factor × MW IT active ×
    (PUE + pue_adder), MW) reaches the firm existing power there (MW × availability of its
    dispatchable techs); True when any existing variable or storage tech is present (their
    output varies by slice, so the draw is taken as capped by them)."""
    firm = 0.0
    for (ss, k, yy), mw in d.existing.power_mw.items():
        if ss != s or yy != y:
            continue
        if d.tech[k]["kind"] != "dispatchable":
            return True
        a = d.tech[k]["availability"]
        firm += mw * (1.0 if a is None or a != a else float(a))
    draw = sum(
        d.load_factor
        * float(pyo.value(m.active_units[k]))
        * d.chip[k[1]]["it_kw_per_unit"]
        / 1000.0
        * (d.cool[k[2]]["pue"] + d.site[s]["pue_adder"])
        for k in d.active_sgcy
        if k[0] == s and k[3] == y
    )
    return draw >= firm * (1 - 1e-6) - 1e-6
