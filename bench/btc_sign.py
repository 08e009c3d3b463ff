"""Benchmark: build and sign a transaction spending 200 inputs (target under 2 s), then have the sandbox
verify all 200 inputs with libbitcoinkernel. Prints one JSON object."""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import regtest_bip84_account  # noqa: E402
from chains.base import FeeOptions, Signer, Transfer  # noqa: E402
from chains.bitcoin import Adapter  # noqa: E402
from chains.networks import get_network  # noqa: E402
from devnet.btc_sandbox import Sandbox  # noqa: E402

INPUTS = 200
PER_TX = 25
SATS = 20_000


def main() -> None:
    account, addresses, xprv = regtest_bip84_account(INPUTS + 51)
    signer = Signer("btc", addresses[0], xprv=xprv, path=account.path)
    with Sandbox() as sb, tempfile.TemporaryDirectory() as tmp:
        for i in range(0, INPUTS, PER_TX):
            sb.fund_many([(a, SATS) for a in addresses[i:i + PER_TX]])
        network = dataclasses.replace(get_network("local-btc"), rpc_url=sb.url)
        adapter = Adapter(network, tmp)
        adapter.balance(account)                                  # the first full scan is not part of this figure
        sweep_to = addresses[INPUTS + 50]
        transfer = Transfer(network, account, sweep_to, None, fees=FeeOptions(fee_rate=2))  # type: ignore[arg-type]
        t0 = time.perf_counter()
        unsigned = adapter.build_transfer(transfer)               # includes an incremental sync
        t1 = time.perf_counter()
        signed = adapter.sign(unsigned, signer)
        t2 = time.perf_counter()
        adapter.broadcast(signed)                                 # 200 inputs through libbitcoinkernel
        t3 = time.perf_counter()
    print(json.dumps({
        "benchmark": "btc_sign", "inputs": unsigned.payload["inputs"], "vsize": signed.payload["vsize"],
        "build_seconds": round(t1 - t0, 3), "sign_seconds": round(t2 - t1, 3),
        "build_and_sign_seconds": round(t2 - t0, 3), "target_seconds": 2, "within_target": (t2 - t0) < 2,
        "sandbox_verify_seconds": round(t3 - t2, 3),
    }))


if __name__ == "__main__":
    main()
