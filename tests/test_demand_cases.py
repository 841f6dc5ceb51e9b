"""The base scenario planned with each bundled demand forecast (low, base, high), on a
horizon reduced to its first year: more demand gives more MW IT, more accelerators and no
fewer sites, and all demand is served (up to what the MIP gap may leave unserved)."""

from __future__ import annotations

import pandas as pd
import pytest
from builder import bundled_copy

from planner.api import plan
from planner.io.scenario import CATALOG_DIR, DATA_DIR


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    folder = bundled_copy(tmp_path_factory.mktemp("world1"), 2026)
    per_unit = pd.read_csv(CATALOG_DIR / "chips.csv").set_index("chip")["chips_per_unit"]
    out = {}
    for case in ("low", "base", "high"):
        d = pd.read_csv(DATA_DIR / "demand" / f"{case}.csv", keep_default_na=False, na_values=[""])
        d[d["year"] == 2026].to_csv(folder / f"demand_{case}.csv", index=False)
        p = plan(folder, demand=folder / f"demand_{case}.csv", mip_gap=0.01, time_limit=120)
        c = p.tables["capacity"]
        inv = p.tables["investment_schedule"]
        out[case] = {
            "status": p.result.status,
            "mw": c["it_mw"].sum(),
            "gpus": (c["units_installed"] * c["chip"].map(per_unit)).sum(),
            "sites": int((inv["item"] == "site").sum()),
            "npc": p.result.objective,
            "unserved": p.tables["unserved"]["tokens"].sum(),
            "gap": p.result.gap,
        }
    return out


def test_higher_demand_builds_more(plans):
    low, base, high = plans["low"], plans["base"], plans["high"]
    for p in (low, base, high):
        # all demand is served, up to tokens whose penalty (100 USD per million) fits in the
        # MIP gap: a plan within 1 % may leave a sliver unserved where serving costs more
        penalty_musd = p["unserved"] / 1e6 * 100 / 1e6
        assert p["status"] == "optimal" and penalty_musd <= p["gap"] * p["npc"], p
    assert low["mw"] < base["mw"] < high["mw"]
    assert low["gpus"] < base["gpus"] < high["gpus"]
    assert low["sites"] <= base["sites"] <= high["sites"]
    assert low["npc"] < base["npc"] < high["npc"]
    # MW IT grows with demand: base 2026 demand is 1.25x low and 0.8x high
    assert base["mw"] / low["mw"] == pytest.approx(1.25, rel=0.15)
    assert high["mw"] / base["mw"] == pytest.approx(1.25, rel=0.15)
