"""Binding limits (binding_limits.csv) as sentences a person reads in the report."""

from __future__ import annotations

import pandas as pd

from ..solver.limit_registry import kind_of
from .fmt import _usd


def sentences(binding_limits: pd.DataFrame, names: dict[str, str] | None = None) -> list[str]:
    """Plain sentences, one per limit and item, grouping consecutive years:
    "grid interconnect at Site X binds 2027–2029: each extra MW would save $Y a year"."""
    names = names or {}
    out = []
    if binding_limits is None or not len(binding_limits):
        return out
    # years where one more unit saves nothing (a limit met exactly) get their own sentence
    grouped = binding_limits.assign(_exact=binding_limits["shadow_price"] <= 0)
    for (limit, item, _exact), g in grouped.groupby(["limit", "item", "_exact"], sort=True):
        g = g.sort_values("year")
        years = [int(y) for y in g["year"]]
        runs = []
        for y in years:
            if runs and y == runs[-1][-1] + 1:
                runs[-1].append(y)
            else:
                runs.append([y])
        span = ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)
        lo, hi = float(g["shadow_price"].min()), float(g["shadow_price"].max())
        val = _usd(lo) if abs(hi - lo) <= 0.005 * max(abs(hi), 1.0) else f"{_usd(lo)}–{_usd(hi)}"
        where = names.get(item, item)
        if limit == "power_max_mw":  # "The wind limit (max_mw) at Site X", as its other sentence
            site, _, tech = str(item).partition("/")
            where = f"{tech} limit (max_mw) at {names.get(site, site)}"
        exact = exactly(limit, where, g, span)
        if exact is not None:
            out.append(exact)
            continue
        if limit == "grid_interconnect":
            out.append(f"The grid interconnect at {where} binds in {span}: each extra MW would save {val} a year.")
        elif limit == "site_it_capacity":
            out.append(
                f"The IT capacity of {where} binds in {span}: each extra MW IT would save {val} a year "
                "(long run, capacity can grow)."
            )
        elif limit == "chip_supply":
            out.append(
                f"The supply of {where} binds in {span}: each extra unit that could be bought would save {val} "
                "(present value in the year of purchase, long run)."
            )
        elif limit == "carbon_cap":
            out.append(f"The carbon cap binds in {span}: each extra tonne of CO2 allowed would save {val}.")
        elif limit == "facility_mw":  # DESIGN.md §7.6
            out.append(
                f"The facility power limit binds in {span}: each extra MW of facility draw allowed would save "
                f"{val} (long run, capacity can grow)."
            )
        elif limit == "capex_usd_per_year":
            out.append(
                f"The capex budget binds in {span}: each extra USD of capex allowed that year would save {val} "
                "(long run)."
            )
        elif limit == "npc_budget_usd":
            out.append(f"The net present cost budget binds: each extra USD of budget would save {val} (long run).")
        elif limit == "power_max_mw":
            site, _, tech = str(item).partition("/")
            out.append(
                f"The {tech} limit (max_mw) at {names.get(site, site)} binds in {span}: "
                f"each extra MW allowed would save {val} a year."
            )
        elif limit == "cfe_target":  # §7.3, short run
            out.append(
                f"The 24/7 carbon-free energy target at {where} binds in {span}: each MWh a year less of "
                f"hourly-matched clean energy would save {val}."
            )
        elif limit == "sovereignty":  # §7.5, long run
            region, _, model = str(item).partition("/")
            out.append(
                f"The sovereign share of {model} in {names.get(region, region)} binds in {span}: the cost of "
                f"sovereignty is {_per_mtok(g['shadow_price'])} USD per million tokens (long run)."
            )
        elif limit == "labour":  # DESIGN.md §7.1
            pool, _, trade = str(item).partition("/")
            out.append(
                f"The {trade} available in labour pool {pool} bind in {span}: each extra worker-year of {trade} "
                f"would save {val} (long run)."
            )
        elif limit == "water_cap":  # DESIGN.md §7.2
            out.append(f"The water cap of {where} binds in {span}: each extra ML a year would save {val}.")
        if "holds_for" in g.columns and g["holds_for"].notna().all() and out:
            # the range the price holds for (HiGHS ranging)
            held = float(g["holds_for"].min())
            if held != float("inf"):
                kind = kind_of(limit)  # the limit's own unit (planner.solver.limit_registry)
                unit = kind.range_unit if kind is not None else "units"
                rng = f"for the next {_amount(held, unit)} only"
                last = out[-1]
                out[-1] = last[:-2] + f"; {rng})." if last.endswith(").") else last[:-1] + f" ({rng})."
    return out


# what one unit of each limit is, for the sentences of a limit that binds exactly
_ONE = {
    "grid_interconnect": ("MW of grid interconnect", "a year"),
    "site_it_capacity": ("MW IT", "a year"),
    "chip_supply": ("unit of chip supply", ""),
    "carbon_cap": ("tonne of CO2 allowed", ""),
    "power_max_mw": ("MW of onsite power allowed", "a year"),
}
_NAME = {
    "grid_interconnect": "The grid interconnect at {w}",
    "site_it_capacity": "The IT capacity of {w}",
    "chip_supply": "The supply of {w}",
    "carbon_cap": "The carbon cap",
    "power_max_mw": "The {w}",
}


def exactly(limit: str, where: str, g: pd.DataFrame, span: str) -> str | None:
    """The sentence of a limit whose one MORE unit saves nothing in any of its years
    (``shadow_price`` 0) although one unit less costs money
    (``cost_one_less``): the plan fits the limit exactly. None otherwise."""
    if "cost_one_less" not in g.columns or (g["shadow_price"].abs() > 0).any():
        return None
    cost = g["cost_one_less"].dropna()
    kind = kind_of(limit)
    unit, per = _ONE.get(limit) or ((kind.one, "a year" if kind.per_year else "") if kind else ("unit", ""))
    lead = _lead(limit, where)
    more, less = "more", "less"
    tail = ""
    if len(cost) and cost.max() > 0:
        lo, hi = float(cost.min()), float(cost.max())
        val = _usd(lo) if abs(hi - lo) <= 0.005 * max(abs(hi), 1.0) else f"{_usd(lo)}–{_usd(hi)}"
        tail = f"; one {unit} {less} would cost {val}{' ' + per if per else ''}"
        if limit in _FLOORS:
            tail = f"; raising it by one would cost {val}"
    verb = "are" if limit == "labour" else "is"
    if limit in _FLOORS:  # a floor (a CFE target, a sovereign share) is loosened by lowering it
        return f"{lead} {verb} met exactly in {span}: lowering it by one {unit} would save nothing{tail}."
    return f"{lead} {verb} met exactly in {span}: one {unit} {more} would save nothing{tail}."


def holds_text(x: float, unit: str) -> str:
    """How far a shadow price holds, for the binding-limits table ("" when unknown)."""
    if x != x:
        return ""
    if x == float("inf"):
        return "any amount"
    return f"{x:,.3g} {unit}"


# the subject of the sentence of a §7 limit met exactly (DESIGN.md §7.1-§7.6); w = the item
def _pair(w: str) -> tuple[str, str]:
    a, _, b = str(w).partition("/")
    return a, b


_NAME_7 = {
    "labour": lambda w: "The {1} available in labour pool {0}".format(*_pair(w)),
    "water_cap": lambda w: f"The water cap of {w}",
    "cfe_target": lambda w: f"The 24/7 carbon-free energy target at {w}",
    "sovereignty": lambda w: "The sovereign share of {1} in {0}".format(*_pair(w)),
    "facility_mw": lambda w: "The facility power limit",
    "capex_usd_per_year": lambda w: "The capex budget",
    "npc_budget_usd": lambda w: "The net present cost budget",
}


_FLOORS = {"cfe_target", "sovereignty"}


def _lead(limit: str, where: str) -> str:
    if limit in _NAME_7:
        return _NAME_7[limit](where)
    return _NAME.get(limit, "{w}").format(w=where)


def _amount(x: float, unit: str) -> str:
    """A range in a limit's own unit: money as money, large amounts in full, small to 3 figures."""
    if unit == "USD":
        return _usd(x)
    return f"{x:,.0f} {unit}" if abs(x) >= 1000 else f"{x:,.3g} {unit}"


def _per_mtok(prices: pd.Series) -> str:
    lo, hi = float(prices.min()), float(prices.max())
    return f"{lo:,.4f}" if abs(hi - lo) <= 5e-5 else f"{lo:,.4f}–{hi:,.4f}"
