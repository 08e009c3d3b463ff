"""Ctrl-C (SIGINT) during a payout stops it after the current chunk: exit 130, every journalled transaction
was broadcast, and the rerun pays exactly the rest."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from devnet import anvil
from tests.reliability.test_payout_kill import evm_run


def test_sigint_stops_after_the_current_chunk(tmp_path: Path, payout_proxy) -> None:
    with anvil.Sandbox() as chain:
        run = evm_run(tmp_path, chain.url, 100, "0.001", "--chunk-size", "2")
        w, kit, sender, to, base = run.wallet, run.kit, run.sender, run.to, run.base
        slow = payout_proxy(chain.url, latency=0.05)             # ~50 chunks of 50 ms: time to press Ctrl-C
        argv, env = w.argv(*base, url=slow.url)
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 60
        while w.states().get("inflight", 0) < 10 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.02)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        assert p.returncode == 130, err
        report = json.loads(out)
        assert report["interrupted"] and 0 < report["states"].get("inflight", 0) < 100
        con = sqlite3.connect(f"file:{w.home / 'wallet.db'}?mode=ro", uri=True)
        tx_states = dict(con.execute("SELECT state, count(*) FROM payout_txs GROUP BY state").fetchall())
        con.close()
        assert set(tx_states) == {"pending"}                    # nothing left signed-but-unsent
        mined = int(anvil.rpc(chain.url, "eth_getTransactionCount", [sender, "latest"]), 16)
        assert mined == tx_states["pending"]

        done = w.run(*base, "--wait")
        assert done.returncode == 0, done.stderr
        assert int(anvil.rpc(chain.url, "eth_getTransactionCount", [sender, "latest"]), 16) == 100
        assert [kit.balance(a) for a in to] == [10**15] * 100
