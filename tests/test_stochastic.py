"""planner solve --stochastic (DESIGN.md §7.8): a two-scenario case computed by hand where the
hedge (the two-stage plan) differs from both deterministic plans, with its VSS and EVPI; the
shared decisions are equal in every scenario's results folder; bad input is one sentence."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from builder import BASE, write_scenario
from click.testing import CliRunner

from planner.cli import main
from planner.futures.stochastic import DemandCase, parse_cases, solve_stochastic
from planner.io.errors import InputError

D = 1e13  # tokens a year in the region where demand turns up
UNIT_TOK = 1000 * 8 * 3600 * 8760 * 0.7  # tokens per unit-year (BASE chip x1, max_utilization 0.7)
O1, O3 = 10e6, 40e6  # open cost of the one-region sites s1, s2 and of the two-region site s3


def _case(tmp_path):
    """One year (so every investment is first stage), no discounting. Region r1 is served by
    s1 or s3, r2 by s2 or s3; demand turns up in r1 (case a) or r2 (case b), P = 1/2 each."""
    site = BASE["sites"][0]
    sites = [
        dict(site, site="s1", region="r1", open_cost_usd=O1),
        dict(site, site="s2", region="r2", open_cost_usd=O1),
        dict(site, site="s3", region="r1", open_cost_usd=O3),
    ]
    regions = [BASE["regions"][0], dict(BASE["regions"][0], region="r2", name="Region 2")]
    latency = [
        {"region": "r1", "site": "s1", "latency_ms": 5, "network_cost_usd_per_mtok": 0},
        {"region": "r2", "site": "s2", "latency_ms": 5, "network_cost_usd_per_mtok": 0},
        {"region": "r1", "site": "s3", "latency_ms": 9, "network_cost_usd_per_mtok": 0},
        {"region": "r2", "site": "s3", "latency_ms": 9, "network_cost_usd_per_mtok": 0},
    ]
    row = {"model": "m1", "year": 2026, "tokens_per_year": D, "max_latency_ms": ""}
    folder = write_scenario(
        tmp_path / "scn",
        toml={"discount_rate": 0.0, "first_stage_years": 1},
        sites=sites,
        regions=regions,
        latency=latency,
        demand=[dict(row, region="r1")],
    )
    pd.DataFrame([dict(row, region="r1")]).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame([dict(row, region="r2")]).to_csv(tmp_path / "b.csv", index=False)
    return folder


def _plan_cost(open_cost, units, tokens_served, unserved=0.0):
    """Net present cost of one year with one 1-MW hall block per open site (DESIGN.md §4,
    rate 0: CRF = 1/L): open/30 + hall (5 + 1 M$/MW)/15 + units x 300 k$/5 + grid energy of
    the active units (0.8 x IT MW x PUE 1.2 x 8760 h x 50 $/MWh) + unserved x 100 $/Mtok."""
    active_mw = tokens_served / UNIT_TOK * 10 / 1000
    return (
        open_cost / 30
        + 6e6 / 15 * (open_cost > 0)
        + units * 60_000
        + 0.8 * active_mw * 1.2 * 8760 * 50
        + unserved / 1e6 * 100
    )


def test_two_stage_hedge_by_hand(tmp_path):
    folder = _case(tmp_path)
    cases = [DemandCase("a", tmp_path / "a.csv", 0.5), DemandCase("b", tmp_path / "b.csv", 0.5)]
    doc = solve_stochastic(folder, cases, tmp_path / "out")
    n = math.ceil(D / UNIT_TOK)  # 57 units serve all of it
    ws = _plan_cost(O1, n, D)  # either case alone: the cheap one-region site
    rp = _plan_cost(O3, n, D)  # the hedge: the dear site that reaches both regions
    # the mean-demand plan opens s1 and s2 with half the units each (cheaper than s3 at half
    # demand each) and, fixed, serves only half of the demand that turns up
    half = math.ceil(D / 2 / UNIT_TOK)
    ev_first = 2 * O1 / 30 + 2 * 6e6 / 15 + 2 * half * 60_000
    eev = ev_first + 0.8 * half * 0.01 * 1.2 * 8760 * 50 + (D - half * UNIT_TOK) / 1e6 * 100
    assert doc["expected_cost_usd"] == pytest.approx(rp, rel=1e-7)
    assert doc["evpi_usd"] == pytest.approx(rp - ws, rel=1e-6)
    assert doc["evpi_usd"] == pytest.approx((O3 - O1) / 30, rel=1e-6)
    assert doc["vss_usd"] == pytest.approx(eev - rp, rel=1e-6)
    assert doc["vss_usd"] >= 0 and doc["evpi_usd"] >= 0
    assert doc["vss_gap_usd"] is not None and doc["evpi_gap_usd"] is not None
    # the equivalent started from the mean-demand plan evaluated in both cases and was bounded
    # by the cases solved alone; it found the better hedge, so no note says it kept the start
    assert doc["start_usd"] == pytest.approx(eev, rel=1e-6)
    assert doc["scenarios_bound_usd"] <= ws * (1 + 1e-9) and doc["scenarios_bound_usd"] >= ws * (1 - 0.01)
    assert "no better hedge" not in doc.get("note", "")
    for k in ("expected_cost_usd", "vss_usd", "evpi_usd", "vss_gap_usd", "evpi_gap_usd"):
        assert k in json.loads((tmp_path / "out" / "stochastic.json").read_text())
    # the hedge opens s3 in both cases; each case alone would open s1 (a) or s2 (b)
    inv = {c: pd.read_csv(tmp_path / "out" / c / "investment_schedule.csv") for c in ("a", "b")}
    for c in ("a", "b"):
        sites = set(inv[c].loc[inv[c]["item"] == "site", "site"])
        assert sites == {"s3"}, (c, sites)
    pd.testing.assert_frame_equal(inv["a"], inv["b"])  # the shared decisions are shared
    assert doc["scenarios"]["a"]["ws_objective_usd"] == pytest.approx(ws, rel=1e-7)
    summ = json.loads((tmp_path / "out" / "a" / "summary.json").read_text())
    assert summ["objective_usd"] == pytest.approx(rp, rel=1e-7) and summ["invariant_checks"] == "passed"
    md = (tmp_path / "out" / "stochastic.md").read_text()
    assert "Build now" in md and "Recourse" in md
    assert (tmp_path / "out" / "stochastic.html").is_file()


def test_probabilities_must_sum_to_one(tmp_path):
    folder = _case(tmp_path)
    with pytest.raises(InputError, match="sum to 0.9"):
        parse_cases(f"a={tmp_path / 'a.csv'}:0.5,b={tmp_path / 'b.csv'}:0.4")
    r = CliRunner().invoke(
        main, ["solve", str(folder), "--stochastic", f"a={tmp_path / 'a.csv'}:0.5,b={tmp_path / 'b.csv'}:0.4"]
    )
    assert r.exit_code == 1 and "sum to 0.9" in r.output and "Traceback" not in r.output
    assert parse_cases(f"a={tmp_path / 'a.csv'}:0.5,b={tmp_path / 'b.csv'}:0.5000000001")  # within 1e-6


def test_demand_files_must_agree_on_latency(tmp_path):
    folder = _case(tmp_path)
    b = pd.read_csv(tmp_path / "a.csv")
    b["max_latency_ms"] = 50
    b.to_csv(tmp_path / "b.csv", index=False)
    r = CliRunner().invoke(
        main,
        [
            "solve",
            str(folder),
            "--out",
            str(tmp_path / "o"),
            "--stochastic",
            f"a={tmp_path / 'a.csv'}:0.5,b={tmp_path / 'b.csv'}:0.5",
        ],
    )
    assert r.exit_code == 1, r.output
    assert "b.csv, row 2, column max_latency_ms: 50 disagrees with a.csv, row 2 (blank)" in r.output
    assert not (tmp_path / "o").exists()


def test_stochastic_cli_end_to_end(tmp_path):
    folder = _case(tmp_path)
    arg = f"a={tmp_path / 'a.csv'}:0.5,b={tmp_path / 'b.csv'}:0.5"
    r = CliRunner().invoke(main, ["solve", str(folder), "--out", str(tmp_path / "o"), "--stochastic", arg, "--quiet"])
    assert r.exit_code == 0, r.output
    assert "VSS" in r.output and "EVPI" in r.output
    assert (tmp_path / "o" / "a" / "summary.json").is_file() and (tmp_path / "o" / "stochastic.json").is_file()
    # a second run does not replace the plan unless asked to
    r = CliRunner().invoke(main, ["solve", str(folder), "--out", str(tmp_path / "o"), "--stochastic", arg, "--quiet"])
    assert r.exit_code == 2 and "--overwrite" in r.output


def test_tiered_demand_files_are_keyed_by_tier(tmp_path):
    """A tier is part of the demand key: two files whose tiers of one (region, model, year) carry
    different latencies agree row by row, and the mean is P-weighted per tier (a tier missing
    from one file counts 0 there)."""
    from planner.futures.stochastic import mean_demand

    head = "region,model,year,tier,tokens_per_year,max_latency_ms,sovereign_share\n"
    (tmp_path / "lo.csv").write_text(head + "r1,m1,2026,batch,100,,\nr1,m1,2026,standard,200,60,\n")
    (tmp_path / "hi.csv").write_text(
        head + "r1,m1,2026,batch,300,,\nr1,m1,2026,standard,600,60,\nr1,m1,2026,interactive,40,60,\n"
    )
    out = mean_demand([DemandCase("lo", tmp_path / "lo.csv", 0.25), DemandCase("hi", tmp_path / "hi.csv", 0.75)])
    got = {r["tier"]: (float(r["tokens_per_year"]), r["max_latency_ms"]) for r in out.to_dict("records")}
    assert got == {"batch": (250.0, ""), "standard": (500.0, "60"), "interactive": (30.0, "60")}


def test_the_cautious_first_stage_is_the_start_when_it_is_cheaper(tmp_path):
    """Demand D (hi) or D/2 (lo) in r1, P = 1/2 each, one year (every investment is first
    stage). The mean-demand plan buys for 0.75 D and leaves a quarter of hi unserved at
    100 $/Mtok; hi's own first stage (57 units at s1) evaluated in lo only over-buys 28 units
    at 60 k$ each, so it is the start -- and, with everything shared, the optimum."""
    folder = _case(tmp_path)
    row = {"model": "m1", "year": 2026, "max_latency_ms": "", "region": "r1"}
    pd.DataFrame([dict(row, tokens_per_year=D)]).to_csv(tmp_path / "hi.csv", index=False)
    pd.DataFrame([dict(row, tokens_per_year=D / 2)]).to_csv(tmp_path / "lo.csv", index=False)
    cases = [DemandCase("lo", tmp_path / "lo.csv", 0.5), DemandCase("hi", tmp_path / "hi.csv", 0.5)]
    doc = solve_stochastic(folder, cases, tmp_path / "out")
    n = math.ceil(D / UNIT_TOK)  # 57
    start = 0.5 * _plan_cost(O1, n, D) + 0.5 * _plan_cost(O1, n, D / 2)
    assert doc["start_from"] == "hi's first stage"
    assert doc["start_usd"] == pytest.approx(start, rel=1e-7)
    assert doc["expected_cost_usd"] == pytest.approx(start, rel=1e-7)
    m = math.ceil(0.75 * D / UNIT_TOK)  # 43 units for the mean demand
    eev = 0.5 * _plan_cost(O1, m, m * UNIT_TOK, unserved=D - m * UNIT_TOK) + 0.5 * _plan_cost(O1, m, D / 2)
    assert doc["eev_usd"] == pytest.approx(eev, rel=1e-6)
    assert doc["vss_usd"] == pytest.approx(eev - start, rel=1e-6) and doc["vss_usd"] > 0
    assert doc["status"] == "optimal" and "no better hedge" not in doc.get("note", "")


def test_an_interrupted_plan_leaves_no_empty_folder(tmp_path, monkeypatch):
    """Ctrl-C before anything is written removes the --out folder the run made (it was empty)
    and keeps a folder that was there before."""
    import planner.futures.stochastic as S

    def interrupted(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(S, "_first_solves", interrupted)
    folder = _case(tmp_path)
    cases = [DemandCase("a", tmp_path / "a.csv", 0.5), DemandCase("b", tmp_path / "b.csv", 0.5)]
    with pytest.raises(KeyboardInterrupt):
        solve_stochastic(folder, cases, tmp_path / "new")
    assert not (tmp_path / "new").exists()
    (tmp_path / "mine").mkdir()
    with pytest.raises(KeyboardInterrupt):
        solve_stochastic(folder, cases, tmp_path / "mine")
    assert (tmp_path / "mine").is_dir()


def test_piped_stochastic_run_prints_one_line_per_stage(tmp_path):
    """Without a terminal (piped, logged) the stages are lines, not a spinner that shows nothing."""
    folder = _case(tmp_path)
    arg = f"a={tmp_path / 'a.csv'}:0.5,b={tmp_path / 'b.csv'}:0.5"
    r = CliRunner().invoke(main, ["solve", str(folder), "--out", str(tmp_path / "o"), "--stochastic", arg])
    assert r.exit_code == 0, r.output
    text = r.output + (r.stderr if hasattr(r, "stderr") else "")
    for stage in (
        "Solving the mean-demand plan (for VSS)",
        "Solving a alone (for EVPI)",
        "Solving the deterministic equivalent",
    ):
        assert f"s] {stage}" in text, text


def test_build_now_leaves_out_the_existing_fleet(tmp_path):
    """stochastic.md's "Build now" lists the decisions only: the existing fleet (in the schedule
    at no capex) is a sentence, and whole quantities are written whole (18,750, not 1.875e+04)."""
    from planner.futures.stochastic import _report

    rows = (
        "year,site,layer,item,quantity,unit,capex_usd\n"
        "2024,s1,chips,H100_HGX (existing),18750,units,0\n"
        "2026,s2,chips,GB300_NVL72 (dlc),12500,units,5e9\n"
        "2027,s2,infrastructure,hall dlc,20.5,MW IT,2e8\n"
        "2030,s2,chips,GB300_NVL72 (dlc),3,units,1e7\n"
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "investment_schedule.csv").write_text(rows)
    doc = {"scenario": "x", "first_stage_years": 3, "expected_cost_usd": 1e10, "status": "optimal", "mip_gap": 0.0}
    doc["scenarios"] = {"a": {"probability": 1.0, "objective_usd": 1e10}}
    md = _report(doc, {"a": tmp_path / "a"}, 2029).markdown()
    build = md[md.index("## Build now") : md.index("## Recourse")]
    assert "H100_HGX (existing)" not in build and "The existing fleet (1 row of investment_schedule.csv" in build
    assert "| 12,500 |" in build and "| 20.5 |" in build and "GB300_NVL72 (dlc) | 3 |" not in build
