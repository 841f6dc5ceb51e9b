"""Exit codes of ``planner sweep`` (DESIGN.md §5: 1 bad input, 3 no plan): when every variant
fails its input checks the sweep is bad input, 1; when some variant is solved, 0; when none is
solved and some failed otherwise, 3 (the rule of planner.futures.commands._no_plan_exit)."""

from __future__ import annotations

import pandas as pd
from builder import write_scenario
from click.testing import CliRunner

from planner.cli import main
from planner.futures.commands import _no_plan_exit

# a pue_adder below 0 passes the spec's checks (a cell that exists) but not the scenario's
BROKEN = 'set = { "sites.s1.pue_adder" = -5 }\n'


def _sweep(tmp_path, body):
    write_scenario(tmp_path / "hand")
    spec = tmp_path / "spec.toml"
    spec.write_text('base = "hand"\n' + body)
    return CliRunner().invoke(main, ["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"])


def test_every_variant_bad_input_exits_1(tmp_path):
    r = _sweep(tmp_path, '[[variant]]\nname = "a"\n' + BROKEN + '[[variant]]\nname = "b"\n' + BROKEN)
    assert r.exit_code == 1, r.output
    assert "0 of 2 variants solved" in r.output
    assert "Every variant failed its input checks" in r.output and "Traceback" not in r.output
    rows = pd.read_csv(tmp_path / "out" / "sweep.csv")
    assert rows["status"].tolist() == ["input_error", "input_error"]
    assert rows["error"].str.contains("pue_adder").all()


def test_one_bad_variant_among_solved_ones_exits_0(tmp_path):
    r = _sweep(tmp_path, '[[variant]]\nname = "a"\n' + BROKEN + '[[variant]]\nname = "base"\n')
    assert r.exit_code == 0, r.output
    assert "1 of 2 variants solved" in r.output


def test_no_plan_rule():
    assert _no_plan_exit(pd.DataFrame({"status": ["input_error", "input_error"]})) == 1
    assert _no_plan_exit(pd.DataFrame({"status": ["input_error", "no_solution"]})) == 3
    assert _no_plan_exit(pd.DataFrame({"status": ["error"]})) == 3
    assert _no_plan_exit(pd.DataFrame({"status": pd.Series([], dtype=str)})) == 3
