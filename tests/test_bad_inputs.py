"""The bad-input corpus (tests/bad_inputs/cases.toml): `planner validate` and `planner solve`
give the expected sentence (file, row, column), the expected exit code, and never a traceback.

The CLI runs in-process (click's CliRunner) on the one-year scenario of tests/builder.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from builder import write_scenario
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from mutate import apply, load_cases  # noqa: E402

from planner.cli import main  # noqa: E402

CASES = load_cases()


def test_corpus_size_and_names_unique():
    names = [c["name"] for c in CASES]
    assert len(names) >= 40
    assert len(set(names)) == len(names)
    assert all(c["exit"] in (0, 1) for c in CASES)
    assert all(c.get("errors") for c in CASES if c["exit"] == 1)


def _run(args):
    res = CliRunner().invoke(main, args, catch_exceptions=True)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"planner {' '.join(args)} raised {res.exception!r}") from res.exception
    return res


def _check_stderr(case, res, command):
    stderr = res.stderr
    assert "Traceback" not in stderr and "Traceback" not in res.stdout, f"{command}: traceback"
    assert res.exit_code == case["exit"], f"{command}: exit {res.exit_code}, expected {case['exit']}\n{stderr}"
    for text in case.get("errors", []):
        assert text in stderr, f"{command}: expected error {text!r} in\n{stderr}"
    for text in case.get("warnings", []):
        assert text in stderr, f"{command}: expected warning {text!r} in\n{stderr}"
        line = next(ln for ln in stderr.splitlines() if text in ln)
        assert line.startswith("warning: "), line
    if case["exit"] == 1:
        # one sentence per problem, each naming its file first
        for line in stderr.strip().splitlines()[:-1]:
            assert line.split(":")[0].split(",")[0].endswith((".csv", ".toml")) or line.startswith("warning: "), line


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case, tmp_path):
    scn = write_scenario(tmp_path / "scn")
    apply(scn, case.get("mutate", []))
    res = _run(["validate", str(scn)])
    _check_stderr(case, res, "validate")
    if case["exit"] == 0:
        assert "valid." in res.stdout
    out = tmp_path / "out"
    res = _run(["solve", str(scn), "--out", str(out), "--quiet"])
    _check_stderr(case, res, "solve")
    if case["exit"] == 0:
        assert (out / "summary.json").is_file()
        unserved = pd.read_csv(out / "unserved.csv")
        assert (len(unserved) > 0) == bool(case.get("unserved", False)), unserved
    else:
        assert not out.exists()
        assert not list(tmp_path.glob(".out*"))
