"""Results tables of DESIGN.md §7.1 (``labour``), §7.2 (``water``) and §7.4 (``emissions``),
read from a solved model; called by :func:`planner.solver.solution.extract`.

- ``labour`` (year, pool, trade, construction_worker_years, operations_workers,
  available_worker_years (blank = no limit), extra_workers, shadow_price_usd_per_worker_year):
  one row per (pool, trade, year) where the plan needs workers or labour_supply.csv has a row;
  written when the scenario gives labour figures for its assets. The shadow price is filled in
  by :func:`apply_labour_prices` from the long-run LP (blank when not binding or not priced).
- ``water`` (year, site, cooling_ml, generation_ml, total_ml, cap_ml (blank = no limit)):
  W[s,y] of §7.2 split by source, for every site and year that uses water or has a cap.
- ``emissions`` (year, source, co2_t): operational CO2 of grid imports (``grid``) and onsite
  generation and storage discharge (``onsite``), and embodied CO2 of what enters service that
  year (``embodied_chips``, ``embodied_halls``, ``embodied_power``), every year and source.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pyomo.environ as pyo

from ..io.results import RESOURCE_COLUMNS
from ..model.data import ModelData
from ..model.embodied import embodied_terms
from ..model.labour import existing_ops
from ..model.water import cooling_coef, gen_coef, water_cap
from .limit_registry import LimitKind, register

EMISSION_SOURCES = ("grid", "onsite", "embodied_chips", "embodied_halls", "embodied_power")


def _v(x) -> float:
    val = pyo.value(x, exception=False)
    if val is None or abs(float(val)) < 1e-9:
        return 0.0
    return float(val)


def resource_tables(m, d: ModelData, energy: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """``water`` and ``emissions`` always, ``labour`` when the scenario has labour figures."""
    out = {"water": water_table(m, d), "emissions": emissions_table(m, d, energy)}
    if d.labour_bw or d.labour_ow or d.labour_supply:
        out["labour"] = labour_table(m, d)
    return out


def labour_table(m, d: ModelData) -> pd.DataFrame:
    cols = RESOURCE_COLUMNS["labour"]
    hb = d.hall_mw
    build = defaultdict(float)
    ops = defaultdict(float)
    trades = defaultdict(list)
    for a, t in set(d.labour_bw) | set(d.labour_ow):
        trades[a].append((t, d.labour_bw.get((a, t), 0.0), d.labour_ow.get((a, t), 0.0)))
    pool = d.labour_pool
    for s, c, y in d.hall_scy:
        n = _v(m.hall[s, c, y])
        for t, b, _o in trades.get(c, ()):
            build[pool[s], t, y] += n * hb * b
    for s, c, y in d.hallsvc_scy:
        n = _v(m.hall_in_service[s, c, y])
        for t, _b, o in trades.get(c, ()):
            ops[pool[s], t, y] += n * hb * o
    for s, k, y in d.new_sky:
        mw = _v(m.new[s, k, y])
        for t, b, _o in trades.get(k, ()):
            build[pool[s], t, y] += mw * b
    for s, k, y in d.cap_sky:
        mw = _v(m.capacity[s, k, y])
        for t, _b, o in trades.get(k, ()):
            ops[pool[s], t, y] += mw * o
    for s, g, c, y in d.buy_sgcy:
        n = _v(m.buy[s, g, c, y])
        for t, b, _o in trades.get(g, ()):
            build[pool[s], t, y] += n * d.chip[g]["it_kw_per_unit"] / 1000.0 * b
    for key, staff in existing_ops(d, supply_rows_only=False).items():  # DESIGN.md §7.7: the existing fleet's staff
        ops[key] += staff
    ext = {k: _v(v) for k, v in m.ext.items()} if hasattr(m, "ext") else {}
    keys = {k for k, v in build.items() if v > 0} | {k for k, v in ops.items() if v > 0} | set(d.labour_supply)
    rows = []
    for p, t, y in sorted(keys, key=lambda k: (k[2], k[0], k[1])):
        sup = d.labour_supply.get((p, t, y))
        rows.append(
            (
                y,
                p,
                t,
                build.get((p, t, y), 0.0),
                ops.get((p, t, y), 0.0),
                sup[0] if sup else float("nan"),
                ext.get((p, t, y), 0.0),
                float("nan"),
            )
        )
    return pd.DataFrame(rows, columns=cols)


def water_table(m, d: ModelData) -> pd.DataFrame:
    cols = RESOURCE_COLUMNS["water"]
    cool = defaultdict(float)
    gen = defaultdict(float)
    for s, g, c, y in d.active_sgcy:
        a = _v(m.active_units[s, g, c, y])
        if a:
            cool[s, y] += a * cooling_coef(d, s, g, c)
    for s, k, y, h in d.gen_skyh:
        coef = gen_coef(d, k, h)
        if coef:
            gen[s, y] += _v(m.gen[s, k, y, h]) * coef
    rows = []
    for s in d.sites:
        cap = water_cap(d, s)
        for y in d.years:
            c, g = cool.get((s, y), 0.0), gen.get((s, y), 0.0)
            if c + g <= 0 and cap is None:
                continue
            rows.append((y, s, c, g, c + g, float("nan") if cap is None else cap))
    return pd.DataFrame(rows, columns=cols)


def emissions_table(m, d: ModelData, energy: pd.DataFrame | None = None) -> pd.DataFrame:
    """Operational CO2 from ``energy`` (energy.csv, co2_t per site and tech) when given,
    embodied CO2 from the build decisions."""
    op = defaultdict(float)
    if energy is not None and len(energy):
        for r in energy.itertuples():
            op[int(r.year), "grid" if r.tech == "grid" else "onsite"] += float(r.co2_t)
    emb = defaultdict(float)
    for y, by_src in embodied_terms(m, d).items():
        for src, terms in by_src.items():
            emb[y, src] += sum(c * _v(v) for c, v in terms)
    rows = []
    for y in d.years:
        for src in EMISSION_SOURCES:
            rows.append((y, src, op.get((y, src), 0.0) if src in ("grid", "onsite") else emb.get((y, src), 0.0)))
    return pd.DataFrame(rows, columns=RESOURCE_COLUMNS["emissions"])


def apply_labour_prices(tables: dict[str, pd.DataFrame], binding_limits: pd.DataFrame | None) -> None:
    """Fill ``labour.shadow_price_usd_per_worker_year`` from the ``labour`` rows of
    binding_limits (item ``pool/trade``), in place."""
    lab = tables.get("labour")
    if lab is None or binding_limits is None or not len(binding_limits) or not len(lab):
        return
    b = binding_limits[binding_limits["limit"] == "labour"]
    price = {(str(r.item), int(r.year)): float(r.shadow_price) for r in b.itertuples()}
    lab["shadow_price_usd_per_worker_year"] = [
        price.get((f"{p}/{t}", int(y)), float("nan"))
        for y, p, t in zip(lab["year"], lab["pool"], lab["trade"], strict=True)
    ]


def resource_summary(m, d: ModelData) -> dict:
    """summary.json keys: ``carbon_scope`` and ``embodied_co2_amortised_t`` (year -> t CO2:
    each asset's embodied CO2 spread evenly over its lifetime, counted in the years it is in
    service within the horizon; the report's lifecycle intensity per million tokens uses it)."""
    life = {}
    for y, by_src in embodied_terms(m, d).items():
        for src, terms in by_src.items():
            for c, v in terms:
                q = _v(v)
                if not q:
                    continue
                idx = v.index()
                if src == "embodied_chips":
                    L = int(d.chip[idx[1]]["lifetime_years"])
                elif src == "embodied_halls":
                    L = int(d.cool[idx[1]]["lifetime_years"])
                else:
                    L = int(d.tech[idx[1]]["lifetime_years"])
                for yy in range(y, min(y + L - 1, d.years[-1]) + 1):
                    life[yy] = life.get(yy, 0.0) + c * q / L
    amort = {str(y): round(life.get(y, 0.0), 6) for y in d.years}
    return {"carbon_scope": d.carbon_scope, "embodied_co2_amortised_t": amort}


# the limits of §7.1 and §7.2, for pricing one MORE unit (planner.solver.limit_registry):
# labour, item "pool/trade": one worker-year of that trade; water_cap, item site: one ML a year
register("labour", LimitKind("labour_limit", one="worker-year", range_unit="worker-years"))
register("water_cap", LimitKind("water_cap", one="ML of water a year", range_unit="ML"))
