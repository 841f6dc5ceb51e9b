"""Hand-computed cases for the existing fleet and chip supply by year (DESIGN.md §7.7).

Base scenario (tests/builder.py): one unit makes UNIT_TOKENS tokens a year at 10 kW IT;
1e13 tokens need 56.62 active units (57 installed); facility MW per active unit 0.0096.
Here chips pay 10 k USD/unit/yr and the site 50 k USD per MW IT of hall a year of fixed O&M.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from builder import BASE, write_scenario

from planner.api import solve
from planner.io.errors import InputError
from planner.io.scenario import load_scenario

RATE = 0.07
UNIT_TOKENS = 1000 * 8 * 3600 * 8760 * 0.7
UNIT = 300_000
ACTIVE = 1e13 / UNIT_TOKENS
MW_PER_UNIT = 0.8 * 10 / 1000 * 1.2
CHIP_FOM, SITE_FOM = 10_000, 50_000


def crf(rate: float, life: int) -> float:
    return rate / (1 - (1 + rate) ** -life)


def _write(tmp_path, existing=None, supply=None, years=1, **kw):
    chips = [dict(BASE["chips"][0], fom_usd_per_unit_yr=CHIP_FOM)] + kw.pop("extra_chips", [])
    sites = [dict(BASE["sites"][0], fom_usd_per_mw_it_yr=SITE_FOM)]
    demand = [dict(BASE["demand"][0], year=2026 + i) for i in range(years)]
    toml = {"end_year": 2025 + years, **kw.pop("toml", {})}
    folder = write_scenario(tmp_path / "scn", toml=toml, chips=chips, sites=sites, demand=demand, **kw)
    if existing is not None:
        pd.DataFrame(existing, columns=["site", "asset", "cooling", "build_year", "quantity", "source"]).to_csv(
            folder / "existing.csv", index=False
        )
    if supply is not None:
        pd.DataFrame(supply, columns=["chip", "year", "max_units", "source"]).to_csv(
            folder / "chip_supply.csv", index=False
        )
    return folder


def test_no_fleet_files_same_program(tmp_path):
    a = solve(_write(tmp_path / "a"), marginals=False)
    b = solve(_write(tmp_path / "b", existing=[]), marginals=False)
    assert a.result.sizes == b.result.sizes
    assert a.summary()["objective_usd"] == b.summary()["objective_usd"]


def test_existing_halls_and_units_no_capital_om_paid(tmp_path):
    ex = [["s1", "air", "", 2020, 0.6, "test"], ["s1", "x1", "air", 2023, 40, "test"]]
    p = solve(_write(tmp_path, existing=ex))
    s = p.summary()
    cap = p.tables["capacity"].iloc[0]
    assert cap["units_installed"] == 57  # 40 existing + 17 bought
    inv = p.tables["investment_schedule"]
    bought = inv[inv["item"] == "x1 (air)"]
    assert bought["quantity"].sum() == 17
    assert "site" not in set(inv["item"])  # an existing site opens at no cost
    assert not any(str(i).startswith("hall air") for i in inv["item"])  # 0.6 MW of existing halls suffice
    existing = inv[inv["item"].str.endswith("(existing)")]
    assert set(existing["item"]) == {"air (existing)", "x1 (existing)"}
    assert existing["capex_usd"].sum() == 0
    assert sorted(existing["year"]) == [2020, 2023]
    expected = (
        17 * UNIT * crf(RATE, 5)  # only the units bought carry capital
        + 57 * CHIP_FOM  # fixed O&M of every installed unit, existing ones included
        + 0.6 * SITE_FOM  # existing halls pay the site's O&M
        + ACTIVE * MW_PER_UNIT * 8760 * 50
    )
    assert s["objective_usd"] == pytest.approx(expected, rel=1e-7)
    assert p.failures == []


def test_service_window(tmp_path):
    # units built in 2022 with a 5-year life serve 2022-2026 only: in 2027 all 57 are bought
    ex = [["s1", "air", "", 2020, 1.0, "test"], ["s1", "x1", "air", 2022, 40, "test"]]
    p = solve(_write(tmp_path, existing=ex, years=2))
    cap = p.tables["capacity"].set_index("year")
    assert cap.loc[2026, "units_installed"] == 57 and cap.loc[2027, "units_installed"] == 57
    inv = p.tables["investment_schedule"]
    buys = inv[inv["item"] == "x1 (air)"].set_index("year")["quantity"]
    assert buys.to_dict() == {2026: 17, 2027: 40}
    df = 1 / (1 + RATE)
    energy = ACTIVE * MW_PER_UNIT * 8760 * 50
    expected = (17 * UNIT * crf(RATE, 5) + 57 * CHIP_FOM + SITE_FOM + energy) + df * (
        57 * UNIT * crf(RATE, 5) + 57 * CHIP_FOM + SITE_FOM + energy
    )
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)
    assert p.failures == []


def test_existing_units_retired_early(tmp_path):
    # an old chip, a tenth of x1's throughput at the same power: at 1000 USD/MWh its energy
    # (4.76 USD/Mtok) costs more than a new x1's annuity, O&M and energy (0.95 USD/Mtok)
    old = dict(BASE["chips"][0], chip="old", first_year=2018, last_year=2020, fom_usd_per_unit_yr=0)
    tp = [BASE["throughput"][0], dict(BASE["throughput"][0], chip="old", tokens_per_s_per_chip=100)]
    sites = [dict(BASE["sites"][0], grid_price_usd_per_mwh=1000, fom_usd_per_mw_it_yr=0)]
    ex = [["s1", "air", "", 2020, 1.0, "test"], ["s1", "old", "air", 2024, 40, "test"]]
    folder = _write(tmp_path, existing=ex, extra_chips=[old], throughput=tp)
    pd.DataFrame(sites).to_csv(folder / "sites.csv", index=False)
    p = solve(folder)
    cap = p.tables["capacity"].set_index("chip")
    assert cap.loc["old", "units_installed"] == 40 and cap.loc["old", "units_active"] == pytest.approx(0)
    assert cap.loc["x1", "units_installed"] == 57
    early = p.summary()["existing"]["retired_early"]
    assert early and early[0]["chip"] == "old" and early[0]["idle_existing"] == pytest.approx(40)
    report = (p.write(tmp_path / "out") / "report.md").read_text()
    assert early[0]["reason"] == "cost"
    assert "retired early at s1 (left idle: newer chips pay for their own power)" in report
    assert p.failures == []


def test_chip_supply_year_binds_with_committed_units(tmp_path):
    # 40 committed units built in 2026 count in that year's supply of 45: 5 more can be bought
    ex = [["s1", "air", "", 2020, 1.0, "test"], ["s1", "x1", "air", 2026, 40, "test"]]
    p = solve(_write(tmp_path, existing=ex, supply=[["x1", 2026, 45, "test"]]))
    cap = p.tables["capacity"].iloc[0]
    assert cap["units_installed"] == 45 and cap["units_active"] == pytest.approx(45)
    unserved = p.tables["unserved"]["tokens"].sum()
    assert unserved == pytest.approx(1e13 - 45 * UNIT_TOKENS, rel=1e-7)
    bl = p.tables["binding_limits"]
    row = bl[bl["limit"] == "chip_supply"]
    assert len(row) == 1 and row.iloc[0]["year"] == 2026
    assert p.failures == []


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([["s1", "big", "air", 2024, 4, "t"]], "more than air can cool"),
        ([["s1", "air", "", 2024, 150, "t"]], "above the site's max_it_mw 100"),
        ([["s1", "x1", "air", 2024, 2.5, "t"]], "2.5 is not a whole number of x1 units"),
        ([["s1", "x1", "air", 2031, 4, "t"]], "2031 is after end_year 2026"),
        ([["s1", "gas", "", 2024, 50, "t"]], "above its max_mw 10"),
        ([["s9", "air", "", 2024, 5, "t"]], "'s9' is not a site"),
        ([["s1", "aír", "", 2024, 5, "t"]], "did you mean air?"),
        ([["s1", "x1", "air", 2026, 50, "t"]], "exceed that year's chip supply of 45"),
    ],
)
def test_bad_existing(tmp_path, rows, words):
    big = dict(BASE["chips"][0], chip="big", rack_kw=100)
    sp = [{"site": "s1", "tech": "gas", "max_mw": 10}]
    folder = _write(tmp_path, existing=rows, extra_chips=[big], site_power=sp, supply=[["x1", 2026, 45, "t"]])
    with pytest.raises(InputError) as e:
        load_scenario(folder)
    assert words in str(e.value)
    assert "existing.csv, row 2" in str(e.value)


def test_copy_is_unchanged():
    assert copy.deepcopy(BASE) == BASE


def test_existing_power_no_capital_om_paid(tmp_path):
    # no grid: 1 MW of existing gas (no site_power.csv pair needed) carries the 0.54 MW load;
    # the site opens free (it has an existing row) and builds one 1 MW hall block
    sites = [dict(BASE["sites"][0], grid_cap_mw=0, fom_usd_per_mw_it_yr=SITE_FOM)]
    folder = _write(tmp_path, existing=[["s1", "gas", "", 2020, 1.0, "test"]])
    pd.DataFrame(sites).to_csv(folder / "sites.csv", index=False)
    p = solve(folder)
    load = ACTIVE * MW_PER_UNIT
    expected = (
        6e6 * crf(RATE, 15)  # one hall block: build 5 M + cooling 1 M per MW
        + 57 * UNIT * crf(RATE, 5)
        + 57 * CHIP_FOM
        + SITE_FOM
        + 20 * 1000 * 1.0  # gas fixed O&M, 20 USD/kW-yr, no capital
        + load * 8760 * (2 + 25)  # gas vom + fuel
    )
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)
    en = p.tables["energy"].set_index("tech")
    assert en.loc["gas", "capacity_mw"] == pytest.approx(1.0)
    assert p.tables["investment_schedule"].query("layer == 'energy'")["item"].tolist() == ["gas (existing)"]
    assert p.failures == []


def test_npc_budget_below_the_existing_fleet_is_diagnosed(tmp_path):
    # 40 existing units pay 400 k USD of fixed O&M in every plan: a 100 k budget is infeasible
    from planner.io.errors import NoSolutionError

    folder = _write(tmp_path, existing=[["s1", "air", "", 2020, 1.0, "t"], ["s1", "x1", "air", 2024, 40, "t"]])
    with open(folder / "scenario.toml", "a", encoding="utf-8") as f:
        f.write("[limits]\nnpc_budget_usd = 100000\n")
    with pytest.raises(NoSolutionError) as e:
        solve(folder)
    text = " ".join(e.value.diagnosis)
    assert "net present cost budget" in text and "has to rise" in text


def test_units_retired_early_are_one_sentence_per_site():
    from planner.reporting.fleet import retired_sentences

    early = [
        {"site": "s1", "chip": "A", "year": 2027, "idle_existing": 10},
        {"site": "s1", "chip": "A", "year": 2028, "idle_existing": 30},
        {"site": "s1", "chip": "A", "year": 2028, "idle_existing": 10},  # in halls of another cooling
        {"site": "s1", "chip": "A", "year": 2029, "idle_existing": 5},
        {"site": "s1", "chip": "B", "year": 2031, "idle_existing": 12},
        {"site": "s2", "chip": "B", "year": 2030, "idle_existing": 3},
    ]
    assert retired_sentences(early) == [  # records without a reason (older folders): no reason claimed
        "Existing units retired early at s1 (left idle): up to 40 A in 2027–2029, up to 12 B in 2031.",
        "Existing units retired early at s2 (left idle): up to 3 B in 2030.",
    ]
    early[0]["reason"] = "cost"
    early[4].update(reason="halls_full", cooling="dlc")
    assert retired_sentences(early)[0] == (
        "Existing units retired early at s1 (left idle: its dlc halls are full and no more can be built in time; "
        "newer chips pay for their own power): up to 40 A in 2027–2029, up to 12 B in 2031."
    )
