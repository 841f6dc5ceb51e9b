"""Marginal cost of a token and shadow prices of the binding limits of a solved plan.

A MIP has no duals, so two linear programs are solved from the plan (both in memory with
HiGHS, like :mod:`planner.solve`; the model is restored afterwards):

short run ("fleet as planned")
    Every integer and binary decision (sites opened, hall blocks, chip units bought, lumpy
    power units) is fixed at its optimal value (rounded) and the rest is re-solved as an
    LP. Duals say what one more token costs with the fleet that was built: where chips
    have spare units it is the energy (and network) of serving it; where the fleet is
    full it is the unserved penalty. Grid interconnects, carbon caps and onsite power
    limits are priced here, because they bind on the plan as built.
long run ("capacity can grow")
    Only the site openings are fixed; halls, chip units and lumpy power units become
    continuous (their tightening-only upper bounds are dropped: site capacity implies
    them). Duals say what one more token costs when the capacity to make it can be added
    in small steps: chip annuity + O&M, hall share and energy. Site IT capacity and chip
    supply limits are priced here: with halls and units fixed their duals are meaningless.

Sign conventions (HiGHS, minimisation): the dual of a row is d(objective)/d(right-hand
side); the reduced cost of a column at its upper bound is <= 0. The objective is the
discounted NPC in MUSD, so a dual of year y is divided by DF_y to give money of that
year. 1 MUSD per Ttok = 1 USD per million tokens.

Grid interconnect limits are variable bounds (``grid[s,y,h] <= grid_cap_mw``): their price
is minus the sum over the year's slices of the reduced costs of ``grid[s,y,h]`` -- the
saving of one more MW of interconnect in every slice of that year.

Results: ``marginal_costs`` (year, region, model, usd_per_mtok, usd_per_mtok_long_run) and
``binding_limits`` (limit, item, year, shadow_price, unit, basis).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs

from .model.data import MUSD

MARGINAL_COLUMNS = ["year", "region", "model", "usd_per_mtok", "usd_per_mtok_long_run"]
LIMIT_COLUMNS = ["limit", "item", "year", "shadow_price", "unit", "basis"]

# limit name -> (unit of its shadow price, human name)
LIMITS = {
    "grid_interconnect": ("USD per MW-year", "grid interconnect"),
    "site_it_capacity": ("USD per MW IT-year", "site IT capacity"),
    "chip_supply": ("USD per unit", "chip supply"),
    "carbon_cap": ("USD per t CO2", "carbon cap"),
    "power_max_mw": ("USD per MW-year", "onsite power limit"),
}

TOL = 1e-7  # MUSD: duals smaller than this (discounted) are noise


@dataclass
class Marginals:
    """Tables of marginal token costs and binding limits, the status of each LP and the
    seconds spent."""

    marginal_costs: pd.DataFrame
    binding_limits: pd.DataFrame
    status: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {"marginal_costs": self.marginal_costs, "binding_limits": self.binding_limits}


def _integer_vars(m):
    return [v for v in m.component_data_objects(pyo.Var, descend_into=True) if v.is_integer()]


class _Relaxed:
    """Context manager: fix (``fix=True``) or free the integer variables of ``m`` as
    continuous ones; restores domain, bounds, fixed flag and value on exit."""

    def __init__(self, m):
        self.m = m
        self.saved = [(v, v.domain, v.lb, v.ub, v.fixed, v.value) for v in _integer_vars(m)]

    def __enter__(self):
        return self

    def set(self, keep_fixed) -> None:
        """Fix the variables whose component name is in ``keep_fixed`` (or all, for None) at
        their rounded plan value and make the others continuous without upper bound."""
        for v, _dom, lb, _ub, fixed, val in self.saved:
            name = v.parent_component().local_name
            v.domain = pyo.NonNegativeReals if (lb is not None and lb >= 0) else pyo.Reals
            if keep_fixed is None or name in keep_fixed or fixed:
                v.fix(float(round(val)) if val is not None else 0.0)
            else:
                v.unfix()
                v.setlb(lb)
                v.setub(None)
                if val is not None:
                    v.set_value(float(val), skip_validation=True)

    def __exit__(self, *exc):
        for v, dom, lb, ub, fixed, val in self.saved:
            v.domain = dom
            v.setlb(lb)
            v.setub(ub)
            if fixed:
                v.fix(val)
            else:
                v.unfix()
            v.set_value(val, skip_validation=True)
        return False


def _solve_lp(opt: Highs, m, time_limit: float, threads: int | None):
    # threads: leave unset by default -- HiGHS keeps one thread scheduler per process, and
    # asking for another count than the MIP used is an error
    kw = {"threads": int(threads)} if threads else {}
    res = opt.solve(
        m,
        time_limit=float(time_limit),
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        solver_options={"solver": "simplex", "presolve": "on"},
        **kw,
    )
    ok = str(res.termination_condition).endswith("convergenceCriteriaSatisfied")
    return res, ok


def analyse(m, d, time_limit: float = 120.0, threads: int | None = None, long_run: bool = True) -> Marginals:
    """Price the tokens and limits of the solved model ``m`` (built from ``d``, with the plan
    loaded into its variables). ``long_run=False`` skips the second LP. Never raises on a
    solver failure: the tables are then empty and ``status`` says why."""
    t0 = time.perf_counter()
    opt = Highs(treat_fixed_vars_as_params=False)
    # the tightening cuts are valid for the MIP but not part of the program's economics:
    # with them active, a demand row's dual would price the cut, not the token
    cuts = [getattr(m, name) for name in getattr(m, "tightening", []) if hasattr(m, name)]
    for c in cuts:
        c.deactivate()
    try:
        return _analyse(m, d, opt, cuts, t0, time_limit, threads, long_run)
    finally:
        for c in cuts:
            c.activate()


def _analyse(m, d, opt, cuts, t0, time_limit, threads, long_run) -> Marginals:
    status = {}
    token_short: dict = {}
    token_long: dict = {}
    limits: list[tuple] = []
    with _Relaxed(m) as rx:
        rx.set(None)
        res, ok = _solve_lp(opt, m, time_limit, threads)
        status["short_run"] = "optimal" if ok else str(res.termination_condition).split(".")[-1]
        if ok:
            duals = res.solution_loader.get_duals()
            token_short = _token_duals(m, d, duals)
            limits += _grid_limits(m, d, res)
            limits += _row_limits(m, d, duals, "carbon_cap", "short_run")
            limits += _row_limits(m, d, duals, "power_max_mw", "short_run")
        if long_run:
            rx.set({"open"})
            res, ok = _solve_lp(opt, m, time_limit, threads)
            status["long_run"] = "optimal" if ok else str(res.termination_condition).split(".")[-1]
            if ok:
                duals = res.solution_loader.get_duals()
                token_long = _token_duals(m, d, duals)
                limits += _row_limits(m, d, duals, "site_it_capacity", "long_run")
                limits += _row_limits(m, d, duals, "chip_supply", "long_run")
    rows = [
        (y, r, mm, token_short.get((r, mm, y), float("nan")), token_long.get((r, mm, y), float("nan")))
        for r, mm, y in sorted(d.demand_rmy, key=lambda k: (k[2], k[0], k[1]))
    ]
    mc = pd.DataFrame(rows, columns=MARGINAL_COLUMNS)
    if not token_short and not token_long:
        mc = pd.DataFrame(columns=MARGINAL_COLUMNS)
    bl = pd.DataFrame(limits, columns=LIMIT_COLUMNS)
    if len(bl):
        bl = bl.sort_values(["limit", "item", "year"], kind="stable").reset_index(drop=True)
    return Marginals(mc, bl, status, time.perf_counter() - t0)


def _clean(x: float) -> float:
    return 0.0 if abs(x) < 1e-9 else x


def _token_duals(m, d, duals) -> dict:
    """(r, m, y) -> USD per million tokens of year y (dual of the token balance, undiscounted)."""
    out = {}
    for key in m.demand_balance:
        c = m.demand_balance[key]
        if c in duals:
            r, mm, y = key
            out[key] = _clean(duals[c] / d.df[y])  # MUSD/Ttok == USD/Mtok
    return out


def _grid_limits(m, d, res) -> list[tuple]:
    capped = [(k, m.grid[k]) for k in m.grid if m.grid[k].ub is not None]
    if not capped:
        return []
    rc = res.solution_loader.get_reduced_costs([v for _, v in capped])
    by_sy: dict = {}
    for (s, y, _h), v in capped:
        by_sy[s, y] = by_sy.get((s, y), 0.0) + rc[v]
    out = []
    for (s, y), val in sorted(by_sy.items()):
        if val < -TOL:
            out.append(("grid_interconnect", s, y, -val / d.df[y] * MUSD, LIMITS["grid_interconnect"][0], "short_run"))
    return out


def _row_limits(m, d, duals, limit: str, basis: str) -> list[tuple]:
    """Binding rows of one kind of limit: shadow price = -dual (the saving of loosening it by
    one unit), undiscounted to its year and converted to report units."""
    if limit == "carbon_cap":
        comp, conv = getattr(m, "carbon_cap", None), MUSD / 1e3  # MUSD per kt -> USD per t
    elif limit == "power_max_mw":
        comp, conv = getattr(m, "max_capacity", None), MUSD
    elif limit == "site_it_capacity":
        comp, conv = getattr(m, "site_capacity", None), MUSD
    elif limit == "chip_supply":
        comp, conv = getattr(m, "chip_supply", None), MUSD
    else:  # pragma: no cover
        raise ValueError(limit)
    if comp is None:
        return []
    out = []
    for key in comp:
        c = comp[key]
        if c not in duals:
            continue
        key = key if isinstance(key, tuple) else (key,)
        y = key[-1]
        val = -duals[c]
        if val <= TOL:
            continue
        if limit == "site_it_capacity" and (key not in m.open or (m.open[key].value or 0.0) < 0.5):
            continue  # a site the plan does not open is limited by its open cost, not its capacity
        item = "all sites" if limit == "carbon_cap" else "/".join(str(k) for k in key[:-1])
        out.append((limit, item, y, val / d.df[y] * conv, LIMITS[limit][0], basis))
    return out


def sentences(binding_limits: pd.DataFrame, names: dict[str, str] | None = None) -> list[str]:
    """Plain sentences, one per limit and item, grouping consecutive years:
    "grid interconnect at Site X binds 2027–2029: each extra MW would save $Y a year"."""
    from .report import _usd

    names = names or {}
    out = []
    if binding_limits is None or not len(binding_limits):
        return out
    for (limit, item), g in binding_limits.groupby(["limit", "item"], sort=True):
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
        elif limit == "power_max_mw":
            site, _, tech = str(item).partition("/")
            out.append(
                f"The {tech} limit (max_mw) at {names.get(site, site)} binds in {span}: "
                f"each extra MW allowed would save {val} a year."
            )
    return out
