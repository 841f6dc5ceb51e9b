"""Benders decomposition of the compiled program: investment and serving in a master MIP,
the operation in each time slice in many small LPs (L-shaped method, multi-cut).

Works on the program as compiled for HiGHS (:class:`planner.solver.highs.Handoff`), not on
the Pyomo model, so every row any layer or §7 feature adds is carried without knowing it:

- **Operational columns** are the continuous columns whose Pyomo index holds a time slice
  (``gen``, ``grid``, ``charge``, ``discharge``, ``soc``, ``cfe``, … ``[..., h]``); every
  other column (``open``, ``hall``, ``buy``, ``active_units``, ``tok``, ``serve``,
  ``unserved``, ``new``, ``cap_mw``, ``load_mw``, slacks, …) is a **master column**.
- Rows with master columns only go to the master. Every other row belongs to a
  subproblem: operational columns joined by a row are in one **group** (connected
  components of the row/column graph), and groups are merged further to one per (site,
  year) — so a carbon cap of a year, which touches every site's slices, makes that year one
  group, exactly. Each group has its own cost-to-go ``θ_g`` in the master (multi-cut),
  bounded below by the least cost its columns can have.
- A subproblem is an LP over its group's columns with the row bounds shifted by the master
  plan, ``b − A_master x̂``. Optimality cuts come from its row duals
  ``θ_g ≥ Q_g(x̂) − yᵀ A_master (x − x̂)``; an infeasible one gives a feasibility cut from its
  dual ray (Farkas: ``min yᵀ(b − A_master x) ≤ max yᵀ A_op x`` over the bounds). Groups are
  solved in **bundles** of a few thousand columns, each a persistent ``highspy.Highs``
  object of which only the row bounds change between iterations (warm-started dual simplex).

Iterations (each reports the bound and the best plan through ``progress``):

0. With ``anchors`` (an option, e.g. :data:`ANCHORS`; off by default): the plan that builds
   nothing, then the subproblems at the point of the most capacity the master rows allow
   (an LP of the master maximising the columns the subproblems see) and at fractions of it.
   The serving cost can only fall with more capacity, so the cut there carries, from the
   first master solve on, the demand that no plan can serve (chips not yet sold, sites
   not yet open, latency): on 10 sites x 5 years x 24 slices the first bound is 0.86 of
   the optimum with them (897 610 of 1 043 264 MUSD) and 0.0005 without.
1. LP relaxation of the master, cuts at a stabilised point (in-out separation, Ben-Ameur &
   Neto 2007: half-way between the master's point and the last point evaluated) until the
   relaxation's gap is small. Its bound is a valid bound of the full program; its cuts are
   kept (the warm start of the MIP phase).
2. A plan: the integers the relaxation uses rounded up, the rest re-optimised by Benders on
   the LP with those integers fixed (a feasible plan of the full program).
3. The master as a MIP (HiGHS branch and bound, started from the best plan), cuts at each of
   its plans, each plan's continuous part re-optimised as in 2, until the gap between the
   best plan (master cost + Σ subproblem costs) and the master's bound is within
   ``mip_gap`` or time runs out. It is first restricted to the integers the relaxation uses
   (the others held at 0, as the monolithic start heuristic does: its plans are plans of
   the full program, its bound is not counted), then the whole master.

``also`` moves further components to the subproblems. The **serving split**
(:data:`SERVING`: ``serve``, ``tok``, ``unserved``, grouped by year only) puts the serving
LP of each year in one subproblem (the demand rows join the sites of a year) and keeps each
site-year's operation in its own; the master holds the investments, the units powered on
and the facility load (10 k columns at 20 x 10 x 24 where the master with serving has 55 k).
:func:`solve_benders` uses it when the program has more than
:data:`SERVING_MASTER_COLUMNS` serving columns (then the master LP with serving is about as
hard as the whole relaxation), else keeps serving in the master. Adding ``active_units``
and ``load_mw`` as well gives one subproblem per year of all its sites.

``level`` (a share ``α`` in (0, 1), default off) stabilises the LP phase by the level-set
method instead of in-out: the point evaluated is the projection (L1, weighted by
``1/(1+|centre|)``, an LP) of the best point so far onto the set where the cutting-plane
model is at most ``LB + α (UB - LB)``; the bound still comes from the unregularised master.
benchmarks/RESULTS.md has what each split does at 50 sites x 20 years x 48 slices.

The bound is the master's (a relaxation of the full program: every cut is valid), the plan a
plan of the full program, so the gap is proven. Pecci & Jenkins 2025 (IEEE Trans. Power
Systems, "Regularized Benders Decomposition for High Performance Capacity Expansion
Models") regularise with a level set (a QP); HiGHS has no MIQP, so ``level`` projects in
the L1 norm (an LP), and by default the LP phase stabilises by in-out separation and the
MIP phase relies on its warm-started cuts. Plans: the integers of the master LP's last
point (and of the best point evaluated) rounded up and repaired on the rows of integers
only, the rest re-optimised.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .highs import matrix
from .session import INF, ProgressFn, new_highs, run_guard, stop_at
from .subproblems import BundleSpec, ThreadRunner, make_runner

BUNDLE_COLUMNS = 4000  # operational columns per subproblem LP (several groups each)
IPM_COLUMNS = 50_000  # a master LP this large is solved by interior point the first time
TOL = 1e-6  # relative violation below which a cut is not added


@dataclass
class Split:
    """The compiled program split for Benders: ``master_cols``/``op_cols`` (HiGHS column
    indices), ``master_rows`` (rows with master columns only), ``sub_rows`` (every other
    row), ``group_of_col`` (group of each op column, by position in ``op_cols``),
    ``group_of_row`` (group of each sub row), ``group_keys`` (the (site, year, …) keys of
    each group), ``linked`` (sub rows that also hold master columns)."""

    master_cols: np.ndarray
    op_cols: np.ndarray
    master_rows: np.ndarray
    sub_rows: np.ndarray
    group_of_col: np.ndarray
    group_of_row: np.ndarray
    n_groups: int
    group_keys: list = field(default_factory=list)
    A: sp.csr_matrix | None = None


def split_program(ho, slices, coarse, also=(), years=None) -> Split:
    """Split the compiled program ``ho`` (see the module docstring). ``slices``: the time
    slice names (an index holding one makes an operational column); ``coarse``: index
    elements by which groups are merged (sites and years); ``also``: names of Pyomo
    components whose continuous columns are operational too (e.g. ``serve``, ``tok``: then
    the serving rows join the sites of a year into one subproblem). ``years``: if given,
    the ``also`` columns are merged by their year only (not their site), so that the
    serving LP of a year is one group and each site-year's operation another, as long as
    no row joins them."""
    also = set(also)
    years = set(years) if years is not None else None
    slices = set(slices)
    coarse = set(coarse)
    n = ho.lp.num_col_
    op = np.zeros(n, dtype=bool)
    keys: list = [None] * n
    kind: dict = {}  # Pyomo component -> positions of (slice, coarse) elements in its index, or None

    def is_slice(e):
        return isinstance(e, str) and e in slices

    for j, v in enumerate(ho.columns):
        if ho.integer[j]:
            continue
        idx = v.index()
        if not isinstance(idx, tuple):
            idx = (idx,)
        p = v.parent_component()
        k = kind.get(id(p), False)
        if k is False:  # every index of a component has the same layout
            sl = [i for i, e in enumerate(idx) if is_slice(e)]
            if not sl and p.local_name in also:
                sl = [-1]
            by = coarse if years is None or not sl or sl[0] >= 0 else years
            k = kind[id(p)] = (sl, [i for i, e in enumerate(idx) if e in by and not is_slice(e)]) if sl else None
        if k is not None and (k[0][0] < 0 or (len(idx) > max(k[0]) and is_slice(idx[k[0][0]]))):
            op[j] = True
            keys[j] = tuple(idx[i] for i in k[1])
    A = matrix(ho.lp).tocsr()
    op_cols = np.flatnonzero(op)
    master_cols = np.flatnonzero(~op)
    A_op = A[:, op_cols]
    row_has_op = np.diff(A_op.indptr) > 0
    sub_rows = np.flatnonzero(row_has_op)
    master_rows = np.flatnonzero(~row_has_op)
    B = A_op[sub_rows]
    nr, nc = B.shape
    pattern = sp.csr_matrix((np.ones(B.nnz), B.indices, B.indptr), shape=B.shape)
    # groups: connected components of the bipartite row/column graph, then one group per key
    key_ids: dict = {}
    key_of_col = np.fromiter((key_ids.setdefault(keys[j], len(key_ids)) for j in op_cols), dtype=np.int64, count=nc)
    nk = len(key_ids)
    col_key = sp.csr_matrix((np.ones(nc), (np.arange(nc), key_of_col)), shape=(nc, nk))
    G = sp.bmat([[None, pattern, None], [pattern.T, None, col_key], [None, col_key.T, None]], format="csr")
    _, labels = connected_components(G, directed=False)
    row_lab, col_lab = labels[:nr], labels[nr : nr + nc]
    uniq, col_group = np.unique(col_lab, return_inverse=True)
    pos = {lab: g for g, lab in enumerate(uniq)}
    row_group = np.fromiter((pos[lab] for lab in row_lab), dtype=np.int64, count=nr)
    inv_keys = {i: k for k, i in key_ids.items()}
    group_keys: list = [set() for _ in range(len(uniq))]
    for c, g in zip(key_of_col, col_group):
        group_keys[g].add(inv_keys[c])
    return Split(
        master_cols=master_cols,
        op_cols=op_cols,
        master_rows=master_rows,
        sub_rows=sub_rows,
        group_of_col=col_group,
        group_of_row=row_group,
        n_groups=len(uniq),
        group_keys=[sorted(k, key=str) for k in group_keys],
        A=A,
    )


def program_arrays(lp) -> tuple[np.ndarray, ...]:
    """Column cost, lower and upper bounds, row lower and upper bounds of a ``HighsLp`` as
    numpy arrays. highspy hands most of them over as Python lists, a copy per access (0.06 s
    each at 566 k columns): read once, not once per subproblem (at 200 sites x 20 years x 96
    slices, 620 subproblems reading them took most of a 722 s set-up)."""
    return tuple(
        np.asarray(a, dtype=np.float64)
        for a in (lp.col_cost_, lp.col_lower_, lp.col_upper_, lp.row_lower_, lp.row_upper_)
    )


def make_specs(ho, split: Split, columns: int = BUNDLE_COLUMNS) -> list[BundleSpec]:
    """Group the subproblem groups into LPs of about ``columns`` columns each (groups are
    taken in key order, so a bundle holds neighbouring sites of one year)."""
    order = sorted(range(split.n_groups), key=lambda g: [str(k) for k in split.group_keys[g]])
    cols_of = [[] for _ in range(split.n_groups)]
    for pos, g in enumerate(split.group_of_col):
        cols_of[g].append(pos)
    rows_of = [[] for _ in range(split.n_groups)]
    for pos, g in enumerate(split.group_of_row):
        rows_of[g].append(pos)
    bundles = []
    cur: list[int] = []
    size = 0
    A_sub = split.A[split.sub_rows]
    A_op = A_sub[:, split.op_cols].tocsr()  # sub rows x op columns (by position)
    A_link = A_sub[:, split.master_cols].tocsr()  # sub rows x master columns
    colmap = np.zeros(len(split.op_cols), dtype=np.int64)
    c, lo, up, rlo, rup = program_arrays(ho.lp)

    def flush():
        if not cur:
            return
        gl = np.array(cur)
        local = {g: i for i, g in enumerate(cur)}
        cpos = np.concatenate([np.asarray(cols_of[g], dtype=np.int64) for g in cur])
        rpos = np.concatenate([np.asarray(rows_of[g], dtype=np.int64) for g in cur])
        gcol = np.fromiter((local[g] for g in split.group_of_col[cpos]), dtype=np.int64, count=len(cpos))
        grow = np.fromiter((local[g] for g in split.group_of_row[rpos]), dtype=np.int64, count=len(rpos))
        rows_op = A_op[rpos]  # a group's rows hold only its own op columns: a local renumbering
        colmap[cpos] = np.arange(len(cpos))
        op_part = sp.csr_matrix((rows_op.data, colmap[rows_op.indices], rows_op.indptr), shape=(len(rpos), len(cpos)))
        cols, rows = split.op_cols[cpos], split.sub_rows[rpos]
        bundles.append(
            BundleSpec(
                cols=cols,
                rows=rows,
                op_part=op_part,
                link=A_link[rpos],
                c=c[cols],
                lo=lo[cols],
                up=up[cols],
                rlo=rlo[rows],
                rup=rup[rows],
                groups=gl,
                gcol=gcol,
                grow=grow,
            )
        )

    for g in order:
        cur.append(g)
        size += len(cols_of[g])
        if size >= columns:
            flush()
            cur, size = [], 0
    flush()
    return bundles


class Master:
    """The master program: master columns, then one θ per group; rows with master columns
    only, then the cuts. A persistent ``highspy.Highs`` (LP or MIP by :meth:`integral`)."""

    def __init__(self, ho, split: Split, theta_lb: np.ndarray, threads: int, seed: int, log_file: str | None):
        lp = ho.lp
        mc, mr = split.master_cols, split.master_rows
        self.nm = len(mc)
        self.ng = split.n_groups
        Am = split.A[mr][:, mc].tocsc()
        n = self.nm + self.ng
        Am = sp.hstack([Am, sp.csc_matrix((len(mr), self.ng))], format="csc")
        b = highspy.HighsLp()
        b.num_col_, b.num_row_ = n, len(mr)
        self.c = np.concatenate([np.asarray(lp.col_cost_)[mc], np.ones(self.ng)])
        self.lo = np.concatenate([ho.lower[mc], theta_lb])
        self.up = np.concatenate([ho.upper[mc], np.full(self.ng, INF)])
        b.col_cost_, b.col_lower_, b.col_upper_ = self.c, self.lo, self.up
        b.row_lower_ = np.asarray(lp.row_lower_)[mr]
        b.row_upper_ = np.asarray(lp.row_upper_)[mr]
        b.offset_ = float(lp.offset_)
        self.offset = float(lp.offset_)
        b.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        b.a_matrix_.num_col_, b.a_matrix_.num_row_ = n, len(mr)
        b.a_matrix_.start_ = Am.indptr.astype(np.int32)
        b.a_matrix_.index_ = Am.indices.astype(np.int32)
        b.a_matrix_.value_ = Am.data.astype(np.float64)
        self.integer = np.concatenate([ho.integer[mc], np.zeros(self.ng, dtype=bool)])
        self.ints = np.flatnonzero(self.integer).astype(np.int32)
        h = new_highs(threads, seed, log_file)
        h.passModel(b)
        self.h = h
        self.n = n
        self.cuts = 0
        self.reg = None  # level-set regularisation (see enable_level)
        self.up_now = self.up.copy()  # upper bounds as restricted (see restrict)
        self.solved_lp = False
        self._is_mip = None
        self.integral(False)

    def integral(self, on: bool) -> None:
        if self._is_mip == on or not len(self.ints):
            self._is_mip = on and bool(len(self.ints))
            return
        t = highspy.HighsVarType.kInteger if on else highspy.HighsVarType.kContinuous
        self.h.changeColsIntegrality(len(self.ints), self.ints, np.full(len(self.ints), t))
        self._is_mip = on

    def fix_integers(self, values: np.ndarray | None) -> None:
        """Fix the integer columns at ``values`` (by master column; None frees them)."""
        if not len(self.ints):
            return
        i = self.ints
        if values is None:
            self.h.changeColsBounds(len(i), i, self.lo[i], self.up_now[i])
        else:
            v = values[i]
            self.h.changeColsBounds(len(i), i, v, v)

    def restrict(self, zero: np.ndarray | None) -> None:
        """Hold the integer columns ``zero`` (master columns) at their lower bound (None:
        lift the restriction)."""
        self.up_now = self.up.copy()
        if zero is not None and len(zero):
            self.up_now[zero] = self.lo[zero]
        i = self.ints
        self.h.changeColsBounds(len(i), i, self.lo[i], self.up_now[i])

    def add_cuts(self, rows: list[tuple[int | None, sp.csr_matrix, float]]) -> None:
        """Add cuts ``coef · x_master (+ θ_g) ≥ rhs``; ``g`` None for a feasibility cut."""
        if not rows:
            return
        starts, idx, val, lo = [], [], [], []
        nnz = 0
        for g, coef, rhs in rows:
            coef = sp.csr_matrix(coef)
            starts.append(nnz)
            keep = np.abs(coef.data) > 1e-12
            ci = list(coef.indices[keep])
            cv = list(coef.data[keep])
            if g is not None:
                ci.append(self.nm + int(g))
                cv.append(1.0)
            idx += ci
            val += cv
            nnz += len(ci)
            lo.append(rhs)
        k = len(rows)
        self.h.addRows(
            k,
            np.asarray(lo, dtype=np.float64),
            np.full(k, INF),
            nnz,
            np.asarray(starts, dtype=np.int32),
            np.asarray(idx, dtype=np.int32),
            np.asarray(val, dtype=np.float64),
        )
        self.cuts += k

    def enable_level(self, cols: np.ndarray, scale: np.ndarray) -> None:
        """Add what the level-set projection needs (Pecci & Jenkins 2025, with an L1 norm so
        that it is an LP): a column ``u_j >= 0`` and two rows ``x_j - u_j <= c_j``,
        ``x_j + u_j >= c_j`` per regularised master column ``cols`` (``c`` the centre), and a
        level row ``c_master · x + Σθ <= level``. They are off (free rows, ``u`` at cost 0)
        until :meth:`project`; ``scale`` (per column of ``cols``) weighs ``|x_j - c_j|`` by
        ``1 / scale_j``."""
        h = self.h
        k = len(cols)
        n0 = h.getNumCol()
        h.addCols(
            k,
            np.zeros(k),
            np.zeros(k),
            np.full(k, INF),
            0,
            np.zeros(k, dtype=np.int32),
            np.array([], dtype=np.int32),
            np.array([]),
        )
        u = np.arange(n0, n0 + k, dtype=np.int32)
        r0 = h.getNumRow()
        starts = np.arange(0, 2 * k, 2, dtype=np.int32)
        idx = np.column_stack([cols, u]).ravel().astype(np.int32)
        h.addRows(k, np.full(k, -INF), np.full(k, INF), 2 * k, starts, idx, np.tile([1.0, -1.0], k))
        h.addRows(k, np.full(k, -INF), np.full(k, INF), 2 * k, starts, idx, np.tile([1.0, 1.0], k))
        lv = np.arange(self.n, dtype=np.int32)
        h.addRows(1, np.array([-INF]), np.array([INF]), self.n, np.array([0], dtype=np.int32), lv, self.c[: self.n])
        self.reg = {
            "cols": np.asarray(cols, dtype=np.int32),
            "u": u,
            "rows_lo": np.arange(r0, r0 + k, dtype=np.int32),
            "rows_up": np.arange(r0 + k, r0 + 2 * k, dtype=np.int32),
            "level_row": r0 + 2 * k,
            "w": 1.0 / np.maximum(np.asarray(scale, dtype=np.float64), 1e-9),
            "on": False,
        }

    def project(self, centre: np.ndarray | None, level: float | None) -> None:
        """Switch to the projection LP (min Σ |x_j - centre_j| / scale_j over the master rows,
        the cuts and the level row ``objective <= level``, MUSD) or, with None, back to the
        master's own objective."""
        r = self.reg
        h = self.h
        k = len(r["cols"])
        allc = np.arange(self.n, dtype=np.int32)
        if centre is None:
            if not r["on"]:
                return
            h.changeColsCost(self.n, allc, self.c[: self.n])
            h.changeColsCost(k, r["u"], np.zeros(k))
            h.changeRowsBounds(k, r["rows_lo"], np.full(k, -INF), np.full(k, INF))
            h.changeRowsBounds(k, r["rows_up"], np.full(k, -INF), np.full(k, INF))
            h.changeRowsBounds(1, np.array([r["level_row"]], dtype=np.int32), np.array([-INF]), np.array([INF]))
            r["on"] = False
            return
        c = centre[r["cols"]]
        h.changeColsCost(self.n, allc, np.zeros(self.n))
        h.changeColsCost(k, r["u"], r["w"] / (1.0 + np.abs(c)))
        h.changeRowsBounds(k, r["rows_lo"], np.full(k, -INF), c)
        h.changeRowsBounds(k, r["rows_up"], c, np.full(k, INF))
        lv = float(level) - float(self.offset)
        h.changeRowsBounds(1, np.array([r["level_row"]], dtype=np.int32), np.array([-INF]), np.array([lv]))
        r["on"] = True

    def most_capacity(self, cols: np.ndarray, time_limit: float) -> np.ndarray | None:
        """The master point (master columns) that maximises the sum of ``cols`` over the
        master's rows (LP), or None if that LP does not finish; the objective is restored."""
        h = self.h
        allc = np.arange(self.n, dtype=np.int32)
        cost = np.zeros(self.n)
        cost[cols] = -1.0
        h.changeColsCost(self.n, allc, cost)
        try:
            r = self.run(time_limit)
        finally:
            h.changeColsCost(self.n, allc, self.c[: self.n])
        if not r["ok"]:
            return None
        return r["x"][: self.nm]

    def run(self, time_limit: float, mip_gap: float | None = None, start: np.ndarray | None = None) -> dict:
        h = self.h
        h.setOptionValue("time_limit", max(1.0, float(time_limit)))
        # the first LP of a large master by interior point (with crossover, for a basis that
        # the re-solves after each round of cuts start from with dual simplex)
        first = not self._is_mip and not self.solved_lp and self.n > IPM_COLUMNS
        h.setOptionValue("solver", "ipm" if first else "choose")
        if mip_gap is not None:
            h.setOptionValue("mip_rel_gap", float(mip_gap))
        if start is not None and self._is_mip:
            sol = highspy.HighsSolution()
            full = np.zeros(h.getNumCol())
            full[: len(start)] = start
            sol.col_value = list(full)
            sol.value_valid = True
            h.setSolution(sol)
        # HiGHS checks its time limit only between LPs; the callbacks stop it on time
        state = stop_at(h, time.perf_counter() + float(time_limit) + 1.0)
        with run_guard(state):  # Ctrl-C stops HiGHS cleanly, then raises KeyboardInterrupt here
            h.run()
        info = h.getInfo()
        st = h.getModelStatus()
        ok = info.primal_solution_status == 2
        if not self._is_mip and ok:
            self.solved_lp = True
        out = {"status": h.modelStatusToString(st), "ok": ok, "optimal": st == highspy.HighsModelStatus.kOptimal}
        if ok:
            out["x"] = np.asarray(h.getSolution().col_value)[: self.n]
            out["objective"] = info.objective_function_value
            if self.reg is not None and self.reg["on"]:
                out["objective"] = float(self.c[: self.n] @ out["x"]) + float(self.offset)
        if self._is_mip:
            bd = info.mip_dual_bound
            out["bound"] = bd if math.isfinite(bd) else None
        else:
            out["bound"] = out.get("objective") if out["optimal"] else None
        return out


@dataclass
class Evaluation:
    """The subproblems at one master point: ``feasible``, ``q`` (cost per group, MUSD),
    ``cuts`` (for :meth:`Master.add_cuts`), ``x_op`` (op column values, by HiGHS column)."""

    feasible: bool
    q: np.ndarray
    cuts: list
    x: dict
    error: str | None = None


class Decomposition:
    """Benders on a compiled program ``ho``; see the module docstring. ``run`` returns the
    best plan (full column vector), its objective, the bound and an iteration log."""

    def __init__(
        self,
        ho,
        slices,
        coarse,
        also=(),
        threads: int = 1,
        seed: int = 1,
        workers: int | None = None,
        dask: str | None = None,
        log_file: str | None = None,
        bundle_columns: int = BUNDLE_COLUMNS,
        years=None,
        level: float | None = None,
        anchors=(),
    ):
        t0 = time.perf_counter()
        self.ho = ho
        self.split = split_program(ho, slices, coarse, also, years)
        self.specs = make_specs(ho, self.split, bundle_columns)
        lb = np.zeros(self.split.n_groups)
        for sp_ in self.specs:
            lb[sp_.groups] = sp_.lower_bounds()
        lb = np.where(np.isfinite(lb), lb, -1e9)  # an unbounded group: a far bound
        self.theta_lb = lb
        self.master = Master(ho, self.split, lb, threads, seed, log_file)
        self.level = level
        self.lp_share = 0.35  # of the time limit, for the LP phase
        self.anchors = tuple(anchors)
        # the master columns the subproblems see (capacity, load, units)
        A_link = self.split.A[self.split.sub_rows][:, self.split.master_cols].tocsc()
        self.linked = np.flatnonzero(np.diff(A_link.indptr) > 0).astype(np.int32)
        if level is not None:  # regularise them
            self.master.enable_level(self.linked, np.ones(len(self.linked)))
        self.runner = make_runner(self.specs, seed, threads, workers, dask)
        if not isinstance(self.runner, ThreadRunner):  # the LPs live in the workers now
            self.specs = [sp_.light() for sp_ in self.specs]
        self.setup_seconds = time.perf_counter() - t0
        self.log: list[dict] = []

    def close(self):
        self.runner.close()

    def sizes(self) -> dict:
        s = self.split
        return {
            "master_columns": int(len(s.master_cols)),
            "master_rows": int(len(s.master_rows)),
            "operational_columns": int(len(s.op_cols)),
            "subproblem_rows": int(len(s.sub_rows)),
            "groups": int(s.n_groups),
            "subproblems": len(self.specs),
            "subproblems_on": self.runner.where,
        }

    def evaluate(self, xm: np.ndarray, check: tuple | None = None) -> Evaluation:
        """Solve every subproblem at master columns ``xm`` and make the cuts that the master
        point ``check`` = (x_master, θ) violates (None = every cut)."""
        outs = self.runner.solve(xm)
        q = np.zeros(self.split.n_groups)
        cuts = []
        feasible = True
        err = None
        x = {}
        for k, (b, o) in enumerate(zip(self.specs, outs)):
            if not o["feasible"]:
                feasible = False
                if "error" in o:
                    err = o["error"]
                    continue
                for coef, (_gi, rhs) in zip(o["fcoef"], o["frhs"]):
                    cuts.append((None, coef, float(rhs)))
                continue
            q[b.groups] = o["q"]
            x[k] = o["x"]
            coef = o["coef"]
            rhs = o["q"] + coef @ xm
            if check is not None:
                lhs = check[1][b.groups] + coef @ check[0]
            for gi, g in enumerate(b.groups):
                if check is None or lhs[gi] < rhs[gi] - TOL * (1.0 + abs(rhs[gi])):
                    cuts.append((int(g), coef[gi], float(rhs[gi])))
        return Evaluation(feasible, q, cuts, x, err)

    def round_up(self, xm: np.ndarray) -> np.ndarray:
        """Master columns ``xm`` with every integer rounded up and the rows of integers only
        that this breaks repaired (:func:`planner.solver.neighbourhood.repair_rounding`: a
        site filled to its ``max_it_mw`` with fractional hall blocks gets some rounded down
        instead, as the monolithic start heuristic does)."""
        from .neighbourhood import repair_rounding

        mst = self.master
        nm = mst.nm
        ints = mst.ints
        out = np.asarray(xm, dtype=np.float64).copy()
        out[ints] = np.clip(np.ceil(out[ints] - 1e-6), mst.lo[ints], mst.up[ints])
        full = np.zeros(self.ho.lp.num_col_)
        relaxed = np.zeros(self.ho.lp.num_col_)
        full[self.split.master_cols] = out[:nm]
        relaxed[self.split.master_cols] = xm[:nm]
        full, _ = repair_rounding(self.ho, full, relaxed)
        return full[self.split.master_cols]

    def full_plan(self, xm: np.ndarray, ev: Evaluation) -> np.ndarray:
        x = np.zeros(self.ho.lp.num_col_)
        x[self.split.master_cols] = xm
        for k, b in enumerate(self.specs):
            x[b.cols] = ev.x[k]
        return x

    def run(self, time_limit: float, mip_gap: float, progress: ProgressFn | None = None) -> dict:
        """Iterate until the gap is within ``mip_gap`` or ``time_limit`` (s) has passed.
        Returns ``x`` (best plan, full column vector, or None), ``objective``, ``bound``
        (MUSD), ``gap``, ``iterations``, ``phases`` (seconds) and ``log`` (one dict per
        iteration)."""
        t0 = time.perf_counter()
        deadline = t0 + float(time_limit)
        mst = self.master
        nm = mst.nm
        offset = float(self.ho.lp.offset_)
        cm = mst.c[:nm]
        best = {"obj": INF, "x": None, "xm": None, "q": None}
        bound = -INF
        phases = {}

        def left():
            return deadline - time.perf_counter()

        def gap_of(ub, lb):
            if not math.isfinite(ub) or not math.isfinite(lb):
                return None
            return max(0.0, (ub - lb) / max(abs(ub), 1e-9))

        def report(phase, lb_here=None, extra=None):
            g = gap_of(best["obj"], bound)
            row = {
                "phase": phase,
                "seconds": round(time.perf_counter() - t0, 3),
                "bound": bound if math.isfinite(bound) else None,
                "best": best["obj"] if math.isfinite(best["obj"]) else None,
                "gap": g,
                "cuts": mst.cuts,
            }
            if lb_here is not None:
                row["phase_bound"] = lb_here
            row.update(extra or {})
            self.log.append(row)
            if progress is not None:
                try:
                    progress(row["seconds"], row["best"], row["bound"], g)
                except Exception:
                    pass

        ints = mst.ints

        def consider(xm, ev):
            """Keep the plan if it is a plan of the full program (subproblems feasible,
            integers whole) and the best so far."""
            if not ev.feasible:
                return False
            if len(ints) and np.abs(xm[ints] - np.round(xm[ints])).max() > 1e-6:
                return False
            obj = float(cm @ xm) + float(ev.q.sum()) + offset
            if obj < best["obj"]:
                best.update(obj=obj, x=self.full_plan(xm, ev), xm=xm.copy(), q=ev.q.copy())
                return True
            return False

        def benders_lp(phase: str, tol: float, share_deadline: float, max_iter: int = 500, valid_bound=False):
            """Kelley iterations on the master as it is now (LP), stabilised by the level set
            (``self.level``: the point evaluated is the projection of the best point so far
            onto the level set of the cutting-plane model) or else by in-out separation.
            Returns (bound of this LP, best value of this LP, its best master point)."""
            nonlocal bound
            core = None
            lam = 0.5
            lp_best, lp_bound, lp_x = INF, -INF, None
            alpha = self.level if mst.reg is not None else None
            for _ in range(max_iter):
                if time.perf_counter() > share_deadline:
                    break
                r = mst.run(max(1.0, share_deadline - time.perf_counter()))
                if not r["ok"] or not r["optimal"]:
                    return lp_bound, lp_best, lp_x, r["status"]
                xs = r["x"]
                lp_bound = max(lp_bound, r["objective"])
                if valid_bound:
                    bound = max(bound, r["objective"])
                xm, th = xs[:nm], xs[nm:]
                last_master["x"] = xm.copy()
                projected = False
                if alpha is not None:
                    point, th_pt = xm, th
                    if lp_x is not None and math.isfinite(lp_best) and lp_best > lp_bound:
                        # the level set {model <= LB + alpha (UB - LB)}, nearest to the best point
                        mst.project(np.concatenate([lp_x, np.zeros(mst.ng)]), lp_bound + alpha * (lp_best - lp_bound))
                        try:
                            r2 = mst.run(max(1.0, share_deadline - time.perf_counter()))
                        finally:
                            mst.project(None, None)
                        if r2["ok"]:
                            point, th_pt = r2["x"][:nm], r2["x"][nm:]
                            projected = True
                    ev = self.evaluate(point, (point, th_pt))
                else:
                    point = xm if core is None else lam * core + (1 - lam) * xm
                    ev = self.evaluate(point, (xm, th))
                if ev.error:
                    return lp_bound, lp_best, lp_x, ev.error
                val = None
                if ev.feasible:
                    val = float(cm @ point) + float(ev.q.sum()) + offset
                    if val < lp_best:
                        lp_best, lp_x = val, point.copy()
                    consider(point, ev)
                # cuts that the master point violates (the point evaluated is not the
                # master's point under in-out; all its cuts are kept, they are valid)
                before = mst.cuts
                mst.add_cuts(ev.cuts)
                added = mst.cuts - before
                core = point
                g = gap_of(lp_best, lp_bound)
                report(phase, lp_bound, {"subproblem_value": val, "added": added, "feasible": ev.feasible})
                if g is not None and g <= tol:
                    break
                if alpha is not None:
                    if added == 0 and not projected:
                        break  # the master's own point is priced exactly: LB = UB
                    continue
                if added == 0:
                    if lam == 0.0:
                        break
                    lam = 0.0  # stabilised point gave nothing new: separate the master point
                elif lam == 0.0 and val is not None:
                    lam = 0.5
            return lp_bound, lp_best, lp_x, "ok"

        last_master = {"x": None}  # the master LP's last point (the cutting-plane model's optimum)

        # 0. anchor cuts: the subproblems at the most capacity the master rows allow (and at
        # fractions of it); as the serving cost can only fall with more capacity, the cut
        # there holds the cost that no plan avoids (demand out of reach of any chip in time)
        t = time.perf_counter()
        mst.integral(False)
        if self.anchors:
            # the plan that builds nothing, where the master rows allow it: a plan of the
            # full program at once (the first master point is an anchor, not 0)
            lp_ = self.ho.lp
            mr = self.split.master_rows
            rlo = np.asarray(lp_.row_lower_)[mr]
            rup = np.asarray(lp_.row_upper_)[mr]
            if (rlo <= 1e-9).all() and (rup >= -1e-9).all() and (mst.lo[:nm] <= 0).all() and (mst.up[:nm] >= 0).all():
                z = np.zeros(nm)
                ev = self.evaluate(z)
                if ev.feasible:
                    consider(z, ev)
                mst.add_cuts(ev.cuts)
                report("zero", None, {"feasible": ev.feasible})
            xa = mst.most_capacity(self.linked, max(1.0, 0.1 * left()))
            if xa is not None:
                for f in self.anchors:
                    if left() < 0.5 * float(time_limit):
                        break
                    ev = self.evaluate(f * xa)
                    if ev.feasible:
                        consider(f * xa, ev)
                    mst.add_cuts(ev.cuts)
                    report("anchor", None, {"fraction": f, "feasible": ev.feasible})
        phases["anchor"] = time.perf_counter() - t

        # 1. the LP relaxation of the master
        t = time.perf_counter()
        mst.integral(False)
        share = t0 + self.lp_share * float(time_limit)
        lp_bound, lp_best, lp_x, st = benders_lp("lp", mip_gap / 4.0, share, valid_bound=True)
        phases["lp"] = time.perf_counter() - t
        status_note = st

        def complete(int_values, phase, until):
            """Fix the integers, Benders on the rest; returns the LP's best value."""
            mst.fix_integers(int_values)
            try:
                return benders_lp(phase, mip_gap / 10.0, until)
            finally:
                mst.fix_integers(None)

        # 2. integers rounded up from the relaxation, the rest re-optimised
        t = time.perf_counter()
        # the master LP's own last point first (it carries every cut), then the best point
        # evaluated, if it differs
        cands = [p for p in (last_master["x"], lp_x) if p is not None]
        if len(cands) == 2 and np.allclose(cands[0], cands[1]):
            cands = cands[:1]
        for i, cand in enumerate(cands):
            if not len(mst.ints) or left() <= 0:
                break
            r = self.round_up(cand)
            vals = np.concatenate([r, np.zeros(mst.ng)])
            complete(vals, "round", time.perf_counter() + (0.5 if i == len(cands) - 1 else 0.25) * left())
        phases["round"] = time.perf_counter() - t

        # 3. the master as a MIP
        t = time.perf_counter()
        mip_iter = 0
        restricted = False
        if len(mst.ints) and lp_x is not None:
            # first the restricted master: integers the LP relaxation leaves at 0 stay at 0
            # (as the monolithic start heuristic does); its plans are plans of the full
            # program, its bound is not a bound of it (the LP phase's bound stands)
            zero = mst.ints[lp_x[mst.ints] <= 1e-6]
            if len(zero) and len(zero) < len(mst.ints):
                mst.restrict(zero)
                restricted = True
        if len(mst.ints):
            mst.integral(True)
            while left() > 1.0:
                g = gap_of(best["obj"], bound)
                if g is not None and g <= mip_gap:
                    break
                start = None
                if best["xm"] is not None:
                    start = np.concatenate([best["xm"], best["q"]])
                r = mst.run(left(), mip_gap=mip_gap / 2.0, start=start)
                mip_iter += 1
                if r.get("bound") is not None and not restricted:
                    bound = max(bound, r["bound"])
                if not r["ok"]:
                    report("mip", None, {"status": r["status"]})
                    if restricted:
                        mst.restrict(None)
                        restricted = False
                        continue
                    break
                xs = r["x"]
                xm, th = xs[:nm], xs[nm:]
                ev = self.evaluate(xm, (xm, th))
                consider(xm, ev)
                before = mst.cuts
                mst.add_cuts(ev.cuts)
                report(
                    "restricted" if restricted else "mip",
                    r.get("bound"),
                    {"added": mst.cuts - before, "feasible": ev.feasible},
                )
                g = gap_of(best["obj"], bound)
                if g is not None and g <= mip_gap:
                    break
                if mst.cuts == before:
                    # the master's plan is priced exactly: its bound is final unless HiGHS
                    # stopped short of its own gap
                    if restricted:  # the restricted master is done: now the whole one
                        mst.restrict(None)
                        restricted = False
                        continue
                    if r["optimal"]:
                        break
                # the integer plan of this master, its continuous part re-optimised
                if left() > 2.0:
                    mst.integral(False)
                    complete(np.concatenate([xm, th]), "complete", time.perf_counter() + 0.3 * left())
                    mst.integral(True)
        else:
            pass
        phases["mip"] = time.perf_counter() - t
        return {
            "x": best["x"],
            "objective": best["obj"] if best["x"] is not None else None,
            "bound": bound if math.isfinite(bound) else None,
            "gap": gap_of(best["obj"], bound),
            "iterations": len(self.log),
            "mip_iterations": mip_iter,
            "phases": phases,
            "log": self.log,
            "lp_status": status_note,
            "lp_bound": lp_bound if math.isfinite(lp_bound) else None,
            "seconds": time.perf_counter() - t0,
        }


# ---------------------------------------------------------------------------------------------
# planner's solve entry: the same contract as planner.solver.highs.solve_model

# the default split: the serving LP of each year in a subproblem (the demand rows join the
# sites of a year), each site-year's operation in another; the master keeps the investment,
# the units powered on and the facility load (benchmarks/RESULTS.md, 2026-12-03 evening)
SERVING = ("serve", "tok", "unserved")
# anchor points: the most capacity the master rows allow, and these fractions of it
ANCHORS = (1.0, 0.5, 0.25)
SERVING_MASTER_COLUMNS = 20_000  # above this many serving columns they leave the master


def default_split(ho) -> tuple:
    """The ``also`` of the default split: () (serving in the master: an exact serving LP
    there, the tightest bound, and the fastest convergence while that LP is small) when the
    program has at most :data:`SERVING_MASTER_COLUMNS` serving columns (``serve``, ``tok``,
    ``unserved``), else :data:`SERVING` (the master LP with serving is then about as hard as
    the whole relaxation: 55 k master columns did not finish in 75 s on 20 x 10 x 24)."""
    names = set(SERVING)
    n = sum(1 for v in ho.columns if v.parent_component().local_name in names)
    return () if n <= SERVING_MASTER_COLUMNS else SERVING


AUTO_COLUMNS = 300_000  # auto picks the decomposition above this many columns (see choose_method)


def count_columns(m) -> int:
    """Columns the program will have (Pyomo variables of ``m``), without compiling it."""
    import pyomo.environ as pyo

    return sum(len(v) for v in m.component_objects(pyo.Var, active=True))


def choose_method(method: str, m) -> tuple[str, str]:
    """(method, reason) for ``method`` in ``auto``/``monolithic``/``decomposition``. ``auto``
    picks the decomposition for programs of more than :data:`AUTO_COLUMNS` columns: the
    bundled scenarios (world: 92 k columns, 50 × 10 × 24 synthetic: 132 k) solve to 1 % with
    the monolithic MIP and its LP-guided start within minutes, while from 50 sites × 20
    years × 48 slices (425 k columns) HiGHS finds no usable plan in 600 s
    (benchmarks/RESULTS.md)."""
    if method == "monolithic":
        return "monolithic", "requested (--method monolithic)"
    if method == "decomposition":
        return "decomposition", "requested (--method decomposition)"
    n = count_columns(m)
    if n > AUTO_COLUMNS:
        return (
            "decomposition",
            f"auto: {n} columns > {AUTO_COLUMNS}, the size above which the monolithic MIP finds no plan in 10 minutes",
        )
    return (
        "monolithic",
        f"auto: {n} columns <= {AUTO_COLUMNS}, the monolithic MIP with its LP-guided start is fast at this size",
    )


def solve_benders(
    m,
    d=None,
    time_limit: float = 300.0,
    mip_gap: float = 0.01,
    threads: int = 2,
    seed: int = 1,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    dask: str | None = None,
    bundle_columns: int = BUNDLE_COLUMNS,
    also=None,
    anchors=None,
    level: float | None = None,
    lp_share: float = 0.35,
    **_ignored,
):
    """Solve ``m`` (built from ModelData ``d``) by :class:`Decomposition` and load the best
    plan into the Pyomo variables. Same contract as :func:`planner.solver.highs.solve_model`
    (returns a :class:`~planner.solver.highs.SolveResult`: objective and bound in MUSD; the
    start heuristic's options are ignored); ``result.decomposition`` holds the iteration log
    and the split's sizes. The subproblems run on ``threads`` threads of this process, or on
    a pool of ``workers`` (> 1) spawned processes, or with ``dask`` (a scheduler address or
    ``"local"``) as actors on that Dask cluster (:func:`planner.solver.subproblems.make_runner`;
    raises :class:`~planner.solver.subproblems.SubproblemError` when a worker fails).
    ``also``: components moved to the subproblems (None: :func:`default_split`);
    ``anchors``: fractions of the most-capacity point at which the subproblems are solved
    before the first master LP (None: none; :data:`ANCHORS` is the measured choice); ``level``: the level-set share α (None: in-out stabilisation);
    ``lp_share``: the share of ``time_limit`` for the LP phase."""
    from .highs import SolveResult, hand_off

    ho = hand_off(m)
    t1 = time.perf_counter()
    if also is None:
        also = default_split(ho)
    if anchors is None:
        # off: at 50 x 20 x 48 their dense cuts slow the master LP more than they lift the
        # bound (bound after 300 s 133 534 MUSD with them, 314 147 without; at 10 x 5 x 24
        # they lift it from 0.0005 to 0.86 of the optimum): benchmarks/RESULTS.md
        anchors = ()
    slices = list(d.slices)
    coarse = set(d.sites) | set(d.years)
    dec = Decomposition(
        ho,
        slices,
        coarse,
        also=also,
        years=d.years if also else None,
        anchors=anchors,
        level=level,
        threads=threads,
        seed=seed,
        workers=workers,
        dask=dask,
        bundle_columns=bundle_columns,
    )
    dec.lp_share = float(lp_share)
    try:
        out = dec.run(max(1.0, float(time_limit) - dec.setup_seconds), float(mip_gap), progress)
    finally:
        dec.close()
    t_solve = time.perf_counter() - t1
    info = {
        "method": "decomposition",
        "sizes": dec.sizes(),
        "setup_seconds": dec.setup_seconds,
        **{k: v for k, v in out.items() if k not in ("x", "log")},
        "log": out["log"],
    }
    log_text = "\n".join(
        f"{r['phase']:8s} {r['seconds']:9.1f} s  bound {r['bound']}  best {r['best']}  gap {r['gap']}  cuts {r['cuts']}"
        for r in out["log"]
    )
    if out["x"] is None:
        status = "no_solution"
        obj = None
        gap = None
    else:
        ho.load(out["x"])
        obj = out["objective"]
        gap = out["gap"]
        status = "optimal" if gap is not None and gap <= float(mip_gap) else "time_limit"
    res = SolveResult(
        status=status,
        objective=obj,
        bound=out["bound"],
        gap=gap,
        requested_gap=float(mip_gap),
        time_limit=float(time_limit),
        sizes=ho.sizes,
        timings={"handoff": ho.seconds, "solve": t_solve, "heuristic": 0.0},
        solver_log="Benders decomposition\n" + log_text + "\n",
        heuristic={},
        handoff=ho,
    )
    res.decomposition = info
    return res


def method_summary(method: str, reason: str, res) -> dict:
    """summary.json keys of the solve method: ``method``, ``method_reason`` and, for the
    decomposition, ``decomposition`` (iterations, the split's sizes, seconds per phase, the
    LP relaxation's bound in USD)."""
    out = {"method": method, "method_reason": reason}
    info = getattr(res, "decomposition", None)
    if info:
        out["decomposition"] = {
            "iterations": int(info.get("iterations", 0)),
            "mip_iterations": int(info.get("mip_iterations", 0)),
            **info.get("sizes", {}),
            "setup_seconds": round(float(info.get("setup_seconds", 0.0)), 3),
            "phase_seconds": {k: round(float(v), 3) for k, v in info.get("phases", {}).items()},
            "lp_bound_usd": info["lp_bound"] * 1e6 if info.get("lp_bound") is not None else None,
        }
    return out
