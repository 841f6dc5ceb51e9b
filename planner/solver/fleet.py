"""What the existing fleet (DESIGN.md §7.7) does in a solved plan, for summary.json: the
existing halls, units and power in service, and existing units left idle ("retired
early": newer chips pay for their own power)."""

from __future__ import annotations

import pyomo.environ as pyo


def fleet_summary(m, d) -> dict:
    """summary.json key ``existing`` (absent without existing.csv): ``halls_mw``,
    ``units`` and ``power_mw`` in service in the first year (MW IT, units, MW), and
    ``retired_early``: one record per (site, chip, cooling, year) where fewer units are
    powered on than the existing units in service plus the units bought, so that at least
    ``idle_existing`` = existing + bought − active (at most the existing) existing units are
    idle: ``existing``, ``active``, ``idle_existing``."""
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
                {"site": s, "chip": g, "cooling": c, "year": y, "existing": n, "active": act, "idle_existing": idle}
            )
    return {"existing": out}
