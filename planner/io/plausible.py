"""Inputs that cannot be right.

- :func:`check_unit_fits_rack`: a chip unit (``it_kw_per_unit``) larger than the rack it
  is installed in (``rack_kw``) is an error: a unit is at most a whole rack (an NVL72
  rack-scale system has it_kw_per_unit = rack_kw).
- :func:`check_magnitudes`: a cost, power or size about a thousand times outside the range of
  the bundled catalog for its column is the signature of a unit slip (W for kW, USD for
  million USD, USD/MW for USD/kW). Such a value is a warning that names the catalog's range
  and the likely slip; the CLI repeats these warnings under the plan's summary
  (:data:`MAGNITUDE_MARK` in the sentence lets it find them) and summary.json lists them.

The reference ranges are the bundled data themselves: ``data/catalog/{chips,cooling,power}.csv``
and the sites of the bundled ``world`` scenario, read once.
"""

from __future__ import annotations

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
        "max_it_mw",
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
