"""Benchmark: build and sign a transaction spending 200 inputs (target under 2 s), then have the sandbox
verify all 200 inputs with libbitcoinkernel. Prints one JSON object."""

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

from chains.base import Account, FeeOptions, Signer, Transfer  # noqa: E402
from chains.bitcoin import Adapter  # noqa: E402
from chains.networks import get_network  # noqa: E402
from devnet.btc_sandbox import Sandbox  # noqa: E402

INPUTS = 200
PER_TX = 25
SATS = 20_000


def main() -> None:
    mnemonic = str(Bip39MnemonicGenerator().FromEntropy(secrets.token_bytes(16)))
    seed = Bip39SeedGenerator(mnemonic).Generate()
    acct = Bip84.FromSeed(seed, Bip84Coins.BITCOIN_REGTEST).Purpose().Coin().Account(0)
    ext = acct.Change(Bip44Changes.CHAIN_EXT)
    addresses = [ext.AddressIndex(i).PublicKey().ToAddress() for i in range(INPUTS)]
    account = Account(chain="btc", index=0, path="m/84'/1'/0'", address=addresses[0], public_key="",
                      xpubs={"test": acct.PublicKey().ToExtended()})
    signer = Signer("btc", addresses[0], xprv=acct.PrivateKey().ToExtended(), path=account.path)
    with Sandbox() as sb, tempfile.TemporaryDirectory() as tmp:
        for i in range(0, INPUTS, PER_TX):
            sb.fund_many([(a, SATS) for a in addresses[i:i + PER_TX]])
        network = dataclasses.replace(get_network("local-btc"), rpc_url=sb.url)
        adapter = Adapter(network, tmp)
        adapter.balance(account)                                  # the first full scan is not part of this figure
        sweep_to = ext.AddressIndex(INPUTS + 50).PublicKey().ToAddress()
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
