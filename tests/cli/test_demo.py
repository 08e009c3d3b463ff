"""The README's main command: `wallet demo` runs every chain's tour and leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_runs_end_to_end_and_cleans_up(tmp_path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("WALLET_INSECURE_TEST_KDF", None)  # the demo uses the real KDF, as a user would
    p = subprocess.run([sys.executable, "-m", "wallet_cli", "demo"], capture_output=True, text=True, env=env,
                       timeout=300, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-3000:]
    for step in ("local-evm", "local-btc", "local-sol", "local-tron", "250 DEMO", "0.1 BTC", "0.5 SOL", "25 USDT",
                 "run demo-evm: 5 rows", "run demo-btc: 5 rows", "run demo-sol: 5 rows (5 confirmed)"):
        assert step in p.stdout + p.stderr
    assert "weak test KDF" not in p.stderr
    assert list(tmp_path.iterdir()) == []  # the throwaway home is gone


def test_demo_json_is_json_lines(tmp_path) -> None:
    import json

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    p = subprocess.run([sys.executable, "-m", "wallet_cli", "--json", "demo", "--chains", "evm,sol"],
                       capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-3000:]
    lines = [json.loads(line) for line in p.stdout.splitlines()]   # every line is one JSON document
    assert {"step": "History: every signed transaction was journalled before it was broadcast"} in lines
    portfolio = next(x for x in lines if isinstance(x, dict) and "totals" in x)
    assert {t["asset"] for t in portfolio["totals"]} >= {"ETH", "DEMO", "SOL"}
    received = [x for x in lines if isinstance(x, list) and x and x[0].get("kind") == "received"]
    assert received, "history --incoming listed nothing"
    assert list(tmp_path.iterdir()) == []
