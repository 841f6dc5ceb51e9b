"""HiGHS instances and their guards, shared by every solve of the compiled program (the
MIP in :mod:`.highs`, the relaxation in :mod:`.heuristics`, the re-solves of :mod:`.polish`
and :mod:`.marginal`): a silent instance with the process's thread count, a deadline and
Ctrl-C that stop it cleanly, and progress reports while the MIP runs.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

import highspy

INF = highspy.kHighsInf


def _swallow_highs_banner() -> None:
    """HiGHS prints its banner on the C stdout when the first ``Highs`` object of a process
    is made, whatever its options; make that first object here with fd 1 sent to /dev/null,
    so no raw HiGHS output reaches the user."""
    import sys

    try:
        sys.stdout.flush()
        saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):
        return
    try:
        os.dup2(devnull, 1)
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


_swallow_highs_banner()


ProgressFn = Callable[[float, float | None, float | None, float | None], None]


_SCHEDULER_THREADS: list[int] = []  # thread count HiGHS's process-wide scheduler was started with


def new_highs(threads: int, seed: int, log_file: str | None = None) -> highspy.Highs:
    """A silent HiGHS instance (log to ``log_file`` if given).

    HiGHS keeps one task scheduler per process, sized by the first run; a later run asking
    for another thread count fails at once. The scheduler is reset whenever the count
    changes, so solves with different ``threads`` can follow each other in one process."""
    if _SCHEDULER_THREADS and _SCHEDULER_THREADS[-1] != int(threads):
        highspy.Highs.resetGlobalScheduler(True)
    _SCHEDULER_THREADS[:] = [int(threads)]
    h = highspy.Highs()
    h.setOptionValue("output_flag", log_file is not None)
    h.setOptionValue("log_to_console", False)
    if log_file is not None:
        h.setOptionValue("log_file", log_file)
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    return h


@contextmanager
def run_guard(state: dict):
    """While HiGHS runs, Ctrl-C only sets ``state['interrupt']`` (the callbacks of
    :func:`stop_at` then stop HiGHS cleanly); on leaving, a pending Ctrl-C is raised as
    KeyboardInterrupt. A KeyboardInterrupt raised inside a HiGHS callback would otherwise
    turn into a solver error and be lost."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        state["interrupt"] = True

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
    if state["interrupt"]:
        raise KeyboardInterrupt


def stop_at(h: highspy.Highs, deadline: float, progress: ProgressFn | None = None, t_offset: float = 0.0) -> dict:
    """Install callbacks on ``h`` that stop it once ``time.perf_counter()`` passes
    ``deadline`` (HiGHS checks its own time limit only between LP solves, and one LP of a
    cut round can run for minutes on large programs), stop it on Ctrl-C (a KeyboardInterrupt
    raised inside a callback would otherwise be lost in HiGHS), and report MIP progress.
    Returns the state dict: ``deadline``/``interrupt`` become True when they stopped it."""
    state = {"deadline": False, "interrupt": False}
    t_start = time.perf_counter()
    mip_cb = highspy.cb.HighsCallbackType.kCallbackMipInterrupt

    def cb(callback_type, message, data_out, data_in, user_data):
        try:
            now = time.perf_counter()
            if state["interrupt"]:
                data_in.user_interrupt = True
            if now > deadline:
                state["deadline"] = True
                data_in.user_interrupt = True
            if progress is None or callback_type != mip_cb:
                return
            try:
                inc = data_out.objective_function_value
                bound = data_out.mip_dual_bound
                gap = data_out.mip_gap
                progress(
                    now - t_start + t_offset,
                    inc if inc is not None and math.isfinite(inc) else None,
                    bound if bound is not None and math.isfinite(bound) else None,
                    gap if gap is not None and math.isfinite(gap) else None,
                )
            except Exception:  # progress display must never stop a solve
                pass
        except KeyboardInterrupt:
            state["interrupt"] = True
            data_in.user_interrupt = True

    try:
        h.setCallback(cb, None)
        h.startCallback(mip_cb)
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt)
        # the interior-point solver (the start heuristic's relaxation) checks callbacks too
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackIpmInterrupt)
    except Exception:  # older highspy without callbacks
        pass
    return state
