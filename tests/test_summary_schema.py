"""summary.json follows planner/io/schemas/results.schema.json, which lists every key planner
writes (``additionalProperties: false`` at the summary level): a key added without a schema
entry fails here, and the JSON export refuses it, while reading a results folder reads past it.

Real summaries: the bundled ``world`` plan (tests/fixtures/world_summary.json, written by
``planner solve world``), ``us`` with its horizon cut to 2026-2027, and the one-year scenario
of tests/builder.py with every optional input of DESIGN.md §7 (labour, water, 24/7 CFE,
embodied carbon, sovereignty, limits, an existing fleet, chip supply, service tiers) solved for
each objective (cost, tokens, value).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from builder import bundled_copy, write_scenario
from click.testing import CliRunner
from every_feature import every_feature

from planner.cli import main
from planner.io.results import read_results, results_schema

FIXTURE = Path(__file__).parent / "fixtures" / "world_summary.json"


def _summary_validator():
    schema = results_schema()
    part = schema["properties"]["summary"]
    assert part["additionalProperties"] is False
    return jsonschema.Draft202012Validator(part)


def _errors(summary: dict) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in _summary_validator().iter_errors(summary)
    ]


def _solve(scn: Path, out: Path, *extra) -> dict:
    r = CliRunner().invoke(main, ["solve", str(scn), "--out", str(out), "--quiet", "--threads", "1", *extra])
    assert r.exit_code == 0, r.output
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def feature_summaries(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("summary_schema")
    scn = every_feature(tmp / "scn")
    return {mode: _solve(scn, tmp / mode, "--objective", mode) for mode in ("cost", "tokens", "value")}


def test_the_bundled_world_summary_follows_the_schema():
    summary = json.loads(FIXTURE.read_text())
    assert summary["scenario"] == "world"
    assert _errors(summary) == []


def test_us_summary_follows_the_schema(tmp_path):
    scn = bundled_copy(tmp_path / "us", 2027, name="us")
    assert _errors(_solve(scn, tmp_path / "out")) == []


@pytest.mark.parametrize("mode", ["cost", "tokens", "value"])
def test_summary_with_every_feature_follows_the_schema(feature_summaries, mode):
    summary = feature_summaries[mode]
    assert summary["objective"] == mode
    # the keys of the features are there (so the schema is checked against them)
    assert {"existing", "limits", "carbon_scope", "embodied_co2_amortised_t", "provenance"} <= set(summary)
    assert summary["carbon_scope"] == "lifecycle"
    if mode == "tokens":
        assert {"tokens_max", "tokens_bound", "tokens_stage1_status", "tokens_stage1_gap"} <= set(summary)
    if mode == "value":
        assert "value_usd" in summary
    assert _errors(summary) == []


def test_a_key_without_a_schema_entry_fails(tmp_path, feature_summaries):
    summary = dict(feature_summaries["cost"], made_up_key=1.0)
    errs = _errors(summary)
    assert len(errs) == 1 and "made_up_key" in errs[0], errs


def test_unknown_key_is_read_past_but_not_exported(tmp_path):
    # a results folder written by a newer planner (one key this schema does not know) is
    # read and reported; the JSON export, which promises to follow the schema, names the key
    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "out"
    _solve(scn, out)
    shutil.copytree(out, tmp_path / "newer")
    path = tmp_path / "newer" / "summary.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "made_up_key": 1.0}), encoding="utf-8")
    _tables, summary = read_results(tmp_path / "newer")
    assert summary["made_up_key"] == 1.0
    r = CliRunner().invoke(
        main, ["export", str(tmp_path / "newer"), "--format", "json", "--out", str(tmp_path / "p.json")]
    )
    assert r.exit_code == 1 and "made_up_key" in r.output and "Traceback" not in r.output, r.output


def test_stochastic_and_alternative_summaries_follow_the_schema(tmp_path):
    # DESIGN.md §7.8: each case's plan of a stochastic run, and each near-optimal alternative
    scn = write_scenario(tmp_path / "scn")
    for name, scale in (("a", 1.0), ("b", 2.0)):
        (tmp_path / f"{name}.csv").write_text(
            f"region,model,year,tokens_per_year,max_latency_ms\nr1,m1,2026,{1e13 * scale:g},\n", encoding="utf-8"
        )
    arg = f"a={tmp_path / 'a.csv'}:0.5,b={tmp_path / 'b.csv'}:0.5"
    r = CliRunner().invoke(main, ["solve", str(scn), "--out", str(tmp_path / "st"), "--stochastic", arg, "--quiet"])
    assert r.exit_code == 0, r.output
    summary = json.loads((tmp_path / "st" / "a" / "summary.json").read_text())
    assert "stochastic" in summary and _errors(summary) == []
    _solve(scn, tmp_path / "plan")
    r = CliRunner().invoke(
        main, ["alternatives", str(tmp_path / "plan"), "--scenario", str(scn), "-n", "1", "--focus", "chips"]
    )
    assert r.exit_code == 0, r.output
    summary = json.loads((tmp_path / "plan" / "alternatives" / "1" / "summary.json").read_text())
    assert "alternative" in summary and _errors(summary) == []


def test_every_feature_plan_exports_to_json(tmp_path):
    # every table of a plan with every §7 input (sovereignty with service tiers included)
    # follows the results schema, so `planner export --format json` writes it
    scn = every_feature(tmp_path / "scn")
    _solve(scn, tmp_path / "out")
    r = CliRunner().invoke(
        main, ["export", str(tmp_path / "out"), "--format", "json", "--out", str(tmp_path / "p.json")]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "p.json").read_text())
    assert doc["tables"]["sovereignty"] and "tier" in doc["tables"]["sovereignty"][0]


def test_a_decomposition_summary_follows_the_schema(tmp_path):
    scn = bundled_copy(tmp_path / "us", 2026, name="us")
    summary = _solve(scn, tmp_path / "out", "--method", "decomposition", "--time-limit", "120")
    assert summary["method"] == "decomposition"
    assert summary["decomposition"]["iterations"] >= 1
    assert _errors(summary) == []
