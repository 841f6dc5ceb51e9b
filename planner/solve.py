"""Hand a built Pyomo model to HiGHS in memory and return one typed :class:`SolveResult`.

Uses Pyomo's in-memory HiGHS interface (``pyomo.contrib.solver.solvers.highs.Highs``), so
no model file is written. HiGHS's own log is captured (never printed raw); a progress
callback may receive (elapsed s, incumbent MUSD, bound MUSD, gap) while the MIP runs.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs

log = logging.getLogger(__name__)
logging.getLogger("pyomo").setLevel(logging.WARNING)


@dataclass
class SolveResult:
    """Outcome of one solve.

    ``status``: ``optimal`` (within the requested gap), ``time_limit`` (stopped by the time
    limit with a plan), ``infeasible``, ``no_solution`` (stopped without a plan) or
    ``error``. ``objective``/``bound`` in MUSD (None without a plan); ``gap`` the relative
    MIP gap achieved; ``sizes`` the model handed to HiGHS (variables, integers,
    constraints, nonzeros); ``timings`` seconds per stage (handoff, solve).
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

    @property
    def has_solution(self) -> bool:
        return self.objective is not None


ProgressFn = Callable[[float, float | None, float | None, float | None], None]


def solve_model(
    m: pyo.ConcreteModel,
    time_limit: float = 300.0,
    mip_gap: float = 0.01,
    threads: int = 2,
    seed: int = 1,
    progress: ProgressFn | None = None,
    options: dict | None = None,
) -> SolveResult:
    """Solve ``m`` with HiGHS and load the incumbent (if any) into the model's variables.

    ``time_limit`` in seconds, ``mip_gap`` relative. ``progress`` is called from HiGHS's MIP
    logging callback with (elapsed s, incumbent, dual bound, gap). Never raises on a
    non-optimal outcome: the status says what happened.
    """
    opt = Highs()
    t0 = time.perf_counter()
    opt.set_instance(m)
    h = opt._solver_model
    lp = h.getLp()
    integrality = list(lp.integrality_) if len(lp.integrality_) else []
    sizes = {
        "variables": int(lp.num_col_),
        "integers": int(sum(1 for v in integrality if v != highspy.HighsVarType.kContinuous)),
        "constraints": int(lp.num_row_),
        "nonzeros": int(len(lp.a_matrix_.value_)),
    }
    t_handoff = time.perf_counter() - t0
    solver_options = {"random_seed": int(seed), "mip_rel_gap": float(mip_gap)}
    solver_options.update(options or {})
    if progress is not None:
        start = time.perf_counter()

        def cb(callback_type, message, data_out, data_in, user_data):
            try:
                inc = data_out.objective_function_value
                bound = data_out.mip_dual_bound
                gap = data_out.mip_gap
                progress(
                    time.perf_counter() - start,
                    inc if inc is not None and math.isfinite(inc) else None,
                    bound if bound is not None and math.isfinite(bound) else None,
                    gap if gap is not None and math.isfinite(gap) else None,
                )
            except Exception:  # progress display must never stop a solve
                pass

        try:
            h.setCallback(cb, None)
            h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
        except Exception:  # older highspy without callbacks: solve silently
            pass
    t1 = time.perf_counter()
    res = opt.solve(
        m,
        time_limit=float(time_limit),
        rel_gap=float(mip_gap),
        threads=int(threads),
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
        solver_options=solver_options,
    )
    t_solve = time.perf_counter() - t1
    info = h.getInfo()
    model_status = h.getModelStatus()
    has_sol = info.primal_solution_status == 2
    objective = info.objective_function_value if has_sol else None
    is_mip = sizes["integers"] > 0
    bound = info.mip_dual_bound if is_mip else objective
    gap = info.mip_gap if (is_mip and has_sol) else (0.0 if has_sol else None)
    if gap is not None and not math.isfinite(gap):
        gap = None
    S = highspy.HighsModelStatus
    if model_status == getattr(S, "kInterrupt", object()):
        status = "interrupted"
    elif model_status == S.kOptimal:
        status = "optimal"
    elif model_status in (S.kInfeasible,):
        status = "infeasible"
    elif model_status == S.kUnboundedOrInfeasible:
        status = "infeasible"
    elif model_status == S.kTimeLimit:
        status = "time_limit" if has_sol else "no_solution"
    elif has_sol:
        status = "time_limit"
    else:
        status = "no_solution" if model_status != S.kModelEmpty else "optimal"
    if model_status == S.kModelEmpty:
        objective, bound, gap = (
            float(opt._objective.expr() if hasattr(opt, "_objective") and opt._objective is not None else 0.0),
            None,
            0.0,
        )
        status = "optimal"
        has_sol = True
    if has_sol and model_status != S.kModelEmpty:
        res.solution_loader.load_vars()
    return SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        requested_gap=float(mip_gap),
        time_limit=float(time_limit),
        sizes=sizes,
        timings={"handoff": t_handoff, "solve": t_solve},
        solver_log=res.solver_log or "",
    )
