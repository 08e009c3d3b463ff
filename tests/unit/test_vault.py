"""keystore.vault: format, KDF policy, permissions, and the authenticated account index."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from Crypto.Cipher import AES
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from keystore import files, vault
from keystore.errors import (
    BadSecretInput,
    UnsafeVaultFile,
    VaultCorrupted,
    VaultExists,
    VaultNotFound,
    WrongPassword,
)

MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
# BIP32 master fingerprint of that mnemonic with no passphrase (as in the BIP84/BIP86 descriptor examples).
FINGERPRINT = "73c5da0a"
PASSWORD = "correct horse battery staple"
ACCOUNTS = [{"chain": "evm", "index": 0, "path": "m/44'/60'/0'/0/0",
             "address": "0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "label": "main"}]


@pytest.fixture
def weak_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALLET_INSECURE_TEST_KDF", "1")


@pytest.fixture
def home(tmp_path: Path, weak_kdf: None) -> Path:
    vault.create_vault(tmp_path, "main", PASSWORD, vault.VaultSecrets(MNEMONIC), ACCOUNTS)
    return tmp_path


def _doc(home: Path, name: str = "main") -> dict:
    return json.loads(vault.vault_path(home, name).read_text())


def _canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def _rewrite(home: Path, doc: dict, name: str = "main") -> None:
    """Write `doc` back with a correct checksum, as an attacker with write access could."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    doc["checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
    path = vault.vault_path(home, name)
    path.write_text(json.dumps(doc))
    os.chmod(path, 0o600)


def test_round_trip(home: Path) -> None:
    info = vault.read_info(home, "main")
    assert info.fingerprint == FINGERPRINT
    assert info.accounts == ACCOUNTS
    assert info.weak is True
    unlocked = vault.unlock(home, "main", PASSWORD)
    assert unlocked.secrets.mnemonic == MNEMONIC
    assert unlocked.secrets.passphrase == ""
    assert unlocked.secrets.imported == {}
    assert unlocked.weak is True
    assert vault.list_vaults(home) == ["main"]


def test_file_layout_matches_the_documented_format(home: Path) -> None:
    """Decrypt with an independent AES-GCM (pycryptodome) and AADs built from the written spec."""
    doc = _doc(home)
    assert doc["format"] == "wallet-vault" and doc["version"] == 1 and doc["weak_kdf"] is True
    assert doc["kdf"] == {"name": "argon2id", "memory_kib": 1024, "iterations": 1, "lanes": 1,
                          "salt": doc["kdf"]["salt"]}
    assert len(bytes.fromhex(doc["kdf"]["salt"])) >= 16
    body = {k: v for k, v in doc.items() if k != "checksum"}
    assert doc["checksum"] == hashlib.sha256(_canonical(body)).hexdigest()
    kdf = doc["kdf"]
    pkey = Argon2id(salt=bytes.fromhex(kdf["salt"]), length=32, iterations=1, lanes=1,
                    memory_cost=1024).derive(PASSWORD.encode())

    def open_gcm(key: bytes, box: dict, aad: bytes) -> bytes:
        raw = bytes.fromhex(box["ct"])
        cipher = AES.new(key, AES.MODE_GCM, nonce=bytes.fromhex(box["nonce"]))
        cipher.update(aad)
        return cipher.decrypt_and_verify(raw[:-16], raw[-16:])

    wrap_aad = _canonical({k: doc[k] for k in ("format", "version", "id", "kdf", "fingerprint")})
    data_key = open_gcm(pkey, doc["wrap"], wrap_aad)
    assert len(data_key) == 32
    payload_aad = _canonical({k: doc[k] for k in ("format", "version", "id", "fingerprint")})
    secrets = json.loads(open_gcm(data_key, doc["payload"], payload_aad))
    assert secrets["mnemonic"] == MNEMONIC
    assert secrets["accounts_digest"] == hashlib.sha256(_canonical(ACCOUNTS)).hexdigest()
    assert set(secrets) == {"mnemonic", "passphrase", "language", "imported", "accounts_digest"}


def test_strong_default_kdf_without_the_test_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WALLET_INSECURE_TEST_KDF", raising=False)
    info = vault.create_vault(tmp_path, "real", PASSWORD, vault.VaultSecrets(MNEMONIC), [])
    assert info.weak is False
    assert {k: info.kdf[k] for k in ("memory_kib", "iterations", "lanes")} == \
        {"memory_kib": 65536, "iterations": 3, "lanes": 4}
    assert _doc(tmp_path, "real")["weak_kdf"] is False
    assert vault.unlock(tmp_path, "real", PASSWORD).weak is False


def test_wrong_password(home: Path) -> None:
    before = vault.vault_path(home, "main").read_bytes()
    with pytest.raises(WrongPassword) as exc:
        vault.unlock(home, "main", "not the password")
    assert str(exc.value) == "wrong password for vault 'main'"
    assert vault.vault_path(home, "main").read_bytes() == before


def test_change_password_rewrites_only_kdf_and_wrap(home: Path) -> None:
    before = _doc(home)
    vault.change_password(home, "main", PASSWORD, "new password")
    after = _doc(home)
    assert after["payload"] == before["payload"]
    assert after["kdf"]["salt"] != before["kdf"]["salt"]
    assert after["wrap"] != before["wrap"]
    assert {k: after[k] for k in ("id", "fingerprint", "accounts")} == \
        {k: before[k] for k in ("id", "fingerprint", "accounts")}
    with pytest.raises(WrongPassword):
        vault.unlock(home, "main", PASSWORD)
    assert vault.unlock(home, "main", "new password").secrets.mnemonic == MNEMONIC


def test_change_password_wrong_old_password_and_empty_new(home: Path) -> None:
    before = vault.vault_path(home, "main").read_bytes()
    with pytest.raises(WrongPassword):
        vault.change_password(home, "main", "nope", "new password")
    with pytest.raises(BadSecretInput, match="empty"):
        vault.change_password(home, "main", PASSWORD, "")
    assert vault.vault_path(home, "main").read_bytes() == before


def test_update_appends_and_reauthenticates_the_index(home: Path) -> None:
    before = _doc(home)
    extra = {"chain": "btc", "index": 0, "path": "m/84'/0'/0'/0/0", "address": "bc1q...", "label": ""}

    def mutate(v: vault.UnlockedVault) -> None:
        v.info.accounts.append(extra)
        v.secrets.imported["k1"] = {"chain": "evm", "key": "00" * 32}

    result = vault.update(home, "main", PASSWORD, mutate)
    assert result.info.accounts == [*ACCOUNTS, extra]
    after = _doc(home)
    assert after["wrap"] == before["wrap"]
    assert after["payload"]["nonce"] != before["payload"]["nonce"]
    again = vault.unlock(home, "main", PASSWORD)
    assert again.info.accounts == [*ACCOUNTS, extra]
    assert again.secrets.imported == {"k1": {"chain": "evm", "key": "00" * 32}}


def test_update_may_not_replace_the_seed(home: Path) -> None:
    before = vault.vault_path(home, "main").read_bytes()

    def mutate(v: vault.UnlockedVault) -> None:
        v.secrets.passphrase = "sneaky"

    with pytest.raises(BadSecretInput):
        vault.update(home, "main", PASSWORD, mutate)
    assert vault.vault_path(home, "main").read_bytes() == before


@pytest.mark.parametrize(("key", "value"), [("memory_kib", 32768), ("iterations", 2), ("lanes", 2)])
def test_strong_vault_params_below_floor_refused(home: Path, key: str, value: int) -> None:
    doc = _doc(home)
    doc["weak_kdf"] = False
    doc["kdf"].update({"memory_kib": 65536, "iterations": 3, "lanes": 4, key: value})
    _rewrite(home, doc)
    with pytest.raises(VaultCorrupted, match=rf"kdf\.{key} = {value} is below the minimum"):
        vault.read_info(home, "main")


@pytest.mark.parametrize(("key", "value", "cap"), [("memory_kib", 4194305, 4194304),
                                                   ("memory_kib", 2**40, 4194304),
                                                   ("iterations", 65, 64), ("lanes", 65, 64)])
def test_params_above_caps_refused_before_any_kdf(home: Path, key: str, value: int, cap: int) -> None:
    doc = _doc(home)
    doc["kdf"][key] = value
    _rewrite(home, doc)
    start = time.monotonic()
    with pytest.raises(VaultCorrupted, match=rf"kdf\.{key} = {value} exceeds the maximum {cap}"):
        vault.unlock(home, "main", PASSWORD)
    assert time.monotonic() - start < 1


def test_weak_vault_refused_without_the_test_setting(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WALLET_INSECURE_TEST_KDF")
    for call in (lambda: vault.read_info(home, "main"), lambda: vault.unlock(home, "main", PASSWORD)):
        with pytest.raises(UnsafeVaultFile, match="insecure test KDF.*WALLET_INSECURE_TEST_KDF=1"):
            call()
    monkeypatch.setenv("WALLET_INSECURE_TEST_KDF", "yes")  # only the exact value "1" counts
    with pytest.raises(UnsafeVaultFile):
        vault.read_info(home, "main")


def test_file_0600_and_dir_0700(tmp_path: Path, weak_kdf: None) -> None:
    old = os.umask(0)
    try:
        info = vault.create_vault(tmp_path, "main", PASSWORD, vault.VaultSecrets(MNEMONIC), [])
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(info.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(info.path.parent).st_mode) == 0o700


def test_group_readable_vault_refused(home: Path) -> None:
    path = vault.vault_path(home, "main")
    os.chmod(path, 0o640)
    with pytest.raises(UnsafeVaultFile, match=r"chmod 600"):
        vault.read_info(home, "main")
    with pytest.raises(UnsafeVaultFile):
        vault.unlock(home, "main", PASSWORD)


def test_symlinked_vault_refused(home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = vault.vault_path(home, "main")
    elsewhere = tmp_path_factory.mktemp("other") / "main.json"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    with pytest.raises(UnsafeVaultFile, match="symlink"):
        vault.read_info(home, "main")
    with pytest.raises(UnsafeVaultFile, match="symlink"):
        vault.update(home, "main", PASSWORD, lambda v: v.info.accounts.clear())
    assert elsewhere.read_bytes() == before and path.is_symlink()


def test_accounts_digest_mismatch_detected(home: Path) -> None:
    doc = _doc(home)
    doc["accounts"][0]["address"] = "0x000000000000000000000000000000000000dEaD"
    _rewrite(home, doc)
    # Without a password the index cannot be authenticated, only checksummed.
    assert vault.read_info(home, "main").accounts[0]["address"].endswith("dEaD")
    with pytest.raises(VaultCorrupted, match="the account index was modified outside the wallet"):
        vault.unlock(home, "main", PASSWORD)


def test_exists_not_found_and_bad_names(home: Path) -> None:
    with pytest.raises(VaultExists):
        vault.create_vault(home, "main", "other", vault.VaultSecrets(MNEMONIC), [])
    assert vault.unlock(home, "main", PASSWORD).secrets.mnemonic == MNEMONIC
    with pytest.raises(VaultNotFound):
        vault.read_info(home, "nope")
    for bad in ("", "../x", "a/b", ".hidden", "x" * 65, "a b"):
        with pytest.raises(BadSecretInput):
            vault.vault_path(home, bad)


def test_bad_mnemonic_and_empty_password_refused_without_echoing(tmp_path: Path, weak_kdf: None) -> None:
    words = "zebra " * 11 + "notaword"
    with pytest.raises(BadSecretInput) as exc:
        vault.create_vault(tmp_path, "x", PASSWORD, vault.VaultSecrets(words), [])
    assert "zebra" not in str(exc.value) and "notaword" not in str(exc.value)
    with pytest.raises(BadSecretInput, match="empty"):
        vault.create_vault(tmp_path, "x", "", vault.VaultSecrets(MNEMONIC), [])
    assert vault.list_vaults(tmp_path) == []


def test_secrets_never_in_repr_or_errors(home: Path) -> None:
    unlocked = vault.unlock(home, "main", PASSWORD)
    for text in (repr(unlocked), repr(unlocked.secrets), str(unlocked)):
        assert "abandon" not in text and PASSWORD not in text
    assert unlocked._data_key.hex() not in repr(unlocked)
    with pytest.raises(WrongPassword) as exc:
        vault.unlock(home, "main", "hunter2-guess")
    assert "hunter2" not in str(exc.value)


def test_passphrase_changes_the_fingerprint(tmp_path: Path, weak_kdf: None) -> None:
    info = vault.create_vault(tmp_path, "pp", PASSWORD, vault.VaultSecrets(MNEMONIC, passphrase="TREZOR"), [])
    assert info.fingerprint != FINGERPRINT
    assert vault.unlock(tmp_path, "pp", PASSWORD).secrets.passphrase == "TREZOR"


def _race_before_lock(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Run `action` once, just before the next writer takes the lock (after its KDF work)."""
    real_locked = files.locked
    fired: list[bool] = []

    @contextlib.contextmanager
    def racing(path: Path, timeout: float = 30) -> Iterator[None]:
        if not fired:
            fired.append(True)
            action()
        with real_locked(path, timeout):
            yield

    monkeypatch.setattr(files, "locked", racing)


def test_update_racing_a_password_change_is_refused(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _race_before_lock(monkeypatch, lambda: vault.change_password(home, "main", PASSWORD, "other"))
    with pytest.raises(WrongPassword):
        vault.update(home, "main", PASSWORD, lambda v: v.info.accounts.append({"chain": "sol"}))
    assert vault.unlock(home, "main", "other").info.accounts == ACCOUNTS


def test_password_change_racing_an_update_keeps_the_update(home: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    extra = {"chain": "tron", "index": 0}
    _race_before_lock(monkeypatch,
                      lambda: vault.update(home, "main", PASSWORD, lambda v: v.info.accounts.append(extra)))
    vault.change_password(home, "main", PASSWORD, "other")
    assert vault.unlock(home, "main", "other").info.accounts == [*ACCOUNTS, extra]
    with pytest.raises(WrongPassword):
        vault.unlock(home, "main", PASSWORD)


def test_vault_in_an_unsafe_directory_refused(home: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    vaults = home / "vaults"
    os.chmod(vaults, 0o777)  # noqa: S103 - a world-writable vault directory is the case under test
    with pytest.raises(UnsafeVaultFile, match="other users can write to it"):
        vault.read_info(home, "main")
    os.chmod(vaults, 0o700)
    # A symlinked vaults directory: another user could point it anywhere.
    moved = tmp_path_factory.mktemp("moved") / "vaults"
    vaults.rename(moved)
    vaults.symlink_to(moved)
    with pytest.raises(UnsafeVaultFile, match="symlink"):
        vault.unlock(home, "main", PASSWORD)
