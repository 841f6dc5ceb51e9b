"""The decomposition's subproblem LPs and where they run: threads of this process, a pool of
worker processes, or actors on a Dask cluster (the same kind of cluster ``planner sweep
--dask`` uses).

A :class:`BundleSpec` is one subproblem LP as plain arrays (picklable, sent once to the
process that keeps it); a :class:`Bundle` is that LP built into a persistent
``highspy.Highs``, whose row bounds alone change from one master point to the next (warm
started dual simplex). A runner (:func:`make_runner`) holds the bundles and solves all of
them at a master point: ``runner.solve(xm)`` returns one result dict per bundle, in the
order of the specs.

Imports numpy, scipy, highspy and :mod:`planner.io.errors` only, so a spawned worker
starts without Pyomo.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import highspy
import numpy as np
import scipy.sparse as sp

from ..io.errors import PlannerError, UsageError


class SubproblemError(PlannerError):
    """A subproblem worker failed or stopped (its process died, or the Dask cluster lost
    it): there is no plan (exit code 3, as for no solution)."""

    exit_code = 3


@dataclass
class BundleSpec:
    """One subproblem LP: ``cols``/``rows`` its columns and rows in the full program (HiGHS
    indices); ``op_part`` the rows × its own columns (CSR, local numbering); ``link`` the
    rows × master columns (CSR); ``c``, ``lo``, ``up`` its columns' cost (MUSD per unit) and
    bounds; ``rlo``, ``rup`` its rows' bounds before the master's part is moved over;
    ``groups`` the global group ids it holds; ``gcol``/``grow`` the local group of each
    column / row."""

    cols: np.ndarray
    rows: np.ndarray
    op_part: sp.csr_matrix | None
    link: sp.csr_matrix | None
    c: np.ndarray | None
    lo: np.ndarray | None
    up: np.ndarray | None
    rlo: np.ndarray | None
    rup: np.ndarray | None
    groups: np.ndarray
    gcol: np.ndarray | None
    grow: np.ndarray | None

    @property
    def n_cols(self) -> int:
        return len(self.cols)

    def lower_bounds(self) -> np.ndarray:
        """Least cost each group's columns can have within their bounds (MUSD, one per
        entry of ``groups``; -inf when unbounded below)."""
        with np.errstate(invalid="ignore"):
            least = np.where(self.c >= 0, self.c * self.lo, self.c * self.up)
        least = np.where(self.c == 0, 0.0, least)
        return np.bincount(self.gcol, weights=least, minlength=len(self.groups))

    def light(self) -> BundleSpec:
        """This spec without its arrays (what the master side keeps once the LP lives in a
        worker: the groups and the columns, to place results)."""
        return replace(
            self, op_part=None, link=None, c=None, lo=None, up=None, rlo=None, rup=None, gcol=None, grow=None
        )


class Bundle:
    """A :class:`BundleSpec` built into a persistent HiGHS LP (dual simplex, no presolve, so
    that it warm starts and leaves a dual ray when infeasible)."""

    def __init__(self, spec: BundleSpec, seed: int, threads: int):
        self.spec = spec
        s = spec
        self.groups, self.cols = s.groups, s.cols
        self.c, self.lo, self.up, self.rlo, self.rup = s.c, s.lo, s.up, s.rlo, s.rup
        self.gcol, self.grow, self.link, self.Ab = s.gcol, s.grow, s.link, s.op_part
        Ab = s.op_part.tocsc()
        nc, nr = len(s.cols), len(s.rows)
        b = highspy.HighsLp()
        b.num_col_, b.num_row_ = nc, nr
        b.col_cost_, b.col_lower_, b.col_upper_ = s.c, s.lo, s.up
        b.row_lower_, b.row_upper_ = s.rlo, s.rup
        b.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        b.a_matrix_.num_col_, b.a_matrix_.num_row_ = nc, nr
        b.a_matrix_.start_ = Ab.indptr.astype(np.int32)
        b.a_matrix_.index_ = Ab.indices.astype(np.int32)
        b.a_matrix_.value_ = Ab.data.astype(np.float64)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        # HiGHS's task scheduler is one per process: the same thread count as the master
        h.setOptionValue("threads", int(threads))
        h.setOptionValue("random_seed", int(seed))
        h.setOptionValue("presolve", "off")  # warm starts, and a dual ray when infeasible
        h.setOptionValue("solver", "simplex")
        h.passModel(b)
        self.h = h
        self.idx = np.arange(nr, dtype=np.int32)
        self.ng = len(s.groups)
        # the group-by-row aggregation matrix (groups × rows)
        self.G = sp.csr_matrix((np.ones(nr), (s.grow, np.arange(nr))), shape=(self.ng, nr))

    def solve(self, xm: np.ndarray) -> dict:
        """Solve at master columns ``xm``. Returns ``feasible``, and either ``q`` (cost of
        each group), ``coef`` (groups × master columns, sparse: yᵀ A_master per group),
        ``x`` (column values) or feasibility cuts ``fcoef``/``frhs`` (rows: fcoef · x ≥ frhs
        for the groups whose part of the dual ray certifies infeasibility), or ``error``
        (HiGHS's status when it is neither)."""
        shift = self.link @ xm
        h = self.h
        h.changeRowsBounds(len(self.idx), self.idx, self.rlo - shift, self.rup - shift)
        h.run()
        st = h.getModelStatus()
        S = highspy.HighsModelStatus
        if st == S.kOptimal:
            sol = h.getSolution()
            x = np.asarray(sol.col_value)
            y = np.asarray(sol.row_dual)
            q = np.bincount(self.gcol, weights=self.c * x, minlength=self.ng)
            coef = (self.G @ sp.diags(y) @ self.link).tocsr()  # yᵀ A_master per group
            return {"feasible": True, "q": q, "coef": coef, "x": x}
        if st in (S.kInfeasible, S.kUnboundedOrInfeasible):
            _, has, ray = h.getDualRay()
            if not has:  # solve again from scratch, which leaves a ray
                h.clearSolver()
                h.run()
                _, has, ray = h.getDualRay()
            if has:
                return {"feasible": False, **self._farkas(np.asarray(ray), xm)}
        return {"feasible": False, "error": h.modelStatusToString(st)}

    def _farkas(self, ray: np.ndarray, xm: np.ndarray) -> dict:
        """Feasibility cuts from a dual ray (either sign): for multipliers y of the rows,
        every plan has  Σ_r min(y_r lo_r, y_r up_r) ≤ yᵀ A_op x ≤ Σ_j max over the column
        bounds, with lo, up = b − A_master x_master."""
        out_c, out_r = [], []
        for sign in (1.0, -1.0):
            y = sign * ray
            y = np.where(np.abs(y) > 1e-9 * max(1e-300, np.abs(y).max()), y, 0.0)
            g = self.Ab.T @ y
            g = np.where(np.abs(g) > 1e-9 * max(1e-300, np.abs(y).max()), g, 0.0)  # cancellation noise
            with np.errstate(invalid="ignore"):
                colmax = np.where(g > 0, g * self.up, np.where(g < 0, g * self.lo, 0.0))
                lo_part = np.where(y > 0, y * self.rlo, np.where(y < 0, y * self.rup, 0.0))
            xmax = np.bincount(self.gcol, weights=colmax, minlength=self.ng)
            const = np.bincount(self.grow, weights=lo_part, minlength=self.ng)
            coef = (self.G @ sp.diags(y) @ self.link).tocsr()  # Smin(x) = const − coef · x
            with np.errstate(invalid="ignore"):
                viol = const - coef @ xm - xmax
            ok = np.isfinite(const) & np.isfinite(xmax)
            for gi in np.flatnonzero(ok & (viol > 1e-7 * (1 + np.abs(xmax)))):
                # const_g − coef_g · x ≤ xmax_g  <=>  coef_g · x ≥ const_g − xmax_g
                out_c.append(coef[gi])
                out_r.append((gi, const[gi] - xmax[gi]))
            if out_c:
                break
        return {"fcoef": out_c, "frhs": out_r}


def _solve_all(bundles: list[Bundle], xm: np.ndarray) -> list[dict]:
    return [b.solve(xm) for b in bundles]


def shares(specs: list[BundleSpec], n: int) -> list[list[int]]:
    """Bundle positions split into ``n`` shares of about equal columns (largest first onto
    the least loaded share); every share non-empty when there are at least ``n`` bundles."""
    n = max(1, min(n, len(specs)))
    load = [0] * n
    out: list[list[int]] = [[] for _ in range(n)]
    for i in sorted(range(len(specs)), key=lambda i: -specs[i].n_cols):
        k = load.index(min(load))
        out[k].append(i)
        load[k] += specs[i].n_cols
    return [sorted(s) for s in out]


class ThreadRunner:
    """The bundles in this process, solved by ``workers`` threads (highspy releases the GIL
    while HiGHS runs)."""

    where = "threads"

    def __init__(self, specs: list[BundleSpec], workers: int, seed: int, threads: int):
        self.bundles = [Bundle(s, seed, threads) for s in specs]
        self.workers = max(1, int(workers))
        self.pool = ThreadPoolExecutor(self.workers) if self.workers > 1 and len(self.bundles) > 1 else None

    def solve(self, xm: np.ndarray) -> list[dict]:
        if self.pool is None:
            return _solve_all(self.bundles, xm)
        return list(self.pool.map(lambda b: b.solve(xm), self.bundles))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


def _serve(conn, specs: list[BundleSpec], seed: int) -> None:
    """A worker process: build its bundles, then answer each master point with their
    results until told to stop (None). Ctrl-C is the parent's to handle: the worker ignores
    it and is stopped by the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        bundles = [Bundle(s, seed, 1) for s in specs]
        conn.send(("ready", None))
        while True:
            xm = conn.recv()
            if xm is None:
                break
            conn.send(("ok", _solve_all(bundles, xm)))
    except (EOFError, BrokenPipeError):  # the parent has gone
        pass
    except Exception as e:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            conn.send(("error", f"{type(e).__name__}: {e}"))
        except (EOFError, BrokenPipeError, OSError):
            pass
    finally:
        conn.close()


class ProcessRunner:
    """The bundles on ``workers`` spawned processes, each keeping its share of them for the
    whole solve (its HiGHS objects warm start between master points); a master point goes
    to every worker, the results come back in spec order. Raises :class:`SubproblemError`
    when a worker fails or dies."""

    where = "processes"

    def __init__(self, specs: list[BundleSpec], workers: int, seed: int):
        ctx = mp.get_context("spawn")
        self.share = shares(specs, workers)
        self.n = len(specs)
        self.procs, self.conns = [], []
        try:
            for part in self.share:
                here, there = ctx.Pipe()
                p = ctx.Process(target=_serve, args=(there, [specs[i] for i in part], seed), daemon=True)
                p.start()
                there.close()
                self.procs.append(p)
                self.conns.append(here)
            for c in self.conns:
                self._recv(c)
        except BaseException:
            self.close()
            raise

    def _recv(self, conn):
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            raise SubproblemError("a subproblem worker process stopped (out of memory, or killed)") from None
        if kind == "error":
            raise SubproblemError(f"a subproblem worker failed: {payload}")
        return payload

    def solve(self, xm: np.ndarray) -> list[dict]:
        for c in self.conns:
            try:
                c.send(xm)
            except (BrokenPipeError, OSError):
                raise SubproblemError("a subproblem worker process stopped (out of memory, or killed)") from None
        out: list[dict | None] = [None] * self.n
        for part, c in zip(self.share, self.conns):
            for i, o in zip(part, self._recv(c)):
                out[i] = o
        return out

    def close(self) -> None:
        for c in self.conns:
            try:
                c.send(None)
            except (BrokenPipeError, OSError):
                pass
        for p in self.procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
        for c in self.conns:
            c.close()
        self.procs, self.conns = [], []


class BundleActor:
    """A Dask actor holding a share of the bundles (built on the worker it lands on)."""

    def __init__(self, specs: list[BundleSpec], seed: int):
        self.bundles = [Bundle(s, seed, 1) for s in specs]

    def solve(self, xm: np.ndarray) -> list[dict]:
        return _solve_all(self.bundles, xm)


class DaskRunner:
    """The bundles as actors on a Dask cluster: ``address`` a scheduler (``tcp://host:8786``)
    or ``"local"`` (a :class:`dask.distributed.LocalCluster` of ``workers`` processes, one
    thread each). One actor per worker (or ``workers`` actors on a remote cluster), each
    keeping its share for the whole solve. Raises :class:`~planner.io.errors.UsageError` when
    the scheduler cannot be reached, :class:`SubproblemError` when an actor fails."""

    where = "dask"

    def __init__(self, specs: list[BundleSpec], address: str, workers: int, seed: int):
        import logging

        from dask.distributed import Client, LocalCluster

        self.cluster = None
        self.client = None
        try:
            if address == "local":
                self.cluster = LocalCluster(
                    n_workers=max(1, int(workers)),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
            else:
                try:
                    self.client = Client(address, timeout="30s")
                except OSError as e:
                    raise UsageError(f"Cannot reach the Dask scheduler at {address} ({e}).") from None
            n = len(self.client.scheduler_info()["workers"]) or 1
            self.share = shares(specs, max(n, int(workers)) if address != "local" else n)
            self.n = len(specs)
            futs = []
            for part in self.share:
                data = self.client.scatter([specs[i] for i in part], direct=True)
                futs.append(self.client.submit(BundleActor, data, seed, actor=True, pure=False))
            self.actors = [f.result() for f in futs]
        except (SubproblemError, UsageError):
            self.close()
            raise
        except Exception as e:
            self.close()
            raise SubproblemError(
                f"the Dask cluster could not take the subproblems ({type(e).__name__}: {e})"
            ) from None

    def solve(self, xm: np.ndarray) -> list[dict]:
        try:
            futs = [a.solve(xm) for a in self.actors]
            res = [f.result() for f in futs]
        except Exception as e:
            raise SubproblemError(f"a subproblem actor on the Dask cluster failed ({type(e).__name__}: {e})") from None
        out: list[dict | None] = [None] * self.n
        for part, r in zip(self.share, res):
            for i, o in zip(part, r):
                out[i] = o
        return out

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


def make_runner(specs: list[BundleSpec], seed: int, threads: int, workers: int | None = None, dask: str | None = None):
    """Where the subproblems run: ``dask`` (a scheduler address or ``"local"``) on that
    cluster; else ``workers`` (> 1) spawned processes; else ``threads`` threads of this
    process (HiGHS with ``threads`` threads per subproblem, as the master)."""
    if dask:
        return DaskRunner(specs, dask, workers or 2, seed)
    if workers is not None and int(workers) > 1:
        return ProcessRunner(specs, int(workers), seed)
    return ThreadRunner(specs, threads, seed, threads)
