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


# ---------------------------------------------------------------- 6


def test_near_miss_of_an_optional_column_is_an_error(tmp_path):
    """A typo in grid_co2_kg_per_mwh used to plan silently with zero CO2."""
    scn = write_scenario(tmp_path / "scn")
    f = scn / "sites.csv"
    f.write_text(f.read_text().replace("grid_co2_kg_per_mwh", "grid_co2_kg_per_mhw"))
    with pytest.raises(InputError) as e:
        planner.load_scenario(scn)
    (p,) = e.value.problems
    assert (p.file, p.row, p.column) == ("sites.csv", 1, "grid_co2_kg_per_mhw")
    assert "did you mean grid_co2_kg_per_mwh?" in p.text and "0 kg CO2/MWh" in p.text


def test_unit_larger_than_its_rack_is_an_error(tmp_path):
    chips = [dict(BASE["chips"][0], it_kw_per_unit=50, rack_kw=40)]
    with pytest.raises(InputError) as e:
        planner.load_scenario(write_scenario(tmp_path / "scn", chips=chips))
    assert [p.sentence() for p in e.value.problems] == [
        "chips.csv, row 2, column it_kw_per_unit: 50 kW per unit is more than the rack it goes in "
        "(rack_kw 40 kW); a unit is at most one rack."
    ]


def test_values_a_thousand_times_off_the_catalog_are_loud(tmp_path):
    """Open cost written in million USD (230 for 230e6) and a capex per kW written per W."""
    sites = [dict(BASE["sites"][0], open_cost_usd=230)]
    power = copy.deepcopy(BASE["power"])
    power[2]["capex_usd_per_kw"] = 1.0
    scn = write_scenario(tmp_path / "scn", sites=sites, power=power)
    w = [p.sentence() for p in planner.load_scenario(scn).warnings]
    assert any(s.startswith("sites.csv, row 2, column open_cost_usd: 230 USD is 1/") for s in w), w
    assert any(s.startswith("power.csv, row 4, column capex_usd_per_kw: 1 USD/kW is 1/") for s in w), w
    r = _solve(scn, "--out", tmp_path / "res")
    assert r.exit_code == 0
    head = r.output.split("Sites opened")[0]  # in the summary printed with the plan
    assert "CHECK THIS INPUT: sites.csv, row 2, column open_cost_usd" in head
    s = json.loads((tmp_path / "res" / "summary.json").read_text())
    assert any("open_cost_usd: 230 USD" in x for x in s["warnings"])


def test_bundled_scenarios_raise_no_magnitude_warning():
    for name in ("us", "world"):
        assert not [w for w in planner.load_scenario(name).warnings if "bundled catalog" in w.text]


def test_load_scenario_accepts_bundled_names():
    scn = planner.load_scenario("us")
    assert scn.config.name == "us" and len(scn["sites"]) == 12


def test_a_table_edited_in_memory_is_validated_before_solving(tmp_path):
    scn = planner.load_scenario(write_scenario(tmp_path / "scn"))
    scn["chips"].loc[0, "capex_usd_per_unit"] = -5.0
    scn["throughput"].loc[0, "chip"] = "nope"
    with pytest.raises(InputError) as e:
        planner.solve(scn, marginals=False)
    got = [p.sentence() for p in e.value.problems]
    assert got == [
        "chips.csv, row 2, column capex_usd_per_unit: -5 is negative; purchase price must be 0 or more (USD/unit)."
    ]
    scn["chips"].loc[0, "capex_usd_per_unit"] = 300_000.0
    with pytest.raises(InputError) as e:
        planner.solve(scn, marginals=False)
    assert "nope" in e.value.problems[0].sentence()
    scn["throughput"].loc[0, "chip"] = "x1"
    assert planner.solve(scn, marginals=False).result.status == "optimal"
