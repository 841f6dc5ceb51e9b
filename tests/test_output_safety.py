"""Output paths never cost a user a file, and ambiguous slices or missing limit columns are
not planned on silently (bugs found by trying to break the CLI)."""

from __future__ import annotations

import re
import shutil

from builder import BASE, write_scenario
from click.testing import CliRunner

from planner.cli import main


def _solve(*args):
    return CliRunner().invoke(main, ["solve", *map(str, args), "--quiet", "--no-marginals"])


def test_overwrite_refuses_a_folder_that_is_not_a_results_folder(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    user = tmp_path / "mine"
    user.mkdir()
    (user / "notes.txt").write_text("keep me")
    r = _solve(scn, "--out", user, "--overwrite")
    assert r.exit_code == 2
    assert "not a results folder" in r.output and "nothing was deleted" in r.output
    assert (user / "notes.txt").read_text() == "keep me"


def test_out_may_not_be_the_scenario_folder(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    for out in (scn, tmp_path):
        r = _solve(scn, "--out", out, "--overwrite")
        assert r.exit_code == 2 and "scenario folder" in r.output
    assert (scn / "scenario.toml").is_file() and (scn / "sites.csv").is_file()


def test_overwrite_replaces_a_results_folder(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "res"
    assert _solve(scn, "--out", out).exit_code == 0
    assert _solve(scn, "--out", out, "--overwrite").exit_code == 0
    assert (out / "summary.json").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("res")] == ["res"]


def test_scenario_name_must_not_be_a_path(tmp_path):
    scn = write_scenario(tmp_path / "scn", toml={"name": "../escape"})
    r = CliRunner().invoke(main, ["validate", str(scn)])
    assert r.exit_code == 1
    assert "scenario.toml, column name: '../escape' is not a plain name" in r.output


def test_overlapping_slices_are_an_error(tmp_path):
    slices = [
        {"slice": "a", "day": "d", "hour": 0, "duration_h": 12, "days_per_year": 365, "grid_price_mult": 1},
        {"slice": "b", "day": "d", "hour": 6, "duration_h": 12, "days_per_year": 365, "grid_price_mult": 1},
    ]
    scn = write_scenario(tmp_path / "scn", slices=slices)
    r = CliRunner().invoke(main, ["validate", str(scn)])
    assert r.exit_code == 1
    assert (
        "slices.csv, row 3, column hour: slice b of day 'd' starts at hour 6, before the slice of row 2 ends (hour 12)"
        in r.output
    )


def test_missing_limit_column_is_a_warning(tmp_path):
    site = {k: v for k, v in BASE["sites"][0].items() if k != "grid_cap_mw"}
    scn = write_scenario(tmp_path / "scn", sites=[site])
    r = CliRunner().invoke(main, ["validate", str(scn)])
    assert r.exit_code == 0
    assert (
        "sites.csv, row 1, column grid_cap_mw: is missing from the header, so every row is read as blank (no limit)"
        in r.output
    )


def test_garbled_results_folder_is_one_sentence(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "res"
    assert _solve(scn, "--out", out).exit_code == 0
    (out / "costs.csv").write_text('a,"b\n')
    for args in (["report", out], ["export", out, "--format", "json"], ["compare", out, out]):
        r = CliRunner().invoke(main, [str(a) for a in args])
        assert r.exit_code == 1, r.output
        assert "is not a readable results folder: costs.csv cannot be read" in r.output
        assert "Traceback" not in r.output


def test_garbled_optional_results_table_is_one_sentence(tmp_path):
    """binding_limits.csv and marginal_costs.csv are optional (a --no-marginals plan has
    neither), but when present they must parse and have their columns: a garbled one is
    named, never read as an empty table (the plan here is solved with --no-marginals)."""
    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "res"
    assert _solve(scn, "--out", out).exit_code == 0
    (out / "binding_limits.csv").write_text("garbage,,,\n1,2\n")
    r = CliRunner().invoke(main, ["report", str(out)])
    assert r.exit_code == 1, r.output
    assert (
        "is not a readable results folder: binding_limits.csv lacks the columns limit, item, year, shadow_price, unit, basis."
        in r.output
    )
    (out / "binding_limits.csv").unlink()
    (out / "marginal_costs.csv").write_text("")
    r = CliRunner().invoke(main, ["export", str(out), "--format", "json"])
    assert r.exit_code == 1, r.output
    assert "is not a readable results folder: marginal_costs.csv cannot be read (EmptyDataError" in r.output
    (out / "marginal_costs.csv").unlink()
    assert CliRunner().invoke(main, ["report", str(out)]).exit_code == 0


def test_results_folder_with_impossible_years_is_one_sentence(tmp_path):
    """summary.json's years are checked against what scenario.toml allows (1900-2200, start
    first): an end_year of 99999999 was read as a hundred million years of tables."""
    import json

    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "res"
    assert _solve(scn, "--out", out).exit_code == 0
    good = json.loads((out / "summary.json").read_text())
    for start, end in ((good["start_year"], 99999999), (good["start_year"], good["start_year"] - 1), (2026, "2027")):
        (out / "summary.json").write_text(json.dumps({**good, "start_year": start, "end_year": end}))
        r = CliRunner().invoke(main, ["report", str(out)])
        assert r.exit_code == 1, r.output
        assert (
            f"is not a readable results folder: summary.json has start_year {start!r} and end_year {end!r}; "
            "both must be whole years from 1900 to 2200, start first." in r.output
        )
    (out / "summary.json").write_text(json.dumps(good))
    assert CliRunner().invoke(main, ["report", str(out)]).exit_code == 0


def test_overwrite_keeps_the_users_files_in_a_results_folder(tmp_path):
    """--overwrite replaces the old plan's own files; notes, a folder of analysis and the
    demand file the new solve reads from there are moved into the new folder. An old plan's
    table that the new plan does not write (marginal_costs.csv, here solved with
    --no-marginals) is not carried over."""
    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "res"
    r = CliRunner().invoke(main, ["solve", str(scn), "--out", str(out), "--quiet"])
    assert r.exit_code == 0 and (out / "marginal_costs.csv").is_file(), r.output
    (out / "notes.txt").write_text("keep me")
    (out / "my_analysis").mkdir()
    (out / "my_analysis" / "a.csv").write_text("x\n1\n")
    demand = (scn / "demand.csv").read_bytes()
    (out / "mydemand.csv").write_bytes(demand)
    r = CliRunner().invoke(
        main,
        ["solve", str(scn), "--demand", str(out / "mydemand.csv"), "--out", str(out), "--overwrite", "--no-marginals"],
    )
    assert r.exit_code == 0, r.output
    assert (out / "notes.txt").read_text() == "keep me"
    assert (out / "my_analysis" / "a.csv").read_text() == "x\n1\n"
    assert (out / "mydemand.csv").read_bytes() == demand
    assert not (out / "marginal_costs.csv").exists()
    kept = "Kept there from the previous folder (not part of the plan): my_analysis, mydemand.csv, notes.txt"
    assert kept in " ".join(r.output.split())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".res", "res"))] == ["res"]


def test_damaged_values_in_a_results_folder_are_one_sentence(tmp_path):
    """A cell that is not a number where the results schema wants one, a year outside the
    plan, or a summary.json key of the wrong type: one sentence naming file, row (or key)
    and column, exit 1 -- these ended in internal errors (exit 4) or went into the report."""
    import json

    import pandas as pd

    scn = write_scenario(tmp_path / "scn")
    good = tmp_path / "res"
    assert _solve(scn, "--out", good).exit_code == 0
    start = json.loads((good / "summary.json").read_text())["start_year"]

    def damaged(name, edit):
        d = tmp_path / f"d_{len(list(tmp_path.iterdir()))}"
        shutil.copytree(good, d)
        if name == "summary.json":
            s = json.loads((d / name).read_text())
            edit(s)
            (d / name).write_text(json.dumps(s))
        else:
            t = pd.read_csv(d / name, dtype=object)
            edit(t)
            t.to_csv(d / name, index=False)
        return d

    cases = [
        (
            "costs.csv",
            lambda t: t.__setitem__("usd", ["abc"] + list(t["usd"][1:])),
            "costs.csv, row 2, column usd: 'abc' is not a finite number or blank",
        ),
        (
            "costs.csv",
            lambda t: t.__setitem__("usd_discounted", ["inf"] + list(t["usd_discounted"][1:])),
            "costs.csv, row 2, column usd_discounted: inf is not a finite number or blank",
        ),
        (
            "costs.csv",
            lambda t: t.__setitem__("year", [str(start - 27)] + list(t["year"][1:])),
            f"costs.csv, row 2, column year: {start - 27} is not a whole number from {start} to {start}",
        ),
        (
            "costs.csv",
            lambda t: t.__setitem__("year", ["2026.5"] + list(t["year"][1:])),
            "costs.csv, row 2, column year: 2026.5 is not a whole number from 2026 to 2026",
        ),
        (
            "summary.json",
            lambda s: s.__setitem__("mip_gap", "x"),
            "summary.json, key mip_gap: 'x' is not of type 'number', 'null'",
        ),
        ("summary.json", lambda s: s.pop("currency_year"), "summary.json: 'currency_year' is a required property"),
        (
            "summary.json",
            lambda s: s.__setitem__("timings_s", [1]),
            "summary.json, key timings_s: [1] is not of type 'object'",
        ),
    ]
    for name, edit, text in cases:
        d = damaged(name, edit)
        for args in (["report", d], ["export", d, "--format", "json"], ["compare", good, d]):
            r = CliRunner().invoke(main, [str(a) for a in args])
            assert r.exit_code == 1, (text, args, r.output)
            assert f"is not a readable results folder: {text}." in " ".join(r.output.split()), (text, r.output)
    # a column the results schema does not have: report reads past it, export names it
    d = damaged("costs.csv", lambda t: t.__setitem__("note", "mine"))
    assert CliRunner().invoke(main, ["report", str(d)]).exit_code == 0
    r = CliRunner().invoke(main, ["export", str(d), "--format", "json"])
    assert r.exit_code == 1 and re.search(r"costs.csv, row \d+ does not follow the results schema", r.output), r.output
    assert "('note' was unexpected)" in r.output


def test_validating_a_results_folder_says_what_it_is(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "res"
    assert _solve(scn, "--out", out).exit_code == 0
    r = CliRunner().invoke(main, ["validate", str(out)])
    assert r.exit_code == 2
    assert f"{out} is a results folder, not a scenario (it has summary.json and no scenario.toml)" in r.output
