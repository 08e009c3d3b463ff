"""Writing a secret the user asked to export: a new file, 0600, never overwriting, never via a symlink."""

from __future__ import annotations

import os
from pathlib import Path

from wallet_cli.errors import UsageError


def write_new_private_file(path: Path, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise UsageError(f"{path} already exists; refusing to overwrite it") from None
    except OSError as e:
        raise UsageError(f"cannot create {path}: {e.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
