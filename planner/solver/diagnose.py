"""Explain an infeasible program: which hard limits have to move, where, and by how much.

The demand balance has an unserved slack, so only hard limits can make the program
infeasible. :func:`diagnose` relaxes each family of hard limits with a penalised slack

- ``carbon_cap_t`` per year (t CO2),
- chip supply ``max_units_per_year`` per chip and year (units),
- ``max_mw`` per site, power tech and year (MW),
- ``grid_cap_mw`` per site and year (MW),
- ``max_it_mw`` per site and year (MW IT),

re-solves minimising the slacks (each measured relative to its limit, so families weigh
alike), and returns one sentence per limit that had to move. The model passed in is
modified (it is infeasible and about to be discarded).
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from .limit_diagnose import WHAT as LIMIT_WHAT
from .limit_diagnose import relax_limits

TOL = 1e-6


def _fmt(x: float) -> str:
    return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.0f}"


def diagnose(m: pyo.ConcreteModel, d, settings: dict | None = None, max_lines: int = 20) -> list[str]:
    """Relax the hard limits of ``m`` (built from ``d``), re-solve, and describe the limits
    that had to move. Returns sentences (empty only if the relaxed program cannot be solved
    either, in which case one sentence says so)."""
    from .highs import solve_model

    st = {"time_limit_s": 60.0, "mip_rel_gap": 1e-4, "threads": 1, "seed": 1}
    st.update(settings or {})
    slacks: dict[str, tuple] = {}  # family -> (Var, {index: (limit, unit, what)})

    for obj in m.component_objects(pyo.Objective, active=True):
        obj.deactivate()

    def relax(name, con, index_set, limit_of, unit, what, body_of):
        if con is None or len(index_set) == 0:
            return
        s = pyo.Var(index_set, within=pyo.NonNegativeReals)
        m.add_component(f"_slack_{name}", s)
        info = {}
        for idx in index_set:
            info[idx] = (limit_of(idx), unit, what(idx))
        m.add_component(
            f"_relaxed_{name}",
            pyo.Constraint(index_set, rule=lambda m, *idx: body_of(*idx) <= limit_of(_key(idx)) + s[_key(idx)]),
        )
        slacks[name] = (s, info)

    def _key(idx):
        return idx[0] if len(idx) == 1 else tuple(idx)

    # carbon cap per year: co2_kt[y] <= cap[y] / 1e3 (kt)
    if hasattr(m, "carbon_cap") and len(m.CAPYEARS):
        m.carbon_cap.deactivate()
        relax(
            "carbon",
            m.carbon_cap,
            m.CAPYEARS,
            lambda y: d.carbon_cap[y] / 1e3,
            "kt",
            lambda y: ("carbon_cap_t", y, None),
            lambda y: m.co2_kt[y],
        )
    # chip supply per chip-year
    if hasattr(m, "chip_supply") and len(m.SUPPLY_GY):
        m.chip_supply.deactivate()
        buy_by = defaultdict(list)
        for s, g, c, y in d.buy_sgcy:
            buy_by[g, y].append((s, c))
        relax(
            "chips",
            m.chip_supply,
            m.SUPPLY_GY,
            lambda k: d.max_units[k],
            "units",
            lambda k: ("max_units_per_year", k[1], k[0]),
            lambda g, y: pyo.quicksum(m.buy[s, g, c, y] for s, c in buy_by[g, y]),
        )
    # max_mw per site-tech-year (and the matching bounds on new capacity)
    if hasattr(m, "max_capacity") and len(m.CAPPED_SKY):
        m.max_capacity.deactivate()
        for v in m.new.values():
            v.setub(None)
        relax(
            "max_mw",
            m.max_capacity,
            m.CAPPED_SKY,
            lambda k: d.max_mw[k[0], k[1]],
            "MW",
            lambda k: ("max_mw", k[2], (k[0], k[1])),
            lambda s, k, y: m.capacity[s, k, y],
        )
    # grid cap per site-year: grid[s,y,h] <= cap + slack[s,y]
    capped_grid = [
        (s, y, h) for s, y, h in d.grid_syh if d.site[s]["grid_cap_mw"] == d.site[s]["grid_cap_mw"]
    ]  # not NaN
    if capped_grid:
        sy = sorted({(s, y) for s, y, _h in capped_grid})
        m._GRIDCAP_SY = pyo.Set(initialize=sy, dimen=2, ordered=True)
        m._slack_grid = pyo.Var(m._GRIDCAP_SY, within=pyo.NonNegativeReals)
        for s, y, h in capped_grid:
            m.grid[s, y, h].setub(None)
        m._GRIDCAP_SYH = pyo.Set(initialize=capped_grid, dimen=3, ordered=True)
        m._relaxed_grid = pyo.Constraint(
            m._GRIDCAP_SYH,
            rule=lambda m, s, y, h: m.grid[s, y, h] <= d.site[s]["grid_cap_mw"] + m._slack_grid[s, y],
        )
        slacks["grid"] = (
            m._slack_grid,
            {(s, y): (d.site[s]["grid_cap_mw"], "MW", ("grid_cap_mw", y, s)) for s, y in sy},
        )
    # grid before grid_first_year: no variable exists, nothing to relax (reported by validation)
    # max_it_mw per site-year (and the hall/buy bounds derived from it)
    if hasattr(m, "site_capacity"):
        idx = [k for k in m.site_capacity]
        if idx:
            m.site_capacity.deactivate()
            for v in m.hall.values():
                v.setub(None)
            for v in m.buy.values():
                v.setub(None)
            svc = defaultdict(list)
            for s, c, y in d.hallsvc_scy:
                svc[s, y].append(c)
            m._SITECAP_SY = pyo.Set(initialize=sorted(idx), dimen=2, ordered=True)
            m._slack_site = pyo.Var(m._SITECAP_SY, within=pyo.NonNegativeReals)
            m._relaxed_site = pyo.Constraint(
                m._SITECAP_SY,
                rule=lambda m, s, y: (
                    d.hall_mw * pyo.quicksum(m.hall_in_service[s, c, y] for c in svc[s, y])
                    <= d.site[s]["max_it_mw"] * m._open_of(s, y) + m._slack_site[s, y]
                ),
            )
            slacks["site"] = (
                m._slack_site,
                {(s, y): (d.site[s]["max_it_mw"], "MW IT", ("max_it_mw", y, s)) for s, y in idx},
            )

    relax_limits(m, d, relax)  # DESIGN.md §7.6 limits
    if not slacks:
        return [
            "No hard limit (carbon cap, chip supply, max_mw, grid or site capacity) is set, so the infeasibility "
            "cannot be traced to one; this is a bug, please report it with the scenario."
        ]
    terms = []
    for s, info in slacks.values():
        for k, (limit, _u, _w) in info.items():
            terms.append(s[k] / max(abs(limit), 1.0))
    m._diagnosis_objective = pyo.Objective(expr=pyo.quicksum(terms), sense=pyo.minimize)
    res = solve_model(
        m,
        time_limit=float(st["time_limit_s"]),
        mip_gap=float(st["mip_rel_gap"]),
        threads=int(st["threads"]),
        seed=int(st["seed"]),
        heuristic=False,
    )
    if not res.has_solution:
        return [
            "Relaxing every hard limit (carbon cap, chip supply, max_mw, grid and site capacity) still gives no plan "
            f"(HiGHS status: {res.status}), so the cause is elsewhere; this is likely a bug, please report it."
        ]
    # group: (family label, item) -> {year: (excess, limit, unit)}
    scale = {"kt": 1e3, "MUSD": 1e6}  # report carbon in t, money in USD
    groups: dict[tuple, dict[int, tuple]] = defaultdict(dict)
    for fam, (s, info) in slacks.items():
        for k, (limit, unit, (label, year, item)) in info.items():
            v = pyo.value(s[k], exception=False) or 0.0
            if v > TOL * max(abs(limit), 1.0):
                f = scale.get(unit, 1.0)
                groups[fam, label, item][year] = (v * f, limit * f, {"kt": "t CO2", "MUSD": "USD"}.get(unit, unit))
    if not groups:
        return [
            "The program with relaxed hard limits is feasible without moving any of them, so HiGHS's verdict is "
            "numerical; try again with another --seed or a looser --mip-gap."
        ]
    lines = []
    for (fam, _label, item), by in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][2]), kv[0][1])):
        ys = sorted(by)
        unit = by[ys[0]][2]
        amounts = ", ".join(f"by {_fmt(by[y][0])} {unit} in {y} (limit {_fmt(by[y][1])})" for y in ys)
        if fam == "carbon":
            what = "carbon cap (carbon_cap_t in scenario.toml)"
        elif fam == "chips":
            what = f"chip supply of {item} (max_units_per_year in chips.csv)"
        elif fam == "max_mw":
            what = f"max_mw of {item[1]} at site {item[0]} (site_power.csv)"
        elif fam in LIMIT_WHAT:
            what = LIMIT_WHAT[fam]
        elif fam == "grid":
            what = f"grid capacity of site {item} (grid_cap_mw in sites.csv)"
        else:
            what = f"IT capacity of site {item} (max_it_mw in sites.csv)"
        lines.append(f"The {what} has to rise: {amounts}.")
    if len(lines) > max_lines:
        extra = len(lines) - max_lines
        lines = lines[:max_lines] + [f"… and {extra} more limits."]
    return lines
