"""secp256k1 signatures over a TRON txID or message hash: 65 bytes r || s || v, v the recovery id (0 or 1).

coincurve (libsecp256k1) signs with RFC 6979 nonces and low s, as java-tron expects.
"""

from __future__ import annotations

import coincurve

from chains.errors import BadInput
from chains.tron.address import from_pubkey
from wallet_i18n import _


def sign_digest(private_key: bytes, digest: bytes) -> bytes:
    if len(private_key) != 32 or len(digest) != 32:
        raise BadInput(_('a TRON signature needs a 32-byte key and a 32-byte digest'))
    return coincurve.PrivateKey(private_key).sign_recoverable(digest, hasher=None)


def recover_address(digest: bytes, signature: bytes) -> str | None:
    """The TRON address whose key made this signature, or None if it is not a valid signature."""
    if len(signature) != 65 or len(digest) != 32:
        return None
    v = signature[64]
    if v >= 27:                 # TronWeb and TronLink may write v as 27/28
        v -= 27
    if v not in (0, 1):
        return None
    try:
        pub = coincurve.PublicKey.from_signature_and_message(signature[:64] + bytes([v]), digest, hasher=None)
    except Exception:           # coincurve raises a bare Exception for an invalid signature
        return None
    return from_pubkey(pub.format(compressed=False))


def address_of_key(private_key: bytes) -> str:
    return from_pubkey(coincurve.PrivateKey(private_key).public_key.format(compressed=False))
