"""Inputs that cannot be right.

- :func:`check_unit_fits_rack`: a chip unit (``it_kw_per_unit``) larger than the rack it
  is installed in (``rack_kw``) is an error: a unit is at most a whole rack (an NVL72
  rack-scale system has it_kw_per_unit = rack_kw).
- :func:`check_magnitudes`: a cost, power or size about a thousand times outside the range of
  the bundled catalog for its column is the signature of a unit slip (W for kW, USD for
  million USD, USD/MW for USD/kW). Such a value is a warning that names the catalog's range
  and the likely slip; the CLI repeats these warnings under the plan's summary
  (:data:`MAGNITUDE_MARK` in the sentence lets it find them) and summary.json lists them.

- :func:`check_real_sizes`: a site's ``max_it_mw``, ``grid_cap_mw``, a site_power.csv
  ``max_mw``, a ``water_cap_ml_per_yr`` or a ``[limits] facility_mw`` far above the largest real
  project of the reference data (:data:`CEILINGS`, sourced below) is a warning naming the value
  and the likely slip ("300000 MW IT ...: is this kW (300 MW IT)?"); a site above 1 TW IT is an
  error. The CLI repeats these warnings too (:data:`SIZE_MARK`).

The catalog reference ranges are the bundled data themselves: ``data/catalog/{chips,cooling,power}.csv``
and the sites of the bundled ``world`` scenario, read once.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from pathlib import Path

import pandas as pd

from .errors import Problem

FACTOR = 300.0  # "about 1000x": a value more than 300x the catalog's largest (or below 1/300 of its smallest)
MAGNITUDE_MARK = "the bundled catalog's"

# the columns compared, per file; counts, years, shares and ratios are left to their range checks
COLUMNS = {
    "chips.csv": ("it_kw_per_unit", "rack_kw", "capex_usd_per_unit", "fom_usd_per_unit_yr"),
    "cooling.csv": ("max_rack_kw", "capex_usd_per_mw_it", "fom_usd_per_mw_it_yr"),
    "power.csv": ("capex_usd_per_kw", "fom_usd_per_kw_yr", "vom_usd_per_mwh", "fuel_usd_per_mwh", "co2_kg_per_mwh"),
    "sites.csv": (
        # max_it_mw: measured against the largest real campus (check_real_sizes) instead
        "open_cost_usd",
        "build_cost_usd_per_mw_it",
        "fom_usd_per_mw_it_yr",
        "grid_price_usd_per_mwh",
        "grid_co2_kg_per_mwh",
    ),
}


def check_unit_fits_rack(config, tables, labels):
    """``it_kw_per_unit`` above ``rack_kw`` is an error (a unit larger than its rack)."""
    errors = []
    for _, r in tables["chips.csv"].iterrows():
        if pd.notna(r["it_kw_per_unit"]) and pd.notna(r["rack_kw"]) and r["it_kw_per_unit"] > r["rack_kw"] + 1e-9:
            errors.append(
                Problem(
                    labels["chips.csv"],
                    int(r["_row"]),
                    "it_kw_per_unit",
                    f"{r['it_kw_per_unit']:g} kW per unit is more than the rack it goes in (rack_kw {r['rack_kw']:g} kW); "
                    "a unit is at most one rack",
                )
            )
    return errors, []


@functools.cache
def catalog_ranges() -> dict[tuple[str, str], tuple[float, float]]:
    """(file, column) -> (smallest positive, largest) value in the bundled data (see module
    docstring); a file that is not there is left out."""
    # the data folder as planner.io.scenario finds it (not imported: scenario imports validate)
    data = Path(os.environ.get("PLANNER_HOME", Path(__file__).resolve().parents[2])) / "data"
    CATALOG_DIR, SCENARIOS_DIR = data / "catalog", data / "scenarios"
    where = {
        "chips.csv": CATALOG_DIR / "chips.csv",
        "cooling.csv": CATALOG_DIR / "cooling.csv",
        "power.csv": CATALOG_DIR / "power.csv",
        "sites.csv": SCENARIOS_DIR / "world" / "sites.csv",
    }
    out = {}
    for fname, path in where.items():
        if not path.is_file():
            continue
        t = pd.read_csv(path)
        for col in COLUMNS[fname]:
            if col not in t.columns:
                continue
            v = pd.to_numeric(t[col], errors="coerce")
            v = v[v > 0]
            if len(v):
                out[fname, col] = (float(v.min()), float(v.max()))
    return out


def _unit(fname: str, col: str) -> str:
    from .schema import FILES

    for c in FILES[fname].columns:
        if c.name == col:
            return c.unit
    return ""


def check_magnitudes(config, tables, labels):
    """A value more than :data:`FACTOR` times the bundled catalog's largest for its column,
    or positive and below 1/FACTOR of its smallest, is a warning naming the range."""
    warnings = []
    ranges = catalog_ranges()
    for fname, cols in COLUMNS.items():
        t = tables.get(fname)
        if t is None or not len(t):
            continue
        for col in cols:
            if (fname, col) not in ranges or col not in t.columns:
                continue
            lo, hi = ranges[fname, col]
            unit = _unit(fname, col)
            for _, r in t.iterrows():
                v = r[col]
                if v is None or not isinstance(v, (int, float)) or math.isnan(v) or v <= 0:
                    continue
                if v > FACTOR * hi:
                    ratio, side, ref = v / hi, "largest", hi
                elif v < lo / FACTOR:
                    ratio, side, ref = lo / v, "smallest", lo
                else:
                    continue
                how = f"{ratio:,.0f} times" if side == "largest" else f"1/{ratio:,.0f} of"
                warnings.append(
                    Problem(
                        labels.get(fname, fname),
                        int(r["_row"]),
                        col,
                        f"{v:g} {unit} is {how} {MAGNITUDE_MARK} {side} ({ref:g} {unit}; range {lo:g} to {hi:g}); "
                        "check the unit (W for kW, USD for million USD?)",
                    )
                )
    return [], warnings


# ---- real-world sizes: a power or water figure in the wrong unit (kW for MW, litres for ML)
#
# The catalog ranges above cannot catch a site in kW: 300000 for a 300 MW site is only 150 times
# the largest bundled site. These ceilings come from the largest real projects of the reference
# data (/work/shared/reference/, see SOURCES.md):
#   - the largest AI campus announced is the 5 GW UAE-US AI campus around Stargate UAE
#     (reference sites.csv and sovereignty.csv, Verdict 2025); Meta's Hyperion campus is to get
#     ~7.5 GW of generation (reference sites.csv, Reuters/CNA 2025). A site (or its grid
#     connection, or one onsite power tech) above 20 GW, four times the largest campus, is
#     implausible: a warning.
#   - a site hosting more than 1 TW (1e6 MW) IT would draw more than all the electricity the
#     United States uses (~4,800 TWh/yr, ~550 GW on average; derived from LBNL 2024: 580 TWh is
#     12 % of US use, reference demand.csv): impossible, an error. Caps (grid_cap_mw, max_mw,
#     water, facility_mw) above their ceiling only warn: a cap too large limits nothing.
#   - all the world's data centres are to draw ~945 TWh in 2030 (IEA Energy and AI 2025,
#     reference demand.csv), ~108 GW on average: a facility_mw limit of all sites together above
#     110 GW limits nothing a real build-out could reach.
#   - the largest single-site water use found is Meta Talavera's 665 ML/yr, and Google's whole
#     fleet consumed ~23,000 ML in 2023 (reference water.csv); a 5 GW campus with evaporative
#     cooling at 1.8 L/kWh (the high academic industry average, reference water.csv) would use
#     5e6 kW x 8760 h x 1.8 L/kWh = 78,840 ML/yr (derived). A site cap above 100,000 ML/yr is
#     implausible.
SIZE_MARK = "that is plausible"  # in every warning of check_real_sizes (the CLI repeats them)


@dataclasses.dataclass(frozen=True)
class Ceiling:
    """The plausible ceiling of one column: ``warn`` (above: a warning), ``impossible`` (above:
    an error; None = never), the real figure it is measured against (``ref``) and the unit
    slips worth suggesting: (factor the value is divided by, the unit the value may be in)."""

    warn: float
    impossible: float | None
    ref: str
    slips: tuple[tuple[float, str], ...]


_MW_SLIPS = ((1e3, "kW"), (1e6, "W"))
_SITE_MW = "the largest AI campus announced (5 GW, UAE-US AI campus)"
CEILINGS: dict[tuple[str, str], Ceiling] = {
    ("sites.csv", "max_it_mw"): Ceiling(20_000.0, 1e6, _SITE_MW, _MW_SLIPS),
    ("sites.csv", "grid_cap_mw"): Ceiling(20_000.0, None, _SITE_MW, _MW_SLIPS),
    ("site_power.csv", "max_mw"): Ceiling(20_000.0, None, _SITE_MW, _MW_SLIPS),
    ("sites.csv", "water_cap_ml_per_yr"): Ceiling(
        100_000.0,
        None,
        "what a 5 GW campus with evaporative cooling would consume (about 79000 ML/yr)",
        ((1e3, "cubic metres"), (1e6, "litres")),
    ),
    ("scenario.toml", "limits.facility_mw"): Ceiling(
        110_000.0, None, "what all the world's data centres are to draw in 2030 (IEA: about 108 GW)", _MW_SLIPS
    ),
}


def _slip_text(v: float, unit: str, c: Ceiling) -> str:
    """'is this kW (300 MW)?': the smallest slip that brings ``v`` under the ceiling (else the
    largest slip)."""
    slips = sorted(c.slips)
    f, name = next(((f, n) for f, n in slips if v / f <= c.warn), slips[-1])
    return f"is this {name} ({v / f:g} {unit})?"


def _size_problem(file, row, col, v, unit, c: Ceiling, what: str = "") -> tuple[str, Problem] | None:
    """('error' | 'warning', Problem) for the value ``v`` against the ceiling ``c``, or None."""
    if v is None or not isinstance(v, (int, float)) or math.isnan(v) or v <= c.warn:
        return None
    slip = _slip_text(v, unit, c)
    if c.impossible is not None and v > c.impossible:
        text = (
            f"{v:g} {unit}{what} is impossible for one site (more than all the electricity the United States "
            f"uses, about 550 GW); {slip}"
        )
        return "error", Problem(file, row, col, text)
    text = f"{v:g} {unit}{what} is far above {c.ref}, more than the {c.warn:g} {unit} {SIZE_MARK}: {slip}"
    return "warning", Problem(file, row, col, text)


def check_real_sizes(config, tables, labels):
    """Values of :data:`CEILINGS` above their plausible ceiling: a warning naming file, row,
    column, the value and the likely unit slip ("300000 MW IT is far above ...: is this kW
    (300 MW IT)?"); above ``impossible`` an error. Returns (errors, warnings)."""
    errors, warnings = [], []
    for (fname, col), c in CEILINGS.items():
        found = []
        if fname == "scenario.toml":
            key = col.split(".", 1)[1]
            table = (getattr(config, "limits", None) or {}).get(key) or {}
            years = sorted(table)
            for y in years:
                what = f" in {y}" if len(years) > 1 else ""
                found.append(_size_problem(fname, None, col, table[y], "MW", c, what))
        else:
            t = tables.get(fname)
            if t is None or col not in t.columns or not len(t):
                continue
            unit = _unit(fname, col)
            for r in t[[col, "_row"]].to_dict("records"):
                found.append(_size_problem(labels.get(fname, fname), int(r["_row"]), col, r[col], unit, c))
        for kind, p in filter(None, found):
            (errors if kind == "error" else warnings).append(p)
    return errors, warnings
