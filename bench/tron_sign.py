"""Benchmark: build offline and sign 1,000 TRX transfers; time one online USDT build+sign+broadcast on the
local-tron sandbox; and the wall time of one `wallet --json --yes send ... --no-wait` process against the
sandbox (median of 10), with the KDF excluded (WALLET_INSECURE_TEST_KDF=1).

Prints one JSON object. Run: .venv/bin/python bench/tron_sign.py
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import PASSWORD, PY, median_ms, private_file, run, wallet_env  # noqa: E402
from chains.base import Account, Amount, Signer, Transfer  # noqa: E402
from chains.networks import get_network  # noqa: E402
from chains.tron import Adapter  # noqa: E402
from chains.tron.sign import address_of_key  # noqa: E402
from devnet import tron_sandbox  # noqa: E402

N = 1_000


def main() -> None:
    key = os.urandom(32)
    addr = address_of_key(key)
    account, signer = Account("tron", 0, None, addr, ""), Signer("tron", addr, key)
    with tron_sandbox.Sandbox() as sb:
        network = dataclasses.replace(get_network("local-tron"), rpc_url=sb.url)
        adapter = Adapter(network)
        tron_sandbox.fund(sb.url, addr, 1_000 * 10**6)
        tron_sandbox.mint(sb.url, addr, 1_000 * 10**6)
        head = sb.chain.blocks[-1]
        ref = f"{head['number']}:{head['id']}"
        recipients = [address_of_key(os.urandom(32)) for _ in range(N)]
        offline = Adapter(dataclasses.replace(network, rpc_url=""))
        t0 = time.perf_counter()
        unsigned = [offline.build_offline(Transfer(network, account, r, Amount(1_000_000, 6, "TRX")), ref_block=ref,
                                          expiration_s=600) for r in recipients]
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        signed = [offline.sign(u, signer) for u in unsigned]
        sign_s = time.perf_counter() - t0
        assert len({s.txid for s in signed}) == N

        t0 = time.perf_counter()
        u = adapter.build_transfer(Transfer(network, account, recipients[0], Amount(1_000_000, 6, "USDT"),
                                            tron_sandbox.USDT))
        t_build = time.perf_counter() - t0
        s = adapter.sign(u, signer)
        adapter.broadcast(s)
        st = adapter.wait(s.txid, timeout=10)
        t_total = time.perf_counter() - t0
        cli_ms = _cli_send_ms(sb.url)
    print(json.dumps({
        "benchmark": "tron_sign",
        "transfers": N,
        "offline_build_seconds": round(build_s, 4),
        "sign_seconds": round(sign_s, 4),
        "signs_per_second": round(N / sign_s),
        "online_usdt_build_s": round(t_build, 4),
        "online_usdt_build_sign_broadcast_confirm_s": round(t_total, 4),
        "online_state": st.state,
        "cli_send_no_wait_median_ms": cli_ms,
        "kdf_excluded": "WALLET_INSECURE_TEST_KDF=1 for the wallet process",
    }))


def _cli_send_ms(url: str, runs: int = 10) -> float:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pw = private_file(tmp / "pw", PASSWORD + "\n")
        env = wallet_env(tmp / "home", WALLET_RPC_LOCAL_TRON=url)
        run([PY, "-m", "wallet_cli", "--password-file", str(pw), "init", "--mnemonic-out", str(tmp / "m")], env)
        run([PY, "-m", "wallet_cli", "devnet", "fund", "tron:0", "--amount", "500", "--network", "local-tron"], env)
        to = address_of_key(os.urandom(32))
        tron_sandbox.fund(url, to, 10**6)           # an active account: no activation in the timed sends
        argv = [PY, "-m", "wallet_cli", "--json", "--yes", "--password-file", str(pw), "send", "--network",
                "local-tron", "--from", "tron:0", "--to", to, "--amount", "0.001", "--no-wait"]
        return median_ms(argv, env, runs, check='"txid"')


if __name__ == "__main__":
    main()
