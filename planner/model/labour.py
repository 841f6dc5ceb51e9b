"""Skilled labour (DESIGN.md §7.1): construction crews and operations staff per pool, trade
and year, with extra travelling workers hired at a premium.

Inputs (:func:`planner.model.inputs.resource_inputs`, stored on :class:`ModelData`): ``labour_bw[asset, trade]``
(construction worker-years per MW), ``labour_ow[asset, trade]`` (operations workers per MW in
service), ``labour_supply[pool, trade, y] = (worker_years, premium USD or None)`` and
``labour_pool[s]``.

Constraint (12), for every (pool p, trade t, year y) with a labour_supply.csv row:

    Σ_{s in p} ( Σ_c hall[s,c,y] × hall_block_mw × bw(c,t) + Σ_k new[s,k,y] × bw(k,t)
               + Σ_{g,c} buy[s,g,c,y] × it_kw_per_unit_g/1000 × bw(g,t)
               + Σ_c halls_in_service_MW[s,c,y] × ow(c,t) + Σ_k capacity[s,k,y] × ow(k,t) )
    ≤ worker_years[p,t,y] + ext[p,t,y]

``ext[p,t,y] ≥ 0`` (worker-years) exists only where a premium is given. Construction counts in
the year the asset enters service; operations staff in every year it is in service.
Pyomo names: ``LABOUR_PTY``, ``labour_need[p,t,y]`` (Expression, worker-years),
``labour_limit[p,t,y]`` (rows), ``EXT_PTY``, ``ext[p,t,y]``. Cost component (MUSD/yr,
undiscounted): ``labour_premium`` = Σ premium × ext / 1e6, paid in full in the year hired.
A scenario without labour_supply.csv rows adds nothing.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from .data import MUSD, ModelData
from .rows import le


def need_terms(m, d: ModelData) -> dict[tuple, list[tuple]]:
    """(pool, trade, y) -> [(coefficient, VarData), ...]: the left-hand side of (12) for every
    supply row (worker-years). Halls in service and capacity in service are written out as
    the build-year variables they sum."""
    rows = d.labour_supply
    if not rows:
        return {}
    hb = d.hall_mw
    wanted = {(p, t) for p, t, _y in rows}
    trades_of = defaultdict(list)  # asset -> [(trade, bw, ow)]
    for a, t in set(d.labour_bw) | set(d.labour_ow):
        trades_of[a].append((t, d.labour_bw.get((a, t), 0.0), d.labour_ow.get((a, t), 0.0)))
    pool = d.labour_pool
    terms = defaultdict(list)

    def add(s, asset, y, coef_of, var):
        p = pool[s]
        for t, b, o in trades_of.get(asset, ()):
            c = coef_of(b, o)
            if c and (p, t) in wanted and (p, t, y) in rows:
                terms[p, t, y].append((c, var))

    for s, c, y in d.hall_scy:  # construction of hall blocks entering service in y
        add(s, c, y, lambda b, o: b * hb, m.hall[s, c, y])
    for (s, c, y), keys in d.hallsvc_scy.items():  # operations staff of halls in service
        for key in keys:
            add(s, c, y, lambda b, o: o * hb, m.hall[key])
    for s, k, y in d.new_sky:
        add(s, k, y, lambda b, o: b, m.new[s, k, y])
    for (s, k, y), keys in d.cap_sky.items():
        for key in keys:
            add(s, k, y, lambda b, o: o, m.new[key])
    for s, g, c, y in d.buy_sgcy:
        kw = d.chip[g]["it_kw_per_unit"] / 1000.0
        add(s, g, y, lambda b, o, kw=kw: b * kw, m.buy[s, g, c, y])
    # merge repeated variables (a hall built in y counts for construction and operations)
    out = {}
    for key, ts in terms.items():
        acc: dict = {}
        for c, v in ts:
            acc[id(v)] = (acc.get(id(v), (0.0, v))[0] + c, v)
        out[key] = [(c, v) for c, v in acc.values() if c]
    return out


def existing_ops(d: ModelData, supply_rows_only: bool = True) -> dict[tuple, float]:
    """(pool, trade, y) -> operations workers of the existing fleet in service (DESIGN.md §7.7:
    existing halls and power need no construction labour, but their staff count in (12)),
    for every labour_supply.csv row (or every pool, trade and year, for labour.csv)."""
    ex = getattr(d, "existing", None)
    out: dict = defaultdict(float)
    if not ex or (supply_rows_only and not d.labour_supply):
        return out
    for assets in (ex.hall_mw, ex.power_mw):
        for (s, a, y), mw in assets.items():
            for (asset, t), o in d.labour_ow.items():
                key = (d.labour_pool[s], t, y)
                if asset == a and o and (key in d.labour_supply or not supply_rows_only):
                    out[key] += o * mw
    return out


def define(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Add constraint (12), ``ext`` and the ``labour_premium`` cost component to ``m`` (only
    where labour_supply.csv has rows whose pool and trade some asset of the plan needs, or
    the existing fleet's staff do). The existing fleet's operations staff are a constant of
    the row (:func:`existing_ops`); a hard row they alone exceed is an input error."""
    terms = need_terms(m, d)
    fixed = existing_ops(d)
    for key, staff in fixed.items():
        worker_years, premium = d.labour_supply[key]
        if premium is None and staff > worker_years * (1 + 1e-9):  # every other term is >= 0
            from ..io.errors import InputError, Problem

            p, t, y = key
            raise InputError(
                [
                    Problem(
                        "labour_supply.csv",
                        None,
                        "worker_years",
                        f"{worker_years:g} {t} worker-years in pool {p} in {y} are fewer than the "
                        f"{staff:g} operations staff of the existing fleet (existing.csv) alone",
                    )
                ]
            )
        if key not in terms and premium is not None and staff > worker_years:
            terms[key] = []  # only hired workers can cover the existing staff: a row with ext
    if not terms:
        return
    keys = sorted(terms)
    m.LABOUR_PTY = pyo.Set(initialize=keys, dimen=3, ordered=True)
    ext_keys = [k for k in keys if d.labour_supply[k][1] is not None]
    m.EXT_PTY = pyo.Set(initialize=ext_keys, dimen=3, ordered=True)
    m.ext = pyo.Var(m.EXT_PTY, within=pyo.NonNegativeReals)
    m.labour_need = pyo.Expression(
        m.LABOUR_PTY, rule=lambda m, p, t, y: sum(c * v for c, v in terms[p, t, y]) + fixed.get((p, t, y), 0.0)
    )

    def limit(m, p, t, y):
        row = list(terms[p, t, y])
        if (p, t, y) in m.EXT_PTY:
            row.append((-1.0, m.ext[p, t, y]))
        return le(row, d.labour_supply[p, t, y][0] - fixed.get((p, t, y), 0.0))

    m.labour_limit = pyo.Constraint(m.LABOUR_PTY, rule=limit)
    by_y = defaultdict(list)
    for p, t, y in ext_keys:
        by_y[y].append((p, t))
    m.labour_premium = pyo.Expression(
        m.YEARS,
        rule=lambda m, y: (
            pyo.quicksum(d.labour_supply[p, t, y][1] / MUSD * m.ext[p, t, y] for p, t in by_y.get(y, []))
            if by_y.get(y)
            else 0.0
        ),
    )
    m.cost_components.append("labour_premium")
