"""File arguments: read from a regular file only, with a size cap (DESIGN: "Never hang").

A FIFO or a device (/dev/zero, /dev/stdin of a terminal) would block or grow without end. The checks are
keystore.boundedio's (the one reader for file arguments): opened with O_NONBLOCK, then checked on the open
file, so a path swapped for a FIFO after a stat() cannot block the read either. `what` names the file
for a person ("PSBT file"): a message id marked with N_() where it is written, translated by boundedio.
"""

from __future__ import annotations

from pathlib import Path

from wallet_i18n import N_

MAX_INPUT_FILE = 1024 * 1024      # signed transactions, PSBTs and typed data are far smaller


def read_text_file(path: Path, what: str = N_("file"), limit: int = MAX_INPUT_FILE) -> str:
    from keystore.boundedio import read_text

    return read_text(path, limit, what)


def read_bytes_file(path: Path, what: str = N_("file"), limit: int = MAX_INPUT_FILE) -> bytes:
    from keystore.boundedio import read_bounded

    return read_bounded(path, limit, what)
