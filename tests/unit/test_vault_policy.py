"""The policy and the journal mark in the vault: only the password changes the policy; swaps are detected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keystore import vault
from keystore.errors import BadSecretInput, VaultCorrupted, WrongPassword

MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
PASSWORD = "correct horse battery staple"
POLICY = {"default": "deny", "rule": [{"network": "base", "asset": "ETH", "max_per_tx": "1"}]}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    vault.create_vault(h, "v", PASSWORD, vault.VaultSecrets(mnemonic=MNEMONIC), [])
    return h


def _doc(home: Path) -> dict:
    return json.loads(vault.vault_path(home, "v").read_text())


def _write(home: Path, doc: dict) -> None:
    doc["checksum"] = vault._checksum(doc)  # an attacker recomputes the plain checksum
    vault.vault_path(home, "v").write_text(json.dumps(doc))


def test_policy_round_trips_and_older_vaults_still_open(home: Path) -> None:
    assert vault.unlock(home, "v", PASSWORD).secrets.policy is None
    assert "policy_digest" not in _doc(home)
    vault.set_policy(home, "v", PASSWORD, POLICY)
    uv = vault.unlock(home, "v", PASSWORD)
    assert uv.secrets.policy == POLICY
    assert len(_doc(home)["policy_digest"]) == 64


def test_a_payload_from_before_the_policy_is_detected(home: Path) -> None:
    before = _doc(home)["payload"]
    vault.set_policy(home, "v", PASSWORD, POLICY)
    doc = _doc(home)
    doc["payload"] = before          # same vault, same data key: it decrypts, but holds no policy
    _write(home, doc)
    with pytest.raises(VaultCorrupted, match="spending policy in the payload is not the one the password set"):
        vault.unlock(home, "v", PASSWORD)


def test_dropping_the_header_digest_breaks_the_wrap(home: Path) -> None:
    before = _doc(home)["payload"]
    vault.set_policy(home, "v", PASSWORD, POLICY)
    doc = _doc(home)
    del doc["policy_digest"]
    doc["payload"] = before
    _write(home, doc)
    with pytest.raises(WrongPassword):
        vault.unlock(home, "v", PASSWORD)


def test_a_looser_policy_from_another_set_is_detected(home: Path) -> None:
    vault.set_policy(home, "v", PASSWORD, {**POLICY, "default": "allow"})
    loose = _doc(home)["payload"]
    vault.set_policy(home, "v", PASSWORD, POLICY)
    doc = _doc(home)
    doc["payload"] = loose
    _write(home, doc)
    with pytest.raises(VaultCorrupted, match="spending policy"):
        vault.unlock(home, "v", PASSWORD)


def test_update_and_reseal_cannot_change_the_policy(home: Path) -> None:
    vault.set_policy(home, "v", PASSWORD, POLICY)

    def loosen(uv: vault.UnlockedVault) -> None:
        uv.secrets.policy = None

    with pytest.raises(BadSecretInput, match="only through set_policy"):
        vault.update(home, "v", PASSWORD, loosen)
    uv = vault.unlock(home, "v", PASSWORD)
    with pytest.raises(BadSecretInput, match="only through set_policy"):
        vault.reseal(home, "v", uv, loosen)
    assert vault.unlock(home, "v", PASSWORD).secrets.policy == POLICY


def test_reseal_keeps_the_mark_without_a_password(home: Path) -> None:
    vault.set_policy(home, "v", PASSWORD, POLICY)
    uv = vault.unlock(home, "v", PASSWORD)

    def mark(fresh: vault.UnlockedVault) -> None:
        fresh.secrets.journal = {"id": "j", "count": 3}

    vault.reseal(home, "v", uv, mark)
    again = vault.unlock(home, "v", PASSWORD)
    assert again.secrets.journal == {"id": "j", "count": 3} and again.secrets.policy == POLICY
    vault.change_password(home, "v", PASSWORD, "new password")
    assert vault.unlock(home, "v", "new password").secrets.policy == POLICY


def test_reseal_never_adopts_another_policy_from_disk(home: Path) -> None:
    """The agent re-seals the journal mark after each signature: an older file swapped in (no policy)
    must not become the policy it enforces."""
    older = vault.vault_path(home, "v").read_bytes()
    vault.set_policy(home, "v", PASSWORD, POLICY)
    uv = vault.unlock(home, "v", PASSWORD)
    vault.vault_path(home, "v").write_bytes(older)

    def mark(fresh: vault.UnlockedVault) -> None:
        fresh.secrets.journal = {"id": "j", "count": 1}

    with pytest.raises(VaultCorrupted, match="spending policy changed since it was unlocked"):
        vault.reseal(home, "v", uv, mark)
