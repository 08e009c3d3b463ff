"""No error message of any chain family prints an RPC URL's credentials, path or query.

Each family's client is pointed at real loopback endpoints (a closed port, a server answering HTTP 500,
one answering garbage) with a URL carrying a password, an API key in the path and one in the query.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chains.bitcoin.node import Esplora
from chains.errors import Unavailable
from chains.evm import rpc as evm_rpc
from chains.evm.rpc import Rpc
from chains.solana.rpc import SolanaRpc
from chains.transport import redact_url

SECRETS = ("hunter2", "PATHKEY", "QUERYKEY", "alice")


@pytest.mark.parametrize("url,shown", [
    ("https://alice:hunter2@rpc.example.com:8443/v2/PATHKEY?api-key=QUERYKEY#x", "https://rpc.example.com:8443"),
    ("https://mainnet.helius-rpc.com/?api-key=QUERYKEY", "https://mainnet.helius-rpc.com"),
    ("http://127.0.0.1:8899", "http://127.0.0.1:8899"),
    ("HTTP://Node.Example:80/", "http://node.example:80"),
    ("https://[::1]:3000/PATHKEY", "https://[::1]:3000"),
    ("http://alice:hunter2@host", "http://host"),
    ("rpc.example.com/?api-key=QUERYKEY", "<invalid URL>"),       # no scheme: nothing safe to show
    ("http://host:hunter2/", "<invalid URL>"),                     # a password where the port goes
    ("", "<invalid URL>"),
])
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_evm_rpc_reexports_the_shared_function() -> None:
    assert evm_rpc.redact_url is redact_url


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["closed", "http500", "garbage"])
def endpoint(request: pytest.FixtureRequest) -> Iterator[int]:
    if request.param == "closed":
        yield _closed_port()
        return
    status, body = (500, b"oops") if request.param == "http500" else (200, b"<html>not json</html>")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _assert_clean(exc: BaseException, port: int) -> None:
    text = str(exc)
    assert f"127.0.0.1:{port}" in text
    for secret in SECRETS:
        assert secret not in text, text


def _url(port: int) -> str:
    return f"http://alice:hunter2@127.0.0.1:{port}/v2/PATHKEY?api-key=QUERYKEY"


def test_solana_errors_are_redacted(endpoint: int) -> None:
    with pytest.raises(Unavailable) as e:
        SolanaRpc(_url(endpoint), timeout=5).call("getHealth")
    _assert_clean(e.value, endpoint)


def test_esplora_errors_are_redacted(endpoint: int) -> None:
    with pytest.raises(Unavailable) as e:
        Esplora(_url(endpoint)).fee_estimates()
    _assert_clean(e.value, endpoint)


def test_evm_errors_are_redacted(endpoint: int) -> None:
    with pytest.raises(Unavailable) as e:
        Rpc(_url(endpoint), timeout=5).call("eth_chainId")
    _assert_clean(e.value, endpoint)


def test_bdk_sync_errors_are_redacted() -> None:
    from bip_utils import Bip39SeedGenerator, Bip84, Bip84Coins

    from chains.base import Account
    from chains.bitcoin import Adapter
    from chains.networks import get_network

    ctx = Bip84.FromSeed(Bip39SeedGenerator("abandon " * 11 + "about").Generate(),
                         Bip84Coins.BITCOIN_REGTEST).Purpose().Coin().Account(0)
    account = Account("btc", 0, "m/84'/1'/0'", "", "", xpubs={"test": ctx.PublicKey().ToExtended()})
    port = _closed_port()
    net = dataclasses.replace(get_network("local-btc"), rpc_url=_url(port))
    with pytest.raises(Unavailable) as e:
        Adapter(net).balance(account)
    _assert_clean(e.value, port)


@pytest.mark.parametrize("bad", ["ftp://alice:hunter2@host/PATHKEY", "http://alice:hunter2/?api-key=QUERYKEY"])
def test_unusable_urls_are_not_echoed(bad: str) -> None:
    for call in (lambda: SolanaRpc(bad).call("getHealth"), lambda: Esplora(bad).tip_height()):
        with pytest.raises(Unavailable) as e:
            call()
        assert not any(s in str(e.value) for s in SECRETS), str(e.value)
