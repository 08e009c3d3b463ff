"""File arguments: read from a regular file only, with a size cap (DESIGN: "Never hang").

A FIFO or a device (/dev/zero, /dev/stdin of a terminal) would block or grow without end, so the path
is checked with stat() before it is opened, and no more than `limit` bytes are read.
"""

from __future__ import annotations

import stat
from pathlib import Path

from wallet_cli.errors import UsageError

MAX_INPUT_FILE = 1024 * 1024      # signed transactions, PSBTs and typed data are far smaller


def read_text_file(path: Path, what: str = "file", limit: int = MAX_INPUT_FILE) -> str:
    try:
        return read_bytes_file(path, what, limit).decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"the {what} {path} is not UTF-8 text") from None


def read_bytes_file(path: Path, what: str = "file", limit: int = MAX_INPUT_FILE) -> bytes:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"the {what} {path} is not a regular file")
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as e:
        raise UsageError(f"cannot read the {what} {path}: {e.__class__.__name__}") from None
    if len(data) > limit:
        raise UsageError(f"the {what} {path} is larger than {limit // 1024} KiB; refusing to read it")
    return data
