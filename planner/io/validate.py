"""Cross-file checks of a scenario (after each file was read and typed on its own).

Each check is a small named function in the manner of PyPSA's ``consistency.py``; all run,
and every problem is returned, so a user sees everything wrong at once.
"""

from __future__ import annotations

import difflib
import math

import pandas as pd

from .errors import Problem
from .limits import check_objective
from .plausible import (
    check_magnitudes,
    check_real_sizes,  # a power or water figure in the wrong unit
    check_unit_fits_rack,
)
from .schema import FILES
from .tiers import check_tiers
from .validate_resources import check_labour
from .validate_sovereignty import check_countries, check_sovereign_shares

HOURS_PER_YEAR = 8760.0
CAPEX_PER_KW_LOOKS_PER_MW = 30_000.0  # USD/kW; the costliest real plants are ~15,000 USD/kW
# tokens a year: the program counts tokens in tera-tokens and HiGHS resolves 1e-7 of a unit,
# so a demand below 1e9 tokens (1e-3 Ttok) is too small for the solver to see reliably
MIN_DEMAND_TOKENS = 1e9


def cross_checks(
    config, tables: dict[str, pd.DataFrame], labels: dict[str, str]
) -> tuple[list[Problem], list[Problem]]:
    """Run every cross-file check. ``tables`` maps file name to typed table (with ``_row``);
    ``labels`` maps file name to the name to print (a ``--demand`` file keeps its own name).
    Returns (errors, warnings)."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for check in (
        check_empty_tables,
        check_unknown_references,
        check_years_in_horizon,
        check_demand_scale,
        check_slices,
        check_power_techs,
        check_chips,
        check_models,
        check_sites,
        check_serving_reach,
        check_profiles,
        check_units,
        check_countries,
        check_sovereign_shares,
        check_objective,  # DESIGN.md §7.6 (planner.io.limits)
        check_labour,  # DESIGN.md §7.1 (planner.io.validate_resources)
        # inputs that cannot be right
        check_unit_fits_rack,
        check_magnitudes,
        check_real_sizes,
        check_tiers,
    ):
        try:
            e, w = check(config, tables, labels)
        except Exception:
            # a check may trip over cells already reported as errors (NaN, blank keys);
            # those errors are what the user needs to see. Without earlier errors a failing
            # check is a bug and must surface.
            if errors or any(_has_nan_keys(tables, f) for f in tables):
                continue
            raise
        errors += e
        warnings += w
    return errors, warnings


def _has_nan_keys(tables, fname) -> bool:
    t = tables[fname]
    keys = [k for k in FILES[fname].keys if k in t.columns]
    return bool(len(t)) and bool(t[keys].isna().any().any())


def check_empty_tables(config, tables, labels):
    """Files that must have rows to make a plan: regions, sites, slices, chips, cooling,
    models, throughput are errors when empty; an empty demand.csv is a warning (nothing to
    plan)."""
    errors, warnings = [], []
    for fname in ("regions.csv", "sites.csv", "chips.csv", "cooling.csv", "models.csv", "throughput.csv"):
        if len(tables[fname]) == 0:
            errors.append(Problem(labels[fname], None, None, "has a header but no rows; at least one row is required"))
    if len(tables["demand.csv"]) == 0:
        warnings.append(Problem(labels["demand.csv"], None, None, "has no rows, so there is no demand to plan for"))
    return errors, warnings


def _keys(tables, fname) -> set:
    t = tables[fname]
    col = FILES[fname].keys[0]
    return set(t[col].dropna())


def check_unknown_references(config, tables, labels):
    """Every reference column (``ref``) names a key that exists in the referenced file."""
    errors = []
    for fname, spec in FILES.items():
        t = tables[fname]
        for col in spec.columns:
            if not col.ref:
                continue
            known = _keys(tables, col.ref)
            bad = t[t[col.name].notna() & ~t[col.name].isin(known)]
            for _, r in bad.iterrows():
                near = difflib.get_close_matches(str(r[col.name]), sorted(map(str, known)), n=1, cutoff=0.6)
                low = {str(k).lower(): k for k in known}
                if str(r[col.name]).lower() in low:
                    near = [low[str(r[col.name]).lower()]]
                hint = f" (did you mean {near[0]}?)" if near else ""
                errors.append(
                    Problem(
                        labels[fname],
                        int(r["_row"]),
                        col.name,
                        f"'{r[col.name]}' is not a {col.ref.removesuffix('.csv').rstrip('s')} listed in {labels[col.ref]}{hint}",
                    )
                )
    return errors, []


def check_years_in_horizon(config, tables, labels):
    """Demand rows outside [start_year, end_year] are ignored with one warning (a shortened
    horizon is a normal what-if); availability years after the horizon are flagged."""
    errors, warnings = [], []
    lo, hi = config.start_year, config.end_year
    d = tables["demand.csv"]
    bad = d[d["year"].notna() & ((d["year"] < lo) | (d["year"] > hi))]
    if len(bad):
        years = sorted({int(y) for y in bad["year"]})
        ytxt = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
        more = f" (and {len(bad) - 1} more rows)" if len(bad) > 1 else ""
        warnings.append(
            Problem(
                labels["demand.csv"],
                int(bad["_row"].min()),
                "year",
                f"demand in {ytxt} is outside the horizon {lo}-{hi} and is ignored{more}",
            )
        )
    s = tables["sites.csv"]
    for col in ("first_year", "grid_first_year"):
        late = s[s[col].notna() & (s[col] > hi)]
        for _, r in late.iterrows():
            warnings.append(
                Problem(
                    labels["sites.csv"],
                    int(r["_row"]),
                    col,
                    f"{int(r[col])} is after the horizon ends ({hi}), so site {r['site']} can never use it",
                )
            )
    return errors, warnings


def check_demand_scale(config, tables, labels):
    """A demand row is 0 or at least :data:`MIN_DEMAND_TOKENS` tokens a year."""
    errors = []
    for r in tables["demand.csv"].to_dict("records"):
        v = r["tokens_per_year"]
        if pd.notna(v) and 0 < v < MIN_DEMAND_TOKENS:
            errors.append(
                Problem(
                    labels["demand.csv"],
                    int(r["_row"]),
                    "tokens_per_year",
                    f"{v:g} tokens a year is below {MIN_DEMAND_TOKENS:g}, the smallest demand the planner "
                    "resolves (it counts tokens in tera-tokens); write 0 or a demand of at least 1e9",
                )
            )
    return errors, []


def check_slices(config, tables, labels):
    """Slice weights (duration_h x days_per_year) sum to 8760 h within 1 %; hours in a day
    do not exceed 24; the slices of one day share its days_per_year (a day repeats as a
    whole, and storage cycles within it)."""
    errors = []
    sl = tables["slices.csv"]
    if len(sl) == 0:
        return [Problem(labels["slices.csv"], None, None, "has no slices; at least one is required")], []
    w = (sl["duration_h"] * sl["days_per_year"]).sum()
    if sl[["duration_h", "days_per_year"]].isna().any().any():
        w = math.nan  # a rejected cell is its own error; the sum of the others says nothing
    if not math.isnan(w) and abs(w - HOURS_PER_YEAR) > 0.01 * HOURS_PER_YEAR:
        errors.append(
            Problem(
                labels["slices.csv"],
                None,
                "duration_h",
                f"slice weights (duration_h x days_per_year) sum to {w:g} h, not 8760 h within 1 %",
            )
        )
    for day, g in sl.groupby("day"):
        g = g.sort_values(["hour", "_row"], kind="stable")
        prev_end, prev_row = None, None
        for r in g.to_dict("records"):
            if prev_end is not None and pd.notna(r["hour"]) and r["hour"] < prev_end - 1e-9:
                errors.append(
                    Problem(
                        labels["slices.csv"],
                        int(r["_row"]),
                        "hour",
                        f"slice {r['slice']} of day '{day}' starts at hour {r['hour']:g}, before the slice of row {prev_row} ends (hour {prev_end:g}); slices of a day may not overlap",
                    )
                )
            if pd.notna(r["hour"]) and pd.notna(r["duration_h"]):
                prev_end, prev_row = r["hour"] + r["duration_h"], int(r["_row"])
        first = g.iloc[0]
        for r in g.iloc[1:].to_dict("records"):
            if (
                pd.notna(r["days_per_year"])
                and pd.notna(first["days_per_year"])
                and r["days_per_year"] != first["days_per_year"]
            ):
                errors.append(
                    Problem(
                        labels["slices.csv"],
                        int(r["_row"]),
                        "days_per_year",
                        f"slice {r['slice']} of day '{day}' has days_per_year {r['days_per_year']:g}, but slice "
                        f"{first['slice']} of the same day (row {int(first['_row'])}) has {first['days_per_year']:g}; "
                        "the slices of a day repeat on the same days",
                    )
                )
                break
        tot = g["duration_h"].sum()
        if tot > 24 + 1e-9:
            errors.append(
                Problem(
                    labels["slices.csv"],
                    int(g["_row"].max()),
                    "duration_h",
                    f"the slices of day '{day}' last {tot:g} h, more than 24 h",
                )
            )
    return errors, []


def check_power_techs(config, tables, labels):
    """Storage techs give storage_hours; capex that looks like USD/MW is flagged."""
    errors, warnings = [], []
    p = tables["power.csv"]
    for _, r in p.iterrows():
        if str(r["tech"]).strip().lower() == "grid":
            errors.append(
                Problem(
                    labels["power.csv"],
                    int(r["_row"]),
                    "tech",
                    "the name grid is reserved for grid imports (sites.csv grid_* columns); give this tech another name",
                )
            )
        if r["kind"] == "storage" and (r["storage_hours"] is None or pd.isna(r["storage_hours"])):
            errors.append(
                Problem(
                    labels["power.csv"],
                    int(r["_row"]),
                    "storage_hours",
                    f"is blank; storage tech {r['tech']} needs its hours of storage",
                )
            )
        if pd.notna(r["capex_usd_per_kw"]) and r["capex_usd_per_kw"] > CAPEX_PER_KW_LOOKS_PER_MW:
            warnings.append(
                Problem(
                    labels["power.csv"],
                    int(r["_row"]),
                    "capex_usd_per_kw",
                    f"{r['capex_usd_per_kw']:g} USD/kW is more than any real plant costs; check that it is not USD/MW",
                )
            )
    return errors, warnings


def check_chips(config, tables, labels):
    """A chip's last_year is not before its first_year; a chip that fits no cooling
    technology (rack_kw above every max_rack_kw) is flagged, as it can never be bought."""
    errors, warnings = [], []
    ch = tables["chips.csv"]
    co = tables["cooling.csv"]
    max_rack = co["max_rack_kw"].max() if len(co) else math.nan
    for _, r in ch.iterrows():
        if pd.notna(r["last_year"]) and pd.notna(r["first_year"]) and r["last_year"] < r["first_year"]:
            errors.append(
                Problem(
                    labels["chips.csv"],
                    int(r["_row"]),
                    "last_year",
                    f"{int(r['last_year'])} is before first_year {int(r['first_year'])}",
                )
            )
        if pd.notna(r["rack_kw"]) and (math.isnan(max_rack) or r["rack_kw"] > max_rack):
            warnings.append(
                Problem(
                    labels["chips.csv"],
                    int(r["_row"]),
                    "rack_kw",
                    f"chip {r['chip']} ({r['rack_kw']:g} kW per rack) fits no cooling technology (densest: {max_rack:g} kW), so it can never be installed",
                )
            )
        if pd.notna(r["last_year"]) and r["last_year"] < config.start_year:
            warnings.append(
                Problem(
                    labels["chips.csv"],
                    int(r["_row"]),
                    "last_year",
                    f"chip {r['chip']} can no longer be bought ({int(r['last_year'])} is before {config.start_year})",
                )
            )
    return errors, warnings


def check_models(config, tables, labels):
    """active_params_b <= params_b; every demanded model has a chip that serves it."""
    errors, warnings = [], []
    m = tables["models.csv"]
    bad = m[m["active_params_b"].notna() & m["params_b"].notna() & (m["active_params_b"] > m["params_b"])]
    for _, r in bad.iterrows():
        errors.append(
            Problem(
                labels["models.csv"],
                int(r["_row"]),
                "active_params_b",
                f"{r['active_params_b']:g} is more than params_b {r['params_b']:g}",
            )
        )
    tp = tables["throughput.csv"]
    served = set(tp.loc[tp["tokens_per_s_per_chip"] > 0, "model"])
    d = tables["demand.csv"]
    for model, g in d[d["model"].notna()].groupby("model"):
        if model in set(m["model"]) and model not in served and g["tokens_per_year"].sum() > 0:
            warnings.append(
                Problem(
                    labels["demand.csv"],
                    int(g["_row"].min()),
                    "model",
                    f"no chip in {labels['throughput.csv']} serves model {model}, so its demand will be unserved",
                )
            )
    return errors, warnings


def check_sites(config, tables, labels):
    """Every cooling PUE plus the site's pue_adder stays at or above 1; a hall block fits in
    the largest site (a warning when it is under a thousandth of it)."""
    errors, warnings = [], []
    s = tables["sites.csv"]
    co = tables["cooling.csv"]
    if len(co) == 0:
        return [], []
    min_pue = co["pue"].min()
    for _, r in s.iterrows():
        if pd.notna(r["pue_adder"]) and min_pue + r["pue_adder"] < 1.0:
            errors.append(
                Problem(
                    labels["sites.csv"],
                    int(r["_row"]),
                    "pue_adder",
                    f"{r['pue_adder']:g} brings the PUE of the best cooling to {min_pue + r['pue_adder']:g}, below 1",
                )
            )
    block = float(config.hall_block_mw)
    largest = s["max_it_mw"].max() if len(s) else float("nan")
    if pd.notna(largest) and block > largest:
        # constraint 1: hall blocks in service x hall_block_mw <= max_it_mw x open
        errors.append(
            Problem(
                "scenario.toml",
                None,
                "hall_block_mw",
                f"{block:g} MW is more than the largest site's max_it_mw ({largest:g} MW): no site could hold one hall",
            )
        )
    elif pd.notna(largest) and block < 1e-3 * largest:
        warnings.append(
            Problem(
                "scenario.toml",
                None,
                "hall_block_mw",
                f"{block:g} MW is less than a thousandth of the largest site ({largest:g} MW); "
                "so many hall blocks make the program slow and badly scaled",
            )
        )
    return errors, warnings


def check_serving_reach(config, tables, labels):
    """Each demand row has at least one site within its latency limit (warning otherwise:
    that demand will be reported unserved)."""
    warnings = []
    lat = tables["latency.csv"]
    d = tables["demand.csv"]
    best = lat.groupby("region")["latency_ms"].min().to_dict()
    flagged = set()
    for _, r in d.iterrows():
        if pd.isna(r["tokens_per_year"]) or r["tokens_per_year"] <= 0 or r["region"] is None:
            continue
        b = best.get(r["region"])
        limit = r["max_latency_ms"]
        if b is None or (pd.notna(limit) and b > limit):
            key = (r["region"], r["model"])
            if key in flagged:
                continue
            flagged.add(key)
            why = "no site is listed for it in latency.csv" if b is None else f"the nearest site is {b:g} ms away"
            warnings.append(
                Problem(
                    labels["demand.csv"],
                    int(r["_row"]),
                    "max_latency_ms",
                    f"region {r['region']} cannot be served for model {r['model']} ({why}), so that demand will be reported unserved",
                )
            )
    return [], warnings


def check_profiles(config, tables, labels):
    """Profiles are for variable techs; a variable tech a site may build has profile rows."""
    errors, warnings = [], []
    p = tables["power.csv"]
    kind = dict(zip(p["tech"], p["kind"], strict=True))
    pr = tables["profiles.csv"]
    notvar = pr[pr["tech"].map(kind).notna() & (pr["tech"].map(kind) != "variable")]
    for tech, g in notvar.groupby("tech"):
        warnings.append(
            Problem(
                labels["profiles.csv"],
                int(g["_row"].min()),
                "tech",
                f"{tech} is not a variable tech; its capacity factors are ignored",
            )
        )
    sp = tables["site_power.csv"]
    have = set(zip(pr["site"], pr["tech"], strict=True))
    for _, r in sp.iterrows():
        if kind.get(r["tech"]) == "variable" and (r["site"], r["tech"]) not in have:
            warnings.append(
                Problem(
                    labels["site_power.csv"],
                    int(r["_row"]),
                    "tech",
                    f"{r['tech']} at {r['site']} has no rows in profiles.csv, so it would generate nothing",
                )
            )
    return errors, warnings


# (file, column, test, what the value looks like, expected unit)
_UNIT_SLIPS = (
    ("power.csv", "fom_usd_per_kw_yr", lambda v: v > 1_000, "USD/MW/yr", "USD/kW/yr"),
    ("sites.csv", "grid_price_usd_per_mwh", lambda v: 0 < v < 1, "USD/kWh", "USD/MWh"),
    ("sites.csv", "build_cost_usd_per_mw_it", lambda v: 0 < v < 50_000, "USD/kW", "USD/MW IT"),
    ("cooling.csv", "capex_usd_per_mw_it", lambda v: 0 < v < 5_000, "USD/kW", "USD/MW IT"),
    ("power.csv", "vom_usd_per_mwh", lambda v: 0 < v < 0.1, "USD/kWh", "USD/MWh"),
    ("power.csv", "fuel_usd_per_mwh", lambda v: 0 < v < 0.5, "USD/kWh", "USD/MWh"),
)


def check_units(config, tables, labels):
    """Figures a thousand times off (per kW vs per MW, per kWh vs per MWh) are flagged."""
    warnings = []
    for fname, col, test, looks, unit in _UNIT_SLIPS:
        t = tables[fname]
        for _, r in t[t[col].notna()].iterrows():
            if test(r[col]):
                warnings.append(
                    Problem(
                        labels[fname],
                        int(r["_row"]),
                        col,
                        f"{r[col]:g} {unit} looks like a figure in {looks}; check the unit",
                    )
                )
    return [], warnings
