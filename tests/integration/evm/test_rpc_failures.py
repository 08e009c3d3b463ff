"""RPC failures become Unavailable quickly, in one sentence, without retries and without leaking the URL path."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from chains.base import Amount, Transfer
from chains.errors import Unavailable
from chains.evm import Adapter
from devnet.anvil import free_port

from .helpers import local_network, new_wallet


def test_closed_port_is_unavailable_fast():
    ad = Adapter(local_network(f"http://127.0.0.1:{free_port()}/v3/SECRETKEY"))
    alice, bob = new_wallet(), new_wallet()
    t0 = time.monotonic()
    with pytest.raises(Unavailable, match=r"cannot connect to the RPC at http://127\.0\.0\.1:\d+$") as e:
        ad.build_transfer(Transfer(ad.network, alice.account, bob.address, Amount(1, 18, "ETH")))
    assert time.monotonic() - t0 < 1.0   # no retry loop with back-off
    assert "SECRETKEY" not in str(e.value)
    for call in (lambda: ad.balance(alice.account), lambda: ad.status("0x" + "11" * 32)):
        with pytest.raises(Unavailable):
            call()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a hung node."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    srv.close()


def test_hung_node_times_out(silent_server):
    ad = Adapter(local_network(silent_server))
    ad.timeout = 0.5
    t0 = time.monotonic()
    with pytest.raises(Unavailable, match=r"did not answer within 0\.5 s"):
        ad.balance(new_wallet().account)
    assert time.monotonic() - t0 < 2.0


class _Garbage(http.server.BaseHTTPRequestHandler):
    replies: list[tuple[int, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        code, body = self.replies[0]
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def garbage_server() -> Iterator[type[_Garbage]]:
    handler = type("H", (_Garbage,), {"replies": []})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    th.start()
    handler.url = f"http://127.0.0.1:{srv.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    srv.shutdown()
    srv.server_close()
    th.join()


@pytest.mark.parametrize(("code", "body", "match"), [
    (200, b"<html>hello</html>", "not JSON-RPC"),
    (502, b"bad gateway", "HTTP 502"),
    (429, b'{"error":"rate limited"}', "HTTP 429"),
    (200, b'{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"method not found"}}', "method not found"),
    # A reply to another request (a hostile or confused RPC) is refused, never taken as this call's answer.
    (200, b'{"jsonrpc":"2.0","id":999,"result":"0xde0b6b3a7640000"}', "its id differs"),
    (200, b'{"jsonrpc":"2.0","id":0,"error":{"code":-32601,"message":"method not found"}}', "its id differs"),
    (200, b'[' * 100000 + b']' * 100000, "not JSON-RPC"),
])
def test_garbage_answers_are_unavailable(garbage_server, code, body, match):
    garbage_server.replies[:] = [(code, body)]
    ad = Adapter(local_network(garbage_server.url))  # type: ignore[attr-defined]
    with pytest.raises(Unavailable, match=match):
        ad.balance(new_wallet().account)
