"""Faults between the wallet and anvil: under every mode, with reruns of the same --idempotency-key,
the number of transactions on chain equals the number of distinct keys, and no run hangs past 20 s.

Each case is one key. Its first run meets a fault (see fault_proxy.py), the reruns go through a
healthy proxy; the wallet runs as a real process so a hang is a timeout, not a stuck test. Each test
prints one JSON line with its counts: cases, faults, doubles, missing, hangs, exit1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devnet import anvil
from tests.reliability.fault_proxy import FaultProxy

REPO = Path(__file__).resolve().parents[2]
HANG = 20.0
AMOUNT_WEI = 10**16          # 0.01 ETH per payment
PASSWORD = "fault suite password"


@pytest.fixture(scope="module")
def chain() -> Iterator[anvil.Sandbox]:
    with anvil.Sandbox() as sb:
        yield sb


@dataclass
class Tally:
    cases: int = 0
    faults: int = 0
    doubles: int = 0
    missing: int = 0
    hangs: int = 0
    exit1: int = 0
    tracebacks: int = 0
    slowest: float = 0.0       # seconds, the longest single run
    exits: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def line(self, suite: str) -> str:
        return json.dumps({"suite": suite, "cases": self.cases, "faults": self.faults, "doubles": self.doubles,
                           "missing": self.missing, "hangs": self.hangs, "exit1": self.exit1,
                           "tracebacks": self.tracebacks, "slowest_s": round(self.slowest, 1),
                           "exits": self.exits})


class Wallet:
    """One home with a funded evm:0, run as a subprocess against a given RPC URL."""

    def __init__(self, home: Path, chain: anvil.Sandbox, tally: Tally) -> None:
        self.home, self.chain, self.tally = home, chain, tally
        self.pw = home.parent / "pw.txt"
        self.pw.write_text(PASSWORD + "\n")
        self.pw.chmod(0o600)
        self.env = {**os.environ, "WALLET_INSECURE_TEST_KDF": "1",
                    "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        out = self.run(chain.url, "init", "--mnemonic-out", str(home.parent / "m.txt"), setup=True)
        self.sender = next(a["address"] for a in json.loads(out)["accounts"] if a["ref"] == "evm:0")
        derived = self.run(chain.url, "accounts", "derive", "--chain", "evm", setup=True)
        self.recipient = json.loads(derived)[0]["address"]
        anvil.fund(chain.url, self.sender, 10**18)

    def run(self, url: str, *args: str, setup: bool = False) -> str:
        argv = [sys.executable, "-m", "wallet_cli", "--home", str(self.home), "--password-file", str(self.pw),
                "--json", "--yes", *args]
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=HANG,
                               env={**self.env, "WALLET_RPC_LOCAL_EVM": url})
        except subprocess.TimeoutExpired:
            self.tally.hangs += 1
            self.tally.problems.append(f"hang: {args}")
            return ""
        if setup:
            assert p.returncode == 0, p.stderr
            return p.stdout
        self.tally.slowest = max(self.tally.slowest, time.monotonic() - t0)
        self.tally.exits[str(p.returncode)] = self.tally.exits.get(str(p.returncode), 0) + 1
        if p.returncode == 1:
            self.tally.exit1 += 1
            self.tally.problems.append(f"exit 1 ({time.monotonic() - t0:.1f} s): {p.stderr.strip()[-300:]}")
        if "Traceback" in p.stderr:
            self.tally.tracebacks += 1
            self.tally.problems.append(f"traceback: {p.stderr.strip()[-300:]}")
        return p.stdout

    def send(self, url: str, key: str) -> str:
        return self.run(url, "send", "--network", "local-evm", "--from", self.sender, "--to", self.recipient,
                        "--amount", "0.01", "--idempotency-key", key)

    def nonce(self) -> int:
        return int(anvil.rpc(self.chain.url, "eth_getTransactionCount", [self.sender, "latest"]), 16)

    def received(self) -> int:
        return int(anvil.rpc(self.chain.url, "eth_getBalance", [self.recipient, "latest"]), 16)


def run_case(w: Wallet, proxy: FaultProxy, key: str, faulted_runs: list[dict[str, Any]], reruns: int = 2) -> None:
    """Each dict in faulted_runs is one run under set(**it); then `reruns` healthy runs of the same key."""
    before_nonce, before_paid = w.nonce(), w.received()
    for fault in faulted_runs:
        proxy.set(**fault)
        n = proxy.faulted
        w.send(proxy.url, key)
        w.tally.faults += proxy.faulted - n
    proxy.clear()
    for _ in range(reruns):
        w.send(proxy.url, key)
    time.sleep(0.2)  # anvil mines on arrival; give a late delivery a moment to show
    landed, paid = w.nonce() - before_nonce, w.received() - before_paid
    w.tally.cases += 1
    if landed > 1 or paid > AMOUNT_WEI:
        w.tally.doubles += 1
        w.tally.problems.append(f"double: {key} landed {landed} transactions")
    elif landed == 0 or paid == 0:
        w.tally.missing += 1
        w.tally.problems.append(f"missing: {key} never landed")


def check(tally: Tally, suite: str, min_faults: int) -> None:
    print(tally.line(suite))
    summary = tally.line(suite) + "\n" + "\n".join(tally.problems)
    assert tally.faults >= min_faults, summary        # the faults really happened
    assert (tally.doubles, tally.missing, tally.hangs, tally.exit1, tally.tracebacks) == (0, 0, 0, 0, 0), summary


SEND = "eth_sendRawTransaction"
FORWARDED = ["drop", "delay", "reset", "502", "error", "wrong_body", "slow_body"]


def test_faults_on_the_broadcast(chain, tmp_path: Path) -> None:
    """The node gets the transaction, the answer is lost, late, wrong or an error."""
    tally = Tally()
    w = Wallet(tmp_path / "home", chain, tally)
    with FaultProxy(chain.url) as proxy:
        run_case(w, proxy, "pass", [{"mode": "pass"}])
        for mode in FORWARDED:
            run_case(w, proxy, f"fwd-{mode}", [{"mode": mode, "match": SEND, "times": 1}])
        run_case(w, proxy, "error-32603", [{"mode": "error", "match": SEND, "times": 1, "code": -32603,
                                            "message": "upstream request timeout"}])
        # A wrong chain is refused before anything is signed; the reruns then send once.
        run_case(w, proxy, "wrong-chain", [{"mode": "wrong_chain"}])
    check(tally, "evm-broadcast", min_faults=len(FORWARDED) + 2)


def test_faults_before_the_node_sees_it(chain, tmp_path: Path) -> None:
    """The transaction never reaches the node: the rerun must re-send the same signed bytes."""
    tally = Tally()
    w = Wallet(tmp_path / "home", chain, tally)
    modes = ["drop", "reset", "502", "error", "wrong_body"]
    with FaultProxy(chain.url) as proxy:
        for mode in modes:
            run_case(w, proxy, f"unsent-{mode}", [{"mode": mode, "match": SEND, "times": 1, "forward": False}])
        # Two faulted runs in a row, then the reruns.
        run_case(w, proxy, "unsent-twice", [{"mode": "502", "match": SEND, "times": 1, "forward": False},
                                            {"mode": "error", "match": SEND, "times": 1, "forward": False}])
    check(tally, "evm-unsent", min_faults=len(modes) + 2)


def test_faults_while_reconciling(chain, tmp_path: Path) -> None:
    """The broadcast's answer is lost; the rerun that reconciles it meets a fault of its own."""
    tally = Tally()
    w = Wallet(tmp_path / "home", chain, tally)
    with FaultProxy(chain.url) as proxy:
        for mode in [*FORWARDED, "wrong_chain"]:
            run_case(w, proxy, f"reconcile-{mode}", [{"mode": "drop", "match": SEND, "times": 1},
                                                     {"mode": mode, "times": None if mode == "wrong_chain" else 1}])
    check(tally, "evm-reconcile", min_faults=len(FORWARDED) + 2)
