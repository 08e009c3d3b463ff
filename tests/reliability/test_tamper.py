"""Tampering with every field of a vault file is caught, named, and never changes the file.

Three attacker models per field:
  (a) an edit that leaves the checksum stale (or breaks the type, or deletes the field),
  (b) truncation at several offsets inside the field,
  (c) an edit followed by a recomputed checksum, so only the AEAD, fingerprint or digest layers remain.
For (c), any change to the wrap's AAD (id, kdf, fingerprint) or to the wrap itself is indistinguishable
from a wrong password: GCM can only say "this key and header do not authenticate".
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from Crypto.Cipher import AES
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from keystore import vault
from keystore.errors import UnsafeVaultFile, VaultCorrupted, WrongPassword

LEAVES = [("format",), ("version",), ("id",), ("name",), ("kdf", "name"), ("kdf", "memory_kib"),
          ("kdf", "iterations"), ("kdf", "lanes"), ("kdf", "salt"), ("weak_kdf",), ("fingerprint",),
          ("wrap", "nonce"), ("wrap", "ct"), ("payload", "nonce"), ("payload", "ct"), ("accounts",),
          ("checksum",)]
HEX_LEAVES = {"kdf.salt", "fingerprint", "wrap.nonce", "wrap.ct", "payload.nonce", "payload.ct", "checksum"}
CHECKSUM = r"the checksum does not match the contents"


def _label(leaf: tuple[str, ...]) -> str:
    return ".".join(leaf)


def _get(doc: dict, leaf: tuple[str, ...]) -> Any:
    for key in leaf:
        doc = doc[key]
    return doc


def _set(doc: dict, leaf: tuple[str, ...], value: Any) -> None:
    for key in leaf[:-1]:
        doc = doc[key]
    doc[leaf[-1]] = value


def _flip_hex(text: str) -> str:
    """Change one hex digit in the middle to a different hex digit."""
    i = len(text) // 2
    return text[:i] + ("0" if text[i] != "0" else "1") + text[i + 1:]


# A plausible edit of each leaf that keeps its type and syntax.
EDITS: dict[str, Callable[[Any], Any]] = {
    "format": lambda v: "wallet-vaulT",
    "version": lambda v: 2,
    "id": lambda v: str(uuid.UUID(int=uuid.UUID(v).int ^ 1)),
    "name": lambda v: "other",
    "kdf.name": lambda v: "scrypt",
    "kdf.memory_kib": lambda v: v * 2,
    "kdf.iterations": lambda v: v + 1,
    "kdf.lanes": lambda v: v + 1,
    "kdf.salt": _flip_hex,
    "weak_kdf": lambda v: not v,
    "fingerprint": _flip_hex,
    "wrap.nonce": _flip_hex,
    "wrap.ct": _flip_hex,
    "payload.nonce": _flip_hex,
    "payload.ct": _flip_hex,
    "accounts": lambda v: [{**v[0], "address": "0x000000000000000000000000000000000000dEaD"}, *v[1:]],
    "checksum": _flip_hex,
}

# (a) without recomputing the checksum: the fields read before the checksum name themselves.
STALE_EXPECT = {"format": "this is not a wallet vault", "version": "unsupported vault version 2"}

# (c) with the checksum recomputed: (error type, message, needs the password to detect).
RECOMPUTED_EXPECT: dict[str, tuple[type[Exception], str, bool]] = {
    "format": (VaultCorrupted, "this is not a wallet vault", False),
    "version": (VaultCorrupted, "unsupported vault version 2", False),
    "id": (WrongPassword, "wrong password for vault 'main'", True),
    "name": (VaultCorrupted, "the field 'name' says 'other', not the file's name", False),
    "kdf.name": (VaultCorrupted, "unsupported kdf.name 'scrypt'", False),
    "kdf.memory_kib": (WrongPassword, "wrong password for vault 'main'", True),
    "kdf.iterations": (WrongPassword, "wrong password for vault 'main'", True),
    "kdf.lanes": (WrongPassword, "wrong password for vault 'main'", True),
    "kdf.salt": (WrongPassword, "wrong password for vault 'main'", True),
    "weak_kdf": (VaultCorrupted, r"kdf.memory_kib = 1024 is below the minimum 65536", False),
    "fingerprint": (WrongPassword, "wrong password for vault 'main'", True),
    "wrap.nonce": (WrongPassword, "wrong password for vault 'main'", True),
    "wrap.ct": (WrongPassword, "wrong password for vault 'main'", True),
    "payload.nonce": (VaultCorrupted, r"the encrypted payload failed authentication \(payload.nonce", True),
    "payload.ct": (VaultCorrupted, r"the encrypted payload failed authentication \(payload.nonce", True),
    "accounts": (VaultCorrupted, "the account index was modified outside the wallet", True),
}


def _must_not_run(_: vault.UnlockedVault) -> None:
    raise AssertionError("mutate must not run on a damaged vault")


def _assert_refused(home: Path, exc_type: type[Exception], pattern: str, *, needs_password: bool,
                    password: str) -> None:
    """Every entry point refuses with the same error, and the directory is byte-for-byte unchanged."""
    path = vault.vault_path(home, "main")
    before = path.read_bytes()
    listing = sorted(p.name for p in path.parent.iterdir())
    if needs_password:
        vault.read_info(home, "main")  # the public part still parses
    else:
        with pytest.raises(exc_type, match=pattern):
            vault.read_info(home, "main")
    with pytest.raises(exc_type, match=pattern):
        vault.unlock(home, "main", password)
    with pytest.raises(exc_type, match=pattern):
        vault.update(home, "main", password, _must_not_run)
    with pytest.raises(exc_type, match=pattern):
        vault.change_password(home, "main", password, "a new password")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == listing


def _load(home: Path) -> dict:
    return json.loads(vault.vault_path(home, "main").read_bytes())


def _store(home: Path, ks: Any, doc: dict) -> None:
    ks.write_raw(vault.vault_path(home, "main"), json.dumps(doc, indent=2).encode())


@pytest.mark.parametrize("leaf", LEAVES, ids=_label)
def test_edit_with_stale_checksum(ks_home: Path, ks: Any, leaf: tuple[str, ...]) -> None:
    doc = _load(ks_home)
    _set(doc, leaf, EDITS[_label(leaf)](_get(doc, leaf)))
    _store(ks_home, ks, doc)
    expected = STALE_EXPECT.get(_label(leaf), CHECKSUM)
    _assert_refused(ks_home, VaultCorrupted, expected, needs_password=False, password=ks.password)


@pytest.mark.parametrize("leaf", LEAVES, ids=_label)
def test_wrong_type_names_the_field(ks_home: Path, ks: Any, leaf: tuple[str, ...]) -> None:
    doc = _load(ks_home)
    value = _get(doc, leaf)
    label = _label(leaf)
    # A non-hex string for hex, a number for other text, a string where a number, bool or list belongs.
    hex_leaf = label in HEX_LEAVES
    bad: Any = "zz" if hex_leaf else 7 if isinstance(value, str) else "1"
    _set(doc, leaf, bad)
    _store(ks_home, ks, doc)
    if label == "format":
        pattern = "this is not a wallet vault"
    elif hex_leaf:
        pattern = rf"'{re.escape(label)}' is not lowercase hex"
    else:
        pattern = rf"'{re.escape(label)}' is not (an integer|a string|a UUID|true or false|a list of objects)"
    _assert_refused(ks_home, VaultCorrupted, pattern, needs_password=False, password=ks.password)


@pytest.mark.parametrize("leaf", [leaf for leaf in LEAVES if leaf != ("format",)], ids=_label)
def test_missing_field_names_the_field(ks_home: Path, ks: Any, leaf: tuple[str, ...]) -> None:
    doc = _load(ks_home)
    parent = _get(doc, leaf[:-1]) if len(leaf) > 1 else doc
    del parent[leaf[-1]]
    _store(ks_home, ks, doc)
    pattern = "'version' is not an integer" if leaf == ("version",) else \
        rf"the field '{re.escape(_label(leaf))}' is missing"
    _assert_refused(ks_home, VaultCorrupted, pattern, needs_password=False, password=ks.password)


def test_unknown_field_and_duplicate_key_refused(ks_home: Path, ks: Any) -> None:
    doc = _load(ks_home)
    _store(ks_home, ks, ks.with_checksum({**doc, "extra": 1}))
    _assert_refused(ks_home, VaultCorrupted, "unexpected field 'extra'", needs_password=False,
                    password=ks.password)
    raw = json.dumps(doc)
    ks.write_raw(vault.vault_path(ks_home, "main"), raw.replace('"id":', '"id": "x", "id":', 1).encode())
    _assert_refused(ks_home, VaultCorrupted, "not valid JSON", needs_password=False, password=ks.password)


@pytest.mark.parametrize("leaf", LEAVES, ids=_label)
def test_truncation_inside_each_field(ks_home: Path, ks: Any, leaf: tuple[str, ...]) -> None:
    path = vault.vault_path(ks_home, "main")
    original = path.read_bytes()
    # Locate the field's key in the file; cut at the key, inside the value and just after it.
    key = f'"{leaf[-1]}":'.encode()
    start = original.index(key, original.index(f'"{leaf[0]}":'.encode()))
    value_len = len(json.dumps(_get(json.loads(original), leaf)))
    for offset in (start, start + len(key) + 1 + value_len // 2, start + len(key) + 1 + value_len):
        ks.write_raw(path, original[:offset])
        _assert_refused(ks_home, VaultCorrupted, r"the file is not valid JSON \(truncated",
                        needs_password=False, password=ks.password)


def test_truncation_at_many_offsets(ks_home: Path, ks: Any) -> None:
    path = vault.vault_path(ks_home, "main")
    original = path.read_bytes()
    # The final byte is a newline; dropping only it leaves a complete document.
    for offset in [*range(0, len(original) - 1, 97), len(original) - 2]:
        ks.write_raw(path, original[:offset])
        with pytest.raises(VaultCorrupted, match="not valid JSON"):
            vault.read_info(ks_home, "main")
        assert path.read_bytes() == original[:offset]


@pytest.mark.parametrize("leaf", [leaf for leaf in LEAVES if leaf != ("checksum",)], ids=_label)
def test_edit_with_recomputed_checksum(ks_home: Path, ks: Any, leaf: tuple[str, ...]) -> None:
    doc = _load(ks_home)
    _set(doc, leaf, EDITS[_label(leaf)](_get(doc, leaf)))
    _store(ks_home, ks, ks.with_checksum(doc))
    exc_type, pattern, needs_password = RECOMPUTED_EXPECT[_label(leaf)]
    _assert_refused(ks_home, exc_type, pattern, needs_password=needs_password, password=ks.password)


def test_weak_flag_on_a_strong_vault_with_recomputed_checksum(ks_home: Path, ks: Any) -> None:
    doc = _load(ks_home)
    doc["kdf"].update({"memory_kib": 65536, "iterations": 3, "lanes": 4})
    _store(ks_home, ks, ks.with_checksum(doc))
    _assert_refused(ks_home, VaultCorrupted, "weak_kdf is set but the KDF parameters are not weak",
                    needs_password=False, password=ks.password)


def test_weak_vault_without_the_setting_is_unsafe(ks_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                  ks: Any) -> None:
    monkeypatch.delenv("WALLET_INSECURE_TEST_KDF")
    _assert_refused(ks_home, UnsafeVaultFile, "insecure test KDF", needs_password=False,
                    password=ks.password)


def _seal(key: bytes, plain: bytes, aad: bytes) -> dict:
    nonce = os.urandom(12)
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
    cipher.update(aad)
    ct, tag = cipher.encrypt_and_digest(plain)
    return {"nonce": nonce.hex(), "ct": (ct + tag).hex()}


def test_fingerprint_layer_catches_a_reencrypted_header(ks_home: Path, ks: Any) -> None:
    """An attacker who knows the password re-seals everything under a false fingerprint.

    Built with pycryptodome's AES-GCM, independently of keystore.vault, so only the fingerprint
    re-derivation can notice.
    """
    doc = _load(ks_home)
    kdf = doc["kdf"]
    pkey = Argon2id(salt=bytes.fromhex(kdf["salt"]), length=32, iterations=kdf["iterations"],
                    lanes=kdf["lanes"], memory_cost=kdf["memory_kib"]).derive(ks.password.encode())
    data_key = os.urandom(32)
    doc["fingerprint"] = "deadbeef"
    wrap_aad = ks.canonical({k: doc[k] for k in ("format", "version", "id", "kdf", "fingerprint")})
    payload_aad = ks.canonical({k: doc[k] for k in ("format", "version", "id", "fingerprint")})
    secrets = {"mnemonic": ks.mnemonic, "passphrase": "", "language": "english", "imported": {},
               "accounts_digest": hashlib.sha256(ks.canonical(doc["accounts"])).hexdigest()}
    doc["wrap"] = _seal(pkey, data_key, wrap_aad)
    doc["payload"] = _seal(data_key, ks.canonical(secrets), payload_aad)
    _store(ks_home, ks, ks.with_checksum(doc))
    _assert_refused(ks_home, VaultCorrupted, "the master fingerprint does not match the stored seed",
                    needs_password=True, password=ks.password)
    # The same construction with the true fingerprint opens, so the check above is not an artefact.
    doc["fingerprint"] = "73c5da0a"
    wrap_aad = ks.canonical({k: doc[k] for k in ("format", "version", "id", "kdf", "fingerprint")})
    payload_aad = ks.canonical({k: doc[k] for k in ("format", "version", "id", "fingerprint")})
    doc["wrap"] = _seal(pkey, data_key, wrap_aad)
    doc["payload"] = _seal(data_key, ks.canonical(secrets), payload_aad)
    _store(ks_home, ks, ks.with_checksum(doc))
    assert vault.unlock(ks_home, "main", ks.password).secrets.mnemonic == ks.mnemonic


def test_payload_swapped_from_another_vault_is_refused(ks_home: Path, ks: Any) -> None:
    """Same seed, same password, different vault: the payload is bound to its vault id."""
    vault.create_vault(ks_home, "twin", ks.password, vault.VaultSecrets(ks.mnemonic), ks.accounts)
    doc = _load(ks_home)
    twin = json.loads(vault.vault_path(ks_home, "twin").read_bytes())
    doc["payload"] = twin["payload"]
    _store(ks_home, ks, ks.with_checksum(doc))
    _assert_refused(ks_home, VaultCorrupted, "the encrypted payload failed authentication",
                    needs_password=True, password=ks.password)
