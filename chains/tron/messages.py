"""TIP-191 message signing, as TronWeb's signMessageV2 and TronLink do.

The digest is keccak256("\\x19TRON Signed Message:\\n" + decimal length + message); the signature is
r || s || v with v = 27 + recovery id, written as 0x-prefixed hex.
"""

from __future__ import annotations

from chains.tron.sign import recover_address, sign_digest

PREFIX = b"\x19TRON Signed Message:\n"


def digest(message: bytes) -> bytes:
    from keystore.addresses import keccak256

    return keccak256(PREFIX + str(len(message)).encode() + message)


def sign(message: bytes, private_key: bytes) -> str:
    sig = sign_digest(private_key, digest(message))
    return "0x" + (sig[:64] + bytes([sig[64] + 27])).hex()


def verify(message: bytes, signature: str, address: str) -> bool:
    try:
        raw = bytes.fromhex(signature.strip().removeprefix("0x"))
    except ValueError:
        return False
    return recover_address(digest(message), raw) == address
