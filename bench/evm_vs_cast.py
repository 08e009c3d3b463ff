"""Benchmark: our EVM send/balance path against Foundry's cast, on one local anvil.

Each measured "command" is a function that runs exactly one operation, so a side can be switched
from the in-process adapter path to the real CLI (`wallet send --no-wait --yes ...` as a subprocess)
by replacing one function. Sends are sequential native transfers of 1 wei from a funded throwaway
key. Prints one JSON object (per-command medians in milliseconds, and ratios) and writes it to
bench/results/evm_vs_cast.json.

    .venv/bin/python bench/evm_vs_cast.py [--n 20]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chains.base import Account, Amount, Signer, Transfer  # noqa: E402
from chains.evm import Adapter  # noqa: E402
from chains.networks import get_network  # noqa: E402
from devnet import anvil  # noqa: E402

PY = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").exists() else sys.executable

# A subprocess that does what `wallet send` will do minus the vault: import, build, sign, broadcast.
# The throwaway devnet key comes through the environment, never argv.
_SUBPROCESS_SEND = """
import os, dataclasses
from chains.base import Account, Amount, Signer, Transfer
from chains.evm import Adapter
from chains.networks import get_network
net = dataclasses.replace(get_network("local-evm"), rpc_url=os.environ["BENCH_URL"])
key = bytes.fromhex(os.environ["BENCH_KEY"])
sender = os.environ["BENCH_FROM"]
ad = Adapter(net)
t = Transfer(net, Account("evm", None, None, sender, ""), os.environ["BENCH_TO"], Amount(1, 18, "ETH"))
print(ad.broadcast(ad.sign(ad.build_transfer(t), Signer("evm", sender, key))))
"""
_SUBPROCESS_BALANCE = """
import os, dataclasses
from chains.base import Account
from chains.evm import Adapter
from chains.networks import get_network
net = dataclasses.replace(get_network("local-evm"), rpc_url=os.environ["BENCH_URL"])
print(Adapter(net).balance(Account("evm", None, None, os.environ["BENCH_TO"], "")).value)
"""


def _key() -> tuple[bytes, str]:
    from eth_account import Account as EthAccount

    key = secrets.token_bytes(32)
    return key, str(EthAccount.from_key(key).address)


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    out = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env, cwd=REPO)
    if out.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {out.stderr.strip()[-300:]}")
    return out.stdout


class Bench:
    def __init__(self, url: str) -> None:
        self.url = url
        self.net = __import__("dataclasses").replace(get_network("local-evm"), rpc_url=url)
        self.to = _key()[1]
        self.ours_key, self.ours_addr = _key()
        self.cast_key, self.cast_addr = _key()
        for addr in (self.ours_addr, self.cast_addr):
            anvil.fund(url, addr, 10**18)
        self.cast = anvil.find_cast()
        self.env = {**os.environ, "BENCH_URL": url, "BENCH_KEY": self.ours_key.hex(),
                    "BENCH_FROM": self.ours_addr, "BENCH_TO": self.to, "PYTHONPATH": str(REPO)}

    # ---- one command each --------------------------------------------------------------------

    def ours_send_inprocess(self) -> None:
        ad = Adapter(self.net)
        t = Transfer(self.net, Account("evm", None, None, self.ours_addr, ""), self.to, Amount(1, 18, "ETH"))
        ad.broadcast(ad.sign(ad.build_transfer(t), Signer("evm", self.ours_addr, self.ours_key)))

    def ours_send_subprocess(self) -> None:
        _run([PY, "-c", _SUBPROCESS_SEND], self.env)

    def cast_send(self) -> None:
        _run([self.cast, "send", "--async", "--private-key", "0x" + self.cast_key.hex(), "--rpc-url", self.url,
              self.to, "--value", "1"])

    def ours_balance_inprocess(self) -> None:
        Adapter(self.net).balance(Account("evm", None, None, self.to, ""))

    def ours_balance_subprocess(self) -> None:
        _run([PY, "-c", _SUBPROCESS_BALANCE], self.env)

    def cast_balance(self) -> None:
        _run([self.cast, "balance", self.to, "--rpc-url", self.url])

    def python_bare(self) -> None:
        _run([PY, "-c", "pass"])

    def import_chains_evm(self) -> None:
        _run([PY, "-c", "import chains.evm"], self.env)

    def import_send_stack(self) -> None:
        # What a send really loads: the adapter imports web3 and eth-account lazily on first use.
        _run([PY, "-c", "import chains.evm, chains.evm_rpc, web3, eth_account"], self.env)


def timed(fn: Callable[[], None], n: int) -> list[float]:
    fn()  # warm-up: disk cache and first-connection costs are not what we compare
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20)
    args = ap.parse_args()
    with anvil.Sandbox() as sb:
        b = Bench(sb.url)
        commands = ["ours_send_inprocess", "ours_send_subprocess", "cast_send", "ours_balance_inprocess",
                    "ours_balance_subprocess", "cast_balance", "python_bare", "import_chains_evm",
                    "import_send_stack"]
        samples = {c: timed(getattr(b, c), args.n) for c in commands}
        sent = int(anvil.rpc(sb.url, "eth_getTransactionCount", [b.ours_addr, "latest"]), 16)
    med = {c: round(statistics.median(v), 2) for c, v in samples.items()}
    result: dict[str, Any] = {
        "benchmark": "evm_vs_cast", "n": args.n, "unit": "ms (median)",
        "anvil": _run([anvil.find_anvil(), "--version"]).splitlines()[0],
        "medians_ms": med,
        "p90_ms": {c: round(statistics.quantiles(v, n=10)[-1], 2) for c, v in samples.items()},
        "ratios": {
            "send_subprocess_ours_over_cast": round(med["ours_send_subprocess"] / med["cast_send"], 2),
            "send_inprocess_ours_over_cast": round(med["ours_send_inprocess"] / med["cast_send"], 2),
            "balance_subprocess_ours_over_cast": round(med["ours_balance_subprocess"] / med["cast_balance"], 2),
            "balance_inprocess_ours_over_cast": round(med["ours_balance_inprocess"] / med["cast_balance"], 2),
        },
        "import_overhead_ms": {
            "chains_evm_over_bare_python": round(med["import_chains_evm"] - med["python_bare"], 2),
            "send_stack_over_bare_python": round(med["import_send_stack"] - med["python_bare"], 2),
        },
        "our_sends_confirmed": sent,
    }
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "evm_vs_cast.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
