"""`planner validate` on a scenario with four problems: one sentence for each, naming file,
row and column; exit 1; no traceback."""

from builder import BASE, write_scenario
from click.testing import CliRunner

from planner.cli import main


def test_validate_reports_every_problem(tmp_path):
    site = BASE["sites"][0]
    sites = [
        dict(site),
        dict(site, site="s2", open_cost_usd=-5),  # row 3: negative cost
        dict(site, site="s1"),  # row 4: duplicates s1 of row 2
    ]
    chips = [dict(BASE["chips"][0], it_kw_per_unit="ten")]  # row 2: not a number
    throughput = BASE["throughput"] + [{"model": "m1", "chip": "h999", "tokens_per_s_per_chip": 5, "source": "t"}]
    folder = write_scenario(tmp_path / "bad", sites=sites, chips=chips, throughput=throughput)
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert r.exit_code == 1
    text = r.stderr if hasattr(r, "stderr") else r.output
    assert "Traceback" not in text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    expected = [
        "sites.csv, row 3, column open_cost_usd: -5 is negative",
        "sites.csv, row 4, column site: duplicates the key (site=s1) of row 2",
        "throughput.csv, row 3, column chip: 'h999' is not a chip listed in chips.csv",
        "chips.csv, row 2, column it_kw_per_unit: 'ten' is not a number",
    ]
    for e in expected:
        assert sum(ln.startswith(e) for ln in lines) == 1, (e, lines)
    assert all(ln.endswith(".") for ln in lines)


def test_validate_bundled_scenarios():
    for name in ("world", "us"):
        r = CliRunner().invoke(main, ["validate", name])
        assert r.exit_code == 0, r.output
        assert "valid" in r.output


def test_same_problem_on_many_rows_is_one_sentence():
    """A demand file of another scenario names an unknown region on every row: one sentence
    per region listing its rows, not one per row; other problems keep their own sentence."""
    from planner.io.errors import Problem, group_sentences

    text = "'eu_west' is not a region listed in regions.csv"
    problems = [Problem("demand.csv", r, "region", text) for r in [2, 3, 4, 5, 9, 12, 13]]
    problems.append(Problem("demand.csv", 7, "tokens", "'x' is not a number"))
    assert group_sentences(problems) == [
        f"demand.csv, rows 2\u20135, 9, 12\u201313, column region: {text}.",
        "demand.csv, row 7, column tokens: 'x' is not a number.",
    ]
    many = [Problem("sites.csv", r, "site", f"problem {r}") for r in range(2, 40)]
    lines = group_sentences(many, limit=5)
    assert lines[:5] == [f"sites.csv, row {r}, column site: problem {r}." for r in range(2, 7)]
    assert lines[5] == "\u2026 and 33 more problems; correct these first."
    long = [Problem("demand.csv", r, "region", text) for r in range(2, 40, 2)]
    assert group_sentences(long) == [
        "demand.csv, rows 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, \u2026 (19 rows in all, the last row 38), "
        f"column region: {text}."
    ]
    # a header problem (no row) comes before the row problems it causes, even in a file
    # named later; the closing count is of problems, not of sentences
    rows = [Problem("latency.csv", r, "site", f"'x{r}' is not a site listed in sites.csv") for r in range(2, 12)]
    header = Problem("sites.csv", 1, "site", "is missing from the header")
    lines = group_sentences([*rows, header], limit=3)
    assert lines == [
        "sites.csv, row 1, column site: is missing from the header.",
        "latency.csv, row 2, column site: 'x2' is not a site listed in sites.csv.",
        "latency.csv, row 3, column site: 'x3' is not a site listed in sites.csv.",
        "\u2026 and 8 more problems; correct these first.",
    ]


def test_demand_of_another_scenario_is_a_few_sentences(tmp_path):
    """`planner solve us --demand data/demand/base.csv` (the world forecast): one sentence per
    region that us does not have, exit 1."""
    from pathlib import Path

    base = Path(__file__).resolve().parents[1] / "data" / "demand" / "base.csv"
    r = CliRunner().invoke(main, ["solve", "us", "--demand", str(base), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1
    text = r.stderr if hasattr(r, "stderr") else r.output
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert "Traceback" not in text
    assert len(lines) == 9, lines  # eight world regions us lacks, then the count
    # the world forecast has one row per region, model, year and service tier (models/tiers.csv)
    assert lines[0].startswith("base.csv, rows 422\u2013561, column region: 'eu_west' is not a region")
    assert lines[-1] == "1120 problems found; nothing was solved."
    assert not (tmp_path / "o").exists()


def test_scenario_keys_at_the_edges_of_what_the_readme_allows(tmp_path):
    """The README's scenario.toml table says > 0 for hall_block_mw, max_utilization and
    load_factor and < 1 for discount_rate: exactly those edges are refused, and the values
    just inside are accepted."""

    cases = [
        ("hall_block_mw", 0, "must be above 0"),
        ("max_utilization", 0, "must be above 0"),
        ("load_factor", 0, "must be above 0"),
        ("discount_rate", 1, "looks like a percentage"),
    ]
    for key, value, text in cases:
        folder = write_scenario(tmp_path / f"{key}_bad", toml={key: value})
        r = CliRunner().invoke(main, ["validate", str(folder)])
        out = r.stderr if hasattr(r, "stderr") else r.output
        assert r.exit_code == 1 and f"scenario.toml, column {key}: " in out and text in out, (key, out)
    for key, value in (("max_utilization", 1), ("load_factor", 1), ("discount_rate", 0), ("discount_rate", 0.99)):
        folder = write_scenario(tmp_path / f"{key}_{value}_ok", toml={key: value})
        r = CliRunner().invoke(main, ["validate", str(folder)])
        assert r.exit_code == 0, (key, value, r.output)


def test_demand_file_named_like_another_input_is_named_by_its_path(tmp_path):
    """`--demand other/sites.csv` with a bad region: its sentence names the path given, and
    is not merged with a sites.csv problem on the same rows; a discount rate of 100 is not
    told to become 1 (which is refused too)."""
    site = BASE["sites"][0]
    folder = write_scenario(tmp_path / "scn", sites=[dict(site), dict(site, site="s2", region="eu_west")])
    other = tmp_path / "other"
    other.mkdir()
    rows = [{"region": "eu_west", "model": "m1", "year": 2026, "tokens_per_year": 1e13, "max_latency_ms": ""}]
    import pandas as pd

    pd.DataFrame(rows).to_csv(other / "sites.csv", index=False)
    r = CliRunner().invoke(
        main, ["solve", str(folder), "--demand", str(other / "sites.csv"), "--out", str(tmp_path / "o")]
    )
    text = r.stderr if hasattr(r, "stderr") else r.output
    assert r.exit_code == 1, text
    lines = [" ".join(ln.split()) for ln in text.splitlines() if ln.strip()]
    assert any(ln.startswith(f"{other / 'sites.csv'}, row 2, column region: 'eu_west' is not a region") for ln in lines)
    assert any(ln.startswith("sites.csv, row 3, column region: 'eu_west' is not a region") for ln in lines)
    folder = write_scenario(tmp_path / "pct", toml={"discount_rate": 100})
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert "100 looks like a percentage; write the rate as a fraction below 1." in r.output


def test_small_message_fixes(tmp_path):
    """A hexadecimal-looking cell gets no 'write the number only (0)' hint; a blank unitless
    cell does not say 'a value in -'; a scenario name with a line break is refused (it names
    the results folder)."""
    chips = [dict(BASE["chips"][0], it_kw_per_unit="0x100")]
    folder = write_scenario(tmp_path / "hex", chips=chips)
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert r.exit_code == 1
    assert "chips.csv, row 2, column it_kw_per_unit: '0x100' is not a number (kW/unit).\n" in r.output, r.output
    folder = write_scenario(tmp_path / "blank", cooling=[dict(BASE["cooling"][0], pue="")])
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert "cooling.csv, row 2, column pue: is blank; a value is required." in r.output, r.output
    folder = write_scenario(tmp_path / "unit", chips=[dict(BASE["chips"][0], it_kw_per_unit="10 kW")])
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert "write the number only (10), the unit is given by the column name" in r.output, r.output
    import re

    folder = write_scenario(tmp_path / "nl")
    toml = (folder / "scenario.toml").read_text()
    (folder / "scenario.toml").write_text(re.sub(r"(?m)^name = .*$", lambda m: 'name = "a\\nb"', toml))
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert r.exit_code == 1 and "scenario.toml, column name: 'a\\nb' is not a plain name" in r.output, r.output


def test_hall_block_that_fits_nowhere_and_absurd_penalty(tmp_path):
    """hall_block_mw above every site's max_it_mw made an 'optimal' plan that opens nothing;
    it is an error now, and a block under a thousandth of the largest site a warning; an
    unserved penalty above 1e9 USD/Mtok is refused like other out-of-range settings."""
    largest = max(float(s["max_it_mw"]) for s in BASE["sites"])
    folder = write_scenario(tmp_path / "big", toml={"hall_block_mw": largest * 2})
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert r.exit_code == 1
    assert (
        f"scenario.toml, column hall_block_mw: {largest * 2:g} MW is more than the largest site's max_it_mw "
        f"({largest:g} MW): no site could hold one hall." in r.output
    ), r.output
    folder = write_scenario(tmp_path / "tiny", toml={"hall_block_mw": largest * 1e-4})
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert r.exit_code == 0 and "warning: scenario.toml, column hall_block_mw:" in r.output, r.output
    folder = write_scenario(tmp_path / "pen", toml={"unserved_penalty_usd_per_mtok": 1e300})
    r = CliRunner().invoke(main, ["validate", str(folder)])
    assert r.exit_code == 1 and "column unserved_penalty_usd_per_mtok: 1e+300 is above the maximum" in r.output, (
        r.output
    )
