"""The vault file's format: constants, value types, paths, and the strict parser.

The parser checks exact fields, types, lengths and KDF bounds before any KDF runs, so a damaged or hostile
file gets one sentence naming the field (VaultCorrupted) and unlocking never spends time or memory on
parameters below the floor or absurdly large. keystore.vault does the cryptography and the writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keystore import files
from keystore.boundedio import loads_json
from keystore.errors import (
    BadVaultName,
    UnsafeVaultFile,
    VaultCorrupted,
    VaultNotFound,
)
from wallet_i18n import _

FORMAT = "wallet-vault"
VERSION = 1
NONCE_LEN = 12
KEY_LEN = 32
TAG_LEN = 16
SALT_LEN = 16
# RFC 9106 second recommendation; also the minimum we accept from a file.
DEFAULT_KDF = {"memory_kib": 65536, "iterations": 3, "lanes": 4}
# The insecure test KDF, allowed only when the one test setting is on.
WEAK_KDF = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
KDF_CAPS = {"memory_kib": 4 * 1024 * 1024, "iterations": 64, "lanes": 64}
TEST_KDF_ENV = "WALLET_INSECURE_TEST_KDF"
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_HEX_RE = re.compile(r"(?:[0-9a-f]{2})*")
_TOP_FIELDS = ("format", "version", "id", "name", "kdf", "weak_kdf", "fingerprint", "wrap", "payload",
               "accounts", "checksum")
# Written once a spending policy is set: sha256 of the payload's policy, bound by the wrap's AAD, so only
# someone with the password can change which policy the payload must hold (a payload swapped for an
# older one, without the policy, is detected).
_POLICY_FIELD = "policy_digest"
_KDF_FIELDS = ("name", "memory_kib", "iterations", "lanes", "salt")
_PAYLOAD_FIELDS = ("mnemonic", "passphrase", "language", "imported", "accounts_digest")
# Optional payload fields, written only once set (older payloads stay byte-compatible):
#   policy   the spending policy (wallet_cli/policy.py's JSON form)
#   journal  {"id": journal identity, "count": signed transactions journalled} (the high-water mark)
_OPTIONAL_PAYLOAD_FIELDS = ("policy", "journal")


def insecure_test_kdf_enabled() -> bool:
    """The single place that reads the test setting."""
    return os.environ.get(TEST_KDF_ENV) == "1"


@dataclass(repr=False)
class VaultSecrets:
    mnemonic: str
    passphrase: str = ""
    language: str = "english"
    imported: dict[str, dict] = field(default_factory=dict)
    policy: dict | None = None
    journal: dict | None = None

    def __repr__(self) -> str:
        return "VaultSecrets(<hidden>)"


@dataclass
class VaultInfo:
    name: str
    id: str
    version: int
    path: Path
    kdf: dict
    weak: bool
    fingerprint: str
    accounts: list[dict]


@dataclass
class UnlockedVault:
    info: VaultInfo
    secrets: VaultSecrets
    weak: bool
    _data_key: bytes = field(default=b"", repr=False)


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def _sha256_hex(obj: Any) -> str:
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise BadVaultName(
            _("a vault name must be 1-64 letters, digits, '-' or '_', starting with a letter or digit")
        )
    return name


def vault_dir(home: Path) -> Path:
    return Path(home) / "vaults"


def vault_path(home: Path, name: str) -> Path:
    return vault_dir(home) / f"{_check_name(name)}.json"


def list_vaults(home: Path) -> list[str]:
    directory = vault_dir(home)
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.glob("*.json") if _NAME_RE.fullmatch(p.stem))


# ---------------------------------------------------------------- strict parsing


def _corrupt(name: str, what: str) -> VaultCorrupted:
    """`what` is a translated reason."""
    return VaultCorrupted(_("vault '{name}' is damaged: {reason}").format(name=name, reason=what))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")  # i18n: not shown (_parse says "not valid JSON")
        out[key] = value
    return out


def _reject_constant(token: str) -> Any:
    raise ValueError(f"non-standard number {token}")  # i18n: not shown (_parse says "not valid JSON")


def _loads(raw: bytes) -> Any:
    return loads_json(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)


def _exact_fields(name: str, obj: Any, expected: tuple[str, ...], where: str) -> dict:
    if not isinstance(obj, dict):
        if where == "the file":
            raise _corrupt(name, _("the file is not a JSON object"))
        raise _corrupt(name, _("{where} is not a JSON object").format(where=where))
    for key in expected:
        if key not in obj:
            raise _corrupt(name, _("the field '{field}' is missing").format(field=_join(where, key)))
    for key in obj:
        if key not in expected:
            raise _corrupt(name, _("unexpected field '{field}'").format(field=_join(where, key)))
    return obj


def _join(where: str, key: str) -> str:
    return key if where == "the file" else f"{where}.{key}"


def _int(name: str, value: Any, label: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _corrupt(name, _("'{label}' is not an integer").format(label=label))
    return value


def _hex(name: str, value: Any, label: str, length: int | None = None, min_len: int = 0) -> bytes:
    if not isinstance(value, str) or not _HEX_RE.fullmatch(value):
        raise _corrupt(name, _("'{label}' is not lowercase hex").format(label=label))
    data = bytes.fromhex(value)
    if length is not None and len(data) != length:
        raise _corrupt(name, _("'{label}' must be {length} bytes, found {found}").format(
            label=label, length=length, found=len(data)))
    if len(data) < min_len:
        raise _corrupt(name, _("'{label}' must be at least {min_len} bytes, found {found}").format(
            label=label, min_len=min_len, found=len(data)))
    return data


def _check_kdf(name: str, kdf: dict, weak_flag: bool) -> bool:
    """Validate KDF bounds before running anything expensive; return True when this is a weak test vault."""
    if kdf["name"] != "argon2id":
        raise _corrupt(name, _("unsupported kdf.name {kdf!r} (expected 'argon2id')").format(kdf=kdf["name"]))
    for key, cap in KDF_CAPS.items():
        value = kdf[key]
        if value < 1:
            raise _corrupt(name, _("kdf.{key} must be at least 1").format(key=key))
        if value > cap:
            raise _corrupt(name, _("kdf.{key} = {value} exceeds the maximum {cap}").format(
                key=key, value=value, cap=cap))
    if kdf["memory_kib"] < 8 * kdf["lanes"]:
        raise _corrupt(name, _("kdf.memory_kib must be at least 8 x kdf.lanes"))
    below = [k for k, floor in DEFAULT_KDF.items() if kdf[k] < floor]
    if not below:
        if weak_flag:
            raise _corrupt(name, _("weak_kdf is set but the KDF parameters are not weak"))
        return False
    if not weak_flag:
        key = below[0]
        raise _corrupt(name, _("kdf.{key} = {value} is below the minimum {minimum}").format(
            key=key, value=kdf[key], minimum=DEFAULT_KDF[key]))
    if not insecure_test_kdf_enabled():
        raise UnsafeVaultFile(
            _("vault '{name}' uses the insecure test KDF; it opens only with {env}=1, "
              "which is for tests only").format(name=name, env=TEST_KDF_ENV)
        )
    return True


@dataclass
class _Parsed:
    doc: dict
    info: VaultInfo
    salt: bytes
    wrap_nonce: bytes
    wrap_ct: bytes
    payload_nonce: bytes
    payload_ct: bytes


def _parse(name: str, path: Path, raw: bytes) -> _Parsed:
    try:
        doc = _loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _corrupt(name, _("the file is not valid JSON (truncated or overwritten)")) from None
    if not isinstance(doc, dict):
        raise _corrupt(name, _("the file is not a JSON object"))
    if doc.get("format") != FORMAT:
        raise _corrupt(name, _("the field 'format' is not {format!r}; this is not a wallet vault").format(
            format=FORMAT))
    version = _int(name, doc.get("version"), "version")
    if version != VERSION:
        raise _corrupt(name, _("unsupported vault version {version} (this wallet reads version {supported})").format(
            version=version, supported=VERSION))
    _exact_fields(name, doc, _TOP_FIELDS + ((_POLICY_FIELD,) if _POLICY_FIELD in doc else ()), "the file")
    if _POLICY_FIELD in doc:
        _hex(name, doc[_POLICY_FIELD], _POLICY_FIELD, 32)
    if not isinstance(doc["id"], str) or not _is_uuid(doc["id"]):
        raise _corrupt(name, _("'id' is not a UUID"))
    if not isinstance(doc["name"], str):
        raise _corrupt(name, _("'name' is not a string"))
    kdf = _exact_fields(name, doc["kdf"], _KDF_FIELDS, "kdf")
    if not isinstance(kdf["name"], str):
        raise _corrupt(name, _("'kdf.name' is not a string"))
    for key in KDF_CAPS:
        _int(name, kdf[key], f"kdf.{key}")
    salt = _hex(name, kdf["salt"], "kdf.salt", min_len=SALT_LEN)
    if not isinstance(doc["weak_kdf"], bool):
        raise _corrupt(name, _("'weak_kdf' is not true or false"))
    _hex(name, doc["fingerprint"], "fingerprint", 4)
    wrap = _exact_fields(name, doc["wrap"], ("nonce", "ct"), "wrap")
    wrap_nonce = _hex(name, wrap["nonce"], "wrap.nonce", NONCE_LEN)
    wrap_ct = _hex(name, wrap["ct"], "wrap.ct", KEY_LEN + TAG_LEN)
    payload = _exact_fields(name, doc["payload"], ("nonce", "ct"), "payload")
    payload_nonce = _hex(name, payload["nonce"], "payload.nonce", NONCE_LEN)
    payload_ct = _hex(name, payload["ct"], "payload.ct", min_len=TAG_LEN + 1)
    accounts = doc["accounts"]
    if not isinstance(accounts, list) or not all(isinstance(a, dict) for a in accounts):
        raise _corrupt(name, _("'accounts' is not a list of objects"))
    _hex(name, doc["checksum"], "checksum", 32)
    if _checksum(doc) != doc["checksum"]:
        raise _corrupt(name, _("the checksum does not match the contents (the file was altered or damaged)"))
    weak = _check_kdf(name, kdf, doc["weak_kdf"])
    if doc["name"] != name:
        raise _corrupt(name, _("the field 'name' says {value!r}, not the file's name").format(value=doc["name"]))
    info = VaultInfo(name=name, id=doc["id"], version=version, path=path, kdf=dict(kdf), weak=weak,
                     fingerprint=doc["fingerprint"], accounts=accounts)
    return _Parsed(doc, info, salt, wrap_nonce, wrap_ct, payload_nonce, payload_ct)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _checksum(doc: dict) -> str:
    return _sha256_hex({k: v for k, v in doc.items() if k != "checksum"})


def _wrap_aad(doc: dict) -> bytes:
    keys = ("format", "version", "id", "kdf", "fingerprint") + ((_POLICY_FIELD,) if _POLICY_FIELD in doc else ())
    return canonical_json({k: doc[k] for k in keys})


def _payload_aad(doc: dict) -> bytes:
    return canonical_json({k: doc[k] for k in ("format", "version", "id", "fingerprint")})


def _read(home: Path, name: str) -> _Parsed:
    path = vault_path(home, name)
    if not path.exists() and not path.is_symlink():
        raise VaultNotFound(_("no vault named '{name}' in {directory}").format(name=name, directory=vault_dir(home)))
    files.check_private_dir(path.parent)
    return _parse(name, path, files.read_private_file(path))
