"""The Python API of README.md's "Python" section, run exactly as written."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest

import planner

ROOT = Path(__file__).resolve().parent.parent


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Python") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.slow
def test_readme_python_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    scope: dict = {}
    with contextlib.redirect_stdout(out):
        exec(compile(_readme_example(), "README.md", "exec"), scope)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("base: optimal") and lines[1].startswith("cheap GB300: optimal")
    assert lines[2] == "True"  # read back from the folder written
    base, cheap = scope["base"], scope["cheap"]
    for p in (base, cheap):
        s = p.summary()
        # net present cost = the discounted cost components of costs.csv (DESIGN.md §4)
        assert s["objective_usd"] == pytest.approx(p.tables["costs"]["usd_discounted"].sum(), rel=1e-9)
        assert s["invariant_checks"] == "passed" and s["end_year"] == 2028
        assert set(p.tables["serving"]["year"]) <= {2026, 2027, 2028}
    # a 30 % cheaper chip cannot make the optimum dearer (beyond the two plans' gaps)
    gap = base.summary()["mip_gap"] + cheap.summary()["mip_gap"]
    assert cheap.summary()["objective_usd"] <= base.summary()["objective_usd"] * (1 + gap)
    # the written folder is a results folder the CLI verbs read
    folder = tmp_path / "results" / "us-cheap-gb300"
    res = planner.read_results(folder)
    assert set(res.tables) >= {"capacity", "costs", "serving", "marginal_costs"}
    pd.testing.assert_frame_equal(
        res.tables["costs"].reset_index(drop=True), cheap.tables["costs"].reset_index(drop=True), check_dtype=False
    )
    written = planner.report(folder)
    assert folder / "report.md" in written


def test_api_lists_its_verbs():
    for name in ("load_scenario", "solve", "read_results", "report", "Plan", "Results", "InputError"):
        assert name in planner.__all__ and callable(getattr(planner, name))


def test_edited_table_is_checked_again():
    scn = planner.load_scenario("us")
    chips = scn["chips"]
    row = int(chips.loc[chips["chip"] == "GB300_NVL72", "_row"].iloc[0])
    chips.loc[chips["chip"] == "GB300_NVL72", "capex_usd_per_unit"] = -5.0
    with pytest.raises(planner.InputError) as e:
        planner.solve(scn, time_limit=5)
    (p,) = e.value.problems
    assert (p.file, p.row, p.column) == ("chips.csv", row, "capex_usd_per_unit")
    assert "negative" in p.text


def test_bad_scenario_name_is_a_usage_error():
    with pytest.raises(planner.UsageError, match="does not exist"):
        planner.load_scenario("no-such-scenario")


def test_read_results_of_a_non_results_folder(tmp_path):
    with pytest.raises(planner.UsageError, match="summary.json is missing"):
        planner.read_results(tmp_path)


def test_misspelled_column_edit_is_an_error_not_a_new_column():
    scn = planner.load_scenario("us")
    chips = scn["chips"]
    chips.loc[chips["chip"] == "GB300_NVL72", "capex_usd_per_units"] = 1.0  # pandas adds a column
    with pytest.raises(planner.InputError) as e:
        planner.solve(scn, time_limit=5)
    (p,) = e.value.problems
    assert (p.file, p.column) == ("chips.csv", "capex_usd_per_units")
    assert "did you mean capex_usd_per_unit?" in p.text


@pytest.mark.parametrize(
    "kw,word",
    [
        ({"threads": 0}, "threads=0"),
        ({"time_limit": -1}, "time_limit=-1"),
        ({"mip_gap": 2}, "mip_gap=2"),
        ({"seed": -3}, "seed=-3"),
    ],
)
def test_solver_settings_out_of_range_are_refused_before_solving(kw, word):
    scn = planner.load_scenario("us")
    with pytest.raises(planner.UsageError, match=word):
        planner.solve(scn, **kw)


def test_end_year_of_the_wrong_type():
    scn = planner.load_scenario("us")
    scn.config.end_year = "2027"
    with pytest.raises(planner.InputError, match="'2027' is not a whole year"):
        planner.solve(scn)


def test_table_names_and_replacement():
    scn = planner.load_scenario("us")
    with pytest.raises(KeyError, match="tables: .*chips.*sites"):
        scn["chip"]
    scn["sites"] = scn["sites"].iloc[:0]
    assert len(scn.tables["sites.csv"]) == 0
    assert repr(scn).startswith("<Scenario 'us' 2026-2035 from ")
