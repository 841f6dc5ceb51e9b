"""What the terminal shows while ``planner solve`` runs.

On a terminal: one live line (rich), re-rendered several times a second, with the stage, the
best plan found so far (incumbent NPC), the best bound, the gap and the time left of the
solver's time limit. When stderr is piped (a log file, CI): one plain line per stage as it
starts, with the elapsed time and, once the MIP has run, the best plan, bound and gap.
"""

from __future__ import annotations

import time

STAGE_TEXT = {
    "build": "Building the program",
    "solve": "Solving (HiGHS: start heuristic, then branch and bound)",
    "polish": "Polishing the plan (dropping unused purchases)",
    "serve_unserved": "Trying to serve the unserved demand (restricted re-solve)",
    "extract": "Extracting the result tables",
    "marginal": "Pricing tokens and limits (LP re-solves)",
    "write": "Writing the results folder",
}


def _bn(x: float | None) -> str:
    """MUSD as a person reads it ("$12.74 bn", "$124.1 M")."""
    from .reporting.fmt import _usd

    return "–" if x is None else _usd(x * 1e6)


class Progress:
    """Callbacks for :func:`planner.api.solve` (``progress`` and ``on_stage``) that drive
    the display on ``console`` (a rich Console on stderr). ``time_limit`` (s) is the solver's
    limit, for the time left. Use as a context manager."""

    def __init__(self, console, time_limit: float | None):
        self.console = console
        self.live = console.is_terminal
        self.time_limit = time_limit
        self.start = time.perf_counter()
        self.stage = "load"
        self.solve_start: float | None = None
        self.inc = self.bound = self.gap = None
        self._status = None

    # -- callbacks
    def progress(self, elapsed, inc, bound, gap) -> None:
        self.inc, self.bound, self.gap = inc, bound, gap

    def on_stage(self, name: str) -> None:
        self.stage = name
        if name == "solve":
            self.solve_start = time.perf_counter()
        if not self.live:
            self.console.print(self.line(), markup=False, soft_wrap=True)

    # -- rendering
    def line(self) -> str:
        """The status text: elapsed time, stage, best plan, bound, gap, time left."""
        from .reporting.fmt import _pct

        now = time.perf_counter()
        text = f"[{now - self.start:7.1f} s] {STAGE_TEXT.get(self.stage, self.stage)}"
        if self.inc is not None or self.bound is not None:
            gap = "–" if self.gap is None or self.inc is None else _pct(self.gap)
            text += f"; best plan {_bn(self.inc)}, bound {_bn(self.bound)}, gap {gap}"
        if self.stage == "solve" and self.solve_start is not None and self.time_limit:
            left = max(0.0, float(self.time_limit) - (now - self.solve_start))
            text += f"; at most {left:,.0f} s left"
        return text

    def __rich__(self) -> str:
        return self.line()

    def __enter__(self):
        if self.live:
            self._status = self.console.status(self)
            self._status.start()
        return self

    def __exit__(self, *exc):
        if self._status is not None:
            self._status.stop()
        return False
