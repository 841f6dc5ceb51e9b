"""The bundled scenarios on representative days of real weather: the station-wind scaling of
prep-days (annual mean hits the target, hours above 1 clipped) and each scenario's
profiles.csv against the accuracy table it was built with."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.prep.weather_days import assemble, scale_to_annual_cf

DATA = __import__("pathlib").Path(__file__).resolve().parents[1] / "data"
BUILT = ["world", "us", "gigawatt", "cfe247", "us_weather"]  # each has resource/<name>_days_accuracy.csv


def test_scaling_hits_the_annual_cf_and_clips_at_one():
    x = np.array([0.0, 0.1, 0.5, 1.0])
    y = scale_to_annual_cf(x, 0.5)
    # by hand: k = 1/0.6 puts 1.0 above 1 (clipped) and 0.1k + 0.5k + 1 = 2 hours of output
    assert y == pytest.approx([0, 0.1 / 0.6, 0.5 / 0.6, 1.0], abs=1e-7)
    assert y.mean() == pytest.approx(0.5, abs=1e-9) and y.max() <= 1


def test_scaling_a_low_station_series_up_fourfold():
    rng = np.random.default_rng(3)
    x = np.clip(rng.weibull(1.5, 8760) * 0.08, 0, 1)  # ~7 % CF like the Sydney station
    y = scale_to_annual_cf(x, 0.32)
    assert y.mean() == pytest.approx(0.32, abs=1e-6)
    assert y.max() == 1 and (y == 1).sum() > 0  # clipped hours, the rest carries the target
    assert np.corrcoef(np.minimum(x, np.quantile(x, 0.8)), np.minimum(y, np.quantile(y, 0.8)))[0, 1] > 0.99


def test_scaling_cannot_reach_more_than_the_hours_with_wind():
    x = np.r_[np.zeros(6000), np.full(2760, 0.5)]  # output in 31.5 % of the hours
    with pytest.raises(ValueError, match="cannot be reached"):
        scale_to_annual_cf(x, 0.4)


def _files(tmp_path):
    h = np.arange(8760)
    sun = np.clip(np.sin((h % 24 - 6) / 12 * np.pi), 0, None)
    wind = 0.1 + 0.05 * np.sin(2 * np.pi * h / 120)  # 73 whole periods: mean 0.1
    pd.DataFrame({"hour": h, "a": sun, "b": 0.5 * sun}).to_csv(tmp_path / "solar.csv", index=False)
    pd.DataFrame({"hour": h, "a": wind, "b": wind}).to_csv(tmp_path / "cf_wind_station.csv", index=False)
    pd.DataFrame({"hour": h, "a": 2 * wind}).to_csv(tmp_path / "cf_wind_wtk.csv", index=False)
    pd.DataFrame({"site": ["c"], "record": ["b"], "reason": ["no record"]}).to_csv(tmp_path / "si.csv", index=False)
    pd.DataFrame({"site": ["b"], "annual_cf": [0.3], "source": ["estimate"]}).to_csv(tmp_path / "cf.csv", index=False)
    pairs = [("a", "solar_pv"), ("a", "wind_onshore"), ("b", "wind_onshore"), ("c", "solar_pv")]
    pd.DataFrame({"site": [p[0] for p in pairs], "tech": [p[1] for p in pairs], "max_mw": 1}).to_csv(
        tmp_path / "site_power.csv", index=False
    )
    return tmp_path


def test_assemble_takes_the_first_file_stand_ins_and_scales_station_wind(tmp_path):
    d = _files(tmp_path)
    files = {"solar_pv": [d / "solar.csv"], "wind_onshore": [d / "cf_wind_wtk.csv", d / "cf_wind_station.csv"]}
    pairs = [("a", "solar_pv"), ("a", "wind_onshore"), ("b", "wind_onshore"), ("c", "solar_pv")]
    series, rec = assemble(files, pairs, stand_ins=pd.read_csv(d / "si.csv"), wind_cf=pd.read_csv(d / "cf.csv"))
    assert series["wind_onshore"]["a"].mean() == pytest.approx(0.2, abs=1e-9)  # WIND Toolkit-like file: as is
    assert series["wind_onshore"]["b"].mean() == pytest.approx(0.3, abs=1e-6)  # station: scaled from 0.1
    assert series["solar_pv"]["c"].equals(pd.read_csv(d / "solar.csv")["b"])  # the stand-in's column
    r = dict(zip(zip(rec["site"], rec["tech"]), rec["record"]))
    assert r[("c", "solar_pv")] == "solar.csv:b (stand-in for c)"
    assert r[("b", "wind_onshore")] == "cf_wind_station.csv:b, scaled from 0.100 to 0.300"
    with pytest.raises(ValueError, match="station wind of b needs an annual capacity factor"):
        assemble(files, pairs, stand_ins=pd.read_csv(d / "si.csv"))
    with pytest.raises(ValueError, match="no solar_pv record for site c"):
        assemble(files, pairs, wind_cf=pd.read_csv(d / "cf.csv"))


def test_prep_days_cli_scales_station_wind(tmp_path):
    pytest.importorskip("tsam")
    d = _files(tmp_path)
    args = [
        "prep-days",
        "--solar",
        d / "solar.csv",
        "--wind",
        d / "cf_wind_wtk.csv",
        "--wind",
        d / "cf_wind_station.csv",
    ]
    args += ["--site-power", d / "site_power.csv", "--stand-ins", d / "si.csv", "--wind-annual-cf", d / "cf.csv"]
    args += ["--method", "hierarchical", "--days", "3", "--segments", "4", "--out", d / "out"]
    args += ["--accuracy", d / "acc.csv", "--plot", d / "plot.png"]
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    acc = pd.read_csv(d / "acc.csv").set_index(["site", "tech"])
    assert acc.loc[("b", "wind_onshore"), "annual_cf"] == pytest.approx(0.3, abs=1e-4)
    assert acc.loc[("b", "wind_onshore"), "annual_cf_days"] == pytest.approx(0.3, abs=2e-3)
    assert len(acc) == 4 and not (d / "out" / "days_accuracy.csv").exists() and (d / "plot.png").stat().st_size > 0
    assert len(pd.read_csv(d / "out" / "slices.csv")) <= 24


@pytest.mark.parametrize("name", BUILT)
def test_bundled_profiles_reproduce_their_accuracy_table(name):
    """profiles.csv weighted by its slices gives the annual CF of the accuracy table (written
    with 4 decimals; tsam keeps the year's mean, clipping at 1 can move it): within 0.002."""
    folder = DATA / "scenarios" / name
    sl = pd.read_csv(folder / "slices.csv")
    pr = pd.read_csv(folder / "profiles.csv")
    acc = pd.read_csv(DATA / "resource" / f"{name}_days_accuracy.csv")
    w = pr["slice"].map(dict(zip(sl["slice"], sl["duration_h"] * sl["days_per_year"], strict=True)))
    cf = (pr["capacity_factor"] * w).groupby([pr["site"], pr["tech"]]).sum() / 8760
    a = acc.set_index(["site", "tech"])
    assert set(cf.index) <= set(a.index)  # every profile pair is in the table (and so has a record)
    if name != "us_weather":  # built before --site-power: its table has every (site, tech) of the records
        assert set(cf.index) == set(a.index)
    assert (cf - a.loc[cf.index, "annual_cf"]).abs().max() < 2e-3
    assert (cf - a.loc[cf.index, "annual_cf_days"]).abs().max() < 2e-4
    assert len(sl) == 24 if name == "world" else len(sl) <= 48
    if "record" in a.columns:  # the scenarios built with the record column (all but us_weather)
        assert a["record"].notna().all()
