"""`planner export DIR --format csv|xlsx|json` and `planner compare DIR_A DIR_B`."""

from __future__ import annotations

import json

import jsonschema
import pandas as pd
import pytest
from builder import BASE, write_scenario
from click.testing import CliRunner

from planner.cli import main
from planner.reporting import export as ex
from planner.reporting import stack
from planner.solver.solution import COLUMNS


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    out = {}
    for name, price in (("a", 50), ("b", 30)):
        sites = [dict(BASE["sites"][0], grid_price_usd_per_mwh=price)]
        scn = write_scenario(
            tmp / f"scn_{name}",
            toml={"end_year": 2027},
            sites=sites,
            demand=[
                {"region": "r1", "model": "m1", "year": y, "tokens_per_year": t, "max_latency_ms": ""}
                for y, t in ((2026, 1e13), (2027, 2e13))
            ],
            site_power=[{"site": "s1", "tech": "solar", "max_mw": ""}, {"site": "s1", "tech": "battery", "max_mw": ""}],
            profiles=[{"site": "s1", "tech": "solar", "slice": "d1h0", "capacity_factor": 0.25}],
        )
        r = CliRunner().invoke(main, ["solve", str(scn), "--out", str(tmp / name), "--quiet"])
        assert r.exit_code == 0, r.output
        out[name] = tmp / name
    return out


def test_xlsx_reads_back_equal_to_the_csv_tables(folders, tmp_path):
    path = tmp_path / "plan.xlsx"
    r = CliRunner().invoke(main, ["export", str(folders["a"]), "--format", "xlsx", "--out", str(path)])
    assert r.exit_code == 0, r.output
    tables, _ = stack.read_folder(folders["a"])
    book = pd.read_excel(path, sheet_name=None, keep_default_na=False, na_values=[""])
    assert "summary" in book
    for name, t in tables.items():
        got = book[name]
        assert "capex_usd [USD]" in got.columns if name == "investment_schedule" else True
        got.columns = [ex.strip_unit(c) for c in got.columns]
        assert list(got.columns) == list(t.columns), name
        pd.testing.assert_frame_equal(got, t, check_dtype=False, check_exact=False, rtol=1e-12, obj=name)


def test_xlsx_has_frozen_headers_and_number_formats(folders, tmp_path):
    import openpyxl

    path = ex.export(folders["a"], "xlsx", tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["energy"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:4] == ["year", "site", "tech", "capacity_mw [MW]"]
    assert ws["D2"].number_format == "#,##0.000"


def test_json_validates_against_the_schema(folders, tmp_path):
    path = tmp_path / "plan.json"
    r = CliRunner().invoke(main, ["export", str(folders["a"]), "--format", "json", "--out", str(path)])
    assert r.exit_code == 0, r.output
    doc = json.loads(path.read_text())
    ex.validate_document(doc)
    assert set(COLUMNS) <= set(doc["tables"])
    assert doc["units"]["investment_schedule"]["capex_usd"] == "USD"
    tables, summary = stack.read_folder(folders["a"])
    assert doc["summary"]["objective_usd"] == summary["objective_usd"]
    assert len(doc["tables"]["capacity"]) == len(tables["capacity"])
    bad = json.loads(path.read_text())
    bad["tables"]["capacity"][0]["it_mw"] = "many"
    with pytest.raises(jsonschema.ValidationError):
        ex.validate_document(bad)
    del bad["tables"]["costs"]
    with pytest.raises(jsonschema.ValidationError):
        ex.validate_document(bad)


def test_schema_lists_every_column_of_every_table():
    sch = ex.schema()
    jsonschema.Draft202012Validator.check_schema(sch)
    props = sch["properties"]["tables"]["properties"]
    for name, cols in COLUMNS.items():
        assert props[name]["items"]["required"] == cols


def test_csv_export_has_units_in_the_headers(folders, tmp_path):
    r = CliRunner().invoke(main, ["export", str(folders["a"]), "--format", "csv", "--out", str(tmp_path / "csv")])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(tmp_path / "csv" / "investment_schedule.csv")
    assert list(t.columns) == ["year", "site", "layer", "item", "quantity", "unit", "capex_usd [USD]"]


def test_export_of_a_non_results_folder_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(main, ["export", str(tmp_path), "--format", "json"])
    assert r.exit_code == 2 and "not a results folder" in r.output


def test_compare_prints_and_writes_csv(folders, tmp_path):
    csv = tmp_path / "cmp.csv"
    r = CliRunner().invoke(main, ["compare", str(folders["a"]), str(folders["b"]), "--csv", str(csv)])
    assert r.exit_code == 0, r.output
    assert "net present cost" in r.output and "Energy by source" in r.output
    t = pd.read_csv(csv)
    assert list(t.columns) == ["section", "item", "year", "a", "b", "change", "unit"]
    npc = t[(t["section"] == "cost") & (t["item"] == "net present cost")].iloc[0]
    sa = json.loads((folders["a"] / "summary.json").read_text())
    sb = json.loads((folders["b"] / "summary.json").read_text())
    assert npc["a"] == pytest.approx(sa["objective_usd"]) and npc["b"] == pytest.approx(sb["objective_usd"])
    assert npc["change"] == pytest.approx(sb["objective_usd"] - sa["objective_usd"])
    assert npc["change"] < 0  # grid at 30 $/MWh beats solar at ~48 $/MWh
    grid = t[(t["section"] == "energy by source") & (t["item"] == "grid")]
    assert len(grid) == 2


def test_export_never_replaces_a_users_files(folders, tmp_path):
    a = folders["a"]
    # a scenario folder: refused even with --overwrite, its inputs untouched
    scn = write_scenario(tmp_path / "scn")
    before = (scn / "sites.csv").read_bytes()
    for extra in ([], ["--overwrite"]):
        r = CliRunner().invoke(main, ["export", str(a), "--format", "csv", "--out", str(scn), *extra])
        assert r.exit_code == 2 and "is a scenario folder" in r.output, r.output
    assert (scn / "sites.csv").read_bytes() == before
    # the results folder itself: refused, its tables untouched
    sched = (a / "investment_schedule.csv").read_bytes()
    r = CliRunner().invoke(main, ["export", str(a), "--format", "csv", "--out", str(a), "--overwrite"])
    assert r.exit_code == 2 and "is the results folder itself" in r.output
    assert (a / "investment_schedule.csv").read_bytes() == sched
    # a file of the user's: refused without --overwrite, replaced with it
    mine = tmp_path / "mine.json"
    mine.write_text("my notes")
    r = CliRunner().invoke(main, ["export", str(a), "--format", "json", "--out", str(mine)])
    assert r.exit_code == 2 and "already exists" in r.output and mine.read_text() == "my notes"
    r = CliRunner().invoke(main, ["export", str(a), "--format", "json", "--out", str(mine), "--overwrite"])
    assert r.exit_code == 0 and json.loads(mine.read_text())["summary"]
    # compare --csv: the same rule
    cmp = tmp_path / "cmp.csv"
    cmp.write_text("mine")
    r = CliRunner().invoke(main, ["compare", str(a), str(folders["b"]), "--csv", str(cmp)])
    assert r.exit_code == 2 and cmp.read_text() == "mine"
    r = CliRunner().invoke(main, ["compare", str(a), str(folders["b"]), "--csv", str(cmp), "--overwrite"])
    assert r.exit_code == 0 and cmp.read_text().startswith("section,item")


def test_no_writer_replaces_a_results_folders_own_files_or_scenario_inputs(folders, tmp_path):
    """export --format json/xlsx and compare --csv, even with --overwrite, never write over a
    results folder's summary.json or tables, nor into a scenario folder (exit 2, untouched)."""
    import shutil

    a = tmp_path / "a"
    shutil.copytree(folders["a"], a)
    scn = write_scenario(tmp_path / "scn")
    targets = [a / "summary.json", a / "costs.csv", a / "report.md", scn / "demand.csv", scn / "scenario.toml"]
    before = {p: p.read_bytes() for p in targets}
    for target in targets:
        for fmt in ("json", "xlsx"):
            r = CliRunner().invoke(main, ["export", str(a), "--format", fmt, "--out", str(target), "--overwrite"])
            assert r.exit_code == 2, (target, fmt, r.output)
            assert "Not exported" in r.output and "choose another --out." in r.output
        r = CliRunner().invoke(main, ["compare", str(a), str(folders["b"]), "--csv", str(target), "--overwrite"])
        assert r.exit_code == 2, (target, r.output)
        assert "A = " not in r.output  # refused before comparing
    assert {p: p.read_bytes() for p in targets} == before
    assert CliRunner().invoke(main, ["report", str(a)]).exit_code == 0
    # the default places still work: plan.json inside the results folder
    assert CliRunner().invoke(main, ["export", str(a), "--format", "json"]).exit_code == 0
    assert (a / "plan.json").is_file()


def test_paths_that_are_not_what_they_must_be_are_usage_errors(folders, tmp_path):
    a = folders["a"]
    afile = tmp_path / "afile"
    afile.write_text("mine")
    cases = [
        (["export", str(a), "--format", "csv", "--out", str(afile)], "is a file; a CSV export is a folder of tables"),
        (["export", str(a), "--format", "json", "--out", str(afile / "x.json")], "Cannot use"),
        (["compare", str(a), str(folders["b"]), "--csv", str(tmp_path / "nodir" / "x.csv")], "does not exist"),
        (["compare", str(a), str(folders["b"]), "--csv", ""], "--csv is empty"),
        (["export", str(a), "--format", "json", "--out", ""], "--out is empty"),
    ]
    for args, text in cases:
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2, (args, r.output)
        assert text in r.output and "Internal error" not in r.output, (args, r.output)
        assert "A = " not in r.output
    assert afile.read_text() == "mine"


def test_compare_prints_names_with_brackets_as_they_are(folders, tmp_path):
    """A folder named like Rich markup ("[/b]") is printed, not parsed."""
    import shutil

    odd = tmp_path / "a[/b]"
    shutil.copytree(folders["a"], odd)
    r = CliRunner().invoke(main, ["compare", str(odd), str(folders["b"])])
    assert r.exit_code == 0, r.output
    assert f"A = {odd} (" in r.output


def test_files_of_the_users_own_inside_a_results_folder_may_be_written(folders, tmp_path):
    """Only the results folder's own files are protected: a new cmp.csv or mine.json inside
    it is fine; its plots folder is not a place for a CSV export."""
    import shutil

    a = tmp_path / "a"
    shutil.copytree(folders["a"], a)
    r = CliRunner().invoke(main, ["compare", str(a), str(folders["b"]), "--csv", str(a / "cmp.csv")])
    assert r.exit_code == 0 and (a / "cmp.csv").read_text().startswith("section,item"), r.output
    r = CliRunner().invoke(main, ["export", str(a), "--format", "json", "--out", str(a / "mine.json")])
    assert r.exit_code == 0 and (a / "mine.json").is_file(), r.output
    plots = sorted(p.name for p in (a / "plots").iterdir())
    r = CliRunner().invoke(main, ["export", str(a), "--format", "csv", "--out", str(a / "plots"), "--overwrite"])
    assert r.exit_code == 2 and "own folders" in r.output, r.output
    assert sorted(p.name for p in (a / "plots").iterdir()) == plots


def test_compare_changes_never_show_a_signed_zero():
    from planner.cli import _signed0, _signed2

    assert [_signed0(x) for x in (0.4, -0.4, 0.0, 12.6, -3.2)] == ["0", "0", "0", "+13", "-3"]
    assert [_signed2(x) for x in (0.004, -0.004, 0.25, -0.25)] == ["0", "0", "+0.25", "-0.25"]
