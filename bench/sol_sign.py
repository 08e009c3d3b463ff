"""Benchmark: sign 1,000 SOL transfers offline; time one build+sign+broadcast on the sandbox; and the
wall time of one `wallet --json --yes send ... --no-wait` process against the sandbox (median of 10),
with the KDF excluded: the wallet runs with WALLET_INSECURE_TEST_KDF=1 (Argon2id ~1 ms).

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

from bench.harness import PASSWORD, PY, median_ms, private_file, run, wallet_env  # noqa: E402
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
        cli_ms = _cli_send_ms(sb.url)
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
        "cli_send_no_wait_median_ms": cli_ms,
        "cli_send_target_ms": 1000,
        "kdf_excluded": "WALLET_INSECURE_TEST_KDF=1 for the wallet process",
    }))


def _cli_send_ms(url: str, runs: int = 10) -> float:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pw = private_file(tmp / "pw", PASSWORD + "\n")
        env = wallet_env(tmp / "home", WALLET_RPC_LOCAL_SOL=url)
        run([PY, "-m", "wallet_cli", "--password-file", str(pw), "init", "--mnemonic-out", str(tmp / "m")], env)
        run([PY, "-m", "wallet_cli", "devnet", "fund", "sol:0", "--amount", "5", "--network", "local-sol"], env)
        to = str(Keypair().pubkey())
        sol_sandbox.fund(url, to, 10**9)  # an existing account, so 0.001 SOL is above rent concerns
        argv = [PY, "-m", "wallet_cli", "--json", "--yes", "--password-file", str(pw), "send", "--network",
                "local-sol", "--from", "sol:0", "--to", to, "--amount", "0.001", "--no-wait"]
        return median_ms(argv, env, runs, check='"txid"')


if __name__ == "__main__":
    main()
