"""Damaged result folders (planner.io.results_damage): ``planner report``, ``planner export`` and
``planner compare`` refuse a folder whose tables hold a negative MW, a cell that is no number,
a missing column, a file cut short, a ragged row or a blank name, with one sentence naming the
file, row and column and exit code 1 -- never a traceback, never a report of nonsense.

One plan of the one-year scenario of tests/builder.py is solved once; each case damages a copy.
By hand, from that plan: energy.csv row 2 is the grid row (capacity_mw 0.543596434007 MW, the
peak import: 0.566 MW IT x 1.2 PUE x 0.8 load factor); costs.csv holds the chip capital of
4,170,530.87 USD of the 5,873,257.90 USD net present cost, so without its row the costs add up
to 1,702,727.02 USD.
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from builder import write_scenario
from click.testing import CliRunner

from planner import api
from planner.cli import main


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("damaged")
    return api.solve(write_scenario(tmp / "scn"), threads=1).write(tmp / "res")


def _replace(old, new):
    def f(path):
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return f


def _cut(path):
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\n") + 30], encoding="utf-8")  # inside the first data row


def _drop_column(col):
    def f(path):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        j = rows[0].index(col)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([r[:j] + r[j + 1 :] for r in rows])
        path.write_text(buf.getvalue(), encoding="utf-8")

    return f


def _drop_row(word):
    def f(path):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(ln for ln in lines if word not in ln), encoding="utf-8")

    return f


# (name, file damaged, damage, the sentence after "<folder>: is not a readable results folder: ")
CASES = [
    (
        "negative_mw",
        "energy.csv",
        _replace("0.543596434007", "-0.543596434007"),
        "energy.csv, row 2, column capacity_mw: -0.543596434007 is negative; a plan never has a capacity_mw below 0.",
    ),
    (
        "negative_units",
        "capacity.csv",
        _replace(",57,", ",-57,"),
        "capacity.csv, row 2, column units_installed: -57 is negative; a plan never has a units_installed below 0.",
    ),
    (
        "negative_hall_mw_in_optional_table",
        "infrastructure.csv",
        _replace("air,1,", "air,-1,"),
        "infrastructure.csv, row 2, column hall_mw: -1 is negative; a plan never has a hall_mw below 0.",
    ),
    (
        "non_numeric_cell",
        "capacity.csv",
        _replace(",57,", ",abc,"),
        "capacity.csv, row 2, column units_installed: 'abc' is not a finite number or blank.",
    ),
    (
        "missing_column",
        "energy.csv",
        _drop_column("capacity_mw"),
        "energy.csv lacks the column capacity_mw.",
    ),
    (
        "header_lacks_a_name",
        "energy.csv",
        _replace("capacity_mw,", ""),
        "energy.csv lacks the column capacity_mw.",
    ),
    (
        "cut_inside_a_row",
        "energy.csv",
        _cut,
        "energy.csv, row 2: the file ends in the middle of this row (no line end after it), so it was cut "
        "short; write the plan again (planner solve).",
    ),
    (
        "cut_at_a_row_end",
        "costs.csv",
        _drop_row("chip_capital"),
        "costs.csv, column usd_discounted: the rows add up to 1,702,727.02 USD, but summary.json's "
        "totals_usd_discounted add up to 5,873,257.90 USD; costs.csv was cut short or edited.",
    ),
    (
        "empty_file",
        "serving.csv",
        lambda p: p.write_text("", encoding="utf-8"),
        "serving.csv cannot be read (EmptyDataError: No columns to parse from file).",
    ),
    (
        "ragged_row",
        "serving.csv",
        _replace("1e+13\n", "1e+13,5\n"),
        "serving.csv, row 2: has 6 fields where the header has 5; the file was cut short or edited.",
    ),
    (
        "blank_name",
        "capacity.csv",
        _replace("2026,s1,", "2026,,"),
        "capacity.csv, row 2, column site: is blank; every row of a plan names its site.",
    ),
]


def _cli(args):
    res = CliRunner().invoke(main, args, catch_exceptions=True)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.stderr + res.stdout
    return res


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_damaged_folder_is_refused(case, plan, tmp_path):
    _name, fname, damage, sentence = case
    bad = tmp_path / "bad"
    shutil.copytree(plan, bad)
    damage(bad / fname)
    before = (bad / "report.md").read_bytes()
    want = f"{bad}: is not a readable results folder: {sentence}"
    for args in (
        ["report", str(bad)],
        ["export", str(bad), "--format", "json", "--out", str(tmp_path / "plan.json")],
        ["compare", str(plan), str(bad)],
        ["compare", str(bad), str(plan)],
    ):
        res = _cli(args)
        assert res.exit_code == 1, (args, res.stderr)
        assert res.stderr.splitlines()[0] == want, (args, res.stderr)
    assert (bad / "report.md").read_bytes() == before  # no report of the damaged tables
    assert not (tmp_path / "plan.json").exists()


def test_the_undamaged_plan_reads(plan, tmp_path):
    """The plan as written passes every check (its costs add up to summary.json's totals)."""
    assert _cli(["report", str(plan)]).exit_code == 0
    assert _cli(["export", str(plan), "--format", "json", "--out", str(tmp_path / "p.json")]).exit_code == 0
    assert _cli(["compare", str(plan), str(plan)]).exit_code == 0
    res = api.read_results(plan)
    assert res.tables["costs"]["usd_discounted"].sum() == pytest.approx(5_873_257.896, abs=0.01)
