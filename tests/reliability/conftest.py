"""Shared fixtures for the keystore reliability tests: a small vault made with the test KDF."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from keystore import vault

REPO = Path(__file__).resolve().parents[2]
KS_MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
KS_PASSWORD = "reliability password"
KS_ACCOUNTS = [
    {"chain": "evm", "index": 0, "path": "m/44'/60'/0'/0/0",
     "address": "0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "label": "main"},
    {"chain": "btc", "index": 0, "path": "m/84'/0'/0'/0/0",
     "address": "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "label": ""},
]


def canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def with_checksum(doc: dict) -> dict:
    """Recompute the checksum the way the format describes it (not with keystore code)."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    return {**body, "checksum": hashlib.sha256(canonical(body)).hexdigest()}


def write_raw(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    os.chmod(path, 0o600)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["WALLET_INSECURE_TEST_KDF"] = "1"
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def ks_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WALLET_INSECURE_TEST_KDF", "1")
    home = tmp_path / "home"
    vault.create_vault(home, "main", KS_PASSWORD, vault.VaultSecrets(KS_MNEMONIC), KS_ACCOUNTS)
    return home


class KsKit:
    """Constants and helpers handed to tests as a fixture (conftest modules are not importable by name)."""

    repo = REPO
    mnemonic = KS_MNEMONIC
    password = KS_PASSWORD
    accounts = KS_ACCOUNTS
    canonical = staticmethod(canonical)
    with_checksum = staticmethod(with_checksum)
    write_raw = staticmethod(write_raw)
    child_env = staticmethod(child_env)


@pytest.fixture
def ks() -> KsKit:
    return KsKit()


@pytest.fixture
def fault_proxy():
    """fault_proxy(upstream_url) -> a started FaultProxy (see fault_proxy.py), stopped after the test."""
    from tests.reliability.fault_proxy import FaultProxy

    started: list[FaultProxy] = []

    def make(upstream: str) -> FaultProxy:
        proxy = FaultProxy(upstream).start()
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()


# ---- a random-fault, latency-adding proxy for the payout kill tests --------------------------------------

class PayoutProxy:
    """HTTP/1.1 forwarder to one upstream URL that injects random faults (fault_proxy.py's are chosen per
    test): the payout kill tests need every request slowed and a random mix of faults.

    Every request waits `latency` seconds first. Then, with the configured probabilities: `drop` forwards
    it and closes the connection without a reply; `error` forwards it and answers HTTP 502; `delay` waits
    0.3 s more; `refuse` answers 502 without forwarding. In the first two cases the request has reached the
    node, which is exactly what the wallet must not mistake for "not sent".
    """

    def __init__(self, upstream: str, *, drop: float = 0.0, error: float = 0.0, delay: float = 0.0, refuse: float = 0.0,
                 latency: float = 0.0, seed: int = 0, only: Any = None) -> None:
        import http.server
        import random
        import threading
        import urllib.parse

        self.upstream = urllib.parse.urlsplit(upstream)
        self.rates = {"drop": drop, "error": error, "delay": delay, "refuse": refuse}
        self.rng = random.Random(seed)
        self.counts = {"drop": 0, "error": 0, "delay": 0, "refuse": 0, "ok": 0}
        self.enabled = True
        self.latency = latency          # every request, faults or not: the round trip of a remote node
        self.only = only                # (method, path) -> bool: which requests may get a fault
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                proxy._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                proxy._handle(self, "POST")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _fault(self) -> str:
        if not self.enabled:
            return "ok"
        x = self.rng.random()
        for kind in ("drop", "error", "delay", "refuse"):
            if x < self.rates[kind]:
                return kind
            x -= self.rates[kind]
        return "ok"

    def _handle(self, h: Any, method: str) -> None:
        import http.client
        import time

        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else None
        kind = self._fault() if self.only is None or self.only(method, h.path) else "ok"
        self.counts[kind] += 1
        time.sleep(self.latency + (0.3 if kind == "delay" else 0.0))
        if kind == "refuse":            # the one fault where the node never sees the request
            self._answer(h, 502, "text/plain", b"bad gateway")
            return
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        headers = {k: v for k, v in h.headers.items() if k.lower() in ("content-type",)}
        try:
            conn.request(method, h.path, body=body, headers=headers)
            resp = conn.getresponse()
            data, status = resp.read(), resp.status
            ctype = resp.getheader("Content-Type", "application/json")
        finally:
            conn.close()
        if kind == "drop":
            h.close_connection = True
            return
        if kind == "error":
            data, status, ctype = b"bad gateway", 502, "text/plain"
        self._answer(h, status, ctype, data)

    @staticmethod
    def _answer(h: Any, status: int, ctype: str, data: bytes) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except OSError:                 # the client was killed while we answered
            h.close_connection = True

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def payout_proxy():  # noqa: ANN201 - a factory of PayoutProxy
    made: list[PayoutProxy] = []

    def make(upstream: str, **rates: Any) -> PayoutProxy:
        p = PayoutProxy(upstream, **rates)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()
