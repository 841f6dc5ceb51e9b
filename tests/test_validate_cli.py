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
