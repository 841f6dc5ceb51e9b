"""A variant written out as a scenario folder.

:func:`materialise` copies the base scenario folder, replaces demand.csv when the variant
names a demand file, copies in each bundled catalog or model file whose cell the variant sets
(a file in the scenario folder replaces the bundled one, DESIGN.md §2) and edits the CSV cells
and scenario.toml keys there. The folder is an ordinary scenario: ``planner solve FOLDER``
plans it exactly as the sweep did. Nothing here knows a file's columns beyond the schema's
key columns (:data:`planner.io.schema.FILES`; a file the schema does not know is keyed by its
first columns), so new optional files and columns work unchanged.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import tempfile
import tomllib
from pathlib import Path

import pandas as pd

from ..io.errors import Problem
from ..io.scenario import CATALOG_DIR, MODELS_DIR, read_config
from ..io.schema import FILES


def _bundled(base: Path, fname: str) -> Path:
    """Where the base scenario reads ``fname`` from (its own copy, else the bundled one)."""
    own = base / fname
    if own.is_file():
        return own
    spec = FILES.get(fname)
    where = spec.where if spec else None
    for d in {"catalog": [CATALOG_DIR], "models": [MODELS_DIR]}.get(where, [CATALOG_DIR, MODELS_DIR]):
        if (d / fname).is_file():
            return d / fname
    return own


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _same(cell: str, want: str) -> bool:
    a, b = cell.strip(), want.strip()
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def _num_text(v: float) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def _where(spec_name: str, ch) -> str:
    return f"{spec_name}, line {ch.line}" if ch.line else f"{spec_name}, key {ch.key}"


def apply_changes(base: Path, variant, spec_name: str = "spec") -> tuple[dict[str, pd.DataFrame], dict, list[Problem]]:
    """The edited tables and scenario.toml of ``variant`` (a :class:`~.spec.Variant`) of the
    scenario folder ``base``, in memory. Returns (file name -> edited DataFrame of text
    cells, only for the files changed; the edited scenario.toml as a dict; problems, each
    naming the spec line)."""
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    doc = tomllib.loads((base / "scenario.toml").read_text(encoding="utf-8-sig"))

    def bad(ch, msg):
        problems.append(Problem(_where(spec_name, ch), None, None, f'"{ch.key}": {msg}'))

    for ch in variant.changes:
        if ch.kind == "toml":
            node = doc
            for p in ch.path[:-1]:
                nxt = node.get(p)
                if nxt is None:
                    nxt = node[p] = {}
                if not isinstance(nxt, dict):
                    bad(ch, f"scenario.toml's {p} is not a table")
                    break
                node = nxt
            else:
                last = ch.path[-1]
                if ch.scale is None:
                    node[last] = ch.value
                    continue
                cur = node.get(last)
                if cur is None:
                    bad(ch, "scenario.toml has no value here to scale (a blank cannot be scaled); set a number")
                elif isinstance(cur, dict) and all(isinstance(x, int | float) for x in cur.values()):
                    node[last] = {k: x * ch.scale for k, x in cur.items()}
                elif isinstance(cur, int | float) and not isinstance(cur, bool):
                    node[last] = cur * ch.scale
                else:
                    bad(ch, f"scenario.toml's value {cur!r} is not a number or a year table, so it cannot be scaled")
            continue
        fname = ch.file
        if fname == "demand.csv" and variant.demand is not None:
            src = Path(variant.demand)
        else:
            src = _bundled(base, fname)
        if fname not in tables:
            if not src.is_file():
                bad(ch, f"there is no {fname} in the base scenario {base.name} or the bundled catalog")
                continue
            tables[fname] = _read_csv(src)
        t = tables[fname]
        spec = FILES.get(fname)
        key_cols = list(spec.keys) if spec else list(t.columns[: len(ch.keys)])
        if len(ch.keys) > len(key_cols):
            bad(ch, f"{fname} has a key of {len(key_cols)} column(s) ({', '.join(key_cols)}), not {len(ch.keys)}")
            continue
        if len(ch.keys) == 1 and len(key_cols) > 1 and "[" not in ch.key:
            bad(
                ch,
                f"{fname} has a key of {len(key_cols)} columns ({', '.join(key_cols)}); "
                f"write {fname[:-4]}[{','.join(key_cols)}].{ch.column} with a value or * for each",
            )
            continue
        if ch.column not in t.columns:
            if spec and ch.column in spec.column_names:
                t[ch.column] = ""  # an optional column the file leaves out: every row blank
            else:
                bad(ch, f"{fname} has no column {ch.column}")
                continue
        mask = pd.Series(True, index=t.index)
        missing = [c for c in key_cols[: len(ch.keys)] if c not in t.columns]
        if missing:
            bad(ch, f"{fname} has no key column {missing[0]}")
            continue
        for col, want in zip(key_cols, ch.keys):
            if want != "*":
                mask &= t[col].map(lambda c, w=want: _same(c, w))
        if not mask.any():
            want = ", ".join(f"{c} {w}" for c, w in zip(key_cols, ch.keys) if w != "*")
            bad(ch, f"{fname} has no row with {want}")
            continue
        if ch.scale is None:
            v = ch.value
            t.loc[mask, ch.column] = _num_text(v) if isinstance(v, int | float) else str(v)
            continue
        for idx in t.index[mask]:
            cell = t.at[idx, ch.column].strip()
            row = int(idx) + 2
            if cell == "":
                bad(ch, f"{fname}, row {row}, column {ch.column} is blank, and a blank cell cannot be scaled")
                break
            try:
                x = float(cell)
            except ValueError:
                bad(ch, f"{fname}, row {row}, column {ch.column} is {cell!r}, not a number to scale")
                break
            t.at[idx, ch.column] = _num_text(x * ch.scale) if not math.isnan(x) else cell
    return tables, doc, problems


_BARE = re.compile(r"^[A-Za-z0-9_\-]+$")


def _tkey(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k)


def _tval(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_tval(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_tkey(k)} = {_tval(x)}" for k, x in v.items()) + " }"
    return json.dumps(str(v))


def toml_text(doc: dict) -> str:
    """``doc`` as TOML: top-level values first, then one ``[table]`` per top-level table
    (tables inside tables as inline tables). Reading it back with tomllib gives ``doc``."""
    out = [f"{_tkey(k)} = {_tval(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for k, v in doc.items():
        if isinstance(v, dict):
            out.append("")
            out.append(f"[{_tkey(k)}]")
            out += [f"{_tkey(a)} = {_tval(b)}" for a, b in v.items()]
    return "\n".join(out) + "\n"


def _sets_threads(variant) -> bool:
    return any(c.kind == "toml" and c.path == ("solver", "threads") for c in variant.changes)


def materialise(base: Path, variant, folder: Path, threads: int | None = None, spec_name: str = "spec") -> Path:
    """Write ``variant`` of ``base`` as the scenario folder ``folder`` (replaced if it
    exists) and return it. ``threads`` is written as ``[solver] threads`` unless the variant
    sets it. Raises ValueError with the problems' sentences when a change cannot be applied
    (:func:`check_changes` finds those first)."""
    tables, doc, problems = apply_changes(base, variant, spec_name)
    if problems:
        raise ValueError(" ".join(p.sentence() for p in problems))
    folder = Path(folder)
    tmp = folder.with_name(f".{folder.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for p in sorted(base.iterdir()):
        if p.is_file():
            shutil.copy2(p, tmp / p.name)
    if variant.demand is not None:
        shutil.copyfile(variant.demand, tmp / "demand.csv")
    for fname, t in tables.items():
        t.to_csv(tmp / fname, index=False, lineterminator="\n")
    if threads is not None and not _sets_threads(variant):
        doc.setdefault("solver", {})
        if not isinstance(doc["solver"], dict):
            doc["solver"] = {}
        doc["solver"]["threads"] = int(threads)
    (tmp / "scenario.toml").write_text(toml_text(doc), encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    return folder


def inputs_digest(folder: Path) -> str:
    """SHA-256 over every file the scenario ``folder`` reads: its own files and the bundled
    catalog and model files it does not replace (so a changed catalog re-solves a variant)."""
    h = hashlib.sha256()
    names = sorted({p.name for p in folder.iterdir() if p.is_file()} | set(FILES))
    for n in names:
        p = _bundled(folder, n)
        if p.is_file():
            h.update(n.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def check_changes(spec) -> list[Problem]:
    """Every problem of every variant of ``spec`` (a :class:`~.spec.SweepSpec`), found by
    applying its changes in memory and reading the edited scenario.toml: a file, row or
    column that does not exist, a blank scaled, a scenario.toml key the planner does not
    know or a value it refuses."""
    problems: list[Problem] = []
    for v in spec.variants:
        _tables, doc, probs = apply_changes(spec.base, v, spec.path.name)
        problems += probs
        toml_changes = [c for c in v.changes if c.kind == "toml"]
        if probs or not toml_changes:
            continue
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "scenario.toml").write_text(toml_text(doc), encoding="utf-8")
            _cfg, errors, warnings = read_config(Path(d))
        for c in toml_changes:
            where = _where(spec.path.name, c)
            for w in warnings:
                col = w.column or ""
                if col and (c.key == col or c.key.startswith(col + ".")) and "not a known" in w.text:
                    hint = f"; nor is it a cell, since there is no file {c.path[0]}.csv" if len(c.path) == 3 else ""
                    problems.append(
                        Problem(where, None, None, f'"{c.key}": scenario.toml has no such key ({w.text}){hint}')
                    )
            for e in errors:
                col = e.column or ""
                if col and (c.key == col or c.key.startswith(col + ".") or col.startswith(c.key + ".")):
                    problems.append(Problem(where, None, None, f'"{c.key}" in variant "{v.name}": {e.sentence()}'))
    # the same problem once, even when a grid repeats it in many variants
    return list(dict.fromkeys(problems))
