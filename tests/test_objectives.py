"""Hand-computed cases for the objective modes of DESIGN.md §7.6 (``tokens`` and ``value``).

Figures of the base scenario (tests/builder.py, one year, DF = 1) as in tests/test_limits.py.
"""

from __future__ import annotations

import copy

import pytest
from builder import BASE, write_scenario

from planner.api import solve
from planner.io.scenario import load_scenario

RATE = 0.07
UNIT_TOKENS = 1000 * 8 * 3600 * 8760 * 0.7
OPEN, HALL, UNIT = 10e6, 6e6, 300_000
MW_PER_UNIT = 0.8 * 10 / 1000 * 1.2
ENERGY_PER_MW = 8760 * 50


def crf(rate: float, life: int) -> float:
    return rate / (1 - (1 + rate) ** -life)


FIXED = OPEN * crf(RATE, 30) + HALL * crf(RATE, 15)


def _write(tmp_path, toml, limits=None, **tables):
    folder = write_scenario(tmp_path / "scn", toml=toml, **tables)
    if limits:
        with open(folder / "scenario.toml", "a", encoding="utf-8") as f:
            f.write("[limits]\n" + "".join(f"{k} = {v}\n" for k, v in limits.items()))
    return folder


def test_tokens_stage1_max_and_stage2_cheapest(tmp_path):
    # a second chip exactly like x1 but twice the price: stage 1 is indifferent, stage 2 picks x1
    chips = [BASE["chips"][0], dict(BASE["chips"][0], chip="x2", capex_usd_per_unit=600_000)]
    tp = [BASE["throughput"][0], dict(BASE["throughput"][0], chip="x2")]
    folder = _write(tmp_path, {"objective": "tokens"}, {"facility_mw": 0.3}, chips=chips, throughput=tp)
    p = solve(folder)
    s = p.summary()
    t1 = 0.3 / MW_PER_UNIT * UNIT_TOKENS  # 31.25 units' tokens, all the facility limit allows
    assert s["objective"] == "tokens"
    assert s["tokens_max"] == pytest.approx(t1, rel=1e-7)
    assert s["tokens_bound"] >= s["tokens_max"] * (1 - 1e-7)
    assert s["tokens_served"] == pytest.approx(t1, rel=2e-6)
    assert s["tokens_served"] >= t1 * (1 - 1e-6) * (1 - 1e-9)
    cap = p.tables["capacity"]
    assert set(cap["chip"]) == {"x1"} and cap["units_installed"].sum() == 32
    active = s["tokens_served"] / UNIT_TOKENS
    expected = FIXED + 32 * UNIT * crf(RATE, 5) + active * MW_PER_UNIT * ENERGY_PER_MW  # no penalty
    assert s["objective_usd"] == pytest.approx(expected, rel=1e-9)
    assert s["npc_usd"] == pytest.approx(expected, rel=1e-9)
    assert s["tokens_per_usd"] == pytest.approx(s["tokens_served"] / expected, rel=1e-9)
    assert s["tokens_per_mw"] == pytest.approx(s["tokens_served"] / (active * MW_PER_UNIT), rel=1e-6)
    assert p.failures == []
    report = (p.write(tmp_path / "out") / "report.md").read_text()
    assert "Objective **tokens**" in report


def test_tokens_without_limits_serves_all_demand(tmp_path):
    p = solve(_write(tmp_path, {"objective": "tokens"}))
    s = p.summary()
    assert s["tokens_max"] == pytest.approx(1e13, rel=1e-9)
    assert p.tables["unserved"]["tokens"].sum() <= 1e13 * 1e-6 + 1
    assert p.tables["capacity"]["units_installed"].sum() == 57


@pytest.mark.parametrize("value", [2.0, 0.3])
def test_value_mode(tmp_path, value):
    models = [dict(BASE["models"][0], value_usd_per_mtok=value)]
    p = solve(_write(tmp_path, {"objective": "value"}, models=models))
    s = p.summary()
    if value == 2.0:
        # each unit earns 1.766e11 / 1e6 x 2 = 353 k USD a year, far above its ~77 k cost: all
        # demand (a ceiling) is served by 57 units
        npc = FIXED + 57 * UNIT * crf(RATE, 5) + 1e13 / UNIT_TOKENS * MW_PER_UNIT * ENERGY_PER_MW
        worth = 1e13 / 1e6 * value
        assert s["value_usd"] == pytest.approx(worth, rel=1e-9)
        assert s["npc_usd"] == pytest.approx(npc, rel=1e-9)
        assert s["objective_usd"] == pytest.approx(npc - worth, rel=1e-9)
        assert s["objective_usd"] < 0
    else:
        # 0.3 USD/Mtok: a unit earns 53 k a year, less than its annuity and energy (77 k): nothing
        assert p.tables["investment_schedule"].empty
        assert s["objective_usd"] == pytest.approx(0.0, abs=1e-3)
        assert s["value_usd"] == pytest.approx(0.0, abs=1e-3)
    assert p.failures == []


def test_value_mode_without_values_warns(tmp_path):
    scn = load_scenario(_write(tmp_path, {"objective": "value"}))
    assert any("value_usd_per_mtok" in w.sentence() for w in scn.warnings)


def test_cost_mode_unchanged_by_value_column(tmp_path):
    base = solve(_write(tmp_path / "a", {}), marginals=False)
    models = [dict(BASE["models"][0], value_usd_per_mtok=5.0)]
    same = solve(_write(tmp_path / "b", {}, models=copy.deepcopy(models)), marginals=False)
    assert same.result.sizes == base.result.sizes
    assert same.summary()["objective_usd"] == base.summary()["objective_usd"]
    assert base.summary()["objective"] == "cost"
