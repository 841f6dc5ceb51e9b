"""The existing fleet's operations staff count in the labour limit (12) (DESIGN.md §7.7:
existing assets need no construction labour, their operations staff count while in service).

Scenario of tests/test_fleet.py: 0.6 MW IT of existing air halls and 40 existing units at s1;
1e13 tokens need 57 installed units, so 17 are bought and they fit in the existing halls.
"""

from __future__ import annotations

import pytest
from test_fleet import _write

from planner.api import solve
from planner.io.errors import InputError

EXISTING = [["s1", "air", "", 2020, 0.6, "test"], ["s1", "x1", "air", 2023, 40, "test"]]
LABOUR = "asset,trade,build_worker_years_per_mw,ops_workers_per_mw,source\nair,electricians,5,0.5,t\n"


def _folder(tmp_path, supply: str):
    f = _write(tmp_path, existing=EXISTING)
    (f / "labour.csv").write_text(LABOUR)
    (f / "labour_supply.csv").write_text("pool,trade,year,worker_years,premium_usd_per_worker_year\n" + supply)
    return f


def test_existing_halls_staff_take_up_the_pool(tmp_path):
    """0.6 MW x 0.5 = 0.3 operations workers; 0.1 available, so 0.2 are hired at 100,000 USD:
    the objective is the plan without labour limits plus 20,000 USD (one year, DF = 1)."""
    free = solve(_write(tmp_path / "free", existing=EXISTING), marginals=False)
    p = solve(_folder(tmp_path / "tight", "r1,electricians,2026,0.1,100000\n"), marginals=False)
    assert p.summary()["objective_usd"] == pytest.approx(free.summary()["objective_usd"] + 20_000, rel=1e-9)
    r = p.tables["labour"].iloc[0]
    assert r["operations_workers"] == pytest.approx(0.3)
    assert r["construction_worker_years"] == 0  # no hall is built
    assert r["extra_workers"] == pytest.approx(0.2)
    assert p.failures == []


def test_existing_staff_above_a_hard_row_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="fewer than the 0.3 operations staff of the existing fleet"):
        solve(_folder(tmp_path, "r1,electricians,2026,0.1,\n"), marginals=False)
