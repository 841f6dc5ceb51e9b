"""Roofline estimates of LLM serving throughput (tokens/s per accelerator).

This module is standalone (numpy + pandas only; no other planner imports). It fills the
(model, chip) pairs of ``models/throughput.csv`` that have no MLPerf Inference result, and
documents how. Method (see ``models/README.md`` for the full write-up and the calibration
table):

    tokens/s per accelerator = efficiency x min(compute_bound, memory_bound)

    compute_bound = F / (2 x A x 1e9 x (1 + r))          [tokens/s]
        F  dense tensor FLOP/s at the precision used: FP4 where the chip has it (MLPerf
           closed submissions on Blackwell / Rubin / MI355X use NVFP4 / MXFP4), else FP8
        A  active parameters per token, billions
        r  prefill ratio = mean input tokens / mean output tokens of the workload; MLPerf
           counts generated tokens only, but the accelerator also runs the prompt (2 FLOP per
           active parameter per token, prompt or generated)

    memory_bound  = BW / (A x 1e9 x b / B + KV x L)        [tokens/s]
        BW HBM bandwidth, bytes/s
        b  bytes per weight: 0.5625 for FP4 (4 bits + one 8-bit scale per 16 values), 1.0 FP8
        B  concurrent sequences sharing one pass over the weights per decode step
           (BATCH = 256; the per-GPU result does not depend on the tensor-parallel degree,
           because both the weight shard and the tokens per step scale with 1/n)
        KV KV-cache bytes per token position (FP8 cache, 1 byte/element)
        L  mean context length (tokens) held per sequence during decode

    efficiency = model efficiency (per model, fitted) x vendor software factor (per vendor,
    fitted; NVIDIA = 1 by definition).

``calibrate()`` fits ln(measured / roofline) = ln(eff_model) + ln(factor_vendor) by linear
least squares in log space over the MLPerf Server points in ``MLPERF_POINTS``.
``estimate_table()`` regenerates the estimated rows of ``models/throughput.csv`` and
``throughput_table()`` the whole file. ``python -m planner.prep.roofline`` prints estimate vs MLPerf
for every calibration point; ``python -m planner.prep.roofline --write models/throughput.csv``
rewrites the file.

Known simplifications (documented, absorbed by the fitted efficiencies): MoE weight traffic is
counted for the active parameters only (at large batch more experts are touched); HBM capacity
is not checked (a model larger than one server's HBM is assumed split over several servers at
the same per-GPU rate); interconnect, scheduling and latency limits are folded into efficiency.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------

#: Concurrent sequences sharing one weight pass per decode step (assumption; MLPerf Server
#: submissions run in-flight batching with hundreds of sequences per replica).
BATCH = 256

#: Bytes per weight. FP8 = 1 byte. FP4 (NVFP4 / MXFP4) = 0.5 byte + 1 scale byte per 16
#: (NVFP4) or 32 (MXFP4) values; we use the NVFP4 figure 0.5 + 1/16 = 0.5625.
BYTES_PER_PARAM_FP8 = 1.0
BYTES_PER_PARAM_FP4 = 0.5625

#: Vendor whose software factor is fixed to 1 (the reference the others are measured against).
REFERENCE_VENDOR = "NVIDIA"

#: Decimal places used when writing tokens_per_s_per_chip to throughput.csv.
ROUND_DECIMALS = 1

_LOCKWOOD_B200 = "G. Lockwood, B200 processor notes (n.d.), https://glennklockwood.com/garden/processors/B200"
_MLPERF51 = (
    "MLPerf Inference v5.1 system descriptions, MLCommons 2025, https://github.com/mlcommons/inference_results_v5.1"
)
_MLPERF61 = (
    "MLPerf Inference v6.1 system descriptions, MLCommons 2026, https://github.com/mlcommons/inference_results_v6.1"
)

#: Accelerator specs, one accelerator (GPU / OAM / package). Dense (non-sparse) tensor TFLOPS.
#: fp4_tflops None = no FP4 tensor support (FP8 is used).
CHIP_SPECS: dict[str, dict] = {
    "H100_HGX": dict(
        vendor="NVIDIA",
        fp8_tflops=1979.0,
        fp4_tflops=None,
        hbm_tb_s=3.35,
        hbm_gb=80.0,
        tdp_w=700.0,
        source="G. Lockwood, H100 processor notes (n.d.), https://glennklockwood.com/garden/processors/H100: FP8 3,958 sparse = 1,979 dense; HBM3 80 GB, 3.35 TB/s; SXM5 700 W",
    ),
    "H200_HGX": dict(
        vendor="NVIDIA",
        fp8_tflops=1979.0,
        fp4_tflops=None,
        hbm_tb_s=4.8,
        hbm_gb=141.0,
        tdp_w=700.0,
        source="Same GH100 die as H100 (Lockwood); 141 GB HBM3e and TGP 700 W per "
        + _MLPERF51
        + "; 4.8 TB/s per Yobitel MI325X knowledge base (n.d.)",
    ),
    "B200_HGX": dict(
        vendor="NVIDIA",
        fp8_tflops=4500.0,
        fp4_tflops=9000.0,
        hbm_tb_s=8.0,
        hbm_gb=180.0,
        tdp_w=1000.0,
        source=_LOCKWOOD_B200
        + " (HGX B200 at 1,000 W: FP8 4.5 PF, FP4 9 PF dense; 8 TB/s); 180 GB usable and TGP 1000 W per "
        + _MLPERF51,
    ),
    "B300_HGX": dict(
        vendor="NVIDIA",
        fp8_tflops=4500.0,
        fp4_tflops=14000.0,
        hbm_tb_s=8.0,
        hbm_gb=270.0,
        tdp_w=1100.0,
        source="Verda, GB300 NVL72 architecture (2025), https://verda.com/blog/gb300-nvl72-architecture: HGX B300 FP4 14 PF dense, FP8 unchanged vs B200, ~270 GB; 8 TB/s as GB300; TGP 1100 W per "
        + _MLPERF61,
    ),
    "GB200_NVL72": dict(
        vendor="NVIDIA",
        fp8_tflops=5000.0,
        fp4_tflops=10000.0,
        hbm_tb_s=8.0,
        hbm_gb=186.0,
        tdp_w=1200.0,
        source=_LOCKWOOD_B200 + " (GB200 at 1,200 W: FP8 5 PF, FP4 10 PF dense; 8 TB/s); 186 GB per " + _MLPERF51,
    ),
    "GB300_NVL72": dict(
        vendor="NVIDIA",
        fp8_tflops=5000.0,
        fp4_tflops=15000.0,
        hbm_tb_s=8.0,
        hbm_gb=288.0,
        tdp_w=1400.0,
        source="Verda, GB300 NVL72 architecture (2025): FP4 15 PF, FP8 5 PF dense, 288 GB HBM3e; 8 TB/s per Introl (2025); TGP 1400 W per "
        + _MLPERF61,
    ),
    "VR200_NVL144": dict(
        vendor="NVIDIA",
        fp8_tflops=16700.0,
        fp4_tflops=50000.0,
        hbm_tb_s=22.0,
        hbm_gb=288.0,
        tdp_w=2300.0,
        source="Per Rubin package (72 per NVL144 rack): FP4 50 PF NVFP4 inference (GTC 2025, Megaobzor; dense/sparse basis unsettled), FP8 = 1.2 EF / 72 = 16.7 PF (HyperAI 2025), HBM4 288 GB and TGP 2300 W per "
        + _MLPERF61
        + " (preview), 22 TB/s per MirrorFrog (2026, secondary)",
    ),
    "MI300X_OAM8": dict(
        vendor="AMD",
        fp8_tflops=2614.0,
        fp4_tflops=None,
        hbm_tb_s=5.3,
        hbm_gb=192.0,
        tdp_w=750.0,
        source="Yobitel, AMD MI325X knowledge base incl. MI300X (n.d.), https://yobitel.com/knowledge-base/amd-mi325x: FP8 2,614.9 TFLOPS (AMD lists as dense), 192 GB HBM3, 5.3 TB/s, 750 W",
    ),
    "MI325X_OAM8": dict(
        vendor="AMD",
        fp8_tflops=2614.0,
        fp4_tflops=None,
        hbm_tb_s=6.0,
        hbm_gb=256.0,
        tdp_w=1000.0,
        source="AI Wiki, AMD Instinct MI325X (n.d.), https://aiwiki.ai/wiki/amd_instinct_mi325x: 256 GB HBM3e, 6 TB/s; same CDNA3 compute as MI300X (2,614 TFLOPS FP8); ~1,000 W (Yobitel)",
    ),
    "MI355X_OAM8": dict(
        vendor="AMD",
        fp8_tflops=5000.0,
        fp4_tflops=10000.0,
        hbm_tb_s=8.0,
        hbm_gb=288.0,
        tdp_w=1400.0,
        source="The Register, AMD's MI355X is a 1.4 kW liquid-cooled monster (2025), https://www.theregister.com/2025/06/12/amd_mi355x/: 288 GB HBM3E, 8 TB/s, ~10 PF FP4 dense (= half of 20.1 PF sparse, Tom's Hardware), FP8 ~5 PF (derived), 1,400 W",
    ),
    "GAUDI3_OAM8": dict(
        vendor="Intel",
        fp8_tflops=1835.0,
        fp4_tflops=None,
        hbm_tb_s=3.7,
        hbm_gb=128.0,
        tdp_w=900.0,
        source="Intel Gaudi 3 (Intel Vision 2024 launch specs, reported by PCGuia 2024 https://pcguia.pt/2024/04/nvidia-e-amd-tem-um-novo-rival-no-mercado-de-ia-a-intel and awesomeagents.ai): 1,835 TFLOPS FP8/BF16 matrix, 128 GB HBM2e, 3.7 TB/s, 900 W OAM",
    ),
}

#: Model specs. kv_bytes_per_pos = 2 (K,V) x layers x kv_heads x head_dim x 1 byte (FP8 cache).
#: context_tokens (L) and prefill_ratio (r) describe the MLPerf workload the model is measured
#: on; they are approximate dataset means (estimates) and only shift the compute/memory balance,
#: the absolute level being set by the fitted efficiency.
MODEL_SPECS: dict[str, dict] = {
    "llama-3.1-8b": dict(
        params_b=8.03,
        active_params_b=8.03,
        kv_bytes_per_pos=2 * 32 * 8 * 128,
        context_tokens=900,
        prefill_ratio=7.0,
        source="Meta Llama 3.1 8B config (32 layers, 8 KV heads, head dim 128); workload: MLPerf v5.1 Llama3.1-8B CNN/DailyMail summarisation (~800 in / ~120 out tokens, estimate)",
    ),
    "llama-3.1-70b": dict(
        params_b=70.6,
        active_params_b=70.6,
        kv_bytes_per_pos=2 * 80 * 8 * 128,
        context_tokens=600,
        prefill_ratio=1.0,
        source="Meta Llama 3.1 70B config (80 layers, 8 KV heads, head dim 128; same shape as Llama 2 70B); workload: MLPerf Llama 2 70B OpenOrca (inputs ~ outputs, a few hundred tokens each, estimate)",
    ),
    "llama-3.1-405b": dict(
        params_b=405.9,
        active_params_b=405.9,
        kv_bytes_per_pos=2 * 126 * 8 * 128,
        context_tokens=10000,
        prefill_ratio=13.8,
        source="Meta Llama 3.1 405B config (126 layers, 8 KV heads, head dim 128); workload: MLPerf v5.0 Llama 3.1 405B long-context tasks (~9.4k in / ~0.7k out tokens, estimate)",
    ),
    "deepseek-r1": dict(
        params_b=671.0,
        active_params_b=37.0,
        kv_bytes_per_pos=61 * (512 + 64),
        context_tokens=4500,
        prefill_ratio=0.2,
        source="DeepSeek-R1 config (61 layers, MLA latent 512 + rope 64 per layer, 671B total / 37B active); workload: MLPerf v5.1 DeepSeek-R1 reasoning (~0.8k in / ~3.9k out tokens, estimate)",
    ),
    "gpt-oss-120b": dict(
        params_b=116.8,
        active_params_b=5.1,
        kv_bytes_per_pos=2 * 18 * 8 * 64,
        context_tokens=2000,
        prefill_ratio=1.5,
        source="OpenAI gpt-oss-120b model card (36 layers, half full-attention, 8 KV heads, head dim 64; 117B total / 5.1B active); workload: MLPerf v6.0 GPT-OSS 120B performance set (summarisation, estimate ~1.5:1 in:out)",
    ),
}

#: MLPerf Inference Server-scenario results (closed division), tokens/s per accelerator =
#: official aggregate / number of accelerators in the system. The latest round per pair, except
#: H200 x Llama 70B, taken from v4.1 like H100 (the only H100 result) so that the two Hopper
#: parts are compared at the same software vintage (see models/README.md).
MLPERF_POINTS: list[dict] = [
    dict(
        model="llama-3.1-8b",
        chip="B200_HGX",
        tokens_per_s_per_chip=16250.0,
        source="MLPerf Inference v6.0 Llama 3.1 8B Server (closed), Lambda NVIDIA HGX B200 8-GPU: 130.0k tokens/s / 8 (Lambda blog 2026, https://lambda.ai/blog/lambdas-mlperf-inference-v6.0-hardware-leap-software-maturity-research-breakthrough)",
    ),
    dict(
        model="llama-3.1-70b",
        chip="H100_HGX",
        tokens_per_s_per_chip=2700.7,
        source="MLPerf Inference v4.1 Llama 2 70B Server (closed, proxy for Llama 3.1 70B), NVIDIA DGX H100 8x H100-SXM-80GB: 21,605.8 tokens/s / 8 (MLCommons 2024, https://github.com/mlcommons/inference_results_v4.1)",
    ),
    dict(
        model="llama-3.1-70b",
        chip="H200_HGX",
        tokens_per_s_per_chip=3653.5,
        source="MLPerf Inference v4.1 Llama 2 70B Server (closed, proxy for Llama 3.1 70B), NVIDIA 8x H200: 29,228.2 tokens/s / 8 (MLCommons 2024, https://github.com/mlcommons/inference_results_v4.1); same round/software as the only H100 result so the Hopper pair differs by hardware only; the later v5.1 Dell XE9680 8x H200 result is 33,244 / 8 = 4,155.5 (+14%)",
    ),
    dict(
        model="llama-3.1-70b",
        chip="B200_HGX",
        tokens_per_s_per_chip=12390.4,
        source="MLPerf Inference v5.1 Llama 2 70B Server (closed, proxy for Llama 3.1 70B), NVIDIA 8x B200-SXM-180GB: 99,123 tokens/s / 8 (MLCommons 2025, https://github.com/mlcommons/inference_results_v5.1)",
    ),
    dict(
        model="llama-3.1-70b",
        chip="B300_HGX",
        tokens_per_s_per_chip=14181.9,
        source="MLPerf Inference v6.1 Llama 2 70B Server (closed, proxy for Llama 3.1 70B), ASUS 8x B300: 113,455 tokens/s / 8 (MLCommons 2026, https://github.com/mlcommons/inference_results_v6.1)",
    ),
    dict(
        model="llama-3.1-70b",
        chip="GB200_NVL72",
        tokens_per_s_per_chip=12339.9,
        source="MLPerf Inference v5.1 Llama 2 70B Server (closed, proxy for Llama 3.1 70B), GB200 NVL72 4-GPU partition: 49,359.6 tokens/s / 4 (MLCommons 2025, https://github.com/mlcommons/inference_results_v5.1)",
    ),
    dict(
        model="llama-3.1-70b",
        chip="GB300_NVL72",
        tokens_per_s_per_chip=15988.9,
        source="MLPerf Inference v6.1 Llama 2 70B Server (closed, proxy for Llama 3.1 70B), 8 GPUs of a GB300 NVL72: 127,911 tokens/s / 8 (MLCommons 2026, https://github.com/mlcommons/inference_results_v6.1)",
    ),
    dict(
        model="llama-3.1-70b",
        chip="MI300X_OAM8",
        tokens_per_s_per_chip=3074.2,
        source="MLPerf Inference v5.1 Llama 2 70B Server (closed, proxy for Llama 3.1 70B), AMD 8x MI300X: 24,593.8 tokens/s / 8 (MLCommons 2025, https://github.com/mlcommons/inference_results_v5.1)",
    ),
    dict(
        model="llama-3.1-70b",
        chip="MI325X_OAM8",
        tokens_per_s_per_chip=4003.4,
        source="MLPerf Inference v5.1 Llama 2 70B Server (closed, proxy for Llama 3.1 70B), AMD 8x MI325X: 32,027.6 tokens/s / 8 (MLCommons 2025, https://github.com/mlcommons/inference_results_v5.1)",
    ),
    dict(
        model="llama-3.1-70b",
        chip="MI355X_OAM8",
        tokens_per_s_per_chip=12909.4,
        source="MLPerf Inference v6.1 Llama 2 70B Server (closed, proxy for Llama 3.1 70B), AMD 8x MI355X: 103,275 tokens/s / 8 (MLCommons 2026, https://github.com/mlcommons/inference_results_v6.1)",
    ),
    dict(
        model="llama-3.1-405b",
        chip="H200_HGX",
        tokens_per_s_per_chip=36.9,
        source="MLPerf Inference v5.1 Llama 3.1 405B Server (closed), Nebius 8x H200: ~295 tokens/s / 8 (approx. value; MLCommons 2025, https://github.com/mlcommons/inference_results_v5.1)",
    ),
    dict(
        model="llama-3.1-405b",
        chip="B200_HGX",
        tokens_per_s_per_chip=155.1,
        source="MLPerf Inference v5.1 Llama 3.1 405B Server (closed), NVIDIA 8x B200: 1,240.4 tokens/s / 8 (MLCommons 2025, https://github.com/mlcommons/inference_results_v5.1)",
    ),
    dict(
        model="llama-3.1-405b",
        chip="GB200_NVL72",
        tokens_per_s_per_chip=161.3,
        source="MLPerf Inference v5.1 Llama 3.1 405B Server (closed), NVIDIA GB200 NVL72: 11,614 tokens/s / 72 (MLCommons 2025, https://github.com/mlcommons/inference_results_v5.1)",
    ),
    dict(
        model="llama-3.1-405b",
        chip="GB300_NVL72",
        tokens_per_s_per_chip=259.0,
        source="MLPerf Inference v6.0 Llama 3.1 405B Server (closed), GB300 NVL72, per-GPU value reported by NVIDIA (Wccftech 2026, https://wccftech.com/nvidia-is-among-the-first-to-submit-mlperf-inference-v6-0-benchmarks/; v5.1 official: 12,248 / 72 = 170.1)",
    ),
    dict(
        model="deepseek-r1",
        chip="B200_HGX",
        tokens_per_s_per_chip=6983.6,
        source="MLPerf Inference v6.1 DeepSeek-R1 Server (closed), Nebius 8x B200: 55,869 tokens/s / 8 (MLCommons 2026, https://github.com/mlcommons/inference_results_v6.1)",
    ),
    dict(
        model="deepseek-r1",
        chip="B300_HGX",
        tokens_per_s_per_chip=7988.6,
        source="MLPerf Inference v6.1 DeepSeek-R1 Server (closed), Nebius 8x B300: 63,909 tokens/s / 8 (MLCommons 2026, https://github.com/mlcommons/inference_results_v6.1)",
    ),
    dict(
        model="deepseek-r1",
        chip="GB200_NVL72",
        tokens_per_s_per_chip=5927.7,
        source="MLPerf Inference v6.1 DeepSeek-R1 Server (closed), Microsoft Azure GB200 NVL72: 426,796 tokens/s / 72 (best GB200 result of the round; NVIDIA's own: 395,940 / 72 = 5,499.2) (MLCommons 2026, https://github.com/mlcommons/inference_results_v6.1)",
    ),
    dict(
        model="deepseek-r1",
        chip="GB300_NVL72",
        tokens_per_s_per_chip=8290.9,
        source="MLPerf Inference v6.1 DeepSeek-R1 Server (closed), NVIDIA GB300 NVL72: 596,944 tokens/s / 72 (MLCommons 2026, https://github.com/mlcommons/inference_results_v6.1)",
    ),
    dict(
        model="deepseek-r1",
        chip="VR200_NVL144",
        tokens_per_s_per_chip=16331.8,
        source="MLPerf Inference v6.1 DeepSeek-R1 Server (closed, PREVIEW category), NVIDIA Vera Rubin NVL72 (= NVL144 dies): 1,175,890 tokens/s / 72 (MLCommons 2026, https://github.com/mlcommons/inference_results_v6.1)",
    ),
    dict(
        model="gpt-oss-120b",
        chip="GB300_NVL72",
        tokens_per_s_per_chip=13350.0,
        source="MLPerf Inference v6.0 GPT-OSS 120B Server (closed), Lambda NVIDIA GB300 one compute tray (4 GPUs): 53.4k tokens/s / 4 (Lambda blog 2026, https://lambda.ai/blog/lambdas-mlperf-inference-v6.0-hardware-leap-software-maturity-research-breakthrough)",
    ),
]


# --------------------------------------------------------------------------------------------
# Roofline
# --------------------------------------------------------------------------------------------


def _positive(spec: dict, key: str, what: str) -> float:
    try:
        value = float(spec[key])
    except KeyError:
        raise ValueError(f"{what} lacks '{key}'") from None
    except (TypeError, ValueError):
        raise ValueError(f"{what} has a non-numeric '{key}': {spec.get(key)!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} needs a positive '{key}', got {value!r}")
    return value


def precision(chip_spec: dict) -> str:
    """Return the serving precision assumed for a chip: ``"FP4"`` if it has FP4 tensor cores
    (``fp4_tflops`` set), else ``"FP8"``."""
    return "FP4" if chip_spec.get("fp4_tflops") else "FP8"


def roofline_bounds(chip_spec: dict, model_spec: dict, batch: int = BATCH) -> tuple[float, float]:
    """Return ``(compute_bound, memory_bound)`` in tokens/s per accelerator, before efficiency.

    chip_spec: dict with ``fp8_tflops`` (dense TFLOPS), optional ``fp4_tflops`` (dense, None =
    no FP4), ``hbm_tb_s`` (TB/s). model_spec: dict with ``active_params_b`` (billions),
    ``kv_bytes_per_pos`` (bytes per token position), ``context_tokens`` and ``prefill_ratio``
    (input/output tokens, >= 0). Raises ValueError on missing or non-positive inputs.
    """
    if batch <= 0:
        raise ValueError(f"batch must be positive, got {batch!r}")
    if precision(chip_spec) == "FP4":
        flops = _positive(chip_spec, "fp4_tflops", "chip spec") * 1e12
        bpp = BYTES_PER_PARAM_FP4
    else:
        flops = _positive(chip_spec, "fp8_tflops", "chip spec") * 1e12
        bpp = BYTES_PER_PARAM_FP8
    bandwidth = _positive(chip_spec, "hbm_tb_s", "chip spec") * 1e12
    active = _positive(model_spec, "active_params_b", "model spec") * 1e9
    kv = _positive(model_spec, "kv_bytes_per_pos", "model spec")
    ctx = _positive(model_spec, "context_tokens", "model spec")
    ratio = float(model_spec.get("prefill_ratio", 0.0))
    if not math.isfinite(ratio) or ratio < 0:
        raise ValueError(f"model spec needs a prefill_ratio >= 0, got {ratio!r}")
    compute_bound = flops / (2.0 * active * (1.0 + ratio))
    memory_bound = bandwidth / (active * bpp / batch + kv * ctx)
    return compute_bound, memory_bound


def roofline_tokens_per_s(chip_spec: dict, model_spec: dict, efficiency: float) -> float:
    """Tokens/s per accelerator = efficiency x min(compute_bound, memory_bound).

    chip_spec / model_spec: dicts shaped like the entries of ``CHIP_SPECS`` / ``MODEL_SPECS``
    (see ``roofline_bounds`` for the keys and units). efficiency: the combined factor (model
    efficiency x vendor software factor), a positive float, normally in (0, 1]. Returns a float
    (tokens/s of generated tokens per accelerator). Raises ValueError on bad inputs.
    """
    eff = float(efficiency)
    if not math.isfinite(eff) or eff <= 0:
        raise ValueError(f"efficiency must be positive, got {efficiency!r}")
    compute_bound, memory_bound = roofline_bounds(chip_spec, model_spec)
    return eff * min(compute_bound, memory_bound)


def binding_bound(chip_spec: dict, model_spec: dict) -> str:
    """``"compute"`` or ``"memory"``: which roofline term is the smaller one."""
    c, m = roofline_bounds(chip_spec, model_spec)
    return "compute" if c <= m else "memory"


# --------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------


@dataclass
class Calibration:
    """Result of ``calibrate``: efficiency per model, software factor per vendor, and the
    comparison table (one row per calibration point: model, chip, measured, estimate, error)."""

    model_efficiency: dict[str, float]
    vendor_factor: dict[str, float]
    points: pd.DataFrame = field(repr=False)

    def efficiency(self, model: str, chip: str, chips: dict | None = None) -> float:
        """Combined efficiency for a (model, chip) pair."""
        chips = CHIP_SPECS if chips is None else chips
        return self.model_efficiency[model] * self.vendor_factor[chips[chip]["vendor"]]

    @property
    def worst_error(self) -> float:
        """Largest |estimate / measured - 1| over the calibration points."""
        return float(self.points["error"].abs().max())


def calibrate(
    points: list[dict] | pd.DataFrame | None = None, chips: dict | None = None, models: dict | None = None
) -> Calibration:
    """Fit one efficiency per model and one software factor per vendor to MLPerf points.

    points: records with ``model``, ``chip``, ``tokens_per_s_per_chip`` (default
    ``MLPERF_POINTS``). Solves ln(measured / roofline) = ln(eff_model) + ln(factor_vendor) by
    linear least squares (log space), with the factor of ``REFERENCE_VENDOR`` fixed to 1.
    Models without points get the geometric mean of the fitted efficiencies; vendors without
    points (e.g. Intel) get the geometric mean of the fitted non-reference vendor factors
    (1.0 if there are none). Raises ValueError on an unknown model/chip or a non-positive value.
    """
    chips = CHIP_SPECS if chips is None else chips
    models = MODEL_SPECS if models is None else models
    df = pd.DataFrame(MLPERF_POINTS if points is None else points)
    if df.empty:
        raise ValueError("calibrate needs at least one point")
    for col in ("model", "chip", "tokens_per_s_per_chip"):
        if col not in df.columns:
            raise ValueError(f"calibration points lack column '{col}'")
    for _, p in df.iterrows():
        if p["model"] not in models:
            raise ValueError(f"calibration point names unknown model {p['model']!r}")
        if p["chip"] not in chips:
            raise ValueError(f"calibration point names unknown chip {p['chip']!r}")
        if not float(p["tokens_per_s_per_chip"]) > 0:
            raise ValueError(f"calibration point {p['model']}/{p['chip']} is not positive")

    fit_models = sorted(df["model"].unique())
    vendors = sorted({chips[c]["vendor"] for c in df["chip"]} - {REFERENCE_VENDOR})
    n_cols = len(fit_models) + len(vendors)
    a = np.zeros((len(df), n_cols))
    y = np.zeros(len(df))
    raw = np.zeros(len(df))
    for i, (_, p) in enumerate(df.iterrows()):
        raw[i] = roofline_tokens_per_s(chips[p["chip"]], models[p["model"]], 1.0)
        y[i] = math.log(float(p["tokens_per_s_per_chip"]) / raw[i])
        a[i, fit_models.index(p["model"])] = 1.0
        v = chips[p["chip"]]["vendor"]
        if v != REFERENCE_VENDOR:
            a[i, len(fit_models) + vendors.index(v)] = 1.0
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    model_eff = {m: float(math.exp(coef[k])) for k, m in enumerate(fit_models)}
    vendor_factor = {REFERENCE_VENDOR: 1.0}
    vendor_factor.update({v: float(math.exp(coef[len(fit_models) + k])) for k, v in enumerate(vendors)})

    gm_eff = float(np.exp(np.mean(np.log(list(model_eff.values())))))
    for m in models:
        model_eff.setdefault(m, gm_eff)
    others = [f for v, f in vendor_factor.items() if v != REFERENCE_VENDOR]
    gm_vendor = float(np.exp(np.mean(np.log(others)))) if others else 1.0
    for spec in chips.values():
        vendor_factor.setdefault(spec["vendor"], gm_vendor)

    rows = []
    for i, (_, p) in enumerate(df.iterrows()):
        eff = model_eff[p["model"]] * vendor_factor[chips[p["chip"]]["vendor"]]
        est = eff * raw[i]
        meas = float(p["tokens_per_s_per_chip"])
        rows.append(
            dict(
                model=p["model"],
                chip=p["chip"],
                measured=meas,
                estimate=est,
                ratio=est / meas,
                error=est / meas - 1.0,
                bound=binding_bound(chips[p["chip"]], models[p["model"]]),
            )
        )
    return Calibration(model_eff, vendor_factor, pd.DataFrame(rows))


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def estimate_table(calibration: Calibration | None = None) -> pd.DataFrame:
    """Estimated rows of ``models/throughput.csv``: every (model, chip) pair of ``MODEL_SPECS``
    x ``CHIP_SPECS`` without an MLPerf point, with columns model, chip, tokens_per_s_per_chip
    (rounded to ``ROUND_DECIMALS``), source. Sorted by model then chip (spec order)."""
    cal = calibrate() if calibration is None else calibration
    measured = {(p["model"], p["chip"]) for p in MLPERF_POINTS}
    rows = []
    for m, mspec in MODEL_SPECS.items():
        for c, cspec in CHIP_SPECS.items():
            if (m, c) in measured:
                continue
            eff_m = cal.model_efficiency[m]
            f_v = cal.vendor_factor[cspec["vendor"]]
            value = roofline_tokens_per_s(cspec, mspec, eff_m * f_v)
            src = (
                f"estimate: roofline (models/README.md), eff={eff_m:.3f} x {cspec['vendor']} "
                f"software factor {f_v:.3f}, {precision(cspec)}, {binding_bound(cspec, mspec)}-bound, "
                f"batch {BATCH}"
            )
            rows.append(dict(model=m, chip=c, tokens_per_s_per_chip=round(value, ROUND_DECIMALS), source=src))
    return pd.DataFrame(rows, columns=["model", "chip", "tokens_per_s_per_chip", "source"])


def throughput_table(calibration: Calibration | None = None) -> pd.DataFrame:
    """The full ``models/throughput.csv``: MLPerf Server points where they exist, roofline
    estimates elsewhere; one row per (model, chip), sorted in spec order."""
    est = estimate_table(calibration)
    meas = pd.DataFrame(MLPERF_POINTS)[["model", "chip", "tokens_per_s_per_chip", "source"]]
    full = pd.concat([meas, est], ignore_index=True)
    morder = {m: i for i, m in enumerate(MODEL_SPECS)}
    corder = {c: i for i, c in enumerate(CHIP_SPECS)}
    full = full.sort_values(by=["model", "chip"], key=lambda s: s.map(morder if s.name == "model" else corder))
    return full.reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    """CLI: print estimate vs MLPerf for each calibration point; ``--write PATH`` writes the
    full throughput table as CSV."""
    parser = argparse.ArgumentParser(prog="python -m planner.prep.roofline", description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="PATH", help="write the full throughput table (CSV) to PATH")
    args = parser.parse_args(argv)
    cal = calibrate()
    print("Model efficiencies:", ", ".join(f"{m} {e:.3f}" for m, e in cal.model_efficiency.items()))
    print("Vendor software factors:", ", ".join(f"{v} {f:.3f}" for v, f in cal.vendor_factor.items()))
    pts = cal.points.copy()
    pts["error"] = pts["error"].map(lambda e: f"{e:+.1%}")
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(pts.to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
    print(f"Worst error: {cal.worst_error:.1%} (limit 25%)")
    if args.write:
        throughput_table(cal).to_csv(args.write, index=False)
        print(f"Wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
