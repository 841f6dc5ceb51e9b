"""Station wind scaled by its hub SPEED to a target annual CF (planner.prep.wind_speed), on
hand-built series and a piecewise-linear curve where the factor k is computed on paper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.prep import wind_speed as ws
from planner.prep.weather_days import assemble, read_annual_cf

# rated at 10 m/s, linear from 0 to 10, flat to 30, zero above (cut-out)
CURVE = (np.array([0.0, 10.0, 30.0]), np.array([0.0, 1.0, 1.0]))
T_STD = ws.P_STANDARD_PA / (ws.R_DRY_AIR * ws.RHO_STANDARD) - 273.15  # deg C where rho = 1.225


def test_constant_speed_factor_by_hand():
    # CF = 0.9 * k * 4 / 10 = 0.27  ->  k = 0.75
    v = np.full(8760, 4.0)
    k = ws.speed_factor(v, 0.27, CURVE, losses=0.1)
    assert k == pytest.approx(0.75, rel=1e-9)
    assert ws.cf_from_speed(k * v, CURVE, 0.1).mean() == pytest.approx(0.27, abs=1e-4)


def test_two_speed_factor_by_hand_with_the_fast_hours_rated():
    v = np.r_[np.full(4380, 2.0), np.full(4380, 8.0)]
    # 0.45: both below rated, 0.9 * (0.2k + 0.8k) / 2 = 0.45k  ->  k = 1
    assert ws.speed_factor(v, 0.45, CURVE, 0.1) == pytest.approx(1.0, rel=1e-9)
    # 0.63: 0.45k would need k = 1.4, but 8k > 10 is then rated, so 0.9 * (0.2k + 1) / 2 = 0.63  ->  k = 2
    k = ws.speed_factor(v, 0.63, CURVE, 0.1)
    assert k == pytest.approx(2.0, rel=1e-9)
    assert ws.cf_from_speed(k * v, CURVE, 0.1).mean() == pytest.approx(0.63, abs=1e-4)


def test_the_factor_is_the_smallest_one_before_the_cut_out():
    v = np.r_[np.full(4380, 2.0), np.full(4380, 8.0)]
    # k = 5 would send the fast hours past 30 m/s (zero); k = 2 is the answer, not a larger one
    k = ws.speed_factor(v, 0.63, CURVE, 0.1)
    assert 8 * k < 30


def test_targets_no_factor_can_reach_are_clear_errors():
    v = np.r_[np.zeros(4380), np.full(4380, 5.0)]
    with pytest.raises(ValueError, match=r"at most 0\.900 \(its maximum less 10% losses\)"):
        ws.speed_factor(v, 0.9, CURVE, 0.1)
    # half the hours are calm: at most 0.9 / 2 = 0.45 whatever k
    with pytest.raises(
        ValueError, match=r"cannot be reached by scaling the wind speed: the most any factor gives is 0\.450"
    ):
        ws.speed_factor(v, 0.5, CURVE, 0.1)
    with pytest.raises(ValueError, match="not in"):
        ws.speed_factor(v, 1.2, CURVE, 0.1)


def test_hub_speed_shear_and_density_by_hand():
    # 1/7 shear from 10 to 100 m: 10 ** (1/7); at rho = 1.225 no density correction
    assert ws.equivalent_hub_speed(np.array([1.0]), np.array([T_STD]))[0] == pytest.approx(10 ** (1 / 7), rel=1e-12)
    # 30 K warmer air is lighter: (T0 / (T0 + 30)) ** (1/3)
    t0 = T_STD + 273.15
    got = ws.equivalent_hub_speed(np.array([1.0]), np.array([T_STD + 30]))[0]
    assert got == pytest.approx(10 ** (1 / 7) * (t0 / (t0 + 30)) ** (1 / 3), rel=1e-12)


def test_bundled_curve_is_the_v112_3450():
    v, p = ws.read_power_curve()
    assert p.max() == 1 and v[-1] == 25 and np.interp(3.0, v, p) == pytest.approx(7 / 3450)
    assert np.interp(13.0, v, p) == 1 and np.interp(10.0, v, p) == pytest.approx(2693 / 3450)


def _station(tmp_path, speeds):
    w = tmp_path / "weather"
    w.mkdir()
    pd.DataFrame({"hour": range(8760), "temp_c": T_STD, "wind10": speeds}).to_csv(w / "XX_1.csv", index=False)
    pd.DataFrame({"site": ["b"], "station_id": ["XX_1"]}).to_csv(tmp_path / "site_station_map.csv", index=False)
    h = np.arange(8760)
    pd.DataFrame({"hour": h, "b": 0.1 + 0.05 * np.sin(2 * np.pi * h / 120)}).to_csv(
        tmp_path / "cf_wind_station.csv", index=False
    )
    pd.DataFrame({"site": ["b"], "annual_cf": [0.3], "source": ["estimate"]}).to_csv(tmp_path / "cf.csv", index=False)
    return w


def test_assemble_rederives_station_wind_from_its_weather(tmp_path):
    h = np.arange(8760)
    w = _station(tmp_path, 3 + 2 * np.sin(2 * np.pi * h / 120))
    files = {"wind_onshore": [tmp_path / "cf_wind_station.csv"]}
    series, rec = assemble(
        files, [("b", "wind_onshore")], wind_cf=read_annual_cf(tmp_path / "cf.csv"), station_weather=w
    )
    x = series["wind_onshore"]["b"].to_numpy()
    assert x.mean() == pytest.approx(0.3, abs=1e-4)
    assert x.max() <= 0.9 + 1e-12 and (x < 0.85).mean() > 0.5  # a turbine's curve, not a step
    assert rec["record"].iloc[0].startswith("cf_wind_station.csv:b re-derived from XX_1.csv:wind10, hub speed x")
    assert rec["record"].iloc[0].endswith(" to 0.300")
    # scaling = cf keeps the linear CF scaling for that site
    pd.DataFrame({"site": ["b"], "annual_cf": [0.3], "source": ["e"], "scaling": ["cf"]}).to_csv(
        tmp_path / "cf2.csv", index=False
    )
    s2, r2 = assemble(files, [("b", "wind_onshore")], wind_cf=read_annual_cf(tmp_path / "cf2.csv"), station_weather=w)
    assert r2["record"].iloc[0] == "cf_wind_station.csv:b, scaled from 0.100 to 0.300"
    pd.DataFrame({"site": ["b"], "annual_cf": [0.3], "source": ["e"], "scaling": ["speed"]}).to_csv(
        tmp_path / "cf3.csv", index=False
    )
    with pytest.raises(ValueError, match="give the station weather"):
        assemble(files, [("b", "wind_onshore")], wind_cf=read_annual_cf(tmp_path / "cf3.csv"))


def test_prep_days_names_a_station_whose_target_is_out_of_reach(tmp_path):
    pytest.importorskip("tsam")
    w = _station(tmp_path, np.r_[np.zeros(6000), np.full(2760, 6.0)])  # 31.5 % of hours with wind
    h = np.arange(8760)
    pd.DataFrame({"hour": h, "b": np.clip(np.sin((h % 24 - 6) / 12 * np.pi), 0, None)}).to_csv(
        tmp_path / "solar.csv", index=False
    )
    args = ["prep-days", "--solar", tmp_path / "solar.csv", "--wind", tmp_path / "cf_wind_station.csv"]
    args += ["--wind-annual-cf", tmp_path / "cf.csv", "--station-weather", w, "--out", tmp_path / "out"]
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code == 2  # prep-days reports every bad prep input as a usage error (planner.io.errors.UsageError)
    assert "station wind of b (XX_1.csv): annual capacity factor 0.3 cannot be reached" in r.output
    assert "Traceback" not in r.output


REF = __import__("pathlib").Path("/work/shared/reference/profiles")
DATA = __import__("pathlib").Path(__file__).resolve().parents[1] / "data"


@pytest.mark.skipif(not (REF / "weather").is_dir(), reason="shared/reference/profiles not on this machine")
def test_bundled_station_targets_are_reached_by_speed_except_sydney():
    cf = read_annual_cf(DATA / "resource" / "wind_annual_cf.csv")
    files = {"wind_onshore": [REF / "cf_wind_wtk100_us.csv", REF / "cf_wind_station.csv"]}
    pairs = [(s, "wind_onshore") for s in cf["site"]]
    series, rec = assemble(files, pairs, wind_cf=cf, station_weather=REF / "weather")
    for site, target, how in zip(cf["site"], cf["annual_cf"], cf["scaling"], strict=True):
        assert series["wind_onshore"][site].mean() == pytest.approx(target, abs=1e-4)
        note = rec.set_index("site").loc[site, "record"]
        assert ("hub speed x" in note) == (how == "speed"), site
    assert dict(zip(cf["site"], cf["scaling"]))["au_sydney"] == "cf"
