"""Benders decomposition (planner.solver.benders): on small programs its plan costs what the
monolithic MIP's optimum costs (within the gap, each bound below the other's plan), the plan
passes the invariant checks of the full program, and its cuts are valid."""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest
from builder import BASE, write_scenario
from small import small_spec

from planner import api
from planner.io.scenario import load_scenario
from planner.model import build_data, build_model
from planner.solver.benders import Decomposition, choose_method, matrix, split_program
from planner.solver.highs import hand_off

GAP = 1e-5


def _both(folder):
    """(monolithic plan, decomposition plan) of the scenario in ``folder``."""
    kw = dict(mip_gap=GAP, threads=1, marginals=False)
    mono = api.solve(folder, method="monolithic", **kw)
    dec = api.solve(folder, method="decomposition", **kw)
    return mono, dec


def _agree(mono, dec):
    a, b = mono.result, dec.result
    assert dec.summary()["method"] == "decomposition"
    assert mono.summary()["method"] == "monolithic"
    assert b.status == "optimal"
    # each bound is a bound of the other's plan, and the plans cost the same within the gap
    assert b.bound <= a.objective * (1 + 1e-9)
    assert a.bound <= b.objective * (1 + 1e-9)
    assert b.objective == pytest.approx(a.objective, rel=3 * GAP)
    assert dec.failures == []
    assert dec.summary()["invariant_checks"] == "passed"


def _spec(**toml):
    spec = small_spec(3)
    spec["toml"] = dict(spec["toml"], **toml)
    return spec


def test_small_scenario_storage_and_a_binding_grid_cap(tmp_path):
    """Three sites, solar, battery and gas; s3 (the site the optimum uses most) gets a grid
    cap of 3 MW that binds and a battery cheap enough to move solar from day to night: the
    same optimum."""
    spec = _spec()
    spec["power"] = [
        dict(t, capex_usd_per_kw=50, fom_usd_per_kw_yr=1) if t["tech"] == "battery" else t for t in BASE["power"]
    ]
    spec["site_power"] = [*spec["site_power"], {"site": "s3", "tech": "battery", "max_mw": ""}]
    spec["sites"] = [dict(s, grid_cap_mw=3) if s["site"] == "s3" else s for s in spec["sites"]]
    mono, dec = _both(write_scenario(tmp_path / "scn", **spec))
    _agree(mono, dec)
    en = dec.tables["energy"]
    grid = en[(en["site"] == "s3") & (en["tech"] == "grid")]
    assert grid["capacity_mw"].max() == pytest.approx(3.0, rel=1e-6)  # the cap binds
    bat = en[(en["site"] == "s3") & (en["tech"] == "battery")]
    assert bat["capacity_mw"].max() > 0.1  # storage is built and run in the subproblems


def test_carbon_cap_couples_the_sites_of_a_year(tmp_path):
    """A carbon cap on every year: the rows of a year make one subproblem group per year,
    and the plan meets the cap exactly as the monolithic one does."""
    folder = write_scenario(tmp_path / "scn", **_spec(carbon_cap_t=1500))
    mono, dec = _both(folder)
    _agree(mono, dec)
    co2 = dec.tables["energy"].groupby("year")["co2_t"].sum()
    assert (co2 <= 1500 * (1 + 1e-6)).all()
    scn = load_scenario(folder)
    d = build_data(scn)
    m = build_model(d)  # kept alive: columns refer to it weakly
    ho = hand_off(m)
    sp = split_program(ho, d.slices, set(d.sites) | set(d.years))
    years = [{k[-1] for k in keys} for keys in sp.group_keys]
    assert all(len(y) == 1 for y in years)  # a group never spans years
    # the cap row of a year is in one group, which holds the emitting sites s1 and s3 (s2's
    # grid is carbon-free, so nothing joins its slices to the cap)
    cap_rows = [i for i, r in enumerate(sp.sub_rows) if ho.rows[r].parent_component().local_name == "carbon_cap"]
    assert len(cap_rows) == len(d.years)
    for i in cap_rows:
        sites = {k[0] for k in sp.group_keys[sp.group_of_row[i]]}
        assert {"s1", "s3"} <= sites and "s2" not in sites


def test_cfe_target(tmp_path):
    """24/7 carbon-free matching (DESIGN.md §7.3): its rows hold the free ``cfe`` columns
    (operational) and the site-year load (master)."""
    _agree(*_both(write_scenario(tmp_path / "scn", **_spec(cfe_target=0.5))))


def test_water_cap_on_generation(tmp_path):
    """A water cap on s1 (DESIGN.md §7.2) that gas generation (1000 L/MWh) reaches: a row of
    slice columns (gas generation) and master columns (cooling water of the chips)."""
    spec = _spec()
    spec["sites"] = [dict(s, water_cap_ml_per_yr=3.0) if s["site"] == "s1" else s for s in spec["sites"]]
    spec["power"] = [dict(t, water_l_per_mwh=1000 if t["tech"] == "gas" else "") for t in BASE["power"]]
    mono, dec = _both(write_scenario(tmp_path / "scn", **spec))
    _agree(mono, dec)
    w = dec.tables["water"]
    assert w[w["site"] == "s1"]["generation_ml"].max() <= 3.0 + 1e-6


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_small_scenarios(tmp_path, seed):
    """Property: on random variants of the small scenario (demand, grid caps and prices,
    solar limits, a carbon cap or none) the decomposition's plan costs the monolithic
    optimum within the gap and passes the invariant checks."""
    rnd = random.Random(seed)
    spec = copy.deepcopy(small_spec(2 + seed % 2, demand_scale=rnd.uniform(0.5, 1.5)))
    for s in spec["sites"]:
        if rnd.random() < 0.6:
            s["grid_cap_mw"] = round(rnd.uniform(1, 15), 2)
        s["grid_price_usd_per_mwh"] = round(rnd.uniform(30, 120), 1)
    for r in spec["site_power"]:
        if r["tech"] == "solar":
            r["max_mw"] = round(rnd.uniform(2, 40), 1)
    if rnd.random() < 0.5:
        spec["toml"] = dict(spec["toml"], carbon_cap_t=round(rnd.uniform(500, 5000)))
    _agree(*_both(write_scenario(tmp_path / "scn", **spec)))


def test_cuts_are_valid_and_duals_are_slopes(tmp_path):
    """The optimality cut made at one master point never lies above the subproblem cost at
    another (convexity: the cut is a supporting hyperplane of the cost-to-go)."""
    scn = load_scenario(write_scenario(tmp_path / "scn", **_spec()))
    d = build_data(scn)
    m = build_model(d)  # kept alive: columns refer to it weakly
    ho = hand_off(m)
    dec = Decomposition(ho, d.slices, set(d.sites) | set(d.years), threads=1)
    mst = dec.master
    rng = np.random.default_rng(0)
    # two feasible master points: the monolithic optimum and a plan with more grid use
    res = api.solve(scn, method="monolithic", mip_gap=GAP, threads=1, marginals=False)
    x = np.array([v.value for v in res.result.handoff.columns])
    xm = x[dec.split.master_cols]
    ev = dec.evaluate(xm)
    assert ev.feasible
    for _ in range(5):
        x2 = xm * rng.uniform(0.9, 1.0, size=xm.shape)  # less load, more slack in every row
        ev2 = dec.evaluate(x2)
        if not ev2.feasible:
            continue
        for g, coef, rhs in ev.cuts:
            cut_at_x2 = rhs - coef @ x2
            assert float(np.ravel(cut_at_x2)[0]) <= ev2.q[g] + 1e-7 * (1 + abs(ev2.q[g]))
    assert mst.ng == dec.split.n_groups
    dec.close()


def test_split_carries_every_row(tmp_path):
    """Each row is in the master (master columns only) or in exactly one subproblem group,
    whose operational columns are all in that group."""
    scn = load_scenario(write_scenario(tmp_path / "scn", **_spec(cfe_target=0.4)))
    d = build_data(scn)
    m = build_model(d)  # kept alive: a column's parent component is a weak reference to it
    ho = hand_off(m)
    sp = split_program(ho, d.slices, set(d.sites) | set(d.years))
    assert len(sp.master_rows) + len(sp.sub_rows) == ho.lp.num_row_
    A = matrix(ho.lp).tocsr()
    group_of = np.full(ho.lp.num_col_, -1)
    group_of[sp.op_cols] = sp.group_of_col
    for r, g in zip(sp.sub_rows, sp.group_of_row):
        cols = A.indices[A.indptr[r] : A.indptr[r + 1]]
        gs = {int(group_of[c]) for c in cols if group_of[c] >= 0}
        assert gs == {int(g)}
    for r in sp.master_rows:
        cols = A.indices[A.indptr[r] : A.indptr[r + 1]]
        assert (group_of[cols] < 0).all()
    names = {v.parent_component().local_name for v in np.array(ho.columns, dtype=object)[sp.op_cols]}
    assert names <= {"gen", "grid", "charge", "discharge", "soc", "cfe"}
    assert {"gen", "grid", "soc", "cfe"} <= names


def test_auto_picks_monolithic_for_small_programs(tmp_path):
    scn = load_scenario(write_scenario(tmp_path / "scn", **_spec()))
    m = build_model(build_data(scn))
    method, why = choose_method("auto", m)
    assert method == "monolithic" and why.startswith("auto:")
    assert choose_method("decomposition", m)[0] == "decomposition"
    with pytest.raises(api.UsageError):
        api.solve(scn, method="benders")


def test_serving_in_the_subproblems(tmp_path):
    """``also``: tokens, serving, unserved demand, active units and the facility load moved to
    the subproblems (one per year, the demand rows join its sites): the same optimum."""
    scn = load_scenario(write_scenario(tmp_path / "scn", **_spec()))
    d = build_data(scn)
    mono = api.solve(scn, method="monolithic", mip_gap=GAP, threads=1, marginals=False).result
    from planner.solver.benders import solve_benders

    m = build_model(d)
    also = ("serve", "tok", "unserved", "active_units", "load_mw")
    res = solve_benders(m, d, time_limit=60, mip_gap=GAP, threads=1, also=also)
    assert res.status == "optimal"
    assert res.decomposition["sizes"]["groups"] == len(d.years)
    assert res.bound <= mono.objective * (1 + 1e-9) and mono.bound <= res.objective * (1 + 1e-9)
    assert res.objective == pytest.approx(mono.objective, rel=3 * GAP)


def test_anchor_cuts_are_valid_and_lift_the_first_bound(tmp_path):
    """The anchor cuts (subproblems at the most capacity the master rows allow, and at
    fractions of it) are cuts of the full program: the master LP with them alone is a bound
    of the monolithic optimum, and one above the bound without them (the serving split
    learns the unavoidable unserved cost from them)."""
    scn = load_scenario(write_scenario(tmp_path / "scn", **_spec()))
    d = build_data(scn)
    m = build_model(d)  # kept alive: columns refer to it weakly
    ho = hand_off(m)
    mono = api.solve(scn, method="monolithic", mip_gap=GAP, threads=1, marginals=False).result
    from planner.solver.benders import SERVING

    bounds = []
    for anchors in ((), (1.0, 0.5, 0.25)):
        dec = Decomposition(
            ho, d.slices, set(d.sites) | set(d.years), also=SERVING, years=d.years, threads=1, anchors=anchors
        )
        mst = dec.master
        mst.integral(False)
        if anchors:
            xa = mst.most_capacity(dec.linked, 30)
            assert xa is not None
            for f in anchors:
                mst.add_cuts(dec.evaluate(f * xa).cuts)
        r = mst.run(30)
        assert r["optimal"]
        bounds.append(r["objective"])
        dec.close()
    assert bounds[1] <= mono.objective * (1 + 1e-9)
    assert bounds[1] >= bounds[0] - 1e-6 * (1 + abs(bounds[0]))


def test_serving_split_groups(tmp_path):
    """The default split of the decomposition: one serving group per year (the demand rows
    join the sites of a year) and the operation of each site-year in its own group; the
    master keeps no token or serving column."""
    scn = load_scenario(write_scenario(tmp_path / "scn", **_spec()))
    d = build_data(scn)
    m = build_model(d)
    ho = hand_off(m)
    from planner.solver.benders import SERVING

    sp = split_program(ho, d.slices, set(d.sites) | set(d.years), SERVING, d.years)
    cols = np.array(ho.columns, dtype=object)
    names = [v.parent_component().local_name for v in cols[sp.op_cols]]
    serving = [g for g, n in zip(sp.group_of_col, names) if n in SERVING]
    for g in set(serving):  # a serving group is the serving of one year, nothing else
        keys = sp.group_keys[g]
        assert {k[-1] for k in keys} <= set(d.years) and len({k[-1] for k in keys}) == 1
        members = {n for gg, n in zip(sp.group_of_col, names) if gg == g}
        assert members <= set(SERVING)
    assert len(set(serving)) == len(d.years)
    master_names = {v.parent_component().local_name for v in cols[sp.master_cols]}
    assert not master_names & set(SERVING)


def test_synthetic_generator_cuts_each_bundled_day(tmp_path):
    """benchmarks.generate cuts each bundled representative day into equal slices (the
    bundled world scenario has six days), so the synthetic scenarios load and keep 8760 h."""
    from benchmarks.generate import generate

    folder = generate(tmp_path / "syn", 3, 2, 12, 11)
    scn = load_scenario(folder)
    sl = scn.tables["slices.csv"]
    assert len(sl) == 12
    w = (sl["duration_h"] * sl["days_per_year"]).sum()
    assert abs(w - 8760) <= 0.01 * 8760
    assert (sl.groupby("day")["duration_h"].sum() == 24).all()
    with pytest.raises(ValueError):
        generate(tmp_path / "bad", 3, 2, 10, 11)


def test_serving_split_reaches_the_optimum(tmp_path):
    """The split large programs get by default (serving LP per year in the subproblems,
    repaired rounding), with anchor cuts, reaches the monolithic optimum on a small scenario."""
    scn = load_scenario(write_scenario(tmp_path / "scn", **_spec()))
    d = build_data(scn)
    mono = api.solve(scn, method="monolithic", mip_gap=GAP, threads=1, marginals=False).result
    from planner.solver.benders import ANCHORS, SERVING, solve_benders

    m = build_model(d)
    res = solve_benders(m, d, time_limit=120, mip_gap=1e-3, threads=1, also=SERVING, anchors=ANCHORS)
    assert res.decomposition["sizes"]["groups"] > len(d.years)  # serving per year + site-years
    assert res.bound <= mono.objective * (1 + 1e-9) and mono.bound <= res.objective * (1 + 1e-9)
    assert res.objective == pytest.approx(mono.objective, rel=2e-3)


def test_level_set_keeps_the_optimum(tmp_path):
    """The level-set stabilisation (an L1 projection onto the level set, an LP) moves only
    the point evaluated, never the bound: with it the serving split still reaches the
    monolithic optimum, and its bound stays below it."""
    scn = load_scenario(write_scenario(tmp_path / "scn", **_spec()))
    d = build_data(scn)
    mono = api.solve(scn, method="monolithic", mip_gap=GAP, threads=1, marginals=False).result
    from planner.solver.benders import ANCHORS, SERVING, solve_benders

    m = build_model(d)
    res = solve_benders(m, d, time_limit=120, mip_gap=1e-3, threads=1, also=SERVING, level=0.5, anchors=ANCHORS)
    assert res.bound <= mono.objective * (1 + 1e-9) and mono.bound <= res.objective * (1 + 1e-9)
    assert res.objective == pytest.approx(mono.objective, rel=2e-3)
