"""What changed between two plans (two results folders): net present cost, sites opened, MW
IT by chip generation and energy by source, year by year.

:func:`compare` returns one long table (section, item, year, a, b, change) that the CLI prints
as rich tables and writes as CSV on request. ``year`` is blank for whole-horizon rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import resources, stack
from .cfe import compare_rows as cfe_compare_rows
from .tiers import compare_rows

COLUMNS = ["section", "item", "year", "a", "b", "change", "unit"]


def compare(folder_a: str | Path, folder_b: str | Path) -> tuple[pd.DataFrame, dict, dict]:
    """(long table, summary A, summary B). Raises FileNotFoundError on a non-results folder."""
    ta, sa = stack.read_folder(Path(folder_a))
    tb, sb = stack.read_folder(Path(folder_b))
    years = sorted(set(stack.years_of(sa)) | set(stack.years_of(sb)))
    rows: list[tuple] = []

    def add(section, item, year, a, b, unit):
        a = 0.0 if a is None or pd.isna(a) else float(a)
        b = 0.0 if b is None or pd.isna(b) else float(b)
        rows.append((section, item, year, a, b, b - a, unit))

    add("cost", "net present cost", None, sa.get("objective_usd"), sb.get("objective_usd"), "USD")
    la, lb = sa.get("totals_usd_discounted", {}), sb.get("totals_usd_discounted", {})
    for layer in stack.LAYERS:
        add("cost", f"{layer} (discounted)", None, la.get(layer), lb.get(layer), "USD")
    ca = ta["costs"].groupby("year")["usd"].sum()
    cb = tb["costs"].groupby("year")["usd"].sum()
    for y in years:
        add("cost", "annual cost", y, ca.get(y), cb.get(y), "USD")
    # sites: opening year (blank = not opened)
    oa = dict(zip(*stack.sites_opened(ta)[["site", "year"]].to_numpy().T)) if len(stack.sites_opened(ta)) else {}
    ob = dict(zip(*stack.sites_opened(tb)[["site", "year"]].to_numpy().T)) if len(stack.sites_opened(tb)) else {}
    for s in sorted(set(oa) | set(ob)):
        ya, yb = oa.get(s), ob.get(s)
        rows.append(
            (
                "sites",
                s,
                None,
                float(ya) if ya is not None else float("nan"),
                float(yb) if yb is not None else float("nan"),
                (float(yb) - float(ya)) if ya is not None and yb is not None else float("nan"),
                "year opened",
            )
        )
    ga = stack.generation_pivot(ta, years, "it_mw")
    gb = stack.generation_pivot(tb, years, "it_mw")
    for g in sorted(set(ga.columns) | set(gb.columns), key=stack.generation_sort_key):
        for y in years:
            a = ga.loc[y, g] if g in ga.columns else 0.0
            b = gb.loc[y, g] if g in gb.columns else 0.0
            if a or b:
                add("MW IT by generation", g, y, a, b, "MW")
    ea = stack.energy_by_source(ta, years)
    eb = stack.energy_by_source(tb, years)
    for k in sorted(set(ea.columns) | set(eb.columns)):
        for y in years:
            a = ea.loc[y, k] if k in ea.columns else 0.0
            b = eb.loc[y, k] if k in eb.columns else 0.0
            if a or b:
                add("energy by source", k, y, a, b, "MWh")
    co_a, co_b = stack.co2_by_year(ta, years), stack.co2_by_year(tb, years)
    for y in years:
        add("CO2", "all sites", y, co_a.get(y), co_b.get(y), "t")
    ua, ub = ta["unserved"], tb["unserved"]
    ua = ua.groupby("year")["tokens"].sum() if len(ua) else pd.Series(dtype=float)
    ub = ub.groupby("year")["tokens"].sum() if len(ub) else pd.Series(dtype=float)
    for y in years:
        if ua.get(y, 0.0) or ub.get(y, 0.0):
            add("unserved", "tokens", y, ua.get(y), ub.get(y), "tokens")
    for section, item, y, a, b, unit in cfe_compare_rows(ta, tb, years):  # §7.3, §7.5
        add(section, item, y, a, b, unit)
    resources.compare_rows(ta, tb, years, add)  # DESIGN.md §7.1, §7.2, §7.4
    rows += compare_rows(ta, tb, years)  # service tiers (DESIGN.md §7.9), when either plan uses them
    t = pd.DataFrame(rows, columns=COLUMNS)
    t["year"] = t["year"].astype("Int64")
    return t, sa, sb
