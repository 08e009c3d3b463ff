"""A writer SIGKILLed at every step of an atomic write leaves exactly the old file or exactly the new one.

Each case is a real child process whose `_on_step` hook kills itself with SIGKILL (no cleanup, no
finally blocks, no flushing), so what is on disk afterwards is what a power cut or OOM kill would leave
(short of losing the page cache, which the fsyncs cover).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from keystore import vault
from keystore.errors import VaultNotFound, WrongPassword

STEPS = ["created", "partial", "written", "synced", "renamed", "dir-synced"]
AFTER_RENAME = {"renamed", "dir-synced"}
# change_password and create share atomic_write with update, so three steps cover their own logic:
# torn temp file, fully synced temp file, and just renamed.
KEY_STEPS = ["partial", "synced", "renamed"]
NEW_ACCOUNT = {"chain": "sol", "index": 0, "path": "m/44'/501'/0'/0'", "address": "crash-test", "label": ""}
NEW_PASSWORD = "password after the crash"

CHILD = r"""
import os, signal, sys
from pathlib import Path
from keystore import files, vault

op, target, step = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
password = os.environ["KS_PW"]

def hook(name):
    if name == step:
        os.kill(os.getpid(), signal.SIGKILL)

if op == "atomic_write":
    files.atomic_write(target, b"NEW-" * 5000, _on_step=hook)
elif op == "update":
    new = {"chain": "sol", "index": 0, "path": "m/44'/501'/0'/0'", "address": "crash-test", "label": ""}
    vault.update(target, "main", password, lambda v: v.info.accounts.append(new), _on_step=hook)
elif op == "change_password":
    vault.change_password(target, "main", password, os.environ["KS_NEW_PW"], _on_step=hook)
elif op == "create":
    mnemonic = "abandon " * 11 + "about"
    vault.create_vault(target, "main", password, vault.VaultSecrets(mnemonic), [], _on_step=hook)
sys.exit(3)  # the step was never reached
"""


def _run_children(ks: Any, op: str, targets: dict[str, Path]) -> None:
    """Start one child per step at once (the machine is small; waiting in series would be slow)."""
    env = {**ks.child_env(), "KS_PW": ks.password, "KS_NEW_PW": NEW_PASSWORD}
    procs = {step: subprocess.Popen([sys.executable, "-c", CHILD, op, str(target), step], env=env,
                                    stderr=subprocess.PIPE)
             for step, target in targets.items()}
    for step, proc in procs.items():
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, f"{op} at {step}: exit {proc.returncode}: {err.decode()}"


def _homes(template: Path, tmp_path: Path, steps: list[str]) -> dict[str, Path]:
    homes = {}
    for step in steps:
        homes[step] = tmp_path / f"home-{step}"
        shutil.copytree(template, homes[step], symlinks=True)
    return homes


def _temp_files(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.startswith(".tmp-")]


def test_atomic_write_killed_at_each_step(tmp_path: Path, ks: Any) -> None:
    old = b"OLD-" * 3000
    targets = {}
    for step in STEPS:
        (tmp_path / step).mkdir(mode=0o700)
        targets[step] = tmp_path / step / "data.json"
        ks.write_raw(targets[step], old)
    _run_children(ks, "atomic_write", targets)
    for step, target in targets.items():
        expected = b"NEW-" * 5000 if step in AFTER_RENAME else old
        assert target.read_bytes() == expected, step
        # A leftover temp file exists only when the kill came between create and rename.
        assert bool(_temp_files(target.parent)) == (step not in AFTER_RENAME), step


def test_vault_update_killed_at_each_step(ks_home: Path, tmp_path: Path, ks: Any) -> None:
    old_bytes = vault.vault_path(ks_home, "main").read_bytes()
    homes = _homes(ks_home, tmp_path, STEPS)
    _run_children(ks, "update", homes)
    for step, home in homes.items():
        info = vault.read_info(home, "main")
        if step in AFTER_RENAME:
            assert info.accounts == [*ks.accounts, NEW_ACCOUNT], step
        else:
            assert vault.vault_path(home, "main").read_bytes() == old_bytes, step
        assert vault.unlock(home, "main", ks.password).info.accounts == info.accounts
        # The next writer cleans up whatever the dead one left and succeeds.
        extra = {**NEW_ACCOUNT, "index": 1}
        vault.update(home, "main", ks.password, lambda v, extra=extra: v.info.accounts.append(extra))
        assert vault.read_info(home, "main").accounts[-1] == extra
        assert _temp_files(home / "vaults") == [], step
        assert vault.list_vaults(home) == ["main"]


def test_change_password_killed_at_each_step(ks_home: Path, tmp_path: Path, ks: Any) -> None:
    homes = _homes(ks_home, tmp_path, KEY_STEPS)
    _run_children(ks, "change_password", homes)
    for step, home in homes.items():
        good, bad = (NEW_PASSWORD, ks.password) if step in AFTER_RENAME else (ks.password, NEW_PASSWORD)
        assert vault.unlock(home, "main", good).secrets.mnemonic == ks.mnemonic, step
        with pytest.raises(WrongPassword):
            vault.unlock(home, "main", bad)


def test_create_killed_at_each_step(tmp_path: Path, ks: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALLET_INSECURE_TEST_KDF", "1")
    homes = {step: tmp_path / f"home-{step}" for step in KEY_STEPS}
    _run_children(ks, "create", homes)
    for step, home in homes.items():
        if step in AFTER_RENAME:
            assert vault.unlock(home, "main", ks.password).info.accounts == [], step
            continue
        with pytest.raises(VaultNotFound):
            vault.read_info(home, "main")
        assert vault.list_vaults(home) == [], step
        # No half-made vault blocks a retry.
        vault.create_vault(home, "main", ks.password, vault.VaultSecrets(ks.mnemonic), [])
        assert _temp_files(home / "vaults") == [], step
        assert json.loads(vault.vault_path(home, "main").read_bytes())["name"] == "main"
