"""Issue 12, item 4: a report that leads with the answer."""

from __future__ import annotations

import pandas as pd
from builder import write_scenario
from click.testing import CliRunner

from planner.cli import main
from planner.reporting.scope import qty


def _report(tmp_path, **kw):
    scn = write_scenario(tmp_path / "scn", **kw)
    r = CliRunner().invoke(main, ["solve", str(scn), "--out", str(tmp_path / "res"), "--quiet"])
    assert r.exit_code == 0, r.output
    return (tmp_path / "res" / "report.md").read_text()


def test_scope_then_answer_then_plots_then_tables_then_appendix(tmp_path):
    md = _report(tmp_path)
    heads = [ln for ln in md.splitlines() if ln.startswith("## ")]
    assert heads[:3] == ["## Executive summary", "## Plots", "## The five layers, year by year"]
    # the sections of the §7 features a scenario uses (labour, water, CFE, ...) come next, then the appendix
    assert "## Appendix" in heads
    assert heads.index("## Investment schedule (cash, undiscounted, in the build year)") > heads.index("## Appendix")
    assert heads.index("## Marginal cost of a token") > heads.index("## Appendix")
    # the headline plots come with the headline numbers, before the "Plots" section and any table
    summary = md.split("## Executive summary")[1].split("## Plots")[0]
    assert "![MW IT by chip generation](plots/mw_it_by_generation.png) ![Sites](plots/sites_map.png)" in summary
    assert summary.index("plots/mw_it_by_generation.png") < summary.index("**More of the answer")
    lines = md.splitlines()
    first_img = next(i for i, ln in enumerate(lines) if ln.startswith("!["))
    assert first_img < next(i for i, ln in enumerate(lines) if ln.startswith("| "))
    first = md.split("## Executive summary")[0]
    assert "Planned from scenario folder" in first and "**Scope.**" in first and "**Inference only**" in first


def test_facility_draw_is_explained_where_it_is_shown(tmp_path):
    md = _report(tmp_path)
    table_at = md.index("MW facility (avg draw)")
    assert "*MW facility (avg draw)* is the average power the sites draw" in md[table_at:]


def test_a_one_year_horizon_says_each_fact_once(tmp_path):
    md = _report(tmp_path)
    assert md.startswith("# Buildout plan — hand (2026)\n")
    summary = md.split("## Executive summary")[1].split("## Plots")[0]
    assert "Energy mix: 2026 grid 100%." in summary
    assert "CO2: 0 t in 2026." in summary and "over the horizon" not in summary
    assert "depending on region, model and year" not in summary
    assert summary.count("in 2026 (the unserved penalty is not in it)") == 1


def test_no_zero_mw_line_with_a_cost():
    assert qty(0.281858, "MW") == "0.28 MW"
    assert qty(57, "units") == "57 units" and qty(1234.4, "MW") == "1,234 MW"


def test_small_lumpy_quantities_print_with_decimals(tmp_path):
    solar = [{"site": "s1", "tech": "solar", "max_mw": 0.3}]
    md = _report(
        tmp_path,
        site_power=solar,
        profiles=[{"site": "s1", "tech": "solar", "slice": "d1h0", "capacity_factor": 0.25}],
    )
    inv = pd.read_csv(tmp_path / "res" / "investment_schedule.csv")
    for r in inv.itertuples():
        if r.capex_usd > 0:
            assert f"| {qty(r.quantity, r.unit)} |" in md
    assert "| 0 MW |" not in md


def test_the_site_map_has_an_offline_basemap():
    import numpy as np

    from planner.reporting import basemap

    arcs = basemap.arcs()
    assert len(arcs) > 500  # Natural Earth 1:110m: every coastline and border arc
    pts = np.concatenate(arcs)
    assert pts[:, 0].min() >= -180.001 and pts[:, 0].max() <= 180.001
    assert pts[:, 1].min() >= -90.001 and pts[:, 1].max() <= 90.001
    # Washington DC (38.9 N, 77.0 W) lies within a degree of some arc of the US east coast
    assert (np.hypot(pts[:, 0] + 77.0, pts[:, 1] - 38.9) < 1.0).any()
    # no line runs across the map at the antimeridian
    assert all(np.abs(np.diff(a[:, 0])).max() <= 180 for a in arcs)


def test_the_first_screen_of_the_html_has_the_answer_and_the_plots(tmp_path):
    """Issue 12 item 4: the first plot comes before the first table, a few blocks into the
    body, right after the short headline list; the long lists are collapsed below it."""
    _report(tmp_path)
    html = (tmp_path / "res" / "report.html").read_text()
    body = html.split("<body>", 1)[1].splitlines()
    first_fig = next(i for i, ln in enumerate(body) if "<figure>" in ln)
    first_table = next(i for i, ln in enumerate(body) if "<table>" in ln)
    assert first_fig < first_table
    assert first_fig <= 6  # h1, provenance, scope, h2, the headline list, the plots
    row = body[first_fig]
    assert row.startswith('<div class="figs">') and row.count("<figure>") == 2  # side by side
    assert 'alt="MW IT by chip generation"' in row and 'alt="Sites"' in row
    headline = body[first_fig - 1]
    assert headline.startswith("<ul>") and headline.count("<li>") <= 10
    assert "Sites opened, in order: 2026 s1." in headline  # the site names are in the details
    details = body[first_fig + 1]
    assert details.startswith("<details><summary>More of the answer")
    assert "Sites opened, in order: 2026 s1 (Site 1)" in details
    # every plot is still in the file once
    assert html.count("<figure>") == 5
