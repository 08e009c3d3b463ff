"""Shared fixtures for the keystore reliability tests: a small vault made with the test KDF."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

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
