"""Export a results folder as CSV files, one Excel workbook or one JSON document.

* ``csv``: the tables as CSV files in a folder, headers with units (``capex_usd [USD]``).
* ``xlsx``: one sheet per table plus a ``summary`` sheet; units in the headers, header row
  frozen, number formats per unit, an autofilter.
* ``json``: ``{"format", "version", "summary", "units", "tables"}`` -- each table a list of
  row objects with the CSV column names, blanks as null. Its JSON Schema ships as
  ``planner/schemas/results.schema.json`` (:func:`schema`); :func:`to_json` validates
  what it writes.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd

from ..io.results import (
    FLOAT_FORMAT,
    OPTIONAL_TABLE_FILES,
    PLAN_FILES,
    TABLE_FILES,
    is_results_folder,
    protected_reason,
)
from ..io.results import results_schema as schema
from .stack import read_folder

FORMATS = ("csv", "xlsx", "json")
JSON_FORMAT = "planner-results"
JSON_VERSION = 1

# column -> unit (None: no unit, or the unit is in the row's ``unit`` column)
UNITS = {
    "capex_usd": "USD",
    "units_active": "units",
    "units_installed": "units",
    "it_mw": "MW",
    "tokens_per_year": "tokens/yr",
    "capacity_mw": "MW",
    "energy_mwh": "MWh",
    "co2_t": "t CO2",
    "cost_usd": "USD",
    "tokens": "tokens",
    "usd": "USD",
    "usd_discounted": "USD",
    "usd_per_mtok": "USD/Mtok",
    "usd_per_mtok_long_run": "USD/Mtok",
    "lat": "deg",
    "lon": "deg",
    "max_it_mw": "MW",
    "grid_cap_mw": "MW",
    "hall_mw": "MW",
    "facility_mw": "MW",
}
UNITS.update(  # §7.3 cfe.csv, §7.5 sovereignty.csv
    {
        "demand_tokens": "tokens",
        "required_tokens": "tokens",
        "home_tokens": "tokens",
        "abroad_tokens": "tokens",
        "unserved_tokens": "tokens",
    }
)
NUMBER_FORMATS = {
    "USD": "#,##0",
    "USD/Mtok": "#,##0.0000",
    "MW": "#,##0.000",
    "MWh": "#,##0",
    "t CO2": "#,##0.0",
    "tokens": "#,##0",
    "tokens/yr": "#,##0",
    "units": "#,##0.##",
    "deg": "0.0000",
}


def header(col: str) -> str:
    """``capex_usd`` -> ``capex_usd [USD]``; columns without a unit stay as they are."""
    u = UNITS.get(col)
    return f"{col} [{u}]" if u else col


def strip_unit(h: str) -> str:
    """Inverse of :func:`header`."""
    return h.split(" [", 1)[0]


def default_out(folder: Path, fmt: str) -> Path:
    return Path(folder) / ("export" if fmt == "csv" else f"plan.{fmt}")


class ExportClash(Exception):
    """Writing the export would replace a file the user has. ``never``: the target is a
    results or scenario folder, which no option allows."""

    def __init__(self, why: str, never: bool = False):
        super().__init__(why)
        self.never = never


def clashes(folder: Path, fmt: str, out: Path, tables: dict) -> ExportClash | None:
    """What writing the export to ``out`` would replace (None if nothing): an existing file
    of the same name, a results folder's own file or a file in a scenario folder
    (:func:`planner.io.results.protected_reason`), or, for csv, the results folder itself, a
    scenario folder or a file where the export's folder should be."""
    out = Path(out)
    if fmt != "csv":
        why = protected_reason(out)
        if why is not None:
            return ExportClash(why, never=True)
        return ExportClash(f"{out} already exists") if out.exists() else None
    if out.exists() and not out.is_dir():
        return ExportClash(f"{out} is a file; a CSV export is a folder of tables", never=True)
    if out.name in PLAN_FILES and is_results_folder(out.parent):
        return ExportClash(f"{out} is one of the results folder {out.parent}'s own folders", never=True)
    if out.exists() and out.resolve() == Path(folder).resolve():
        return ExportClash(f"{out} is the results folder itself; its tables would be replaced", never=True)
    if (out / "scenario.toml").exists():
        return ExportClash(f"{out} is a scenario folder; its input files would be replaced", never=True)
    taken = [out / f"{name}.csv" for name in _ordered(tables) if (out / f"{name}.csv").exists()]
    return ExportClash(f"{taken[0]} already exists") if taken else None


def export(folder: str | Path, fmt: str, out: str | Path | None = None, overwrite: bool = False) -> Path:
    """Export the results folder ``folder`` as ``fmt`` to ``out`` (default: ``<folder>/export/``
    for csv, ``<folder>/plan.xlsx`` / ``plan.json``). Returns the path written.
    Raises FileNotFoundError when ``folder`` is not a results folder and :class:`ExportClash`
    when the export would replace a file (unless ``overwrite``; a results or scenario folder
    is never written into)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    folder = Path(folder)
    tables, summary = read_folder(folder)
    out = Path(out) if out else default_out(folder, fmt)
    clash = clashes(folder, fmt, out, tables)
    if clash is not None and (not overwrite or clash.never):
        raise clash
    if fmt == "csv":
        return to_csv(tables, out)
    if fmt == "xlsx":
        return to_xlsx(tables, summary, out)
    return to_json(tables, summary, out)


def _ordered(tables: dict[str, pd.DataFrame]) -> list[str]:
    return [n for n in (*TABLE_FILES, *OPTIONAL_TABLE_FILES) if n in tables]


def to_csv(tables, out: Path) -> Path:
    """Write each table as ``out/<name>.csv`` (units in the headers). The tables are written
    into a hidden temporary folder beside ``out`` and renamed into place, so Ctrl-C leaves
    ``out`` as it was (:func:`planner.io.atomic.swap_in`); when ``out`` exists its other files
    are kept (linked into the new folder before the swap)."""
    import shutil

    from ..io.atomic import swap_in

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        names = {f"{name}.csv" for name in _ordered(tables)}
        if out.is_dir():
            for entry in out.iterdir():  # the folder's other files stay (hard links: no copy)
                if entry.name in names:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.copytree(entry, tmp / entry.name, symlinks=True, copy_function=_link_or_copy)
                else:
                    _link_or_copy(entry, tmp / entry.name)
        for name in _ordered(tables):
            t = tables[name].rename(columns=header)
            t.to_csv(tmp / f"{name}.csv", index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return swap_in(tmp, out)


def _link_or_copy(src, dst) -> None:
    import shutil

    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _flatten(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            rows += _flatten(v, key + ".")
        elif isinstance(v, list):
            rows.append((key, "; ".join(str(x) for x in v)))
        else:
            rows.append((key, v))
    return rows


def to_xlsx(tables, summary, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        _write_xlsx(tables, summary, tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def _write_xlsx(tables, summary, tmp: Path) -> None:
    with pd.ExcelWriter(tmp, engine="xlsxwriter") as xw:
        wb = xw.book
        bold = wb.add_format({"bold": True, "bg_color": "#F3F5F9", "bottom": 1})
        fmts = {u: wb.add_format({"num_format": f}) for u, f in NUMBER_FORMATS.items()}
        s = pd.DataFrame(_flatten(summary), columns=["key", "value"])
        s["value"] = s["value"].map(lambda v: "" if v is None else v)
        s.to_excel(xw, sheet_name="summary", index=False)
        ws = xw.sheets["summary"]
        ws.freeze_panes(1, 0)
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 24)
        ws.write_row(0, 0, ["key", "value"], bold)
        for name in _ordered(tables):
            t = tables[name]
            heads = [header(c) for c in t.columns]
            t.to_excel(xw, sheet_name=name[:31], index=False, header=heads)
            ws = xw.sheets[name[:31]]
            ws.freeze_panes(1, 0)
            ws.write_row(0, 0, heads, bold)
            for j, c in enumerate(t.columns):
                width = max(len(heads[j]) + 2, 10)
                if t[c].dtype == object and len(t):
                    width = max(width, min(60, int(t[c].astype(str).str.len().max()) + 2))
                ws.set_column(j, j, width, fmts.get(UNITS.get(c)))
            if len(t):
                ws.autofilter(0, 0, len(t), len(t.columns) - 1)


def _clean(v):
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            return None
    return v


def document(tables, summary) -> dict:
    """The JSON document (a dict) of a results folder's tables and summary."""
    names = _ordered(tables)
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "summary": summary,
        "units": {n: {c: UNITS[c] for c in tables[n].columns if c in UNITS} for n in names},
        "tables": {
            n: [{c: _clean(v) for c, v in zip(tables[n].columns, row)} for row in tables[n].itertuples(index=False)]
            for n in names
        },
    }


def validate_document(doc: dict) -> None:
    """Raise jsonschema.ValidationError when ``doc`` does not follow the results schema."""
    import jsonschema

    jsonschema.validate(doc, schema(), cls=jsonschema.Draft202012Validator)


def to_json(tables, summary, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = document(tables, summary)
    validate_document(doc)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        tmp.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
