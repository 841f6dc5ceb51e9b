"""Apply the file mutations of tests/bad_inputs/cases.toml to a scenario folder written by
tests/builder.py (see the op list at the top of cases.toml)."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

CASES_FILE = Path(__file__).with_name("cases.toml")


def load_cases() -> list[dict]:
    return tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))["case"]


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def apply(folder: Path, mutations: list[dict]) -> None:
    """Apply ``mutations`` to the files of ``folder`` in order."""
    for mu in mutations:
        op = mu["op"]
        path = folder / mu["file"]
        if op == "set":
            rows = _rows(path)
            col = rows[0].index(mu["column"])
            rows[mu["row"] - 1][col] = str(mu["value"])
            _write_rows(path, rows)
        elif op == "add_column":
            rows = _rows(path)
            rows[0].append(mu["column"])
            for r in rows[1:]:
                r.append(str(mu["value"]))
            _write_rows(path, rows)
        elif op == "replace":
            text = path.read_text(encoding="utf-8")
            if mu["old"] not in text:
                raise AssertionError(f"{mu['file']} has no {mu['old']!r} to replace")
            path.write_text(text.replace(mu["old"], mu["new"]), encoding="utf-8")
        elif op == "append":
            text = path.read_text(encoding="utf-8")
            if not text.endswith("\n"):
                text += "\n"
            path.write_text(text + mu["line"] + "\n", encoding="utf-8")
        elif op == "delete":
            path.unlink()
        elif op == "write":
            path.write_text(mu["text"], encoding="utf-8")
        elif op == "bom":
            path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        elif op == "encode":
            path.write_bytes(path.read_text(encoding="utf-8").encode(mu["encoding"]))
        else:
            raise AssertionError(f"unknown mutation op {op!r}")
