"""Issue 12, item 2c, for every kind of binding limit: its price is the saving of one MORE
unit of the limit, with the cost of one unit less and the range the price holds for.

Two cases per kind, computed by hand on the one-site scenario of tests/builder.py (one year,
DF = 1; one unit of x1 makes UT tokens a year and draws 10 kW IT, 0.0096 MW of facility load
at PUE 1.2 and load factor 0.8; a 1 MW hall block holds 100 units):

- *binds exactly*: the demand is 100 unit-years (1 MW IT) and the limit is set to exactly
  what serving it takes. The dual of the limit may say anything; one more unit saves nothing
  (price 0, which a re-solve with one more unit confirms) and one unit less costs the
  tokens it leaves unserved at $100/Mtok, net of what serving them would have cost;
- *a price with a range*: the limit cuts into the plan; the price is the dual, and the range
  it holds for is checked by re-solving the LP it comes from with the limit moved to the edge
  of the range (the saving is price x range) and twice as far (the saving per unit falls).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from builder import BASE, write_scenario

import planner
from planner.model.data import MUSD
from planner.reporting.limits import sentences
from planner.solver.limit_registry import Locator, kind_of
from planner.solver.perturb import LPSession

RATE = 0.07
UT = 1000 * 8 * 3600 * 8760 * 0.7  # tokens per unit-year
OPEN, HALL, UNIT = 10e6, 6e6, 300_000  # site, 1 MW hall block (build + cooling), one unit
MW_UNIT = 0.8 * 10 / 1000 * 1.2  # facility MW of one active unit
E_UNIT = MW_UNIT * 8760 * 50  # USD a year of grid energy per active unit
PEN = UT / 1e6 * 100  # USD of penalty for a unit-year of tokens not served
E100 = 100 * UT  # the demand of exactly 100 units, one hall block


def crf(rate: float, life: int) -> float:
    return rate / (1 - (1 + rate) ** -life)


C_UNIT = UNIT * crf(RATE, 5) + 0.01 * HALL * crf(RATE, 15) + E_UNIT  # long-run cost of a unit-year
SR_UNIT = PEN - E_UNIT  # short run (fleet fixed): a unit idle saves only its energy
LR_UNIT = PEN - C_UNIT  # long run: a unit not bought saves its annuity, hall share and energy
GAS_MW_YR = 1000 * 1000 * crf(RATE, 30) + 20 * 1000  # USD per MW-year of gas capacity


def _demand(tokens):
    return [dict(BASE["demand"][0], tokens_per_year=tokens)]


def _solve(tmp_path, name="scn", files=None, **kw):
    folder = write_scenario(tmp_path / name, **kw)
    for fname, text in (files or {}).items():
        (folder / fname).write_text(text)
    p = planner.solve(folder)
    assert p.result.status == "optimal"
    return p


def _row(p, limit):
    bl = p.tables["binding_limits"]
    (row,) = bl[bl["limit"] == limit].itertuples()
    return row


def _session(p, basis: str) -> LPSession:
    """The LP the price of ``basis`` comes from (planner.solver.marginal.analyse)."""
    m, ho = p.model, p.result.handoff
    comp = ho.component_of()
    cuts = set(getattr(m, "tightening", []))
    free_rows = [i for i, c in enumerate(ho.rows) if c.parent_component().local_name in cuts]
    plan = {int(j): float(round(ho.columns[j].value or 0.0)) for j in np.flatnonzero(ho.integer)}
    if basis == "short_run":
        return LPSession(ho, fix=plan, unbounded_above=comp == "new", free_rows=free_rows)
    opened = {j: v for j, v in plan.items() if comp[j] == "open"}
    return LPSession(ho, fix=opened, unbounded_above=ho.integer & (comp != "open"), free_rows=free_rows)


def _saving(p, row, amount: float) -> float:
    """USD (of the limit's year) saved by ``amount`` more of the limit (its own unit), from
    a re-solve of the LP the price comes from."""
    kind = kind_of(row.limit)
    sess = _session(p, row.basis)
    cols, rows = Locator(p.model, p.data, p.result.handoff).bounds(row.limit, row.item, row.year)
    assert cols or rows
    obj = sess.objective_with(*sess.loosen(cols, rows, amount * kind.per))
    return (sess.base - obj) * MUSD / (p.data.df[row.year] if kind.discounted else 1.0)


def _holds(p, row, price: float, held: float) -> None:
    """The price holds for ``held`` more units and no further."""
    assert row.shadow_price == pytest.approx(price, rel=1e-6)
    assert row.holds_for == pytest.approx(held, rel=1e-6)
    assert _saving(p, row, held) == pytest.approx(price * held, rel=1e-6)
    assert _saving(p, row, 2 * held) < price * 2 * held * (1 - 1e-6)


def _exact(p, limit: str, item: str, basis: str, one_less: float, more) -> None:
    """The limit is met exactly: one more unit saves nothing (the LP it is priced in, and a
    re-solve of the whole scenario with one more unit, ``more``, cost the same) and one unit
    less costs ``one_less``. Where the dual put a price on it (a degenerate vertex: which of
    the tight rows gets the dual is the solver's choice), binding_limits.csv says 0 and
    ``cost_one_less``; where it did not, the limit is not listed."""
    row = SimpleNamespace(limit=limit, item=item, year=2026, basis=basis)
    step = kind_of(limit).step  # a 0.96 MW limit cannot lose a whole MW; a USD is too little to see
    assert _saving(p, row, step) / step == pytest.approx(0.0, abs=1e-6 * one_less)
    assert -_saving(p, row, -step) / step == pytest.approx(one_less, rel=1e-6)
    assert more.result.objective == pytest.approx(p.result.objective, rel=1e-9)
    bl = p.tables["binding_limits"]
    for r in bl[bl["limit"] == limit].itertuples():
        assert (r.item, r.shadow_price) == (item, 0.0)
        assert r.cost_one_less == pytest.approx(one_less, rel=1e-6)
        assert np.isnan(r.holds_for)
    return len(bl[bl["limit"] == limit])


# ---------------------------------------------------------------- DESIGN.md §4


def test_carbon_cap(tmp_path):
    """Exact: grid at 400 kg/MWh, a unit-year emits 0.0096 x 8760 x 0.4 = 33.64 t; the cap is
    100 units' CO2; one tonne less idles 1/33.64 of a unit. Range: a 800 kg, 50 $/MWh grid
    and gas at 370 kg and 62 $/MWh (plus its capacity) under a cap of 3000 t: each tonne more
    lets 1/0.43 MWh of grid replace gas, until the grid makes all 4762 MWh (3810 t)."""
    t_unit = MW_UNIT * 8760 * 0.4
    site = dict(BASE["sites"][0], grid_co2_kg_per_mwh=400)
    kw = dict(sites=[site], demand=_demand(E100))
    p = _solve(tmp_path, toml={"carbon_cap_t": 100 * t_unit}, **kw)
    more = _solve(tmp_path, "more", toml={"carbon_cap_t": 100 * t_unit + 1}, **kw)
    assert _exact(p, "carbon_cap", "all sites", "short_run", SR_UNIT / t_unit, more)
    power = [dict(r, fuel_usd_per_mwh=60) if r["tech"] == "gas" else r for r in BASE["power"]]
    p = _solve(
        tmp_path,
        "range",
        toml={"carbon_cap_t": 3000},
        sites=[dict(site, grid_co2_kg_per_mwh=800)],
        power=power,
        site_power=[{"site": "s1", "tech": "gas", "max_mw": ""}],
    )
    mwh = 1e13 / UT * MW_UNIT * 8760
    _holds(p, _row(p, "carbon_cap"), (12 + GAS_MW_YR / 8760) / 0.43, 0.8 * mwh - 3000)


def test_power_max_mw(tmp_path):
    """Gas (27 $/MWh and GAS_MW_YR a MW-year) is cheaper than the 50 $/MWh grid. Exact: max_mw
    is the whole 0.96 MW load; one MW less is a MW of grid instead of gas. Range: max_mw 0.3
    of a 0.5436 MW load: each MW more saves 23 $/MWh x 8760 h less its capacity, for 0.2436 MW."""
    sp = [{"site": "s1", "tech": "gas", "max_mw": 100 * MW_UNIT}]
    p = _solve(tmp_path, site_power=sp, demand=_demand(E100))
    more = _solve(tmp_path, "more", site_power=[dict(sp[0], max_mw=100 * MW_UNIT + 1)], demand=_demand(E100))
    _exact(p, "power_max_mw", "s1/gas", "short_run", 8760 * 23 - GAS_MW_YR, more)
    p = _solve(tmp_path, "range", site_power=[dict(sp[0], max_mw=0.3)])
    _holds(p, _row(p, "power_max_mw"), 8760 * 23 - GAS_MW_YR, 1e13 / UT * MW_UNIT - 0.3)


def test_site_it_capacity(tmp_path):
    """Exact: max_it_mw 1 for 100 units; one MW IT less leaves 100 units unbuilt. Range:
    0.5 MW IT (hall block 0.1 MW) for 0.5662 MW of work: each MW IT more holds 100 units
    more, for 0.0662 MW IT."""
    site = dict(BASE["sites"][0], max_it_mw=1)
    p = _solve(tmp_path, sites=[site], demand=_demand(E100))
    more = _solve(tmp_path, "more", sites=[dict(site, max_it_mw=2)], demand=_demand(E100))
    _exact(p, "site_it_capacity", "s1", "long_run", 100 * LR_UNIT, more)
    p = _solve(tmp_path, "range", sites=[dict(site, max_it_mw=0.5)], toml={"hall_block_mw": 0.1})
    _holds(p, _row(p, "site_it_capacity"), 100 * LR_UNIT, 1e13 / UT / 100 - 0.5)


def test_chip_supply(tmp_path):
    """Exact: 100 units a year for 100 units of demand. Range: 30 units for 56.62: each unit
    more serves a unit-year of tokens, for 26.62 units."""
    chip = dict(BASE["chips"][0], max_units_per_year=100)
    p = _solve(tmp_path, chips=[chip], demand=_demand(E100))
    more = _solve(tmp_path, "more", chips=[dict(chip, max_units_per_year=101)], demand=_demand(E100))
    _exact(p, "chip_supply", "x1", "long_run", LR_UNIT, more)
    p = _solve(tmp_path, "range", chips=[dict(chip, max_units_per_year=30)])
    _holds(p, _row(p, "chip_supply"), LR_UNIT, 1e13 / UT - 30)


# ---------------------------------------------------------------- DESIGN.md §7

LABOUR = "asset,trade,build_worker_years_per_mw,ops_workers_per_mw,source\n"
SUPPLY = "pool,trade,year,worker_years,premium_usd_per_worker_year\n"


def test_labour(tmp_path):
    """Exact: air halls take 5 electrician-years per MW; 5 are available for the one block
    100 units need; one less is 0.2 MW of hall, 20 units. Range: 5.5 worker-years per MW
    (building and operating), 3 available, more at a premium of $100,000: in the long run the
    halls are continuous (0.5662 MW), so the premium is the price for 0.1143 worker-years."""
    files = {
        "labour.csv": LABOUR + "air,electricians,5,,t\n",
        "labour_supply.csv": SUPPLY + "r1,electricians,2026,5,\n",
    }
    p = _solve(tmp_path, files=files, demand=_demand(E100))
    more = dict(files, **{"labour_supply.csv": SUPPLY + "r1,electricians,2026,6,\n"})
    _exact(
        p,
        "labour",
        "r1/electricians",
        "long_run",
        20 * LR_UNIT,
        _solve(tmp_path, "more", files=more, demand=_demand(E100)),
    )
    files = {
        "labour.csv": LABOUR + "air,electricians,5,0.5,t\n",
        "labour_supply.csv": SUPPLY + "r1,electricians,2026,3,100000\n",
    }
    p = _solve(tmp_path, "range", files=files)
    row = _row(p, "labour")
    _holds(p, row, 100_000, 1e13 / UT / 100 * 5.5 - 3)
    (s,) = sentences(p.tables["binding_limits"][lambda t: t["limit"] == "labour"])
    assert s == (
        "The electricians available in labour pool r1 bind in 2026: each extra worker-year of electricians "
        "would save $100,000 (long run; for the next 0.114 worker-years only)."
    )


def test_water_cap(tmp_path):
    """Exact: a unit evaporates 8.76 x 0.8 x 0.01 x 0.3 = 0.021024 ML a year; the cap is 100
    units' water; one ML less idles 1/0.021024 units. Range: gas (1000 L/MWh) is cheaper than
    the grid; a 2 ML cap lets it make 2000 MWh: each ML more is 1000 MWh of gas instead of
    grid, less its capacity, until gas makes the whole 0.5436 MW x 8760 h."""
    ml_unit = 8.76 * 0.8 * 0.01 * 0.3
    site = dict(BASE["sites"][0], water_cap_ml_per_yr=100 * ml_unit)
    p = _solve(tmp_path, sites=[site], demand=_demand(E100))
    more = _solve(tmp_path, "more", sites=[dict(site, water_cap_ml_per_yr=100 * ml_unit + 1)], demand=_demand(E100))
    _exact(p, "water_cap", "s1", "short_run", SR_UNIT / ml_unit, more)
    cooling = [dict(BASE["cooling"][0], wue_l_per_kwh=0)]
    power = [dict(t, water_l_per_mwh=1000 if t["tech"] == "gas" else "") for t in BASE["power"]]
    p = _solve(
        tmp_path,
        "range",
        sites=[dict(site, water_cap_ml_per_yr=2.0)],
        cooling=cooling,
        power=power,
        site_power=[{"site": "s1", "tech": "gas", "max_mw": ""}],
    )
    load_mwh = 1e13 / UT * MW_UNIT * 8760
    _holds(p, _row(p, "water_cap"), 1000 * 23 - 1000 / 8760 * GAS_MW_YR, load_mwh / 1000 - 2)


def test_facility_mw(tmp_path):
    """Exact: 0.96 MW for 100 units; one MW less leaves 1/0.0096 units unbuilt. Range: 0.3 MW
    powers 31.25 units of 56.62: each MW more powers 1/0.0096 units, for 0.2436 MW."""
    p = _solve(tmp_path, toml={"limits": {"facility_mw": 100 * MW_UNIT}}, demand=_demand(E100))
    more = _solve(tmp_path, "more", toml={"limits": {"facility_mw": 100 * MW_UNIT + 1}}, demand=_demand(E100))
    assert _exact(p, "facility_mw", "all sites", "long_run", LR_UNIT / MW_UNIT, more)
    assert sentences(p.tables["binding_limits"]) == [
        "The facility power limit is met exactly in 2026: one MW of facility draw more would save nothing; "
        "one MW of facility draw less would cost $1.83 bn."
    ]
    p = _solve(tmp_path, "range", toml={"limits": {"facility_mw": 0.3}})
    _holds(p, _row(p, "facility_mw"), LR_UNIT / MW_UNIT, (1e13 / UT - 31.25) * MW_UNIT)


def test_capex_usd_per_year(tmp_path):
    """Exact: the site, one hall block and 100 units cost 46 M; one USD less buys 1/360,000 of
    a unit (with its hall share) less. Range: 25 M buys the site and 41.67 units with their
    halls in the long run: each USD more buys 1/360,000 of a unit, for 14.96 units' worth."""
    cash = OPEN + HALL + 100 * UNIT
    p = _solve(tmp_path, toml={"limits": {"capex_usd_per_year": cash}}, demand=_demand(E100))
    more = _solve(tmp_path, "more", toml={"limits": {"capex_usd_per_year": cash + 1}}, demand=_demand(E100))
    per_usd = UNIT + 0.01 * HALL
    _exact(p, "capex_usd_per_year", "all sites", "long_run", LR_UNIT / per_usd, more)
    p = _solve(tmp_path, "range", toml={"limits": {"capex_usd_per_year": 25e6}})
    _holds(p, _row(p, "capex_usd_per_year"), LR_UNIT / per_usd, (1e13 / UT - 15e6 / per_usd) * per_usd)
    assert sentences(p.tables["binding_limits"]) == [
        "The capex budget binds in 2026: each extra USD of capex allowed that year would save $49 "
        "(long run; for the next $5.4 M only)."
    ]


def test_npc_budget_usd(tmp_path):
    """Exact: the budget is the net present cost of 100 units; one USD less removes 1/C_UNIT
    of a unit. Range: the site and 30.2 units' annual cost with a whole hall block: in the long
    run (halls continuous) that pays for more units, each USD one more 1/C_UNIT, until 56.62."""
    npc = OPEN * crf(RATE, 30) + 100 * C_UNIT
    p = _solve(tmp_path, toml={"limits": {"npc_budget_usd": npc}}, demand=_demand(E100))
    more = _solve(tmp_path, "more", toml={"limits": {"npc_budget_usd": npc + 1}}, demand=_demand(E100))
    _exact(p, "npc_budget_usd", "all sites", "long_run", LR_UNIT / C_UNIT, more)
    budget = OPEN * crf(RATE, 30) + HALL * crf(RATE, 15) + 30.2 * (UNIT * crf(RATE, 5) + E_UNIT)
    p = _solve(tmp_path, "range", toml={"limits": {"npc_budget_usd": budget}})
    units = (budget - OPEN * crf(RATE, 30)) / C_UNIT
    _holds(p, _row(p, "npc_budget_usd"), LR_UNIT / C_UNIT, (1e13 / UT - units) * C_UNIT)


# two 12-hour slices; solar has a capacity factor of 1 by day, 0 by night; 12 h battery
SLICES = [
    {"slice": "night", "day": "d", "hour": 0, "duration_h": 12, "days_per_year": 365, "grid_price_mult": 1},
    {"slice": "day", "day": "d", "hour": 12, "duration_h": 12, "days_per_year": 365, "grid_price_mult": 1},
]
SOLAR_YR = 1000 * (1000 * crf(RATE, 25) + 20)  # USD per MW-year
BATT_YR = 1000 * (1000 * crf(RATE, 15) + 25)


def _cfe(target):
    power = [dict(r, storage_hours=12) if r["tech"] == "battery" else r for r in BASE["power"]]
    return dict(
        toml={"cfe_target": target},
        slices=SLICES,
        power=power,
        site_power=[{"site": "s1", "tech": k, "max_mw": ""} for k in ("solar", "battery")],
        profiles=[
            {"site": "s1", "tech": "solar", "slice": "day", "capacity_factor": 1.0},
            {"site": "s1", "tech": "solar", "slice": "night", "capacity_factor": 0.0},
        ],
    )


def test_cfe_target(tmp_path):
    """Solar by day (24 $/MWh) is cheaper than the grid, so without a target the score is 0.5.
    Exact: a target of 0.5; one MWh a year less of clean energy required saves nothing, one
    more is a night MWh from solar through the battery instead of the grid. Range: a target
    of 0.9 of a load L = 0.5436 MW: that price, as the requirement falls, for 0.4 x 8760 x L
    MWh (down to what solar by day gives anyway)."""
    night = ((SOLAR_YR + BATT_YR) / 0.85 - 4380 * 50) / 4380
    p = _solve(tmp_path, **_cfe(0.5))
    _exact(p, "cfe_target", "s1", "short_run", night, _solve(tmp_path, "more", **_cfe(0.49)))
    p = _solve(tmp_path, "range", **_cfe(0.9))
    load = 1e13 / UT * MW_UNIT
    _holds(p, _row(p, "cfe_target"), night, 0.4 * 8760 * load)


def _countries(share, home_price, abroad_price, home_mw=100):
    """Region r1 (US) served by s1 (US) and s2 (CA), both free to open; demand of 1000
    unit-years of tokens (600 units are 60 %, 6 hall blocks)."""
    s1 = dict(BASE["sites"][0], country="US", grid_price_usd_per_mwh=home_price, open_cost_usd=0, max_it_mw=home_mw)
    s2 = dict(BASE["sites"][0], site="s2", country="CA", grid_price_usd_per_mwh=abroad_price, open_cost_usd=0)
    return dict(
        regions=[dict(BASE["regions"][0], country="US")],
        sites=[s1, s2],
        latency=[dict(BASE["latency"][0], site=s) for s in ("s1", "s2")],
        demand=[dict(BASE["demand"][0], tokens_per_year=1000 * UT, sovereign_share=share)],
    )


def test_sovereignty(tmp_path):
    """Exact: home (20 $/MWh) is cheaper than abroad (100 $/MWh) but holds 6 MW IT, 600 units:
    the 60 % share is met by the cheaper site anyway. One million tokens less required at
    home saves nothing; one more goes unserved ($100) instead of served abroad. Range: home
    at 100 $/MWh, abroad at 20: each million tokens less required at home saves the energy
    price gap, for all 0.6 x 1000 unit-years of tokens."""
    mtok = UT / 1e6  # million tokens per unit-year
    abroad = (UNIT * crf(RATE, 5) + 0.01 * HALL * crf(RATE, 15) + MW_UNIT * 8760 * 100) / mtok
    p = _solve(tmp_path, **_countries(0.6, 20, 100, home_mw=6))
    more = _solve(tmp_path, "more", **_countries(0.59, 20, 100, home_mw=6))
    _exact(p, "sovereignty", "r1/m1", "long_run", 100 - abroad, more)
    text = sentences(p.tables["binding_limits"][lambda t: t["limit"] == "sovereignty"])
    assert text in (
        [],
        [
            "The sovereign share of m1 in r1 is met exactly in 2026: lowering it by one million tokens "
            "would save nothing; raising it by one would cost $100."
        ],
    )
    p = _solve(tmp_path, "range", **_countries(0.6, 100, 20))
    _holds(p, _row(p, "sovereignty"), MW_UNIT * 8760 * 80 / mtok, 0.6 * 1000 * mtok)
