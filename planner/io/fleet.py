"""The fleet that already exists and chip supply by year (DESIGN.md §7.7): the optional
scenario files ``existing.csv`` and ``chip_supply.csv``, read and checked.

``existing.csv`` -- key (site, asset, cooling, build_year): ``quantity``, ``source``. ``asset``
is a cooling (``cooling`` blank, ``quantity`` MW IT of halls, any amount), a chip (``cooling``
names the halls the units sit in, ``quantity`` whole units) or a power tech (``cooling``
blank, ``quantity`` MW). ``build_year`` may precede ``start_year`` (built) or fall in the
horizon (committed), never after ``end_year``.

``chip_supply.csv`` -- key (chip, year): ``max_units`` (units a year over all sites,
replacing the chip's ``max_units_per_year`` for that year; blank = no limit), ``source``.

Both files live only in the scenario folder; a scenario without them plans as in §4 (no
warning is given for their absence). Checks (every problem named by file, row and column):
unknown sites, assets, chips and coolings (with a near-miss suggestion), a cooling given for
a hall or power row, a chip without halls or in a cooling it does not fit, a fractional unit
count, a build year after ``end_year``, and an existing fleet that by itself exceeds a site's
``max_it_mw``, a ``max_mw`` of site_power.csv or a year's chip supply. Warnings (the plan
is still made, see :func:`existing_warnings`): an existing site no demand can reach, existing
units without (enough) existing halls of their cooling, existing variable power without
profiles.csv rows.
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from pathlib import Path

import pandas as pd

from .errors import Problem
from .readers import read_table
from .schema import NO_LIMIT, TEXT, Column, FileSpec

EXISTING = FileSpec(
    "existing.csv",
    ("site", "asset", "cooling", "build_year"),
    (
        Column("site", "key", "-", "site the asset stands at", ref="sites.csv"),
        Column("asset", "key", "-", "a cooling (halls), a chip (units) or a power tech (MW)"),
        Column("cooling", "key", "-", "the halls a chip's units sit in (blank for halls and power)", blank=TEXT),
        Column("build_year", "year", "year", "year it entered (or enters) service; may precede start_year"),
        Column("quantity", "float", "MW IT / units / MW", "halls: MW IT; chips: units; power: MW", lo=0, lo_open=True),
        Column("source", "text", "-", "where the figures of this row come from", blank=TEXT),
    ),
    required=False,
    description="assets already built or committed (DESIGN.md §7.7): no capital, O&M paid",
)
CHIP_SUPPLY = FileSpec(
    "chip_supply.csv",
    ("chip", "year"),
    (
        Column("chip", "key", "-", "accelerator product", ref="chips.csv"),
        Column("year", "year", "year", "year of purchase"),
        Column("max_units", "float", "units/yr", "units that can be bought that year, all sites", blank=NO_LIMIT, lo=0),
        Column("source", "text", "-", "where the figures of this row come from", blank=TEXT),
    ),
    required=False,
    description="chip supply per year (DESIGN.md §7.7), replacing max_units_per_year for the years listed",
)
FLEET_FILES = {EXISTING.name: EXISTING, CHIP_SUPPLY.name: CHIP_SUPPLY}


def load_fleet(folder: Path, config, tables: dict, paths: dict, errors: list[Problem], warnings: list[Problem]) -> None:
    """Read ``existing.csv`` and ``chip_supply.csv`` from the scenario ``folder`` when present
    into ``tables`` (and ``paths``), and append their problems to ``errors``/``warnings``.
    Cross-file checks run only when ``config`` and the §3 tables loaded."""
    start = config.start_year if config else None
    for fname, spec in FLEET_FILES.items():
        path = Path(folder) / fname
        if not path.is_file():
            continue
        table, errs, warns = read_table(path, spec, start)
        errors += errs
        warnings += warns
        if table is not None:
            tables[fname] = table
            paths[fname] = path
    needed = ("sites.csv", "chips.csv", "cooling.csv", "power.csv", "site_power.csv")
    if config is None or errors or not all(f in tables for f in needed):
        return
    if "chip_supply.csv" in tables:
        errors += _check_supply(config, tables)
        warnings += _supply_outside_horizon(config, tables)
    if "existing.csv" in tables:
        errors += _check_existing(config, tables)
        if not errors:
            errors += _check_existing_staff(config, tables)
            warnings += _retired_before_start(config, tables)
            warnings += existing_warnings(config, tables)


def _near(name: str, known) -> str:
    near = difflib.get_close_matches(str(name), sorted(map(str, known)), n=1, cutoff=0.6)
    return f" (did you mean {near[0]}?)" if near else ""


def _check_supply(config, tables) -> list[Problem]:
    out = []
    chips = set(tables["chips.csv"]["chip"])
    for r in tables["chip_supply.csv"].to_dict("records"):
        if r["chip"] not in chips:
            near = _near(r["chip"], chips)
            out.append(
                Problem(
                    "chip_supply.csv", int(r["_row"]), "chip", f"'{r['chip']}' is not a chip listed in chips.csv{near}"
                )
            )
    return out


def _supply_outside_horizon(config, tables) -> list[Problem]:
    """One warning per chip_supply.csv row whose year lies outside [start_year, end_year]:
    the row is ignored (like demand outside the horizon, a shortened horizon is a normal
    what-if, but a typo in a year would otherwise vanish silently)."""
    lo, hi = config.start_year, config.end_year
    out = []
    for r in tables["chip_supply.csv"].to_dict("records"):
        y = int(r["year"])
        if not lo <= y <= hi:
            out.append(
                Problem(
                    "chip_supply.csv",
                    int(r["_row"]),
                    "year",
                    f"{y} is outside the horizon {lo}-{hi} and is ignored",
                )
            )
    return out


def asset_kind(asset: str, tables) -> str | None:
    """``"hall"``, ``"chip"`` or ``"power"`` for an ``existing.csv`` asset (None if unknown)."""
    if asset in set(tables["cooling.csv"]["cooling"]):
        return "hall"
    if asset in set(tables["chips.csv"]["chip"]):
        return "chip"
    if asset in set(tables["power.csv"]["tech"]):
        return "power"
    return None


def _check_existing(config, tables) -> list[Problem]:
    F = "existing.csv"
    out = []
    ex = tables[F]
    sites = tables["sites.csv"].set_index("site")
    chips = tables["chips.csv"].set_index("chip")
    cool = tables["cooling.csv"].set_index("cooling")
    power = tables["power.csv"].set_index("tech")
    known = sorted(set(cool.index) | set(chips.index) | set(power.index))
    halls_sy: dict = defaultdict(float)  # (site, year) -> MW IT of existing halls in service
    halls_rows: dict = defaultdict(list)
    power_sky: dict = defaultdict(float)
    power_rows: dict = defaultdict(list)
    units_gy: dict = defaultdict(float)  # (chip, build year in horizon) -> units
    units_rows: dict = defaultdict(list)
    Y = range(config.start_year, config.end_year + 1)
    for r in ex.to_dict("records"):
        row = int(r["_row"])
        s, a, c, b, q = r["site"], r["asset"], r["cooling"], r["build_year"], r["quantity"]
        if s not in sites.index:
            out.append(Problem(F, row, "site", f"'{s}' is not a site listed in sites.csv{_near(s, sites.index)}"))
            continue
        kind = asset_kind(a, tables)
        if kind is None:
            out.append(
                Problem(F, row, "asset", f"'{a}' is not a cooling, chip or power tech of the catalog{_near(a, known)}")
            )
            continue
        if b > config.end_year:
            out.append(
                Problem(
                    F, row, "build_year", f"{int(b)} is after end_year {config.end_year}; the asset is never in service"
                )
            )
            continue
        has_c = isinstance(c, str) and c != ""
        if kind in ("hall", "power") and has_c:
            what = "halls" if kind == "hall" else "power capacity"
            out.append(
                Problem(
                    F,
                    row,
                    "cooling",
                    f"must be blank for {what} ({a} is a {'cooling' if kind == 'hall' else 'power tech'})",
                )
            )
            continue
        if kind == "chip":
            if not has_c:
                out.append(
                    Problem(F, row, "cooling", f"is blank; chip units of {a} need the cooling of the halls they sit in")
                )
                continue
            if c not in cool.index:
                out.append(
                    Problem(F, row, "cooling", f"'{c}' is not a cooling listed in cooling.csv{_near(c, cool.index)}")
                )
                continue
            if chips.loc[a, "rack_kw"] > cool.loc[c, "max_rack_kw"]:
                out.append(
                    Problem(
                        F,
                        row,
                        "cooling",
                        f"{a} racks draw {chips.loc[a, 'rack_kw']:g} kW, more than {c} can cool "
                        f"({cool.loc[c, 'max_rack_kw']:g} kW per rack)",
                    )
                )
                continue
            if not float(q).is_integer():
                out.append(Problem(F, row, "quantity", f"{q:g} is not a whole number of {a} units"))
                continue
            if config.start_year <= b <= config.end_year:
                units_gy[a, int(b)] += q
                units_rows[a, int(b)].append(row)
        elif kind == "hall":
            life = int(cool.loc[a, "lifetime_years"])
            for y in Y:
                if b <= y <= b + life - 1:
                    halls_sy[s, y] += q
                    halls_rows[s, y].append(row)
        else:
            life = int(power.loc[a, "lifetime_years"])
            for y in Y:
                if b <= y <= b + life - 1:
                    power_sky[s, a, y] += q
                    power_rows[s, a, y].append(row)
    reported = set()
    for (s, y), mw in sorted(halls_sy.items()):
        mx = sites.loc[s, "max_it_mw"]
        if mw > mx + 1e-9 and s not in reported:
            reported.add(s)
            rows = halls_rows[s, y]
            out.append(
                Problem(
                    F,
                    rows[0],
                    "quantity",
                    f"existing halls at {s} (rows {', '.join(map(str, rows))}) hold {mw:g} MW IT in {y}, "
                    f"above the site's max_it_mw {mx:g}",
                )
            )
    sp = tables["site_power.csv"]
    max_mw = {(r["site"], r["tech"]): r["max_mw"] for r in sp.to_dict("records")}
    for (s, k, y), mw in sorted(power_sky.items()):
        mx = max_mw.get((s, k), math.nan)
        if not pd.isna(mx) and mw > mx + 1e-9 and (s, k) not in reported:
            reported.add((s, k))
            rows = power_rows[s, k, y]
            out.append(
                Problem(
                    F,
                    rows[0],
                    "quantity",
                    f"existing {k} at {s} (rows {', '.join(map(str, rows))}) is {mw:g} MW in {y}, above its max_mw {mx:g} in site_power.csv",
                )
            )
    supply = supply_table(config, tables)
    for (g, y), n in sorted(units_gy.items()):
        mx = supply.get((g, y))
        if mx is not None and n > mx + 1e-9:
            rows = units_rows[g, y]
            out.append(
                Problem(
                    F,
                    rows[0],
                    "quantity",
                    f"{n:g} existing {g} units built in {y} (rows {', '.join(map(str, rows))}) exceed that year's chip supply of {mx:g}",
                )
            )
    return out


def _in_service(config, tables) -> list[tuple[dict, str, int, int]]:
    """(row, kind, first year, last year in service) of every row of existing.csv, from
    the lifetime_years of its cooling, power tech or chip."""
    life = {
        "hall": tables["cooling.csv"].set_index("cooling")["lifetime_years"],
        "power": tables["power.csv"].set_index("tech")["lifetime_years"],
        "chip": tables["chips.csv"].set_index("chip")["lifetime_years"],
    }
    out = []
    for r in tables["existing.csv"].to_dict("records"):
        kind = asset_kind(r["asset"], tables)
        if kind in life:
            b = int(r["build_year"])
            out.append((r, kind, b, b + int(life[kind][r["asset"]]) - 1))
    return out


def _check_existing_staff(config, tables) -> list[Problem]:
    """DESIGN.md §7.7: the operations staff of the existing halls and power in service
    (``ops_workers_per_mw`` of labour.csv × MW) exceed a hard labour_supply.csv row (blank
    premium) by themselves: no plan can satisfy (12). One error per such row, naming the
    existing.csv rows whose staff count."""
    lab, sup = tables.get("labour.csv"), tables.get("labour_supply.csv")
    if lab is None or sup is None or not len(lab) or not len(sup):
        return []
    from .validate_resources import site_pools

    pools = site_pools(tables["sites.csv"])
    ow = {
        (r["asset"], r["trade"]): float(r["ops_workers_per_mw"])
        for r in lab.to_dict("records")
        if not pd.isna(r["ops_workers_per_mw"]) and r["ops_workers_per_mw"] > 0
    }
    staff: dict = defaultdict(float)
    rows: dict = defaultdict(list)
    for r, _kind, first, last in _in_service(config, tables):
        for (asset, trade), o in ow.items():
            if asset != r["asset"]:
                continue
            for y in range(max(first, config.start_year), min(last, config.end_year) + 1):
                key = (pools[r["site"]], trade, y)
                staff[key] += o * float(r["quantity"])
                rows[key].append(int(r["_row"]))
    out = []
    for r in sup.to_dict("records"):
        key = (r["pool"], r["trade"], int(r["year"]))
        if key not in staff or not pd.isna(r["premium_usd_per_worker_year"]) or pd.isna(r["worker_years"]):
            continue
        if staff[key] > float(r["worker_years"]) * (1 + 1e-9):
            p, t, y = key
            out.append(
                Problem(
                    "labour_supply.csv",
                    int(r["_row"]),
                    "worker_years",
                    f"{float(r['worker_years']):g} {t} worker-years in pool {p} in {y} are fewer than the "
                    f"{staff[key]:g} operations staff of the existing fleet alone (existing.csv rows "
                    f"{', '.join(map(str, sorted(set(rows[key]))))}); raise the limit or give a hiring premium",
                )
            )
    return out


def _retired_before_start(config, tables) -> list[Problem]:
    """A warning for each existing row whose service window
    [build_year, build_year + lifetime − 1] ends before ``start_year``: it plays no part in
    the plan (a build year typed wrong, or a lifetime shorter than meant)."""
    out = []
    for r, kind, first, last in _in_service(config, tables):
        if last < config.start_year:
            what = {"hall": "cooling.csv", "power": "power.csv", "chip": "chips.csv"}[kind]
            out.append(
                Problem(
                    "existing.csv",
                    int(r["_row"]),
                    "build_year",
                    f"{r['asset']} built in {first} retires after {last} (lifetime_years of {what}), before "
                    f"start_year {config.start_year}, so the row is ignored",
                )
            )
    return out


def supply_table(config, tables) -> dict[tuple[str, int], float]:
    """(chip, year) -> most units that can be bought that year over all sites, for every
    year of the horizon that has a limit: ``max_units_per_year`` of chips.csv, replaced by
    ``chip_supply.csv`` where it lists (chip, year) (a blank cell there: no limit)."""
    out: dict = {}
    Y = range(config.start_year, config.end_year + 1)
    for r in tables["chips.csv"].to_dict("records"):
        mu = r["max_units_per_year"]
        if not pd.isna(mu):
            for y in Y:
                out[r["chip"], y] = float(mu)
    cs = tables.get("chip_supply.csv")
    if cs is not None:
        for r in cs.to_dict("records"):
            k = (r["chip"], int(r["year"]))
            if pd.isna(r["max_units"]):
                out.pop(k, None)
            else:
                out[k] = float(r["max_units"])
    return out


def _no_limit_year(v) -> float:
    """A first_year cell: blank (NaN) is no limit."""
    return -math.inf if v is None or pd.isna(v) else float(v)


def existing_warnings(config, tables) -> list[Problem]:
    """Warnings (DESIGN.md §7.7 makes them no error: the plan is still made) for an existing
    fleet that cannot do what it looks meant to do, each naming the existing.csv row:

    - an existing site without a latency.csv pair within the ``max_latency_ms`` of some
      demand.csv row of the horizon (blank = any latency): its fleet can serve nobody (column
      ``site``);
    - existing chip units in a cooling for which the site has no existing halls in a year they
      are in service while no new hall block can be in service there then (the site's or the
      cooling's ``first_year`` is later, or ``max_it_mw`` less the existing halls is below
      ``hall_block_mw``): they stay idle (column ``cooling``);
    - existing units whose MW IT (units × ``it_kw_per_unit``, all existing rows of the site
      and cooling) exceed the site's existing halls of that cooling: the excess runs only in
      new halls (column ``quantity``);
    - existing power of a ``variable`` tech with no profiles.csv rows for its (site, tech):
      capacity factor 0 all year, fixed O&M still paid (column ``asset``).
    One warning per row and kind (the first year it applies)."""
    F = "existing.csv"
    out: list[Problem] = []
    sites = tables["sites.csv"].set_index("site")
    chips = tables["chips.csv"].set_index("chip")
    cool = tables["cooling.csv"].set_index("cooling")
    power = tables["power.csv"].set_index("tech")
    Y = range(config.start_year, config.end_year + 1)
    svc = _in_service(config, tables)
    first_row: dict = {}
    for r, _kind, _first, _last in svc:
        first_row.setdefault(r["site"], int(r["_row"]))
    # 1. sites no demand can reach
    lat, dem = tables.get("latency.csv"), tables.get("demand.csv")
    if lat is not None and dem is not None:
        dem = dem[(dem["year"] >= config.start_year) & (dem["year"] <= config.end_year)]
        reach: set = set()
        for d in dem.to_dict("records"):
            mx = d.get("max_latency_ms")
            for lr in lat[lat["region"] == d["region"]].to_dict("records"):
                if mx is None or pd.isna(mx) or lr["latency_ms"] <= mx:
                    reach.add(lr["site"])
        for s, row in sorted(first_row.items(), key=lambda kv: kv[1]):
            if s not in reach:
                out.append(
                    Problem(
                        F,
                        row,
                        "site",
                        f"existing site {s} has no latency.csv pair within the max_latency_ms of any demand.csv "
                        "row of the horizon, so its existing fleet can serve nobody; add latency.csv rows for it",
                    )
                )
    # 2. existing units and the existing halls of their cooling
    halls: dict = defaultdict(float)  # (s, c, y) -> MW IT of existing halls
    it: dict = defaultdict(float)  # (s, c, y) -> MW IT of existing units
    for r, kind, first, last in svc:
        for y in Y:
            if first <= y <= last:
                if kind == "hall":
                    halls[r["site"], r["asset"], y] += float(r["quantity"])
                elif kind == "chip":
                    it[r["site"], r["cooling"], y] += (
                        float(r["quantity"]) * float(chips.loc[r["asset"], "it_kw_per_unit"]) / 1000
                    )
    hb = float(config.hall_block_mw)
    for r, kind, first, last in svc:
        if kind != "chip":
            continue
        s, c, row = r["site"], r["cooling"], int(r["_row"])
        for y in (y for y in Y if first <= y <= last):
            have, need = halls.get((s, c, y), 0.0), it[s, c, y]
            if have <= 1e-9:
                room = float(sites.loc[s, "max_it_mw"]) - sum(
                    v for (ss, _c, yy), v in halls.items() if ss == s and yy == y
                )
                late = y < _no_limit_year(sites.loc[s, "first_year"]) or y < _no_limit_year(cool.loc[c, "first_year"])
                if late or room < hb - 1e-9:
                    why = (
                        "no hall block can be built there by then"
                        if late
                        else (f"max_it_mw leaves {room:g} MW, less than one {hb:g} MW hall block")
                    )
                    out.append(
                        Problem(
                            F,
                            row,
                            "cooling",
                            f"{r['asset']} units at {s} sit in {c} halls, but {s} has no existing {c} halls in {y} "
                            f"and {why}: the units stay idle",
                        )
                    )
                    break
            if need > have + 1e-9:
                out.append(
                    Problem(
                        F,
                        row,
                        "quantity",
                        f"existing units at {s} in {c} halls draw {need:g} MW IT in {y}, more than the {have:g} MW "
                        f"of existing {c} halls there; the rest runs only in new halls",
                    )
                )
                break
    # 3. existing variable power without profiles
    prof = tables.get("profiles.csv")
    have_prof = set(zip(prof["site"], prof["tech"])) if prof is not None and len(prof) else set()
    for r, kind, _first, last in svc:
        if kind == "power" and last >= config.start_year and power.loc[r["asset"], "kind"] == "variable":
            if (r["site"], r["asset"]) not in have_prof:
                out.append(
                    Problem(
                        F,
                        int(r["_row"]),
                        "asset",
                        f"existing {r['asset']} at {r['site']} has no profiles.csv rows: its capacity factor is 0 "
                        "all year, so it generates nothing while its fixed O&M is paid",
                    )
                )
    return out
