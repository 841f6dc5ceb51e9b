"""24/7 carbon-free energy: hourly matching of each site's load (DESIGN.md §7.3).

Inputs: scenario.toml ``cfe_target`` (a share 0..1, a number or a year table, interpolated
like the carbon tables) and sites.csv ``grid_cfe_share`` (0..1 of grid imports counted
carbon-free, blank = 0). A tech is carbon-free when its ``kind`` is not ``storage`` and its
``co2_kg_per_mwh`` is 0 (blank = 0).

Program, for every site s with a facility load in a year y whose target is > 0 (nothing is
added anywhere else, so a scenario without a target builds the program of §4 exactly):

- ``cfe[s,y,h]`` (MW), a **free** variable (charging may make it negative);
- ``cfe_le_load``:  cfe[s,y,h] ≤ L[s,y];
- ``cfe_le_clean``: cfe[s,y,h] ≤ Σ_{k carbon-free} gen + grid_cfe_share_s × grid + Σ_st (discharge − charge);
- ``cfe_target`` (14): Σ_h w_h × cfe[s,y,h] ≥ cfe_target_y × (Σ_h w_h) × L[s,y] (MWh a year);
- ``cfe_grid_use``: grid[s,y,h] ≤ L[s,y] + Σ_st charge (no grid energy bought to be curtailed).

Charging counts against the slice it happens in, so storage moves clean surplus from one
slice to another but never turns grid energy into clean energy. No cost term.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from .rows import ge, le, var_dict


def carbon_free(tech_row: dict) -> bool:
    """True when a power.csv row counts as carbon-free in (14): not storage, and
    ``co2_kg_per_mwh`` 0 (a blank cell is 0)."""
    co2 = tech_row.get("co2_kg_per_mwh") or 0.0
    return tech_row["kind"] != "storage" and not (co2 > 0)


def inputs(cfg, years: list[int], site: dict[str, dict]) -> dict:
    """The ModelData fields of §7.3: ``cfe_target`` (y -> share, only years where the
    interpolated target is > 0), ``cfe_target_table`` (y -> interpolated target in every
    year; empty without a ``cfe_target``) and ``grid_cfe_share`` (s -> share, only > 0)."""
    table = getattr(cfg, "cfe_target", None)
    target = {}
    if table:
        for y in years:
            v = cfg.year_value(table, y) or 0.0
            if v > 0:
                target[y] = v
    share = {s: float(r.get("grid_cfe_share") or 0.0) for s, r in site.items()}
    every = {y: cfg.year_value(table, y) or 0.0 for y in years} if table else {}
    return {
        "cfe_target": target,
        "cfe_target_table": every,
        "grid_cfe_share": {s: v for s, v in share.items() if v > 0},
    }


def define(m: pyo.ConcreteModel, d) -> None:
    """Add the hourly-matching rows of §7.3 to ``m`` (after the energy layer). Nothing is
    added when no year has a target > 0."""
    if not d.cfe_target:
        return
    sy = [(s, y) for s, y in d.load_sy if y in d.cfe_target]
    syh = [(s, y, h) for s, y in sy for h in d.slices]
    m.CFE_SY = pyo.Set(initialize=sy, dimen=2, ordered=True)
    m.CFE_SYH = pyo.Set(initialize=syh, dimen=3, ordered=True)
    m.cfe = pyo.Var(m.CFE_SYH, within=pyo.Reals)
    cfe, load, gen, grid = var_dict(m.cfe), var_dict(m.load_mw), var_dict(m.gen), var_dict(m.grid)
    charge, discharge = var_dict(m.charge), var_dict(m.discharge)
    clean_gen = defaultdict(list)
    for s, k, y, h in d.gen_skyh:
        if carbon_free(d.tech[k]):
            clean_gen[s, y, h].append(gen[s, k, y, h])
    stor = defaultdict(list)
    for s, k, y, h in d.stor_skyh:
        stor[s, y, h].append((discharge[s, k, y, h], charge[s, k, y, h]))

    m.cfe_le_load = pyo.Constraint(m.CFE_SYH, rule=lambda m, s, y, h: le(((1.0, cfe[s, y, h]), (-1.0, load[s, y]))))

    def le_clean(m, s, y, h):
        terms = [(1.0, cfe[s, y, h])]
        terms += [(-1.0, v) for v in clean_gen.get((s, y, h), ())]
        g = grid.get((s, y, h))
        share = d.grid_cfe_share.get(s, 0.0)
        if g is not None and share > 0:
            terms.append((-share, g))
        for dis, ch in stor.get((s, y, h), ()):
            terms += ((-1.0, dis), (1.0, ch))
        return le(terms)

    m.cfe_le_clean = pyo.Constraint(m.CFE_SYH, rule=le_clean)
    hours = sum(d.weight[h] for h in d.slices)
    m.cfe_target = pyo.Constraint(  # (14)
        m.CFE_SY,
        rule=lambda m, s, y: ge(
            [(d.weight[h], cfe[s, y, h]) for h in d.slices] + [(-d.cfe_target[y] * hours, load[s, y])]
        ),
    )
    grid_rows = [key for key in syh if key in grid]
    m.CFE_GRID_SYH = pyo.Set(initialize=grid_rows, dimen=3, ordered=True)

    def grid_use(m, s, y, h):
        terms = [(1.0, grid[s, y, h]), (-1.0, load[s, y])]
        terms += [(-1.0, ch) for _dis, ch in stor.get((s, y, h), ())]
        return le(terms)

    m.cfe_grid_use = pyo.Constraint(m.CFE_GRID_SYH, rule=grid_use)
    for table in (cfe, load, gen, grid, charge, discharge, clean_gen, stor):
        table.clear()
