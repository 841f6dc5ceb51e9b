"""Write and read a results folder (DESIGN.md §6) atomically.

Everything is written into a hidden temporary folder next to the target and renamed into
place at the end, so a crash or Ctrl-C never leaves half a results folder. An existing
folder is replaced only with ``overwrite=True`` (the old one is moved aside first and
removed only after the new one is in place); otherwise the plan goes to a new sibling
folder named with a timestamp (``<name>-YYYYmmdd-HHMMSS``).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import swap_in
from .results_damage import check_cost_total, check_shape, check_signs, required_names
from .schema import SCENARIO_KEYS

FLOAT_FORMAT = "%.12g"
TABLE_FILES = ("investment_schedule", "capacity", "energy", "serving", "unserved", "costs")
# tables a results folder may lack (older plans; `solve --no-marginals`)
OPTIONAL_TABLE_FILES = ("sites", "chips", "infrastructure", "marginal_costs", "binding_limits")
# §7.3 24/7 CFE and §7.5 sovereign AI (written only when the scenario has their inputs)
CFE_COLUMNS = ["year", "site", "cfe_score", "target"]
SOVEREIGNTY_COLUMNS = [
    "year",
    "region",
    "model",
    "country",
    "demand_tokens",
    "sovereign_share",
    "required_tokens",
    "home_tokens",
    "abroad_tokens",
    "unserved_tokens",
]
CFE_SOVEREIGNTY_COLUMNS = {"cfe": CFE_COLUMNS, "sovereignty": SOVEREIGNTY_COLUMNS}
OPTIONAL_TABLE_FILES += tuple(CFE_SOVEREIGNTY_COLUMNS)
# DESIGN.md §7.1, §7.2, §7.4 (planner.solver.resources)
RESOURCE_COLUMNS = {
    "labour": [
        "year",
        "pool",
        "trade",
        "construction_worker_years",
        "operations_workers",
        "available_worker_years",
        "extra_workers",
        "shadow_price_usd_per_worker_year",
    ],
    "water": ["year", "site", "cooling_ml", "generation_ml", "total_ml", "cap_ml"],
    "emissions": ["year", "source", "co2_t"],
}
OPTIONAL_TABLE_FILES = (*OPTIONAL_TABLE_FILES, *RESOURCE_COLUMNS)
# service tiers (DESIGN.md §7.9): tokens and active IT MW of each chip per (model, tier); only
# when the scenario uses tiers (planner.reporting.tiers)
OPTIONAL_TABLE_FILES = (*OPTIONAL_TABLE_FILES, "tier_chips")
TIER_CHIP_COLUMNS = ["year", "site", "chip", "model", "tier", "tokens", "it_mw", "usd"]

# the columns of each required table, in the order they are written
COLUMNS = {
    "investment_schedule": ["year", "site", "layer", "item", "quantity", "unit", "capex_usd"],
    "capacity": ["year", "site", "chip", "cooling", "units_active", "units_installed", "it_mw", "tokens_per_year"],
    "energy": ["year", "site", "tech", "capacity_mw", "energy_mwh", "co2_t", "cost_usd"],
    "serving": ["year", "region", "site", "model", "tokens"],
    "unserved": ["year", "region", "model", "tokens"],
    "costs": ["year", "component", "usd", "usd_discounted"],
}


def is_results_folder(folder: Path) -> bool:
    """True when ``folder`` holds a results folder written by planner (its summary.json)."""
    return (Path(folder) / "summary.json").is_file()


# what planner writes at the top of a results folder besides its CSV tables
OWN_FILES = ("summary.json", "report.md", "report.html", "plots")
PLAN_FILES = frozenset(OWN_FILES) | {f"{n}.csv" for n in TABLE_FILES + OPTIONAL_TABLE_FILES}


def protected_reason(path: Path) -> str | None:
    """Why no option may let a file be written at ``path`` (None: it may, with --overwrite
    where it exists): it is one of a results folder's own files (its tables, summary.json,
    report, plots), it lies in a scenario folder (next to scenario.toml), or it exists and is
    not a regular file (a folder, a device)."""
    path = Path(path)
    parent = path.parent
    if is_results_folder(parent) and path.name in PLAN_FILES:
        return f"{path} is one of the results folder {parent}'s own files"
    if (parent / "scenario.toml").exists():
        return f"{path} is in the scenario folder {parent}; its inputs are never replaced"
    if path.exists() and not path.is_file():
        return f"{path} exists and is not a file"
    return None


def prepare_output(out: Path, overwrite: bool, protect: list[Path] = ()) -> Path:
    """Check, before any solving, that a plan can be written to ``out``; returns ``out``
    resolved to an absolute path. Raises :class:`planner.io.errors.UsageError` when ``out`` is
    a file, when ``overwrite`` would replace a folder that is not a results folder (user
    files are never deleted), when ``out`` is or contains a ``protect`` folder (the
    scenario), or when its parent folder cannot be written."""
    from .errors import UsageError

    out = Path(out).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder.")
    for p in protect:
        p = Path(p).resolve()
        if out == p or out in p.parents:
            raise UsageError(f"--out {out} is or contains the scenario folder {p}; choose another results folder.")
    if overwrite and out.exists() and any(out.iterdir()) and not is_results_folder(out):
        raise UsageError(
            f"--overwrite would replace {out}, which is not a results folder (no summary.json); nothing was deleted."
        )
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = parent / f".planner-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise UsageError(f"Cannot write results under {parent} ({e.strerror}).") from None
    return out


def choose_folder(out: Path, overwrite: bool) -> Path:
    """The folder a plan will be written to (see module docstring)."""
    if not out.exists() or overwrite:
        return out
    stamp = time.strftime("%Y%m%d-%H%M%S")
    cand = out.with_name(f"{out.name}-{stamp}")
    i = 2
    while cand.exists():
        cand = out.with_name(f"{out.name}-{stamp}-{i}")
        i += 1
    return cand


def write_results(
    out: Path,
    tables: dict[str, pd.DataFrame],
    summary: dict,
    extra_files: dict[str, str | bytes],
    kept: list[str] | None = None,
    started: float | None = None,
) -> Path:
    """Write ``tables`` (name -> DataFrame, as CSV), ``summary`` (summary.json) and
    ``extra_files`` (file name -> text or bytes) into ``out`` atomically. Returns ``out``.
    Replaces the plan in ``out`` if it is a results folder (call :func:`choose_folder` first
    to avoid that). Files and folders of the old ``out`` that the new plan does not write
    (notes, exports, a demand file the user keeps there) are moved into the new folder, not
    deleted; their names are appended to ``kept``. If one cannot be moved, or anything stops
    the write (Ctrl-C), the old folder is put back as it was (:func:`planner.io.atomic.swap_in`)
    and the exception propagates. ``started`` (a ``time.perf_counter()`` reading): the write
    stage's seconds from then until summary.json, the last file, is written are recorded in
    it as ``timings_s.write``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        for name, t in tables.items():
            t.to_csv(tmp / f"{name}.csv", index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        for name, content in extra_files.items():
            p = tmp / name
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")
        if started is not None:
            summary = {**summary, "timings_s": {**summary.get("timings_s", {})}}
            summary["timings_s"]["write"] = round(time.perf_counter() - started, 3)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if out.exists() and any(out.iterdir()) and not is_results_folder(out):
            raise FileExistsError(f"{out} exists and is not a results folder")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    def carry(old: Path) -> list[str]:
        # the user's files of the old folder: not a file of a plan, not written by the new one
        return [e.name for e in sorted(old.iterdir()) if e.name not in PLAN_FILES and not (out / e.name).exists()]

    swap_in(tmp, out, carry=carry, kept=kept)
    return out


def write_files(folder: Path, files: dict[str, str | bytes]) -> None:
    """Write each of ``files`` (path relative to ``folder`` -> text or bytes) atomically:
    through a hidden temporary file renamed over the target, so a run stopped half-way
    leaves the previous file whole. Folders are made as needed; raises OSError."""
    for name, content in files.items():
        target = Path(folder) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, target)


# columns of the two marginal-price tables (planner.solver.marginal writes them; a results folder
# of `planner solve --no-marginals` has neither)
MARGINAL_COLUMNS = ["year", "region", "model", "usd_per_mtok", "usd_per_mtok_long_run"]
LIMIT_COLUMNS = ["limit", "item", "year", "shadow_price", "unit", "basis"]

# the years scenario.toml allows
YEAR_MIN, YEAR_MAX = next((lo, hi) for key, _t, _d, lo, hi, _x in SCENARIO_KEYS if key == "start_year")

KEY_COLUMNS = ("site", "region", "model", "chip", "cooling", "tech", "component", "layer", "item", "unit", "name")
KEY_COLUMNS += ("country",)  # §7.5: an ISO code such as NA (Namibia) stays a string
KEY_COLUMNS = (*KEY_COLUMNS, "pool", "trade", "source")  # DESIGN.md §7.1 / §7.4 tables
SUMMARY_KEYS = ("scenario", "start_year", "end_year", "status", "objective_usd")


def _read_csv(path: Path) -> pd.DataFrame:
    # only an empty cell is blank: a site, chip or model named "NA" stays a string
    t = pd.read_csv(path, keep_default_na=False, na_values=[""])
    for col in KEY_COLUMNS:
        if col in t.columns and t[col].dtype == object:
            t[col] = t[col].astype(str)
    return t


SCHEMA_PATH = Path(__file__).with_name("schemas") / "results.schema.json"


def results_schema() -> dict:
    """The JSON schema of a results folder as one document (summary + tables); the JSON
    export is checked against it, and reading a results folder checks its values with it."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _column_kinds(schema: dict, name: str) -> dict[str, str]:
    """column -> "integer", "number" (no blank) or "number|null" (blank allowed) for the
    numeric columns the results schema gives table ``name``; text columns are left out."""
    table = schema["properties"]["tables"]["properties"].get(name)
    if table is None:
        return {}
    kinds = {}
    for col, spec in table["items"]["properties"].items():
        t = spec.get("type")
        types = set(t) if isinstance(t, list) else {t}
        if "integer" in types:
            kinds[col] = "integer"
        elif "number" in types:
            kinds[col] = "number|null" if "null" in types else "number"
    return kinds


def _check_values(name: str, t: pd.DataFrame, kinds: dict[str, str], years: tuple[int, int]) -> None:
    """Raise ValueError naming the first row (spreadsheet numbering) and column of ``t`` whose
    value is not a finite number of its kind, or a year outside the plan's ``years``."""
    for col, kind in kinds.items():
        if col not in t.columns:
            continue
        raw = t[col]
        v = pd.to_numeric(raw, errors="coerce")
        blank = raw.isna()
        bad = (v.isna() & ~blank) | ~np.isfinite(v.fillna(0.0))
        if kind != "number|null":
            bad |= blank
        if kind == "integer":
            bad |= v.notna() & (v != v.round())
        if col == "year":
            early = v < years[0]
            if name == "investment_schedule" and "item" in t.columns:
                # DESIGN.md §7.7: an existing asset's row has year = its build_year, which may
                # precede the horizon ("<asset> (existing)")
                early &= ~t["item"].astype(str).str.endswith("(existing)")
            bad |= v.notna() & (early | (v > years[1]))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            cell = raw.iloc[i]
            what = "blank" if pd.isna(cell) else (repr(cell) if isinstance(cell, str) else str(cell))
            need = {"integer": "a whole number", "number": "a finite number", "number|null": "a finite number or blank"}
            extra = f" from {years[0]} to {years[1]}" if col == "year" else ""
            raise ValueError(f"{name}.csv, row {i + 2}, column {col}: {what} is not {need[kind]}{extra}")


def _check_summary(summary: dict, schema: dict) -> None:
    """Raise ValueError naming the first key of summary.json that does not follow the results
    schema (its ``summary`` part), or whose number is not finite."""
    import jsonschema

    # the schema lists every key planner writes (additionalProperties false, so the JSON
    # export refuses a key nobody described); reading, a key a newer planner added is read past
    part = {**schema["properties"]["summary"], "additionalProperties": True}
    errors = jsonschema.Draft202012Validator(part).iter_errors(summary)
    err = jsonschema.exceptions.best_match(errors)
    if err is not None:
        key = ".".join(str(k) for k in err.absolute_path)
        raise ValueError(f"summary.json{', key ' + key if key else ''}: {err.message}")
    for key in ("objective_usd", "mip_gap", "bound_usd", "mip_rel_gap_requested"):
        v = summary.get(key)
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"summary.json, key {key}: {v} is not a finite number")


# the dtype pandas gives a column of Python strings ("str" from pandas 3, object before)
TEXT_DTYPE = pd.Series(["a"]).dtype


def typed(name: str, t: pd.DataFrame, schema: dict | None = None) -> pd.DataFrame:
    """``t`` (results table ``name``) with the dtypes the results schema gives its columns,
    so a table read back from its CSV has the dtypes of the table planner wrote: an
    ``integer`` column (``year``) int64, a ``number`` column float64 even where every value
    is whole (``capex_usd`` 0, ``units_installed`` 8, which CSV writes as ``0``, ``8``), and
    in an empty table every column (text ones as :data:`TEXT_DTYPE`). Columns the schema does
    not type, text columns of a table with rows, and a number column holding a cell that is no
    number are left as they are. A new frame; ``t`` is not changed."""
    kinds = _column_kinds(schema or results_schema(), name)
    t = t.copy()
    for col in t.columns:
        kind = kinds.get(col)
        if kind == "integer" and len(t) and t[col].notna().all():
            t[col] = t[col].astype("int64")
        elif kind == "integer" and not len(t):
            t[col] = t[col].astype("int64")
        elif kind is not None:
            v = pd.to_numeric(t[col], errors="coerce").astype("float64")
            if not (v.isna() & t[col].notna()).any():  # a cell that is no number is left for the checks
                t[col] = v
        elif not len(t):
            t[col] = t[col].astype(TEXT_DTYPE)
    return t


def _read_table(folder: Path, name: str, columns, kinds: dict[str, str], years: tuple[int, int]) -> pd.DataFrame:
    check_shape(folder / f"{name}.csv", name, required_names(results_schema(), name), columns)  # cut short, ragged
    try:
        t = _read_csv(folder / f"{name}.csv")
    except FileNotFoundError:
        raise
    except Exception as e:  # pandas parser errors, empty files, bad bytes
        raise ValueError(f"{name}.csv cannot be read ({type(e).__name__}: {str(e).splitlines()[0][:200]})") from None
    lacking = [c for c in columns if c not in t.columns]
    if lacking:
        raise ValueError(f"{name}.csv lacks the column{'s' if len(lacking) > 1 else ''} {', '.join(lacking)}")
    _check_values(name, t, kinds, years)
    check_signs(name, t)  # a negative MW, token or tonne (planner.io.results_damage)
    return typed(name, t)


def read_results(folder: Path, optional: dict[str, list[str]] | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Read summary.json and the tables of a results folder, and each table named in
    ``optional`` (name -> the columns it must have) where present. Raises FileNotFoundError
    when summary.json or a table is missing, and ValueError naming the file when one
    (optional ones too) cannot be parsed or lacks its columns."""
    folder = Path(folder)
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"summary.json is not valid JSON ({e})") from None
    if not isinstance(summary, dict) or any(k not in summary for k in SUMMARY_KEYS):
        lacking = [k for k in SUMMARY_KEYS if not isinstance(summary, dict) or k not in summary]
        raise ValueError(f"summary.json lacks {', '.join(lacking)}")
    if not isinstance(summary["objective_usd"], int | float) or not isinstance(summary["start_year"], int):
        raise ValueError("summary.json has a non-numeric objective_usd or start_year")
    start, end = summary["start_year"], summary["end_year"]
    if not isinstance(end, int) or not (YEAR_MIN <= start <= end <= YEAR_MAX):
        # the years a scenario.toml may have; a damaged end_year of
        # 99999999 would otherwise make every table a hundred million years long
        raise ValueError(
            f"summary.json has start_year {start!r} and end_year {end!r}; "
            f"both must be whole years from {YEAR_MIN} to {YEAR_MAX}, start first"
        )
    schema = results_schema()
    _check_summary(summary, schema)
    years = (start, end)
    tables = {}
    for name in TABLE_FILES:
        tables[name] = _read_table(folder, name, COLUMNS[name], _column_kinds(schema, name), years)
    for name, columns in (optional or {}).items():
        if (folder / f"{name}.csv").exists():
            tables[name] = _read_table(folder, name, columns, _column_kinds(schema, name), years)
    check_cost_total(tables, summary)  # costs.csv against summary.json (planner.io.results_damage)
    return tables, summary
