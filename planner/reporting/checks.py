"""Invariant checks of a solved plan, run after every solve and by the tests.

Each check recomputes something from the written tables and the scenario's inputs (catalog
prices, lifetimes, lead times, demand), independently of the Pyomo model, and compares:

- ``demand``: every demand row is served or reported unserved (1e-6 relative), and tokens
  only go where latency.csv allows;
- ``power``: in every site, year and slice supply meets the facility load (from the model's
  slice values when the plan still holds its model; from annual energy otherwise);
- ``chips``: no chip is active beyond its lifetime or before it can be bought, and the
  installed units are the purchases of the last ``lifetime_years``;
- ``build years``: no site, hall or power plant is built before its first year or lead time,
  nor a plant where site_power.csv does not allow it or above its ``max_mw``;
- ``objective``: the net present cost recomputed from the tables (investment_schedule,
  capacity, energy, serving, unserved) and the catalog prices equals the solver's objective
  and the sum of costs.csv, to 1e-6 relative.

A failure is a bug in the planner, never in the user's data: :func:`bug_report` turns the
failures into a report to print. Use :func:`check_plan` on a :class:`planner.api.Plan` or
:func:`check_results` on a results folder and its scenario.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from . import fleet_checks
from .checks_cfe import check_cfe_sovereignty
from .checks_resources import add_costs, check_resources  # DESIGN.md §7.1, §7.2, §7.4
from .limits_checks import as_npc, check_limits, penalty_rate

REL = 1e-6
_ITEM = re.compile(r"^(.*) \((.*)\)$")


def crf(rate: float, life: float) -> float:
    """Capital recovery factor, written out again here so the check does not share code with
    the model."""
    if rate == 0:
        return 1.0 / life
    return rate / (1.0 - (1.0 + rate) ** (-life))


def _close(a: float, b: float, scale: float, rel: float = REL) -> bool:
    return abs(a - b) <= rel * max(abs(scale), abs(a), abs(b), 1.0)


def _g(x: float) -> str:
    return f"{x:.9g}"


def check_plan(plan) -> list[str]:
    """Check a solved :class:`planner.api.Plan`; returns the failures (empty when all hold)."""
    objective = plan.result.objective * 1e6 if plan.result.objective is not None else None
    slices = None
    if plan.model is not None and plan.data is not None:
        slices = _slice_balance(plan.model, plan.data)
    return _check(plan.tables, plan.scenario, objective, slice_failures=slices)


def check_results(folder: str | Path, scenario=None) -> list[str]:
    """Check a results folder against its scenario (a :class:`planner.io.scenario.Scenario`, a
    folder, or None to load the scenario folder named in summary.json is not possible, so
    pass it). Returns the failures."""
    from ..io.results import RESOURCE_COLUMNS, read_results
    from ..io.scenario import Scenario, load_scenario

    tables, summary = read_results(Path(folder), optional=RESOURCE_COLUMNS)  # with the §7 tables
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return _check(tables, scn, summary.get("objective_usd"), slice_failures=None)


def bug_report(failures: list[str]) -> str:
    """The text to print when invariant checks fail (one failure per line)."""
    n = len(failures)
    head = (
        f"BUG: the plan failed {n} internal check{'s' if n != 1 else ''}. This is a fault in planner, "
        "not in your data; please report it with the scenario folder and this text."
    )
    return "\n".join([head, *(f"  - {f}" for f in failures)])


# --------------------------------------------------------------------------- the checks


def _check(tables, scn, objective_usd, slice_failures) -> list[str]:
    ctx = _Context(tables, scn)
    out: list[str] = []
    out += _check_demand(ctx)
    out += slice_failures if slice_failures is not None else _check_annual_energy(ctx)
    out += _check_chips(ctx)
    out += _check_builds(ctx)
    out += check_limits(ctx, recompute_costs)  # DESIGN.md §7.6
    objective_usd = as_npc(ctx, objective_usd, recompute_costs)
    out += _check_objective(ctx, objective_usd)
    out += check_cfe_sovereignty(ctx)  # §7.3 (14) and §7.5 (15)
    out += check_resources(ctx, (_buys, _halls, _plants))
    return out


class _Context:
    def __init__(self, tables, scn):
        self.t = {k: (v.copy() if v is not None else pd.DataFrame()) for k, v in tables.items()}
        self.scn = scn
        self.cfg = scn.config
        self.years = list(range(self.cfg.start_year, self.cfg.end_year + 1))
        T = scn.tables
        self.site = T["sites.csv"].set_index("site").to_dict("index")
        self.chip = T["chips.csv"].set_index("chip").to_dict("index")
        self.cool = T["cooling.csv"].set_index("cooling").to_dict("index")
        self.tech = T["power.csv"].set_index("tech").to_dict("index")
        sl = T["slices.csv"]
        self.weight = dict(zip(sl["slice"], sl["duration_h"] * sl["days_per_year"], strict=True))
        self.mult = dict(zip(sl["slice"], sl["grid_price_mult"], strict=True))
        self.rate = self.cfg.discount_rate
        self.df = {y: (1.0 + self.rate) ** (-(y - self.cfg.start_year)) for y in self.years}
        self.cp = {y: (self.cfg.year_value(self.cfg.carbon_price, y) or 0.0) for y in self.years}
        sched = self.t["investment_schedule"]
        self.sched = sched if len(sched) else pd.DataFrame(columns=["year", "site", "layer", "item", "quantity"])
        fleet_checks.attach(self)  # DESIGN.md §7.7: existing rows set aside, existing fleet in service


def _check_demand(ctx: _Context) -> list[str]:
    out = []
    d = ctx.scn.tables["demand.csv"]
    d = d[d["tokens_per_year"] > 0]
    serving = ctx.t["serving"]
    unserved = ctx.t["unserved"]
    if "tier" in serving.columns:  # service tiers (DESIGN.md §7.9): one demand row per (r, m, t, y)
        return _check_demand_tiers(ctx, d, serving, unserved)
    served = serving.groupby(["region", "model", "year"])["tokens"].sum().to_dict() if len(serving) else {}
    unsv = unserved.groupby(["region", "model", "year"])["tokens"].sum().to_dict() if len(unserved) else {}
    want = {(r.region, r.model, int(r.year)): r.tokens_per_year for r in d.itertuples()}
    for key in sorted(set(want) | set(served) | set(unsv), key=str):
        dem = want.get(key, 0.0)
        got = served.get(key, 0.0) + unsv.get(key, 0.0)
        if not _close(got, dem, dem):
            out.append(
                f"demand: region {key[0]}, model {key[1]}, {key[2]}: served {_g(served.get(key, 0.0))} + unserved "
                f"{_g(unsv.get(key, 0.0))} = {_g(got)} tokens, demand {_g(dem)}"
            )
    lat = ctx.scn.tables["latency.csv"]
    ms = dict(zip(zip(lat["region"], lat["site"], strict=True), lat["latency_ms"], strict=True))
    limit = {(r.region, r.model, int(r.year)): r.max_latency_ms for r in d.itertuples()}
    for r in serving.itertuples():
        lim = limit.get((r.region, r.model, int(r.year)), math.nan)
        pair = ms.get((r.region, r.site))
        if pair is None or (not math.isnan(lim) and pair > lim + 1e-9):
            out.append(
                f"demand: {_g(r.tokens)} tokens of {r.model} served to {r.region} from {r.site} in {r.year}, "
                f"which latency.csv does not allow (latency {pair} ms, limit {lim} ms)"
            )
    return out + _made_is_served(ctx, serving)


def _made_is_served(ctx: _Context, serving: pd.DataFrame) -> list[str]:
    """Tokens made at a site (capacity.csv) = tokens served from it (serving.csv), per year."""
    out = []
    cap = ctx.t["capacity"]
    made = cap.groupby(["site", "year"])["tokens_per_year"].sum().to_dict() if len(cap) else {}
    sent = serving.groupby(["site", "year"])["tokens"].sum().to_dict() if len(serving) else {}
    for key in sorted(set(made) | set(sent), key=str):
        if not _close(made.get(key, 0.0), sent.get(key, 0.0), max(made.get(key, 0.0), sent.get(key, 0.0))):
            out.append(
                f"demand: site {key[0]} in {key[1]} makes {_g(made.get(key, 0.0))} tokens but serves {_g(sent.get(key, 0.0))}"
            )
    return out


def _check_annual_energy(ctx: _Context) -> list[str]:
    """Annual form of the power balance (a results folder has no slice values): energy
    delivered at each site and year covers the facility load (capacity.csv and the catalog)
    over the slice hours."""
    out = []
    load: dict[tuple, float] = defaultdict(float)
    for r in ctx.t["capacity"].itertuples():
        it = r.units_active * ctx.chip[r.chip]["it_kw_per_unit"] / 1000.0
        if not _close(it, r.it_mw, it):
            out.append(
                f"power: capacity.csv it_mw of {r.chip} ({r.cooling}) at {r.site} in {r.year} is {_g(r.it_mw)} MW, units give {_g(it)} MW"
            )
        pue = ctx.cool[r.cooling]["pue"] + ctx.site[r.site]["pue_adder"]
        load[r.site, int(r.year)] += ctx.cfg.load_factor * it * pue
    hours = sum(ctx.weight.values())
    en = ctx.t["energy"]
    supply = en.groupby(["site", "year"])["energy_mwh"].sum().to_dict() if len(en) else {}
    for key, mw in sorted(load.items()):
        need = mw * hours
        got = supply.get(key, 0.0)
        if got < need - REL * max(need, 1.0):
            out.append(
                f"power: site {key[0]} in {key[1]} is supplied {_g(got)} MWh but its facility uses {_g(need)} MWh"
            )
    return out


def _slice_balance(m, d) -> list[str]:
    """Supply >= facility load in every (site, year, slice), from the model's values, with
    the load recomputed from active units and the catalog."""
    import pyomo.environ as pyo

    def v(x):
        val = pyo.value(x, exception=False)
        return 0.0 if val is None else float(val)

    out = []
    load: dict[tuple, float] = defaultdict(float)
    for s, g, c, y in d.active_sgcy:
        a = v(m.active_units[s, g, c, y])
        load[s, y] += (
            d.load_factor * a * d.chip[g]["it_kw_per_unit"] / 1000.0 * (d.cool[c]["pue"] + d.site[s]["pue_adder"])
        )
    supply: dict[tuple, float] = defaultdict(float)
    for s, k, y, h in d.gen_skyh:
        supply[s, y, h] += v(m.gen[s, k, y, h])
    for s, k, y, h in d.stor_skyh:
        supply[s, y, h] += v(m.discharge[s, k, y, h]) - v(m.charge[s, k, y, h])
    for s, y, h in d.grid_syh:
        supply[s, y, h] += v(m.grid[s, y, h])
    tol = 1e-6
    for (s, y), mw in sorted(load.items()):
        for h in d.slices:
            got = supply.get((s, y, h), 0.0)
            if got < mw - tol * max(mw, 1.0):
                out.append(f"power: site {s}, {y}, slice {h}: supply {_g(got)} MW < facility load {_g(mw)} MW")
    return out


def _buys(ctx: _Context) -> dict[tuple, dict[int, float]]:
    """(site, chip, cooling) -> {year bought: units} from investment_schedule.csv."""
    out: dict[tuple, dict[int, float]] = defaultdict(dict)
    for r in ctx.sched[ctx.sched["layer"] == "chips"].itertuples():
        mt = _ITEM.match(str(r.item))
        g, c = mt.group(1), mt.group(2)
        out[r.site, g, c][int(r.year)] = out[r.site, g, c].get(int(r.year), 0.0) + float(r.quantity)
    return out


def _check_chips(ctx: _Context) -> list[str]:
    out = []
    buys = _buys(ctx)
    for (s, g, c), by in sorted(buys.items()):
        ch = ctx.chip[g]
        last = ch["last_year"] if not pd.isna(ch["last_year"]) else math.inf
        for b, n in by.items():
            if b < ch["first_year"] or b > last:
                out.append(
                    f"chips: {n:g} units of {g} bought at {s} in {b}, outside its years {ch['first_year']:.0f}-{last}"
                )
            if ch["rack_kw"] > ctx.cool[c]["max_rack_kw"]:
                out.append(
                    f"chips: {g} ({ch['rack_kw']:g} kW/rack) installed in {c} (max {ctx.cool[c]['max_rack_kw']:g})"
                )
    cap = ctx.t["capacity"]
    seen = set()
    for r in cap.itertuples():
        key = (r.site, r.chip, r.cooling)
        y = int(r.year)
        seen.add((*key, y))
        life = int(ctx.chip[r.chip]["lifetime_years"])
        inst = sum(n for b, n in buys.get(key, {}).items() if y - life < b <= y)
        inst += ctx.ex_units.get((*key, y), 0.0)
        if not _close(inst, r.units_installed, inst):
            out.append(
                f"chips: {r.chip} ({r.cooling}) at {r.site} in {y}: capacity.csv says {_g(r.units_installed)} units installed, "
                f"purchases of the last {life} years give {_g(inst)}"
            )
        if r.units_active > inst + 1e-6 * max(inst, 1.0):
            out.append(
                f"chips: {r.chip} ({r.cooling}) at {r.site} in {y}: {_g(r.units_active)} units active but only {_g(inst)} "
                f"bought in the last {life} years (lifetime)"
            )
    for key, by in buys.items():
        life = int(ctx.chip[key[1]]["lifetime_years"])
        for y in ctx.years:
            inst = sum(n for b, n in by.items() if y - life < b <= y)
            if inst > 0 and (*key, y) not in seen:
                out.append(
                    f"chips: {key[1]} ({key[2]}) at {key[0]}: {_g(inst)} units installed in {y} missing from capacity.csv"
                )
    # IT power active within the halls in service, per site and cooling
    halls = _halls(ctx)
    it = cap.groupby(["site", "cooling", "year"])["it_mw"].sum().to_dict() if len(cap) else {}
    for (s, c, y), mw in sorted(it.items()):
        life = int(ctx.cool[c]["lifetime_years"])
        svc = sum(q for b, q in halls.get((s, c), {}).items() if y - life < b <= int(y))
        svc += ctx.ex_halls.get((s, c, int(y)), 0.0)
        if mw > svc + 1e-6 * max(svc, 1.0):
            out.append(
                f"chips: {_g(mw)} MW IT active in {c} halls at {s} in {y}, but only {_g(svc)} MW of halls in service"
            )
    return out


def _halls(ctx: _Context) -> dict[tuple, dict[int, float]]:
    out: dict[tuple, dict[int, float]] = defaultdict(dict)
    for r in ctx.sched[ctx.sched["layer"] == "infrastructure"].itertuples():
        if str(r.item).startswith("hall "):
            c = str(r.item)[5:]
            out[r.site, c][int(r.year)] = out[r.site, c].get(int(r.year), 0.0) + float(r.quantity)
    return out


def _plants(ctx: _Context) -> dict[tuple, dict[int, float]]:
    out: dict[tuple, dict[int, float]] = defaultdict(dict)
    for r in ctx.sched[ctx.sched["layer"] == "energy"].itertuples():
        out[r.site, str(r.item)][int(r.year)] = out[r.site, str(r.item)].get(int(r.year), 0.0) + float(r.quantity)
    return out


def _opened(ctx: _Context) -> dict[str, int]:
    out = {}
    for r in ctx.sched[(ctx.sched["layer"] == "infrastructure") & (ctx.sched["item"] == "site")].itertuples():
        out[r.site] = min(out.get(r.site, 10**6), int(r.year))
    return out


def _check_builds(ctx: _Context) -> list[str]:
    out = []
    y0 = ctx.cfg.start_year
    opened = _opened(ctx)
    for s, b in opened.items():
        if b < ctx.site[s]["first_year"]:
            out.append(f"build years: site {s} opened in {b}, before its first_year {ctx.site[s]['first_year']:.0f}")
    for s in ctx.ex_sites:  # a site with existing assets is open (at no cost) over the horizon
        opened[s] = min(opened.get(s, y0), y0)
    in_service: dict[tuple, float] = defaultdict(float)
    for (s, _c, y), mw in ctx.ex_halls.items():
        in_service[s, y] += mw
    for (s, c), by in _halls(ctx).items():
        life = int(ctx.cool[c]["lifetime_years"])
        first = max(ctx.site[s]["first_year"], ctx.cool[c]["first_year"])
        for b, q in by.items():
            if b < first:
                out.append(f"build years: hall {c} at {s} built in {b}, before {first:.0f}")
            if s not in opened or b < opened[s]:
                out.append(f"build years: hall {c} at {s} built in {b} but the site is not open then")
            for y in ctx.years:
                if b <= y < b + life:
                    in_service[s, y] += q
    for (s, y), mw in sorted(in_service.items()):
        if mw > ctx.site[s]["max_it_mw"] + 1e-6 * max(mw, 1.0):
            out.append(
                f"build years: {_g(mw)} MW IT of halls in service at {s} in {y}, above max_it_mw {ctx.site[s]['max_it_mw']:g}"
            )
    sp = ctx.scn.tables["site_power.csv"]
    allowed = {(r.site, r.tech): r.max_mw for r in sp.itertuples()}
    for (s, k), by in _plants(ctx).items():
        t = ctx.tech[k]
        first = max(y0 + int(t["lead_time_years"]), int(t["first_year"]))
        if (s, k) not in allowed:
            out.append(f"build years: {k} built at {s}, which site_power.csv does not allow")
        for b, q in by.items():
            if b < first:
                out.append(
                    f"build years: {_g(q)} MW of {k} at {s} built in {b}, before {first} (lead time {int(t['lead_time_years'])} years, first_year {int(t['first_year'])})"
                )
            if t["unit_mw"] > 0 and abs(q / t["unit_mw"] - round(q / t["unit_mw"])) > 1e-6:
                out.append(
                    f"build years: {_g(q)} MW of {k} at {s} in {b} is not a whole number of {t['unit_mw']:g} MW units"
                )
        mx = allowed.get((s, k), math.nan)
        if not pd.isna(mx):
            life = int(t["lifetime_years"])
            for y in ctx.years:
                mw = sum(q for b, q in by.items() if y - life < b <= y) + ctx.ex_power.get((s, k, y), 0.0)
                if mw > mx + 1e-6 * max(mx, 1.0):
                    out.append(f"build years: {_g(mw)} MW of {k} in service at {s} in {y}, above max_mw {mx:g}")
    return out


def recompute_costs(ctx: _Context) -> dict[tuple[int, str], float]:
    """Undiscounted USD per (year, component of costs.csv), from the tables and catalog."""
    cost: dict[tuple[int, str], float] = defaultdict(float)
    Y = ctx.years
    Ls = int(ctx.cfg.site_lifetime_years)
    for s, b in _opened(ctx).items():
        if s in ctx.ex_sites:
            continue  # no open cost (§7.7)
        for y in Y:
            if b <= y <= b + Ls - 1:
                cost[y, "site_capital"] += ctx.site[s]["open_cost_usd"] * crf(ctx.rate, Ls)
    for (s, c), by in _halls(ctx).items():
        L = int(ctx.cool[c]["lifetime_years"])
        price = ctx.site[s]["build_cost_usd_per_mw_it"] + ctx.cool[c]["capex_usd_per_mw_it"]
        fom = ctx.site[s]["fom_usd_per_mw_it_yr"] + ctx.cool[c]["fom_usd_per_mw_it_yr"]
        for b, mw in by.items():
            for y in Y:
                if b <= y <= b + L - 1:
                    cost[y, "hall_capital"] += price * mw * crf(ctx.rate, L)
                    cost[y, "hall_fom"] += fom * mw
    for (_s, g, _c), by in _buys(ctx).items():
        ch = ctx.chip[g]
        L = int(ch["lifetime_years"])
        for b, n in by.items():
            for y in Y:
                if b <= y <= b + L - 1:
                    cost[y, "chip_capital"] += ch["capex_usd_per_unit"] * n * crf(ctx.rate, L)
                    cost[y, "chip_fom"] += ch["fom_usd_per_unit_yr"] * n
    for (_s, k), by in _plants(ctx).items():
        t = ctx.tech[k]
        L = int(t["lifetime_years"])
        for b, mw in by.items():
            for y in Y:
                if b <= y <= b + L - 1:
                    cost[y, "power_capital"] += t["capex_usd_per_kw"] * 1000.0 * mw * crf(ctx.rate, L)
                    cost[y, "power_fom"] += t["fom_usd_per_kw_yr"] * 1000.0 * mw
    fleet_checks.existing_fom(ctx, cost)  # §7.7: existing assets pay fixed O&M, no capital
    flat = all(abs(v - 1.0) < 1e-12 for v in ctx.mult.values())
    for r in ctx.t["energy"].itertuples():
        y = int(r.year)
        if r.tech == "grid":
            co2 = r.energy_mwh * ctx.site[r.site]["grid_co2_kg_per_mwh"] / 1000.0
            if flat:
                cost[y, "grid_energy"] += r.energy_mwh * ctx.site[r.site]["grid_price_usd_per_mwh"]
            else:  # slice prices differ: the energy table's own figure, less its carbon
                cost[y, "grid_energy"] += r.cost_usd - co2 * ctx.cp[y]
        else:
            t = ctx.tech[r.tech]
            co2 = r.energy_mwh * t["co2_kg_per_mwh"] / 1000.0
            cost[y, "fuel_vom"] += r.energy_mwh * (t["vom_usd_per_mwh"] + t["fuel_usd_per_mwh"])
        cost[y, "carbon"] += co2 * ctx.cp[y]
    lat = ctx.scn.tables["latency.csv"]
    net = dict(zip(zip(lat["region"], lat["site"], strict=True), lat["network_cost_usd_per_mtok"], strict=True))
    for r in ctx.t["serving"].itertuples():
        cost[int(r.year), "network"] += r.tokens / 1e6 * net.get((r.region, r.site), 0.0)
    for r in ctx.t["unserved"].itertuples():
        cost[int(r.year), "unserved_penalty"] += r.tokens / 1e6 * penalty_rate(ctx)  # 0 in tokens/value modes
    add_costs(ctx, cost, (_buys, _halls, _plants))
    return cost


def _check_objective(ctx: _Context, objective_usd) -> list[str]:
    out = []
    cost = recompute_costs(ctx)
    npc = sum(ctx.df[y] * v for (y, _c), v in cost.items())
    scale = max(abs(npc), abs(objective_usd or 0.0), 1.0)
    ct = ctx.t["costs"]
    if len(ct):
        table = {(int(r.year), r.component): r.usd for r in ct.itertuples()}
        for key in sorted(set(table) | set(cost)):
            a, b = cost.get(key, 0.0), table.get(key, 0.0)
            if abs(a - b) > REL * scale:
                out.append(f"objective: {key[1]} in {key[0]} recomputes to {_g(a)} USD, costs.csv says {_g(b)}")
        disc = float(ct["usd_discounted"].sum())
        if abs(disc - npc) > REL * scale:
            out.append(f"objective: costs.csv discounted total {_g(disc)} USD, recomputed net present cost {_g(npc)}")
    if objective_usd is not None and abs(objective_usd - npc) > REL * scale:
        out.append(
            f"objective: solver objective {_g(objective_usd)} USD, net present cost recomputed from the tables "
            f"{_g(npc)} USD (difference {_g(objective_usd - npc)}, {abs(objective_usd - npc) / scale:.2e} relative)"
        )
    return out


def _check_demand_tiers(ctx: _Context, d: pd.DataFrame, serving: pd.DataFrame, unserved: pd.DataFrame) -> list[str]:
    """The demand checks of :func:`_check_demand` per (region, model, tier, year), a blank demand
    tier read as the default tier (DESIGN.md §7.9)."""
    from ..io.tiers import demand_tiers

    out = []
    d = d.assign(tier=demand_tiers(ctx.scn.config, ctx.scn.tables, d))
    keys = ["region", "model", "tier", "year"]
    served = serving.groupby(keys)["tokens"].sum().to_dict() if len(serving) else {}
    unsv = unserved.groupby(keys)["tokens"].sum().to_dict() if len(unserved) else {}
    want = {(r.region, r.model, r.tier, int(r.year)): r.tokens_per_year for r in d.itertuples()}
    for key in sorted(set(want) | set(served) | set(unsv), key=str):
        dem = want.get(key, 0.0)
        got = served.get(key, 0.0) + unsv.get(key, 0.0)
        if not _close(got, dem, dem):
            out.append(
                f"demand: region {key[0]}, model {key[1]}, tier {key[2]}, {key[3]}: served "
                f"{_g(served.get(key, 0.0))} + unserved {_g(unsv.get(key, 0.0))} = {_g(got)} tokens, demand {_g(dem)}"
            )
    lat = ctx.scn.tables["latency.csv"]
    ms = dict(zip(zip(lat["region"], lat["site"], strict=True), lat["latency_ms"], strict=True))
    limit = {(r.region, r.model, r.tier, int(r.year)): r.max_latency_ms for r in d.itertuples()}
    for r in serving.itertuples():
        lim = limit.get((r.region, r.model, r.tier, int(r.year)), math.nan)
        pair = ms.get((r.region, r.site))
        if pair is None or (not math.isnan(lim) and pair > lim + 1e-9):
            out.append(
                f"demand: {_g(r.tokens)} tokens of {r.model} ({r.tier}) served to {r.region} from {r.site} in {r.year}, "
                f"which latency.csv does not allow (latency {pair} ms, limit {lim} ms)"
            )
    return out + _made_is_served(ctx, serving)
