"""The bundled gigawatt scenario (objective = "tokens" under facility_mw = 1000), on a cut
horizon: the terminal summary gives tokens per year by model and the cost per million
tokens, and the plan's facility draw stays within 1000 MW (the invariant checks)."""

from __future__ import annotations

import json

from builder import bundled_copy
from click.testing import CliRunner

from planner.cli import main


def test_gigawatt_tokens_within_a_gigawatt(tmp_path):
    folder = bundled_copy(tmp_path / "gigawatt", 2028, name="gigawatt")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["solve", str(folder), "--out", str(out), "--quiet", "--threads", "1"])
    assert r.exit_code == 0, r.output
    assert "Tokens served per year by model" in r.output and "USD/Mtok" in r.output
    s = json.loads((out / "summary.json").read_text())
    assert s["objective"] == "tokens" and s["invariant_checks"] == "passed"
    assert s["facility_mw_peak"] <= 1000 * (1 + 1e-6)
    assert s["tokens_served"] >= s["tokens_max"] * (1 - 1e-6) * (1 - 1e-9)
