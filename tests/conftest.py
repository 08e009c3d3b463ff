"""Suite-wide settings: the weak test KDF (the one explicit test setting) and an isolated home."""

from __future__ import annotations

import os

import pytest

# The one explicit test setting: new vaults use a weak Argon2id and are marked weak (see keystore/vault.py).
os.environ["WALLET_INSECURE_TEST_KDF"] = "1"
# Never let a test touch the developer's real wallet, keyring or password sources.
for var in ("WALLET_HOME", "WALLET_PASSWORD", "WALLET_PASSWORD_FILE", "WALLET_VAULT"):
    os.environ.pop(var, None)
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
os.environ["NO_COLOR"] = "1"


@pytest.fixture(autouse=True)
def _isolated_xdg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """platformdirs and keyrings.alt write under XDG dirs: point them at a per-test temp dir."""
    base = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("HOME", str(base / "home"))
