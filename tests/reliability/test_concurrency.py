"""Eight processes updating one vault at once lose nothing: the flock serialises read-modify-write."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from keystore import vault

WORKERS = 8

CHILD = r"""
import os, sys, time
from pathlib import Path
from keystore import vault

home, index, go = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
print("ready", flush=True)
while not go.exists():  # start together, so the updates really overlap
    time.sleep(0.002)

def derive(v):
    # Read, think a little, then write: without the lock this loses updates.
    accounts = v.info.accounts
    time.sleep(0.01)
    accounts.append({"chain": "evm", "index": index, "path": f"m/44'/60'/0'/0/{index}",
                     "address": f"worker-{index}", "label": ""})

vault.update(home, "main", os.environ["KS_PW"], derive)
"""


def test_eight_concurrent_updates_keep_every_account(ks_home: Path, tmp_path: Path, ks: Any) -> None:
    go = tmp_path / "go"
    env = {**ks.child_env(), "KS_PW": ks.password}
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(ks_home), str(i), str(go)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(WORKERS)]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        start = time.monotonic()
        go.touch()
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
        elapsed = time.monotonic() - start
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    unlocked = vault.unlock(ks_home, "main", ks.password)  # also checks the authenticated digest
    added = [a for a in unlocked.info.accounts if a["address"].startswith("worker-")]
    assert sorted(a["index"] for a in added) == list(range(WORKERS))
    assert unlocked.info.accounts[:len(ks.accounts)] == ks.accounts
    assert len(unlocked.info.accounts) == len(ks.accounts) + WORKERS
    # Each update sleeps 10 ms inside the lock, so serialised updates take at least 80 ms in total.
    assert elapsed >= WORKERS * 0.01
    assert [p.name for p in (ks_home / "vaults").iterdir() if p.name.startswith(".tmp-")] == []
