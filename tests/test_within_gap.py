"""A time-limited plan that polishing or serving the unserved brings within the requested gap
is reported optimal (world's carbon-0 sweep variant: 0.906 % after serving 547 Ttok, asked 1 %,
was left at time_limit)."""

from planner.api import within_gap
from planner.solver.highs import SolveResult


def _res(status, objective, bound, requested=0.01):
    gap = (objective - bound) / objective
    return SolveResult(status=status, objective=objective, bound=bound, gap=gap, requested_gap=requested, time_limit=1)


def test_a_time_limited_plan_within_the_gap_becomes_optimal():
    r = _res("time_limit", 269385.1019, 266945.1812)  # gap 0.905737 %
    within_gap(r)
    assert r.status == "optimal" and abs(r.gap - 0.009057370) < 1e-8


def test_outside_the_gap_or_another_status_stays():
    r = _res("time_limit", 300683.658, 266945.1812)  # 11.2 %
    within_gap(r)
    assert r.status == "time_limit"
    r = _res("interrupted", 269385.1019, 266945.1812)
    within_gap(r)
    assert r.status == "interrupted"
