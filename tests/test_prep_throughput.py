"""The tiered models layer (planner.prep.throughput): units, measured points, interpolation
along a measured curve, scaling, caps, and the bundled throughput.csv being the tool's output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.prep import throughput as pt

ROOT = Path(__file__).resolve().parents[1]
TIERS = [("batch", 0.0), ("standard", 25.0), ("interactive", 66.7)]


def _mlperf(model, chip, scenario, value, rate=None):
    lim = "MLPerf Offline: no latency constraint" if rate is None else f"MLPerf X: p99 TPOT 1 ms (>= {rate} tok/s/user)"
    return dict(
        model=model,
        precision=None,
        chip=chip,
        system="sys",
        isl=None,
        osl=None,
        interactivity_tok_s_user=None,
        latency_constraint=lim,
        throughput_tok_s_per_gpu=value,
        scenario=scenario,
        source="src",
    )


def _ix(model, chip, u, total, isl=8192, osl=1024):
    return dict(
        model=model,
        precision="FP8",
        chip=chip,
        system=None,
        isl=isl,
        osl=osl,
        interactivity_tok_s_user=u,
        latency_constraint=None,
        throughput_tok_s_per_gpu=total,
        scenario="curve point (interpolated)",
        source="ix",
    )


def _value(tab, model, chip, tier):
    r = tab[(tab["model"] == model) & (tab["chip"] == chip) & (tab["tier"] == tier)].iloc[0]
    return r["tokens_per_s_per_chip"], r["how"]


def test_mlperf_measured_and_interpolated_points():
    ref = pd.DataFrame(
        [
            _mlperf("DeepSeek-R1", "NVIDIA GB200 (per GPU in NVL72)", "offline", 6752.0),
            _mlperf("DeepSeek-R1", "NVIDIA GB200 (per GPU in NVL72)", "server", 4668.1, 12.5),
            _mlperf("DeepSeek-R1", "NVIDIA GB200 (per GPU in NVL72)", "interactive", 3337.7, 66.7),
        ]
    )
    tab = pt.build(ref, TIERS)
    assert _value(tab, "deepseek-r1", "GB200_NVL72", "batch") == (6752.0, "measured")
    assert _value(tab, "deepseek-r1", "GB200_NVL72", "interactive") == (3337.7, "measured")
    # standard (25 tok/s/user) lies between Server (12.5) and Interactive (66.7): linear in u
    v, how = _value(tab, "deepseek-r1", "GB200_NVL72", "standard")
    assert how == "interpolated"
    assert v == pytest.approx(4668.1 + (25 - 12.5) / (66.7 - 12.5) * (3337.7 - 4668.1), abs=0.05)


def test_inferencex_counts_input_and_output_tokens_the_planner_output_only():
    """An InferenceX curve (total tok/s at 8k in / 1k out) -> output tokens (x 1/9), log-linear
    between the points around the tier's rate; with no MLPerf anchor for the model it is not
    rescaled."""
    ref = pd.DataFrame(
        [
            _ix("DeepSeek-R1-0528", "NVIDIA H100 SXM", 20.0, 900.0),
            _ix("DeepSeek-R1-0528", "NVIDIA H100 SXM", 30.0, 450.0),
        ]
    )
    tab = pt.build(ref, TIERS)
    v, how = _value(tab, "deepseek-r1", "H100_HGX", "standard")
    assert how == "interpolated"
    # log-linear halfway between 100 and 50 output tok/s: sqrt(100 x 50)
    assert v == pytest.approx((100.0 * 50.0) ** 0.5, abs=0.05)


def test_tiers_never_exceed_the_tier_below():
    tab = pt.build(pd.DataFrame([_mlperf("DeepSeek-R1", "NVIDIA B200 (HGX/DGX)", "offline", 4000.0)]), TIERS)
    for (_m, _c), g in tab.groupby(["model", "chip"]):
        v = g.set_index("tier")["tokens_per_s_per_chip"]
        assert v["standard"] <= v["batch"] and v["interactive"] <= v["standard"]


def test_bundled_table_is_the_tools_output_and_no_two_chips_share_a_value():
    ref_path = pt.REFERENCE
    if not ref_path.is_file():
        pytest.skip("reference table not present")
    tab = pt.build(pd.read_csv(ref_path), pt.read_tiers(ROOT / "models" / "tiers.csv"))
    bundled = pd.read_csv(ROOT / "models" / "throughput.csv")
    assert list(bundled.columns) == pt.COLUMNS
    pd.testing.assert_frame_equal(bundled, tab[pt.COLUMNS].reset_index(drop=True), check_dtype=False)
    assert not bundled.duplicated(["model", "tier", "tokens_per_s_per_chip"]).any()
    assert bundled["source"].str.len().min() > 20
    # the measured anchors of the issue: DeepSeek-R1 MLPerf Offline on GB300 NVL72 (v6.0)
    assert _value(tab, "deepseek-r1", "GB300_NVL72", "batch") == (8987.2, "measured")
