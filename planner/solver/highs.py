"""Hand a built Pyomo model to HiGHS in memory and return one typed :class:`SolveResult`.

Hand-off: Pyomo's linear standard-form compiler
(:class:`pyomo.repn.plugins.standard_form.LinearStandardFormCompiler`) turns the model into
CSC arrays in one pass, and those arrays go to highspy in one ``passModel`` call (no model
file, no per-row Python calls into HiGHS). Measured against the two in-memory Pyomo
interfaces on the ``world`` scenario (90 k columns, 608 k nonzeros) it is the fastest; see
benchmarks/RESULTS.md. Column *j* of HiGHS is ``Handoff.columns[j]``, so the plan is loaded
back into the Pyomo variables by position.

Before the full MIP, :mod:`planner.solver.heuristics` may build a plan from the LP relaxation
(``heuristic=True``, the default for MIPs) and pass it to HiGHS as a MIP start.

HiGHS's own log is captured (never printed raw); a progress callback may receive
(elapsed s, incumbent MUSD, bound MUSD, gap) while the MIP runs.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.gc_manager import PauseGC
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from .heuristics import mip_start
from .session import _SCHEDULER_THREADS, INF, ProgressFn, new_highs, run_guard, stop_at

log = logging.getLogger(__name__)
logging.getLogger("pyomo").setLevel(logging.WARNING)


@dataclass
class SolveResult:
    """Outcome of one solve.

    ``status``: ``optimal`` (within the requested gap), ``time_limit`` (stopped by the time
    limit with a plan), ``infeasible``, ``no_solution`` (stopped without a plan) or
    ``error``. ``objective``/``bound`` in MUSD (None without a plan); ``gap`` the relative
    MIP gap achieved; ``sizes`` the model handed to HiGHS (variables, integers,
    constraints, nonzeros); ``timings`` seconds per stage (handoff, solve; solve includes
    the heuristic, whose share is also given as ``heuristic``); ``heuristic`` what the
    start heuristic did (empty when it did not run).
    """

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    requested_gap: float
    time_limit: float
    sizes: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    solver_log: str = ""
    heuristic: dict = field(default_factory=dict)
    handoff: Handoff | None = field(default=None, repr=False, compare=False)

    @property
    def has_solution(self) -> bool:
        return self.objective is not None


@dataclass
class Handoff:
    """A Pyomo model compiled to a HiGHS LP/MIP: ``lp`` (a ``highspy.HighsLp``, column-wise),
    ``columns`` (the Pyomo variable of each HiGHS column), ``integer`` (bool mask), the
    sizes handed over, ``rows`` (the Pyomo constraint of each HiGHS row; a ranged
    constraint has two) and the compiled column bounds ``lower``/``upper`` (numpy arrays,
    +-inf where unbounded). :func:`resolve` solves variants of it."""

    lp: object
    columns: list
    integer: np.ndarray
    sizes: dict
    seconds: float
    rows: list = field(default_factory=list)  # the Pyomo constraint of each HiGHS row
    lower: np.ndarray | None = None  # column bounds as compiled
    upper: np.ndarray | None = None

    def column_index(self) -> dict[int, int]:
        """id(Pyomo variable) -> HiGHS column."""
        return {id(v): j for j, v in enumerate(self.columns)}

    def component_of(self) -> np.ndarray:
        """Name of the Pyomo component of each column (e.g. ``open``, ``buy``)."""
        names = {}
        out = []
        for v in self.columns:
            p = v.parent_component()
            n = names.get(id(p))
            if n is None:
                n = names[id(p)] = p.local_name
            out.append(n)
        return np.array(out, dtype=object)

    def load(self, values) -> None:
        """Write column values back into the Pyomo variables."""
        for v, x in zip(self.columns, values):
            v.set_value(float(x), skip_validation=True)


def hand_off(m: pyo.ConcreteModel) -> Handoff:
    """Compile ``m`` (linear, one minimising objective) to a column-wise ``HighsLp``.
    The garbage collector is paused meanwhile (as Pyomo's compiler does itself)."""
    t0 = time.perf_counter()
    with PauseGC():
        return _hand_off(m, t0)


def _hand_off(m: pyo.ConcreteModel, t0: float) -> Handoff:
    repn = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=None)
    cols = repn.columns
    n = len(cols)
    A = repn.A.tocsc()
    nrow = A.shape[0]
    bounds = [v.bounds for v in cols]
    lb = np.fromiter((-INF if b[0] is None else b[0] for b in bounds), dtype=np.float64, count=n)
    ub = np.fromiter((INF if b[1] is None else b[1] for b in bounds), dtype=np.float64, count=n)
    integer = np.fromiter((v.is_integer() or v.is_binary() for v in cols), dtype=bool, count=n)
    sense = np.fromiter((r[1] for r in repn.rows), dtype=np.int8, count=nrow)
    rhs = np.asarray(repn.rhs, dtype=np.float64)
    rlo = np.where(sense >= 0, -INF, rhs)
    rlo = np.where(sense == 0, rhs, rlo)
    rup = np.where(sense <= 0, INF, rhs)
    rup = np.where(sense == 0, rhs, rup)
    c = np.asarray(repn.c.toarray()).ravel() if repn.c.shape[0] else np.zeros(n)
    if c.shape[0] != n:
        c = np.zeros(n)
    obj = next(iter(m.component_data_objects(pyo.Objective, active=True)), None)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = nrow
    lp.col_cost_ = c
    lp.col_lower_ = lb
    lp.col_upper_ = ub
    lp.row_lower_ = rlo
    lp.row_upper_ = rup
    lp.offset_ = float(repn.c_offset[0]) if len(repn.c_offset) else 0.0
    if obj is not None and obj.sense == pyo.maximize:
        lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = nrow
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(np.float64)
    if integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    sizes = {
        "variables": n,
        "integers": int(integer.sum()),
        "constraints": nrow,
        "nonzeros": int(A.nnz),
    }
    return Handoff(
        lp=lp,
        columns=cols,
        integer=integer,
        sizes=sizes,
        seconds=time.perf_counter() - t0,
        rows=[r[0] for r in repn.rows],
        lower=lb,
        upper=ub,
    )


def matrix(lp) -> sp.csc_matrix:
    """The constraint matrix of a column-wise ``HighsLp`` as scipy CSC (rows × columns)."""
    a = lp.a_matrix_
    return sp.csc_matrix(
        (np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)), shape=(lp.num_row_, lp.num_col_)
    )


def _rel_gap(objective: float, bound: float) -> float:
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def violation(ho: Handoff, x) -> float:
    """The largest violation of a row or column bound of ``ho`` by the column values ``x``,
    relative to 1 + |bound|; also an integer column's distance to the nearest integer."""
    x = np.asarray(x, dtype=np.float64)
    act = matrix(ho.lp) @ x
    lo, up = np.asarray(ho.lp.row_lower_), np.asarray(ho.lp.row_upper_)
    worst = 0.0
    for v, b in ((lo - act, lo), (act - up, up), (ho.lower - x, ho.lower), (x - ho.upper, ho.upper)):
        ok = np.isfinite(b)
        if ok.any():
            worst = max(worst, float(np.max(v[ok] / (1.0 + np.abs(b[ok])), initial=0.0)))
    if ho.integer.any():
        xi = x[ho.integer]
        worst = max(worst, float(np.max(np.abs(xi - np.round(xi)), initial=0.0)))
    return worst


def best_bound(
    objective: float, bound: float | None, lp_bound: float | None, mip_gap: float, status: str
) -> tuple[float | None, float | None, str]:
    """(bound, gap, status) of a plan of ``objective`` (MUSD) given HiGHS's ``bound`` and the
    start heuristic's LP relaxation bound: the larger bound counts (HiGHS stopped before its
    root LP reports less than the relaxation already proved), and a time-limited plan within
    ``mip_gap`` of it is optimal."""
    if lp_bound is not None and (bound is None or lp_bound > bound):
        bound = lp_bound
    if bound is None:
        return None, None, status
    gap = max(0.0, (objective - bound) / max(abs(objective), 1e-9))
    if status == "time_limit" and gap <= mip_gap:
        status = "optimal"
    return bound, gap, status


def _status(model_status, has_sol: bool) -> str:
    S = highspy.HighsModelStatus
    if model_status == getattr(S, "kInterrupt", object()):
        return "interrupted"
    if model_status == S.kOptimal:
        return "optimal"
    if model_status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return "infeasible"
    if model_status == S.kModelEmpty:
        return "optimal"
    return "time_limit" if has_sol else "no_solution"  # time limit, or stopped otherwise


def solve_model(
    m: pyo.ConcreteModel,
    time_limit: float = 300.0,
    mip_gap: float = 0.01,
    threads: int = 2,
    seed: int = 1,
    progress: ProgressFn | None = None,
    options: dict | None = None,
    heuristic: bool = True,
    write_mps: str | None = None,
    rounder=None,
    start_fn=None,
    known_bound: float | None = None,
    full_mip: bool = True,
    handoff: Handoff | None = None,
) -> SolveResult:
    """Solve ``m`` with HiGHS and load the incumbent (if any) into the model's variables.

    ``time_limit`` in seconds (for heuristic and MIP together), ``mip_gap`` relative.
    ``progress`` is called from HiGHS's MIP logging callback with (elapsed s, incumbent,
    dual bound, gap). ``heuristic`` runs :func:`planner.solver.heuristics.mip_start` first on a
    MIP. ``options`` are extra HiGHS options. ``write_mps`` names a file to write the program
    to (untimed; for the benchmarks' solver-alone floor). ``rounder`` is passed to the start
    heuristic (:func:`planner.solver.polish.rounder`). ``start_fn(ho)``, if given, returns a
    plan of the compiled program (column values) or None; a plan that satisfies every row and
    bound (:func:`violation` ≤ 1e-6) competes with the start heuristic's plan (the better is
    HiGHS's start, and kept if HiGHS finds nothing better); the heuristic is skipped when the
    plan is already within ``mip_gap`` of ``known_bound``. ``known_bound`` (MUSD) is a valid lower bound found
    elsewhere (e.g. the scenarios of a stochastic plan solved alone); the gap is measured
    against it where it is higher than HiGHS's. ``full_mip=False`` returns the start (given
    or the heuristic's) with its bound without running HiGHS's MIP on it (status
    ``time_limit`` unless the start is proven within ``mip_gap``). ``handoff``: ``m`` already
    compiled by :func:`hand_off` (not compiled again). Never raises on a non-optimal outcome: the
    status says what happened.
    """
    ho = handoff if handoff is not None else hand_off(m)
    sizes = ho.sizes
    if write_mps:
        w = new_highs(threads, seed)
        w.passModel(ho.lp)
        w.writeModel(str(write_mps))
        del w
    is_mip = sizes["integers"] > 0
    fd, log_path = tempfile.mkstemp(prefix="planner_highs_", suffix=".log")
    os.close(fd)
    t1 = time.perf_counter()
    hinfo: dict = {}
    start = None
    given = start_fn(ho) if start_fn is not None else None
    rejected = given is not None and violation(ho, given) > 1e-6
    if rejected:
        given = None
    given_obj = float(np.dot(np.asarray(ho.lp.col_cost_), given) + ho.lp.offset_) if given is not None else None
    given_proven = given_obj is not None and known_bound is not None and _rel_gap(given_obj, known_bound) <= mip_gap
    if is_mip and heuristic and not given_proven:
        start, hinfo = mip_start(
            ho, time_limit=time_limit, mip_gap=mip_gap, threads=threads, seed=seed, rounder=rounder
        )
    if is_mip and given is not None:
        obj = given_obj
        hinfo["given_start_objective"] = obj
        if start is None or obj < hinfo.get("objective", math.inf):
            # the given plan is better than the heuristic's (or the heuristic found none)
            start = given
            hinfo.update(given_start="used", objective=obj)
        lb = max((b for b in (hinfo.get("lp_bound"), known_bound) if b is not None), default=None)
        if lb is not None:
            gap = _rel_gap(hinfo["objective"], lb)
            hinfo.update(lp_bound=lb, gap_to_lp=gap, proven=gap <= float(mip_gap))
    if rejected:
        hinfo["given_start"] = "rejected: violates a row or bound"
    t_heur = time.perf_counter() - t1
    floor = max((b for b in (hinfo.get("lp_bound"), known_bound) if b is not None), default=None)
    left = float(time_limit) - t_heur
    # the full MIP needs at least its root LP (about as long as the heuristic's LP) to improve
    # anything: with less time left than that, the start and the LP bound are the answer
    no_time = start is not None and (not full_mip or left < 1.5 * hinfo.get("lp_seconds", 0.0))
    if start is not None and (hinfo.get("proven") or no_time):
        # the start is within the requested gap of the LP bound: nothing left to prove
        ho.load(start)
        os.unlink(log_path)
        return SolveResult(
            status="optimal" if hinfo.get("proven") else "time_limit",
            objective=hinfo["objective"],
            bound=hinfo.get("lp_bound"),
            gap=hinfo.get("gap_to_lp"),
            requested_gap=float(mip_gap),
            time_limit=float(time_limit),
            sizes=sizes,
            timings={"handoff": ho.seconds, "solve": t_heur, "heuristic": t_heur},
            solver_log=(
                ("given start" if given is not None else "start heuristic")
                + (
                    ": plan within the requested gap of the bound\n"
                    if hinfo.get("proven")
                    else (
                        ": too little time left for the full MIP; bound = LP relaxation\n"
                        if full_mip
                        else ": the full MIP was not run; bound = the best bound known\n"
                    )
                )
            ),
            heuristic=hinfo,
            handoff=ho,
        )
    h = new_highs(threads, seed, log_path)
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("time_limit", max(1.0, float(time_limit) - t_heur))
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    h.passModel(ho.lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)
    stopped = stop_at(h, t1 + float(time_limit) + 1.0, progress, t_heur)
    try:
        with run_guard(stopped):
            h.run()
    except KeyboardInterrupt:
        stopped["interrupt"] = True
    t_solve = time.perf_counter() - t1
    info = h.getInfo()
    model_status = h.getModelStatus()
    has_sol = info.primal_solution_status == 2
    objective = info.objective_function_value if has_sol else None
    bound = info.mip_dual_bound if is_mip else objective
    gap = info.mip_gap if (is_mip and has_sol) else (0.0 if has_sol else None)
    if gap is not None and not math.isfinite(gap):
        gap = None
    if bound is not None and not math.isfinite(bound):
        bound = None
    status = _status(model_status, has_sol)
    if stopped["interrupt"]:
        status = "interrupted"
    elif stopped["deadline"] and status == "interrupted":
        status = "time_limit" if has_sol else "no_solution"
    use_start = (
        start is not None
        and status != "interrupted"
        and hinfo.get("objective") is not None
        and (not has_sol or objective > hinfo["objective"] + 1e-9 * abs(hinfo["objective"]))
    )
    if use_start:
        # HiGHS may set the start aside (e.g. on a tolerance) and end with a worse plan of its
        # own: the better plan is kept, with the best bound either of them proved
        objective = hinfo["objective"]
        bound, gap, _ = best_bound(objective, bound, floor, float(mip_gap), status)
        has_sol = True
        status = "optimal" if gap <= float(mip_gap) else ("time_limit" if status != "infeasible" else status)
        ho.load(start)
    elif model_status == highspy.HighsModelStatus.kModelEmpty:
        objective, bound, gap, has_sol = float(ho.lp.offset_), None, 0.0, True
    elif has_sol:
        ho.load(h.getSolution().col_value)
        bound, gap, status = best_bound(objective, bound, floor, float(mip_gap), status)
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            solver_log = f.read()
    finally:
        os.unlink(log_path)
    return SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        requested_gap=float(mip_gap),
        time_limit=float(time_limit),
        sizes=sizes,
        timings={"handoff": ho.seconds, "solve": t_solve, "heuristic": t_heur},
        solver_log=solver_log,
        heuristic=hinfo,
        handoff=ho,
    )


@dataclass
class Resolve:
    """Outcome of :func:`resolve`: ``ok`` when HiGHS proved the program optimal; ``status``
    HiGHS's model status in words; arrays by HiGHS column / row (None unless ``ok``;
    duals only for a linear program)."""

    ok: bool
    status: str
    objective: float | None = None
    col_value: np.ndarray | None = None
    col_dual: np.ndarray | None = None
    row_dual: np.ndarray | None = None


def variant_highs(
    ho: Handoff,
    fix: dict[int, float] | None,
    unbounded_above: np.ndarray | None,
    free_rows: list[int] | None,
    continuous: bool,
    time_limit: float,
    threads: int | None,
    seed: int,
    options: dict | None,
) -> tuple[highspy.Highs, np.ndarray, np.ndarray]:
    """A HiGHS instance holding the variant of ``ho`` that :func:`resolve` describes, not yet
    run, with the column bounds it was given (lower, upper)."""
    if threads is None:
        threads = _SCHEDULER_THREADS[-1] if _SCHEDULER_THREADS else 1
    h = new_highs(int(threads), seed)
    h.setOptionValue("time_limit", float(time_limit))
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    h.passModel(ho.lp)
    n = len(ho.columns)
    if continuous and ho.integer.any():
        idx = np.flatnonzero(ho.integer).astype(np.int32)
        h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kContinuous))
    lower, upper = ho.lower.copy(), ho.upper.copy()
    if unbounded_above is not None:
        upper[unbounded_above] = INF
    for j, v in (fix or {}).items():
        lower[j] = upper[j] = v
    if fix or unbounded_above is not None:
        h.changeColsBounds(n, np.arange(n, dtype=np.int32), lower, upper)
    if free_rows:
        idx = np.asarray(free_rows, dtype=np.int32)
        h.changeRowsBounds(len(idx), idx, np.full(len(idx), -INF), np.full(len(idx), INF))
    return h, lower, upper


def resolve(
    ho: Handoff,
    fix: dict[int, float] | None = None,
    unbounded_above: np.ndarray | None = None,
    free_rows: list[int] | None = None,
    continuous: bool = False,
    time_limit: float = 60.0,
    threads: int | None = None,
    seed: int = 1,
    options: dict | None = None,
) -> Resolve:
    """Solve a variant of a compiled program without compiling it again: columns in ``fix``
    (column -> value) get both bounds at that value, columns in ``unbounded_above`` (bool
    mask) lose their upper bound, rows in ``free_rows`` lose both bounds (as if dropped),
    and ``continuous`` relaxes every integrality. ``ho`` itself is not changed.

    ``threads`` None keeps the count of the process's earlier HiGHS runs (1 if none)."""
    h, _lower, _upper = variant_highs(
        ho, fix, unbounded_above, free_rows, continuous, time_limit, threads, seed, options
    )
    state = stop_at(h, time.perf_counter() + float(time_limit) + 1.0)
    with run_guard(state):
        h.run()
    status = h.getModelStatus()
    words = h.modelStatusToString(status)
    if status != highspy.HighsModelStatus.kOptimal:
        return Resolve(False, words)
    sol = h.getSolution()
    info = h.getInfo()
    return Resolve(
        True,
        "optimal",
        objective=info.objective_function_value,
        col_value=np.asarray(sol.col_value),
        col_dual=np.asarray(sol.col_dual) if sol.dual_valid else None,
        row_dual=np.asarray(sol.row_dual) if sol.dual_valid else None,
    )
