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
        return f"{where}: {text}" + ("" if text.endswith("?") else ".")

    def sort_key(self) -> tuple:
        return (self.file, self.row if self.row is not None else -1, self.column or "")


def _rows_text(rows: list[int], show: int = 12) -> str:
    """``[2, 3, 4, 9, 12, 13]`` -> ``"rows 2-4, 9, 12-13"``; more than ``show`` runs are
    cut short with the number of rows and the last one."""
    runs: list[list[int]] = []
    for r in sorted(set(rows)):
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    parts = [f"{a}" if a == b else f"{a}\u2013{b}" for a, b in runs]
    if len(parts) > show:
        parts = parts[:show] + [f"\u2026 ({len(set(rows))} rows in all, the last row {runs[-1][1]})"]
    return "rows " + ", ".join(parts)


def group_sentences(problems: list[Problem], limit: int = 30, noun: str = "problem") -> list[str]:
    """One sentence per distinct problem: the same text in the same file and column on many
    rows (a demand file of another scenario: every row names a region that is not there)
    becomes one sentence listing the rows. Problems of a whole file or of its header (no row,
    or row 1: a column missing from the header) come first, since they often cause the rest. At most
    ``limit`` sentences, then one saying how many more ``noun``s there are."""
    groups: dict[tuple, list[Problem]] = {}
    for p in sorted(problems, key=lambda p: p.row not in (None, 1)):  # stable: file order kept
        groups.setdefault((p.file, p.column, p.text), []).append(p)
    out: list[tuple[str, int]] = []  # (sentence, problems it stands for)
    for (file, column, text), ps in groups.items():
        rows = [p.row for p in ps if p.row is not None]
        if len(ps) == 1 or len(rows) != len(ps) or len(set(rows)) == 1:
            out.extend((p.sentence(), 1) for p in ps)
            continue
        where = f"{file}, {_rows_text(rows)}" + (f", column {column}" if column is not None else "")
        text = text.rstrip(".")
        out.append((f"{where}: {text}" + ("" if text.endswith("?") else "."), len(ps)))
    lines = [t for t, _ in out[:limit]]
    if len(out) > limit:
        more = sum(n for _, n in out[limit:])
        lines.append(f"\u2026 and {more} more {noun}{'s' if more != 1 else ''}; correct these first.")
    return lines


class PlannerError(Exception):
    """Base class of every error the CLI reports as a sentence."""

    exit_code = 1


class InputError(PlannerError):
    """The scenario is invalid. ``problems`` lists every problem found (all files)."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(group_sentences(self.problems)))


class UsageError(PlannerError):
    """The command line or a path given on it is wrong."""

    exit_code = 2


class NoSolutionError(PlannerError):
    """The solver proved the program infeasible or found no plan within its limits."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: list[str] | None = None):
        self.diagnosis = diagnosis or []
        super().__init__(message)
