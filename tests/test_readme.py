"""The README's data reference is the one generated from planner/io/schema.py."""

from pathlib import Path

from planner.io.schema import markdown_reference

ROOT = Path(__file__).resolve().parent.parent


def test_readme_data_reference_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("<!-- data-reference:start -->") + len("<!-- data-reference:start -->")
    end = text.index("<!-- data-reference:end -->")
    assert text[start:end].strip() == markdown_reference().strip(), "regenerate with python -m planner.io.schema"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    cmd = 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest -n 2'
    assert cmd in readme and cmd in ci
