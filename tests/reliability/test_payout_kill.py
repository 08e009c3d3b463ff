"""A 200-row payout per family, SIGKILLed at 20+ random moments and run through a fault proxy, then resumed.

Real processes (`python -m wallet_cli pay ...`) against the real sandboxes (anvil, the LiteSVM sandbox, the
regtest sandbox). After the kills and faults, a plain rerun finishes the run; then, read from the chain
itself: every recipient holds exactly the sum of its rows, and the sender made exactly the transactions the
plan (a --dry-run before the first attempt) said it would.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devnet import anvil, sol_sandbox
from devnet import btc_sandbox as btc

ROWS = 200
KILLS = 20
PASSWORD = "payout reliability"


@dataclass
class Kit:
    family: str
    network: str
    url: str
    extra: list[str]
    make_address: Callable[[], str]
    amount: Callable[[int], tuple[str, int]]           # row index -> (decimal text, base units)
    balance: Callable[[str], int]
    fund: Callable[[str], None]
    latency: float = 0.03                               # per proxied request, seconds


def _evm(url: str) -> Kit:
    from keystore.addresses import to_checksum_address

    def bal(a: str) -> int:
        return int(anvil.rpc(url, "eth_getBalance", [a, "latest"]), 16)

    return Kit("evm", "local-evm", url, ["--chunk-size", "2"], lambda: to_checksum_address(os.urandom(20)),
               lambda i: (f"0.00{i % 9 + 1}", (i % 9 + 1) * 10**15), bal,
               lambda a: anvil.fund(url, a, 1000 * 10**18) and None)


def _sol(url: str) -> Kit:
    from solders.keypair import Keypair

    from chains.solana.rpc import SolanaRpc

    return Kit("sol", "local-sol", url, ["--chunk-size", "1"], lambda: str(Keypair().pubkey()),
               lambda i: (f"0.00{i % 9 + 1}", (i % 9 + 1) * 10**6), lambda a: SolanaRpc(url).get_balance(a),
               lambda a: sol_sandbox.fund(url, a, 100 * 10**9) and None, latency=0.12)


def _btc(url: str) -> Kit:
    from coincurve import PrivateKey

    from keystore.addresses import btc_address

    def received(a: str) -> int:
        return sum(v for v, _t in _outputs_to(url, a))

    return Kit("btc", "local-btc", url, ["--max-outputs", "20"],
               lambda: btc_address(PrivateKey(os.urandom(32)).public_key.format(), "p2wpkh", "regtest"),
               lambda i: (f"0.000{i % 9 + 1}", (i % 9 + 1) * 10**4), received, lambda a: None)


def _outputs_to(url: str, address: str) -> list[tuple[int, str]]:
    with urllib.request.urlopen(f"{url}/address/{address}/txs", timeout=10) as r:
        txs = json.loads(r.read())
    return [(o["value"], t["txid"]) for t in txs for o in t["vout"] if o.get("scriptpubkey_address") == address]


@pytest.fixture(params=["evm", "sol", "btc"])
def kit(request: pytest.FixtureRequest) -> Iterator[Kit]:
    family = request.param
    sandbox: Any = {"evm": anvil.Sandbox, "sol": sol_sandbox.Sandbox, "btc": btc.Sandbox}[family]()
    with sandbox as sb:
        yield {"evm": _evm, "sol": _sol, "btc": _btc}[family](sb.url)


class Wallet:
    def __init__(self, tmp: Path, kit: Kit) -> None:
        self.home = tmp / "home"
        self.pw = tmp / "pw"
        self.pw.write_text(PASSWORD + "\n")
        self.pw.chmod(0o600)
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.env = {**os.environ, "WALLET_INSECURE_TEST_KDF": "1", "NO_COLOR": "1",
                    "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        self.env.pop("WALLET_HOME", None)
        self.kit = kit

    def argv(self, *args: str, url: str | None = None) -> tuple[list[str], dict[str, str]]:
        env = {**self.env, "WALLET_RPC_" + self.kit.network.upper().replace("-", "_"): url or self.kit.url}
        return [sys.executable, "-m", "wallet_cli", "--home", str(self.home), "--password-file", str(self.pw),
                *args], env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        argv, env = self.argv(*args)
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)

    def states(self) -> dict[str, int]:
        db = self.home / "wallet.db"
        if not db.exists():
            return {}
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            return dict(con.execute("SELECT state, count(*) FROM payout_rows GROUP BY state").fetchall())
        except sqlite3.OperationalError:
            return {}
        finally:
            con.close()


@dataclass
class EvmRun:
    """A new vault whose evm:0 is funded on `url`, and a CSV paying `amount` to each of `rows` new addresses."""

    wallet: Wallet
    kit: Kit
    sender: str
    to: list[str]
    base: list[str]          # `wallet --json --yes pay FILE --network local-evm --from evm:0 [extra]`


def evm_run(tmp_path: Path, url: str, rows: int, amount: str, *extra: str) -> EvmRun:
    kit = _evm(url)
    w = Wallet(tmp_path, kit)
    init = w.run("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt"))
    assert init.returncode == 0, init.stderr
    sender = next(a["address"] for a in json.loads(init.stdout)["accounts"] if a["ref"] == "evm:0")
    kit.fund(sender)
    to = [kit.make_address() for _ in range(rows)]
    (tmp_path / "p.csv").write_text("to,amount\n" + "".join(f"{a},{amount}\n" for a in to))
    base = ["--json", "--yes", "pay", str(tmp_path / "p.csv"), "--network", "local-evm", "--from", "evm:0", *extra]
    return EvmRun(w, kit, sender, to, base)


def _paid(states: dict[str, int]) -> int:
    return sum(v for k, v in states.items() if k != "new")


def test_killed_and_faulted_payout_pays_every_row_exactly_once(kit: Kit, tmp_path: Path, payout_proxy) -> None:
    w = Wallet(tmp_path, kit)
    init = w.run("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt"))
    assert init.returncode == 0, init.stderr
    sender = next(a["address"] for a in json.loads(init.stdout)["accounts"] if a["ref"] == f"{kit.family}:0")
    if kit.family == "btc":
        f = w.run("--json", "devnet", "fund", "btc:0", "--amount", "5", "--network", kit.network)
        assert f.returncode == 0, f.stderr
    else:
        kit.fund(sender)
    recipients = [kit.make_address() for _ in range(50)]
    expect = dict.fromkeys(recipients, 0)
    lines = ["id,to,amount,memo"]
    for i in range(ROWS):
        to = recipients[i % 50]
        text, units = kit.amount(i)
        expect[to] += units
        lines.append(f"r{i},{to},{text},row {i}")
    csv = tmp_path / "payroll.csv"
    csv.write_text("\n".join(lines) + "\n")
    base = ["--json", "--yes", "pay", str(csv), "--network", kit.network, "--from", f"{kit.family}:0", *kit.extra]
    before = kit.balance(sender) if kit.family == "sol" else 0

    dry = w.run(*base, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    planned = json.loads(dry.stdout)["fees"]["transactions"]

    rates = 0.03 if kit.family == "btc" else 0.08      # BDK's sync makes dozens of requests per run
    # Every attempt goes through the proxy: 30-120 ms per request, as from a remote node, so that a run
    # lasts long enough for random kill moments to land inside it; every third attempt also gets faults.
    proxy = payout_proxy(kit.url, drop=rates, error=rates, delay=rates, latency=kit.latency, seed=7)
    rng = random.Random(1234)
    t0 = time.perf_counter()
    assert w.run("--json", "accounts", "list").returncode == 0
    start = time.perf_counter() - t0
    # Two kinds of kill moment, interleaved 2:1 so that 20 kills always happen before the run is done:
    #  - early: at a random time up to a little past start-up (unlock, reconciling, planning, first chunk);
    #  - in the loop: a random 0-40 ms after the journal shows a new commit (mid-broadcast, mid-signing).
    killed = mid_run = 0
    for i in range(KILLS * 4):
        if killed >= KILLS or _paid(w.states()) >= ROWS:
            break
        proxy.enabled = i % 4 == 3
        argv, env = w.argv(*base, url=proxy.url)
        seen = _paid(w.states())
        with (w.logs / f"{i}.err").open("w") as err:
            p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
            if i % 3 != 2:
                deadline = time.monotonic() + rng.uniform(0.1, 1.2) * start
                while p.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.005)
            else:
                deadline = time.monotonic() + 120
                while p.poll() is None and _paid(w.states()) == seen and time.monotonic() < deadline:
                    time.sleep(0.003)
                time.sleep(rng.uniform(0, 0.04))
            if p.poll() is None:
                p.kill()
            rc = p.wait()
        if rc not in (-9, 0, 4, 5):
            pytest.fail(f"attempt {i} exited {rc}: {(w.logs / f'{i}.err').read_text()[-2000:]}")
        now = _paid(w.states())
        if rc == -9:
            killed += 1
            mid_run += 0 < now < ROWS
    assert killed >= KILLS

    for _ in range(6):                                  # plain reruns finish the run
        done = w.run(*base, *([] if kit.family == "btc" else ["--wait"]))
        if done.returncode == 0:
            break
        assert done.returncode in (4, 5), done.stderr
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    if kit.family == "btc":
        btc.mine(kit.url, 1)
    assert report["rows"] == ROWS and report["conflicts"] == []

    got = {a: kit.balance(a) for a in recipients}
    assert got == expect, f"{sum(1 for a in recipients if got[a] != expect[a])} recipients are off"
    if kit.family == "evm":
        assert int(anvil.rpc(kit.url, "eth_getTransactionCount", [sender, "latest"]), 16) == planned == ROWS
    elif kit.family == "sol":
        assert before - kit.balance(sender) == sum(expect.values()) + 5000 * planned
    else:
        txids = {t for a in recipients for _v, t in _outputs_to(kit.url, a)}
        assert len(txids) == planned == ROWS // 20
    assert mid_run >= 3, f"only {mid_run} of {killed} kills landed mid-run"
    assert sum(proxy.counts[k] for k in ("drop", "error")) > 0, proxy.counts
