"""Issue 12, item 3: summary.json, the report's header and compare say where a plan came from."""

from __future__ import annotations

import hashlib
import json
import re

from builder import write_scenario
from click.testing import CliRunner

from planner.cli import main
from planner.io.provenance import default_folder


def _solve(*args):
    return CliRunner().invoke(main, ["solve", *map(str, args), "--quiet", "--no-marginals"])


def test_summary_report_and_compare_name_the_inputs(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    demand = tmp_path / "high.csv"
    demand.write_text((scn / "demand.csv").read_text().replace("10000000000000.0", "20000000000000.0"))
    assert _solve(scn, "--out", tmp_path / "a", "--seed", 3).exit_code == 0
    r = _solve(scn, "--out", tmp_path / "b", "--demand", demand)
    assert r.exit_code == 0, r.output
    pa = json.loads((tmp_path / "a" / "summary.json").read_text())["provenance"]
    pb = json.loads((tmp_path / "b" / "summary.json").read_text())["provenance"]
    assert pa["scenario_folder"] == str(scn.resolve())
    assert pa["demand_file"] == str((scn / "demand.csv").resolve())
    assert pb["demand_file"] == str(demand.resolve())
    want = hashlib.sha256((scn / "sites.csv").read_bytes()).hexdigest()[:12]
    assert pa["files"]["sites.csv"]["sha256"] == want
    assert set(pa["files"]) >= {"scenario.toml", "sites.csv", "chips.csv", "demand.csv", "throughput.csv"}
    assert pa["overrides"] == {"seed": 3} and pb["overrides"]["demand"] == str(demand)
    assert pa["solver"]["seed"] == 3 and pb["solver"]["seed"] == 1
    assert pa["planner_version"]
    report = (tmp_path / "a" / "report.md").read_text()
    assert f"Planned from scenario folder {scn.resolve()}; demand {(scn / 'demand.csv').resolve()}" in report
    r = CliRunner().invoke(main, ["compare", str(tmp_path / "a"), str(tmp_path / "b")])
    text = " ".join(r.output.split())
    assert "Provenance: demand file: A" in text
    assert "Provenance: input files that differ (by content): demand.csv" in text


def test_default_results_folder_names_the_demand_variant():
    assert str(default_folder("world", "data/demand/high.csv")) == "results/world-high"
    assert str(default_folder("world", None)) == "results/world"
    assert str(default_folder("us", "my/demand.csv")) == "results/us"


def test_piped_progress_prints_a_line_per_stage(tmp_path):
    """Issue 12, item 5: stderr that is not a terminal gets one line per stage, with the best
    plan, bound and gap once the MIP has run, and the time left while it runs."""
    import re

    scn = write_scenario(tmp_path / "scn")
    r = CliRunner().invoke(main, ["solve", str(scn), "--out", str(tmp_path / "res"), "--time-limit", "30"])
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if re.match(r"^\[\s*\d+\.\d s\] ", ln)]
    stages = [re.sub(r"^\[\s*\d+\.\d s\] ", "", ln).split(";")[0].split(" (")[0] for ln in lines]
    assert stages == [
        "Building the program",
        "Solving",
        "Polishing the plan",
        "Extracting the result tables",
        "Pricing tokens and limits",
        "Writing the results folder",
    ]
    assert "at most 30 s left" in lines[1]
    assert re.search(r"best plan \$[\d.]+ M, bound \$[\d.]+ M, gap 0\.00%", lines[2])


def test_live_progress_line_has_stage_best_bound_gap_and_time_left():
    from rich.console import Console

    from planner.progress_display import Progress

    pr = Progress(Console(force_terminal=True), 100)
    pr.on_stage("solve")
    pr.progress(5.0, 124.1, 120.0, 0.0330)
    text = pr.line()
    assert "Solving" in text and "best plan $124.1 M, bound $120.0 M, gap 3.30%" in text
    assert re.search(r"at most (99|100) s left", text)
