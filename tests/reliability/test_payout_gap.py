"""One row's transaction answered with an error in the middle of a batch (EVM): the run stops naming it,
nothing is re-signed, and the rerun settles it from the node: re-sent if the node never got it (the nonce
gap fills and the later rows land), or found landed if the error came after the node accepted it.

The proxy edits the JSON-RPC batch between the wallet and a real anvil: for the 7th eth_sendRawTransaction
of the first batch it either withholds it from the node ("lost") or forwards it ("after"); either way the
wallet gets a -32603 "upstream request timeout" error for it, which proves nothing about the chain.
"""

from __future__ import annotations

import http.client
import http.server
import json
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devnet import anvil
from tests.reliability.test_payout_kill import evm_run

VICTIM = 6


class BatchEditor:
    def __init__(self, upstream: str, mode: str) -> None:
        self.up = urllib.parse.urlsplit(upstream)
        self.mode = mode
        self.done = False
        editor = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                out = json.dumps(editor.exchange(body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _forward(self, body: Any) -> Any:
        c = http.client.HTTPConnection(self.up.hostname, self.up.port, timeout=60)
        try:
            c.request("POST", "/", json.dumps(body), {"Content-Type": "application/json"})
            return json.loads(c.getresponse().read())
        finally:
            c.close()

    def exchange(self, body: Any) -> Any:
        sends = [r for r in body if r.get("method") == "eth_sendRawTransaction"] if isinstance(body, list) else []
        if self.done or len(sends) <= VICTIM:
            return self._forward(body)
        self.done = True
        victim = sends[VICTIM]
        forwarded = body if self.mode == "after" else [r for r in body if r is not victim]
        replies = self._forward(forwarded)
        error = {"jsonrpc": "2.0", "id": victim["id"], "error": {"code": -32603, "message": "upstream request timeout"}}
        extra = [] if self.mode == "after" else [error]
        return [error if r.get("id") == victim["id"] else r for r in replies] + extra

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _mined(url: str, sender: str, want: int, timeout: float = 20.0) -> bool:
    """Whether the sender's mined count reaches `want` (anvil may mine a batch after it answered, under load)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        n = int(anvil.rpc(url, "eth_getTransactionCount", [sender, "latest"]), 16)
        if n >= want or time.monotonic() > deadline:
            return n == want
        time.sleep(0.1)


@pytest.fixture(scope="module")
def chain() -> Iterator[anvil.Sandbox]:
    with anvil.Sandbox() as sb:
        yield sb


@pytest.mark.parametrize("mode", ["lost", "after"])
def test_error_for_one_row_stops_the_run_and_the_rerun_settles_it(chain: anvil.Sandbox, tmp_path: Path,
                                                                  mode: str) -> None:
    run = evm_run(tmp_path, chain.url, 12, "0.01")
    w, kit, sender, to, base = run.wallet, run.kit, run.sender, run.to, run.base
    editor = BatchEditor(chain.url, mode)
    try:
        argv, env = w.argv(*base, url=editor.url)
        first = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    finally:
        editor.close()
    assert first.returncode == 4, first.stderr
    rep = json.loads(first.stdout)
    assert rep["transactions"] == 12 and rep["refused"][0]["line"] == VICTIM + 2
    assert "upstream request timeout" in first.stderr
    assert _mined(chain.url, sender, 12 if mode == "after" else VICTIM)  # "lost": a gap, later rows wait

    again = w.run(*base, "--wait")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["transactions"] == 12        # settled, not re-signed
    assert int(anvil.rpc(chain.url, "eth_getTransactionCount", [sender, "latest"]), 16) == 12
    assert [kit.balance(a) for a in to] == [10**16] * 12


def test_lost_row_repaid_once_its_nonce_is_used_by_another_transaction(chain: anvil.Sandbox,
                                                                       tmp_path: Path) -> None:
    run = evm_run(tmp_path, chain.url, 12, "0.01")
    w, kit, sender, to, base = run.wallet, run.kit, run.sender, run.to, run.base
    editor = BatchEditor(chain.url, "lost")
    try:
        argv, env = w.argv(*base, url=editor.url)
        assert subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120).returncode == 4
    finally:
        editor.close()
    other = kit.make_address()                  # the user spends the missing nonce on something else
    sent = w.run("--json", "--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", other,
                 "--amount", "0.5", "--nonce", str(VICTIM))
    assert sent.returncode == 0, sent.stderr
    done = w.run(*base, "--wait")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["transactions"] == 13             # the dropped one, and its row paid anew
    assert [kit.balance(a) for a in to] == [10**16] * 12 and kit.balance(other) == 5 * 10**17
    assert int(anvil.rpc(chain.url, "eth_getTransactionCount", [sender, "latest"]), 16) == 13
