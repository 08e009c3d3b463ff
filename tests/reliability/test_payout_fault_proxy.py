"""A payout through the shared fault proxy (fault_proxy.py): each fault on the first broadcast batch of a
20-row EVM payout, then a plain rerun. Every fault that forwards first means the node has the transactions
while the wallet was told otherwise: the rerun must settle them, never sign them again."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devnet import anvil
from tests.reliability.test_payout_kill import evm_run


@pytest.fixture(scope="module")
def chain() -> Iterator[anvil.Sandbox]:
    with anvil.Sandbox() as sb:
        yield sb


@pytest.mark.parametrize(("mode", "params"), [
    ("drop", {}), ("502", {}), ("error", {"code": -32000, "message": "request timed out"}),
    ("delay", {"seconds": 0.5}), ("drop", {"forward": False})])
def test_fault_on_the_broadcast_then_rerun_pays_each_row_once(chain: anvil.Sandbox, tmp_path: Path, fault_proxy,
                                                              mode: str, params: dict) -> None:
    run = evm_run(tmp_path, chain.url, 20, "0.01", "--chunk-size", "10")
    w, kit, sender, to, base = run.wallet, run.kit, run.sender, run.to, run.base
    proxy = fault_proxy(chain.url)
    proxy.set(mode, match="eth_sendRawTransaction", times=1, **params)
    argv, env = w.argv(*base, url=proxy.url)
    first = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert proxy.faulted == 1
    assert first.returncode in ((0,) if mode == "delay" else (4, 5)), first.stderr
    done = w.run(*base, "--wait")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["transactions"] == 20                 # nothing was signed twice
    assert int(anvil.rpc(chain.url, "eth_getTransactionCount", [sender, "latest"]), 16) == 20
    assert [kit.balance(a) for a in to] == [10**16] * 20
