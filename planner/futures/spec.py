"""The sweep spec of DESIGN.md §7.8, parsed and checked.

::

    base = "us"                      # a bundled name, or a folder relative to the spec file
    [[variant]]                      # named variants ...
    name = "high"
    demand = "high.csv"              # replaces demand.csv (relative to the spec file)
    [[variant]]
    name = "dear-rubin"
    set = { "carbon_price_usd_per_t" = 200, "chips.VR200_NVL144.capex_usd_per_unit" = "x1.2" }
    [grid]                           # ... and/or a grid: every combination is a variant
    "discount_rate" = [0.05, 0.09]
    "sites.us_va_loudoun.grid_cap_mw" = ["x0.5", 1000]

A ``set``/``grid`` key is a scenario.toml key (dotted for tables: ``limits.facility_mw``) or a
cell of a scenario or catalog file: ``FILE.KEY.COLUMN`` (a file with a one-column key; KEY a
row's key or ``*``) or ``FILE[K1,K2,...].COLUMN`` (the key's columns in the file's key order,
each a value or ``*``). A value is set as given; a string ``"xF"`` scales the current value by
F. A grid key ``demand`` takes demand files. Grid variants are named ``key=value,...`` from
the keys whose list has more than one value (a key with one value applies to every variant
but says nothing about which one it is); a grid whose every key has one value makes one
variant, named from all of them. A variant's folder is its name made filesystem-safe
(:attr:`Variant.folder_name`).

:func:`read_spec` raises :class:`planner.io.errors.InputError` with one sentence per problem,
each naming the spec file and its line (or key) -- before anything is solved.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..io.errors import InputError, Problem, UsageError
from ..io.scenario import resolve_scenario_path

TOP_KEYS = ("base", "variant", "grid")
VARIANT_KEYS = ("name", "demand", "set")
SCALE = re.compile(r"^x([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)$")
CELL_BRACKET = re.compile(r"^([A-Za-z0-9_\-]+)\[(.*)\]\.([^.\[\]]+)$")


@dataclass
class Change:
    """One override of a variant.

    ``kind`` is ``"toml"`` (``path``: the dotted scenario.toml key split on dots) or
    ``"cell"`` (``file``: e.g. ``"chips.csv"``; ``keys``: the key values, ``"*"`` = every row;
    ``column``). ``value`` is what was written; ``scale`` the factor F of an ``"xF"`` string
    (then ``value`` is that string). ``line`` is the spec line the key is written on."""

    key: str
    value: object
    line: int | None
    kind: str = "toml"
    path: tuple[str, ...] = ()
    file: str | None = None
    keys: tuple[str, ...] = ()
    column: str | None = None
    scale: float | None = None


@dataclass
class Variant:
    """One variant: its ``name`` (also its results folder), the demand file replacing
    demand.csv (or None) and its :class:`Change` list; ``line`` is where it is defined."""

    name: str
    demand: Path | None = None
    changes: list[Change] = field(default_factory=list)
    line: int | None = None
    grid: bool = False
    # a grid variant's name from every grid key (the names of planner before constant keys
    # were left out), so that a rerun into an old sweep folder finds its finished variants
    full_name: str | None = None

    @property
    def folder_name(self) -> str:
        """The variant's folder name (:func:`safe_folder_name` of its name)."""
        return safe_folder_name(self.name)

    def describe(self) -> dict:
        """A JSON-able account of what the variant changes (for the stamp of a finished run)."""
        return {
            "name": self.name,
            "demand": str(self.demand) if self.demand else None,
            "set": {c.key: c.value for c in self.changes},
        }


@dataclass
class SweepSpec:
    """A parsed spec: its file ``path``, ``name`` (the file stem), the ``base`` scenario
    folder and the ``variants`` in order (named ones first, then the grid's product)."""

    path: Path
    name: str
    base: Path
    variants: list[Variant]
    text: str = ""


UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_FOLDER = 120  # bytes; well inside the 255 of ext4, NTFS and APFS, with room for ".tmp" etc.


def safe_folder_name(name: str) -> str:
    """``name`` as a folder name on Linux, macOS and Windows: each of ``<>:"/\\|?*`` and control
    characters as ``_``, trailing dots and spaces dropped; a name longer than
    :data:`MAX_FOLDER` bytes is cut and ends in ``~`` and 10 hex digits of its SHA-256, so
    two long names stay apart."""
    import hashlib

    safe = UNSAFE.sub("_", name).rstrip(". ") or "_"
    if len(safe.encode()) > MAX_FOLDER:
        tag = "~" + hashlib.sha256(name.encode()).hexdigest()[:10]
        cut = safe.encode()[: MAX_FOLDER - len(tag)].decode(errors="ignore")
        safe = cut + tag
    return safe


def _line_of(lines: list[str], needle: str, start: int = 0) -> int | None:
    """1-based number of the first line at or after ``start`` (0-based) containing ``needle``."""
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i + 1
    return None


def _fmt_value(v) -> str:
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v)) if abs(v) < 1e15 else repr(v)
    return str(v)


def _looks_like_scale(value: str) -> bool:
    """A text meant as a scale: "x0.8", but also "X2", "x", "*1.2", "0.8x", "×1.5", "x1.2.3"
    (the wrong ones are errors, not texts written into a cell). A name such as "xeon" is not."""
    v = value.strip()
    if v in ("x", "X", "×"):
        return True
    return bool(re.match(r"^[xX×*]", v) or re.search(r"[xX×]$", v)) and any(ch.isdigit() for ch in v)


def parse_key(key: str, value, line: int | None, file_names: set[str], where: str) -> tuple[Change | None, str | None]:
    """Turn one ``set``/``grid`` key and its value into a :class:`Change`; returns
    (change, None) or (None, the problem in words). ``file_names`` are the CSV stems that
    may be addressed as cells (scenario, catalog and model files)."""
    scale = None
    if isinstance(value, str) and _looks_like_scale(value):
        mt = SCALE.match(value.strip())
        if not mt:
            return None, f'{where} "{key}" = {value!r}: a scale is written "xF" with F a number, e.g. "x0.8"'
        scale = float(mt.group(1))
    elif isinstance(value, bool) or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return None, f'{where} "{key}" = {value!r}: a value is a number, a text or a scale "xF"'
    elif isinstance(value, list):
        return None, f'{where} "{key}": a value may not be a list (use [grid] for several values)'
    mb = CELL_BRACKET.match(key)
    if mb:
        stem, inner, column = mb.groups()
        if stem not in file_names:
            return None, f'{where} "{key}": there is no file {stem}.csv in the base scenario or the catalog'
        keys = tuple(k.strip() for k in inner.split(","))
        return Change(key, value, line, "cell", file=stem + ".csv", keys=keys, column=column, scale=scale), None
    if "[" in key or "]" in key:
        return None, f'{where} "{key}": a cell with brackets is written FILE[K1,K2,...].COLUMN'
    parts = key.split(".")
    if parts[0] in file_names and len(parts) > 1:
        if len(parts) != 3:
            return None, (
                f'{where} "{key}": a cell is written FILE.KEY.COLUMN, or FILE[K1,...].COLUMN when a key holds a dot '
                "or the file has a key of several columns"
            )
        return Change(
            key, value, line, "cell", file=parts[0] + ".csv", keys=(parts[1],), column=parts[2], scale=scale
        ), None
    if any(not p for p in parts):
        return None, f'{where} "{key}": an empty part in a dotted key'
    return Change(key, value, line, "toml", path=tuple(parts), scale=scale), None


def csv_names(base: Path) -> set[str]:
    """Stems of the CSV files a variant of ``base`` may address: those in the scenario
    folder, the bundled catalog and models folders, and every file the schema declares."""
    from ..io.scenario import CATALOG_DIR, MODELS_DIR
    from ..io.schema import FILES

    names = {Path(f).stem for f in FILES}
    for d in (base, CATALOG_DIR, MODELS_DIR):
        if d.is_dir():
            names |= {p.stem for p in d.glob("*.csv")}
    return names


def read_spec(path: str | Path) -> SweepSpec:
    """Parse and check a sweep spec (see the module docstring). The cells a change names
    are checked against the base scenario's files (:func:`planner.futures.materialise.check`);
    raises :class:`InputError` listing every problem (spec file and line), or
    :class:`UsageError` when the spec file does not exist."""
    from .materialise import check_changes

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"Sweep spec {path} does not exist.")
    fname = path.name
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    problems: list[Problem] = []

    def bad(line, msg):
        problems.append(Problem(f"{fname}, line {line}" if line else fname, None, None, msg))

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError([Problem(fname, None, None, f"is not valid TOML ({e})")]) from None
    for k in doc:
        if k not in TOP_KEYS:
            bad(_line_of(lines, k), f'unknown key "{k}" (a spec has base, [[variant]] and [grid])')
    if "base" not in doc or not isinstance(doc.get("base"), str):
        raise InputError(problems + [Problem(fname, None, "base", "is missing (a bundled scenario name or a folder)")])
    base_arg = doc["base"]
    rel = path.parent / base_arg
    try:
        base = resolve_scenario_path(rel if rel.is_dir() else base_arg)
    except UsageError as e:
        raise InputError(problems + [Problem(f"{fname}, line {_line_of(lines, 'base')}", None, None, str(e))]) from None
    files = csv_names(base)
    variants: list[Variant] = []
    raw_variants = doc.get("variant", [])
    if not isinstance(raw_variants, list):
        bad(_line_of(lines, "variant"), "variant must be an array of tables ([[variant]])")
        raw_variants = []
    vstarts = [i for i, ln in enumerate(lines) if ln.strip().startswith("[[variant]]")]
    for i, rv in enumerate(raw_variants):
        start = vstarts[i] if i < len(vstarts) else 0
        vline = start + 1
        for k in rv:
            if k not in VARIANT_KEYS:
                bad(_line_of(lines, k, start), f'unknown key "{k}" in [[variant]] (it takes name, demand and set)')
        name = rv.get("name")
        if not isinstance(name, str) or not name.strip():
            bad(vline, "a [[variant]] needs a name (a non-empty text)")
            continue
        v = Variant(name=name.strip(), line=_line_of(lines, "name", start) or vline)
        if "demand" in rv:
            if not isinstance(rv["demand"], str):
                bad(_line_of(lines, "demand", start), "demand is a CSV file name (relative to the spec file)")
            else:
                d = path.parent / rv["demand"]
                if not d.is_file():
                    bad(
                        _line_of(lines, "demand", start), f"demand file {rv['demand']} does not exist (next to {fname})"
                    )
                v.demand = d
        sets = rv.get("set", {})
        if not isinstance(sets, dict):
            bad(_line_of(lines, "set", start), "set is a table of key = value")
            sets = {}
        for key, val in sets.items():
            ch, msg = parse_key(key, val, _line_of(lines, key, start), files, "set")
            if msg:
                bad(_line_of(lines, key, start), msg)
            else:
                v.changes.append(ch)
        variants.append(v)
    grid = doc.get("grid", {})
    if not isinstance(grid, dict):
        bad(_line_of(lines, "grid"), "grid is a table of key = [values]")
        grid = {}
    gstart = next((i for i, ln in enumerate(lines) if ln.strip().startswith("[grid]")), 0)
    axes: list[list[tuple[str, object, Change | Path | None]]] = []
    for key, vals in grid.items():
        ln = _line_of(lines, key, gstart)
        if not isinstance(vals, list) or not vals:
            bad(ln, f'grid "{key}" must be a non-empty list of values')
            continue
        axis = []
        for val in vals:
            if key == "demand":
                d = path.parent / str(val)
                if not d.is_file():
                    bad(ln, f"demand file {val} does not exist (next to {fname})")
                axis.append((key, val, d))
                continue
            ch, msg = parse_key(key, val, ln, files, "grid")
            if msg:
                bad(ln, msg)
            axis.append((key, val, ch))
        axes.append(axis)
    if axes:
        for n, axis in enumerate(axes):  # a value listed twice would make two variants of one name
            shown: dict[str, tuple] = {}
            for item in axis:
                text = _fmt_value(item[1])
                if text in shown:
                    bad(_line_of(lines, item[0], gstart), f'grid "{item[0]}" lists the value {text} twice')
                else:
                    shown[text] = item
            axes[n] = list(shown.values())
        varying = [i for i, axis in enumerate(axes) if len(axis) > 1] or list(range(len(axes)))
        for combo in itertools.product(*axes):
            full = ",".join(f"{k}={_fmt_value(val)}" for k, val, _ in combo)
            name = ",".join(f"{combo[i][0]}={_fmt_value(combo[i][1])}" for i in varying)
            v = Variant(name=name, line=gstart + 1, grid=True, full_name=full if full != name else None)
            for _k, _val, ch in combo:
                if isinstance(ch, Path):
                    v.demand = ch
                elif ch is not None:
                    v.changes.append(ch)
            variants.append(v)
    seen: dict[str, Variant] = {}
    for v in variants:
        if v.folder_name in seen and seen[v.folder_name].name != v.name:
            bad(
                v.line,
                f'the variant names "{seen[v.folder_name].name}" (line {seen[v.folder_name].line}) and "{v.name}" '
                f'make the same folder name "{v.folder_name}"; rename one',
            )
        elif v.folder_name in seen:
            bad(v.line, f'the variant name "{v.name}" is used twice (first at line {seen[v.folder_name].line})')
        elif v.folder_name.startswith((".", "_")) or v.folder_name in ("sweep.csv", "sweep.md", "sweep.html", "plots"):
            bad(v.line, f'the variant name "{v.name}" may not start with "." or "_" nor be a file of the sweep folder')
        else:
            seen[v.folder_name] = v
    if not variants and not problems:
        bad(None, "has no variants (add [[variant]] tables or a [grid])")
    if problems:
        raise InputError(problems)
    spec = SweepSpec(path=path, name=path.stem, base=base, variants=variants, text=text)
    problems += check_changes(spec)
    if problems:
        raise InputError(problems)
    return spec
