"""The LP relaxation of a compiled program, solved in a background thread.

A bound that takes long to compute can be started early and collected later, while the
main thread does other work (the stochastic plan starts its deterministic equivalent's
relaxation before it solves the scenarios alone, so the relaxation uses the core that the
largely serial MIP solves leave idle). highspy releases the GIL while HiGHS runs, so a
thread is enough. The relaxation is solved as the start heuristic solves it (interior point,
then crossover to a vertex), so its bound is the optimum of the relaxation to HiGHS's
tolerances.
"""

from __future__ import annotations

import threading
import time

import highspy

from .highs import variant_highs
from .session import INF


class BackgroundRelaxation:
    """Solve the LP relaxation of ``ho`` (:class:`planner.solver.highs.Handoff`: every
    integer column made continuous) in a daemon thread started at once.

    ``threads`` must equal the thread count of the solves running beside it (HiGHS keeps one
    task scheduler per process). :meth:`bound` waits for the outcome and returns a valid
    lower bound of the program in its objective units (MUSD here), or None when the
    relaxation was stopped, hit ``deadline`` (a ``time.perf_counter()`` value, movable with
    :meth:`stop_at`) or failed. Never raises from the thread: an error is kept as
    ``self.status``. ``self.handoff`` is ``ho``, for a later solve of the same program.
    """

    def __init__(self, ho, threads: int, seed: int, deadline: float | None = None):
        self.status = "running"
        self.seconds: float | None = None
        self._bound: float | None = None
        self._deadline = deadline
        self._stop = threading.Event()
        # the program with every integrality dropped, handed to HiGHS here (the scheduler is
        # set up in the caller's thread); the thread only runs it
        self.handoff = ho
        self._h, _, _ = variant_highs(ho, None, None, None, True, INF, threads, seed, {"solver": "ipm"})
        self._thread = threading.Thread(target=self._run, name="lp-relaxation", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            h = self._h

            def cb(callback_type, message, data_out, data_in, user_data):
                d = self._deadline
                if self._stop.is_set() or (d is not None and time.perf_counter() > d):
                    data_in.user_interrupt = True

            h.setCallback(cb, None)
            h.startCallback(highspy.cb.HighsCallbackType.kCallbackIpmInterrupt)
            h.startCallback(highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt)
            h.run()
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                self._bound = float(h.getInfo().objective_function_value)
                self.status = "optimal"
            else:
                self.status = "stopped" if self._stop.is_set() else h.modelStatusToString(h.getModelStatus())
        except Exception as e:  # a failed bound is no bound; the caller carries on without it
            self.status = f"failed: {e}"
        finally:
            self.seconds = time.perf_counter() - t0
            self._h = None

    def stop_at(self, deadline: float) -> None:
        """Stop the relaxation once ``time.perf_counter()`` passes ``deadline``."""
        self._deadline = deadline

    def done(self) -> bool:
        return not self._thread.is_alive()

    def bound(self, wait_until: float | None = None) -> float | None:
        """The relaxation's bound, waiting until ``wait_until`` (perf_counter; None: until it
        ends) for it; None when it has not finished by then or ended without one."""
        timeout = None if wait_until is None else max(0.0, wait_until - time.perf_counter())
        self._thread.join(timeout)
        return self._bound if not self._thread.is_alive() else None

    def stop(self, timeout: float | None = None) -> None:
        """Stop the relaxation (if still running) and wait for its thread, at most
        ``timeout`` seconds (None: until it ends; HiGHS looks at the stop between
        interior-point iterations, not inside crossover)."""
        self._stop.set()
        self._thread.join(timeout)
