"""Writing a secret the user asked to export: a new file, 0600, never overwriting, never via a symlink."""

from __future__ import annotations

import os
from pathlib import Path

from keystore.boundedio import os_reason
from wallet_cli.errors import UsageError
from wallet_i18n import _


def write_new_private_file(path: Path, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise UsageError(_("{path} already exists; refusing to overwrite it").format(path=path)) from None
    except OSError as e:
        raise UsageError(_("cannot create {path}: {reason}").format(path=path, reason=os_reason(e))) from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def emit_secret_json(data: dict, out: Path | None, receipt: dict) -> None:
    """Under --json: the secret as JSON into the new file `out` (and `receipt` on stdout), or on stdout
    only when stdout is a terminal; a pipe or file there could be logged or kept, so it is refused."""
    import json
    import sys

    from wallet_cli import output

    if out is not None:
        write_new_private_file(out, json.dumps(data) + "\n")
        output.emit({**receipt, "file": str(out)})
        return
    if not sys.stdout.isatty():
        raise UsageError(_("under --json the secret goes to stdout only when it is a terminal (a pipe or file "
                           "could keep it); pass --out FILE"))
    output.emit(data)
