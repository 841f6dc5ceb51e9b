"""Invariant checks (planner/reporting/checks.py): they hold on solved plans, and a broken table is
reported as a bug report with the numbers."""

from __future__ import annotations

import pytest
from builder import bundled_copy
from small import write_small

from planner.api import plan
from planner.io.results import write_results
from planner.reporting.checks import bug_report, check_plan, check_results


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    p = plan(write_small(folder / "scn"))
    out = write_results(folder / "out", p.tables, p.summary(), {})
    return p, out


def test_invariants_hold_on_small_plan(solved):
    p, out = solved
    assert p.result.status == "optimal"
    assert check_plan(p) == []
    assert check_results(out, p.scenario) == []


def _broken(p, name, mutate):
    tables = {k: v.copy() for k, v in p.tables.items()}
    mutate(tables[name])
    return type(p)(scenario=p.scenario, result=p.result, tables=tables, timings=p.timings)


def test_each_invariant_catches_a_broken_table(solved):
    p, _ = solved

    def less_served(t):
        t.loc[0, "tokens"] *= 0.9

    def more_installed(t):
        t.loc[0, "units_installed"] += 5

    def chip_before_first_year(t):
        i = t.index[t["item"].str.startswith("x2")][0]
        t.loc[i, "year"] = 2026

    def cheaper(t):
        t.loc[0, "usd"] += 1e7

    def solar_where_not_allowed(t):
        i = t.index[t["item"] == "solar"][0]
        t.loc[i, "site"] = "s2"

    for name, mutate, expect in (
        ("serving", less_served, "demand:"),
        ("capacity", more_installed, "chips:"),
        ("investment_schedule", chip_before_first_year, "outside its years"),
        ("costs", cheaper, "objective:"),
        ("investment_schedule", solar_where_not_allowed, "site_power.csv does not allow"),
    ):
        fails = check_plan(_broken(p, name, mutate))
        assert any(expect in f for f in fails), (name, fails)


def test_objective_mismatch_is_a_bug_report_with_numbers(solved):
    p, _ = solved
    p2 = type(p)(scenario=p.scenario, result=p.result, tables=p.tables, timings=p.timings)
    p2.result = type(p.result)(**{**p.result.__dict__, "objective": p.result.objective * 1.01})
    fails = check_plan(p2)
    assert len(fails) == 1 and fails[0].startswith("objective: solver objective")
    text = bug_report(fails)
    assert text.startswith("BUG: the plan failed 1 internal check.")
    assert f"{p.result.objective * 1e6 * 1.01:.9g}" in text


@pytest.mark.slow
def test_invariants_hold_on_bundled_world(tmp_path):
    p = plan(bundled_copy(tmp_path / "world", 2026))  # one year: every feature of world
    assert p.result.has_solution
    assert check_plan(p) == []
