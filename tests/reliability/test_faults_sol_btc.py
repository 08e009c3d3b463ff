"""Fault runs for Solana and Bitcoin: a real proxy between the real CLI and each real sandbox (issue 8).

For every proxy mode (drop the reply, delay, reset, 502, an error after forwarding, an OK reply with a
wrong body, a slow body, a wrong chain), applied once to the broadcast (or, for the wrong chain, to
the chain-identity read), a send with its own idempotency key is run and then rerun with the proxy
clear until it succeeds (on Solana, after the blockhash moved on). Every case pays a fresh recipient,
so the chain itself counts the payments: exactly one per key (zero is a lost payment, two a double).
No run may take 20 s or exit 1. The counts are printed (run with -s to see them) and asserted.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import devnet.btc_sandbox as btc
from chains.solana.rpc import SolanaRpc
from devnet import sol_sandbox
from tests.cli.conftest import cli, home, new_funded_vault, pwfile  # noqa: F401 - fixtures used below
from tests.reliability.fault_proxy import FaultProxy

HANG_S = 20.0
RERUNS = 3
MAINNET_SOL_GENESIS = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"
MAINNET_BLOCK0 = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"


@dataclass
class Tally:
    family: str
    cases: int = 0
    faults: int = 0
    doubles: int = 0
    lost: int = 0
    hangs: int = 0
    exit1: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.family}: cases={self.cases} faults={self.faults} doubles={self.doubles} lost={self.lost} "
                f"hangs={self.hangs} exit-1s={self.exit1}")


def _cases(broadcast: str, identity: str, wrong_identity: Callable[[Any, bytes], bytes]) -> list[tuple[str, dict]]:
    """(label, FaultProxy.set kwargs): every mode once after forwarding, and the lossy ones before it too."""
    out: list[tuple[str, dict]] = []
    for mode in ("drop", "delay", "reset", "502", "error", "wrong_body", "slow_body"):
        extra: dict[str, Any] = {"seconds": 12} if mode == "delay" else {}
        out.append((f"{mode} after forwarding", {"mode": mode, "match": broadcast, "times": 1, **extra}))
        if mode != "slow_body":
            out.append((f"{mode} before forwarding", {"mode": mode, "match": broadcast, "times": 1,
                                                      "forward": False, **extra}))
    out.append(("wrong chain", {"mode": "wrong_chain", "match": identity, "times": 1, "reply": wrong_identity}))
    # Reads fail too: the first request of the run (before anything is signed) trickles or resets.
    out.append(("slow body on the first read", {"mode": "slow_body", "times": 1}))
    out.append(("reset on the first read", {"mode": "reset", "times": 1}))
    return out


def _run_case(tally: Tally, proxy: FaultProxy, fault: dict, send: Callable[[str, str], Any],  # noqa: ANN001
              key: str, to: str, paid: Callable[[str], int], label: str,
              between: Callable[[], None] | None = None) -> None:
    tally.cases += 1
    proxy.set(**fault)
    codes = []
    for attempt in range(1 + RERUNS):
        start = time.monotonic()
        r = send(key, to)
        took = time.monotonic() - start
        codes.append(r.code)
        tally.hangs += took >= HANG_S
        tally.exit1 += r.code == 1
        if r.code == 1:
            tally.notes.append(f"{label}: exit 1: {r.err[-300:]}")
        if attempt == 0:
            proxy.clear()
            if between is not None:
                between()                          # e.g. the Solana blockhash moves on before the rerun
        if r.code == 0:
            break
    tally.faults += proxy.faulted
    proxy.faulted = 0
    n = paid(to)
    tally.doubles += n > 1
    tally.lost += n == 0
    if n != 1:
        tally.notes.append(f"{label}: {n} payments, exit codes {codes}")


def _report(tally: Tally, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + tally.line())
        for n in tally.notes:
            print("  " + n)
    assert tally.cases >= 16 and tally.faults >= tally.cases
    assert (tally.doubles, tally.lost, tally.hangs, tally.exit1) == (0, 0, 0, 0), tally.notes


# ---- Solana ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def svm() -> Iterator[sol_sandbox.Sandbox]:
    with sol_sandbox.Sandbox() as sb:
        yield sb


def _sol_genesis(req: Any, upstream: bytes) -> bytes:
    doc = json.loads(upstream)
    doc["result"] = MAINNET_SOL_GENESIS
    return json.dumps(doc).encode()


def test_faults_solana(cli, new_funded_vault, svm, monkeypatch, capsys) -> None:  # noqa: ANN001, F811
    from solders.keypair import Keypair

    new_funded_vault("sol", svm.url, "2")
    rpc = SolanaRpc(svm.url)
    tally = Tally("sol")
    with FaultProxy(svm.url) as proxy:
        monkeypatch.setenv("WALLET_RPC_LOCAL_SOL", proxy.url)

        def send(key: str, to: str) -> Any:
            return cli("--json", "--yes", "send", "--network", "local-sol", "--from", "sol:0", "--to", to,
                       "--amount", "0.01", "--idempotency-key", key)

        def paid(to: str) -> int:
            return rpc.get_balance(to) // 10**7          # 0.01 SOL per payment to a fresh account

        for i, (label, fault) in enumerate(_cases("sendTransaction", "getGenesisHash", _sol_genesis)):
            _run_case(tally, proxy, fault, send, f"sol-{i}", str(Keypair().pubkey()), paid, label,
                      between=lambda: sol_sandbox.expire_blockhash(svm.url))
    _report(tally, capsys)


# ---- Bitcoin --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regtest() -> Iterator[btc.Sandbox]:
    with btc.Sandbox() as sb:
        yield sb


def _esplora(url: str, path: str) -> Any:
    with urllib.request.urlopen(url + path, timeout=10) as resp:  # noqa: S310 - loopback sandbox
        return json.loads(resp.read())


def _fresh_regtest_address() -> str:
    from coincurve import PrivateKey

    from keystore.addresses import btc_address

    return btc_address(PrivateKey(os.urandom(32)).public_key.format(), "p2wpkh", "regtest")


def test_faults_bitcoin(cli, new_funded_vault, regtest, monkeypatch, capsys) -> None:  # noqa: ANN001, F811
    v = new_funded_vault("btc", regtest.url, "2")
    monkeypatch.setenv("WALLET_SYNC_TIMEOUT", "15")     # the BDK scan shares the 20 s budget with the rest
    tally = Tally("btc")
    with FaultProxy(regtest.url) as proxy:
        monkeypatch.setenv("WALLET_RPC_LOCAL_BTC", proxy.url)

        def send(key: str, to: str) -> Any:
            return cli("--json", "--yes", "send", "--network", "local-btc", "--from", "btc:0", "--to", to,
                       "--amount", "0.01", "--fee-rate", "2", "--idempotency-key", key)

        def paid(to: str) -> int:
            st = _esplora(regtest.url, f"/address/{to}")
            return st["chain_stats"]["funded_txo_count"] + st["mempool_stats"]["funded_txo_count"]

        cases = _cases("POST /tx", "GET /block-height/0", lambda req, up: MAINNET_BLOCK0.encode())
        for i, (label, fault) in enumerate(cases):
            _run_case(tally, proxy, fault, send, f"btc-{i}", _fresh_regtest_address(), paid, label)
            btc.mine(regtest.url, 1)                    # confirm, so the next case spends confirmed coins
    assert v["url"] == regtest.url
    _report(tally, capsys)
