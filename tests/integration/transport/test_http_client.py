"""The shared HTTP transport (chains.transport), through EVM JSON-RPC, against real sockets speaking HTTP/1.1 as
nodes and gateways do: keep-alive, chunked bodies, idle connections closed by the server, replies read to
EOF, batches answered out of order, basic auth, TLS with a private CA, a proxy, and slow or broken peers.
"""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chains.errors import Unavailable
from chains.evm.rpc import Rpc, RpcError
from devnet.anvil import rpc as anvil_rpc

Handler = Callable[[socket.socket, "Server"], None]


class Server:
    """Accepts connections on loopback and runs `handler(conn, server)` for each in its own thread."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler, self.tls = handler, tls
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            if self.tls:
                try:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError):
                    conn.close()
                    continue
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            self.handler(conn, self)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.sock.close()


def read_request(conn: socket.socket, server: Server) -> dict | list | None:
    """One HTTP request off the connection (None at EOF); records (request line, headers, body)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    while len(body) < int(headers.get("content-length", 0)):
        body += conn.recv(65536)
    server.requests.append((lines[0], headers, body))
    return json.loads(body)


def answer(req: dict | list) -> bytes:
    """Echo JSON-RPC: each call's result is its method name; batches answered in reverse order."""
    if isinstance(req, list):
        return json.dumps([{"jsonrpc": "2.0", "id": r["id"], "result": r["method"]} for r in reversed(req)]).encode()
    return json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": req["method"]}).encode()


def keep_alive(conn: socket.socket, server: Server) -> None:
    while (req := read_request(conn, server)) is not None:
        body = answer(req)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                     + body)


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(handler: Handler, tls: ssl.SSLContext | None = None) -> Server:
        servers.append(Server(handler, tls))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def test_keep_alive_reuses_one_connection_and_batches_match_by_id(serve):
    srv = serve(keep_alive)
    rpc = Rpc(f"http://127.0.0.1:{srv.port}/v3/key")
    assert [rpc.call("eth_chainId") for _ in range(3)] == ["eth_chainId"] * 3
    assert rpc.batch([("a", []), ("b", []), ("c", [])]) == ["a", "b", "c"]  # the server answers in reverse
    assert srv.connections == 1
    line, headers, _ = srv.requests[0]
    assert line == "POST /v3/key HTTP/1.1"
    assert headers["host"] == f"127.0.0.1:{srv.port}" and headers["content-type"] == "application/json"


def test_chunked_body_and_interim_100_reply(serve):
    def chunked(conn: socket.socket, server: Server) -> None:
        while (req := read_request(conn, server)) is not None:
            body = answer(req)
            parts = [body[:5], body[5:]]
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         + b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\nX-Trailer: 1\r\n\r\n")

    srv = serve(chunked)
    rpc = Rpc(f"http://127.0.0.1:{srv.port}")
    assert rpc.call("eth_blockNumber") == "eth_blockNumber"
    assert rpc.call("eth_gasPrice") == "eth_gasPrice"
    assert srv.connections == 1


def test_idle_connection_closed_by_the_server_is_reopened_once(serve):
    def one_per_connection(conn: socket.socket, server: Server) -> None:
        req = read_request(conn, server)  # answers keep-alive, then drops the connection (an idle timeout)
        if req is not None:
            body = answer(req)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            time.sleep(0.05)

    srv = serve(one_per_connection)
    rpc = Rpc(f"http://127.0.0.1:{srv.port}")
    assert rpc.call("one") == "one"
    time.sleep(0.2)
    assert rpc.call("two") == "two"
    assert srv.connections == 2


def test_body_read_to_eof_with_connection_close(serve):
    def http10(conn: socket.socket, server: Server) -> None:
        req = read_request(conn, server)
        assert req is not None
        conn.sendall(b"HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n" + answer(req))

    srv = serve(http10)
    rpc = Rpc(f"http://127.0.0.1:{srv.port}")
    assert rpc.call("x") == "x"
    assert rpc.call("y") == "y"  # a new connection, since the server closed the first
    assert srv.connections == 2


@pytest.mark.parametrize(("reply", "match"), [
    (b"", "closed before a complete reply"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"", "closed before a complete reply"),
    (b"SSH-2.0-OpenSSH_9.6\r\n", "not HTTP/1.x"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size"),
    (b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", "answered HTTP 503"),
])
def test_broken_peers_are_unavailable_at_once(serve, reply, match):
    def broken(conn: socket.socket, server: Server) -> None:
        if read_request(conn, server) is not None:
            conn.sendall(reply)

    srv = serve(broken)
    rpc = Rpc(f"http://127.0.0.1:{srv.port}/secret-path?apikey=SECRET")
    t0 = time.monotonic()
    with pytest.raises(Unavailable, match=match) as e:
        rpc.call("eth_chainId")
    assert time.monotonic() - t0 < 1.0
    assert "SECRET" not in str(e.value) and f"http://127.0.0.1:{srv.port}" in str(e.value)
    assert srv.connections == 1  # no retry on a fresh connection


def test_slow_drip_reply_hits_the_deadline(serve):
    def drip(conn: socket.socket, server: Server) -> None:
        if read_request(conn, server) is not None:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            for _ in range(40):
                conn.sendall(b" ")
                time.sleep(0.1)

    srv = serve(drip)
    rpc = Rpc(f"http://127.0.0.1:{srv.port}", timeout=0.5)
    t0 = time.monotonic()
    with pytest.raises(Unavailable, match=r"did not answer within 0\.5 s"):
        rpc.call("eth_chainId")
    assert time.monotonic() - t0 < 1.5


def test_node_error_objects_keep_message_and_data(serve):
    def err(conn: socket.socket, server: Server) -> None:
        while (req := read_request(conn, server)) is not None:
            body = json.dumps({"jsonrpc": "2.0", "id": req["id"],
                               "error": {"code": 3, "message": "execution reverted", "data": "0x08c379a0"}}).encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    srv = serve(err)
    with pytest.raises(RpcError) as e:
        Rpc(f"http://127.0.0.1:{srv.port}").call("eth_estimateGas", {})
    assert (e.value.code, e.value.message, e.value.data) == (3, "execution reverted", "0x08c379a0")


def test_basic_auth_from_the_url_is_sent_and_never_shown(serve):
    srv = serve(keep_alive)
    rpc = Rpc(f"http://alice:s%40cret@127.0.0.1:{srv.port}/")
    assert rpc.call("m") == "m"
    import base64

    assert srv.requests[0][1]["authorization"] == "Basic " + base64.b64encode(b"alice:s@cret").decode()
    assert "cret" not in rpc.where and "alice" not in rpc.where


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_verifies_the_certificate(serve, tmp_path, monkeypatch):
    cert, key = _self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    srv = serve(keep_alive, tls=ctx)
    url = f"https://localhost:{srv.port}/key"
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(Unavailable, match="certificate could not be verified"):
        Rpc(url).call("eth_chainId")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # as requests (and so web3) would honour it
    rpc = Rpc(url)
    assert rpc.call("eth_chainId") == "eth_chainId"
    assert rpc.batch([("a", []), ("b", [])]) == ["a", "b"]


def test_requests_go_through_a_configured_proxy(serve, monkeypatch):
    proxy = serve(keep_alive)  # answers itself: enough to see that the request came to it
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert Rpc("http://node.invalid:8545/path").call("eth_chainId") == "eth_chainId"
    assert proxy.requests[0][0] == "POST http://node.invalid:8545/path HTTP/1.1"
    # urllib's process-wide opener must not have kept that proxy (devnet.anvil and others use urlopen).
    monkeypatch.delenv("HTTP_PROXY")
    direct = serve(keep_alive)
    anvil_rpc(f"http://127.0.0.1:{direct.port}", "eth_chainId")
    assert len(proxy.requests) == 1 and len(direct.requests) == 1
