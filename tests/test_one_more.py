"""Issue 12, item 2b/2c: a binding limit's price is the saving of one MORE unit, with the
range it holds for; the long-run marginal cost is the cost of one MORE token."""

from __future__ import annotations

import json

import pytest
from builder import BASE, write_scenario
from click.testing import CliRunner

import planner
from planner.cli import main
from planner.reporting.limits import sentences


def _exact_fit(folder, cap=100):
    """The issue's case: 2030 only, discount 0, hall block 1 MW, max_utilization 0.5, load
    factor 1, one 100 kW chip at 1e6 tok/s, PUE 1.25, demand 1.26144e16 tokens: 800 units,
    80 MW IT, 100 MW facility against a grid cap of ``cap`` MW."""
    return write_scenario(
        folder,
        toml={
            "start_year": 2030,
            "end_year": 2030,
            "discount_rate": 0.0,
            "hall_block_mw": 1,
            "max_utilization": 0.5,
            "load_factor": 1.0,
        },
        sites=[dict(BASE["sites"][0], grid_cap_mw=cap)],
        chips=[dict(BASE["chips"][0], chips_per_unit=1, it_kw_per_unit=100, rack_kw=100)],
        cooling=[dict(BASE["cooling"][0], pue=1.25, max_rack_kw=200)],
        throughput=[{"model": "m1", "chip": "x1", "tokens_per_s_per_chip": 1e6, "source": "test"}],
        demand=[{"region": "r1", "model": "m1", "year": 2030, "tokens_per_year": 1.26144e16, "max_latency_ms": ""}],
    )


@pytest.fixture(scope="module")
def exact(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exact")
    return {cap: planner.solve(_exact_fit(tmp / f"c{cap}", cap)) for cap in (100, 101)}


def test_grid_cap_met_exactly_reports_no_saving_for_one_more_mw(exact):
    p = exact[100]
    assert p.tables["capacity"]["units_active"].sum() == pytest.approx(800)
    # re-solving with 101 MW saves nothing
    assert exact[101].result.objective == pytest.approx(p.result.objective, rel=1e-12)
    (row,) = p.tables["binding_limits"].itertuples()
    assert (row.limit, row.item, row.year) == ("grid_interconnect", "s1", 2030)
    assert row.shadow_price == 0.0
    # one MW less: 0.8 MW IT = 8 units idle, 8 x 1e6 x 0.5 x 8760 x 3600 = 1.26144e14 tokens
    # unserved at $100/Mtok, less 1 MW x 8760 h x $50/MWh of grid energy not bought
    assert row.cost_one_less == pytest.approx(1.26144e14 / 1e6 * 100 - 8760 * 50, rel=1e-6)
    (s,) = sentences(p.tables["binding_limits"])
    assert "is met exactly in 2030: one MW of grid interconnect more would save nothing" in s
    assert "one MW of grid interconnect less would cost $12.61 bn a year" in s


def test_long_run_marginal_cost_is_the_cost_of_one_more_token(exact):
    """With the grid full, one more token cannot be served: it costs the $100/Mtok penalty
    (the degenerate dual said $0.0098/Mtok, the saving of one token fewer)."""
    mc = exact[100].tables["marginal_costs"]
    assert mc["usd_per_mtok_long_run"].iloc[0] == pytest.approx(100.0, rel=1e-6)
    # with 1 MW of grid to spare, one more token is the chip, hall and energy it takes
    mc = exact[101].tables["marginal_costs"]
    assert 0 < mc["usd_per_mtok_long_run"].iloc[0] < 1


def test_a_binding_price_comes_with_the_range_it_holds_for(tmp_path):
    """Grid capped at 0.3 MW of a 0.544 MW load, the rest from a 1 MW gas unit at 62 $/MWh
    against 50 $/MWh grid: each extra MW saves 12 $/MWh x 8760 h, for 0.244 MW only."""
    power = [dict(r) for r in BASE["power"]]
    next(r for r in power if r["tech"] == "gas").update(unit_mw=1, fuel_usd_per_mwh=60)
    folder = write_scenario(
        tmp_path / "scn",
        sites=[dict(BASE["sites"][0], grid_cap_mw=0.3)],
        power=power,
        site_power=[{"site": "s1", "tech": "gas", "max_mw": ""}],
    )
    p = planner.solve(folder)
    (row,) = p.tables["binding_limits"].itertuples()
    assert row.shadow_price == pytest.approx(8760 * 12, rel=1e-6)
    load = p.tables["energy"]["energy_mwh"].sum() / 8760
    assert row.holds_for == pytest.approx(load - 0.3, rel=1e-6)
    assert sentences(p.tables["binding_limits"])[0].endswith("(for the next 0.244 MW only).")


def test_binding_limits_columns_survive_the_results_folder(tmp_path):
    r = CliRunner().invoke(
        main, ["solve", str(_exact_fit(tmp_path / "scn")), "--out", str(tmp_path / "res"), "--quiet"]
    )
    assert r.exit_code == 0, r.output
    bl = planner.read_results(tmp_path / "res").tables["binding_limits"]
    assert list(bl.columns)[-2:] == ["cost_one_less", "holds_for"]
    r = CliRunner().invoke(main, ["export", str(tmp_path / "res"), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "res" / "plan.json").read_text())
    assert doc["tables"]["binding_limits"][0]["shadow_price"] == 0


def test_average_cost_per_mtok_leaves_out_the_unserved_penalty(tmp_path):
    """Chip supply capped at 20 units: part of the demand is unserved at $100/Mtok. The
    average is the cost of serving over the tokens served; the penalty is shown apart."""
    from planner.reporting.served import cost_per_mtok_served, headline

    chips = [dict(BASE["chips"][0], max_units_per_year=20)]
    folder = write_scenario(tmp_path / "scn", chips=chips)
    p = planner.solve(folder, marginals=False)
    T = p.tables
    un = T["unserved"]["tokens"].sum()
    assert un > 0
    c = T["costs"]
    pen = c.loc[c["component"] == "unserved_penalty", "usd"].sum()
    assert pen == pytest.approx(un / 1e6 * 100, rel=1e-9)
    served = T["serving"]["tokens"].sum()
    want = (c["usd"].sum() - pen) / (served / 1e6)
    assert cost_per_mtok_served(T, [2026]).loc[2026] == pytest.approx(want, rel=1e-9)
    lines = headline(T, [2026])
    assert lines[0].startswith("Average cost per million tokens served: $") and "penalty is not in it" in lines[0]
    assert lines[1].startswith("Penalty for tokens not served: ")


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cmp")
    out = []
    for name, price in (("a", 50), ("b", 51)):
        scn = write_scenario(tmp / f"scn_{name}", sites=[dict(BASE["sites"][0], grid_price_usd_per_mwh=price)])
        r = CliRunner().invoke(main, ["solve", str(scn), "--out", str(tmp / name), "--quiet", "--no-marginals"])
        assert r.exit_code == 0, r.output
        out.append(tmp / name)
    return out


def test_compare_says_when_a_difference_is_within_the_gaps(two_plans, tmp_path):
    import shutil

    a, b = two_plans
    r = CliRunner().invoke(main, ["compare", str(a), str(b)])
    assert r.exit_code == 0 and "optimality gaps" not in r.output
    # the same plan B accepted within a 5 % gap: its +$x change is no longer a difference
    b5 = tmp_path / "b5"
    shutil.copytree(b, b5)
    s = json.loads((b5 / "summary.json").read_text())
    s["mip_gap"] = 0.05
    (b5 / "summary.json").write_text(json.dumps(s))
    r = CliRunner().invoke(main, ["compare", str(a), str(b5)])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "is smaller than the plans' optimality gaps together" in text and "B within 5.00%" in text


def test_compare_more_than_two_plans(two_plans, tmp_path):
    a, b = two_plans
    csv = tmp_path / "cmp.csv"
    r = CliRunner().invoke(main, ["compare", str(a), str(b), str(a), "--csv", str(csv)])
    assert r.exit_code == 0, r.output
    assert f"C = {a}" in r.output
    t = __import__("pandas").read_csv(csv)
    assert list(t["plan"]) == [str(a), str(b), str(a)]
    sa = json.loads((a / "summary.json").read_text())
    sb = json.loads((b / "summary.json").read_text())
    assert t["change_usd"].tolist() == pytest.approx([0, sb["objective_usd"] - sa["objective_usd"], 0])
    assert t["within_gaps"].tolist() == [True, False, True]


def test_long_run_cost_matches_a_re_solve_with_more_tokens_when_an_old_chip_retires(tmp_path):
    """An old chip (bought in 2026 only, 5-year life) is retired in 2027 by a better one. The
    long-run marginal cost of 2027 must be what serving 1e9 more tokens costs in a re-solve
    of the long-run LP, whatever the basis says (the dual at a degenerate basis gave the saving
    of one token fewer). In this small case the basis is not degenerate (dual and re-solve
    agree at $0.0767/Mtok); the degenerate case is the exact-fit grid cap above, where the
    dual gave $0.0098/Mtok and one more token costs the $100 penalty."""
    import numpy as np

    from planner.api import plan
    from planner.solver.highs import resolve
    from planner.solver.marginal import analyse

    old = dict(BASE["chips"][0], chip="old", last_year=2026, capex_usd_per_unit=300_000)
    new = dict(BASE["chips"][0], chip="new", first_year=2027, capex_usd_per_unit=200_000, it_kw_per_unit=5)
    demand = [
        {"region": "r1", "model": "m1", "year": y, "tokens_per_year": t, "max_latency_ms": ""}
        for y, t in ((2026, 1e13), (2027, 3e13))
    ]
    folder = write_scenario(
        tmp_path / "scn",
        toml={"end_year": 2027},
        chips=[old, new],
        demand=demand,
        throughput=[
            {"model": "m1", "chip": "old", "tokens_per_s_per_chip": 1000, "source": "test"},
            {"model": "m1", "chip": "new", "tokens_per_s_per_chip": 4000, "source": "test"},
        ],
    )
    p = plan(folder)
    m, d, ho = p.model, p.data, p.result.handoff
    mk = analyse(m, d, handoff=ho)
    got = mk.marginal_costs.set_index("year").loc[2027, "usd_per_mtok_long_run"]
    # brute force: the long-run LP of planner.solver.marginal, with and without 1e9 more tokens
    comp = ho.component_of()
    integer = np.flatnonzero(ho.integer)
    opened = {int(j): float(round(ho.columns[j].value or 0.0)) for j in integer if comp[j] == "open"}
    loose = ho.integer & (comp != "open")
    cuts = set(getattr(m, "tightening", []))
    free_rows = [i for i, c in enumerate(ho.rows) if c.parent_component().local_name in cuts]
    row = next(i for i, c in enumerate(ho.rows) if c is m.demand_balance["r1", "m1", 2027])
    base = resolve(ho, fix=opened, unbounded_above=loose, free_rows=free_rows, continuous=True)
    lo, up = np.array(ho.lp.row_lower_), np.array(ho.lp.row_upper_)
    lo2, up2 = lo.copy(), up.copy()
    lo2[row] += 1e-3  # 1e9 more tokens (1e-3 Ttok)
    up2[row] += 1e-3
    ho.lp.row_lower_, ho.lp.row_upper_ = lo2, up2
    try:
        more = resolve(ho, fix=opened, unbounded_above=loose, free_rows=free_rows, continuous=True)
    finally:
        ho.lp.row_lower_, ho.lp.row_upper_ = lo, up
    want = (more.objective - base.objective) / 1e-3 / d.df[2027]
    assert got == pytest.approx(want, rel=1e-4)
    assert got > 0
