"""The LP-guided start (planner.solver.heuristics) and plain HiGHS agree within the gap.

A reduced horizon of the bundled ``us`` scenario (three years) keeps this fast.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from planner.io.scenario import load_scenario
from planner.model import build_data, build_model
from planner.solver.highs import solve_model

US = Path(__file__).resolve().parent.parent / "data" / "scenarios" / "us"
GAP = 0.01


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = tmp_path_factory.mktemp("us3") / "us3"
    shutil.copytree(US, folder)
    toml = folder / "scenario.toml"
    text = toml.read_text()
    start = int(re.search(r"^start_year\s*=\s*(\d+)", text, re.M).group(1))
    toml.write_text(re.sub(r"^end_year\s*=.*$", f"end_year = {start + 2}", text, flags=re.M))
    return load_scenario(folder)


def _solve(scn, heuristic: bool):
    d = build_data(scn)
    m = build_model(d)
    res = solve_model(m, time_limit=60, mip_gap=GAP, threads=1, seed=1, heuristic=heuristic)
    return m, res


def test_heuristic_and_plain_highs_agree(scenario):
    m_h, with_h = _solve(scenario, True)
    m_p, plain = _solve(scenario, False)
    assert with_h.status == "optimal" and plain.status == "optimal"
    # the start heuristic ran and gave a plan
    assert with_h.heuristic.get("objective") is not None
    assert with_h.heuristic["lp_bound"] <= min(with_h.objective, plain.objective) * (1 + 1e-6)
    # both plans are within the gap of the optimum, so of each other
    a, b = with_h.objective, plain.objective
    assert abs(a - b) <= GAP * max(a, b) * 1.001
    # each reported bound is valid for the other's plan
    assert with_h.bound <= b * (1 + 1e-6) and plain.bound <= a * (1 + 1e-6)
    # the loaded plan is the reported one
    import pyomo.environ as pyo

    assert pyo.value(m_h.npc) == pytest.approx(a, rel=1e-6)
    assert pyo.value(m_p.npc) == pytest.approx(b, rel=1e-6)
