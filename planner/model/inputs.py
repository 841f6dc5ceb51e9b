"""The inputs of DESIGN.md §7.1 (labour) and §7.4 (carbon scope) as :class:`ModelData`
fields, read from a validated scenario (kept apart from the layer modules, which import
:mod:`planner.model.data`)."""

from __future__ import annotations

import math


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def resource_inputs(scn) -> dict:
    """The §7.1 / §7.4 fields of :class:`ModelData` from a validated scenario: labour
    coefficients of the assets this scenario has (rows of the bundled catalog naming other
    assets are left out), supply rows inside the horizon, each site's pool and the carbon
    scope."""
    from ..io.validate_resources import site_pools

    T = scn.tables
    cfg = scn.config
    assets = set(T["chips.csv"]["chip"]) | set(T["cooling.csv"]["cooling"]) | set(T["power.csv"]["tech"])
    bw, ow = {}, {}
    lab = T.get("labour.csv")
    if lab is not None:
        for r in lab.to_dict("records"):
            if r["asset"] not in assets:
                continue
            if r["build_worker_years_per_mw"]:
                bw[r["asset"], r["trade"]] = float(r["build_worker_years_per_mw"])
            if r["ops_workers_per_mw"]:
                ow[r["asset"], r["trade"]] = float(r["ops_workers_per_mw"])
    supply = {}
    sup = T.get("labour_supply.csv")
    if sup is not None:
        for r in sup.to_dict("records"):
            y = int(r["year"])
            if cfg.start_year <= y <= cfg.end_year:
                prem = None if _blank(r["premium_usd_per_worker_year"]) else float(r["premium_usd_per_worker_year"])
                supply[r["pool"], r["trade"], y] = (float(r["worker_years"]), prem)
    return {
        "labour_bw": bw,
        "labour_ow": ow,
        "labour_supply": supply,
        "labour_pool": site_pools(T["sites.csv"]),
        "carbon_scope": getattr(cfg, "carbon_scope", "operational"),
    }
