"""Benchmark: `wallet portfolio` over accounts x networks on the local sandboxes, counting the RPC calls.

anvil and the LiteSVM sandbox sit behind a counting loopback proxy (HTTP requests and JSON-RPC calls,
a batch counting each call); the regtest Esplora sandbox logs its own requests. Prints one JSON object.
Usage: .venv/bin/python bench/portfolio.py [--accounts N]
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["WALLET_INSECURE_TEST_KDF"] = "1"

import devnet.btc_sandbox as btc  # noqa: E402
from devnet import anvil, sol_sandbox  # noqa: E402


class Counter(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        self.upstream, self.http, self.calls = upstream, 0, 0
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(h) -> None:  # noqa: N802
                body = h.rfile.read(int(h.headers["Content-Length"]))
                payload = json.loads(body)
                with owner.lock:
                    owner.http += 1
                    owner.calls += len(payload) if isinstance(payload, list) else 1
                req = urllib.request.Request(owner.upstream, body,  # noqa: S310 - loopback
                                             {"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback
                    reply = resp.read()
                h.send_response(200)
                h.send_header("Content-Type", "application/json")
                h.send_header("Content-Length", str(len(reply)))
                h.end_headers()
                h.wfile.write(reply)

            def log_message(h, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def cli(home: Path, *args: str) -> tuple[int, str]:
    from wallet_cli import session
    from wallet_cli.main import main

    session._unlocked.clear()
    out = StringIO()
    with redirect_stdout(out):
        code = main(["--home", str(home), "--password-file", str(home.parent / "pw"), *args])
    return code, out.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=10, help="accounts per family")
    n = ap.parse_args().accounts
    with anvil.Sandbox() as evm, sol_sandbox.Sandbox() as sol, btc.Sandbox(log_requests=True) as bt, \
            tempfile.TemporaryDirectory() as tmp:
        ce, cs = Counter(evm.url), Counter(sol.url)
        os.environ.update({"WALLET_RPC_LOCAL_EVM": ce.url, "WALLET_RPC_LOCAL_SOL": cs.url,
                           "WALLET_RPC_LOCAL_BTC": bt.url})
        home = Path(tmp) / "home"
        (Path(tmp) / "pw").write_text("bench password\n")
        (Path(tmp) / "pw").chmod(0o600)
        cli(home, "init", "--mnemonic-out", str(Path(tmp) / "m.txt"))
        for fam in ("evm", "sol", "btc"):
            if n > 1:
                cli(home, "accounts", "derive", "--chain", fam, "--count", str(n - 1))
        usdt = anvil.deploy_token(evm.url, "Tether", "USDT", 6, 10**12, "0x" + "11" * 20)
        usdc = anvil.deploy_token(evm.url, "USD Coin", "USDC", 6, 10**12, "0x" + "11" * 20)
        cli(home, "tokens", "add", "local-evm", f"USDT={usdt}:6")
        cli(home, "tokens", "add", "local-evm", f"USDC={usdc}:6")
        nets = ["-n", "local-evm", "-n", "local-sol", "-n", "local-btc"]
        runs = []
        for label in ("first (btc full scan)", "second (btc incremental sync)"):
            ce.http = ce.calls = cs.http = cs.calls = 0
            bt.requests.clear()
            t0 = time.perf_counter()
            code, out = cli(home, "--json", "portfolio", *nets)
            seconds = time.perf_counter() - t0
            data = json.loads(out)
            runs.append({"run": label, "exit": code, "seconds": round(seconds, 3),
                         "per_network_seconds": {x["name"]: x["seconds"] for x in data["networks"]},
                         "nonzero_balances": len(data["balances"]),
                         "rpc": {"local-evm": {"http_requests": ce.http, "json_rpc_calls": ce.calls},
                                 "local-sol": {"http_requests": cs.http, "json_rpc_calls": cs.calls},
                                 "local-btc": {"http_requests": len(bt.requests)}}})
        print(json.dumps({"bench": "portfolio", "accounts_per_family": n, "networks": 3,
                          "evm_tokens": 2, "account_network_pairs": 3 * n, "runs": runs}))


if __name__ == "__main__":
    main()
