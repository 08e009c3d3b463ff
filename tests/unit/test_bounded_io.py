"""Issue 8 item 16: file arguments are read with a size cap, only from a regular file or '-', never blocking."""

from __future__ import annotations

import errno
import io
import os
import sys
import threading
from pathlib import Path

import pytest

from keystore.boundedio import loads_json, os_reason, read_bounded, read_text, too_deep
from keystore.errors import BadInputFile


def test_a_regular_file_within_the_cap(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"x" * 100)
    assert read_bounded(p, 100, "key file") == b"x" * 100


def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # A watchdog writer: should the read block (old behaviour), opening the other end releases it.
    timer = threading.Timer(5, lambda: os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)))
    timer.start()
    try:
        with pytest.raises(BadInputFile, match="not a regular file"):
            read_bounded(fifo, 100, "password file")
    finally:
        timer.cancel()


def test_devices_and_directories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputFile, match="/dev/zero is not a regular file"):
        read_bounded("/dev/zero", 100, "PSBT file")
    with pytest.raises(BadInputFile, match="is a directory"):
        read_bounded(tmp_path, 100, "PSBT file")
    with pytest.raises(BadInputFile, match="does not exist"):
        read_bounded(tmp_path / "nope", 100, "PSBT file")


def test_too_large_is_refused_even_when_sparse(tmp_path: Path) -> None:
    p = tmp_path / "huge"
    with open(p, "wb") as fh:
        fh.truncate(1 << 30)
    with pytest.raises(BadInputFile, match="larger than 1 MiB"):
        read_bounded(p, 1 << 20, "typed data file")


def test_stdin_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"y" * 11)))
    with pytest.raises(BadInputFile, match="on standard input is larger than"):
        read_bounded("-", 10, "mnemonic")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"word word\n")))
    assert read_text("-", 10, "mnemonic") == "word word\n"


def test_not_utf8_is_one_sentence(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"\xff\xfe")
    with pytest.raises(BadInputFile, match=r"is not UTF-8 text$"):
        read_text(p, 100, "password file")


def test_deep_json_is_a_value_error_not_a_crash() -> None:
    deep = "[" * 200_000 + "]" * 200_000
    assert too_deep(deep)
    with pytest.raises(ValueError, match="nested more than"):
        loads_json(deep)
    assert loads_json('{"a": [[1], {"b": "[[[[[[["}]}') == {"a": [[1], {"b": "[[[[[[["}]}


def test_os_reason_is_words() -> None:
    assert os_reason(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))) == "no space left on device"
    assert "Errno" not in os_reason(PermissionError(errno.EACCES, "Permission denied", "/x"))


def test_os_reason_is_in_the_readers_language() -> None:
    import wallet_i18n

    wallet_i18n.use("zh_CN")
    assert os_reason(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))) == "磁盘空间不足"
    assert os_reason(PermissionError(errno.EACCES, "Permission denied", "/x")) == "权限不足"
    assert os_reason(OSError(errno.EIO, "Input/output error")) == "input/output error"   # not listed: libc's
