"""Private files on disk: 0700 directories, 0600 files, atomic replacement and an exclusive lock.

Everything here refuses symlinks, because a symlinked vault lets another user point us at a file they
control (or make us overwrite one of ours).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from keystore.errors import UnsafeVaultFile, VaultLocked
from wallet_i18n import _

DIR_MODE = 0o700
FILE_MODE = 0o600
TEMP_PREFIX = ".tmp-"
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _own_real_dir(path: Path) -> os.stat_result:
    """lstat of a directory that is no symlink and is ours; else UnsafeVaultFile."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeVaultFile(_("refusing to use {path}: it is a symlink; use a real directory").format(path=path))
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeVaultFile(_("refusing to use {path}: it is not a directory").format(path=path))
    if st.st_uid != os.getuid():
        raise UnsafeVaultFile(_("refusing to use {path}: it is owned by another user").format(path=path))
    return st


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) as 0700 and make sure it is a real directory only we can enter."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    st = _own_real_dir(path)
    if st.st_mode & (stat.S_ISVTX | stat.S_IWOTH):
        # A shared directory such as /tmp: never chmod it (that would break it for everyone).
        raise UnsafeVaultFile(_("refusing to use {path} as a private directory: other users can write to it; "
                                "choose a directory of your own").format(path=path))
    if stat.S_IMODE(st.st_mode) != DIR_MODE:
        # Ours and not shared, so tightening is safe and what the user wants.
        os.chmod(path, DIR_MODE)
    return path


def check_private_dir(path: Path) -> None:
    """Refuse a directory that is a symlink, someone else's, or writable by others (they could swap files)."""
    path = Path(path)
    st = _own_real_dir(path)
    if st.st_mode & 0o022:
        raise UnsafeVaultFile(
            _("refusing to use {path}: other users can write to it; run 'chmod 700 {path}' to fix it").format(path=path)
        )


def _check_private_stat(path: Path, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeVaultFile(_("refusing to read {path}: it is not a regular file").format(path=path))
    if st.st_mode & 0o077:
        mode = stat.S_IMODE(st.st_mode)
        raise UnsafeVaultFile(
            _("refusing to read {path}: its mode {mode:04o} lets other users read or change it; "
              "run 'chmod 600 {path}' to fix it").format(path=path, mode=mode)
        )


PRIVATE_CAP = 16 << 20  # a vault with thousands of accounts is well under 1 MiB


def read_private_file(path: Path, cap: int = PRIVATE_CAP) -> bytes:
    """Read a whole file that must be a regular, non-symlinked file with no group/other permission bits.

    O_NONBLOCK: a FIFO put in its place must be refused, not waited on. Larger than `cap`: refused.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _O_NOFOLLOW | _O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeVaultFile(_("refusing to read {path}: it is a symlink").format(path=path)) from None
        raise
    try:
        _check_private_stat(path, os.fstat(fd))
        chunks = []
        size = 0
        while size <= cap:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > cap:
            raise UnsafeVaultFile(_("refusing to read {path}: it is larger than {size} MiB").format(
                path=path, size=cap >> 20))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, _on_step: Callable[[str], None] | None = None) -> None:
    """Replace `path` with `data` so that a crash at any point leaves the old file or the new one.

    `_on_step(name)` is a test hook called between steps: created, partial, written, synced, renamed,
    dir-synced.
    """
    path = Path(path)
    step = _on_step or (lambda _name: None)
    if path.is_symlink():
        raise UnsafeVaultFile(_("refusing to write {path}: it is a symlink").format(path=path))
    directory = path.parent
    tmp = directory / f"{TEMP_PREFIX}{path.name}.{os.urandom(8).hex()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, FILE_MODE)
    try:
        try:
            # The umask cannot widen O_CREAT's mode, but an inherited ACL could; pin it.
            os.fchmod(fd, FILE_MODE)
            step("created")
            half = len(data) // 2
            _write_all(fd, data[:half])
            step("partial")
            _write_all(fd, data[half:])
            step("written")
            os.fsync(fd)
            step("synced")
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    step("renamed")
    _fsync_dir(directory)
    step("dir-synced")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def cleanup_temp_files(directory: Path, name: str) -> None:
    """Remove temp files a crashed writer of `name` left behind. Call only while holding the lock."""
    for leftover in Path(directory).glob(f"{TEMP_PREFIX}{name}.*"):
        with contextlib.suppress(OSError):
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink()


def lock_path(path: Path) -> Path:
    path = Path(path)
    return path.parent / f".{path.name}.lock"


@contextlib.contextmanager
def locked(path: Path, timeout: float = 30) -> Iterator[None]:
    """Hold an exclusive flock on `.<name>.lock` beside `path`; raise VaultLocked after `timeout` seconds.

    flock is released by the kernel when the holder dies, so a crashed writer never leaves it stuck.
    """
    lpath = lock_path(path)
    try:
        fd = os.open(lpath, os.O_RDWR | os.O_CREAT | _O_NOFOLLOW | _O_CLOEXEC, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeVaultFile(_("refusing to use lock file {path}: it is a symlink").format(path=lpath)) from None
        raise
    try:
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise VaultLocked(
                        _("{name} is locked by another wallet process (waited {timeout:g} s); "
                          "try again when it has finished").format(name=Path(path).name, timeout=timeout)
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
