"""Read one input CSV into a typed table, collecting every problem with file, row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is
row 2. Cells are read as text first, whitespace around cells and header names is stripped,
a UTF-8 byte-order mark is accepted, and each column is then parsed by its
:class:`planner.io.schema.Column` declaration.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problem
from .schema import NO_LIMIT, NONE, REQUIRED, START_YEAR, TEXT, Column, FileSpec

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_UNLIMITED_LOOKING = 1e12  # a "no limit" column value at or above this is read as blank
_PLACEHOLDER = 1e15  # any other figure this large is a placeholder, not data (tokens excepted)
_PLACEHOLDER_TOKENS = 1e21
_INF_WORDS = {"inf", "+inf", "infinity", "+infinity", "unlimited", "no limit", "none", "∞"}
YEAR_RANGE = (1900, 2200)


def _fmt(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:g}"


def read_text(path: Path, fname: str) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8 text (BOM accepted). Returns (text or None, problems)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        return None, [Problem(fname, None, None, f"cannot be read ({e.strerror})")]
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, [Problem(fname, None, None, "is UTF-16 text; save the file as UTF-8 CSV")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return None, [
            Problem(
                fname,
                line,
                None,
                f"is not UTF-8 text (byte 0x{raw[e.start]:02x} cannot be decoded, perhaps Windows-1252 or Latin-1); "
                "save the file as UTF-8 CSV",
            )
        ]
    return text, []


def read_table(
    path: Path, spec: FileSpec, start_year: int | None
) -> tuple[pd.DataFrame | None, list[Problem], list[Problem]]:
    """Read and type one CSV file.

    Returns ``(table, errors, warnings)``. ``table`` has one column per declared column
    (typed: ``key``/``text`` as str, numbers as float, ``int``/``year`` as float holding whole
    numbers, blanks resolved by the column's blank rule, NaN for "no limit"/"none") plus
    ``_row``, the spreadsheet row number. ``table`` is None when the file cannot be parsed at
    all. Errors name file, row and column; nothing is raised.
    """
    fname = spec.name
    text, problems = read_text(path, fname)
    if text is None:
        return None, problems, []
    if not text.strip():
        return (
            None,
            [Problem(fname, None, None, f"is empty; it needs a header row ({','.join(spec.column_names)})")],
            [],
        )
    header_line = text.splitlines()[0]
    if "\x00" in text:
        return None, [Problem(fname, None, None, "contains NUL bytes, so it is not a text CSV file")], []
    if "," not in header_line and len(spec.columns) > 1:
        for delim, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if delim in header_line:
                return (
                    None,
                    [Problem(fname, 1, None, f"uses {label} between columns; save it as comma-separated CSV")],
                    [],
                )
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        return None, [Problem(fname, None, None, f"is not valid CSV ({e})")], []
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    errors: list[Problem] = []
    warnings: list[Problem] = []
    # drop fully blank lines (common at the end of spreadsheet exports)
    kept: list[tuple[int, list[str]]] = []
    for i, r in enumerate(body):
        rownum = i + 2
        if not any(c.strip() for c in r):
            continue
        if len(r) != len(header):
            hint = ""
            if len(r) > len(header) and any(re.fullmatch(r"\d{3}(\.\d+)?", c.strip()) for c in r[1:]):
                hint = " (a number written with thousands separators, like 10,000, must be quoted or written 10000)"
            errors.append(
                Problem(fname, rownum, None, f"has {len(r)} cells but the header has {len(header)} columns{hint}")
            )
            continue
        kept.append((rownum, [c.strip() for c in r]))
    seen = set()
    for h in header:
        if h == "":
            warnings.append(Problem(fname, 1, None, "has a column with an empty header; it is ignored"))
        elif h in seen:
            errors.append(Problem(fname, 1, h, "appears twice in the header"))
        seen.add(h)
    known = set(spec.column_names)
    by_name = {c.name: c for c in spec.columns}
    for h in header:
        if h and h not in known:
            near = difflib.get_close_matches(h.lower(), [k for k in spec.column_names if k not in header], n=1)
            if near and (by_name[near[0]].blank != REQUIRED or by_name[near[0]].type == "text"):
                # a near-miss of an optional column: read as blank, it would plan silently on the
                # column's default (a typo in grid_co2_kg_per_mwh planned with zero CO2)
                errors.append(
                    Problem(
                        fname,
                        1,
                        h,
                        f"is not a known column of this file; did you mean {near[0]}? Without it every row "
                        f"reads {near[0]} as blank ({_blank_meaning(by_name[near[0]])}); rename the column",
                    )
                )
                continue
            if near:
                continue  # the required column it misspells is reported missing, with this hint
            hint = f" (known columns: {', '.join(spec.column_names)})"
            warnings.append(Problem(fname, 1, h, f"is not a known column of this file and is ignored{hint}"))
    missing = [c for c in spec.columns if c.name not in header and not (c.blank != REQUIRED or c.type == "text")]
    unknown = [h for h in header if h and h not in known]
    for c in spec.columns:
        if c.name not in header and c.blank in (NO_LIMIT, START_YEAR) and kept:
            meaning = "no limit" if c.blank == NO_LIMIT else "the start year"
            warnings.append(
                Problem(fname, 1, c.name, f"is missing from the header, so every row is read as blank ({meaning})")
            )
    for c in missing:
        near = difflib.get_close_matches(c.name, unknown, n=1)
        hint = f"; the header has {near[0]} instead, rename it to {c.name} if that is meant" if near else ""
        errors.append(Problem(fname, 1, c.name, f"is missing from the header ({c.description}, {c.unit}){hint}"))
    if errors and not kept:
        return None, errors, warnings
    raw = (
        pd.DataFrame([r for _, r in kept], columns=header, dtype=object)
        if kept
        else pd.DataFrame(columns=header, dtype=object)
    )
    raw = raw.loc[:, [h for h in header if h]]
    raw = raw.loc[:, ~raw.columns.duplicated()]
    out = pd.DataFrame({"_row": np.array([n for n, _ in kept], dtype=int)})
    for col in spec.columns:
        if col.name in raw.columns:
            cells = raw[col.name].astype(str).tolist()
        else:
            cells = [""] * len(kept)
        values, errs, warns = _parse_column(fname, col, cells, out["_row"].tolist(), start_year)
        if col in missing:
            errs = []  # the missing column is reported once, not as a blank cell in every row
        errors += errs
        warnings += warns
        out[col.name] = values
    # duplicated keys: every duplicate row is named
    if spec.keys and len(out):
        keycols = list(spec.keys)
        # key columns whose blank is a value (existing.csv's cooling of halls and power)
        by_name = {c.name: c for c in spec.columns}
        blankable = [k for k in keycols if k in by_name and by_name[k].blank != REQUIRED]
        valid = out[[k for k in keycols if k not in blankable]].notna().all(axis=1)
        # optional key columns (a blank cell is a value of the key) count where the header has them
        optional = [k for k in spec.extra.get("optional_keys", ()) if k in header]
        keyed = out[valid].assign(**{k: out.loc[valid, k].fillna("") for k in (*blankable, *optional)})
        keycols += optional
        dup = keyed.duplicated(keycols, keep=False)
        if dup.any():
            d = keyed[dup]
            first_row: dict = {}
            for _, r in d.iterrows():
                k = tuple(r[c] for c in keycols)
                if k not in first_row:
                    first_row[k] = r["_row"]
                    continue
                keytxt = ", ".join(f"{c}={_keyfmt(v) or '(blank)'}" for c, v in zip(keycols, k, strict=True))
                errors.append(
                    Problem(fname, int(r["_row"]), keycols[-1], f"duplicates the key ({keytxt}) of row {first_row[k]}")
                )
    out.attrs["header"] = [h for h in header if h]  # the columns the file gives (optional ones may be absent)
    return out, errors, warnings


def _blank_meaning(col: Column) -> str:
    """What a blank cell of ``col`` is read as, in words."""
    if col.blank == NO_LIMIT:
        return "no limit"
    if col.blank == START_YEAR:
        return "the start year"
    if col.blank in (NONE, TEXT):
        return "none"
    return f"{_fmt(float(col.blank))} {col.unit}".rstrip(" -")


def _keyfmt(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _parse_column(
    fname: str, col: Column, cells: list[str], rows: list[int], start_year: int | None
) -> tuple[list, list[Problem], list[Problem]]:
    errors: list[Problem] = []
    warnings: list[Problem] = []
    if col.type in ("key", "text"):
        vals: list = []
        for cell, row in zip(cells, rows, strict=True):
            if cell == "":
                if col.blank == REQUIRED:
                    errors.append(Problem(fname, row, col.name, f"is blank; a {col.description} is required"))
                vals.append(None if col.type == "key" else "")
                continue
            if col.choices and cell not in col.choices:
                errors.append(Problem(fname, row, col.name, f"'{cell}' is not one of {', '.join(col.choices)}"))
            vals.append(cell)
        return vals, errors, warnings
    out: list[float] = []
    for cell, row in zip(cells, rows, strict=True):
        if cell == "":
            b = col.blank
            if b == REQUIRED:
                errors.append(
                    Problem(
                        fname,
                        row,
                        col.name,
                        f"is blank; a value{'' if col.unit in ('-', '') else ' in ' + col.unit} is required",
                    )
                )
                out.append(math.nan)
            elif b in (NO_LIMIT, NONE, TEXT):
                out.append(math.nan)
            elif b == START_YEAR:
                out.append(float(start_year) if start_year is not None else math.nan)
            else:
                out.append(float(b))
            continue
        text = cell
        if text.startswith('"') and text.endswith('"'):
            text = text[1:-1].strip()
        if text.lower() in _INF_WORDS:
            if col.blank == NO_LIMIT:
                warnings.append(
                    Problem(fname, row, col.name, f"'{cell}' is read as no limit; leave the cell blank to say so")
                )
                out.append(math.nan)
            else:
                errors.append(
                    Problem(
                        fname,
                        row,
                        col.name,
                        f"'{cell}' is not a finite number; {col.description} needs a value ({col.unit})",
                    )
                )
                out.append(math.nan)
            continue
        try:
            v = float(text)
        except ValueError:
            if _THOUSANDS.match(text):
                v = float(text.replace(",", ""))
                warnings.append(
                    Problem(fname, row, col.name, f"'{cell}' was read as {_fmt(v)} (comma as thousands separator)")
                )
            else:
                errors.append(Problem(fname, row, col.name, _not_a_number(cell, col)))
                out.append(math.nan)
                continue
        if math.isnan(v):
            errors.append(
                Problem(
                    fname,
                    row,
                    col.name,
                    f"'{cell}' is not a number; leave the cell blank"
                    + (" for no limit" if col.blank == NO_LIMIT else " only where a blank is allowed"),
                )
            )
            out.append(math.nan)
            continue
        if math.isinf(v):
            if col.blank == NO_LIMIT and v > 0:
                warnings.append(
                    Problem(fname, row, col.name, f"'{cell}' is read as no limit; leave the cell blank to say so")
                )
            else:
                errors.append(Problem(fname, row, col.name, f"'{cell}' is not a finite number ({col.unit})"))
            out.append(math.nan)
            continue
        if col.blank == NO_LIMIT and v >= _UNLIMITED_LOOKING:
            warnings.append(
                Problem(
                    fname,
                    row,
                    col.name,
                    f"'{cell}' looks like 'no limit' and is read as no limit; leave the cell blank to say so",
                )
            )
            out.append(math.nan)
            continue
        limit = _PLACEHOLDER_TOKENS if "tok" in col.unit else _PLACEHOLDER
        if col.blank != NO_LIMIT and abs(v) >= limit:
            errors.append(
                Problem(
                    fname,
                    row,
                    col.name,
                    f"'{cell}' is too large to be a real figure ({col.unit}); a placeholder such as 1e16 for "
                    "'unlimited' or 'forbidden' makes the program numerically unreliable: leave a no-limit cell "
                    "blank, or remove the row of an option that must not be chosen",
                )
            )
            out.append(math.nan)
            continue
        if col.type in ("int", "year") and not float(v).is_integer():
            errors.append(
                Problem(
                    fname,
                    row,
                    col.name,
                    f"{cell} is not a whole number" if col.type == "int" else f"{cell} is not a whole year",
                )
            )
            out.append(math.nan)
            continue
        if col.type == "year" and not (YEAR_RANGE[0] <= v <= YEAR_RANGE[1]):
            errors.append(
                Problem(
                    fname, row, col.name, f"{cell} is not a plausible year (expected {YEAR_RANGE[0]}-{YEAR_RANGE[1]})"
                )
            )
            out.append(math.nan)
            continue
        bad = _range_problem(col, v)
        if bad:
            errors.append(Problem(fname, row, col.name, bad))
            out.append(math.nan)
            continue
        out.append(v)
    return out, errors, warnings


def _not_a_number(cell: str, col: Column) -> str:
    """The sentence for a cell that does not parse as a number, with a hint where the
    cell shows a common spreadsheet habit (percent sign, currency sign, decimal comma, unit)."""
    base = f"'{cell}' is not a number ({col.unit})"
    t = cell.strip().strip('"').strip()
    if t.endswith("%"):
        try:
            pct = float(t[:-1].strip())
            return f"{base}; write a share as a fraction, e.g. {pct / 100:g} for {t}"
        except ValueError:
            pass
    if t[:1] in "$€£" or t[-1:] in "$€£":
        return f"{base}; write the number without a currency sign (amounts are {col.unit})"
    if _DECIMAL_COMMA.match(t):
        return f"{base}; use a point as the decimal separator, e.g. {t.replace(',', '.')}"
    m = re.match(r"^([+-]?\d+(\.\d+)?([eE][+-]?\d+)?)\s*[A-Za-z/ ]+$", t)
    if m:
        return f"{base}; write the number only ({m.group(1)}), the unit is given by the column name"
    return base


def _range_problem(col: Column, v: float) -> str | None:
    if col.lo is not None:
        if col.lo == 0 and not col.lo_open and v < 0:
            return f"{_fmt(v)} is negative; {col.description} must be 0 or more ({col.unit})"
        if v < col.lo or (col.lo_open and v <= col.lo):
            rel = "above" if col.lo_open else "at least"
            return f"{_fmt(v)} is out of range; {col.description} must be {rel} {_fmt(col.lo)} ({col.unit})"
    if col.hi is not None and (v > col.hi or (col.hi_open and v >= col.hi)):
        rel = "below" if col.hi_open else "at most"
        hint = ""
        if col.hi == 1 and 5 <= v <= 100:
            hint = f"; a share is written as a fraction, e.g. {v / 100:g} for {_fmt(v)} %"
        return f"{_fmt(v)} is out of range; {col.description} must be {rel} {_fmt(col.hi)} ({col.unit}){hint}"
    return None
