"""Plans near the LP relaxation: a repaired rounding and the neighbourhood of the relaxation.

Two helpers of the start heuristic (:mod:`planner.solver.heuristics`), both generic in the
compiled program (they read only the matrix, the bounds and which columns are integer):

- :func:`repair_rounding`: rounding every integer the relaxation uses *up* can break rows
  that hold integers only. On the bundled ``world`` scenario a site filled to its
  ``max_it_mw`` with halls built over several years (``site_capacity``: 20 MW x halls in
  service + existing hall MW <= max_it_mw x open) gets one block too many once each year's
  fractional halls are rounded up (us_tx_abilene, ae_abu_dhabi with 160 and 170 MW of
  existing halls), and the whole rounded plan is infeasible. The repair rounds *down*
  (to the floor of the relaxed value) the rounded-up integers of each violated row until it
  holds, the ones closest to their floor first, and repeats while a repair breaks another
  integer-only row. Rows with continuous columns are left to the LP re-solve that follows.
- :func:`neighbourhood_bounds`: the box of the relaxation-induced neighbourhood (RENS,
  Berthold 2014, "RENS -- the optimal rounding", Math. Prog. Comp. 6): every integer the
  relaxation leaves integral is fixed there, every fractional one may take the floor or the
  ceiling of its relaxed value. The MIP in that box is small (on world: the few hundred
  integers the relaxation leaves fractional, each with two values), and its plans are plans
  of the full program (the box only removes options).
"""

from __future__ import annotations

import numpy as np

TOL = 1e-6  # feasibility tolerance of a row, and of "integral" for a relaxed value


def _rows(ho) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The matrix of ``ho`` row-wise: ``(indptr, column indices, values)`` (CSR arrays)."""
    a = ho.lp.a_matrix_
    start = np.asarray(a.start_, dtype=np.int64)
    row = np.asarray(a.index_, dtype=np.int64)
    val = np.asarray(a.value_, dtype=np.float64)
    col = np.repeat(np.arange(len(start) - 1, dtype=np.int64), np.diff(start))
    order = np.argsort(row, kind="stable")
    indptr = np.zeros(ho.lp.num_row_ + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=ho.lp.num_row_), out=indptr[1:])
    return indptr, col[order], val[order]


def repair_rounding(ho, values: np.ndarray, relaxed: np.ndarray, passes: int = 20) -> tuple[np.ndarray, int]:
    """Repair a rounded-up plan on the rows of ``ho`` (a :class:`planner.solver.highs.Handoff`)
    whose columns are all integer (see module docstring).

    ``values``: the column values of the rounded plan (length = columns; the integer columns
    hold whole numbers >= ``floor(relaxed)``), ``relaxed``: the relaxation's column values.
    Returns ``(repaired values, number of integer columns lowered)``; the integer columns of
    the result lie in [floor(relaxed), values], so a plan in the box of
    :func:`neighbourhood_bounds` stays in it. Rows it cannot repair are left as they are.
    """
    out = np.asarray(values, dtype=np.float64).copy()
    integer = np.asarray(ho.integer, dtype=bool)
    indptr, cols_all, vals_all = _rows(ho)
    lower = np.asarray(ho.lower, dtype=np.float64)
    floor = np.maximum(np.floor(np.asarray(relaxed, dtype=np.float64) + TOL), lower)
    nrow = len(indptr) - 1
    row_of = np.repeat(np.arange(nrow), np.diff(indptr))
    cont = np.bincount(row_of, weights=(~integer[cols_all]).astype(np.float64), minlength=nrow)
    # rows of integer columns only (no continuous nonzero)
    rows = np.flatnonzero((cont == 0) & (np.diff(indptr) > 0))
    if len(rows) == 0:
        return out, 0
    rlo = np.asarray(ho.lp.row_lower_, dtype=np.float64)[rows]
    rup = np.asarray(ho.lp.row_upper_, dtype=np.float64)[rows]
    spans = [(int(indptr[i]), int(indptr[i + 1])) for i in rows]
    nz = np.flatnonzero(np.isin(row_of, rows))
    pos = np.searchsorted(rows, row_of[nz])

    def activity() -> np.ndarray:
        return np.bincount(pos, weights=vals_all[nz] * out[cols_all[nz]], minlength=len(rows))

    lowered = 0
    for _ in range(passes):
        act = activity()
        bad = np.flatnonzero(
            (act > rup + TOL * np.maximum(1.0, np.abs(rup))) | (act < rlo - TOL * np.maximum(1.0, np.abs(rlo)))
        )
        if len(bad) == 0:
            break
        changed = False
        for i in bad:
            lo_i, hi_i = spans[i]
            cols, coef = cols_all[lo_i:hi_i], vals_all[lo_i:hi_i]
            a_i = float(coef @ out[cols])
            too_high = a_i > rup[i]
            # lowering column j moves the activity by -coef*(out-floor): helps a row that is
            # too high where coef > 0, a row that is too low where coef < 0
            helps = (coef > 0) if too_high else (coef < 0)
            cand = [k for k in np.flatnonzero(helps) if out[cols[k]] > floor[cols[k]] + 0.5]
            cand.sort(key=lambda k: (relaxed[cols[k]] - floor[cols[k]], cols[k]))
            for k in cand:
                j = cols[k]
                a_i -= coef[k] * (out[j] - floor[j])
                out[j] = floor[j]
                lowered += 1
                changed = True
                if (a_i <= rup[i] + TOL) if too_high else (a_i >= rlo[i] - TOL):
                    break
        if not changed:
            break
    return out, lowered


def neighbourhood_bounds(ho, relaxed: np.ndarray, zero: float = 1e-6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The RENS box of the relaxed column values ``relaxed`` (see module docstring):
    ``(integer column indices, lower, upper)`` -- for each integer column, an integral
    relaxed value (within 1e-6) fixes it there, a value at or below ``zero`` fixes it at
    its lower bound, and a fractional value allows floor..ceiling; always within the
    column's own bounds."""
    ints = np.flatnonzero(ho.integer).astype(np.int32)
    v = np.asarray(relaxed, dtype=np.float64)[ints]
    lb, ub = ho.lower[ints], ho.upper[ints]
    lo = np.clip(np.floor(v + TOL), lb, ub)
    hi = np.clip(np.ceil(v - TOL), lb, ub)
    at_zero = v <= zero
    lo[at_zero] = hi[at_zero] = lb[at_zero]
    return ints, lo, np.maximum(lo, hi)
