"""The report's scope statement names the optional inputs (DESIGN.md §7) a plan was made with,
and says "staff" are not modelled only when labour is not."""

from __future__ import annotations

import pandas as pd

from planner.reporting import scope
from planner.reporting.report import Doc

SERVING = pd.DataFrame({"region": ["r1"], "model": ["m1"], "tokens": [1e15]})
UNSERVED = pd.DataFrame({"region": [], "model": [], "tokens": []})
SUMMARY = {"start_year": 2026, "end_year": 2030}


def _text(tables: dict, summary: dict) -> str:
    doc = Doc()
    scope.section(doc, {"serving": SERVING, "unserved": UNSERVED, **tables}, summary)
    return doc.blocks[0][1]


def test_a_plan_without_the_optional_inputs_lists_none_and_says_staff_are_not_modelled():
    t = _text({}, SUMMARY)
    assert "each year. Not modelled: training, networking and storage hardware inside the halls, staff, taxes" in t


def test_the_optional_inputs_used_are_named_and_labour_drops_staff():
    one = pd.DataFrame({"x": [1]})
    t = _text(
        {"labour": one, "water": one, "cfe": one, "sovereignty": pd.DataFrame(), "tier_chips": one},
        {**SUMMARY, "existing": {"units": 10}},
    )
    assert (
        "each year; skilled labour by pool and trade; water; 24/7 carbon-free energy; service tiers; "
        "the existing fleet. Not modelled: training, networking and storage hardware inside the halls, taxes"
    ) in t
    assert "sovereign" not in t  # an empty table: not used
