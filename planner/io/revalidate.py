"""Validate a scenario again after its tables were edited in memory.

:func:`planner.load_scenario` validates the files it reads; a notebook may then edit
``scn["chips"]`` (a negative capex, a blank key, a chip no throughput row knows). Before such
a scenario is solved, :func:`revalidate` checks every cell of every table again with the
file's column declarations (:mod:`planner.io.schema`, the same parser as for files: each
cell is turned back into the text a CSV would hold) and runs the cross-file checks, so an
edit that a file could not hold is an :class:`~planner.io.errors.InputError` naming the
table, row and column, never a wrong plan or a traceback.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .errors import InputError, Problem
from .readers import _fmt, _parse_column
from .schema import FILES


def _cell(v) -> str:
    """The text a CSV cell would hold for the value ``v`` of an edited table."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return "" if math.isnan(f) else _fmt(f)
    return str(v).strip()


def revalidate(scn) -> None:
    """Check the tables of ``scn`` (a :class:`~planner.io.scenario.Scenario`, possibly edited)
    as if they were read from files; raise :class:`InputError` with every problem found.
    Warnings found now and not before are appended to ``scn.warnings``; a site that can
    never host a hall is left out (:mod:`planner.io.hostable`)."""
    from .hostable import leave_out
    from .validate import cross_checks

    errors: list[Problem] = []
    warnings: list[Problem] = []
    start = scn.config.start_year
    labels = {f: f for f in scn.tables}
    for fname, t in scn.tables.items():
        spec = FILES.get(fname)
        if spec is None:
            continue
        missing = [c.name for c in spec.columns if c.name not in t.columns]
        if missing:
            errors.append(
                Problem(fname, None, missing[0], "was removed from the table; every column of the file is needed")
            )
            continue
        given = t["_row"].tolist() if "_row" in t.columns else [None] * len(t)
        rows = [int(r) if r is not None and pd.notna(r) else i + 2 for i, r in enumerate(given)]
        for col in spec.columns:
            cells = [_cell(v) for v in t[col.name].tolist()]
            _, errs, _warns = _parse_column(fname, col, cells, rows, start)
            errors += errs
        if spec.keys and len(t):
            keys = list(spec.keys)
            # optional key columns (a service tier) are part of the key where the table has them
            full = keys + [k for k in spec.extra.get("optional_keys", ()) if k in t.columns]
            dup = t[full].fillna("").duplicated(keep="first") & t[keys].notna().all(axis=1)
            for i in dup[dup].index:
                where = rows[t.index.get_loc(i)]
                keytxt = ", ".join(f"{k}={t.at[i, k]}" for k in full)
                errors.append(Problem(fname, where, keys[-1], f"duplicates the key ({keytxt}) of an earlier row"))
    if not errors:
        errs, warns = cross_checks(scn.config, scn.tables, labels)
        errors += errs
        warnings += warns
    if errors:
        raise InputError(errors)
    seen = {w.sentence() for w in scn.warnings}
    scn.warnings += [w for w in warnings + leave_out(scn.config, scn.tables, labels) if w.sentence() not in seen]
