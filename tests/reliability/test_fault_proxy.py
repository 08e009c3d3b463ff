"""The fault proxy itself: each mode does what it says, against a tiny upstream that counts requests."""

from __future__ import annotations

import http.client
import http.server
import json
import threading
import time
from collections.abc import Iterator

import pytest

from tests.reliability.fault_proxy import FaultProxy


class _Upstream(http.server.ThreadingHTTPServer):
    """JSON-RPC on POST / (eth_chainId answers 0x7a69, anything else its method name); REST on GET."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        up = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(h) -> None:  # noqa: N802, N805
                doc = json.loads(h.rfile.read(int(h.headers["Content-Length"])))
                items = doc if isinstance(doc, list) else [doc]
                up.seen += [i["method"] for i in items]
                out = [{"jsonrpc": "2.0", "id": i["id"],
                        "result": "0x7a69" if i["method"] == "eth_chainId" else i["method"]} for i in items]
                h._reply(json.dumps(out if isinstance(doc, list) else out[0]).encode())

            def do_GET(h) -> None:  # noqa: N802, N805
                up.seen.append("GET " + h.path)
                h._reply(b"height-0-hash")

            def _reply(h, body: bytes) -> None:  # noqa: N805
                h.send_response(200)
                h.send_header("Content-Length", str(len(body)))
                h.end_headers()
                h.wfile.write(body)

            def log_message(h, *a: object) -> None:  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), H)


@pytest.fixture
def upstream() -> Iterator[_Upstream]:
    srv = _Upstream()
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def post(proxy: FaultProxy, doc: object, timeout: float = 5) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", int(proxy.url.split(":")[2].split("/")[0]), timeout=timeout)
    try:
        conn.request("POST", "/", json.dumps(doc), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def call(method: str, rid: int = 7) -> dict:
    return {"jsonrpc": "2.0", "id": rid, "method": method, "params": []}


def test_pass_and_match_by_method(fault_proxy, upstream) -> None:
    p = fault_proxy(f"http://127.0.0.1:{upstream.server_address[1]}")
    p.set("502", match="eth_sendRawTransaction", times=1)
    assert post(p, call("eth_blockNumber")) == (200, b'{"jsonrpc": "2.0", "id": 7, "result": "eth_blockNumber"}')
    assert post(p, call("eth_sendRawTransaction"))[0] == 502
    assert post(p, call("eth_sendRawTransaction"))[0] == 200      # times=1: the second passes
    assert upstream.seen == ["eth_blockNumber", "eth_sendRawTransaction", "eth_sendRawTransaction"]
    assert (p.requests, p.faulted) == (3, 1)


def test_error_after_forwarding_keeps_the_id(fault_proxy, upstream) -> None:
    p = fault_proxy(f"http://127.0.0.1:{upstream.server_address[1]}")
    p.set("error", code=-32603, message="upstream request timeout")
    status, body = post(p, call("eth_sendRawTransaction", 41))
    assert status == 200 and upstream.seen == ["eth_sendRawTransaction"]
    assert json.loads(body) == {"jsonrpc": "2.0", "id": 41,
                                "error": {"code": -32603, "message": "upstream request timeout"}}


def test_forward_false_never_reaches_upstream(fault_proxy, upstream) -> None:
    p = fault_proxy(f"http://127.0.0.1:{upstream.server_address[1]}")
    p.set("502", forward=False)
    assert post(p, call("eth_sendRawTransaction"))[0] == 502
    assert upstream.seen == []


@pytest.mark.parametrize("mode", ["drop", "reset"])
def test_drop_and_reset_forward_then_answer_nothing(fault_proxy, upstream, mode: str) -> None:
    p = fault_proxy(f"http://127.0.0.1:{upstream.server_address[1]}")
    p.set(mode)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine)):
        post(p, call("eth_sendRawTransaction"))
    assert upstream.seen == ["eth_sendRawTransaction"]


def test_delay_and_slow_body_take_their_time(fault_proxy, upstream) -> None:
    p = fault_proxy(f"http://127.0.0.1:{upstream.server_address[1]}")
    p.set("delay", seconds=0.6)
    t0 = time.monotonic()
    assert post(p, call("eth_blockNumber"))[0] == 200
    assert time.monotonic() - t0 >= 0.6
    p.set("slow_body", interval=0.02)
    t0 = time.monotonic()
    status, body = post(p, call("eth_blockNumber"), timeout=0.5)  # every read is quick, the whole is not
    assert status == 200 and json.loads(body)["result"] == "eth_blockNumber"
    # the last byte goes out before the last pause, so the whole takes (n - 1) pauses
    assert time.monotonic() - t0 >= (len(body) - 1) * 0.02


def test_wrong_body_and_wrong_chain(fault_proxy, upstream) -> None:
    p = fault_proxy(f"http://127.0.0.1:{upstream.server_address[1]}")
    p.set("wrong_body", match="eth_sendRawTransaction")
    assert json.loads(post(p, call("eth_sendRawTransaction"))[1])["result"] == "0x" + "00" * 32
    p.set("wrong_chain")
    batch = [call("eth_chainId", 1), call("eth_blockNumber", 2)]
    assert [r["result"] for r in json.loads(post(p, batch)[1])] == ["0x1", "eth_blockNumber"]
    p.set("wrong_chain", chain_id=5)
    assert json.loads(post(p, call("eth_chainId"))[1])["result"] == "0x5"


def test_rest_modes(fault_proxy, upstream) -> None:
    p = fault_proxy(f"http://127.0.0.1:{upstream.server_address[1]}/api")
    assert p.url.endswith("/api")
    port = int(p.url.split(":")[2].split("/")[0])

    def get(path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()

    p.set("error", match="GET /api/block-height")
    assert get("/api/block-height/0") == (500, b"upstream timeout")
    assert get("/api/blocks/tip/height") == (200, b"height-0-hash")
    p.set("wrong_chain", reply=lambda req, up: b"mainnet-genesis")
    assert get("/api/block-height/0") == (200, b"mainnet-genesis")
    assert upstream.seen == ["GET /api/block-height/0", "GET /api/blocks/tip/height", "GET /api/block-height/0"]
