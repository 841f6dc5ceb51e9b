"""Solve a sweep's variants in parallel and collect ``sweep.csv`` (DESIGN.md §7.8).

Layout of a sweep folder ``DIR`` (default ``results/sweep-<spec name>``):

- ``DIR/<variant>/``: the variant's results folder, what ``planner solve`` writes for
  ``DIR/_inputs/<variant>/``;
- ``DIR/_inputs/<variant>/``: the materialised variant (a scenario folder), and
  ``DIR/_inputs/<variant>.json``: its sweep.csv row and the digest of its inputs. A rerun
  skips a variant whose row says it was solved from the same inputs (the digest, not the
  name, says two variants are the same: a grid variant is named from the keys that vary, so
  an edited constant key keeps the name and re-solves it). A grid variant finished under
  the older name from every grid key is found there and renamed (:func:`_adopt`);
- ``DIR/sweep.csv``, ``DIR/sweep.md``, ``DIR/sweep.html``, ``DIR/plots/``.

Variants run in a local process pool (:class:`concurrent.futures.ProcessPoolExecutor`,
spawned processes) or on a Dask cluster (:mod:`dask.distributed`). Each task reads its
scenario folder and writes its results folder itself, so on a cluster ``DIR`` must be on a
filesystem every worker sees. A variant that fails is a row with its error; the others go on.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..io.errors import UsageError
from ..io.results import write_files
from .materialise import inputs_digest, materialise
from .spec import SweepSpec

COLUMNS = [
    "variant",
    "status",
    "objective_usd",
    "mip_gap",
    "capex_infrastructure_usd",
    "capex_chips_usd",
    "capex_energy_usd",
    "it_mw_last_year",
    "tokens_served",
    "co2_t",
    "usd_per_mtok",
    "seconds",
    "error",
]
SOLVED = ("optimal", "time_limit", "feasible", "solution_limit", "interrupted_with_plan")
INPUTS = "_inputs"


def solver_threads(workers: int, cores: int | None = None) -> int:
    """Threads of each variant's solver: max(1, cores // workers) (DESIGN.md §7.8)."""
    cores = cores or os.cpu_count() or 1
    return max(1, cores // max(1, workers))


def sweep_row(name: str, summary: dict, tables: dict[str, pd.DataFrame], discount_rate: float) -> dict:
    """The sweep.csv row of a solved variant from its summary.json and tables.

    - capex by layer: cash capex of investment_schedule.csv (USD, undiscounted) over the horizon;
    - ``it_mw_last_year``: MW IT of active units in the last year (capacity.csv ``it_mw``);
    - ``tokens_served``: serving.csv over every year;
    - ``co2_t``: CO2 as the carbon cap counts it: energy.csv's ``co2_t`` (grid, onsite, storage
      discharge), plus embodied CO2 when an emissions table exists and the scope is lifecycle;
    - ``usd_per_mtok``: the levelised cost of a million tokens served: Σ_y DF_y × cost_y
      without the unserved penalty / Σ_y DF_y × tokens_y × 1e6 (USD of the currency year)."""
    y0, y1 = summary["start_year"], summary["end_year"]
    inv = tables["investment_schedule"]
    capex = inv.groupby("layer")["capex_usd"].sum() if len(inv) else pd.Series(dtype=float)
    cap = tables["capacity"]
    mw = float(cap.loc[cap["year"] == y1, "it_mw"].sum()) if len(cap) else 0.0
    srv = tables["serving"]
    tok_y = srv.groupby("year")["tokens"].sum() if len(srv) else pd.Series(dtype=float)
    co2 = float(tables["energy"]["co2_t"].sum()) if len(tables["energy"]) else 0.0
    em = tables.get("emissions")
    if em is not None and len(em) and summary.get("carbon_scope") == "lifecycle":
        co2 = float(em["co2_t"].sum())
    costs = tables["costs"]
    c = costs[costs["component"] != "unserved_penalty"]
    disc_cost = float(c["usd_discounted"].sum())
    disc_tok = sum(float(t) * (1 + discount_rate) ** -(int(y) - y0) for y, t in tok_y.items())
    return {
        "variant": name,
        "status": summary["status"],
        "objective_usd": summary.get("objective_usd"),
        "mip_gap": summary.get("mip_gap"),
        "capex_infrastructure_usd": float(capex.get("infrastructure", 0.0)),
        "capex_chips_usd": float(capex.get("chips", 0.0)),
        "capex_energy_usd": float(capex.get("energy", 0.0)),
        "it_mw_last_year": mw,
        "tokens_served": float(tok_y.sum()),
        "co2_t": co2,
        "usd_per_mtok": disc_cost / (disc_tok / 1e6) if disc_tok > 0 else None,
        "seconds": None,
        "error": "",
        "_years": [y0, y1],
    }


def run_variant(task: dict) -> dict:
    """Solve one materialised variant and write its results folder; the task's sweep.csv row.

    ``task``: ``name``, ``scenario`` (the materialised folder), ``out`` (its results folder).
    Never raises for a failed variant (bad input, no plan, a bug): the row's ``status`` and
    ``error`` say what happened. KeyboardInterrupt propagates."""
    from .. import api
    from ..io.errors import InputError, NoSolutionError, PlannerError

    t0 = time.perf_counter()
    row = {c: None for c in COLUMNS}
    row.update(variant=task["name"], error="")
    try:
        scn = api.load_scenario(task["scenario"])
        p = api.solve(scn)
        p.write(task["out"], overwrite=True)
        summ = p.summary()
        row.update(sweep_row(task["name"], summ, p.tables, scn.config.discount_rate))
        if p.failures:
            row["error"] = "the plan failed the invariant checks (a bug in planner): " + "; ".join(map(str, p.failures))
    except InputError as e:
        row.update(status="input_error", error=" ".join(str(e).splitlines()))
    except NoSolutionError as e:
        row.update(status="no_solution", error=str(e))
    except PlannerError as e:
        row.update(status="error", error=str(e))
    except KeyboardInterrupt:
        raise
    except Exception as e:  # a bug: the row says so, the other variants go on
        row.update(status="error", error=f"{type(e).__name__}: {e}")
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return row


@dataclass
class SweepResult:
    """What :func:`run_sweep` did: the sweep ``folder``, the ``rows`` (sweep.csv as a
    DataFrame), the variants ``skipped`` (finished before) and ``solved`` in this run, and
    whether it was ``interrupted``."""

    folder: Path
    rows: pd.DataFrame
    skipped: list[str] = field(default_factory=list)
    solved: list[str] = field(default_factory=list)
    interrupted: bool = False


def default_folder(spec: SweepSpec) -> Path:
    return Path("results") / f"sweep-{spec.name}"


def _row_file(out: Path, v) -> Path:
    return out / INPUTS / f"{v.folder_name}.json"


def _solved_record(out: Path, folder: str, digest: str) -> dict | None:
    """The record ``_inputs/<folder>.json`` of a variant solved in ``out/<folder>/`` from
    inputs of this ``digest`` (its summary.json there, a solved status), else None."""
    f = out / INPUTS / f"{folder}.json"
    if not f.is_file() or not (out / folder / "summary.json").is_file():
        return None
    try:
        rec = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if rec.get("digest") != digest or rec.get("row", {}).get("status") not in SOLVED:
        return None
    return rec


def _finished(out: Path, v, digest: str) -> dict | None:
    rec = _solved_record(out, v.folder_name, digest)
    if rec is None:
        return None
    return {**rec["row"], "variant": v.name, "_threads": rec.get("threads")}


def _adopt(out: Path, v, digest: str) -> dict | None:
    """A grid variant finished in ``out`` under its name from every grid key
    (``v.full_name``, how planner named grid variants before constant keys were left out):
    when its record has the same inputs digest (so it is the same variant) and a solved
    status, its results folder is renamed to the variant's folder and its record rewritten
    under the new name; returns the row as :func:`_finished` does, else None. The old input
    folder ``_inputs/<old name>/`` stays (the moved summary.json's provenance names it)."""
    from .spec import safe_folder_name

    old = safe_folder_name(v.full_name) if v.full_name else None
    if not old or old == v.folder_name or (out / v.folder_name).exists():
        return None
    rec = _solved_record(out, old, digest)
    if rec is None:
        return None
    os.replace(out / old, out / v.folder_name)
    rec["variant"] = v.describe()
    rec["row"]["variant"] = v.name
    write_files(out / INPUTS, {f"{v.folder_name}.json": json.dumps(rec, indent=2) + "\n"})
    (out / INPUTS / f"{old}.json").unlink()
    return {**rec["row"], "_threads": rec.get("threads")}


def write_table(out: Path, spec: SweepSpec, rows: dict[str, dict]) -> pd.DataFrame:
    """Write ``DIR/sweep.csv`` (atomically): one row per variant in spec order; a variant
    not run yet has status ``not_run``."""
    recs = []
    for v in spec.variants:
        r = rows.get(v.name) or {"variant": v.name, "status": "not_run", "error": ""}
        recs.append({c: r.get(c) for c in COLUMNS})
    df = pd.DataFrame(recs, columns=COLUMNS)
    write_files(out, {"sweep.csv": df.to_csv(index=False, float_format="%.12g", lineterminator="\n")})
    return df


DoneFn = Callable[[dict, int, int], None]


def run_sweep(
    spec: SweepSpec,
    out: str | os.PathLike | None = None,
    workers: int | None = None,
    dask: str | None = None,
    on_done: DoneFn | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Materialise and solve every variant of ``spec``; write sweep.csv as each finishes.

    ``workers``: processes of the local pool (default: the cores), or with ``dask="local"``
    the workers of the LocalCluster; ``dask``: None (local pool), ``"local"`` (a
    :class:`dask.distributed.LocalCluster`) or a scheduler address (``tcp://host:8786``).
    Each variant's solver runs max(1, cores // workers) threads unless the spec sets
    ``solver.threads``. ``on_start(to_run, total)`` is called once, ``on_done(row, done,
    to_run)`` as each variant ends. Raises :class:`UsageError` when ``out`` cannot be used;
    KeyboardInterrupt after recording the finished variants."""
    out = Path(out) if out is not None else default_folder(spec)
    out = out.expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder.")
    if (out / "scenario.toml").exists() or out == spec.base.resolve() or out in spec.base.resolve().parents:
        raise UsageError(f"--out {out} is or contains the scenario folder {spec.base}; choose another folder.")
    cores = os.cpu_count() or 1
    workers = workers or cores
    threads = solver_threads(workers, cores)
    (out / INPUTS).mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict] = {}
    tasks = []
    skipped = []
    for v in spec.variants:
        # the digest leaves out the solver threads, so a rerun with other --workers still skips
        # a finished variant (its folder keeps the threads it was solved with)
        folder = materialise(spec.base, v, out / INPUTS / v.folder_name, threads=None, spec_name=spec.path.name)
        digest = inputs_digest(folder)
        done = _finished(out, v, digest)
        if done is None and v.full_name:
            done = _adopt(out, v, digest)  # finished under its old, longer name
        used = done.pop("_threads", None) if done is not None else threads
        materialise(spec.base, v, folder, threads=used, spec_name=spec.path.name)
        if done is not None:
            rows[v.name] = done
            skipped.append(v.name)
            continue
        tasks.append(({"name": v.name, "scenario": str(folder), "out": str(out / v.folder_name)}, v, digest))
    write_table(out, spec, rows)
    if on_start:
        on_start(len(tasks), len(spec.variants))
    result = SweepResult(folder=out, rows=pd.DataFrame(), skipped=skipped)
    n_done = 0

    def record(task, v, digest, row):
        nonlocal n_done
        n_done += 1
        rec = {
            "digest": digest,
            "threads": threads,
            "variant": v.describe(),
            "row": {k: row.get(k) for k in COLUMNS},
        }
        write_files(out / INPUTS, {f"{v.folder_name}.json": json.dumps(rec, indent=2) + "\n"})
        rows[v.name] = rec["row"]
        result.solved.append(v.name)
        write_table(out, spec, rows)
        if on_done:
            on_done(rec["row"], n_done, len(tasks))

    try:
        if tasks:
            if dask:
                _run_dask(tasks, dask, workers, record)
            else:
                _run_pool(tasks, workers, record)
    except KeyboardInterrupt:
        result.interrupted = True
        result.rows = write_table(out, spec, rows)
        raise
    result.rows = write_table(out, spec, rows)
    return result


def _run_pool(tasks, workers, record) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    if workers == 1 or len(tasks) == 1:
        for task, v, digest in tasks:
            record(task, v, digest, run_variant(task))
        return
    ex = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=mp.get_context("spawn"))
    try:
        futs = {ex.submit(run_variant, t): (t, v, dg) for t, v, dg in tasks}
        for f in as_completed(futs):
            t, v, dg = futs[f]
            try:
                row = f.result()
            except Exception as e:  # the worker process died (out of memory, killed)
                row = {"variant": t["name"], "status": "error", "error": f"the worker failed: {type(e).__name__}: {e}"}
            record(t, v, dg, row)
    except KeyboardInterrupt:
        ex.shutdown(wait=False, cancel_futures=True)
        for p in list(getattr(ex, "_processes", {}).values()):
            p.terminate()
        raise
    ex.shutdown(wait=True)


def _run_dask(tasks, address: str, workers: int, record) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - dask[distributed] is a dependency
        raise UsageError("--dask needs dask.distributed (pip install 'dask[distributed]').") from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=min(workers, len(tasks)),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,  # the progress line is the report; Dask's notices are noise here
        )
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="30s")
        except OSError as e:
            raise UsageError(f"Cannot reach the Dask scheduler at {address} ({e}).") from None
    try:
        futs = {}
        for t, v, dg in tasks:
            f = client.submit(run_variant, t, pure=False, key=f"planner-variant-{v.folder_name}-{dg[:12]}")
            futs[f.key] = (f, t, v, dg)
        for f in as_completed([x[0] for x in futs.values()]):
            _, t, v, dg = futs[f.key]
            try:
                row = f.result()
            except Exception as e:  # the worker died or the task was lost
                row = {
                    "variant": t["name"],
                    "status": "error",
                    "error": f"the Dask task failed: {type(e).__name__}: {e}",
                }
            record(t, v, dg, row)
    except KeyboardInterrupt:
        client.cancel([x[0] for x in futs.values()], force=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
