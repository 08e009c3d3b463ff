"""Web3 Secret Storage v3 (the geth / MetaMask / cast keystore JSON): import and export of one EVM key.

Parameters are capped before any KDF runs, so a hostile file cannot make us allocate gigabytes or spin
for hours; the MAC is compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from typing import Any

import coincurve
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from eth_hash.auto import keccak

from keystore.boundedio import loads_json
from keystore.errors import BadSecretInput, WrongPassword
from wallet_i18n import _

SCRYPT_MAX_N = 2**20
SCRYPT_MAX_R = 16
SCRYPT_MAX_P = 16
# 128 * n * r bytes is scrypt's working memory; 1 GiB covers geth's "standard" and "light" settings.
SCRYPT_MAX_MEMORY = 1 << 30
PBKDF2_MAX_C = 10_000_000
DKLEN = 32
MAX_SALT = 1024
EXPORT_SCRYPT_N = 2**18
EXPORT_SCRYPT_R = 8
EXPORT_SCRYPT_P = 1
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _bad(what: str) -> BadSecretInput:
    """`what` is a translated reason."""
    return BadSecretInput(_("not a valid Web3 Secret Storage v3 keystore: {reason}").format(reason=what))


def _hex(value: Any, label: str, length: int | None = None, max_len: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise _bad(_("'{label}' is not a hex string").format(label=label))
    text = value[2:] if value[:2] in ("0x", "0X") else value
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise _bad(_("'{label}' is not valid hex").format(label=label)) from None
    if len(text) != 2 * len(data) or not data:
        raise _bad(_("'{label}' is empty or not valid hex").format(label=label))
    if length is not None and len(data) != length:
        raise _bad(_("'{label}' must be {length} bytes, found {found}").format(label=label, length=length,
                                                                               found=len(data)))
    if max_len is not None and len(data) > max_len:
        raise _bad(_("'{label}' must be at most {max_len} bytes, found {found}").format(
            label=label, max_len=max_len, found=len(data)))
    return data


def _int(params: dict, key: str, low: int, high: int) -> int:
    value = params.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _bad(_("kdfparams.{key} is missing or not an integer").format(key=key))
    if not low <= value <= high:
        raise _bad(_("kdfparams.{key} = {value} is outside the accepted range {low}..{high}").format(
            key=key, value=value, low=low, high=high))
    return value


def _obj(parent: dict, key: str) -> dict:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise _bad(_("'{key}' is missing or not an object").format(key=key))
    return value


def _derive(crypto: dict, password: bytes) -> bytes:
    kdf = crypto.get("kdf")
    params = _obj(crypto, "kdfparams")
    if params.get("dklen") != DKLEN:
        raise _bad(_("kdfparams.dklen must be {dklen}").format(dklen=DKLEN))
    salt = _hex(params.get("salt"), "kdfparams.salt", max_len=MAX_SALT)
    if kdf == "scrypt":
        n = _int(params, "n", 2, SCRYPT_MAX_N)
        if n & (n - 1):
            raise _bad(_("kdfparams.n = {n} is not a power of two").format(n=n))
        r = _int(params, "r", 1, SCRYPT_MAX_R)
        p = _int(params, "p", 1, SCRYPT_MAX_P)
        if 128 * n * r > SCRYPT_MAX_MEMORY:
            raise _bad(_("scrypt n = {n}, r = {r} needs more than {mib} MiB of memory").format(
                n=n, r=r, mib=SCRYPT_MAX_MEMORY >> 20))
        return _scrypt(password, salt, n, r, p)
    if kdf == "pbkdf2":
        if params.get("prf") != "hmac-sha256":
            raise _bad(_("kdfparams.prf must be 'hmac-sha256'"))
        c = _int(params, "c", 1, PBKDF2_MAX_C)
        return PBKDF2HMAC(algorithm=hashes.SHA256(), length=DKLEN, salt=salt, iterations=c).derive(password)
    raise _bad(_("unsupported kdf {kdf!r} (expected 'scrypt' or 'pbkdf2')").format(kdf=kdf))


def _scrypt(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    # OpenSSL refuses n >= 2**(16*r) (RFC 7914's bound), yet real files use r=1 with n=2**18 (the
    # official test vector does); pycryptodome, already installed with eth-account, has no such limit.
    if n.bit_length() - 1 < 16 * r:
        return Scrypt(salt=salt, length=DKLEN, n=n, r=r, p=p).derive(password)
    from Crypto.Protocol.KDF import scrypt

    return bytes(scrypt(password, salt, DKLEN, N=n, r=r, p=p))  # type: ignore[arg-type]


def _aes_128_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    ctx = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return ctx.update(data) + ctx.finalize()


def _check_private_key(key: bytes) -> None:
    if len(key) != 32 or not 0 < int.from_bytes(key, "big") < _SECP256K1_N:
        raise BadSecretInput(_("the private key is not a valid secp256k1 key"))


def address_of(private_key: bytes) -> str:
    """The EVM address of a key as lowercase hex without 0x, as keystore files store it."""
    _check_private_key(private_key)
    public = coincurve.PrivateKey(private_key).public_key.format(compressed=False)
    return keccak(public[1:])[-20:].hex()


def _load(data: bytes | str | dict) -> dict:
    if isinstance(data, dict):
        return data
    try:
        doc = loads_json(data)
    except (ValueError, UnicodeDecodeError):
        raise _bad(_("the file is not valid JSON")) from None
    if not isinstance(doc, dict):
        raise _bad(_("the file is not a JSON object"))
    return doc


def decrypt_keystore(data: bytes | str | dict, password: str) -> bytes:
    """Return the 32-byte private key of a v3 keystore (scrypt or pbkdf2, aes-128-ctr)."""
    doc = _load(data)
    if doc.get("version") != 3:
        raise _bad(_("unsupported version {version!r} (only version 3 is supported)").format(
            version=doc.get("version")))
    # MyEtherWallet wrote "Crypto"; geth accepts both spellings.
    crypto = doc.get("crypto", doc.get("Crypto"))
    if not isinstance(crypto, dict):
        raise _bad(_("'crypto' is missing or not an object"))
    if crypto.get("cipher") != "aes-128-ctr":
        raise _bad(_("unsupported cipher {cipher!r} (expected 'aes-128-ctr')").format(cipher=crypto.get("cipher")))
    iv = _hex(_obj(crypto, "cipherparams").get("iv"), "cipherparams.iv", 16)
    # Keystores written before geth PR #3032 hold a key with leading zeros stripped (30 or 31 bytes).
    ciphertext = _hex(crypto.get("ciphertext"), "ciphertext", max_len=32)
    mac = _hex(crypto.get("mac"), "mac", 32)
    if not isinstance(password, str):
        raise BadSecretInput(_("the keystore password must be text"))
    derived = _derive(crypto, password.encode("utf-8"))
    if not hmac.compare_digest(keccak(derived[16:32] + ciphertext), mac):
        raise WrongPassword(_("wrong password for the keystore file (MAC mismatch)"))
    key = _aes_128_ctr(derived[:16], iv, ciphertext).rjust(32, b"\x00")
    _check_private_key(key)
    stated = doc.get("address")
    if stated is not None:
        if not isinstance(stated, str):
            raise _bad(_("'address' is not a string"))
        if stated.lower().removeprefix("0x") != address_of(key):
            raise BadSecretInput(_("the keystore's address field does not match the key inside it"))
    return key


def encrypt_keystore(private_key: bytes, password: str, *, scrypt_n: int = EXPORT_SCRYPT_N) -> dict:
    """A v3 keystore dict with scrypt (n, r=8, p=1) that geth, cast and MetaMask open."""
    _check_private_key(private_key)
    if not isinstance(password, str) or password == "":
        raise BadSecretInput(_("refusing to export a keystore with an empty password"))
    if not 2 <= scrypt_n <= SCRYPT_MAX_N or scrypt_n & (scrypt_n - 1):
        raise BadSecretInput(_("scrypt n must be a power of two between 2 and {max_n}").format(max_n=SCRYPT_MAX_N))
    salt = secrets.token_bytes(32)
    iv = secrets.token_bytes(16)
    derived = _scrypt(password.encode("utf-8"), salt, scrypt_n, EXPORT_SCRYPT_R, EXPORT_SCRYPT_P)
    ciphertext = _aes_128_ctr(derived[:16], iv, private_key)
    return {
        "address": address_of(private_key),
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": iv.hex()},
            "ciphertext": ciphertext.hex(),
            "kdf": "scrypt",
            "kdfparams": {"dklen": DKLEN, "n": scrypt_n, "p": EXPORT_SCRYPT_P, "r": EXPORT_SCRYPT_R,
                          "salt": salt.hex()},
            "mac": keccak(derived[16:32] + ciphertext).hex(),
        },
        "id": str(uuid.uuid4()),
        "version": 3,
    }
