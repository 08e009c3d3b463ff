"""Benchmark: full scan (stop gap 20) of a BIP84 account with 500 used addresses against the sandbox.

Prints one JSON object. Target: under 10 s for the scan.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import regtest_bip84_account  # noqa: E402
from chains.bitcoin import Adapter  # noqa: E402
from chains.networks import get_network  # noqa: E402
from devnet.btc_sandbox import Sandbox  # noqa: E402

USED = 500
PER_TX = 25
SATS = 10_000


def main() -> None:
    account, addresses, xprv = regtest_bip84_account(USED)
    with Sandbox(log_requests=True) as sb:
        t0 = time.perf_counter()
        for i in range(0, USED, PER_TX):
            sb.fund_many([(a, SATS) for a in addresses[i:i + PER_TX]])
        setup = time.perf_counter() - t0
        network = dataclasses.replace(get_network("local-btc"), rpc_url=sb.url)
        with tempfile.TemporaryDirectory() as tmp:
            sb.requests.clear()
            t1 = time.perf_counter()
            balance = Adapter(network, tmp).balance(account)      # first use: full scan + persist
            scan = time.perf_counter() - t1
            requests = len(sb.requests)
            t2 = time.perf_counter()
            Adapter(network, tmp).balance(account)                # reopen from SQLite + incremental sync
            resync = time.perf_counter() - t2
    print(json.dumps({
        "benchmark": "btc_scan", "used_addresses": USED, "stop_gap": 20, "http_requests": requests,
        "full_scan_seconds": round(scan, 3), "reopen_and_sync_seconds": round(resync, 3),
        "target_seconds": 10, "within_target": scan < 10, "balance_ok": balance.value == USED * SATS,
        "setup_seconds": round(setup, 3),
    }))


if __name__ == "__main__":
    main()
