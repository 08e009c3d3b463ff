"""Benchmark: full scan (stop gap 20) of a BIP84 account with 500 used addresses against the sandbox.

Prints one JSON object. Target: under 10 s for the scan.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bip_utils import Bip39MnemonicGenerator, Bip39SeedGenerator, Bip44Changes, Bip84, Bip84Coins  # noqa: E402

from chains.base import Account  # noqa: E402
from chains.bitcoin import Adapter  # noqa: E402
from chains.networks import get_network  # noqa: E402
from devnet.btc_sandbox import Sandbox  # noqa: E402

USED = 500
PER_TX = 25
SATS = 10_000


def main() -> None:
    mnemonic = str(Bip39MnemonicGenerator().FromEntropy(secrets.token_bytes(16)))
    seed = Bip39SeedGenerator(mnemonic).Generate()
    acct = Bip84.FromSeed(seed, Bip84Coins.BITCOIN_REGTEST).Purpose().Coin().Account(0)
    ext = acct.Change(Bip44Changes.CHAIN_EXT)
    addresses = [ext.AddressIndex(i).PublicKey().ToAddress() for i in range(USED)]
    account = Account(chain="btc", index=0, path="m/84'/1'/0'", address=addresses[0], public_key="",
                      xpubs={"test": acct.PublicKey().ToExtended()})
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
