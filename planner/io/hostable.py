"""Sites that can never host a hall are left out of the program.

Constraint 1 of DESIGN.md §4 lets a site hold ``hall_block_mw`` × halls ≤ ``max_it_mw``; a site
whose ``max_it_mw`` is below one hall block can hold no hall, so no chip, no power and no
token can ever be placed there. Kept in the program, its ``open`` decision has nothing to do
(with ``open_cost_usd`` 0 it appears in no row and no objective term, and the solver leaves it
without a value). Such a site is a warning naming the row and is removed, with its latency,
site_power and profiles rows, before the program is built.
"""

from __future__ import annotations

import pandas as pd

from .errors import Problem

# the tables that name a site in a ``site`` column, dropped with it
_SITE_TABLES = ("sites.csv", "latency.csv", "site_power.csv", "profiles.csv")


def unhostable(config, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Sites of ``tables["sites.csv"]`` whose ``max_it_mw`` is below ``config.hall_block_mw``."""
    s = tables["sites.csv"]
    block = float(config.hall_block_mw)
    return [str(r["site"]) for _, r in s.iterrows() if pd.notna(r["max_it_mw"]) and float(r["max_it_mw"]) < block]


def leave_out(config, tables: dict[str, pd.DataFrame], labels: dict[str, str]) -> list[Problem]:
    """Remove every site that can never host a hall from ``tables`` (in place: sites.csv and
    the latency, site_power and profiles rows of the site) and return one warning per site.
    Every site unhostable is left to the hall_block_mw error of
    :func:`planner.io.validate.check_sites` and nothing is removed."""
    drop = unhostable(config, tables)
    s = tables["sites.csv"]
    if not drop or len(drop) == len(s):
        return []
    block = float(config.hall_block_mw)
    warnings = []
    for _, r in s[s["site"].isin(drop)].iterrows():
        warnings.append(
            Problem(
                labels.get("sites.csv", "sites.csv"),
                int(r["_row"]),
                "max_it_mw",
                f"{float(r['max_it_mw']):g} MW is below one hall block ({block:g} MW, hall_block_mw): "
                f"site {r['site']} can never host a hall and is left out of the plan",
            )
        )
    for fname in _SITE_TABLES:
        t = tables.get(fname)
        if t is not None and "site" in t.columns and len(t):
            tables[fname] = t[~t["site"].isin(drop)].reset_index(drop=True)
    return warnings
