"""Eight real processes deriving at once lose no account: the vault lock serialises read-modify-write."""

from __future__ import annotations

import os
import subprocess
import sys


def test_eight_concurrent_derives_lose_nothing(cli, restored, home, pwfile) -> None:
    argv = [sys.executable, "-m", "wallet_cli", "--home", str(home), "--password-file", str(pwfile),
            "accounts", "derive", "--chain", "evm"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
             for _ in range(8)]
    results = [p.communicate(timeout=120) for p in procs]
    codes = [p.returncode for p in procs]
    assert codes == [0] * 8, [r[1].decode() for r in results]
    listed = cli("--json", "accounts", "list", "--chain", "evm", password=False).json()
    assert sorted(a["index"] for a in listed) == list(range(9))
    assert len({a["address"] for a in listed}) == 9
