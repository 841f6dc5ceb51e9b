"""Honest solver statuses: time limit with and without a plan, infeasible with a diagnosis,
the gap asked and achieved always reported, and no raw HiGHS output."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
from builder import BASE, write_scenario
from click.testing import CliRunner

import planner.api as run
from planner.cli import main


def _cli(args):
    res = CliRunner().invoke(main, args)
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res


def _wrap_solve(monkeypatch, change):
    real = run.solve_model

    def fake(m, **kw):
        return change(real(m, **kw))

    monkeypatch.setattr(run, "solve_model", fake)


def test_optimal_reports_gap_asked_and_achieved(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    res = _cli(["solve", str(scn), "--out", str(tmp_path / "out"), "--quiet", "--mip-gap", "0.001"])
    assert res.exit_code == 0, res.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["status"] == "optimal"
    assert s["mip_rel_gap_requested"] == 0.001
    assert s["mip_gap"] is not None and s["mip_gap"] <= 0.001
    assert "(asked 0.10%)" in res.stdout


def test_time_limit_with_a_plan_writes_it_with_a_warning(tmp_path, monkeypatch):
    def stopped(r):
        return dataclasses.replace(r, status="time_limit", bound=r.objective * 0.97, gap=0.03)

    _wrap_solve(monkeypatch, stopped)
    monkeypatch.setattr(run, "polish", lambda *a, **k: None, raising=False)
    scn = write_scenario(tmp_path / "scn")
    res = _cli(["solve", str(scn), "--out", str(tmp_path / "out"), "--quiet"])
    assert res.exit_code == 0, res.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["status"] == "time_limit"
    assert s["mip_gap"] == pytest.approx(0.03)
    assert "warning: the time limit was reached" in res.stderr
    assert "3.00%" in res.stderr and "3.00%" in res.stdout


def test_time_limit_without_a_plan_exits_3_and_writes_nothing(tmp_path, monkeypatch):
    def nothing(r):
        return dataclasses.replace(r, status="no_solution", objective=None, bound=None, gap=None)

    _wrap_solve(monkeypatch, nothing)
    scn = write_scenario(tmp_path / "scn")
    res = _cli(["solve", str(scn), "--out", str(tmp_path / "out"), "--quiet", "--time-limit", "5"])
    assert res.exit_code == 3
    assert "found no plan within the time limit of 5 s" in res.stderr
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out*"))


def test_status_mapping_of_highs():
    import highspy

    from planner.solver.highs import _status

    S = highspy.HighsModelStatus
    assert _status(S.kTimeLimit, True) == "time_limit"
    assert _status(S.kTimeLimit, False) == "no_solution"
    assert _status(S.kInfeasible, False) == "infeasible"
    assert _status(S.kOptimal, True) == "optimal"
    assert _status(S.kInterrupt, False) == "interrupted"


def _must_serve(monkeypatch):
    """Demand has an unserved slack, so data alone cannot make the program infeasible;
    forbidding unserved demand exposes the hard limits the way a must-serve rule would."""
    real = run.build_model

    def build(d):
        m = real(d)
        for v in m.unserved.values():
            v.fix(0)
        return m

    monkeypatch.setattr(run, "build_model", build)


@pytest.mark.parametrize(
    "overrides, expect",
    [
        (
            {"toml": {"carbon_cap_t": {"2026": 0}}, "sites": [dict(BASE["sites"][0], grid_co2_kg_per_mwh=400)]},
            "The carbon cap (carbon_cap_t in scenario.toml) has to rise: by 1,904.76 t CO2 in 2026 (limit 0).",
        ),
        (
            {"chips": [dict(BASE["chips"][0], max_units_per_year=10)]},
            "The chip supply of x1 (max_units_per_year in chips.csv) has to rise: by 47 units in 2026 (limit 10).",
        ),
        (
            {"sites": [dict(BASE["sites"][0], grid_cap_mw=0.2)]},
            "The grid capacity of site s1 (grid_cap_mw in sites.csv) has to rise: by 0.343596 MW in 2026 (limit 0.2).",
        ),
        (
            {"sites": [dict(BASE["sites"][0], max_it_mw=0.5)], "toml": {"hall_block_mw": 0.5}},
            "The IT capacity of site s1 (max_it_mw in sites.csv) has to rise: by 0.5 MW IT in 2026 (limit 0.5).",
        ),
    ],
    ids=["carbon_cap", "chip_supply", "grid_cap", "max_it_mw"],
)
def test_infeasible_exits_3_with_a_diagnosis(tmp_path, monkeypatch, overrides, expect):
    _must_serve(monkeypatch)
    scn = write_scenario(tmp_path / "scn", **overrides)
    res = _cli(["solve", str(scn), "--out", str(tmp_path / "out"), "--quiet"])
    assert res.exit_code == 3, res.stderr
    assert "The program is infeasible" in res.stderr
    assert expect in res.stderr
    assert not (tmp_path / "out").exists()


def test_max_mw_diagnosis(tmp_path, monkeypatch):
    _must_serve(monkeypatch)
    scn = write_scenario(
        tmp_path / "scn",
        sites=[dict(BASE["sites"][0], grid_cap_mw=0)],
        site_power=[{"site": "s1", "tech": "gas", "max_mw": 0.5}],
    )
    res = _cli(["solve", str(scn), "--out", str(tmp_path / "out"), "--quiet"])
    assert res.exit_code == 3
    assert "(site_power.csv) has to rise" in res.stderr or "grid_cap_mw in sites.csv" in res.stderr


def test_no_raw_highs_output(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    r = subprocess.run(
        [sys.executable, "-m", "planner.cli", "solve", str(scn), "--out", str(tmp_path / "out"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    for stream in (r.stdout, r.stderr):
        assert "HiGHS" not in stream and "Running" not in stream and "Presolv" not in stream, stream


def test_the_relaxation_bound_counts_when_highs_stops_before_its_own():
    from planner.solver.highs import best_bound

    # HiGHS stopped in its root LP (bound -13.3 M) on a plan of 151,030.86 MUSD; the LP
    # relaxation proved 149,498.47: gap (151030.86 - 149498.47) / 151030.86 = 1.0146 %
    bound, gap, status = best_bound(151030.86, -13_253_425.8, 149498.47, 0.01, "time_limit")
    assert bound == 149498.47
    assert gap == pytest.approx((151030.86 - 149498.47) / 151030.86, rel=1e-12)
    assert gap == pytest.approx(0.010146, abs=1e-6) and status == "time_limit"
    # within the requested gap of the relaxation: optimal
    assert best_bound(150900.0, None, 149498.47, 0.01, "time_limit")[2] == "optimal"
    # HiGHS's own bound kept when it is the better one
    assert best_bound(150900.0, 150000.0, 149498.47, 0.01, "optimal")[:2] == (
        150000.0,
        (150900.0 - 150000.0) / 150900.0,
    )
