"""The encrypted vault file: strict JSON, Argon2id password key, AES-256-GCM wrapped data key.

Layers, outermost first:
  checksum      sha256 over every other field: catches accidental damage with a precise message.
  wrap AEAD     the password key decrypts the data key; the AAD binds format, version, id, kdf, fingerprint.
  payload AEAD  the data key decrypts the secrets; the AAD binds format, version, id, fingerprint (not kdf,
                so a password change rewrites only kdf and wrap).
  digest        the payload holds a sha256 of the plaintext account index, so an edited index is detected on
                every unlock.
  fingerprint   the BIP32 master fingerprint is derived again from the decrypted seed and compared.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets as _secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keystore import files, hd
from keystore.boundedio import loads_json
from keystore.errors import (
    BadSecretInput,
    BadVaultName,
    UnsafeVaultFile,
    VaultCorrupted,
    VaultExists,
    VaultNotFound,
    WrongPassword,
)

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
            "a vault name must be 1-64 letters, digits, '-' or '_', starting with a letter or digit"
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
    return VaultCorrupted(f"vault '{name}' is damaged: {what}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _reject_constant(token: str) -> Any:
    raise ValueError(f"non-standard number {token}")


def _loads(raw: bytes) -> Any:
    return loads_json(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)


def _exact_fields(name: str, obj: Any, expected: tuple[str, ...], where: str) -> dict:
    if not isinstance(obj, dict):
        raise _corrupt(name, f"{where} is not a JSON object")
    for key in expected:
        if key not in obj:
            raise _corrupt(name, f"the field '{_join(where, key)}' is missing")
    for key in obj:
        if key not in expected:
            raise _corrupt(name, f"unexpected field '{_join(where, key)}'")
    return obj


def _join(where: str, key: str) -> str:
    return key if where == "the file" else f"{where}.{key}"


def _int(name: str, value: Any, label: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _corrupt(name, f"'{label}' is not an integer")
    return value


def _hex(name: str, value: Any, label: str, length: int | None = None, min_len: int = 0) -> bytes:
    if not isinstance(value, str) or not _HEX_RE.fullmatch(value):
        raise _corrupt(name, f"'{label}' is not lowercase hex")
    data = bytes.fromhex(value)
    if length is not None and len(data) != length:
        raise _corrupt(name, f"'{label}' must be {length} bytes, found {len(data)}")
    if len(data) < min_len:
        raise _corrupt(name, f"'{label}' must be at least {min_len} bytes, found {len(data)}")
    return data


def _check_kdf(name: str, kdf: dict, weak_flag: bool) -> bool:
    """Validate KDF bounds before running anything expensive; return True when this is a weak test vault."""
    if kdf["name"] != "argon2id":
        raise _corrupt(name, f"unsupported kdf.name {kdf['name']!r} (expected 'argon2id')")
    for key, cap in KDF_CAPS.items():
        value = kdf[key]
        if value < 1:
            raise _corrupt(name, f"kdf.{key} must be at least 1")
        if value > cap:
            raise _corrupt(name, f"kdf.{key} = {value} exceeds the maximum {cap}")
    if kdf["memory_kib"] < 8 * kdf["lanes"]:
        raise _corrupt(name, "kdf.memory_kib must be at least 8 x kdf.lanes")
    below = [k for k, floor in DEFAULT_KDF.items() if kdf[k] < floor]
    if not below:
        if weak_flag:
            raise _corrupt(name, "weak_kdf is set but the KDF parameters are not weak")
        return False
    if not weak_flag:
        key = below[0]
        raise _corrupt(name, f"kdf.{key} = {kdf[key]} is below the minimum {DEFAULT_KDF[key]}")
    if not insecure_test_kdf_enabled():
        raise UnsafeVaultFile(
            f"vault '{name}' uses the insecure test KDF; it opens only with {TEST_KDF_ENV}=1, "
            "which is for tests only"
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
        raise _corrupt(name, "the file is not valid JSON (truncated or overwritten)") from None
    if not isinstance(doc, dict):
        raise _corrupt(name, "the file is not a JSON object")
    if doc.get("format") != FORMAT:
        raise _corrupt(name, f"the field 'format' is not {FORMAT!r}; this is not a wallet vault")
    version = _int(name, doc.get("version"), "version")
    if version != VERSION:
        raise _corrupt(name, f"unsupported vault version {version} (this wallet reads version {VERSION})")
    _exact_fields(name, doc, _TOP_FIELDS + ((_POLICY_FIELD,) if _POLICY_FIELD in doc else ()), "the file")
    if _POLICY_FIELD in doc:
        _hex(name, doc[_POLICY_FIELD], _POLICY_FIELD, 32)
    if not isinstance(doc["id"], str) or not _is_uuid(doc["id"]):
        raise _corrupt(name, "'id' is not a UUID")
    if not isinstance(doc["name"], str):
        raise _corrupt(name, "'name' is not a string")
    kdf = _exact_fields(name, doc["kdf"], _KDF_FIELDS, "kdf")
    if not isinstance(kdf["name"], str):
        raise _corrupt(name, "'kdf.name' is not a string")
    for key in KDF_CAPS:
        _int(name, kdf[key], f"kdf.{key}")
    salt = _hex(name, kdf["salt"], "kdf.salt", min_len=SALT_LEN)
    if not isinstance(doc["weak_kdf"], bool):
        raise _corrupt(name, "'weak_kdf' is not true or false")
    _hex(name, doc["fingerprint"], "fingerprint", 4)
    wrap = _exact_fields(name, doc["wrap"], ("nonce", "ct"), "wrap")
    wrap_nonce = _hex(name, wrap["nonce"], "wrap.nonce", NONCE_LEN)
    wrap_ct = _hex(name, wrap["ct"], "wrap.ct", KEY_LEN + TAG_LEN)
    payload = _exact_fields(name, doc["payload"], ("nonce", "ct"), "payload")
    payload_nonce = _hex(name, payload["nonce"], "payload.nonce", NONCE_LEN)
    payload_ct = _hex(name, payload["ct"], "payload.ct", min_len=TAG_LEN + 1)
    accounts = doc["accounts"]
    if not isinstance(accounts, list) or not all(isinstance(a, dict) for a in accounts):
        raise _corrupt(name, "'accounts' is not a list of objects")
    _hex(name, doc["checksum"], "checksum", 32)
    if _checksum(doc) != doc["checksum"]:
        raise _corrupt(name, "the checksum does not match the contents (the file was altered or damaged)")
    weak = _check_kdf(name, kdf, doc["weak_kdf"])
    if doc["name"] != name:
        raise _corrupt(name, f"the field 'name' says {doc['name']!r}, not the file's name")
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
        raise VaultNotFound(f"no vault named '{name}' in {vault_dir(home)}")
    files.check_private_dir(path.parent)
    return _parse(name, path, files.read_private_file(path))


# ---------------------------------------------------------------- crypto


def _password_key(password: str, kdf: dict, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id  # lazy: listing needs no crypto

    return Argon2id(salt=salt, length=KEY_LEN, iterations=kdf["iterations"], lanes=kdf["lanes"],
                    memory_cost=kdf["memory_kib"]).derive(password.encode("utf-8"))


def _new_kdf(weak: bool) -> dict:
    params = WEAK_KDF if weak else DEFAULT_KDF
    return {"name": "argon2id", **params, "salt": _secrets.token_bytes(SALT_LEN).hex()}


def _secrets_payload(secrets: VaultSecrets, accounts: list[dict]) -> bytes:
    body: dict[str, Any] = {"mnemonic": secrets.mnemonic, "passphrase": secrets.passphrase,
                            "language": secrets.language, "imported": secrets.imported,
                            "accounts_digest": _sha256_hex(accounts)}
    for key in _OPTIONAL_PAYLOAD_FIELDS:
        if getattr(secrets, key) is not None:
            body[key] = getattr(secrets, key)
    return canonical_json(body)


def _seal_payload(doc: dict, data_key: bytes, secrets: VaultSecrets) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_LEN)
    ct = AESGCM(data_key).encrypt(nonce, _secrets_payload(secrets, doc["accounts"]), _payload_aad(doc))
    doc["payload"] = {"nonce": nonce.hex(), "ct": ct.hex()}


def _seal_wrap(doc: dict, password: str, data_key: bytes) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kdf = doc["kdf"]
    pkey = _password_key(password, kdf, bytes.fromhex(kdf["salt"]))
    nonce = os.urandom(NONCE_LEN)
    doc["wrap"] = {"nonce": nonce.hex(), "ct": AESGCM(pkey).encrypt(nonce, data_key, _wrap_aad(doc)).hex()}


def _serialise(doc: dict) -> bytes:
    doc["checksum"] = _checksum(doc)
    ordered = {k: doc[k] for k in _TOP_FIELDS[:-1] + (_POLICY_FIELD, "checksum") if k in doc}
    return (json.dumps(ordered, indent=2, allow_nan=False) + "\n").encode()


WATCH_ONLY_FINGERPRINT = "00000000"   # a vault without a seed (watch-only accounts, imported keys)


def _fingerprint_of(secrets: VaultSecrets) -> str:
    if secrets.mnemonic == "":
        return WATCH_ONLY_FINGERPRINT
    try:
        return hd.master_fingerprint(hd.seed_from_mnemonic(secrets.mnemonic, secrets.passphrase)).hex()
    except BadSecretInput:
        raise
    except Exception:
        # bip-utils errors may quote the phrase; never let them through.
        raise BadSecretInput("the mnemonic is not a valid BIP39 phrase") from None


def _check_secrets(secrets: VaultSecrets) -> None:
    # "" is a vault without a seed (watch-only); a phrase of only spaces is a mistake.
    if not isinstance(secrets.mnemonic, str) or (secrets.mnemonic and not secrets.mnemonic.strip()):
        raise BadSecretInput("the mnemonic is empty")
    if not isinstance(secrets.passphrase, str) or not isinstance(secrets.language, str):
        raise BadSecretInput("the passphrase and language must be strings")
    if not isinstance(secrets.imported, dict):
        raise BadSecretInput("imported keys must be a mapping")


def _check_new_password(password: str) -> None:
    if not isinstance(password, str) or password == "":
        raise BadSecretInput("the new password is empty; choose a non-empty password")


# ---------------------------------------------------------------- public API


def create_vault(home: Path, name: str, password: str, secrets: VaultSecrets, accounts: list[dict], *,
                 _on_step: Callable[[str], None] | None = None) -> VaultInfo:
    """Write a new vault; refuse to overwrite an existing one."""
    path = vault_path(home, name)
    _check_new_password(password)
    _check_secrets(secrets)
    accounts = list(accounts)
    canonical_json(accounts)  # fail now, not after the KDF, if the index is not JSON
    fingerprint = _fingerprint_of(secrets)
    weak = insecure_test_kdf_enabled()
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "id": str(uuid.uuid4()), "name": name,
                           "kdf": _new_kdf(weak), "weak_kdf": weak, "fingerprint": fingerprint,
                           "accounts": accounts}
    data_key = _secrets.token_bytes(KEY_LEN)
    _seal_wrap(doc, password, data_key)
    _seal_payload(doc, data_key, secrets)
    files.ensure_private_dir(Path(home))
    files.ensure_private_dir(path.parent)
    with files.locked(path):
        if path.exists() or path.is_symlink():
            raise VaultExists(f"a vault named '{name}' already exists; refusing to overwrite it")
        files.cleanup_temp_files(path.parent, path.name)
        files.atomic_write(path, _serialise(doc), _on_step=_on_step)
    return _parse(name, path, files.read_private_file(path)).info


def read_info(home: Path, name: str) -> VaultInfo:
    """The public part of a vault (account index, fingerprint, KDF), checked but without a password."""
    return _read(home, name).info


_HEADER = ("format", "version", "id", "kdf", "fingerprint", "wrap", _POLICY_FIELD)


def _unlock_parsed(parsed: _Parsed, password: str,
                   prior: tuple[_Parsed, UnlockedVault] | None = None) -> UnlockedVault:
    """Decrypt and verify. With `prior` (the same vault unlocked moments ago, outside the lock), reuse its
    data key and fingerprint check when the header is unchanged, so the lock is held for milliseconds."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    info, doc = parsed.info, parsed.doc
    if not isinstance(password, str):
        raise BadSecretInput("the password must be text")
    same_header = prior is not None and all(doc.get(k) == prior[0].doc.get(k) for k in _HEADER)
    if prior is not None and same_header:
        data_key = prior[1]._data_key
    else:
        pkey = _password_key(password, info.kdf, parsed.salt)
        try:
            data_key = AESGCM(pkey).decrypt(parsed.wrap_nonce, parsed.wrap_ct, _wrap_aad(doc))
        except InvalidTag:
            raise WrongPassword(f"wrong password for vault '{info.name}'") from None
    try:
        plain = AESGCM(data_key).decrypt(parsed.payload_nonce, parsed.payload_ct, _payload_aad(doc))
    except InvalidTag:
        raise _corrupt(info.name, "the encrypted payload failed authentication "
                                  "(payload.nonce or payload.ct was altered)") from None
    vs, digest = _decode_payload(info.name, plain)
    if digest != _sha256_hex(info.accounts):
        raise _corrupt(info.name, "the account index was modified outside the wallet")
    if doc.get(_POLICY_FIELD) != (None if vs.policy is None else _sha256_hex(vs.policy)):
        raise _corrupt(info.name, "the spending policy in the payload is not the one the password set "
                                  "(the payload was replaced)")
    if not (prior is not None and same_header and _seed_of(vs) == _seed_of(prior[1].secrets)):
        try:
            fingerprint = _fingerprint_of(vs)
        except BadSecretInput:
            raise _corrupt(info.name, "the stored mnemonic is not a valid BIP39 phrase") from None
        if fingerprint != info.fingerprint:
            raise _corrupt(info.name, "the master fingerprint does not match the stored seed")
    return UnlockedVault(info=info, secrets=vs, weak=info.weak, _data_key=data_key)


def _seed_of(vs: VaultSecrets) -> tuple[str, str]:
    return vs.mnemonic, vs.passphrase


def _decode_payload(name: str, plain: bytes) -> tuple[VaultSecrets, str]:
    try:
        body = _loads(plain)
    except (ValueError, UnicodeDecodeError):
        raise _corrupt(name, "the decrypted payload is not valid JSON") from None
    if not isinstance(body, dict):
        raise _corrupt(name, "the decrypted payload is not a JSON object")
    present = tuple(k for k in _OPTIONAL_PAYLOAD_FIELDS if k in body)
    body = _exact_fields(name, body, _PAYLOAD_FIELDS + present, "payload")
    for key in ("mnemonic", "passphrase", "language", "accounts_digest"):
        if not isinstance(body[key], str):
            raise _corrupt(name, f"the payload field '{key}' is not a string")
    imported = body["imported"]
    if not isinstance(imported, dict) or not all(isinstance(v, dict) for v in imported.values()):
        raise _corrupt(name, "the payload field 'imported' is not an object of objects")
    for key in present:
        if not isinstance(body[key], dict):
            raise _corrupt(name, f"the payload field '{key}' is not an object")
    vs = VaultSecrets(mnemonic=body["mnemonic"], passphrase=body["passphrase"], language=body["language"],
                      imported=imported, policy=body.get("policy"), journal=body.get("journal"))
    return vs, body["accounts_digest"]


def unlock(home: Path, name: str, password: str) -> UnlockedVault:
    """Decrypt the vault (one KDF run). The file is never modified."""
    return _unlock_parsed(_read(home, name), password)


def update(home: Path, name: str, password: str, mutate: Callable[[UnlockedVault], None], *,
           _on_step: Callable[[str], None] | None = None) -> UnlockedVault:
    """Read, unlock, mutate and rewrite the vault under its lock, so concurrent updates never lose data.

    `mutate` may change `.info.accounts` and `.secrets.imported`. Only the payload is re-encrypted (fresh
    nonce, same data key); the wrap is left as it is.
    """
    path = vault_path(home, name)
    # The KDF and the first fingerprint derivation run before taking the lock, so writers queue briefly.
    first = _read(home, name)
    prior = (first, _unlock_parsed(first, password))
    with files.locked(path):
        files.cleanup_temp_files(path.parent, path.name)
        parsed = _read(home, name)
        vault = _unlock_parsed(parsed, password, prior)
        seed_words, policy = _seed_of(vault.secrets), vault.secrets.policy
        mutate(vault)
        accounts = vault.info.accounts
        if not isinstance(accounts, list) or not all(isinstance(a, dict) for a in accounts):
            raise BadSecretInput("the account index must be a list of objects")
        _check_secrets(vault.secrets)
        if _seed_of(vault.secrets) != seed_words:
            raise BadSecretInput("an update may not replace the seed of a vault")
        if vault.secrets.policy != policy:
            raise BadSecretInput("the spending policy changes only through set_policy")
        doc = dict(parsed.doc)
        doc["accounts"] = accounts
        _seal_payload(doc, vault._data_key, vault.secrets)
        files.atomic_write(path, _serialise(doc), _on_step=_on_step)
        vault.info = _parse(name, path, files.read_private_file(path)).info
    return vault


def change_password(home: Path, name: str, old: str, new: str, *,
                    _on_step: Callable[[str], None] | None = None) -> None:
    """Re-wrap the data key under a new password and salt; the payload ciphertext stays byte-identical."""
    _check_new_password(new)
    path = vault_path(home, name)
    # Both KDF runs (old and new password) happen before taking the lock.
    first = _read(home, name)
    prior = (first, _unlock_parsed(first, old))
    weak = prior[1].weak  # never downgrade a strong vault, even while the test setting is on
    rewrapped = {**first.doc, "kdf": _new_kdf(weak=weak), "weak_kdf": weak}
    _seal_wrap(rewrapped, new, prior[1]._data_key)
    with files.locked(path):
        files.cleanup_temp_files(path.parent, path.name)
        parsed = _read(home, name)
        vault = _unlock_parsed(parsed, old, prior)
        doc = dict(parsed.doc)
        if all(parsed.doc.get(k) == first.doc.get(k) for k in _HEADER):
            doc.update({k: rewrapped[k] for k in ("kdf", "weak_kdf", "wrap")})
        else:  # the header changed meanwhile (and the old password still opened it): wrap again
            doc.update({"kdf": _new_kdf(weak=vault.weak), "weak_kdf": vault.weak})
            _seal_wrap(doc, new, vault._data_key)
        files.atomic_write(path, _serialise(doc), _on_step=_on_step)


def reseal(home: Path, name: str, vault: UnlockedVault, mutate: Callable[[UnlockedVault], None]) -> UnlockedVault:
    """Like update, for a vault unlocked earlier in this process (or the agent): no KDF, no password.

    The data key proves the caller unlocked it; if the header changed since (a password change), the
    old data key no longer opens the wrap's vault and this refuses instead of guessing.
    """
    path = vault_path(home, name)
    with files.locked(path):
        files.cleanup_temp_files(path.parent, path.name)
        parsed = _read(home, name)
        if parsed.info.id != vault.info.id or parsed.info.fingerprint != vault.info.fingerprint:
            raise _corrupt(name, "the vault file was replaced by another vault while it was open")
        fresh = _unlock_parsed(parsed, "", (parsed, vault))
        if fresh.secrets.policy != vault.secrets.policy:
            # An older copy of the file (or a policy set meanwhile): never adopt a policy without the password.
            raise _corrupt(name, "its spending policy changed since it was unlocked; unlock it again")
        seed_words, policy = _seed_of(fresh.secrets), fresh.secrets.policy
        mutate(fresh)
        if fresh.secrets.policy != policy:
            raise BadSecretInput("the spending policy changes only through set_policy")
        _check_secrets(fresh.secrets)
        if _seed_of(fresh.secrets) != seed_words:
            raise BadSecretInput("an update may not replace the seed of a vault")
        doc = dict(parsed.doc)
        doc["accounts"] = fresh.info.accounts
        _seal_payload(doc, fresh._data_key, fresh.secrets)
        files.atomic_write(path, _serialise(doc))
        fresh.info = _parse(name, path, files.read_private_file(path)).info
    return fresh


def set_policy(home: Path, name: str, password: str, policy: dict | None) -> UnlockedVault:
    """Store a spending policy (None removes it). Needs the password: the wrap is sealed again so that its
    AAD binds the policy's digest (one KDF run, under the lock; setting a policy is rare)."""
    path = vault_path(home, name)
    if policy is not None:
        canonical_json(policy)
    first = _read(home, name)
    prior = (first, _unlock_parsed(first, password))
    with files.locked(path):
        files.cleanup_temp_files(path.parent, path.name)
        parsed = _read(home, name)
        vault = _unlock_parsed(parsed, password, prior)
        doc = dict(parsed.doc)
        doc.pop(_POLICY_FIELD, None)
        if policy is not None:
            doc[_POLICY_FIELD] = _sha256_hex(policy)
        vault.secrets.policy = policy
        _seal_wrap(doc, password, vault._data_key)
        _seal_payload(doc, vault._data_key, vault.secrets)
        files.atomic_write(path, _serialise(doc))
        vault.info = _parse(name, path, files.read_private_file(path)).info
    return vault
