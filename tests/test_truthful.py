"""Issue 12, "Truthful plans": no crash, no half-written file, no hidden plan (item 7), the
write stage's time in summary.json (item 8) and inputs that cannot be right (item 6)."""

from __future__ import annotations

import copy
import json
import os

import pandas as pd
import pytest
from builder import BASE, write_scenario
from click.testing import CliRunner

import planner
from planner.cli import main
from planner.io import atomic
from planner.io.errors import InputError
from planner.reporting import export as ex
from planner.reporting.fmt import _pct


def _solve(*args):
    return CliRunner().invoke(main, ["solve", *map(str, args), "--quiet", "--no-marginals"])


def _with_empty_site(folder):
    """The issue's case: a one-year scenario plus a site S0 with max_it_mw 0, open cost 0."""
    s0 = dict(BASE["sites"][0], site="S0", name="Site 0", max_it_mw=0, open_cost_usd=0)
    lat = BASE["latency"] + [{"region": "r1", "site": "S0", "latency_ms": 5, "network_cost_usd_per_mtok": 0}]
    return write_scenario(folder, sites=[BASE["sites"][0], s0], latency=lat)


# ---------------------------------------------------------------- 7a


def test_a_site_that_can_never_host_a_hall_is_a_warning_and_left_out(tmp_path):
    """Before: exit 4, "No value for uninitialized VarData object open[S0,2026]" from the
    start heuristic's polish. Now: a warning naming the row, and the plan of s1 alone."""
    scn = _with_empty_site(tmp_path / "scn")
    r = _solve(scn, "--out", tmp_path / "res")
    assert r.exit_code == 0, r.output
    assert (
        "warning: sites.csv, row 3, column max_it_mw: 0 MW is below one hall block (1 MW, hall_block_mw): "
        "site S0 can never host a hall and is left out of the plan." in r.output
    )
    alone = _solve(write_scenario(tmp_path / "alone"), "--out", tmp_path / "res_alone")
    assert alone.exit_code == 0
    a = json.loads((tmp_path / "res" / "summary.json").read_text())
    b = json.loads((tmp_path / "res_alone" / "summary.json").read_text())
    assert a["objective_usd"] == pytest.approx(b["objective_usd"], rel=1e-12)
    assert a["sizes"] == b["sizes"]
    assert "S0" not in set(pd.read_csv(tmp_path / "res" / "sites.csv")["site"])


def test_left_out_site_is_a_warning_of_the_scenario(tmp_path):
    scn = planner.load_scenario(_with_empty_site(tmp_path / "scn"))
    assert list(scn["sites.csv"]["site"]) == ["s1"]
    assert list(scn["latency.csv"]["site"]) == ["s1"]
    assert any("S0 can never host a hall" in w.sentence() for w in scn.warnings)


# ---------------------------------------------------------------- 7b, 7c


def test_export_interrupted_leaves_nothing(folders, tmp_path, monkeypatch):
    """Ctrl-C while the CSV export writes its tables leaves no export folder (and no hidden
    temporary folder), where it used to leave the tables written so far."""
    out = tmp_path / "exp"
    calls = {"n": 0}
    real = pd.DataFrame.to_csv

    def interrupted(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, *a, **kw)

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    r = CliRunner().invoke(main, ["export", str(folders), "--format", "csv", "--out", str(out)])
    assert r.exit_code == 130 and "nothing was written" in r.output
    assert calls["n"] == 3
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_export_over_a_folder_keeps_its_other_files(folders, tmp_path):
    out = tmp_path / "exp"
    assert ex.export(folders, "csv", out) == out
    (out / "mine.txt").write_text("keep")
    before = (out / "costs.csv").read_text()
    ex.export(folders, "csv", out, overwrite=True)
    assert (out / "mine.txt").read_text() == "keep" and (out / "costs.csv").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("truth")
    scn = write_scenario(tmp / "scn")
    r = _solve(scn, "--out", tmp / "res")
    assert r.exit_code == 0, r.output
    return tmp / "res"


@pytest.mark.parametrize("at", [2, 3])
def test_overwrite_interrupted_between_the_renames_restores_the_old_plan(tmp_path, monkeypatch, at):
    """Fault injection: a KeyboardInterrupt at the second rename (new plan into place) or at
    the third (the user's file carried over) leaves the old plan and the user's file where
    they were, and no hidden folder beside them."""
    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "res"
    assert _solve(scn, "--out", out).exit_code == 0
    (out / "notes.txt").write_text("mine")
    old_summary = (out / "summary.json").read_text()
    real = os.replace
    calls = {"n": 0}

    def faulty(src, dst):
        calls["n"] += 1
        if calls["n"] == at:
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", faulty)
    r = _solve(scn, "--out", out, "--overwrite")
    monkeypatch.setattr(atomic.os, "replace", real)
    assert r.exit_code == 130
    assert calls["n"] >= at
    assert (out / "summary.json").read_text() == old_summary
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res", "scn"]


def test_overwrite_still_carries_the_users_files(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "res"
    assert _solve(scn, "--out", out).exit_code == 0
    (out / "notes.txt").write_text("mine")
    r = _solve(scn, "--out", out, "--overwrite")
    assert r.exit_code == 0 and (out / "notes.txt").read_text() == "mine"


# ---------------------------------------------------------------- 7d, 7e, 8


def test_a_gap_of_minus_1e_15_prints_as_zero():
    assert _pct(-1e-15) == "0.00%"
    assert _pct(-0.00004) == "0.00%"
    assert _pct(0.0123) == "1.23%"


def test_days_per_year_367_is_one_message(tmp_path):
    scn = write_scenario(tmp_path / "scn", slices=[dict(BASE["slices"][0], days_per_year=367)])
    with pytest.raises(InputError) as e:
        planner.load_scenario(scn)
    assert [p.sentence() for p in e.value.problems] == [
        "slices.csv, row 2, column days_per_year: 367 is out of range; days a year the representative day "
        "stands for must be at most 366 (days/yr)."
    ]


def test_storage_hours_0_is_one_message(tmp_path):
    power = copy.deepcopy(BASE["power"])
    power[1]["storage_hours"] = 0
    scn = write_scenario(tmp_path / "scn", power=power)
    with pytest.raises(InputError) as e:
        planner.load_scenario(scn)
    assert len(e.value.problems) == 1
    assert e.value.problems[0].column == "storage_hours" and "out of range" in e.value.problems[0].text


def test_summary_json_records_the_write_stage(folders):
    s = json.loads((folders / "summary.json").read_text())
    assert s["timings_s"]["write"] > 0
    s = planner.read_results(folders).summary()
    assert set(s["timings_s"]) >= {"load", "build", "solve", "extract", "write"}
