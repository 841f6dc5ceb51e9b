"""The fleet that already exists (DESIGN.md §7.7): existing.csv turned into constants of the
program, and the rows that pin the sites it stands at open.

An existing asset is in service in [build_year, build_year + lifetime − 1] exactly like a
built one and carries no capital cost:

- halls (MW IT, any amount, not whole blocks) count in constraint 1 (against max_it_mw) and
  in constraint 2 (they power units of their cooling), and pay site + cooling fixed O&M;
- chip units are installed units (active ≤ bought in service + existing in service) and pay
  chip fixed O&M; they count in constraint 10 only when built within the horizon;
- power MW count in constraint 7 and in max_mw, and pay the tech's fixed O&M.

A site with any existing row has no open cost, and ``open[s,y]`` is fixed to 1 from the
first year one of its assets is in service (the site may open earlier, at no cost). The
windows of new builds (first years, sale years, lead times, site_power.csv pairs) do not
apply. Fixed O&M of existing assets is added to ``hall_fom``, ``chip_fom`` and ``power_fom``
by the layers (so costs.csv keeps its components).

This module reads nothing from :mod:`.data` (which calls :func:`existing_data`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Existing:
    """The existing fleet within the horizon. ``hall_mw`` (s,c,y) -> MW IT in service;
    ``units`` (s,g,c,y) -> units in service; ``built_units`` (g,y) -> units built in year y of
    the horizon (constraint 10); ``power_mw`` (s,k,y) -> MW in service; ``sites`` s -> first
    horizon year one of its assets is in service (None if none is); ``rows`` the existing.csv
    records (site, asset, kind, cooling, build_year, quantity)."""

    hall_mw: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    built_units: dict = field(default_factory=dict)
    power_mw: dict = field(default_factory=dict)
    sites: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.rows)


def existing_data(tables: dict, years: list[int], chip: dict, cool: dict, tech: dict) -> Existing:
    """Build :class:`Existing` from the validated ``existing.csv`` (absent: empty)."""
    ex = Existing()
    t = tables.get("existing.csv")
    if t is None or not len(t):
        return ex
    hall_mw, units, built, power = defaultdict(float), defaultdict(float), defaultdict(float), defaultdict(float)
    y0, y1 = years[0], years[-1]
    for r in t.to_dict("records"):
        s, a, b, q = r["site"], r["asset"], int(r["build_year"]), float(r["quantity"])
        c = r["cooling"] if isinstance(r["cooling"], str) and r["cooling"] else None
        if a in cool:
            kind, life = "hall", int(cool[a]["lifetime_years"])
        elif a in chip:
            kind, life = "chip", int(chip[a]["lifetime_years"])
        else:
            kind, life = "power", int(tech[a]["lifetime_years"])
        ex.rows.append({"site": s, "asset": a, "kind": kind, "cooling": c, "build_year": b, "quantity": q})
        svc = [y for y in years if b <= y <= b + life - 1]
        first = svc[0] if svc else None
        ex.sites.setdefault(s, None)
        if first is not None and (ex.sites[s] is None or first < ex.sites[s]):
            ex.sites[s] = first
        for y in svc:
            if kind == "hall":
                hall_mw[s, a, y] += q
            elif kind == "chip":
                units[s, a, c, y] += q
            else:
                power[s, a, y] += q
        if kind == "chip" and y0 <= b <= y1:
            built[a, b] += q
    ex.hall_mw, ex.units, ex.built_units, ex.power_mw = dict(hall_mw), dict(units), dict(built), dict(power)
    return ex


def first_open_year(ex: Existing, s: str, first_year: int) -> int:
    """The first year site ``s`` may be open: its ``first_year``, or earlier when an existing
    asset is in service before it."""
    y = ex.sites.get(s) if ex else None
    return first_year if y is None else min(first_year, y)


def define(m, d) -> None:
    """Fix ``open[s,y]`` to 1 from the first year an existing asset of s is in service."""
    ex = getattr(d, "existing", None)
    if not ex:
        return
    for s, first in ex.sites.items():
        if first is None:
            continue
        for y in d.years:
            if y >= first and (s, y) in m.OPEN_SY:
                m.open[s, y].setlb(1)


def hall_mw_by_site_year(ex: Existing) -> dict:
    """(s, y) -> MW IT of existing halls in service (all coolings)."""
    out: dict = defaultdict(float)
    for (s, _c, y), mw in (ex.hall_mw if ex else {}).items():
        out[s, y] += mw
    return out


def frame(ex: Existing) -> pd.DataFrame:
    """The existing.csv records as a DataFrame (columns of :attr:`Existing.rows`)."""
    return pd.DataFrame(ex.rows, columns=["site", "asset", "kind", "cooling", "build_year", "quantity"])
