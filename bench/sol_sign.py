"""Benchmark: sign 1,000 SOL transfers offline, and time one build+sign+broadcast on the sandbox.

Prints one JSON object. Run: .venv/bin/python bench/sol_sign.py
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solders.keypair import Keypair  # noqa: E402

from chains.base import Account, Amount, Signer, Transfer  # noqa: E402
from chains.networks import get_network  # noqa: E402
from chains.solana import Adapter  # noqa: E402
from devnet import sol_sandbox  # noqa: E402

N = 1_000


def main() -> None:
    seed = os.urandom(32)
    kp = Keypair.from_seed(seed)
    addr = str(kp.pubkey())
    account = Account("sol", 0, None, addr, bytes(kp.pubkey()).hex())
    signer = Signer("sol", addr, seed)
    with sol_sandbox.Sandbox() as sb:
        network = dataclasses.replace(get_network("local-sol"), rpc_url=sb.url)
        adapter = Adapter(network)
        sol_sandbox.fund(sb.url, addr, 10 * 10**9)
        blockhash = adapter.rpc.get_latest_blockhash()[0]
        recipients = [str(Keypair().pubkey()) for _ in range(N)]
        offline = Adapter(dataclasses.replace(network, rpc_url=""))
        unsigned = [offline.build_offline(Transfer(network, account, r, Amount(1_000_000, 9, "SOL")), blockhash)
                    for r in recipients]
        t0 = time.perf_counter()
        signed = [offline.sign(u, signer) for u in unsigned]
        sign_s = time.perf_counter() - t0
        assert len({s.txid for s in signed}) == N

        t0 = time.perf_counter()
        u = adapter.build_transfer(Transfer(network, account, recipients[0], Amount(1_000_000, 9, "SOL")))
        t_build = time.perf_counter() - t0
        s = adapter.sign(u, signer)
        t_sign = time.perf_counter() - t0 - t_build
        adapter.broadcast(s)
        st = adapter.wait(s.txid, timeout=10)
        t_total = time.perf_counter() - t0
    print(json.dumps({
        "benchmark": "sol_sign",
        "transfers_signed": N,
        "sign_seconds": round(sign_s, 4),
        "signs_per_second": round(N / sign_s),
        "target_seconds": 1.0,
        "within_target": sign_s < 1.0,
        "online_build_s": round(t_build, 4),
        "online_sign_s": round(t_sign, 5),
        "online_build_sign_broadcast_confirm_s": round(t_total, 4),
        "online_state": st.state,
    }))


if __name__ == "__main__":
    main()
