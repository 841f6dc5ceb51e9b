"""Reading a results folder back (planner.api.read_results) gives the tables planner wrote:
the same columns, values and dtypes as the in-memory tables of the solve (``Plan.tables``, the
tables as written), for every table, empty ones included -- a ``number`` column whose values
are all whole (capex 0, 8 units) stays float64, ``year`` stays int64, as the results schema
types them (planner.io.results.typed). An existing fleet's schedule rows, whose year is a
build year before the horizon (DESIGN.md §7.7), read back too.
"""

from __future__ import annotations

import pandas as pd
import pytest
from builder import write_scenario
from every_feature import every_feature

from planner import api
from planner.io.results import TEXT_DTYPE, results_schema, typed


def _round_trip(scn, out):
    p = api.solve(scn, threads=1)
    folder = p.write(out)
    return p.tables, api.read_results(folder).tables


@pytest.fixture(scope="module")
def feature_plan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("read_back")
    return _round_trip(every_feature(tmp / "scn"), tmp / "out")


def _assert_same(mem: dict, back: dict):
    assert set(back) == set(mem), set(mem) ^ set(back)
    for name, t in mem.items():
        b = back[name]
        assert list(b.columns) == list(t.columns), name
        assert dict(b.dtypes.astype(str)) == dict(t.dtypes.astype(str)), name
        pd.testing.assert_frame_equal(b, t, check_exact=False, rtol=1e-12, obj=name)


def test_every_table_reads_back_with_its_dtypes(feature_plan):
    mem, back = feature_plan
    _assert_same(mem, back)
    # whole-valued numbers stay floats; years stay integers
    inv = back["investment_schedule"]
    assert inv["capex_usd"].dtype == "float64" and inv["quantity"].dtype == "float64"
    assert back["capacity"]["units_installed"].dtype == "float64"
    assert back["capacity"]["year"].dtype == "int64"
    assert back["labour"]["extra_workers"].dtype == "float64"


def test_existing_rows_before_the_horizon_read_back(feature_plan):
    _mem, back = feature_plan
    inv = back["investment_schedule"]
    old = inv[inv["item"].str.endswith("(existing)")]
    # existing.csv of every_feature: halls and x1 units built in 2024, before start_year 2026
    assert sorted(old["year"]) == [2024, 2024] and (old["capex_usd"] == 0).all()


def test_plain_plan_with_empty_tables_reads_back(tmp_path):
    # the one-year builder scenario: no unserved demand, no binding limits (empty tables)
    mem, back = _round_trip(write_scenario(tmp_path / "scn"), tmp_path / "out")
    assert len(mem["unserved"]) == 0
    _assert_same(mem, back)
    u = back["unserved"]
    assert u["year"].dtype == "int64" and u["tokens"].dtype == "float64" and u["region"].dtype == TEXT_DTYPE


def test_typed_follows_the_schema_kinds():
    t = pd.DataFrame({"year": [2026.0], "site": ["s1"], "tokens": [5], "unknown": [1]})
    got = typed("serving", t, results_schema())
    assert str(got["year"].dtype) == "int64" and str(got["tokens"].dtype) == "float64"
    assert str(got["unknown"].dtype) == "int64"  # a column the schema does not type is left alone
    assert str(t["tokens"].dtype) == "int64"  # the input is not changed


def test_typed_leaves_a_column_with_text_alone():
    t = pd.DataFrame({"year": [2026], "region": ["r1"], "model": ["m1"], "tokens": ["lots"]})
    assert typed("unserved", t)["tokens"].tolist() == ["lots"]
