"""The existing fleet (DESIGN.md §7.7) in the result tables and the report: existing halls are
in service in infrastructure.csv and the report, an existing site is open, and the
investment schedule of the appendix lists the existing rows built before the horizon."""

from __future__ import annotations

import pandas as pd
import pytest
from test_fleet import ACTIVE, _write

from planner.api import solve
from planner.reporting import stack


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fleet_report")
    # 0.6 MW of existing air halls (2020) and 40 existing x1 units (2023); the plan needs 57
    # units (0.57 MW IT) in 2026: 17 bought, no hall block built (0.6 MW suffice)
    ex = [["s1", "air", "", 2020, 0.6, "test"], ["s1", "x1", "air", 2023, 40, "test"]]
    p = solve(_write(tmp, existing=ex))
    out = p.write(tmp / "out")
    return p, out


def test_infrastructure_counts_existing_halls(written):
    p, out = written
    inf = pd.read_csv(out / "infrastructure.csv")
    row = inf[(inf["site"] == "s1") & (inf["cooling"] == "air") & (inf["year"] == 2026)].iloc[0]
    assert row["hall_mw"] == pytest.approx(0.6)  # existing halls, no block built
    assert row["it_mw"] == pytest.approx(ACTIVE * 10 / 1000)  # 56.62 active units of 10 kW


def test_existing_site_is_open_and_marked(written):
    p, out = written
    so = stack.sites_opened(p.tables)
    assert so.to_dict("records") == [{"year": 2020, "site": "s1", "existing": True}]
    text = (out / "report.md").read_text()
    assert "**0.60 MW of data halls** in service in 2026 (air 0.60 MW)" in text
    assert "| 2026 | 1 | 0.60 MW |" in text  # sites open 1, halls air 0.60 MW
    assert "Sites opened, in order: 2020 s1 (Site 1) (existing)." in text
    assert "No site is opened." not in text


def test_appendix_lists_existing_rows_before_the_horizon(written):
    p, out = written
    text = (out / "report.md").read_text()
    assert "2020: " in text and "2023: " in text
    assert "air (existing)" in text and "x1 (existing)" in text


def _idle(tmp_path, ex, sites=None, latency=None, demand_lat=""):
    from builder import BASE

    folder = _write(tmp_path, existing=ex, **({"latency": latency} if latency else {}))
    if sites:
        pd.DataFrame(sites).to_csv(folder / "sites.csv", index=False)
    if demand_lat != "":
        pd.DataFrame([dict(BASE["demand"][0], max_latency_ms=demand_lat)]).to_csv(folder / "demand.csv", index=False)
    p = solve(folder)
    return p, (p.write(tmp_path / "out") / "report.md").read_text()


def test_idle_because_the_site_serves_nobody(tmp_path):
    # the only latency pair (50 ms) is beyond the demand's 10 ms: the 40 existing units serve nobody
    from builder import BASE

    ex = [["s1", "air", "", 2020, 1.0, "t"], ["s1", "x1", "air", 2024, 40, "t"]]
    lat = [dict(BASE["latency"][0], latency_ms=50)]
    p, text = _idle(tmp_path, ex, latency=lat, demand_lat=10)
    early = p.summary()["existing"]["retired_early"]
    assert [(r["idle_existing"], r["reason"]) for r in early] == [(40, "no_demand")]
    assert "retired early at s1 (left idle: the site serves no demand: no latency.csv pair" in text
    assert "newer chips pay for their own power" not in text


def test_idle_because_the_halls_are_full(tmp_path):
    # 0.2 MW IT of existing halls hold 20 of the 40 existing 10 kW units; the site's first_year
    # 2030 allows no new block in 2026: 20 units idle, reason halls_full
    from builder import BASE

    ex = [["s1", "air", "", 2020, 0.2, "t"], ["s1", "x1", "air", 2024, 40, "t"]]
    sites = [dict(BASE["sites"][0], first_year=2030)]
    p, text = _idle(tmp_path, ex, sites=sites)
    early = p.summary()["existing"]["retired_early"]
    assert [(r["idle_existing"], r["reason"]) for r in early] == [(pytest.approx(20), "halls_full")]
    assert "(left idle: its air halls are full and no more can be built in time): up to 20 x1 in 2026." in text


def _warnings(tmp_path, ex, sites=None):
    from planner.io.scenario import load_scenario

    folder = _write(tmp_path, existing=ex)
    if sites:
        pd.DataFrame(sites).to_csv(folder / "sites.csv", index=False)
    return [w.sentence() for w in load_scenario(folder).warnings if w.file == "existing.csv"]


def test_warn_existing_site_no_demand_reaches(tmp_path):
    from builder import BASE

    sites = [BASE["sites"][0], dict(BASE["sites"][0], site="s2", name="Site 2")]
    ex = [["s1", "air", "", 2020, 1.0, "t"], ["s2", "air", "", 2020, 1.0, "t"]]  # s2 has no latency.csv row
    w = _warnings(tmp_path, ex, sites=sites)
    assert len(w) == 1 and "existing.csv, row 3" in w[0] and "column site" in w[0]
    assert "existing site s2 has no latency.csv pair" in w[0]


def test_warn_existing_units_without_enough_halls(tmp_path):
    from builder import BASE

    # 40 units of 10 kW = 0.4 MW IT in 0.3 MW of existing air halls: a warning on quantity
    w = _warnings(tmp_path, [["s1", "air", "", 2020, 0.3, "t"], ["s1", "x1", "air", 2024, 40, "t"]])
    assert len(w) == 1 and "existing.csv, row 3" in w[0] and "column quantity" in w[0]
    assert "draw 0.4 MW IT in 2026, more than the 0.3 MW of existing air halls" in w[0]
    # no existing halls at all and the site opens for new halls only in 2030: a warning on cooling
    sites = [dict(BASE["sites"][0], first_year=2030)]
    w = _warnings(tmp_path / "b", [["s1", "x1", "air", 2024, 40, "t"]], sites=sites)
    assert len(w) == 1 and "existing.csv, row 2" in w[0] and "column cooling" in w[0]
    assert "s1 has no existing air halls in 2026 and no hall block can be built there by then" in w[0]
    # no existing halls, new blocks buildable: only the quantity warning
    w = _warnings(tmp_path / "c", [["s1", "x1", "air", 2024, 40, "t"]])
    assert len(w) == 1 and "column quantity" in w[0]
    # enough halls: no warning
    assert _warnings(tmp_path / "d", [["s1", "air", "", 2020, 0.4, "t"], ["s1", "x1", "air", 2024, 40, "t"]]) == []


def test_warn_existing_variable_power_without_profiles(tmp_path):
    w = _warnings(tmp_path, [["s1", "solar", "", 2020, 5.0, "t"]])
    assert len(w) == 1 and "existing.csv, row 2" in w[0] and "column asset" in w[0]
    assert "existing solar at s1 has no profiles.csv rows" in w[0]


def test_idle_because_the_existing_power_caps_the_site(tmp_path):
    # no grid, 0.3 MW of existing gas (availability 1) and no site_power.csv pair to build
    # more: 0.3 / 0.0096 MW per active unit = 31.25 of the 40 existing units run, 8.75 idle
    from builder import BASE

    ex = [["s1", "air", "", 2020, 1.0, "t"], ["s1", "x1", "air", 2024, 40, "t"], ["s1", "gas", "", 2020, 0.3, "t"]]
    sites = [dict(BASE["sites"][0], grid_cap_mw=0)]
    p, text = _idle(tmp_path, ex, sites=sites)
    early = p.summary()["existing"]["retired_early"]
    assert [(r["idle_existing"], r["reason"]) for r in early] == [(pytest.approx(8.75), "power_bound")]
    assert "(left idle: no grid and no new onsite power there, so its existing power caps what runs)" in text


def test_idle_because_no_throughput(tmp_path):
    # existing units of a chip without a throughput.csv row make nothing: all 40 idle
    from builder import BASE

    old = dict(BASE["chips"][0], chip="old", first_year=2018, last_year=2020)
    ex = [["s1", "air", "", 2020, 1.0, "t"], ["s1", "old", "air", 2024, 40, "t"]]
    p = solve(_write(tmp_path, existing=ex, extra_chips=[old]))
    early = p.summary()["existing"]["retired_early"]
    assert [(r["chip"], r["idle_existing"], r["reason"]) for r in early] == [("old", 40, "no_throughput")]
