"""Property-based tests (hypothesis): random small valid scenarios solve and satisfy every
invariant of planner/reporting/checks.py; random mutations of valid CSV cells end in a clean solve or a
clean error (exit 0 or 1), never a traceback."""

from __future__ import annotations

import copy
import csv
import io
import tempfile
from pathlib import Path

from builder import BASE, write_scenario
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.api import plan
from planner.cli import main
from planner.reporting.checks import check_plan

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@st.composite
def scenarios(draw):
    years = draw(st.integers(1, 2))
    nsites = draw(st.integers(1, 2))
    site = BASE["sites"][0]
    sites = [
        dict(
            site,
            site=f"s{i + 1}",
            max_it_mw=draw(st.sampled_from([2, 5, 50])),
            open_cost_usd=draw(st.sampled_from([0, 1e6, 5e7])),
            grid_cap_mw=draw(st.sampled_from(["", 0, 0.3, 3])),
            grid_price_usd_per_mwh=draw(st.floats(10, 200)),
            grid_co2_kg_per_mwh=draw(st.sampled_from([0, 300, 700])),
            pue_adder=draw(st.sampled_from([0, 0.1])),
            first_year=draw(st.sampled_from(["", 2027])),
        )
        for i in range(nsites)
    ]
    latency = [
        {
            "region": "r1",
            "site": s["site"],
            "latency_ms": draw(st.sampled_from([5, 40])),
            "network_cost_usd_per_mtok": 0,
        }
        for s in sites
    ]
    demand = [
        {
            "region": "r1",
            "model": "m1",
            "year": 2026 + i,
            "tokens_per_year": draw(st.sampled_from([0, 1e12, 1e13, 5e14])),
            "max_latency_ms": draw(st.sampled_from(["", 10, 100])),
        }
        for i in range(years)
    ]
    chips = [
        dict(
            BASE["chips"][0],
            capex_usd_per_unit=draw(st.floats(1e4, 1e6)),
            lifetime_years=draw(st.integers(1, 5)),
            max_units_per_year=draw(st.sampled_from(["", 5, 100])),
        )
    ]
    site_power = [
        {"site": s["site"], "tech": k, "max_mw": draw(st.sampled_from(["", 1, 10]))}
        for s in sites
        for k in ("solar", "battery", "gas")
        if draw(st.booleans())
    ]
    profiles = [
        {"site": r["site"], "tech": "solar", "slice": "d1h0", "capacity_factor": 0.3}
        for r in site_power
        if r["tech"] == "solar"
    ]
    toml = {"end_year": 2025 + years, "mip_rel_gap": 1e-9}
    if draw(st.booleans()):
        toml["carbon_price_usd_per_t"] = draw(st.sampled_from([0, 50, 200]))
    return {
        "toml": toml,
        "sites": sites,
        "latency": latency,
        "demand": demand,
        "chips": chips,
        "site_power": site_power,
        "profiles": profiles,
    }


@SETTINGS
@given(scenarios())
def test_random_valid_scenarios_satisfy_the_invariants(spec):
    with tempfile.TemporaryDirectory() as tmp:
        spec = copy.deepcopy(spec)
        spec["toml"].pop("mip_rel_gap")
        scn = write_scenario(Path(tmp) / "scn", **spec)
        p = plan(scn)
        assert p.result.has_solution
        assert check_plan(p) == []


NASTY = [
    "",
    " ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e16",
    "-1",
    "0",
    "1e-300",
    "abc",
    "1,5",
    "1,000",
    "12%",
    "$5",
    "2030.5",
    "2030.0",
    "NA",
    '"',
    "é",
    "\t",
    "1e400",
    "0x10",
    "None",
    "r1",
    "s1",
    "m1",
    "x1",
]
FILES = [
    "regions.csv",
    "sites.csv",
    "latency.csv",
    "demand.csv",
    "slices.csv",
    "chips.csv",
    "cooling.csv",
    "power.csv",
    "models.csv",
    "throughput.csv",
]


@SETTINGS
@given(
    st.lists(
        st.tuples(st.sampled_from(FILES), st.integers(0, 20), st.integers(0, 20), st.sampled_from(NASTY)),
        min_size=1,
        max_size=3,
    )
)
def test_random_cell_mutations_end_cleanly(mutations):
    with tempfile.TemporaryDirectory() as tmp:
        scn = write_scenario(Path(tmp) / "scn")
        for fname, row, col, value in mutations:
            path = scn / fname
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
            r = 1 + (row % max(len(rows) - 1, 1))
            c = col % len(rows[0])
            if r < len(rows):
                rows[r][c] = value
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(rows)
            path.write_text(buf.getvalue(), encoding="utf-8")
        for args in (["validate", str(scn)], ["solve", str(scn), "--out", str(Path(tmp) / "out"), "--quiet"]):
            res = CliRunner().invoke(main, args)
            assert res.exception is None or isinstance(res.exception, SystemExit), (mutations, repr(res.exception))
            assert "Traceback" not in res.stderr
            assert res.exit_code in (0, 1), (mutations, res.exit_code, res.stderr)
