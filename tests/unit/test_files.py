"""keystore.files: private dirs, safe reads, atomic writes and the flock."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from keystore import files
from keystore.errors import UnsafeVaultFile, VaultLocked

REPO = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_ensure_private_dir_creates_0700_even_with_open_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        target = files.ensure_private_dir(tmp_path / "a" / "vaults")
    finally:
        os.umask(old)
    assert target.is_dir()
    assert _mode(target) == 0o700


def test_ensure_private_dir_tightens_an_existing_open_dir(tmp_path: Path) -> None:
    target = tmp_path / "vaults"
    target.mkdir(mode=0o755)
    os.chmod(target, 0o755)  # noqa: S103 - the point is to start from an open directory
    files.ensure_private_dir(target)
    assert _mode(target) == 0o700


def test_ensure_private_dir_refuses_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "vaults"
    link.symlink_to(real)
    with pytest.raises(UnsafeVaultFile, match="symlink"):
        files.ensure_private_dir(link)


def test_ensure_private_dir_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "vaults"
    target.write_bytes(b"")
    with pytest.raises(UnsafeVaultFile, match="not a directory"):
        files.ensure_private_dir(target)


def test_read_private_file_reads_a_0600_file(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"hello")
    os.chmod(target, 0o600)
    assert files.read_private_file(target) == b"hello"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o602, 0o610])
def test_read_private_file_refuses_group_or_other_bits(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "main.json"
    target.write_bytes(b"{}")
    os.chmod(target, mode)
    with pytest.raises(UnsafeVaultFile) as exc:
        files.read_private_file(target)
    message = str(exc.value)
    assert str(target) in message
    assert f"chmod 600 {target}" in message
    assert f"{mode:04o}" in message


def test_read_private_file_refuses_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(b"{}")
    os.chmod(real, 0o600)
    link = tmp_path / "main.json"
    link.symlink_to(real)
    with pytest.raises(UnsafeVaultFile, match="symlink"):
        files.read_private_file(link)


def test_read_private_file_refuses_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "d"
    target.mkdir(mode=0o700)
    with pytest.raises((UnsafeVaultFile, IsADirectoryError)):
        files.read_private_file(target)


def test_atomic_write_creates_0600_and_reports_every_step(tmp_path: Path) -> None:
    target = tmp_path / "main.json"
    steps: list[str] = []
    seen: dict[str, bytes | None] = {}

    def hook(name: str) -> None:
        steps.append(name)
        seen[name] = target.read_bytes() if target.exists() else None

    old = os.umask(0)
    try:
        files.atomic_write(target, b"0123456789", _on_step=hook)
    finally:
        os.umask(old)
    assert steps == ["created", "partial", "written", "synced", "renamed", "dir-synced"]
    # The target appears only at the rename, and never half-written.
    assert seen["synced"] is None
    assert seen["renamed"] == b"0123456789"
    assert target.read_bytes() == b"0123456789"
    assert _mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.json"]


def test_atomic_write_replaces_and_a_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "main.json"
    files.atomic_write(target, b"old")

    def boom(name: str) -> None:
        if name == "written":
            raise RuntimeError("simulated failure")

    with pytest.raises(RuntimeError):
        files.atomic_write(target, b"new contents", _on_step=boom)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.json"]
    files.atomic_write(target, b"new")
    assert target.read_bytes() == b"new"


def test_atomic_write_refuses_to_write_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.write_bytes(b"precious")
    link = tmp_path / "main.json"
    link.symlink_to(real)
    with pytest.raises(UnsafeVaultFile):
        files.atomic_write(link, b"x")
    assert real.read_bytes() == b"precious"


def test_cleanup_temp_files_removes_only_this_files_leftovers(tmp_path: Path) -> None:
    (tmp_path / ".tmp-main.json.0011").write_bytes(b"partial")
    (tmp_path / ".tmp-other.json.0011").write_bytes(b"partial")
    (tmp_path / "main.json").write_bytes(b"{}")
    files.cleanup_temp_files(tmp_path, "main.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-other.json.0011", "main.json"]


def test_locked_is_exclusive_and_times_out(tmp_path: Path) -> None:
    target = tmp_path / "main.json"
    with files.locked(target):
        assert _mode(files.lock_path(target)) == 0o600
        start = time.monotonic()
        # flock belongs to the open file description, so a second open in this process conflicts too.
        with pytest.raises(VaultLocked, match="main.json is locked"), files.locked(target, timeout=0.3):
            pass
        assert 0.25 <= time.monotonic() - start < 3
    with files.locked(target, timeout=0.1):
        pass


def test_lock_held_by_a_killed_process_is_released(tmp_path: Path) -> None:
    target = tmp_path / "main.json"
    code = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(REPO)!r})
        from keystore import files
        with files.locked({str(target)!r}):
            print("held", flush=True)
            sys.stdin.readline()
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(VaultLocked), files.locked(target, timeout=0.2):
            pass
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
        child.wait(timeout=10)
        with files.locked(target, timeout=2):
            pass
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_check_private_dir(tmp_path: Path) -> None:
    target = files.ensure_private_dir(tmp_path / "vaults")
    files.check_private_dir(target)
    os.chmod(target, 0o770)  # noqa: S103 - a group-writable directory is the case under test
    with pytest.raises(UnsafeVaultFile, match=f"chmod 700 {target}"):
        files.check_private_dir(target)
    os.chmod(target, 0o755)  # noqa: S103 - readable by others is tolerated: the files are 0600
    files.check_private_dir(target)
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(UnsafeVaultFile, match="symlink"):
        files.check_private_dir(link)
