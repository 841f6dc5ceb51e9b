"""Where the decomposition's subproblems run (planner.solver.subproblems): threads, a pool of
spawned processes, actors on a Dask LocalCluster. Each gives, at the same master point, the
same subproblem costs and cuts, and the same plan as the monolithic optimum."""

from __future__ import annotations

import numpy as np
import pytest
from builder import write_scenario
from click.testing import CliRunner
from small import small_spec

from planner import api
from planner.cli import main
from planner.io.errors import UsageError
from planner.io.scenario import load_scenario
from planner.model import build_data, build_model
from planner.solver.benders import Decomposition
from planner.solver.highs import hand_off
from planner.solver.subproblems import BundleSpec, ProcessRunner, SubproblemError, shares

GAP = 1e-5


def _folder(tmp_path, cap=None):
    spec = small_spec(3)
    if cap is not None:  # a cap joins the sites of a year into one group
        spec["toml"] = dict(spec["toml"], carbon_cap_t=cap)
    return write_scenario(tmp_path / "scn", **spec)


def _decomposition(folder, **kw):
    d = build_data(load_scenario(folder))
    m = build_model(d)
    ho = hand_off(m)
    # one group per bundle, so that every worker holds several and the order of results matters
    dec = Decomposition(ho, d.slices, set(d.sites) | set(d.years), threads=1, bundle_columns=1, **kw)
    return m, ho, dec


def test_processes_and_dask_give_what_threads_give(tmp_path):
    """At two master points (the plan that builds nothing and the monolithic optimum's) the
    subproblem costs per group and the cuts are the same wherever the subproblems run."""
    folder = _folder(tmp_path)
    mono = api.solve(folder, method="monolithic", mip_gap=GAP, threads=1, marginals=False)
    x = np.array([v.value for v in mono.result.handoff.columns])
    runs = {}
    for where, kw in (("threads", {}), ("processes", {"workers": 2}), ("dask", {"dask": "local", "workers": 2})):
        m, ho, dec = _decomposition(folder, **kw)
        try:
            assert dec.sizes()["subproblems_on"] == where
            assert dec.sizes()["subproblems"] >= 4
            xm = x[dec.split.master_cols]
            runs[where] = [dec.evaluate(p) for p in (np.zeros_like(xm), xm)]
        finally:
            dec.close()
    base = runs["threads"]
    assert base[1].feasible
    for where in ("processes", "dask"):
        for a, b in zip(base, runs[where]):
            assert a.feasible == b.feasible
            np.testing.assert_allclose(b.q, a.q, rtol=1e-9, atol=1e-9)
            assert len(a.cuts) == len(b.cuts)
            for (ga, ca, ra), (gb, cb, rb) in zip(a.cuts, b.cuts):
                assert ga == gb
                assert rb == pytest.approx(ra, rel=1e-9, abs=1e-9)
                assert abs(ca - cb).max() <= 1e-9 * (1 + abs(ca).max())


def test_plan_on_a_process_pool_is_the_monolithic_optimum(tmp_path):
    """``api.solve(workers=2)``: the subproblems on two processes; the plan costs the
    monolithic optimum within the gap, passes the invariant checks, and summary.json says
    where the subproblems ran (with a carbon cap coupling the sites of each year)."""
    kw = dict(mip_gap=GAP, threads=1, marginals=False)
    folder = _folder(tmp_path, cap=1500)
    mono = api.solve(folder, method="monolithic", **kw)
    dec = api.solve(folder, method="decomposition", workers=2, **kw)
    assert dec.result.status == "optimal"
    assert dec.result.objective == pytest.approx(mono.result.objective, rel=3 * GAP)
    assert dec.failures == []
    assert dec.summary()["decomposition"]["subproblems_on"] == "processes"


def test_a_worker_that_dies_is_one_sentence(tmp_path):
    """A worker process killed (as the kernel does when memory runs out) ends the solve with
    SubproblemError, exit code 3, not a hang."""
    folder = _folder(tmp_path)
    m, ho, dec = _decomposition(folder, workers=2)
    try:
        runner = dec.runner
        assert isinstance(runner, ProcessRunner)
        runner.procs[1].kill()
        runner.procs[1].join(5)
        with pytest.raises(SubproblemError, match="worker process stopped") as e:
            dec.evaluate(np.zeros(dec.master.nm))
        assert e.value.exit_code == 3
    finally:
        dec.close()


def test_shares_balance_columns():
    """Bundles of 5, 4, 3, 3, 1 columns on two workers, largest first onto the least loaded
    share: 5 → A, 4 → B, the first 3 → B (4 < 5), the second 3 → A (5 < 7), 1 → B (7 < 8):
    A = {5, 3} and B = {4, 3, 1}, 8 columns each."""

    def spec(n):
        return BundleSpec(
            np.arange(n), np.arange(1), None, None, None, None, None, None, None, np.arange(1), None, None
        )

    out = shares([spec(n) for n in (5, 4, 3, 3, 1)], 2)
    assert out == [[0, 3], [1, 2, 4]]
    assert shares([spec(2)], 4) == [[0]]


def test_workers_with_the_monolithic_method_is_a_usage_error(tmp_path):
    folder = _folder(tmp_path)
    r = CliRunner().invoke(
        main, ["solve", str(folder), "--method", "monolithic", "--workers", "2", "--out", str(tmp_path / "o")]
    )
    assert r.exit_code == 2
    assert "--method monolithic has none" in r.output
    assert not (tmp_path / "o").exists()
    with pytest.raises(UsageError, match="workers=0 is not valid"):
        api.solve(folder, method="decomposition", workers=0)
