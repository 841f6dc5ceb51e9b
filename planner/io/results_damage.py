"""Damaged result tables: what :func:`planner.io.results.read_results` refuses besides cells
that are no number and missing columns, so that ``planner report``, ``export`` and ``compare``
never plot a plan nobody made.

- :func:`check_shape` (the raw CSV text): a file that does not end with a line
  end (planner writes one after every row, so the last row was cut short), a row with more or
  fewer fields than the header, a blank cell where the results schema requires a name (a
  ``site``, ``chip``, ``component`` ...).
- :func:`check_signs` (the typed table): a negative quantity in a column that is never below 0
  in a plan (:data:`NON_NEGATIVE`: MW, MWh, units, tokens, t CO2, ML, workers). Money columns
  are left out: a cost table may one day hold a credit.
- :func:`check_cost_total`: the discounted costs of costs.csv add up to the layer totals of
  summary.json (``totals_usd_discounted``, computed from the same table when the plan was
  written), which a costs.csv cut short at a line end, or edited, no longer does.

An empty file or one the CSV parser cannot read is :func:`planner.io.results.read_results`'s
own sentence ("cannot be read"). Each raises :class:`ValueError` with one sentence naming file, row and column (rows numbered as
a spreadsheet shows them: the header is row 1); the CLI adds the folder and exits 1.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

# results table -> columns that are never below 0 in a plan (DESIGN.md §6 and §7 tables)
NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "investment_schedule": ("quantity",),
    "capacity": ("units_active", "units_installed", "it_mw", "tokens_per_year"),
    "energy": ("capacity_mw", "energy_mwh", "co2_t"),
    "serving": ("tokens",),
    "unserved": ("tokens",),
    "sites": ("max_it_mw", "grid_cap_mw"),
    "infrastructure": ("hall_mw", "it_mw", "facility_mw"),
    "cfe": ("cfe_score", "target"),
    "sovereignty": (
        "demand_tokens",
        "sovereign_share",
        "required_tokens",
        "home_tokens",
        "abroad_tokens",
        "unserved_tokens",
    ),
    "labour": ("construction_worker_years", "operations_workers", "available_worker_years", "extra_workers"),
    "water": ("cooling_ml", "generation_ml", "total_ml", "cap_ml"),
    "emissions": ("co2_t",),
    "tier_chips": ("tokens", "it_mw"),
}
# below 0 by more than this is damage; planner writes solver noise below 1e-9 of a unit as 0
TOLERANCE = 1e-6


def required_names(schema: dict, name: str) -> list[str]:
    """The text columns of results table ``name`` that the results schema requires and never
    allows blank (type "string", listed in "required")."""
    table = schema["properties"]["tables"]["properties"].get(name)
    if table is None:
        return []
    items = table["items"]
    req = set(items.get("required", ()))
    return [c for c, spec in items["properties"].items() if c in req and spec.get("type") == "string"]


def check_shape(path: Path, name: str, names: list[str] = (), columns=()) -> None:
    """Raise ValueError when the CSV file ``path`` (results table ``name``) is empty, ends in
    the middle of a row, has a row whose number of fields differs from its header's, or a
    blank cell in one of the text columns ``names``. A header that lacks one of ``columns``
    (or that the CSV parser cannot read) is left to the caller, which names the columns.
    Raises FileNotFoundError when it is missing; text that is not UTF-8 is left to the CSV
    parser."""
    raw = Path(path).read_bytes()
    fname = f"{name}.csv"
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return  # left to the CSV parser ("cannot be read")
    if not rows:
        return  # an empty file: "cannot be read (EmptyDataError ...)"
    header = rows[0]
    where = {c.strip(): i for i, c in enumerate(header)}
    if any(c not in where for c in columns):
        return  # "lacks the column ..." (planner.io.results._read_table)
    if not text.endswith(("\n", "\r")):
        raise ValueError(
            f"{fname}, row {len(rows)}: the file ends in the middle of this row (no line end after it), "
            "so it was cut short; write the plan again (planner solve)"
        )
    check = [(c, where[c]) for c in names if c in where]
    for i, r in enumerate(rows[1:], start=2):
        if not r:
            continue  # a blank line holds no row
        if len(r) != len(header):
            raise ValueError(
                f"{fname}, row {i}: has {len(r)} fields where the header has {len(header)}; "
                "the file was cut short or edited"
            )
        for col, j in check:
            if not r[j].strip():
                raise ValueError(f"{fname}, row {i}, column {col}: is blank; every row of a plan names its {col}")


def check_signs(name: str, t: pd.DataFrame) -> None:
    """Raise ValueError naming the first row and column of ``t`` (results table ``name``,
    numeric columns already typed) holding a negative value in a :data:`NON_NEGATIVE` column."""
    for col in NON_NEGATIVE.get(name, ()):
        if col not in t.columns:
            continue
        v = pd.to_numeric(t[col], errors="coerce")
        bad = (v < -TOLERANCE).to_numpy()
        if bad.any():
            i = int(bad.argmax())
            raise ValueError(
                f"{name}.csv, row {i + 2}, column {col}: {v.iloc[i]:.12g} is negative; a plan never has a {col} below 0"
            )


def check_cost_total(tables: dict[str, pd.DataFrame], summary: dict) -> None:
    """Raise ValueError when the ``usd_discounted`` of costs.csv do not add up to the sum of
    summary.json's ``totals_usd_discounted`` (within 1e-6 of the total, and 1 cent). A summary
    without the totals (an older plan) is not checked."""
    totals = summary.get("totals_usd_discounted")
    costs = tables.get("costs")
    if not isinstance(totals, dict) or costs is None or "usd_discounted" not in costs.columns:
        return
    vals = [v for v in totals.values() if isinstance(v, int | float)]
    if len(vals) != len(totals):
        return
    want = float(sum(vals))
    got = float(pd.to_numeric(costs["usd_discounted"], errors="coerce").fillna(0.0).sum())
    scale = max(abs(want), float(pd.to_numeric(costs["usd_discounted"], errors="coerce").abs().sum()), 1.0)
    if not math.isclose(got, want, rel_tol=0.0, abs_tol=1e-6 * scale + 0.01):
        raise ValueError(
            f"costs.csv, column usd_discounted: the rows add up to {got:,.2f} USD, but summary.json's "
            f"totals_usd_discounted add up to {want:,.2f} USD; costs.csv was cut short or edited"
        )
