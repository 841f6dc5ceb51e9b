"""Write and read a results folder (DESIGN.md §6) atomically.

Everything is written into a hidden temporary folder next to the target and renamed into
place at the end, so a crash or Ctrl-C never leaves half a results folder. An existing
folder is replaced only with ``overwrite=True`` (the old one is moved aside first and
removed only after the new one is in place); otherwise the plan goes to a new sibling
folder named with a timestamp (``<name>-YYYYmmdd-HHMMSS``).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd

from .schema import SCENARIO_KEYS

FLOAT_FORMAT = "%.12g"
TABLE_FILES = ("investment_schedule", "capacity", "energy", "serving", "unserved", "costs")


def is_results_folder(folder: Path) -> bool:
    """True when ``folder`` holds a results folder written by planner (its summary.json)."""
    return (Path(folder) / "summary.json").is_file()


def prepare_output(out: Path, overwrite: bool, protect: list[Path] = ()) -> Path:
    """Check, before any solving, that a plan can be written to ``out``; returns ``out``
    resolved to an absolute path. Raises :class:`planner.errors.UsageError` when ``out`` is
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
    out: Path, tables: dict[str, pd.DataFrame], summary: dict, extra_files: dict[str, str | bytes]
) -> Path:
    """Write ``tables`` (name -> DataFrame, as CSV), ``summary`` (summary.json) and
    ``extra_files`` (file name -> text or bytes) into ``out`` atomically. Returns ``out``.
    Replaces ``out`` if it exists (call :func:`choose_folder` first to avoid that)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        for name, t in tables.items():
            t.to_csv(tmp / f"{name}.csv", index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        for name, content in extra_files.items():
            p = tmp / name
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")
        old = None
        if out.exists():
            if any(out.iterdir()) and not is_results_folder(out):
                raise FileExistsError(f"{out} exists and is not a results folder")
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


# columns of the two marginal-price tables (planner.marginal writes them; a results folder
# of `planner solve --no-marginals` has neither)
MARGINAL_COLUMNS = ["year", "region", "model", "usd_per_mtok", "usd_per_mtok_long_run"]
LIMIT_COLUMNS = ["limit", "item", "year", "shadow_price", "unit", "basis"]

# the years scenario.toml allows
YEAR_MIN, YEAR_MAX = next((lo, hi) for key, _t, _d, lo, hi, _x in SCENARIO_KEYS if key == "start_year")

KEY_COLUMNS = ("site", "region", "model", "chip", "cooling", "tech", "component", "layer", "item", "unit", "name")
SUMMARY_KEYS = ("scenario", "start_year", "end_year", "status", "objective_usd")


def _read_csv(path: Path) -> pd.DataFrame:
    # only an empty cell is blank: a site, chip or model named "NA" stays a string
    t = pd.read_csv(path, keep_default_na=False, na_values=[""])
    for col in KEY_COLUMNS:
        if col in t.columns and t[col].dtype == object:
            t[col] = t[col].astype(str)
    return t


def _read_table(folder: Path, name: str, columns) -> pd.DataFrame:
    try:
        t = _read_csv(folder / f"{name}.csv")
    except FileNotFoundError:
        raise
    except Exception as e:  # pandas parser errors, empty files, bad bytes
        raise ValueError(f"{name}.csv cannot be read ({type(e).__name__}: {str(e).splitlines()[0][:200]})") from None
    lacking = [c for c in columns if c not in t.columns]
    if lacking:
        raise ValueError(f"{name}.csv lacks the column{'s' if len(lacking) > 1 else ''} {', '.join(lacking)}")
    return t


def read_results(folder: Path, optional: dict[str, list[str]] | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Read summary.json and the tables of a results folder, and each table named in
    ``optional`` (name -> the columns it must have) where present. Raises FileNotFoundError
    when summary.json or a table is missing, and ValueError naming the file when one
    (optional ones too) cannot be parsed or lacks its columns."""
    from .solution import COLUMNS

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
    tables = {}
    for name in TABLE_FILES:
        tables[name] = _read_table(folder, name, COLUMNS[name])
    for name, columns in (optional or {}).items():
        if (folder / f"{name}.csv").exists():
            tables[name] = _read_table(folder, name, columns)
    return tables, summary
