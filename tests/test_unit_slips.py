"""Power and water figures in the wrong unit (planner.io.plausible.check_real_sizes): a site,
grid connection, onsite power cap, water cap or facility_mw limit above the largest real
project of the reference data warns with the likely slip; a site above 1 TW is refused. The
exact sentences of the CLI are pinned in tests/bad_inputs/cases.toml; these tests pin the
thresholds, the silence on every bundled scenario and the in-memory path (revalidate)."""

from __future__ import annotations

from pathlib import Path

import pytest
from builder import BASE, write_scenario

import planner
from planner.io.errors import InputError, Problem
from planner.io.plausible import CEILINGS, SIZE_MARK
from planner.io.revalidate import revalidate

BUNDLED = sorted(p.name for p in (Path(planner.__file__).parents[1] / "data" / "scenarios").iterdir() if p.is_dir())


def _slips(scn) -> list[str]:
    return [w.sentence() for w in scn.warnings if SIZE_MARK in w.text]


@pytest.mark.parametrize("name", BUNDLED)
def test_no_bundled_scenario_warns_of_a_unit_slip(name):
    """Every bundled scenario validates without a size warning (its largest site is 2000 MW IT,
    its largest water cap 665 ML/yr, the gigawatt limit 1000 MW: all far below the ceilings)."""
    scn = planner.load_scenario(name)
    assert _slips(scn) == []


def test_ceilings_hold_at_the_boundary(tmp_path):
    """20000 MW IT is still plausible (no warning); 20001 warns; 1e6 MW IT warns, 1e6 + 1 is an
    error (more than all US electricity use)."""
    assert CEILINGS["sites.csv", "max_it_mw"].warn == 20_000.0
    assert CEILINGS["sites.csv", "max_it_mw"].impossible == 1e6

    def load(v, name):
        return planner.load_scenario(write_scenario(tmp_path / name, sites=[dict(BASE["sites"][0], max_it_mw=v)]))

    assert _slips(load(20_000, "a")) == []
    assert _slips(load(20_001, "b")) == [
        "sites.csv, row 2, column max_it_mw: 20001 MW IT is far above the largest AI campus announced "
        "(5 GW, UAE-US AI campus), more than the 20000 MW IT that is plausible: is this kW (20.001 MW IT)?"
    ]
    assert len(_slips(load(1e6, "c"))) == 1
    with pytest.raises(InputError) as e:
        load(1e6 + 1, "d")
    assert "is impossible for one site" in str(e.value) and "is this kW (1000 MW IT)?" in str(e.value)


def test_question_keeps_its_mark():
    """A sentence that ends in a question is not given a full stop after it."""
    assert Problem("sites.csv", 2, "max_it_mw", "is this kW (3 MW)?").sentence() == (
        "sites.csv, row 2, column max_it_mw: is this kW (3 MW)?"
    )


def test_an_edit_in_memory_is_checked_too(tmp_path):
    """A site edited to 300000 MW IT after loading warns when the scenario is checked again
    before solving; 3e8 (W) is refused."""
    scn = planner.load_scenario(write_scenario(tmp_path / "scn"))
    scn["sites"].loc[0, "max_it_mw"] = 300_000.0
    revalidate(scn)
    assert [s.split(": ", 1)[1] for s in _slips(scn)] == [
        "300000 MW IT is far above the largest AI campus announced (5 GW, UAE-US AI campus), more than "
        "the 20000 MW IT that is plausible: is this kW (300 MW IT)?"
    ]
    scn["sites"].loc[0, "max_it_mw"] = 3e8
    with pytest.raises(InputError, match=r"3e\+08 MW IT is impossible for one site"):
        revalidate(scn)


def test_solve_repeats_the_slip_under_the_summary(tmp_path):
    """The plan is made on the value, so `planner solve` repeats the warning as CHECK THIS INPUT
    under its summary, as it does for the catalog-range warnings."""
    from click.testing import CliRunner

    from planner.cli import main

    scn = write_scenario(tmp_path / "scn", sites=[dict(BASE["sites"][0], grid_cap_mw=300_000)])
    res = CliRunner().invoke(main, ["solve", str(scn), "--out", str(tmp_path / "res"), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "CHECK THIS INPUT: sites.csv, row 2, column grid_cap_mw: 300000 MW is far above" in res.stdout
