"""A loopback HTTP proxy that injects faults between the wallet and a real sandbox node.

It forwards to an upstream (anvil's JSON-RPC, the Solana sandbox's JSON-RPC, the Esplora REST sandbox)
and, per request, applies a fault chosen by `set()`: only to requests a predicate matches (for
example one JSON-RPC method, or "POST /tx"), optionally only the first N of them. Faults that model
"the node acted but the answer was lost or wrong" forward first, which is the case that can pay twice.

    with FaultProxy(anvil_url) as proxy:
        proxy.set("error", match="eth_sendRawTransaction", times=1)
        ... point the wallet at proxy.url ...

Modes:
    pass         forward and answer faithfully
    drop         forward, then close the connection without answering
    delay        forward, wait `seconds` (default 12), then answer (forward=False: wait, then forward)
    reset        forward, then reset the connection (TCP RST) instead of answering
    502          forward, then answer HTTP 502 (a gateway that lost the upstream's reply)
    error        forward, then answer an error: a JSON-RPC error object (`code`, `message`) with the
                 request's id, or for REST an HTTP 500 with a text body
    wrong_body   forward, then answer 200 with a wrong body: `body` (bytes, or a callable
                 (Request, upstream_reply) -> bytes); default: a JSON-RPC result of 32 zero bytes, or
                 for REST a text that is not what was asked for
    slow_body    forward, then answer 200 with the right Content-Length but trickle the body one byte
                 every `interval` seconds (default 1)
    wrong_chain  forward, then rewrite eth_chainId results to `chain_id` (default 1), or apply a
                 caller-supplied `reply` callable (Request, upstream_reply) -> bytes (e.g. a mainnet
                 genesis hash for Solana, or mainnet's block 0 for Esplora)

Any fault accepts forward=False to fail without the upstream ever seeing the request.
"""

from __future__ import annotations

import http.client
import http.server
import json
import socket
import struct
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MODES = ("pass", "drop", "delay", "reset", "502", "error", "wrong_body", "slow_body", "wrong_chain")
FAULTS = MODES[1:]
UPSTREAM_TIMEOUT = 30.0


@dataclass
class Request:
    verb: str                 # GET, POST
    path: str                 # with the query
    body: bytes
    methods: list[str]        # JSON-RPC method names (several for a batch), empty for REST
    ids: list[Any]            # JSON-RPC ids, in request order
    batch: bool

    @property
    def is_jsonrpc(self) -> bool:
        return bool(self.methods)


def parse_request(verb: str, path: str, body: bytes) -> Request:
    methods: list[str] = []
    ids: list[Any] = []
    batch = False
    try:
        doc = json.loads(body) if body else None
    except ValueError:
        doc = None
    items = doc if isinstance(doc, list) else [doc]
    batch = isinstance(doc, list)
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("method"), str):
            methods.append(item["method"])
            ids.append(item.get("id"))
    return Request(verb, path, body, methods, ids, batch)


Match = Callable[[Request], bool] | str | None


def matches(match: Match, req: Request) -> bool:
    """None matches everything; a string names a JSON-RPC method or a REST 'VERB /path' prefix."""
    if match is None:
        return True
    if isinstance(match, str):
        return match in req.methods or f"{req.verb} {req.path}".startswith(match)
    return bool(match(req))


@dataclass
class Fault:
    mode: str = "pass"
    match: Match = None
    times: int | None = None          # apply to the first N matching requests only
    params: dict[str, Any] = field(default_factory=dict)


class FaultProxy:
    """Threaded loopback proxy on a free port; a context manager (start on enter, stop on exit)."""

    def __init__(self, upstream: str) -> None:
        u = urllib.parse.urlsplit(upstream)
        if u.scheme != "http" or not u.hostname:
            raise ValueError("the fault proxy forwards to a plain http:// upstream")
        self.upstream_host, self.upstream_port = u.hostname, u.port or 80
        self.upstream_path = u.path.rstrip("/")
        self.fault = Fault()
        self.requests = 0          # every request received
        self.faulted = 0           # requests a fault was applied to
        self.log: list[tuple[str, str]] = []   # (mode applied, method or 'VERB path')
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- control ---------------------------------------------------------------------------------

    def set(self, mode: str, *, match: Match = None, times: int | None = None, **params: Any) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; one of {', '.join(MODES)}")
        with self._lock:
            self.fault = Fault(mode, match, times, params)

    def clear(self) -> None:
        self.set("pass")

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fault proxy is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.upstream_path}"

    def start(self) -> FaultProxy:
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()              # ends delays and trickles early
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- per request -----------------------------------------------------------------------------

    def _choose(self, req: Request) -> Fault:
        with self._lock:
            self.requests += 1
            f = self.fault
            if f.mode == "pass" or not matches(f.match, req):
                return Fault()
            if f.times is not None:
                if f.times <= 0:
                    return Fault()
                f.times -= 1
            self.faulted += 1
            self.log.append((f.mode, ",".join(req.methods) or f"{req.verb} {req.path}"))
            return f

    def forward(self, req: Request, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=UPSTREAM_TIMEOUT)
        try:
            conn.request(req.verb, req.path, body=req.body if req.verb != "GET" else None, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            keep = {k: v for k, v in resp.getheaders() if k.lower() in ("content-type",)}
            return resp.status, keep, body
        finally:
            conn.close()

    def sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)


def jsonrpc_error(req: Request, code: int, message: str) -> bytes:
    errs = [{"jsonrpc": "2.0", "id": i, "error": {"code": code, "message": message}} for i in req.ids]
    return json.dumps(errs if req.batch else errs[0]).encode()


def default_wrong_body(req: Request, upstream: bytes) -> bytes:
    if not req.is_jsonrpc:
        return b"this is not what you asked for"
    items = [{"jsonrpc": "2.0", "id": i, "result": "0x" + "00" * 32} for i in req.ids]
    return json.dumps(items if req.batch else items[0]).encode()


def rewrite_chain_id(chain_id: int) -> Callable[[Request, bytes], bytes]:
    def rewrite(req: Request, upstream: bytes) -> bytes:
        try:
            doc = json.loads(upstream)
        except ValueError:
            return upstream
        by_id = dict(zip(req.ids, req.methods, strict=False))
        for item in doc if isinstance(doc, list) else [doc]:
            if isinstance(item, dict) and by_id.get(item.get("id")) == "eth_chainId" and "result" in item:
                item["result"] = hex(chain_id)
        return json.dumps(doc).encode()

    return rewrite


class _Handler(http.server.BaseHTTPRequestHandler):
    proxy: FaultProxy
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def log_message(self, *args: object) -> None:
        pass

    def _handle(self, verb: str) -> None:
        p = self.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = parse_request(verb, self.path, body)
        fault = p._choose(req)
        mode, prm = fault.mode, fault.params
        self.close_connection = True
        forward = mode == "pass" or prm.get("forward", True)
        if mode == "delay" and not forward:      # wait first, then forward and answer faithfully
            p.sleep(float(prm.get("seconds", 12)))
            mode, forward = "pass", True
        status, headers, reply = 0, {}, b""
        if forward:
            ctype = self.headers.get("Content-Type") or "application/json"
            try:
                status, headers, reply = p.forward(req, {"Content-Type": ctype})
            except OSError:
                self._send(502, {"Content-Type": "text/plain"}, b"upstream unreachable")
                return
        if mode == "pass":
            self._send(status, headers, reply)
        elif mode == "drop":
            return                                   # close without a byte
        elif mode == "delay":
            p.sleep(float(prm.get("seconds", 12)))
            self._send(status, headers, reply)
        elif mode == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif mode == "502":
            self._send(502, {"Content-Type": "text/plain"}, b"Bad Gateway")
        elif mode == "error":
            if req.is_jsonrpc:
                err = jsonrpc_error(req, int(prm.get("code", -32000)), str(prm.get("message", "request timed out")))
                self._send(200, {"Content-Type": "application/json"}, err)
            else:
                self._send(500, {"Content-Type": "text/plain"}, str(prm.get("message", "upstream timeout")).encode())
        elif mode == "wrong_body":
            make = prm.get("body", default_wrong_body)
            out = make(req, reply) if callable(make) else bytes(make)
            self._send(200, {"Content-Type": "application/json" if req.is_jsonrpc else "text/plain"}, out)
        elif mode == "slow_body":
            self._trickle(headers, reply, float(prm.get("interval", 1.0)))
        elif mode == "wrong_chain":
            rewrite = prm.get("reply") or rewrite_chain_id(int(prm.get("chain_id", 1)))
            self._send(status, headers, rewrite(req, reply))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up first: that is its right

    def _trickle(self, headers: dict[str, str], body: bytes, interval: float) -> None:
        try:
            self.send_response(200)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()
            deadline = time.monotonic() + 120
            for i in range(len(body)):
                if self.proxy._stop.is_set() or time.monotonic() > deadline:
                    return
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                self.proxy.sleep(interval)
        except OSError:
            pass
