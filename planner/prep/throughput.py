"""Rebuild ``models/throughput.csv`` per service tier from measured serving curves.

``python -m planner.prep.throughput [--reference CSV] [--write]`` reads the reference table
``inference_throughput.csv`` (SemiAnalysis InferenceX curve points and MLPerf Inference
Offline / Server / Interactive results; sources and caveats in the reference SOURCES.md) and
the bundled ``models/tiers.csv``, and writes one row per (model, chip, tier) of
``models/throughput.csv`` plus the ratio tables of ``models/README.md`` (between the
``throughput-tiers`` markers). Without ``--write`` it prints the table.

**Units.** The planner's tokens are *generated (output) tokens*: MLPerf counts output tokens
only; InferenceX's tok/s/GPU is total (input + output) tokens, so an InferenceX point is
converted to output tokens as ``throughput x osl / (isl + osl)`` (1/9 at 8k in / 1k out, 1/2
at 1k / 1k). Both are per accelerator (GPU / OAM package), as ``tokens_per_s_per_chip``.

**Method**, for each (model, chip) and tier t promising u tokens/s per user (batch: u = 0):

1. *measured*: an MLPerf scenario whose latency limit implies exactly u (Offline: no limit,
   u = 0; Server and Interactive: 1 / p99 TPOT, e.g. 25 tok/s/user for Llama-2-70B
   Interactive, 66.7 for DeepSeek-R1 and gpt-oss-120b Interactive);
2. *interpolated*: linearly in u between the two MLPerf points of that (model, chip) around u,
   else log-linearly between the two InferenceX points of one curve (same precision and
   isl/osl) around u;
3. *scaled*: where the chip has a measured or interpolated value in another tier, that value x
   the median tier ratio of the chips of the same vendor (else of all chips) measured in both
   tiers by one benchmark for that model (else for the other models);
4. *estimated*: where nothing is measured for the (model, chip), the first tier (batch) is the
   roofline of :mod:`planner.prep.roofline` x a measured / roofline ratio -- the chip's own on
   the other models (median), else that of the same-vendor chip (chip family) with the nearest
   roofline measured for this model, else the median of the vendor's (or all) measured pairs --
   and the other tiers follow from it by the tier ratios of step 3.

A tier never exceeds the tier below it in interactivity (a capped value says so).
Model and chip names of the reference map to the planner's in :data:`MODEL_OF` and
:data:`CHIP_OF`; Llama-2-70B and Llama-3.3-70B results stand for llama-3.1-70b (same
architecture, see models/README.md).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from . import roofline

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path("/work/shared/reference/inference_throughput.csv")
MODELS_DIR = ROOT / "models"

#: reference model name -> planner model
MODEL_OF = {
    "Llama-2-70B": "llama-3.1-70b",
    "Llama-3.3-70B-Instruct": "llama-3.1-70b",
    "Llama-3.1-405B": "llama-3.1-405b",
    "DeepSeek-R1": "deepseek-r1",
    "DeepSeek-R1-0528": "deepseek-r1",
    "gpt-oss-120b": "gpt-oss-120b",
}
#: reference chip name -> planner chip
CHIP_OF = {
    "NVIDIA H100 SXM": "H100_HGX",
    "NVIDIA H200 SXM": "H200_HGX",
    "NVIDIA B200 (HGX/DGX)": "B200_HGX",
    "NVIDIA B300 (HGX)": "B300_HGX",
    "NVIDIA GB200 (per GPU in NVL72)": "GB200_NVL72",
    "NVIDIA GB300 (per GPU in NVL72)": "GB300_NVL72",
    "AMD Instinct MI300X": "MI300X_OAM8",
    "AMD Instinct MI325X": "MI325X_OAM8",
    "AMD Instinct MI355X": "MI355X_OAM8",
}
_MIN_RATE = re.compile(r">=\s*([\d.]+)\s*tok/s/user")
COLUMNS = ["model", "chip", "tier", "tokens_per_s_per_chip", "source"]


def mlperf_points(ref: pd.DataFrame) -> dict[tuple, list[tuple]]:
    """(model, chip) -> sorted [(u tok/s/user, output tok/s per GPU, label)] of MLPerf results:
    Offline at u = 0, Server and Interactive at the rate their p99 TPOT limit implies. Where a
    scenario has several results, the highest (the newest software) is kept."""
    out: dict[tuple, dict] = {}
    for r in ref.to_dict("records"):
        if r["scenario"] not in ("offline", "server", "interactive"):
            continue
        m, c, v = MODEL_OF.get(r["model"]), CHIP_OF.get(r["chip"]), r["throughput_tok_s_per_gpu"]
        if m is None or c is None or not (v > 0):
            continue
        if r["scenario"] == "offline":
            u = 0.0
        else:
            hit = _MIN_RATE.search(str(r["latency_constraint"]))
            if not hit:
                continue
            u = float(hit.group(1))
        label = f"MLPerf {r['scenario'].capitalize()} {r['model']} ({r['system']}; {r['source']})"
        key = (m, c)
        prev = out.setdefault(key, {}).get(r["scenario"])
        if prev is None or v > prev[1]:
            out[key][r["scenario"]] = (u, float(v), label)
    return {k: sorted(v.values()) for k, v in out.items()}


def inferencex_curves(ref: pd.DataFrame) -> dict[tuple, list[tuple]]:
    """(model, chip) -> the InferenceX curve with the most points, as sorted [(u, output tok/s
    per GPU, label)]; output = total x osl / (isl + osl)."""
    rows = ref[ref["isl"].notna() & ref["interactivity_tok_s_user"].notna() & (ref["throughput_tok_s_per_gpu"] > 0)]
    curves: dict[tuple, dict] = {}
    for r in rows.to_dict("records"):
        m, c = MODEL_OF.get(r["model"]), CHIP_OF.get(r["chip"])
        if m is None or c is None:
            continue
        kind = "dashboard" if "interpolated" in str(r["scenario"]) else "raw"
        ckey = (r["precision"], int(r["isl"]), int(r["osl"]), kind)
        share = r["osl"] / (r["isl"] + r["osl"])
        label = (
            f"InferenceX {r['model']} {r['precision']} {int(r['isl'])}/{int(r['osl'])} "
            f"at {r['interactivity_tok_s_user']:g} tok/s/user: {r['throughput_tok_s_per_gpu']:g} total tok/s/GPU "
            f"x {int(r['osl'])}/{int(r['isl'] + r['osl'])} output share ({r['source']})"
        )
        curves.setdefault((m, c), {}).setdefault(ckey, {})[float(r["interactivity_tok_s_user"])] = (
            float(r["throughput_tok_s_per_gpu"]) * share,
            label,
        )
    out = {}
    for key, by in curves.items():
        best = max(by.items(), key=lambda kv: (len(kv[1]), kv[0][0] == "FP8", kv[0][3] == "dashboard"))[1]
        out[key] = sorted((u, v, lab) for u, (v, lab) in best.items())
    return out


def _between(points: list[tuple], u: float, log: bool) -> tuple[float, str] | None:
    """Value at u on a sorted curve [(u, v, label)]: exact point, or interpolated between the
    neighbours (linear, or linear in log v); None outside the measured range."""
    for pu, pv, lab in points:
        if math.isclose(pu, u, rel_tol=1e-6, abs_tol=1e-9):
            return pv, f"measured: {lab}"
    for (u0, v0, l0), (u1, v1, l1) in zip(points, points[1:], strict=False):
        if u0 < u < u1:
            w = (u - u0) / (u1 - u0)
            v = math.exp(math.log(v0) + w * (math.log(v1) - math.log(v0))) if log else v0 + w * (v1 - v0)
            how = "log-linear" if log else "linear"
            return v, f"interpolated ({how} in tok/s/user) between {l0} and {l1}"
    return None


def read_tiers(path: Path) -> list[tuple[str, float]]:
    """[(tier, u tok/s/user)] in file order; a blank u (batch) is 0."""
    t = pd.read_csv(path, keep_default_na=False, dtype=str)
    return [
        (r["tier"], float(r["tokens_per_s_per_user"]) if r["tokens_per_s_per_user"] else 0.0) for _, r in t.iterrows()
    ]


def build(ref: pd.DataFrame, tiers: list[tuple[str, float]]) -> pd.DataFrame:
    """The tiered throughput table (:data:`COLUMNS` plus ``how``: measured / interpolated /
    scaled / estimated) for every model of roofline.MODEL_SPECS x chip of roofline.CHIP_SPECS x
    tier."""
    ml, ix = mlperf_points(ref), inferencex_curves(ref)
    models, chips = list(roofline.MODEL_SPECS), list(roofline.CHIP_SPECS)
    vendor = {c: roofline.CHIP_SPECS[c]["vendor"] for c in chips}
    cal = roofline.calibrate()
    roof = {
        (m, c): roofline.roofline_tokens_per_s(
            roofline.CHIP_SPECS[c],
            roofline.MODEL_SPECS[m],
            cal.model_efficiency[m] * cal.vendor_factor[vendor[c]],
        )
        for m in models
        for c in chips
    }
    # (m, c, t) -> (value, how, source, family); family "mlperf" / "ix" for measured values
    val: dict[tuple, tuple[float, str, str, str]] = {}
    ixval: dict[tuple, tuple[float, str]] = {}
    for m in models:
        for c in chips:
            for t, u in tiers:
                if (m, c) in ml:
                    got = _between(ml[m, c], u, log=False)
                    if got is not None:
                        how = "measured" if got[1].startswith("measured") else "interpolated"
                        val[m, c, t] = (got[0], how, got[1], "mlperf")
                if (m, c) in ix:
                    got = _between(ix[m, c], u, log=True)
                    if got is not None:
                        ixval[m, c, t] = got
    # InferenceX curves put chips side by side at the same tokens/s per user; their workload
    # (isl/osl, software) is not MLPerf's, so a chip measured by InferenceX only is put on the
    # MLPerf scale by the median MLPerf / InferenceX ratio of the chips both measure at that
    # tier for the model (any tier where none does; 1 where no chip has both)
    for m in models:
        for t in [t for t, _ in tiers]:
            both = [g for g in chips if (m, g, t) in val and (m, g, t) in ixval]
            if not both:
                both_any = [(g, tt) for g in chips for tt, _ in tiers if (m, g, tt) in val and (m, g, tt) in ixval]
                fs = [val[m, g, tt][0] / ixval[m, g, tt][0] for g, tt in both_any]
                where = f"{len(fs)} (chip, tier) pairs of {m} measured by both"
            else:
                fs = [val[m, g, t][0] / ixval[m, g, t][0] for g in both]
                where = f"{', '.join(both)} at {t}"
            f = float(np.median(fs)) if fs else 1.0
            for c in chips:
                if (m, c) in ml or (m, c, t) not in ixval:
                    continue
                v, lab = ixval[m, c, t]
                how = "measured" if lab.startswith("measured") else "interpolated"
                cal_txt = f"x MLPerf/InferenceX scale {f:.3f} ({where})" if fs else "(no MLPerf anchor)"
                val[m, c, t] = (v * f, how, f"{lab} {cal_txt}", "ix")
    measured = dict(val)
    names = [t for t, _ in tiers]

    def ratio(m: str, c: str, t_to: str, t_from: str) -> tuple[float, str] | None:
        """Median ratio t_to / t_from over other chips measured in both tiers by one source
        family (same vendor first, then all chips)."""
        for pool, what in ((lambda g: vendor[g] == vendor[c], f"{vendor[c]} chips"), (lambda g: True, "chips")):
            rs = [
                measured[m, g, t_to][0] / measured[m, g, t_from][0]
                for g in chips
                if pool(g)
                and g != c
                and (m, g, t_to) in measured
                and (m, g, t_from) in measured
                and measured[m, g, t_to][3] == measured[m, g, t_from][3]
            ]
            if rs:
                r = float(np.median(rs))
                return r, f"median {t_to}/{t_from} ratio {r:.3f} of {len(rs)} measured {what}"
        for pool, what in ((lambda g: vendor[g] == vendor[c], vendor[c]), (lambda g: True, "all")):
            rs = [
                measured[mm, g, t_to][0] / measured[mm, g, t_from][0]
                for mm in models
                for g in chips
                if mm != m
                and pool(g)
                and (mm, g, t_to) in measured
                and (mm, g, t_from) in measured
                and measured[mm, g, t_to][3] == measured[mm, g, t_from][3]
            ]
            if rs:
                r = float(np.median(rs))
                return r, f"median {t_to}/{t_from} ratio {r:.3f} of {len(rs)} measured {what} (model, chip) pairs"
        return None

    for m in models:
        for c in chips:
            have = [t for t in names if (m, c, t) in measured]
            for t in names:
                if (m, c, t) in val or not have:
                    continue
                base = min(have, key=lambda h: (abs(names.index(h) - names.index(t)), names.index(h)))
                r = ratio(m, c, t, base)
                if r is not None:
                    v0 = measured[m, c, base][0]
                    val[m, c, t] = (v0 * r[0], "scaled", f"estimate: {c} {base} value {v0:,.1f} x {r[1]}", "")

    def k_of(m: str, c: str, t: str) -> tuple[float, str]:
        """measured / roofline at tier t: the chip's own, median over the other models measured
        on it; else the same-vendor chip with the nearest roofline measured for this model;
        else the median of same-vendor chips over all models; else of all chips."""
        own = [measured[mm, c, t][0] / roof[mm, c] for mm in models if mm != m and (mm, c, t) in measured]
        if own:
            k = float(np.median(own))
            return k, f"{c}'s own measured/roofline ratio at {t} (median of {len(own)} other models) {k:.3f}"
        fam = [g for g in chips if vendor[g] == vendor[c] and (m, g, t) in measured]
        if fam:
            g = min(fam, key=lambda g: abs(math.log(roof[m, g] / roof[m, c])))
            k = measured[m, g, t][0] / roof[m, g]
            return k, f"measured/roofline ratio {k:.3f} of {g} (nearest {vendor[c]} chip) at {t}"
        for pool, what in ((lambda g: vendor[g] == vendor[c], f"{vendor[c]} chips"), (lambda g: True, "all chips")):
            ks = [
                measured[mm, g, t][0] / roof[mm, g]
                for mm in models
                for g in chips
                if pool(g) and (mm, g, t) in measured
            ]
            if ks:
                k = float(np.median(ks))
                return k, f"median measured/roofline ratio {k:.3f} at {t} of {len(ks)} measured pairs of {what}"
        return 1.0, "no measured ratio: roofline as calibrated"

    for m in models:
        for c in chips:
            for t in names:
                if (m, c, t) in val:
                    continue
                first = names[0]
                if t != first and (m, c, first) in val:  # the estimate's other tiers: by tier ratio
                    r = ratio(m, c, t, first)
                    if r is not None:
                        v0 = val[m, c, first][0]
                        val[m, c, t] = (v0 * r[0], "estimated", f"{c} {first} estimate {v0:,.1f} x {r[1]}", "")
                        continue
                k, why = k_of(m, c, t)
                val[m, c, t] = (
                    roof[m, c] * k,
                    "estimated",
                    f"estimate: roofline {roof[m, c]:,.1f} tok/s (planner/prep/roofline.py) x {why}",
                    "",
                )
    rows = []
    for m in models:
        for c in chips:
            cap = math.inf
            for t in names:
                v, how, src, _fam = val[m, c, t]
                if v > cap:
                    src = f"{src}; capped at the {names[names.index(t) - 1]} value {cap:,.1f}"
                    v = cap
                cap = v
                rows.append(
                    (m, c, t, round(v, roofline.ROUND_DECIMALS), f"{how}: {src.removeprefix('estimate: ')}", how)
                )
    return pd.DataFrame(rows, columns=[*COLUMNS, "how"])


def readme_tables(tab: pd.DataFrame, tiers: list[str]) -> str:
    """One markdown table per model: each chip's tokens/s per GPU per tier, its ratio to H100
    in that tier, and M (measured), I (interpolated), S (scaled) or E (estimated)."""
    mark = {"measured": "M", "interpolated": "I", "scaled": "S", "estimated": "E"}
    out = []
    for m, g in tab.groupby("model", sort=False):
        out.append(f"#### {m}\n")
        out.append("| chip | " + " | ".join(f"{t} tok/s (× H100)" for t in tiers) + " |")
        out.append("|---|" + "---:|" * len(tiers))
        h = g[g["chip"] == "H100_HGX"].set_index("tier")["tokens_per_s_per_chip"]
        for c, gc in g.groupby("chip", sort=False):
            gc = gc.set_index("tier")
            cells = []
            for t in tiers:
                v = gc.at[t, "tokens_per_s_per_chip"]
                ratio = v / h[t] if h.get(t, 0) > 0 else float("nan")
                cells.append(f"{v:,.1f} ({ratio:.2f}×) {mark[gc.at[t, 'how']]}")
            out.append(f"| {c} | " + " | ".join(cells) + " |")
        out.append("")
    out.append(
        "M = measured (an MLPerf result at exactly the tier's rate), I = interpolated along a measured curve, "
        "S = scaled from the chip's own value in another tier by the median tier ratio of measured chips, "
        "E = estimated (roofline calibrated to the nearest measured chip of the same family). Each row's "
        "`source` in throughput.csv names the figures used."
    )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """CLI: build the table; ``--write`` writes models/throughput.csv and the README tables."""
    p = argparse.ArgumentParser(prog="python -m planner.prep.throughput", description=__doc__.splitlines()[0])
    p.add_argument("--reference", default=str(REFERENCE), help="inference_throughput.csv")
    p.add_argument("--models", default=str(MODELS_DIR), help="models folder (tiers.csv, README.md)")
    p.add_argument("--write", action="store_true", help="write throughput.csv and the README tables")
    a = p.parse_args(argv)
    ref = pd.read_csv(a.reference)
    folder = Path(a.models)
    tiers = read_tiers(folder / "tiers.csv")
    tab = build(ref, tiers)
    counts = tab["how"].value_counts().to_dict()
    print(f"{len(tab)} rows: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if not a.write:
        with pd.option_context("display.width", 200, "display.max_rows", 400):
            print(tab[["model", "chip", "tier", "tokens_per_s_per_chip", "how"]].to_string(index=False))
        return 0
    tab[COLUMNS].to_csv(folder / "throughput.csv", index=False, lineterminator="\n")
    readme = folder / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- throughput-tiers:start -->", "<!-- throughput-tiers:end -->"
    block = f"{start}\n{readme_tables(tab, [t for t, _ in tiers])}{end}"
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")
    print(f"Wrote {folder / 'throughput.csv'} and the tables of {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
