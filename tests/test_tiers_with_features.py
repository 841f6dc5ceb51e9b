"""Service tiers (DESIGN.md §7.9) beside sovereignty (§7.5) and the value objective (§7.6):
(15) holds per demand row (r, m, t, y), and value_usd_per_mtok is multiplied by the tier's
value_mult."""

from __future__ import annotations

import pandas as pd
import pytest
from builder import write_scenario
from test_cfe_sovereignty import D, _two_countries
from test_tiers import TIERS

from planner.api import solve


def test_sovereign_share_holds_per_tier(tmp_path):
    """Batch demand D with a share of 0.6 and interactive demand D with none: the dearer US
    site serves exactly 0.6 D (the batch share), the Canadian site the other 1.4 D. Read per
    (region, model) instead of per tier, the share would have been 1.2 D at home."""
    kw = _two_countries(0.6)
    row = kw["demand"][0]
    kw["demand"] = [dict(row, tier="batch"), dict(row, tier="interactive", sovereign_share="")]
    folder = write_scenario(tmp_path, **kw)
    pd.DataFrame(TIERS).to_csv(folder / "tiers.csv", index=False)
    p = solve(folder, threads=1, marginals=False)
    sv = p.tables["serving"].groupby(["site", "tier"])["tokens"].sum()
    assert sv[("s1", "batch")] == pytest.approx(0.6 * D, rel=1e-6)
    assert sv.get(("s1", "interactive"), 0.0) == pytest.approx(0.0, abs=1e-3 * D)
    assert sv[("s2", "interactive")] == pytest.approx(D, rel=1e-6)
    sov = p.tables["sovereignty"].set_index("tier")
    assert sov.loc["batch", "home_tokens"] == pytest.approx(0.6 * D, rel=1e-6)
    assert p.tables["unserved"].empty and not p.failures


def test_cost_of_sovereignty_names_model_and_tier(tmp_path):
    """The binding row (15) of a tier reads region/model/tier in binding_limits.csv, not the
    program's internal product key."""
    kw = _two_countries(0.6)
    row = kw["demand"][0]
    kw["demand"] = [dict(row, tier="batch"), dict(row, tier="interactive", sovereign_share="")]
    folder = write_scenario(tmp_path, **kw)
    pd.DataFrame(TIERS).to_csv(folder / "tiers.csv", index=False)
    p = solve(folder, threads=1)
    bl = p.tables["binding_limits"]
    assert list(bl.loc[bl["limit"] == "sovereignty", "item"]) == ["r1/m1/batch"]
