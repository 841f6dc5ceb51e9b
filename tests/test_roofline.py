"""Tests of the roofline throughput estimates and the bundled models/throughput.csv."""

from pathlib import Path

import pandas as pd
import pytest

from planner.prep import roofline as rl

ROOT = Path(__file__).resolve().parents[1]
THROUGHPUT = ROOT / "models" / "throughput.csv"
MODELS = ROOT / "models" / "models.csv"
CHIPS = ROOT / "data" / "catalog" / "chips.csv"


@pytest.fixture(scope="module")
def cal():
    return rl.calibrate()


def test_every_calibration_point_within_25_percent(cal):
    assert len(cal.points) == len(rl.MLPERF_POINTS)
    bad = cal.points[cal.points["error"].abs() > 0.25]
    assert bad.empty, f"calibration points off by more than 25 %:\n{bad.to_string()}"


def test_efficiencies_are_fractions(cal):
    for model, eff in cal.model_efficiency.items():
        assert 0 < eff <= 1, (model, eff)
    for vendor, factor in cal.vendor_factor.items():
        assert 0 < factor <= 1, (vendor, factor)


def test_throughput_estimated_rows_match_estimate_table(cal):
    # the bundled throughput.csv is now per service tier (planner.prep.throughput, tested in
    # test_prep_throughput.py); the roofline's own one-row-per-pair table is checked here
    written = rl.throughput_table(cal)
    est = rl.estimate_table(cal)
    written_est = written[written["source"].str.startswith("estimate:")]
    assert len(written_est) == len(est)
    merged = written_est.merge(est, on=["model", "chip"], suffixes=("_file", "_calc"), validate="one_to_one")
    assert len(merged) == len(est)
    diff = (merged["tokens_per_s_per_chip_file"] - merged["tokens_per_s_per_chip_calc"]).abs()
    assert (diff < 1e-6).all(), merged[diff >= 1e-6].to_string()
    assert (merged["source_file"] == merged["source_calc"]).all()


def test_throughput_measured_rows_are_the_mlperf_points():
    written = rl.throughput_table().set_index(["model", "chip"])
    for p in rl.MLPERF_POINTS:
        row = written.loc[(p["model"], p["chip"])]
        assert row["tokens_per_s_per_chip"] == pytest.approx(p["tokens_per_s_per_chip"])
        assert row["source"].startswith("MLPerf Inference")


def test_throughput_covers_every_model_chip_pair():
    written = pd.read_csv(THROUGHPUT)
    models = pd.read_csv(MODELS)["model"]
    chips = pd.read_csv(CHIPS)["chip"]
    tiers = pd.read_csv(ROOT / "models" / "tiers.csv")["tier"]
    assert not written.duplicated(["model", "chip", "tier"]).any()
    assert set(zip(written["model"], written["chip"], written["tier"])) == {
        (m, c, t) for m in models for c in chips for t in tiers
    }
    assert (written["tokens_per_s_per_chip"] > 0).all()
    assert written["source"].notna().all() and (written["source"].str.strip() != "").all()


def test_specs_cover_catalog_and_models():
    assert set(pd.read_csv(CHIPS)["chip"]) == set(rl.CHIP_SPECS)
    assert set(pd.read_csv(MODELS)["model"]) == set(rl.MODEL_SPECS)


def test_roofline_formula_and_errors():
    chip = dict(fp8_tflops=1000.0, fp4_tflops=None, hbm_tb_s=1.0)
    model = dict(active_params_b=1.0, kv_bytes_per_pos=1000, context_tokens=1000, prefill_ratio=0.0)
    compute, memory = rl.roofline_bounds(chip, model)
    assert compute == pytest.approx(1e15 / 2e9)
    assert memory == pytest.approx(1e12 / (1e9 / rl.BATCH + 1e6))
    assert rl.roofline_tokens_per_s(chip, model, 0.5) == pytest.approx(0.5 * min(compute, memory))
    with pytest.raises(ValueError):
        rl.roofline_tokens_per_s(chip, model, 0.0)
    with pytest.raises(ValueError):
        rl.roofline_tokens_per_s(dict(chip, hbm_tb_s=-1), model, 0.5)
    with pytest.raises(ValueError):
        rl.roofline_tokens_per_s(chip, {k: v for k, v in model.items() if k != "active_params_b"}, 0.5)
    with pytest.raises(ValueError):
        rl.calibrate([dict(model="nope", chip="H100_HGX", tokens_per_s_per_chip=1.0)])
