"""Reading what a user points us at, with limits: a file argument is a regular file (or '-' for stdin)
read up to a size cap without ever blocking, and JSON is refused before decoding when it nests too deep.

A FIFO, /dev/zero or a terminal given as --password-file would otherwise hang or exhaust memory, and
100 000 nested brackets overflow the C JSON decoder's stack (a segfault, not an exception).
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from keystore.errors import BadInputFile
from wallet_i18n import N_, _, ngettext, translated

SECRET_CAP = 64 << 10        # a password, passphrase, mnemonic or raw key
DOCUMENT_CAP = 1 << 20       # a keystore, typed data, config.toml
BULK_CAP = 16 << 20          # a PSBT, a signed transaction, a message file, a CSV of payouts
MAX_JSON_DEPTH = 64          # documents a person writes nest a handful of levels

_O_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_INNERMOST = re.compile(rb"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")


# The reasons a person meets, in their language (the English is libc's, lower-cased); libc's own words for
# the rest.
_ERRNO_WORDS = {
    errno.ENOENT: N_("no such file or directory"), errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"), errno.EEXIST: N_("file exists"),
    errno.EISDIR: N_("is a directory"), errno.ENOTDIR: N_("not a directory"),
    errno.ENOSPC: N_("no space left on device"), errno.EROFS: N_("read-only file system"),
    errno.ELOOP: N_("too many levels of symbolic links"), errno.ENAMETOOLONG: N_("file name too long"),
    errno.ECONNREFUSED: N_("connection refused"), errno.ENXIO: N_("no such device or address"),
}


def os_reason(e: OSError) -> str:
    """An OSError as words ("permission denied"), never "[Errno 13]" or a class name."""
    if e.errno in _ERRNO_WORDS:
        return translated(_ERRNO_WORDS[e.errno])
    text = e.strerror or (os.strerror(e.errno) if e.errno else _("the system refused the operation"))
    return text[:1].lower() + text[1:]


def json_reason(e: ValueError) -> str:
    """Where a JSON document is wrong, in the reader's language (the json module words it in English)."""
    if isinstance(e, json.JSONDecodeError):
        return _("a syntax error at line {line}, column {column}").format(line=e.lineno, column=e.colno)
    return str(e)   # ours (too deep, a duplicate key): already translated


def read_bounded(path: Path | str, cap: int, what: str) -> bytes:
    """The bytes of `path`, a regular file (or stdin when it is '-'), at most `cap` of them.

    Opened with O_NONBLOCK so that a FIFO with no writer cannot block the open; anything but a regular
    file is then refused, so a read can never wait or run forever. BadInputFile says why, in one sentence.
    `what` names the file for a person ("password file"): a message id marked with N_() where it is written,
    translated here.
    """
    if str(path) == "-":
        return _read_stdin(cap, what)
    if "\x00" in str(path):
        raise BadInputFile(_("the {what} path contains a NUL character").format(what=translated(what)))
    try:
        fd = os.open(path, _O_FLAGS)
    except FileNotFoundError:
        raise BadInputFile(_("the {what} {path} does not exist").format(what=translated(what), path=path)) from None
    except OSError as e:
        raise BadInputFile(_("cannot read the {what} {path}: {reason}").format(
            what=translated(what), path=path, reason=os_reason(e))) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise BadInputFile(_("the {what} {path} is a directory, not a file").format(
                what=translated(what), path=path))
        if not stat.S_ISREG(st.st_mode):
            raise BadInputFile(_("the {what} {path} is not a regular file (a pipe, device or socket); "
                                 "pass '-' to read it from standard input").format(what=translated(what), path=path))
        if st.st_size > cap:
            raise BadInputFile(_too_large(what, path, cap))
        chunks: list[bytes] = []
        left = cap + 1
        while left > 0:
            try:
                chunk = os.read(fd, min(left, 1 << 20))
            except OSError as e:
                raise BadInputFile(_("cannot read the {what} {path}: {reason}").format(
                    what=translated(what), path=path, reason=os_reason(e))) from None
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > cap:  # it grew while we read
            raise BadInputFile(_too_large(what, path, cap))
        return data
    finally:
        os.close(fd)


def _read_stdin(cap: int, what: str) -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(cap + 1) if stream is not None else sys.stdin.read(cap + 1).encode()
    if len(data) > cap:
        raise BadInputFile(_too_large(what, "-", cap))
    return data


def _too_large(what: str, path: Path | str, cap: int) -> str:
    if str(path) == "-":
        return _("the {what} on standard input is larger than {size}; refusing to read it").format(
            what=translated(what), size=_size(cap))
    return _("the {what} {path} is larger than {size}; refusing to read it").format(
        what=translated(what), path=path, size=_size(cap))


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n >> 20} MiB"
    return f"{n >> 10} KiB" if n >= 1 << 10 else ngettext("{n} byte", "{n} bytes", n).format(n=n)


def read_text(path: Path | str, cap: int, what: str) -> str:
    """read_bounded, decoded as UTF-8 (a BOM is dropped)."""
    try:
        return read_bounded(path, cap, what).decode("utf-8-sig")
    except UnicodeDecodeError:
        if str(path) == "-":
            raise BadInputFile(_("the {what} on standard input is not UTF-8 text").format(
                what=translated(what))) from None
        raise BadInputFile(_("the {what} {path} is not UTF-8 text").format(what=translated(what), path=path)) from None


def too_deep(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON brackets nest deeper than `limit`, checked before decoding (each pass peels one level)."""
    body = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    s = _JSON_STRING.sub(b"", body)
    for _level in range(limit):
        s, n = _JSON_INNERMOST.subn(b"", s)
        if not n:
            return False
    return b"[" in s or b"{" in s


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object_pairs_hook refusing a key given twice: json keeps the last, other parsers the first, so such
    a document means different things to different readers (ValueError, like any other malformed JSON)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(_("it has the key {key} twice in one object").format(key=json.dumps(k)[:80]))
        out[k] = v
    return out


def loads_json(data: bytes | str, **kwargs: Any) -> Any:
    """json.loads that raises ValueError (never RecursionError or a crash) for absurdly deep nesting."""
    if too_deep(data):
        raise ValueError(_("nested more than {depth} levels deep").format(depth=MAX_JSON_DEPTH))
    try:
        return json.loads(data, **kwargs)
    except RecursionError:
        raise ValueError(_("nested more than {depth} levels deep").format(depth=MAX_JSON_DEPTH)) from None
