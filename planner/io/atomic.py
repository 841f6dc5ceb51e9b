"""Put a folder in place of another without ever leaving neither.

A new folder is written beside its target as a hidden temporary folder and moved into
place with two renames: the old folder aside (``.NAME.old-PID``), the new one in. Anything
that stops the process between or after the renames (Ctrl-C, a full disk, a signal turned
into an exception) must leave the old folder where it was, with the user's files in it.
:func:`swap_in` does the renames and, on any exception, undoes what it did, so the target
is either the new folder (complete) or the old one (as it was).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path


def swap_in(
    tmp: Path,
    out: Path,
    carry: Callable[[Path], Iterable[str]] | None = None,
    kept: list[str] | None = None,
) -> Path:
    """Move the complete folder ``tmp`` to ``out``; an existing ``out`` is replaced.

    ``carry(old)`` names the entries of the old folder to move into the new one (the user's
    own files of an ``--overwrite``'n results folder); the names moved are appended to
    ``kept``. On any exception (KeyboardInterrupt included) every move is undone: ``out`` is
    the old folder again, with every entry it had, ``tmp`` is removed, and the exception
    propagates. The old folder is deleted only once the new one is in place with every
    carried entry. Raises OSError naming the entry when one cannot be moved (after undoing)."""
    tmp, out = Path(tmp), Path(out)
    old = out.with_name(f".{out.name}.old-{os.getpid()}") if out.exists() else None
    moved: list[str] = []
    swapped = False
    try:
        if old is not None:
            if old.exists():
                shutil.rmtree(old)
            os.replace(out, old)
        os.replace(tmp, out)
        swapped = True
        if old is not None and carry is not None:
            for name in carry(old):
                try:
                    os.replace(old / name, out / name)
                except OSError as e:
                    raise OSError(
                        f"{name} of the old folder {out} could not be moved into the new one ({e.strerror}); "
                        "the old folder was left as it was"
                    ) from None
                moved.append(name)
    except BaseException:
        _undo(tmp, out, old, moved, swapped)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    if kept is not None:
        kept.extend(moved)
    return out


def _undo(tmp: Path, out: Path, old: Path | None, moved: list[str], swapped: bool) -> None:
    """Put the old folder back at ``out`` (see :func:`swap_in`)."""
    if swapped:
        for name in reversed(moved):
            os.replace(out / name, old / name)
        if old is not None:
            os.replace(out, tmp)  # the new plan goes back aside, then away
        else:
            shutil.rmtree(out, ignore_errors=True)
    if old is not None and old.exists() and not out.exists():
        os.replace(old, out)
    shutil.rmtree(tmp, ignore_errors=True)
