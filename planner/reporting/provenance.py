"""The report's provenance line: where the plan came from."""

from __future__ import annotations

from ..io.provenance import header_line


def section(doc, summary: dict) -> None:
    """Add the "Planned from ..." paragraph under the report's title (nothing for a plan
    written before provenance was recorded)."""
    line = header_line(summary)
    if line:
        doc.p(line)
