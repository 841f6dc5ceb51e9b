"""Cross-file checks of the optional inputs of DESIGN.md §7.1 (skilled labour), §7.2 (water)
and §7.4 (embodied carbon). Run by :func:`planner.io.validate.cross_checks` like its own checks:
each returns ``(errors, warnings)`` of :class:`planner.io.errors.Problem` naming file, row and
column.
"""

from __future__ import annotations

import difflib
import re

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
    nothing), with "did you mean ...?" where a known name is close (:func:`near_name`); a
    trade that is surely a misspelt one of labour.csv (:func:`typo_of`) is an error. Sites'
    pools: :func:`check_site_pools`."""
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
                        f"pool '{p}' is used by no site (sites.csv labour_pool, blank = the region), so its rows limit nothing"
                        + did_you_mean(p, pools),
                    )
                )
            if t is not None and t not in trades and t not in told_trade:
                told_trade.add(t)
                typo = typo_of(t, trades)
                if typo is not None:  # surely misspelt: the limit its rows set would be lost
                    errors.append(
                        Problem(
                            sname,
                            int(r["_row"]),
                            "trade",
                            f"trade '{t}' has no row in {lname} (did you mean {typo}?); as written, its rows "
                            "would limit nothing",
                        )
                    )
                    continue
                warnings.append(
                    Problem(
                        sname,
                        int(r["_row"]),
                        "trade",
                        f"trade '{t}' has no row in {lname}, so no asset needs it and its rows limit nothing"
                        + did_you_mean(t, trades),
                    )
                )
        e, w = check_site_pools(tables, labels, set(sup["pool"].dropna()))
        errors += e
        warnings += w
    return errors, warnings


def _fold(name: str) -> str:
    """A name without case, spaces, hyphens, underscores and dots ('Gulf-Coast' -> 'gulfcoast')."""
    return re.sub(r"[\s_.\-]+", "", str(name)).lower()


def near_name(name: str, known) -> str | None:
    """The known name ``name`` is most likely a misspelling of, or None: one equal to it but for
    case, spaces, hyphens, underscores and dots, else the closest by :func:`difflib.get_close_matches`
    (ratio at least 0.8, as close as 'electrician' to 'electricians'), but never one that differs
    only in its digits ('pool1' is not a misspelt 'pool2')."""
    known = sorted({str(k) for k in known if k is not None and k == k} - {str(name)})
    folded = {_fold(k): k for k in known}
    if _fold(name) in folded:
        return folded[_fold(name)]
    digitless = re.sub(r"\d+", "", _fold(name))
    for k in difflib.get_close_matches(str(name), known, n=3, cutoff=0.8):
        if re.sub(r"\d+", "", _fold(k)) != digitless:
            return k
    return None


def did_you_mean(name: str, known) -> str:
    """' (did you mean X?)' for the :func:`near_name` of ``name``, or ''."""
    near = near_name(name, known)
    return f" (did you mean {near}?)" if near else ""


def _one_slip(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one letter added, dropped, changed or two neighbours swapped
    (optimal string alignment distance 1)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def typo_of(name: str, known) -> str | None:
    """The known name that ``name`` is surely a misspelling of, or None: equal to it but for
    case, spaces, hyphens, underscores and dots ('Gulf-Coast' for 'gulf_coast'), or one slip
    away (:func:`_one_slip`: 'gulf_caost', 'electrician') for names of five letters or more
    that do not differ in a digit. 'us_east' is no typo of 'us_west' (two letters), nor
    'pool1' of 'pool2'."""
    known = sorted({str(k) for k in known if k is not None and k == k} - {str(name)})
    f = _fold(name)
    for k in known:
        if _fold(k) == f:
            return k
    for k in known:
        fk = _fold(k)
        if min(len(f), len(fk)) >= 5 and _one_slip(f, fk) and re.sub(r"\d+", "", f) != re.sub(r"\d+", "", fk):
            return k
    return None


def check_site_pools(tables, labels, supply_pools: set) -> tuple[list[Problem], list[Problem]]:
    """A site's ``labour_pool`` (given, not blank) that names no pool of labour_supply.csv
    leaves the site's labour unlimited. When it is surely a misspelt pool of that file
    (:func:`typo_of`: 'gulf-coast' for 'gulf_coast', 'US' for 'us') it is an error -- the site
    would silently escape the limit its pool was meant to set; any other unknown pool is a
    warning, with a suggestion where one is close (:func:`near_name`; DESIGN.md §7.1: a pool
    without rows has no limit). Returns (errors, warnings)."""
    errors, warnings = [], []
    sites = tables["sites.csv"]
    if "labour_pool" not in sites.columns or not supply_pools:
        return errors, warnings
    fname = labels.get("sites.csv", "sites.csv")
    supply = labels.get("labour_supply.csv", "labour_supply.csv")
    for r in sites.to_dict("records"):
        p = r.get("labour_pool")
        if p is None or p != p or p == "" or p in supply_pools:
            continue
        near = typo_of(p, supply_pools)
        if near is not None:
            errors.append(
                Problem(
                    fname,
                    int(r["_row"]),
                    "labour_pool",
                    f"pool '{p}' of site {r['site']} has no row in {supply} (did you mean {near}?); as written, "
                    "the site's labour would not be limited at all",
                )
            )
        else:
            warnings.append(
                Problem(
                    fname,
                    int(r["_row"]),
                    "labour_pool",
                    f"pool '{p}' of site {r['site']} has no row in {supply}, so the site's labour is not limited"
                    + did_you_mean(p, supply_pools),
                )
            )
    return errors, warnings
