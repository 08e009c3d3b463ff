"""EIP-191 personal_sign and EIP-712 typed-data signatures, and their verification."""

from __future__ import annotations

from typing import Any

from chains.base import Signer
from chains.errors import BadInput
from chains.evm.address import checksum
from wallet_i18n import _


def _key(signer: Signer) -> bytes:
    if len(signer.private_key) != 32:
        raise BadInput(_("the EVM signer needs a 32-byte private key"))
    return signer.private_key


def _sig_bytes(signature: str) -> bytes | None:
    s = signature.strip()
    s = s[2:] if s.startswith(("0x", "0X")) else s
    try:
        b = bytes.fromhex(s)
    except ValueError:
        return None
    return b if len(b) == 65 else None


def sign_message(message: bytes, signer: Signer) -> str:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    signed = Account.sign_message(encode_defunct(primitive=message), _key(signer))
    return "0x" + bytes(signed.signature).hex()


def recover_message(message: bytes, signature: str) -> str | None:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    sig = _sig_bytes(signature)
    if sig is None:
        return None
    try:
        return str(Account.recover_message(encode_defunct(primitive=message), signature=sig))
    except Exception:  # a malformed signature (bad v, s out of range) simply does not verify
        return None


def verify_message(message: bytes, signature: str, address: str) -> bool:
    signer = recover_message(message, signature)
    return signer is not None and signer == checksum(address)


def _encode_typed(typed: dict[str, Any]) -> Any:
    """Only strictly valid typed data, in the canonical form its review showed, is ever encoded."""
    from eth_account.messages import encode_typed_data

    from chains.evm.typed_data import canonical

    exact = canonical(typed)
    try:
        return encode_typed_data(full_message=exact)
    except Exception as e:
        raise BadInput(_("the EIP-712 typed data is invalid ({kind}: {reason})").format(
            kind=type(e).__name__, reason=e)) from None


def sign_typed_data(typed: dict[str, Any], signer: Signer) -> str:
    from eth_account import Account

    signed = Account.sign_message(_encode_typed(typed), _key(signer))
    return "0x" + bytes(signed.signature).hex()


def recover_typed_data(typed: dict[str, Any], signature: str) -> str | None:
    from eth_account import Account

    sig = _sig_bytes(signature)
    if sig is None:
        return None
    encoded = _encode_typed(typed)
    try:
        return str(Account.recover_message(encoded, signature=sig))
    except Exception:  # see recover_message
        return None


def verify_typed_data(typed: dict[str, Any], signature: str, address: str) -> bool:
    signer = recover_typed_data(typed, signature)
    return signer is not None and signer == checksum(address)
