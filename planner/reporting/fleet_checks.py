"""The existing fleet (DESIGN.md §7.7) as the invariant checks of
:mod:`planner.reporting.checks` see it, recomputed from existing.csv and the catalog alone
(not from the model): what is in service each year, which sites it opens, and the fixed
O&M it pays. The rows "<asset> (existing)" of investment_schedule.csv are set aside from
the checks of built assets (they carry no capital)."""

from __future__ import annotations

from collections import defaultdict

EXISTING_SUFFIX = " (existing)"


def attach(ctx) -> None:
    """Set ``ctx.ex_units`` (s,g,c,y) -> units, ``ctx.ex_halls`` (s,c,y) -> MW IT,
    ``ctx.ex_power`` (s,k,y) -> MW in service, ``ctx.ex_sites`` s -> first year in service
    (None if never within the horizon), and drop the existing rows from ``ctx.sched``."""
    ctx.ex_units, ctx.ex_halls, ctx.ex_power = defaultdict(float), defaultdict(float), defaultdict(float)
    ctx.ex_sites = {}
    sched = ctx.sched
    if len(sched):
        ctx.sched = sched[~sched["item"].astype(str).str.endswith(EXISTING_SUFFIX)]
    t = ctx.scn.tables.get("existing.csv")
    if t is None:
        return
    for r in t.to_dict("records"):
        s, a, b, q = r["site"], r["asset"], int(r["build_year"]), float(r["quantity"])
        if a in ctx.cool:
            life, target, key = ctx.cool[a]["lifetime_years"], ctx.ex_halls, (s, a)
        elif a in ctx.chip:
            life, target, key = ctx.chip[a]["lifetime_years"], ctx.ex_units, (s, a, r["cooling"])
        else:
            life, target, key = ctx.tech[a]["lifetime_years"], ctx.ex_power, (s, a)
        ctx.ex_sites.setdefault(s, None)
        for y in ctx.years:
            if b <= y <= b + int(life) - 1:
                target[(*key, y)] += q
                if ctx.ex_sites[s] is None or y < ctx.ex_sites[s]:
                    ctx.ex_sites[s] = y


def existing_fom(ctx, cost) -> None:
    """Add the fixed O&M of the existing fleet to ``cost`` ((year, component) -> USD)."""
    for (s, c, y), mw in ctx.ex_halls.items():
        cost[y, "hall_fom"] += (ctx.site[s]["fom_usd_per_mw_it_yr"] + ctx.cool[c]["fom_usd_per_mw_it_yr"]) * mw
    for (_s, g, _c, y), n in ctx.ex_units.items():
        cost[y, "chip_fom"] += ctx.chip[g]["fom_usd_per_unit_yr"] * n
    for (_s, k, y), mw in ctx.ex_power.items():
        cost[y, "power_fom"] += ctx.tech[k]["fom_usd_per_kw_yr"] * 1000.0 * mw
