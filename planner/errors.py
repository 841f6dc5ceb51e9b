"""Typed errors the library raises and the CLI turns into one sentence and an exit code.

Exit codes (DESIGN.md §5): 0 solved, 1 bad input, 2 usage, 3 infeasible or no solution.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in the input: a file, an optional spreadsheet row (the header is
    row 1, the first data row is row 2), an optional column and one sentence of text."""

    file: str
    row: int | None
    column: str | None
    text: str

    def sentence(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        text = self.text.rstrip(".")
        return f"{where}: {text}."

    def sort_key(self) -> tuple:
        return (self.file, self.row if self.row is not None else -1, self.column or "")


class PlannerError(Exception):
    """Base class of every error the CLI reports as a sentence."""

    exit_code = 1


class InputError(PlannerError):
    """The scenario is invalid. ``problems`` lists every problem found (all files)."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(p.sentence() for p in self.problems))


class UsageError(PlannerError):
    """The command line or a path given on it is wrong."""

    exit_code = 2


class NoSolutionError(PlannerError):
    """The solver proved the program infeasible or found no plan within its limits."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: list[str] | None = None):
        self.diagnosis = diagnosis or []
        super().__init__(message)
