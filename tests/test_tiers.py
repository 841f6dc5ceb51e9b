"""Service tiers (DESIGN.md §7.9): hand-computed plans where a tier changes the chip bought,
the blank-tier fallback of throughput.csv, the program without tiers, and every validation
sentence of the tier inputs.

Figures of the hand cases (tests/builder.py base): one 8-GPU unit at T tok/s/GPU makes
T x 8 x 3600 x 8760 x 0.7 tokens a year; 10 kW per unit; 1 MW hall blocks; PUE 1.2; load
factor 0.8; grid 50 USD/MWh. Two chips: ``old`` (300 kUSD, 1000 tok/s/GPU at batch, 100 at
interactive) and ``new`` (600 kUSD, 1500 at batch, 1000 at interactive). Per token ``old``
is cheaper at batch (300/1000 < 600/1500 USD per tok/s) and ``new`` far cheaper at
interactive (600/1000 < 300/100).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd
import pytest
from builder import BASE, bundled_copy, write_scenario

from planner.api import plan
from planner.io.errors import InputError
from planner.io.scenario import load_scenario
from planner.io.tiers import SEP
from planner.model import build_data, build_model

RATE = 0.07
OPEN, BUILD, COOL = 10e6, 5e6, 1e6
SECONDS = 3600 * 8760 * 0.7


def crf(rate: float, life: int) -> float:
    return rate / (1 - (1 + rate) ** -life)


def _chip(name: str, capex: float) -> dict:
    c = copy.deepcopy(BASE["chips"][0])
    c.update(chip=name, capex_usd_per_unit=capex)
    return c


CHIPS = [_chip("old", 300_000), _chip("new", 600_000)]
TIERS = [
    {"tier": "batch", "tokens_per_s_per_user": "", "description": "offline", "value_mult": "", "source": "test"},
    {"tier": "interactive", "tokens_per_s_per_user": 100, "description": "chat", "value_mult": 2, "source": "test"},
]
TPUT = [
    {"model": "m1", "chip": "old", "tokens_per_s_per_chip": 1000, "tier": "batch", "source": "test"},
    {"model": "m1", "chip": "old", "tokens_per_s_per_chip": 100, "tier": "interactive", "source": "test"},
    {"model": "m1", "chip": "new", "tokens_per_s_per_chip": 1500, "tier": "batch", "source": "test"},
    {"model": "m1", "chip": "new", "tokens_per_s_per_chip": 1000, "tier": "interactive", "source": "test"},
]


def _demand(**tokens) -> list[dict]:
    return [
        {"region": "r1", "model": "m1", "year": 2026, "tokens_per_year": v, "max_latency_ms": "", "tier": t}
        for t, v in tokens.items()
    ]


def _write(folder: Path, tiers=TIERS, **kw) -> Path:
    kw.setdefault("chips", CHIPS)
    kw.setdefault("throughput", TPUT)
    write_scenario(folder, **kw)
    if tiers is not None:
        pd.DataFrame(tiers).to_csv(folder / "tiers.csv", index=False)
    return folder


def _units(tokens: float, tps: float) -> float:
    return tokens / (tps * 8 * SECONDS)


def _grid_usd(active_units: float) -> float:
    return 0.8 * active_units * 10 / 1000 * 1.2 * 8760 * 50


def _bought(p) -> dict:
    cap = p.tables["capacity"]
    return cap.groupby("chip")["units_installed"].sum().to_dict()


def test_batch_demand_buys_the_cheap_per_token_chip(tmp_path):
    p = plan(_write(tmp_path / "s", demand=_demand(batch=1e13)))
    a = _units(1e13, 1000)  # 56.62 units of old
    assert _bought(p) == {"old": math.ceil(a)}
    expected = OPEN * crf(RATE, 30) + (BUILD + COOL) * crf(RATE, 15) + 57 * 300_000 * crf(RATE, 5) + _grid_usd(a)
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)
    s = p.tables["serving"]
    assert list(s.columns) == ["year", "region", "site", "model", "tier", "tokens"]
    assert s.iloc[0]["tier"] == "batch" and s.iloc[0]["model"] == "m1"


def test_interactive_tier_changes_the_chip_generation_bought(tmp_path):
    p = plan(_write(tmp_path / "s", demand=_demand(interactive=1e13)))
    a = _units(1e13, 1000)  # new at 1000 tok/s/GPU interactive: 56.62 units (old would need 566.2)
    assert _bought(p) == {"new": 57}
    expected = OPEN * crf(RATE, 30) + (BUILD + COOL) * crf(RATE, 15) + 57 * 600_000 * crf(RATE, 5) + _grid_usd(a)
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)


def test_both_tiers_buy_both_generations(tmp_path):
    """Batch 56.62 old-unit-years and interactive 56.62 new-unit-years. 57 old + 57 new and
    55 old + 58 new cost the same capital (2 old = 1 new), and the second lets new's spare
    time make the batch tokens old cannot (1.62 old-units at 1.5x: 1.08 new-units); 53 + 59 (same capital) cannot make the tokens, every other mix costs more."""
    p = plan(_write(tmp_path / "s", demand=_demand(batch=1e13, interactive=1e13)))
    batch, inter = _units(1e13, 1000), _units(1e13, 1000)
    assert _bought(p) == {"old": 55, "new": 58}
    # energy is cheaper per token on new: new runs flat out (58 units), its spare 1.38 units make
    # 2.06 old-units of batch, and old runs the remaining 54.56 units
    active = 58 + batch - (58 - inter) * 1500 / 1000
    # 112.7 units x 10 kW = 1.13 MW of active IT: two 1 MW hall blocks
    expected = (
        OPEN * crf(RATE, 30)
        + 2 * (BUILD + COOL) * crf(RATE, 15)
        + (55 * 300_000 + 58 * 600_000) * crf(RATE, 5)
        + _grid_usd(active)
    )
    assert p.summary()["objective_usd"] == pytest.approx(expected, rel=1e-7)
    s = p.tables["serving"].set_index("tier")["tokens"]
    assert s["batch"] == pytest.approx(1e13) and s["interactive"] == pytest.approx(1e13)
    assert p.failures == []


def test_blank_tier_throughput_is_the_fallback_and_an_explicit_zero_blocks_it(tmp_path):
    tput = [
        {"model": "m1", "chip": "old", "tokens_per_s_per_chip": 1000, "tier": "", "source": "test"},
        {"model": "m1", "chip": "old", "tokens_per_s_per_chip": 0, "tier": "interactive", "source": "test"},
        {"model": "m1", "chip": "new", "tokens_per_s_per_chip": 500, "tier": "", "source": "test"},
    ]
    folder = _write(tmp_path / "s", throughput=tput, demand=_demand(batch=1e13, interactive=1e13))
    d = build_data(load_scenario(folder))
    chips_of = {}
    for _s, g, p, _y in d.tok_sgmy:
        chips_of.setdefault(p, set()).add(g)
    assert chips_of == {f"m1{SEP}batch": {"old", "new"}, f"m1{SEP}interactive": {"new"}}
    # the fallback's coefficient: units-year per Ttok at 500 tok/s/GPU
    coef = d.tok_coef["s1", "new", f"m1{SEP}interactive", 2026]
    assert coef == pytest.approx(1e12 / (500 * 8 * SECONDS))
    p = plan(folder)
    assert _bought(p) == {"old": math.ceil(_units(1e13, 1000)), "new": math.ceil(_units(1e13, 500))}


def test_blank_demand_tier_is_the_default_tier(tmp_path):
    dem = _demand(interactive=1e13)
    dem[0]["tier"] = ""
    folder = _write(tmp_path / "s", demand=dem, toml={"default_tier": "interactive"})
    p = plan(folder)
    assert _bought(p) == {"new": 57}
    assert p.tables["serving"]["tier"].tolist() == ["interactive"]
    # without default_tier the first row of tiers.csv (batch) is the default
    folder = _write(tmp_path / "t", demand=dem)
    assert _bought(plan(folder)) == {"old": 57}


def test_value_multiplier_per_tier(tmp_path):
    d = build_data(load_scenario(_write(tmp_path / "s", demand=_demand(batch=1e13))))
    assert d.value_mult == {"batch": 1.0, "interactive": 2.0}
    assert d.tiers == ["batch", "interactive"]
    assert d.product_of[f"m1{SEP}batch"] == ("m1", "batch")


def _sizes(folder: Path) -> tuple[int, int, float]:
    d = build_data(load_scenario(folder))
    m = build_model(d)
    import pyomo.environ as pyo

    nvar = sum(1 for _ in m.component_data_objects(pyo.Var))
    ncon = sum(1 for _ in m.component_data_objects(pyo.Constraint, active=True))
    return nvar, ncon, d


def test_without_tier_inputs_the_program_is_unchanged(tmp_path):
    """A scenario that uses no tier input has no products; one that puts everything in a single
    tier (blank tier columns, a tiers.csv of one row) builds the same program: same number of
    variables and rows, same objective."""
    from planner.prep import roofline

    # the models layer before tiers: one row per model and chip (MLPerf Server + roofline),
    # which planner.prep.roofline still builds
    old = roofline.throughput_table().to_csv(index=False)
    plain = bundled_copy(tmp_path / "plain", 2026, name="us")
    (plain / "throughput.csv").write_text(old)
    toml = plain / "scenario.toml"
    toml.write_text("\n".join(x for x in toml.read_text().splitlines() if not x.startswith("default_tier")) + "\n")
    nv0, nc0, d0 = _sizes(plain)
    assert d0.product_of == {} and SEP not in "".join(d0.models)
    tiered = bundled_copy(tmp_path / "tiered", 2026, name="us")
    (tiered / "throughput.csv").write_text(old)
    toml = tiered / "scenario.toml"
    toml.write_text("\n".join(x for x in toml.read_text().splitlines() if not x.startswith("default_tier")) + "\n")
    for f in ("demand.csv",):
        t = pd.read_csv(tiered / f, keep_default_na=False, dtype=str)
        t["tier"] = ""
        t.to_csv(tiered / f, index=False)
    pd.DataFrame([{"tier": "standard", "tokens_per_s_per_user": "", "description": "", "source": "test"}]).to_csv(
        tiered / "tiers.csv", index=False
    )
    nv1, nc1, d1 = _sizes(tiered)
    assert d1.product_of and (nv1, nc1) == (nv0, nc0)
    p0 = plan(plain, threads=1, time_limit=120)
    p1 = plan(tiered, threads=1, time_limit=120)
    assert p1.summary()["objective_usd"] == pytest.approx(p0.summary()["objective_usd"], rel=1e-9)
    s0 = p0.tables["serving"].groupby(["year", "region", "model"])["tokens"].sum()
    s1 = p1.tables["serving"].groupby(["year", "region", "model"])["tokens"].sum()
    pd.testing.assert_series_equal(s0, s1, rtol=1e-6)


# ------------------------------------------------------------------ validation sentences


def _errors(folder: Path) -> list[str]:
    with pytest.raises(InputError) as e:
        load_scenario(folder)
    return [p.sentence() for p in e.value.problems]


def test_tier_not_in_tiers_csv(tmp_path):
    errs = _errors(_write(tmp_path / "s", demand=_demand(interactiv=1e13)))
    assert errs == [
        "demand.csv, row 2, column tier: 'interactiv' is not a tier listed in tiers.csv (did you mean interactive?)."
    ]
    tput = [dict(TPUT[0], tier="Batch")]
    errs = _errors(_write(tmp_path / "t", throughput=tput, demand=_demand(batch=1e13)))
    assert errs == [
        "throughput.csv, row 2, column tier: 'Batch' is not a tier listed in tiers.csv (did you mean batch?)."
    ]


def test_tier_column_without_tiers_csv_even_blank(tmp_path, monkeypatch):
    import shutil

    import planner.io.scenario as scenario_io

    bare = tmp_path / "models"  # a models folder without tiers.csv
    bare.mkdir()
    for f in ("models.csv", "throughput.csv"):
        shutil.copy(scenario_io.MODELS_DIR / f, bare / f)
    monkeypatch.setattr(scenario_io, "MODELS_DIR", bare)
    dem = _demand(batch=1e13)
    dem[0]["tier"] = ""
    tput = [{k: v for k, v in r.items() if k != "tier"} for r in TPUT if r["tier"] == "batch"]
    errs = _errors(_write(tmp_path / "s", tiers=None, demand=dem, throughput=tput))
    assert errs == [
        "demand.csv, row 1, column tier: is given but there is no tiers.csv with rows (scenario folder or models/) "
        "to define the tiers; add tiers.csv or remove the column."
    ]


def test_default_tier_missing(tmp_path):
    errs = _errors(_write(tmp_path / "s", demand=_demand(batch=1e13), toml={"default_tier": "chat"}))
    assert errs == [
        "scenario.toml, column default_tier: 'chat' is not a tier listed in tiers.csv (tiers: batch, interactive)."
    ]


def test_duplicate_keys(tmp_path):
    dem = _demand(batch=1e13) + _demand(batch=2e13)
    errs = _errors(_write(tmp_path / "s", demand=dem))
    assert errs == [
        "demand.csv, row 3, column tier: duplicates the key (region=r1, model=m1, year=2026, tier=batch) of row 2."
    ]
    # a blank demand tier is the default tier: beside an explicit batch row it is a duplicate
    dem = _demand(batch=1e13) + _demand(batch=2e13)
    dem[1]["tier"] = ""
    errs = _errors(_write(tmp_path / "t", demand=dem))
    assert errs == [
        "demand.csv, row 3, column tier: duplicates the key (region=r1, model=m1, year=2026, tier=batch) of row 2: "
        "a blank tier is the default tier batch."
    ]
    # two blank throughput rows for one (model, chip)
    tput = [dict(TPUT[0], tier=""), dict(TPUT[1], tier="")]
    errs = _errors(_write(tmp_path / "u", throughput=tput, demand=_demand(batch=1e13)))
    assert errs == [
        "throughput.csv, row 3, column tier: duplicates the key (model=m1, chip=old, tier=(blank)) of row 2."
    ]
    # one row per tier is not a duplicate
    assert load_scenario(_write(tmp_path / "v", demand=_demand(batch=1e13, interactive=1e13)))


def test_value_mult_negative(tmp_path):
    tiers = [dict(TIERS[0]), dict(TIERS[1], value_mult=-1)]
    errs = _errors(_write(tmp_path / "s", tiers=tiers, demand=_demand(batch=1e13)))
    assert len(errs) == 1 and errs[0].startswith("tiers.csv, row 3, column value_mult: -1 is negative")


# ------------------------------------------------------------------ results, report, compare, export


def test_tier_tables_report_compare_and_export(tmp_path):
    import json

    from planner.api import read_results, solve
    from planner.reporting.compare import compare
    from planner.reporting.export import export

    p = solve(_write(tmp_path / "s", demand=_demand(batch=1e13, interactive=1e13)), threads=1)
    tc = p.tables["tier_chips"]
    assert list(tc.columns) == ["year", "site", "chip", "model", "tier", "tokens", "it_mw", "usd"]
    # every cost but the unserved penalty is allocated to some (chip, tier) row
    assert tc["usd"].sum() == pytest.approx(p.tables["costs"]["usd"].sum(), rel=1e-9)
    # old serves batch only: its 55 units' annuity goes to batch, plus its MW share of the rest
    old = tc[tc["chip"] == "old"].iloc[0]
    assert old["tier"] == "batch"
    assert old["usd"] > 55 * 300_000 * crf(RATE, 5)
    # constraint (3) per product: new's interactive tokens take 1e13 / (1000 x 8 x s) units x 10 kW
    new_i = tc[(tc["chip"] == "new") & (tc["tier"] == "interactive")].iloc[0]
    assert new_i["it_mw"] == pytest.approx(_units(1e13, 1000) * 0.01, rel=1e-9)
    assert list(p.tables["marginal_costs"].columns[:4]) == ["year", "region", "model", "tier"]
    folder = p.write(tmp_path / "res")
    md = (folder / "report.md").read_text()
    assert "## Service tiers" in md and "| interactive | new (new) | 10.00 Ttok | 100% |" in md
    res = read_results(folder)
    assert "tier_chips" in res.tables and "tier" in res.tables["serving"].columns
    t, _a, _b = compare(folder, folder)
    tiers = t[t["section"] == "cost by tier"]
    assert set(tiers["item"]) == {"batch", "interactive"} and (tiers["change"] == 0).all()
    out = export(folder, "json")
    doc = json.loads(Path(out).read_text())
    assert doc["tables"]["serving"][0]["tier"] in ("batch", "interactive")
    assert len(doc["tables"]["tier_chips"]) == len(tc)


def test_no_tier_tables_without_tiers(tmp_path):
    from planner.api import solve

    write_scenario(tmp_path / "s")
    p = solve(tmp_path / "s", threads=1, marginals=False)
    assert "tier_chips" not in p.tables
    assert "tier" not in p.tables["serving"].columns and "tier" not in p.tables["unserved"].columns
