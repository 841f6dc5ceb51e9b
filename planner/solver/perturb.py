"""Prices that mean "one MORE unit": ranging and perturbation re-solves.

The dual of a row at a degenerate vertex is one subgradient among many: it may be the cost
of one unit *less* of a limit (or of one token fewer) rather than the saving of one more.
Two cases found in trials:

- a site whose demand fits its 100 MW grid cap exactly: the dual said "each extra MW would
  save $12.6 bn a year", although re-solving with 101 MW saves nothing (the fleet is fixed
  and already serves everything; it is the cost of *losing* a MW: at 99 MW 1 % of the
  demand goes unserved at the penalty);
- an old chip retired by a better one: the long-run marginal cost of a token came out as
  the saving of one fewer token ($0.024/Mtok) instead of the cost of one more ($0.161).

:class:`LPSession` keeps one HiGHS instance with the LP of a basis (short run or long run,
see :mod:`planner.solver.marginal`) and re-solves it with a bound moved by one unit,
warm-started from the optimal basis, to measure

- ``holds_for``: how far the limit can be raised before the basis (and so the price)
  changes, from HiGHS's ranging (``Highs.getRanging``): the smallest increase over the
  bounds moved together (a grid cap is the bound of one column per slice). Where it is
  above zero the dual is the saving of one more unit (over that range) and is kept;
- where it is zero (degenerate), ``saving_up`` = (objective(base) - objective(limit + step))
  / step and ``cost_down`` = (objective(limit - step) - objective(base)) / step, the two
  one-sided derivatives, measured by re-solves with a step of :data:`STEP` of a unit.

For tokens the dual of the demand row is kept where ranging shows it holds for an increase of
demand; elsewhere (a degenerate basis) one re-solve with ``TOKEN_DELTA`` more tokens gives the
cost of one more token.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from .highs import Handoff, Resolve, variant_highs
from .session import INF, run_guard, stop_at

TOKEN_DELTA = 1e-3  # Ttok (1e9 tokens): the perturbation of a demand row
RANGE_TOL = 1e-9
STEP = 1e-3  # of one unit of a limit: the step of a perturbation re-solve (a right/left derivative)


class LPSession:
    """One LP variant of the compiled program ``ho`` (arguments as
    :func:`planner.solver.highs.resolve`), solved once in the constructor (``result``: a
    :class:`~planner.solver.highs.Resolve`) and kept for re-solves with moved bounds."""

    def __init__(
        self,
        ho: Handoff,
        fix: dict[int, float] | None = None,
        unbounded_above: np.ndarray | None = None,
        free_rows: list[int] | None = None,
        time_limit: float = 60.0,
        threads: int | None = None,
        seed: int = 1,
        options: dict | None = None,
    ):
        self.time_limit = float(time_limit)
        self.h, lower, upper = variant_highs(
            ho, fix, unbounded_above, free_rows, True, time_limit, threads, seed, options
        )
        self.col_lower, self.col_upper = lower, upper
        self.row_lower = np.asarray(ho.lp.row_lower_, dtype=float).copy()
        self.row_upper = np.asarray(ho.lp.row_upper_, dtype=float).copy()
        if free_rows:
            idx = np.asarray(free_rows, dtype=np.int32)
            self.row_lower[idx], self.row_upper[idx] = -INF, INF
        self.result = self._run()
        self.base = self.result.objective if self.result.ok else None
        self._ranging = None

    def _run(self) -> Resolve:
        h = self.h
        with run_guard(stop_at(h, time.perf_counter() + self.time_limit + 1.0)):
            h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return Resolve(False, h.modelStatusToString(status))
        sol = h.getSolution()
        return Resolve(
            True,
            "optimal",
            objective=h.getInfo().objective_function_value,
            col_value=np.asarray(sol.col_value),
            col_dual=np.asarray(sol.col_dual) if sol.dual_valid else None,
            row_dual=np.asarray(sol.row_dual) if sol.dual_valid else None,
        )

    def ranging(self):
        """HiGHS's ranging of the base solution (None when it is not available). Must be
        called before any :meth:`objective_with`."""
        if self._ranging is None and self.base is not None:
            st, r = self.h.getRanging()
            self._ranging = r if st == highspy.HighsStatus.kOk and r.valid else False
        return self._ranging or None

    def objective_with(self, cols: dict[int, tuple[float, float]] = (), rows: dict[int, tuple[float, float]] = ()):
        """The LP's optimal objective (MUSD) with column bounds ``cols`` (column -> (lower,
        upper)) and row bounds ``rows`` (row -> (lower, upper)) moved; None when that LP
        does not solve to optimality. The bounds are put back afterwards."""
        h = self.h
        cols, rows = dict(cols), dict(rows)
        if cols:
            j = np.fromiter(cols, dtype=np.int32)
            h.changeColsBounds(len(j), j, np.array([cols[k][0] for k in j]), np.array([cols[k][1] for k in j]))
        if rows:
            i = np.fromiter(rows, dtype=np.int32)
            h.changeRowsBounds(len(i), i, np.array([rows[k][0] for k in i]), np.array([rows[k][1] for k in i]))
        res = self._run()
        if cols:
            h.changeColsBounds(len(j), j, self.col_lower[j], self.col_upper[j])
        if rows:
            h.changeRowsBounds(len(i), i, self.row_lower[i], self.row_upper[i])
        return res.objective if res.ok else None

    # ---------------------------------------------------------------- limits

    def loosen(self, cols: list[int], rows: list[int], delta: float) -> tuple[dict, dict]:
        """Bounds that loosen the limit by ``delta`` (negative: tighten): the upper bound of
        each column in ``cols``; the upper bound of each row in ``rows`` (its lower bound
        when it has no finite upper one)."""
        cb = {j: (self.col_lower[j], self.col_upper[j] + delta) for j in cols}
        rb = {}
        for i in rows:
            lo, up = self.row_lower[i], self.row_upper[i]
            rb[i] = (lo, up + delta) if np.isfinite(up) else (lo - delta, up)
        return cb, rb

    def holds_for(self, cols: list[int], rows: list[int]) -> float:
        """How much the limit can be raised with the base's prices unchanged (ranging), in
        model units; nan without ranging."""
        r = self.ranging()
        if r is None:
            return float("nan")
        out = INF
        for j in cols:
            out = min(out, float(r.col_bound_up.value_[j]) - float(self.col_upper[j]))
        for i in rows:
            if np.isfinite(self.row_upper[i]):
                out = min(out, float(r.row_bound_up.value_[i]) - float(self.row_upper[i]))
            else:
                out = min(out, float(self.row_lower[i]) - float(r.row_bound_dn.value_[i]))
        return max(0.0, out) if np.isfinite(out) else float("inf")

    def limit_prices(self, cols: list[int], rows: list[int], delta: float = 1.0) -> tuple[float, float, float]:
        """``(saving_up, cost_down, holds_for)`` of the limit made of the bounds of ``cols``
        and ``rows`` (MUSD discounted per model unit; see the module docstring).

        Where ranging shows the base prices hold for an increase, ``holds_for`` is that
        increase and the other two are nan (the dual is the price, both ways). Where they do
        not (a degenerate basis: ``holds_for`` 0), the saving of a step of ``STEP`` x
        ``delta`` more and the cost of one as much less are measured by two re-solves and
        ``holds_for`` is nan."""
        holds = self.holds_for(cols, rows)
        nan = float("nan")
        if self.base is None or holds > RANGE_TOL * delta:
            return nan, nan, holds
        step = STEP * delta
        up = self.objective_with(*self.loosen(cols, rows, step))
        dn = self.objective_with(*self.loosen(cols, rows, -step))
        saving = (self.base - up) / step if up is not None else nan
        cost = (dn - self.base) / step if dn is not None else nan
        return saving, cost, nan

    # ---------------------------------------------------------------- tokens

    def token_cost_up(self, row: int, dual: float) -> float:
        """The cost (MUSD per Ttok, discounted) of one more token of the demand row ``row``:
        its dual where ranging shows the basis holds for more demand, else measured by one
        re-solve with :data:`TOKEN_DELTA` more."""
        r = self.ranging()
        lo, up = self.row_lower[row], self.row_upper[row]
        if r is not None and float(r.row_bound_up.value_[row]) > up + RANGE_TOL * max(1.0, abs(up)):
            return dual
        obj = self.objective_with(rows={row: (lo + TOKEN_DELTA, up + TOKEN_DELTA)})
        return (obj - self.base) / TOKEN_DELTA if obj is not None else dual
