"""Cross-file checks of the optional inputs of DESIGN.md §7.1 (skilled labour), §7.2 (water)
and §7.4 (embodied carbon). Run by :func:`planner.io.validate.cross_checks` like its own checks:
each returns ``(errors, warnings)`` of :class:`planner.io.errors.Problem` naming file, row and
column.
"""

from __future__ import annotations

import pandas as pd

from .errors import Problem


def site_pools(sites: pd.DataFrame) -> dict[str, str]:
    """site -> labour pool (the ``labour_pool`` cell, blank = the site's region)."""
    out = {}
    for r in sites.to_dict("records"):
        pool = r.get("labour_pool")
        out[r["site"]] = r["region"] if pool is None or pool == "" or pool != pool else pool
    return out


def check_labour(config, tables, labels):
    """labour.csv: every ``asset`` is a cooling, power tech or chip of the scenario (an error
    for the scenario's own file; rows of the bundled catalog naming assets this scenario does
    not have are ignored); a chip's ``ops_workers_per_mw`` is blank or 0. labour_supply.csv:
    a pool no site uses, and a trade no labour.csv row names, are warnings (the row limits
    nothing)."""
    errors, warnings = [], []
    lab = tables.get("labour.csv")
    sup = tables.get("labour_supply.csv")
    chips = set(tables["chips.csv"]["chip"])
    assets = chips | set(tables["cooling.csv"]["cooling"]) | set(tables["power.csv"]["tech"])
    lname = labels.get("labour.csv", "labour.csv")
    trades = set()
    if lab is not None and len(lab):
        bundled = bool(lab.attrs.get("bundled", True))  # unknown origin (a table edited in memory): lenient
        for r in lab.to_dict("records"):
            a = r["asset"]
            if a is None:
                continue
            if a not in assets:
                if not bundled:
                    errors.append(
                        Problem(
                            lname,
                            int(r["_row"]),
                            "asset",
                            f"'{a}' is no cooling, power tech or chip of this scenario (cooling.csv, power.csv, chips.csv)",
                        )
                    )
                continue
            trades.add(r["trade"])
            if a in chips and pd.notna(r["ops_workers_per_mw"]) and r["ops_workers_per_mw"] > 0:
                errors.append(
                    Problem(
                        lname,
                        int(r["_row"]),
                        "ops_workers_per_mw",
                        f"{r['ops_workers_per_mw']:g} for chip {a} must be blank or 0; operations staff scale with "
                        "the halls (give them on the cooling rows)",
                    )
                )
    if sup is not None and len(sup):
        sname = labels.get("labour_supply.csv", "labour_supply.csv")
        pools = set(site_pools(tables["sites.csv"]).values())
        told_pool, told_trade = set(), set()
        for r in sup.to_dict("records"):
            p, t = r["pool"], r["trade"]
            if p is not None and p not in pools and p not in told_pool:
                told_pool.add(p)
                warnings.append(
                    Problem(
                        sname,
                        int(r["_row"]),
                        "pool",
                        f"pool '{p}' is used by no site (sites.csv labour_pool, blank = the region), so its rows limit nothing",
                    )
                )
            if t is not None and t not in trades and t not in told_trade:
                told_trade.add(t)
                warnings.append(
                    Problem(
                        sname,
                        int(r["_row"]),
                        "trade",
                        f"trade '{t}' has no row in {lname}, so no asset needs it and its rows limit nothing",
                    )
                )
    return errors, warnings
