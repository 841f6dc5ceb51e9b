"""Issue 12, item 1: representative days from a year of hourly capacity factors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main

pytest.importorskip("tsam")


def _year(tmp_path):
    h = np.arange(8760)
    day = h // 24
    sun = np.clip(np.sin((h % 24 - 6) / 12 * np.pi), 0, None) * (0.8 + 0.2 * np.cos(2 * np.pi * day / 365))
    rng = np.random.default_rng(1)
    wind = np.clip(0.35 + 0.25 * np.sin(2 * np.pi * day / 9) + 0.1 * rng.standard_normal(8760), 0, 1)
    for name, v in (("solar", sun), ("wind", wind)):
        pd.DataFrame({"hour": h, "a": v, "b": np.roll(v, 48)}).to_csv(tmp_path / f"{name}.csv", index=False)
    return tmp_path / "solar.csv", tmp_path / "wind.csv"


def test_prep_days_writes_48_slices_that_keep_the_annual_cf(tmp_path):
    solar, wind = _year(tmp_path)
    out = tmp_path / "out"
    args = ["prep-days", "--solar", solar, "--wind", wind, "--method", "hierarchical", "--out", out]
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    sl = pd.read_csv(out / "slices.csv")
    pr = pd.read_csv(out / "profiles.csv")
    acc = pd.read_csv(out / "days_accuracy.csv")
    assert len(sl) <= 48 and sl["day"].nunique() >= 5
    assert (sl["duration_h"] * sl["days_per_year"]).sum() == pytest.approx(8760)
    assert (sl.groupby("day")["duration_h"].sum() == 24).all()
    assert set(pr["site"]) == {"a", "b"} and set(pr["tech"]) == {"solar_pv", "wind_onshore"}
    assert pr["capacity_factor"].between(0, 1).all()
    year = pd.read_csv(solar)["a"].mean()
    row = acc[(acc["site"] == "a") & (acc["tech"] == "solar_pv")].iloc[0]
    assert row["annual_cf"] == pytest.approx(year, abs=1e-4)
    assert row["annual_cf_days"] == pytest.approx(year, abs=2e-3)
    assert acc["duration_rmse"].max() < 0.15
