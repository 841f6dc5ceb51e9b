"""``planner solve --stochastic TEXT`` with TEXT that names no scenario properly: one sentence,
a usage error (exit 2, as click's own) or bad input (exit 1), nothing solved or written --
never a plain solve that ignores the option."""

from __future__ import annotations

import pytest
from builder import write_scenario
from click.testing import CliRunner

from planner.cli import main

CASES = [
    ("", 2, "names no scenario"),
    (",", 2, "names no scenario"),
    (" , ", 2, "names no scenario"),
    ("low=", 2, "--stochastic item 'low=' is not NAME=DEMAND.csv:P"),
    ("low=:0.5", 2, "--stochastic item 'low=:0.5' is not NAME=DEMAND.csv:P"),
    ("=d.csv:1", 2, "--stochastic item '=d.csv:1' is not NAME=DEMAND.csv:P"),
    ("low", 2, "--stochastic item 'low' is not NAME=DEMAND.csv:P"),
    ("low=d.csv:", 2, "the probability '' is not a number"),
    ("low=d.csv:half", 2, "the probability 'half' is not a number"),
    ("low=d.csv:1,", 2, "has an empty item"),
    ("low=d.csv:0.5,,high=d.csv:0.5", 2, "has an empty item"),
    ("low=d.csv:nan", 1, "the probability nan of low is not in [0, 1]"),
    ("low=nofile.csv:1", 1, "the demand file nofile.csv of low does not exist"),
]


@pytest.mark.parametrize("text,code,expected", CASES)
def test_bad_stochastic_option_is_one_sentence(tmp_path, monkeypatch, text, code, expected):
    scn = write_scenario(tmp_path / "scn")
    (tmp_path / "d.csv").write_text((scn / "demand.csv").read_text())
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["solve", str(scn), "--stochastic", text, "--out", str(out), "--quiet"])
    assert r.exit_code == code, r.output
    assert expected in r.output, r.output
    assert "Traceback" not in r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip() and "problem" not in ln]
    assert len(lines) == 1, r.output  # one sentence (and, for bad input, the count line)
    assert not out.exists()  # nothing solved, nothing written
