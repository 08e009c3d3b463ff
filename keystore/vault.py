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

import json
import os
import secrets as _secrets
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from keystore import files, hd
from keystore.errors import (
    BadSecretInput,
    VaultExists,
    WrongPassword,
)
from keystore.vault_format import (  # noqa: F401 - some names are re-exported for callers of keystore.vault
    _OPTIONAL_PAYLOAD_FIELDS,
    _PAYLOAD_FIELDS,
    _POLICY_FIELD,
    _TOP_FIELDS,
    DEFAULT_KDF,
    FORMAT,
    KDF_CAPS,
    KEY_LEN,
    NONCE_LEN,
    SALT_LEN,
    TAG_LEN,
    TEST_KDF_ENV,
    VERSION,
    WEAK_KDF,
    UnlockedVault,
    VaultInfo,
    VaultSecrets,
    _checksum,
    _corrupt,
    _exact_fields,
    _loads,
    _parse,
    _Parsed,
    _payload_aad,
    _read,
    _sha256_hex,
    _wrap_aad,
    canonical_json,
    insecure_test_kdf_enabled,
    list_vaults,
    vault_dir,
    vault_path,
)
from wallet_i18n import _

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
        raise BadSecretInput(_("the mnemonic is not a valid BIP39 phrase")) from None


def _check_secrets(secrets: VaultSecrets) -> None:
    # "" is a vault without a seed (watch-only); a phrase of only spaces is a mistake.
    if not isinstance(secrets.mnemonic, str) or (secrets.mnemonic and not secrets.mnemonic.strip()):
        raise BadSecretInput(_("the mnemonic is empty"))
    if not isinstance(secrets.passphrase, str) or not isinstance(secrets.language, str):
        raise BadSecretInput(_("the passphrase and language must be strings"))
    if not isinstance(secrets.imported, dict):
        raise BadSecretInput(_("imported keys must be a mapping"))


def _check_new_password(password: str) -> None:
    if not isinstance(password, str) or password == "":
        raise BadSecretInput(_("the new password is empty; choose a non-empty password"))


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
            raise VaultExists(_("a vault named '{name}' already exists; refusing to overwrite it").format(name=name))
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
        raise BadSecretInput(_("the password must be text"))
    same_header = prior is not None and all(doc.get(k) == prior[0].doc.get(k) for k in _HEADER)
    if prior is not None and same_header:
        data_key = prior[1]._data_key
    else:
        pkey = _password_key(password, info.kdf, parsed.salt)
        try:
            data_key = AESGCM(pkey).decrypt(parsed.wrap_nonce, parsed.wrap_ct, _wrap_aad(doc))
        except InvalidTag:
            raise WrongPassword(_("wrong password for vault '{name}'").format(name=info.name)) from None
    try:
        plain = AESGCM(data_key).decrypt(parsed.payload_nonce, parsed.payload_ct, _payload_aad(doc))
    except InvalidTag:
        raise _corrupt(info.name, _("the encrypted payload failed authentication "
                                    "(payload.nonce or payload.ct was altered)")) from None
    vs, digest = _decode_payload(info.name, plain)
    if digest != _sha256_hex(info.accounts):
        raise _corrupt(info.name, _("the account index was modified outside the wallet"))
    if doc.get(_POLICY_FIELD) != (None if vs.policy is None else _sha256_hex(vs.policy)):
        raise _corrupt(info.name, _("the spending policy in the payload is not the one the password set "
                                    "(the payload was replaced)"))
    if not (prior is not None and same_header and _seed_of(vs) == _seed_of(prior[1].secrets)):
        try:
            fingerprint = _fingerprint_of(vs)
        except BadSecretInput:
            raise _corrupt(info.name, _("the stored mnemonic is not a valid BIP39 phrase")) from None
        if fingerprint != info.fingerprint:
            raise _corrupt(info.name, _("the master fingerprint does not match the stored seed"))
    return UnlockedVault(info=info, secrets=vs, weak=info.weak, _data_key=data_key)


def _seed_of(vs: VaultSecrets) -> tuple[str, str]:
    return vs.mnemonic, vs.passphrase


def _decode_payload(name: str, plain: bytes) -> tuple[VaultSecrets, str]:
    try:
        body = _loads(plain)
    except (ValueError, UnicodeDecodeError):
        raise _corrupt(name, _("the decrypted payload is not valid JSON")) from None
    if not isinstance(body, dict):
        raise _corrupt(name, _("the decrypted payload is not a JSON object"))
    present = tuple(k for k in _OPTIONAL_PAYLOAD_FIELDS if k in body)
    body = _exact_fields(name, body, _PAYLOAD_FIELDS + present, "payload")
    for key in ("mnemonic", "passphrase", "language", "accounts_digest"):
        if not isinstance(body[key], str):
            raise _corrupt(name, _("the payload field '{key}' is not a string").format(key=key))
    imported = body["imported"]
    if not isinstance(imported, dict) or not all(isinstance(v, dict) for v in imported.values()):
        raise _corrupt(name, _("the payload field 'imported' is not an object of objects"))
    for key in present:
        if not isinstance(body[key], dict):
            raise _corrupt(name, _("the payload field '{key}' is not an object").format(key=key))
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
            raise BadSecretInput(_("the account index must be a list of objects"))
        _check_secrets(vault.secrets)
        if _seed_of(vault.secrets) != seed_words:
            raise BadSecretInput(_("an update may not replace the seed of a vault"))
        if vault.secrets.policy != policy:
            raise BadSecretInput(_("the spending policy changes only through set_policy"))
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
            raise _corrupt(name, _("the vault file was replaced by another vault while it was open"))
        fresh = _unlock_parsed(parsed, "", (parsed, vault))
        if fresh.secrets.policy != vault.secrets.policy:
            # An older copy of the file (or a policy set meanwhile): never adopt a policy without the password.
            raise _corrupt(name, _("its spending policy changed since it was unlocked; unlock it again"))
        seed_words, policy = _seed_of(fresh.secrets), fresh.secrets.policy
        mutate(fresh)
        if fresh.secrets.policy != policy:
            raise BadSecretInput(_("the spending policy changes only through set_policy"))
        _check_secrets(fresh.secrets)
        if _seed_of(fresh.secrets) != seed_words:
            raise BadSecretInput(_("an update may not replace the seed of a vault"))
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
