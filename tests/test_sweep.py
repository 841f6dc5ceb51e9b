"""planner sweep (DESIGN.md §7.8): the spec's bad cases (one sentence naming the spec line,
exit 1, nothing solved), the materialised variant (cells and keys edited as written), and six
variants of `us` (one year, so it runs in seconds) through a Dask LocalCluster whose
objectives equal single solves of the materialised folders; a failed variant is a row; a
rerun skips the finished ones."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner import api
from planner.cli import main
from planner.futures.materialise import materialise
from planner.futures.runner import COLUMNS, run_sweep
from planner.futures.spec import read_spec
from planner.io.errors import InputError
from planner.io.scenario import SCENARIOS_DIR


def _base(tmp_path: Path) -> Path:
    """The bundled `us` cut to one year, gap 5 %, one thread."""
    base = tmp_path / "us1"
    shutil.copytree(SCENARIOS_DIR / "us", base)
    toml = (base / "scenario.toml").read_text()
    toml = toml.replace("end_year = 2035", "end_year = 2026").replace("mip_rel_gap = 0.01", "mip_rel_gap = 0.05")
    (base / "scenario.toml").write_text(toml)
    return base


def _spec(tmp_path: Path, body: str) -> Path:
    _base(tmp_path)
    p = tmp_path / "spec.toml"
    p.write_text('base = "us1"\n' + body)
    return p


BAD = [
    ('nme = "x"\n[[variant]]\nname = "a"\n', 'spec.toml, line 2: unknown key "nme"'),
    ('[[variant]]\nname = "a"\ncolour = "red"\n', 'spec.toml, line 4: unknown key "colour" in [[variant]]'),
    (
        '[[variant]]\nname = "a"\nset = { "discount_rate" = "0.8x" }\n',
        'spec.toml, line 4: set "discount_rate" = \'0.8x\': a scale is written "xF"',
    ),
    (
        '[[variant]]\nname = "a"\nset = { "chips.GB300_NVL72.capex_usd_per_unit" = "x1.2.3" }\n',
        'a scale is written "xF" with F a number',
    ),
    (
        '[[variant]]\nname = "a"\nset = { "discount_rate" = "x" }\n',
        'spec.toml, line 4: set "discount_rate" = \'x\': a scale is written "xF"',
    ),
    ('[[variant]]\nname = "a"\n[[variant]]\nname = "a"\n', 'spec.toml, line 5: the variant name "a" is used twice'),
    (
        '[[variant]]\nname = "a"\nset = { "nofile.x.capex" = 1 }\n',
        'spec.toml, line 4: "nofile.x.capex": scenario.toml has no such key (is not a known setting and is ignored); '
        "nor is it a cell, since there is no file nofile.csv",
    ),
    (
        '[[variant]]\nname = "a"\nset = { "nofile[x].capex" = 1 }\n',
        'spec.toml, line 4: set "nofile[x].capex": there is no file nofile.csv',
    ),
    (
        '[[variant]]\nname = "a"\nset = { "chips.NOPE.capex_usd_per_unit" = "x2" }\n',
        'spec.toml, line 4: "chips.NOPE.capex_usd_per_unit": chips.csv has no row with chip NOPE',
    ),
    (
        '[[variant]]\nname = "a"\nset = { "chips.GB300_NVL72.colour" = 2 }\n',
        'spec.toml, line 4: "chips.GB300_NVL72.colour": chips.csv has no column colour',
    ),
    (
        '[[variant]]\nname = "a"\nset = { "chips.GB300_NVL72.max_units_per_year" = "x2" }\n',
        "chips.csv, row 7, column max_units_per_year is blank, and a blank cell cannot be scaled",
    ),
    (
        '[[variant]]\nname = "a"\nset = { "carbon_cap_t" = "x2" }\n',
        "scenario.toml has no value here to scale",
    ),
    (
        '[[variant]]\nname = "a"\nset = { "discount_rte" = 0.05 }\n',
        # a near-miss of a scenario.toml key is the scenario's own error, with the suggestion
        'spec.toml, line 4: "discount_rte" in variant "a": scenario.toml, column discount_rte: '
        "is not a known setting (did you mean discount_rate?)",
    ),
    (
        '[[variant]]\nname = "a"\nset = { "demand[us_east,nomodel,*].tokens_per_year" = "x2" }\n',
        "demand.csv has no row with region us_east, model nomodel",
    ),
    (
        '[[variant]]\nname = "a"\nset = { "latency.us_east.latency_ms" = 5 }\n',
        "latency.csv has a key of 2 columns (region, site); write latency[region,site].latency_ms",
    ),
    ('[grid]\n"discount_rate" = 0.05\n', 'spec.toml, line 3: grid "discount_rate" must be a non-empty list'),
]


@pytest.mark.parametrize("body,expected", BAD)
def test_bad_spec_is_one_sentence_naming_the_line(tmp_path, body, expected):
    spec = _spec(tmp_path, body)
    with pytest.raises(InputError) as e:
        read_spec(spec)
    assert expected in str(e.value), str(e.value)
    r = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(tmp_path / "out"), "--quiet"])
    assert r.exit_code == 1, r.output
    text = r.stderr if hasattr(r, "stderr") else r.output
    assert expected in text and "Traceback" not in text
    assert not (tmp_path / "out").exists()  # nothing solved, nothing written


def test_materialised_variant_edits_cells_and_keys(tmp_path):
    spec = _spec(
        tmp_path,
        "[[variant]]\n"
        'name = "v"\n'
        "set = { "
        '"chips.GB300_NVL72.capex_usd_per_unit" = "x1.5", '
        '"sites.*.open_cost_usd" = 7, '
        '"demand[us_east,*,2026].tokens_per_year" = "x2", '
        '"carbon_price_usd_per_t" = "x2", '
        '"solver.time_limit_s" = 33 }\n',
    )
    s = read_spec(spec)
    folder = materialise(s.base, s.variants[0], tmp_path / "m", threads=1)
    chips = pd.read_csv(folder / "chips.csv")
    assert chips.set_index("chip").loc["GB300_NVL72", "capex_usd_per_unit"] == 6_000_000
    assert (pd.read_csv(folder / "sites.csv")["open_cost_usd"] == 7).all()
    d0 = pd.read_csv(s.base / "demand.csv")
    d1 = pd.read_csv(folder / "demand.csv")
    east = (d0["region"] == "us_east") & (d0["year"] == 2026)
    assert (d1.loc[east, "tokens_per_year"] == 2 * d0.loc[east, "tokens_per_year"]).all()
    assert (d1.loc[~east, "tokens_per_year"] == d0.loc[~east, "tokens_per_year"]).all()
    doc = tomllib.loads((folder / "scenario.toml").read_text())
    assert doc["carbon_price_usd_per_t"] == {"2026": 0, "2030": 100, "2035": 200}
    assert doc["solver"]["time_limit_s"] == 33 and doc["solver"]["threads"] == 1
    assert not (folder / "cooling.csv").exists()  # only the catalog files a cell edits are copied


def test_grid_names_and_product(tmp_path):
    spec = _spec(
        tmp_path, '[grid]\n"discount_rate" = [0.05, 0.09]\n"sites.us_tx_abilene.grid_cap_mw" = ["x0.5", 1000]\n'
    )
    names = [v.name for v in read_spec(spec).variants]
    assert names == [
        "discount_rate=0.05,sites.us_tx_abilene.grid_cap_mw=x0.5",
        "discount_rate=0.05,sites.us_tx_abilene.grid_cap_mw=1000",
        "discount_rate=0.09,sites.us_tx_abilene.grid_cap_mw=x0.5",
        "discount_rate=0.09,sites.us_tx_abilene.grid_cap_mw=1000",
    ]


SPEC = """
[[variant]]
name = "base"
[[variant]]
name = "dear-gb300"
set = { "chips.GB300_NVL72.capex_usd_per_unit" = "x1.5" }
[[variant]]
name = "carbon200"
set = { "carbon_price_usd_per_t" = 200 }
[[variant]]
name = "high-demand"
set = { "demand[*,*,*].tokens_per_year" = "x1.3" }
[[variant]]
name = "broken"
set = { "sites.us_tx_abilene.pue_adder" = -5 }
[grid]
"discount_rate" = [0.04, 0.10]
"""


def test_sweep_on_a_dask_local_cluster_equals_single_solves(tmp_path):
    spec = _spec(tmp_path, SPEC)
    s = read_spec(spec)
    out = tmp_path / "sweep"
    res = run_sweep(s, out, workers=2, dask="local")
    rows = pd.read_csv(out / "sweep.csv", keep_default_na=False, na_values=[""])
    assert list(rows.columns) == COLUMNS
    assert len(rows) == 7 and len(res.solved) == 7
    broken = rows.set_index("variant").loc["broken"]
    assert broken["status"] == "input_error" and "pue_adder" in broken["error"]
    ok = rows[rows["variant"] != "broken"]
    assert (ok["status"] == "optimal").all(), ok[["variant", "status", "error"]]
    objs = {}
    for r in ok.itertuples():
        summ = json.loads((out / r.variant / "summary.json").read_text())
        assert summ["objective_usd"] == pytest.approx(r.objective_usd, rel=1e-11)
        # the materialised folder solved alone, as `planner solve` does
        single = api.solve(api.load_scenario(out / "_inputs" / r.variant))
        assert single.summary()["objective_usd"] == pytest.approx(summ["objective_usd"], rel=1e-9)
        objs[r.variant] = r.objective_usd
    # the variants move the cost the way they should
    assert objs["dear-gb300"] >= objs["base"] - 1e-6 * objs["base"]
    assert objs["high-demand"] > objs["base"]
    # one year: no discounting, but a dearer cost of capital raises every annuity (CRF)
    assert objs["discount_rate=0.1"] > objs["discount_rate=0.04"]
    # a rerun skips the finished variants and retries the failed one
    again = run_sweep(s, out, workers=1)
    assert sorted(again.skipped) == sorted(ok["variant"]) and again.solved == ["broken"]


def test_sweep_cli_end_to_end_writes_the_report(tmp_path):
    spec = _spec(
        tmp_path,
        '[[variant]]\nname = "base"\n[[variant]]\nname = "cheap-power"\nset = { "sites.*.grid_price_usd_per_mwh" = "x0.5" }\n',
    )
    out = tmp_path / "sw"
    r = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "2 of 2 variants solved" in r.output
    for f in ("sweep.csv", "sweep.md", "sweep.html", "plots/sweep_npc.png", "plots/sweep_tornado.png"):
        assert (out / f).is_file(), f
    md = (out / "sweep.md").read_text()
    assert "sites.*.grid_price_usd_per_mwh" in md and "Opened in every future" in md
    rows = pd.read_csv(out / "sweep.csv").set_index("variant")
    assert rows.loc["cheap-power", "objective_usd"] < rows.loc["base", "objective_usd"]
    # near-optimal alternatives of a variant are planned from that variant's inputs
    r = CliRunner().invoke(main, ["alternatives", str(out / "cheap-power"), "-n", "1", "--focus", "chips"])
    assert r.exit_code == 0, r.output
    alt = json.loads((out / "cheap-power" / "alternatives" / "1" / "summary.json").read_text())
    assert alt["alternative"]["scenario_folder"].endswith("_inputs/cheap-power")
    assert alt["objective_usd"] <= rows.loc["cheap-power", "objective_usd"] * 1.05 * (1 + 1e-9)


def test_bundled_example_spec_has_a_dozen_variants_of_world():
    s = read_spec(Path(__file__).resolve().parents[1] / "data" / "sweeps" / "world.toml")
    assert s.base.name == "world" and len(s.variants) >= 12
    assert s.variants[0].name == "base" and not s.variants[0].changes


def test_ctrl_c_keeps_the_finished_variants(tmp_path):
    spec = _spec(
        tmp_path, '[[variant]]\nname = "first"\n[[variant]]\nname = "second"\nset = { "discount_rate" = 0.05 }\n'
    )
    s = read_spec(spec)
    out = tmp_path / "sweep"

    def stop(row, done, n):
        raise KeyboardInterrupt  # Ctrl-C right after the first variant is recorded

    with pytest.raises(KeyboardInterrupt):
        run_sweep(s, out, workers=1, on_done=stop)
    rows = pd.read_csv(out / "sweep.csv").set_index("variant")
    assert rows.loc["first", "status"] == "optimal" and rows.loc["second", "status"] == "not_run"
    assert (out / "first" / "summary.json").is_file() and not (out / "second").exists()
    again = run_sweep(s, out, workers=1)
    assert again.skipped == ["first"] and again.solved == ["second"]


def test_grid_demand_axis(tmp_path):
    spec = _spec(tmp_path, '[grid]\n"demand" = ["low.csv", "high.csv"]\n"discount_rate" = [0.05]\n')
    with pytest.raises(InputError, match="demand file low.csv does not exist"):
        read_spec(spec)
    d = pd.read_csv(tmp_path / "us1" / "demand.csv")
    d.to_csv(tmp_path / "low.csv", index=False)
    d.assign(tokens_per_year=d["tokens_per_year"] * 2).to_csv(tmp_path / "high.csv", index=False)
    s = read_spec(spec)
    # named from the key that varies; the one-value key still applies to both
    assert [v.name for v in s.variants] == ["demand=low.csv", "demand=high.csv"]
    assert all([c.key for c in v.changes] == ["discount_rate"] for v in s.variants)
    folder = materialise(s.base, s.variants[1], tmp_path / "m")
    assert pd.read_csv(folder / "demand.csv")["tokens_per_year"].sum() == 2 * d["tokens_per_year"].sum()
