"""Benchmark: `wallet pay` end to end on local chains, against cast and anvil's own ingest rate.

    .venv/bin/python bench/payouts.py [--rows 1000] [--cast-n 50] [--big 10000]

EVM (one anvil; after funding, automine is off, so every transaction stays in the pool):
  - `wallet --json --yes pay FILE` of ROWS native rows and of ROWS ERC-20 rows, each to fresh recipients, as
    fresh processes in a throwaway home (test KDF: the KDF is excluded). rows/s = rows / (pay wall time minus
    a `wallet --json accounts list` run in the same home), i.e. without the CLI's start-up.
  - a loop of CAST_N `cast send --async` native sends (cast has no batch send), extrapolated per row;
  - anvil's ingest rate: ROWS pre-signed transactions from another account in one JSON-RPC batch.
SOL: ROWS native rows on the LiteSVM sandbox, the same way.
BTC: a ROWS-output payout built and signed in process (BDK), then verified by the regtest sandbox.
RSS: peak RSS of `wallet pay` processes of ROWS and BIG native EVM rows.
Prints one JSON object and writes it to bench/results/payouts.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.harness import PY, cpu_model, private_file, wallet_env  # noqa: E402
from devnet import anvil, sol_sandbox  # noqa: E402

PASSWORD = "bench password"
_RSS = "import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); " \
       "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)"


class Home:
    def __init__(self, root: Path, **env: str) -> None:
        self.home = root / "home"
        self.pw = private_file(root / "pw", PASSWORD + "\n")
        self.env = wallet_env(self.home, **env)

    def argv(self, *args: str) -> list[str]:
        return [PY, "-m", "wallet_cli", "--password-file", str(self.pw), *args]

    def run(self, *args: str) -> tuple[float, str]:
        t0 = time.perf_counter()
        p = subprocess.run(self.argv(*args), capture_output=True, text=True, env=self.env, timeout=600)
        took = time.perf_counter() - t0
        if p.returncode != 0:
            raise RuntimeError(f"wallet {' '.join(args[:3])} failed ({p.returncode}): {p.stderr[-600:]}")
        return took, p.stdout

    def init(self) -> dict[str, str]:
        _, out = self.run("--json", "init", "--mnemonic-out", str(self.home.parent / "m.txt"))
        return {a["ref"]: a["address"] for a in json.loads(out)["accounts"]}

    def startup(self) -> float:
        self.run("--json", "accounts", "list")
        return statistics.median(self.run("--json", "accounts", "list")[0] for _ in range(3))

    def rss_kb(self, *args: str) -> int:
        p = subprocess.run([PY, "-c", _RSS, *self.argv(*args)], capture_output=True, text=True, env=self.env,
                           timeout=900)
        kb, code = p.stdout.split()
        if code != "0":
            raise RuntimeError(f"wallet pay failed under the RSS probe: {p.stderr[-400:]}")
        return int(kb)


def _csv(path: Path, addresses: list[str], amount: str, token: str | None = None) -> Path:
    lines = ["to,amount" + (",token" if token else "")]
    lines += [f"{a},{amount}" + (f",{token}" if token else "") for a in addresses]
    path.write_text("\n".join(lines) + "\n")
    return path


def _evm_addresses(n: int) -> list[str]:
    from keystore.addresses import to_checksum_address

    return [to_checksum_address(os.urandom(20)) for _ in range(n)]


def _pay(h: Home, csv: Path, network: str, ref: str, run: str, *extra: str) -> tuple[float, dict[str, Any]]:
    took, out = h.run("--json", "--yes", "pay", str(csv), "--network", network, "--from", ref, "--run", run,
                      *extra)
    return took, json.loads(out)


def bench_evm(tmp: Path, rows: int, cast_n: int, big: int) -> dict[str, Any]:
    with anvil.Sandbox(extra_args=["--accounts", "3"]) as chain:
        h = Home(tmp, WALLET_RPC_LOCAL_EVM=chain.url)
        sender = h.init()["evm:0"]
        anvil.rpc(chain.url, "anvil_setBalance", [sender, hex(10**6 * 10**18)])
        token = anvil.deploy_token(chain.url, "Bench Token", "BT", 6, 10**15, sender)
        anvil.rpc(chain.url, "evm_setAutomine", [False])      # from here on, everything stays in the pool
        start = h.startup()
        native_t, native = _pay(h, _csv(tmp / "n.csv", _evm_addresses(rows), "0.0001"), "local-evm", "evm:0", "n")
        token_t, tok = _pay(h, _csv(tmp / "t.csv", _evm_addresses(rows), "1.5", token), "local-evm", "evm:0", "t")
        assert native["states"].get("inflight") == rows and tok["states"].get("inflight") == rows, (native, tok)
        pending = int(anvil.rpc(chain.url, "eth_getTransactionCount", [sender, "pending"]), 16)
        assert pending >= 2 * rows, pending
        ingest = _anvil_ingest(chain.url, rows)
        cast = _cast_loop(chain.url, cast_n)
        rss = {str(n): h.rss_kb("--json", "--yes", "pay", str(_csv(tmp / f"r{n}.csv", _evm_addresses(n), "0.00001")),
                                "--network", "local-evm", "--from", "evm:0", "--run", f"rss{n}") for n in (rows, big)}
    print(json.dumps({"evm_native_s": native_t, "evm_erc20_s": token_t, "startup_s": start}), file=sys.stderr)
    native_rate = rows / (native_t - start)
    token_rate = rows / (token_t - start)
    return {"startup_s": round(start, 3),
            "native": {"rows": rows, "wall_s": round(native_t, 3), "rows_per_s": round(native_rate)},
            "erc20": {"rows": rows, "wall_s": round(token_t, 3), "rows_per_s": round(token_rate)},
            "anvil_ingest_tx_per_s": round(ingest), "cast_send_async": cast,
            "share_of_anvil_ingest": {"native": round(native_rate / ingest, 2), "erc20": round(token_rate / ingest, 2)},
            "peak_rss_kb": rss}


def _anvil_ingest(url: str, n: int) -> float:
    """n pre-signed native transfers from anvil's dev account 2, sent as one JSON-RPC batch."""
    from chains.evm.fees import Fees
    from chains.evm.rpc import Rpc
    from keystore import hd
    from wallet_cli.payouts.evm_signer import FastSigner

    seed = hd.seed_from_mnemonic("test test test test test test test test test test test junk", "")
    key = hd.derive_private(seed, "evm", "m/44'/60'/0'/0/2")
    rpc = Rpc(url, 120)
    base = int(rpc.call("eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
    signer = FastSigner(key, 31337, Fees(base * 2 + 10**9, 10**9))
    sender = "0x" + signer.address_bytes.hex()
    nonce = int(rpc.call("eth_getTransactionCount", sender, "pending"), 16)
    raws = [signer.sign(nonce + i, os.urandom(20), 10**12, b"", 21_000)[0] for i in range(n)]
    t0 = time.perf_counter()
    replies = rpc.batch([("eth_sendRawTransaction", [r]) for r in raws])
    took = time.perf_counter() - t0
    assert all(isinstance(r, str) for r in replies), [r for r in replies if not isinstance(r, str)][:2]
    return n / took


def _cast_loop(url: str, n: int) -> dict[str, Any]:
    """cast's nonce lookup does not see the pool here (automine is off), so each send gets --nonce."""
    cast = anvil.find_cast()
    dev1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"           # anvil's dev account 1
    with tempfile.TemporaryDirectory() as d:
        mfile = private_file(Path(d) / "m", "test test test test test test test test test test test junk\n")
        to = _evm_addresses(n + 1)
        argv = [cast, "send", "--async", "--rpc-url", url, "--mnemonic", str(mfile), "--mnemonic-index", "1"]
        nonce = int(anvil.rpc(url, "eth_getTransactionCount", [dev1, "pending"]), 16)

        def send(a: str, k: int) -> None:
            p = subprocess.run([*argv, "--nonce", str(k), a, "--value", "1000000000000"], capture_output=True,
                               text=True, timeout=60)
            if p.returncode != 0:
                raise RuntimeError(f"cast send failed: {p.stderr[-300:]}")

        send(to[0], nonce)                                             # warm-up
        t0 = time.perf_counter()
        for i, a in enumerate(to[1:]):
            send(a, nonce + 1 + i)
        took = time.perf_counter() - t0
    return {"sends": n, "wall_s": round(took, 3), "rows_per_s": round(n / took, 1),
            "extrapolated_1000_rows_s": round(took / n * 1000, 1)}


def bench_sol(tmp: Path, rows: int) -> dict[str, Any]:
    from solders.keypair import Keypair

    with sol_sandbox.Sandbox() as sb:
        h = Home(tmp, WALLET_RPC_LOCAL_SOL=sb.url)
        sender = h.init()["sol:0"]
        sol_sandbox.fund(sb.url, sender, 1000 * 10**9)
        start = h.startup()
        to = [str(Keypair().pubkey()) for _ in range(rows)]
        took, rep = _pay(h, _csv(tmp / "s.csv", to, "0.001"), "local-sol", "sol:0", "s")
        assert rep["states"] == {"confirmed": rows} or rep["states"].get("inflight", 0) + rep["states"].get(
            "confirmed", 0) == rows, rep
    return {"rows": rows, "transactions": rep["transactions"], "wall_s": round(took, 3),
            "startup_s": round(start, 3), "rows_per_s": round(rows / (took - start))}


def bench_btc(rows: int) -> dict[str, Any]:
    from bench.harness import regtest_bip84_account
    from chains.base import Amount, FeeOptions, Signer
    from chains.bitcoin import Adapter
    from chains.networks import get_network
    from devnet.btc_sandbox import Sandbox
    from wallet_cli.payouts import plan as plan_mod
    from wallet_cli.payouts.btc import BtcPayout
    from wallet_cli.payouts.csvfile import RawRow

    account, addresses, xprv = regtest_bip84_account(rows + 10)
    with Sandbox() as sb, tempfile.TemporaryDirectory() as d:
        sb.fund_many([(addresses[0], 10**8)] * 3)
        network = dataclasses.replace(get_network("local-btc"), rpc_url=sb.url)
        adapter = Adapter(network, d)
        adapter.balance(account)                              # first full scan: not part of the figure
        raw = [RawRow(i + 2, addresses[1 + i % (rows + 5)], "0.0001", None, f"r{i}", None) for i in range(rows)]
        p = plan_mod.build(raw, network, adapter, account.address, default_token=None, contact=lambda _n: None,
                           allow_duplicates=False, known=set())
        driver = BtcPayout(network, account, adapter, FeeOptions(fee_rate=2), max_outputs=rows)
        t0 = time.perf_counter()
        driver.prepare(p, p.rows, 0)                          # includes an incremental sync
        t1 = time.perf_counter()
        chunk = next(driver.sign_chunks(p.rows, Signer("btc", addresses[0], xprv=xprv, path=account.path)))
        t2 = time.perf_counter()
        txid = sb.submit(chunk[0].raw)                         # libbitcoinkernel verifies every input
        assert txid == chunk[0].txid
    fee = Amount(int(chunk[0].meta["fee_sat"]), 8, "BTC")
    return {"outputs": rows, "prepare_with_sync_s": round(t1 - t0, 3), "build_and_sign_s": round(t2 - t1, 3),
            "tx_bytes": len(chunk[0].raw) // 2, "fee": fee.plain(), "accepted_by_sandbox": True}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--cast-n", type=int, default=50)
    ap.add_argument("--big", type=int, default=10_000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as t1, tempfile.TemporaryDirectory() as t2:
        out = {"cpu": cpu_model(), "cores": os.cpu_count(), "python": sys.version.split()[0],
               "evm": bench_evm(Path(t1), a.rows, a.cast_n, a.big), "sol": bench_sol(Path(t2), a.rows),
               "btc": bench_btc(a.rows)}
    out["self_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    text = json.dumps(out, indent=2)
    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "payouts.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
