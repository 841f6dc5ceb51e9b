"""Hand-computed cases for the limits of DESIGN.md §7.6 (``[limits]`` in scenario.toml).

Base scenario (tests/builder.py, one year, DF = 1): one 8-GPU unit makes UNIT_TOKENS tokens
a year, draws 10 kW IT, i.e. 0.8 x 0.01 x 1.2 = 0.0096 MW of facility load; 1e13 tokens
need 56.62 active units. Unserved tokens cost 100 USD per million, far more than serving
them, so a binding limit caps the tokens served.
"""

from __future__ import annotations

import math

import pytest
from builder import write_scenario

from planner.api import plan, solve
from planner.io.errors import InputError
from planner.io.scenario import load_scenario

RATE = 0.07
UNIT_TOKENS = 1000 * 8 * 3600 * 8760 * 0.7
OPEN, HALL, UNIT = 10e6, 6e6, 300_000
MW_PER_UNIT = 0.8 * 10 / 1000 * 1.2  # facility MW of one active unit
ENERGY_PER_UNIT = MW_PER_UNIT * 8760 * 50  # USD a year of grid energy per active unit


def crf(rate: float, life: int) -> float:
    return rate / (1 - (1 + rate) ** -life)


def _scn(tmp_path, limits=None, **toml):
    doc = dict(toml)
    if limits is not None:
        doc["limits"] = limits
    return write_scenario(tmp_path / "scn", toml=doc)


def test_no_limits_same_program(tmp_path):
    base = plan(_scn(tmp_path / "a"))
    same = plan(_scn(tmp_path / "b", limits={}))
    assert same.result.sizes == base.result.sizes
    assert same.summary()["objective_usd"] == base.summary()["objective_usd"]
    assert not hasattr(base.model, "limit_capex") and not hasattr(base.model, "limit_facility")


def test_facility_limit_binds(tmp_path):
    p = solve(_scn(tmp_path, limits={"facility_mw": 0.3}))
    active = 0.3 / MW_PER_UNIT  # 31.25 units powered on
    cap = p.tables["capacity"].iloc[0]
    assert cap["units_active"] == pytest.approx(active, rel=1e-7)
    assert cap["units_installed"] == 32
    unserved = 1e13 - active * UNIT_TOKENS
    expected = (
        OPEN * crf(RATE, 30) + HALL * crf(RATE, 15) + 32 * UNIT * crf(RATE, 5) + 0.3 * 8760 * 50 + unserved / 1e6 * 100
    )
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)
    bl = p.tables["binding_limits"]
    row = bl[bl["limit"] == "facility_mw"].iloc[0]
    # long run: one more MW powers 1/0.0096 more units, each saving its penalty net of its
    # annuity, its hall share (0.01 MW of a 6 MUSD/MW block) and its energy
    per_unit = UNIT_TOKENS / 1e6 * 100 - UNIT * crf(RATE, 5) - 0.01 * HALL * crf(RATE, 15) - ENERGY_PER_UNIT
    assert row["shadow_price"] == pytest.approx(per_unit / MW_PER_UNIT, rel=1e-6)
    assert row["unit"] == "USD per MW" and row["basis"] == "long_run"
    assert "facility power limit binds" in (p.write(tmp_path / "out") / "report.md").read_text()


def test_capex_limit_binds(tmp_path):
    # the site (10 M) + one hall block (6 M) + 30 units (9 M)
    p = solve(_scn(tmp_path, limits={"capex_usd_per_year": 25e6}))
    inv = p.tables["investment_schedule"]
    assert inv["capex_usd"].sum() == pytest.approx(25e6)
    cap = p.tables["capacity"].iloc[0]
    assert cap["units_installed"] == 30 and cap["units_active"] == pytest.approx(30)
    expected = (
        OPEN * crf(RATE, 30)
        + HALL * crf(RATE, 15)
        + 30 * UNIT * crf(RATE, 5)
        + 30 * ENERGY_PER_UNIT
        + (1e13 - 30 * UNIT_TOKENS) / 1e6 * 100
    )
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)
    # long run (halls continuous): one more USD buys 1/(300 k + 60 k hall share) of a unit
    per_unit = UNIT_TOKENS / 1e6 * 100 - UNIT * crf(RATE, 5) - 0.01 * HALL * crf(RATE, 15) - ENERGY_PER_UNIT
    bl = p.tables["binding_limits"]
    row = bl[bl["limit"] == "capex_usd_per_year"].iloc[0]
    assert row["shadow_price"] == pytest.approx(per_unit / (UNIT + 0.01 * HALL), rel=1e-6)
    assert row["unit"] == "USD per USD"


def test_npc_budget_binds(tmp_path):
    fixed = OPEN * crf(RATE, 30) + HALL * crf(RATE, 15)
    full = UNIT * crf(RATE, 5) + ENERGY_PER_UNIT  # one unit bought and run all year
    budget = fixed + 30.2 * full  # 30 units fit, a 31st does not pay its annuity
    p = solve(_scn(tmp_path, limits={"npc_budget_usd": budget}))
    cap = p.tables["capacity"].iloc[0]
    assert cap["units_installed"] == 30 and cap["units_active"] == pytest.approx(30)
    assert p.summary()["npc_usd"] == pytest.approx(fixed + 30 * full, rel=1e-9)
    assert p.summary()["npc_usd"] <= budget


def test_year_table_interpolates(tmp_path):
    folder = write_scenario(tmp_path / "scn", toml={"end_year": 2030})
    with open(folder / "scenario.toml", "a", encoding="utf-8") as f:
        f.write('[limits]\nfacility_mw = { "2026" = 10, "2030" = 50 }\n')
    scn = load_scenario(folder)
    from planner.model import build_data

    d = build_data(scn)
    assert [d.limits["facility_mw"][y] for y in range(2026, 2031)] == [10, 20, 30, 40, 50]


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        ({"facility_mw": -5}, "limits.facility_mw: -5 is below the minimum 0"),
        ({"facilty_mw": 5}, "did you mean facility_mw?"),
        ({"npc_budget_usd": '{ "2026" = 5 }'}, "must be a single number"),
        ({"capex_usd_per_year": '{ "2026" = -1 }'}, "limits.capex_usd_per_year.2026"),
    ],
)
def test_bad_limits(tmp_path, limits, words):
    folder = write_scenario(tmp_path / "scn")
    lines = "".join(f"{k} = {v}\n" for k, v in limits.items())
    with open(folder / "scenario.toml", "a", encoding="utf-8") as f:
        f.write("[limits]\n" + lines)
    with pytest.raises(InputError) as e:
        load_scenario(folder)
    assert words in str(e.value)


def test_unserved_count_unchanged_math():
    assert math.ceil(1e13 / UNIT_TOKENS) == 57
