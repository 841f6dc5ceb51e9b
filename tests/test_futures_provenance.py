"""summary.json's ``provenance`` in the results folders planner.futures writes: each scenario
of a stochastic plan and each near-optimal alternative records what ``planner solve`` records
(every input file with its hash, the demand file, the overrides given, the solver settings,
the planner version and commit), equal to the provenance of ``planner solve`` of the same
inputs, and the summaries follow results.schema.json."""

from __future__ import annotations

import json

import jsonschema
import pandas as pd
from builder import write_scenario
from click.testing import CliRunner

from planner.cli import main
from planner.futures.alternatives import alternatives
from planner.futures.stochastic import DemandCase, solve_stochastic
from planner.io.provenance import short_hash
from planner.io.results import results_schema

SAME = ("scenario_folder", "demand_file", "files", "solver", "planner_version", "git_commit")


def _schema_errors(summary: dict) -> list[str]:
    v = jsonschema.Draft202012Validator(results_schema()["properties"]["summary"])
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(summary)]


def _solve(scn, out, *extra) -> dict:
    r = CliRunner().invoke(main, ["solve", str(scn), "--out", str(out), "--quiet", "--no-marginals", *extra])
    assert r.exit_code == 0, r.output
    return json.loads((out / "summary.json").read_text())


def test_stochastic_scenarios_record_provenance(tmp_path):
    scn = write_scenario(tmp_path / "scn", toml={"first_stage_years": 1})
    d = pd.read_csv(scn / "demand.csv")
    d.to_csv(tmp_path / "lo.csv", index=False)
    d.assign(tokens_per_year=d["tokens_per_year"] * 2).to_csv(tmp_path / "hi.csv", index=False)
    cases = [DemandCase("lo", tmp_path / "lo.csv", 0.5), DemandCase("hi", tmp_path / "hi.csv", 0.5)]
    solve_stochastic(scn, cases, tmp_path / "st", threads=1, evaluate=False)
    for c in cases:
        summ = json.loads((tmp_path / "st" / c.name / "summary.json").read_text())
        pv = summ["provenance"]
        assert pv["demand_file"] == str(c.file.resolve())
        assert pv["files"]["demand.csv"]["sha256"] == short_hash(c.file)
        assert pv["files"]["scenario.toml"]["sha256"] == short_hash(scn / "scenario.toml")
        assert pv["overrides"] == {"threads": 1, "demand": str(c.file)}
        assert pv["solver"]["threads"] == 1
        assert _schema_errors(summ) == []
        # what planner solve records for the same scenario and demand file
        single = _solve(scn, tmp_path / f"single-{c.name}", "--demand", str(c.file), "--threads", "1")["provenance"]
        assert {k: pv[k] for k in SAME} == {k: single[k] for k in SAME}
        assert pv["overrides"] == single["overrides"]


def test_alternatives_record_provenance(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    ref = _solve(scn, tmp_path / "plan")
    alternatives(tmp_path / "plan", slack=0.05, n=1, focus="chips", scenario=scn)
    summ = json.loads((tmp_path / "plan" / "alternatives" / "1" / "summary.json").read_text())
    pv = summ["provenance"]
    assert {k: pv[k] for k in SAME} == {k: ref["provenance"][k] for k in SAME}
    assert pv["overrides"] == {} and pv["files"]["chips.csv"]["sha256"] == short_hash(scn / "chips.csv")
    assert _schema_errors(summ) == []
