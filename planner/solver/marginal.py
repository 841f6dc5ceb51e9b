"""Marginal cost of a token and shadow prices of the binding limits of a solved plan.

A MIP has no duals, so two linear programs are solved from the plan, both from the program
as compiled for the solve (:func:`planner.solver.highs.resolve`: only bounds and integrality
change, nothing is compiled again and the Pyomo model is not touched):

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

A limit found binding by its dual is then priced as the saving of one MORE unit, with the
cost of one less and the range the price holds for (:func:`one_more`: ranging, else two
re-solves); where each kind of limit sits in the program, and its own unit, is registered by
the module of its feature in :mod:`planner.solver.limit_registry`.

Results: ``marginal_costs`` (year, region, model, usd_per_mtok, usd_per_mtok_long_run) and
``binding_limits`` (limit, item, year, shadow_price, unit, basis, cost_one_less, holds_for).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..io.results import LIMIT_COLUMNS, MARGINAL_COLUMNS
from ..model.data import MUSD
from . import resources  # noqa: F401  (registers the labour and water limits)
from .highs import Handoff, hand_off
from .limit_prices import ROWS as LIMIT_ROWS
from .limit_prices import limit_prices
from .limit_registry import Locator, kind_of
from .marginal_cfe import LIMITS as CFE_LIMITS
from .marginal_cfe import LONG_RUN_ROWS, SHORT_RUN_ROWS, cfe_limits, sovereignty_limits
from .perturb import STEP, LPSession
from .tiers import split_products

# limit name -> (unit of its shadow price, human name)
LIMITS = {
    "grid_interconnect": ("USD per MW-year", "grid interconnect"),
    "site_it_capacity": ("USD per MW IT-year", "site IT capacity"),
    "chip_supply": ("USD per unit", "chip supply"),
    "carbon_cap": ("USD per t CO2", "carbon cap"),
    "power_max_mw": ("USD per MW-year", "onsite power limit"),
    "labour": ("USD per worker-year", "skilled labour"),  # DESIGN.md §7.1, long run
    "water_cap": ("USD per ML", "site water cap"),  # §7.2, short run
}

LIMITS.update(CFE_LIMITS)  # §7.3 cfe_target, §7.5 sovereignty
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


def analyse(
    m, d, time_limit: float = 120.0, threads: int | None = None, long_run: bool = True, handoff: Handoff | None = None
) -> Marginals:
    """Price the tokens and limits of the solved model ``m`` (built from ``d``, with the plan
    loaded into its variables). ``long_run=False`` skips the second LP. ``handoff`` is the
    program as compiled for the solve (compiled again if None): both LPs only change column
    bounds, integrality and the tightening rows' bounds, so ``m`` itself is never changed.
    Never raises on a solver failure: the tables are then empty and ``status`` says why."""
    t0 = time.perf_counter()
    ho = handoff if handoff is not None else hand_off(m)
    comp = ho.component_of()
    loc = Locator(m, d, ho)  # where each binding limit sits in the program (planner.solver.limit_registry)
    budget = max(30.0, 0.5 * time_limit)  # s of one-more re-solves per LP
    # the tightening cuts are valid for the MIP but not part of the program's economics:
    # with them active, a demand row's dual would price the cut, not the token
    cuts = set(getattr(m, "tightening", []))
    row_comp = [con.parent_component().local_name for con in ho.rows]
    free_rows = [i for i, name in enumerate(row_comp) if name in cuts]
    integer = np.flatnonzero(ho.integer)
    plan = {int(j): float(round(ho.columns[j].value or 0.0)) for j in integer}
    opt = {"solver": "simplex", "presolve": "on"}
    status = {}
    token_short: dict = {}
    token_long: dict = {}
    limits: list[tuple] = []
    # short run: every integer decision fixed at the plan
    # the MW built of an onsite tech is bounded by its max_mw as its capacity row is: without
    # that implied bound the limit's dual is the row's, and its range the row's ranging
    implied = comp == "new"
    short = LPSession(
        ho,
        fix=plan,
        unbounded_above=implied,
        free_rows=free_rows,
        time_limit=time_limit,
        threads=threads,
        options=opt,
    )
    res = short.result
    status["short_run"] = res.status
    if res.ok:
        duals = _duals(ho, row_comp, res.row_dual, {"demand_balance", "carbon_cap", "max_capacity", "water_cap"})
        token_short = _token_duals(m, d, duals)
        found = _grid_limits(m, d, ho, res.col_dual)
        found += _row_limits(m, d, duals, "carbon_cap", "short_run")
        found += _row_limits(m, d, duals, "power_max_mw", "short_run")
        found += cfe_limits(m, d, _duals(ho, row_comp, res.row_dual, SHORT_RUN_ROWS))  # §7.3
        found += _row_limits(m, d, duals, "water_cap", "short_run")
        limits += one_more(m, d, ho, short, found, budget, loc)
    if long_run:
        # long run: only the site openings fixed; the other integer decisions continuous
        # and without their tightening-only upper bounds (site capacity implies them)
        opened = {j: v for j, v in plan.items() if comp[j] == "open"}
        loose = ho.integer & (comp != "open")
        long = LPSession(
            ho,
            fix=opened,
            unbounded_above=loose,
            free_rows=free_rows,
            time_limit=time_limit,
            threads=threads,
            options=opt,
        )
        res = long.result
        status["long_run"] = res.status
        if res.ok:
            duals = _duals(
                ho,
                row_comp,
                res.row_dual,
                {"demand_balance", "site_capacity", "chip_supply", "labour_limit", *LIMIT_ROWS},
            )
            found = _row_limits(m, d, duals, "site_it_capacity", "long_run")
            found += _row_limits(m, d, duals, "chip_supply", "long_run")
            found += _row_limits(m, d, duals, "labour", "long_run")
            found += sovereignty_limits(m, d, _duals(ho, row_comp, res.row_dual, LONG_RUN_ROWS))  # §7.5
            found += limit_prices(m, d, duals, "long_run")  # DESIGN.md §7.6 limits
            token_long = tokens_one_more(m, d, ho, long, duals, budget=budget)
            limits += one_more(m, d, ho, long, found, budget, loc)
    rows = [
        (y, r, mm, token_short.get((r, mm, y), float("nan")), token_long.get((r, mm, y), float("nan")))
        for r, mm, y in sorted(d.demand_rmy, key=lambda k: (k[2], k[0], k[1]))
    ]
    mc = pd.DataFrame(rows, columns=MARGINAL_COLUMNS)
    if not token_short and not token_long:
        mc = pd.DataFrame(columns=MARGINAL_COLUMNS)
    bl = pd.DataFrame(limits, columns=[*LIMIT_COLUMNS, *ONE_MORE_COLUMNS])
    if len(bl):
        bl = bl.sort_values(["limit", "item", "year"], kind="stable").reset_index(drop=True)
    return Marginals(split_products(mc, d), bl, status, time.perf_counter() - t0)


def _duals(ho: Handoff, row_comp: list[str], row_dual, wanted: set[str]) -> dict:
    """Pyomo constraint -> dual (MUSD per unit of right-hand side), for the rows of the
    components named in ``wanted`` (a ranged constraint's two rows are summed; at most one
    of them is binding)."""
    out: dict = {}
    for i, name in enumerate(row_comp):
        if name in wanted:
            con = ho.rows[i]
            out[con] = out.get(con, 0.0) + float(row_dual[i])
    return out


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


def _grid_limits(m, d, ho: Handoff, col_dual) -> list[tuple]:
    col = ho.column_index()
    by_sy: dict = {}
    for (s, y, _h), v in m.grid.items():
        j = col.get(id(v))
        if v.ub is None or j is None:
            continue
        by_sy[s, y] = by_sy.get((s, y), 0.0) + float(col_dual[j])
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
    elif limit == "labour":  # MUSD per worker-year -> USD per worker-year
        comp, conv = getattr(m, "labour_limit", None), MUSD
    elif limit == "water_cap":  # MUSD per ML -> USD per ML
        comp, conv = getattr(m, "water_cap", None), MUSD
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


# ---------------------------------------------------------------- one MORE unit

# columns binding_limits gains: the saving of one unit less (a degenerate dual's other side)
# and how far above the limit the shadow price holds (ranging), in the limit's own unit
ONE_MORE_COLUMNS = ["cost_one_less", "holds_for"]


def one_more(
    m, d, ho: Handoff, sess: LPSession, found: list[tuple], budget: float | None = None, locator: Locator | None = None
) -> list[tuple]:
    """The rows of ``found`` (binding limits by their duals) with ``shadow_price`` replaced by
    the saving of one MORE unit of the limit (a re-solve), and the cost of one unit less and
    the range the price holds for (HiGHS ranging) appended (:mod:`planner.solver.perturb`).
    A limit whose one more unit saves nothing stays, with shadow price 0: it binds exactly;
    one whose one more unit saves nothing and one less costs nothing is left out (its dual
    was a degenerate vertex's, the limit does not bind).

    Where a limit sits in the program, its own unit and its re-solve step come from its
    registration (:mod:`planner.solver.limit_registry`); a limit nobody registered, and
    every limit left when the re-solves have run for ``budget`` seconds (None: no limit),
    keeps its dual price with ``cost_one_less`` and ``holds_for`` blank."""
    out = []
    loc = locator if locator is not None else Locator(m, d, ho)
    noise = 1e-9 * max(1.0, abs(sess.base or 0.0))  # MUSD: re-solve differences below this are zero
    stop = None if budget is None else time.perf_counter() + budget
    nan = float("nan")
    for limit, item, y, dual_price, unit, basis in found:
        kind = kind_of(limit)
        cols, rows = loc.bounds(limit, item, y)
        if kind is None or (not cols and not rows) or (stop is not None and time.perf_counter() > stop):
            out.append((limit, item, y, dual_price, unit, basis, nan, nan))
            continue
        delta = kind.step * kind.per / STEP  # the re-solve step is STEP x delta model units
        saving, cost, holds = sess.limit_prices(cols, rows, delta)
        # MUSD (discounted) per model unit -> USD of year y per unit of the limit
        scale = MUSD * kind.per / (d.df[y] if kind.discounted else 1.0)
        tiny = noise / (STEP * delta)  # a re-solve difference below the noise, per model unit
        if holds == holds:  # the dual holds for an increase of ``holds``: it is the price both ways
            price, cost = dual_price, dual_price
        else:
            price = (0.0 if saving <= tiny else saving * scale) if saving == saving else dual_price
            cost = (0.0 if abs(cost) <= tiny else cost * scale) if cost == cost else nan
            if price == 0.0 and cost == 0.0:  # neither one more nor one less changes the cost: not binding
                continue
        out.append((limit, item, y, price, unit, basis, cost, holds / kind.per))
    return out


def tokens_one_more(m, d, ho: Handoff, sess: LPSession, duals: dict, budget: float = 60.0) -> dict:
    """(r, m, y) -> USD per million tokens of year y: the cost of one MORE token (the dual
    where ranging shows it holds for more demand, else a re-solve; :meth:`LPSession.token_cost_up`).
    Re-solves stop after ``budget`` seconds; the demand rows left keep their dual."""
    rows_of: dict = {}
    for i, r in enumerate(ho.rows):
        rows_of.setdefault(id(r), i)
    out = {}
    stop = time.perf_counter() + budget
    for key in m.demand_balance:
        c = m.demand_balance[key]
        if c not in duals or id(c) not in rows_of:
            continue
        r, mm, y = key
        if time.perf_counter() > stop:  # out of time for re-solves: the dual, as before
            out[key] = _clean(duals[c] / d.df[y])
            continue
        out[key] = _clean(sess.token_cost_up(rows_of[id(c)], duals[c]) / d.df[y])
    return out


# END
