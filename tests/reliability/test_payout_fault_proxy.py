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
from tests.reliability.test_payout_kill import Wallet, _evm


@pytest.fixture(scope="module")
def chain() -> Iterator[anvil.Sandbox]:
    with anvil.Sandbox() as sb:
        yield sb


@pytest.mark.parametrize(("mode", "params"), [
    ("drop", {}), ("502", {}), ("error", {"code": -32000, "message": "request timed out"}),
    ("delay", {"seconds": 0.5}), ("drop", {"forward": False})])
def test_fault_on_the_broadcast_then_rerun_pays_each_row_once(chain: anvil.Sandbox, tmp_path: Path, fault_proxy,
                                                              mode: str, params: dict) -> None:
    kit = _evm(chain.url)
    w = Wallet(tmp_path, kit)
    init = w.run("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt"))
    assert init.returncode == 0, init.stderr
    sender = next(a["address"] for a in json.loads(init.stdout)["accounts"] if a["ref"] == "evm:0")
    kit.fund(sender)
    to = [kit.make_address() for _ in range(20)]
    (tmp_path / "p.csv").write_text("to,amount\n" + "".join(f"{a},0.01\n" for a in to))
    base = ["--json", "--yes", "pay", str(tmp_path / "p.csv"), "--network", "local-evm", "--from", "evm:0",
            "--chunk-size", "10"]
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
