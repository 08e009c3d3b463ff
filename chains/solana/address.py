"""Solana address validation that names the chain a wrong address belongs to.

A Solana address is any 32-byte value in base58 (a wallet key or a program-derived address).
Base58check addresses of other chains decode to 25 bytes (version + 20-byte hash + checksum), so
they can never be mistaken for a 32-byte key; when the checksum is valid we say which chain they
come from (TRON 0x41, Bitcoin 0x00/0x05 and 0x6f/0xc4).
"""

from __future__ import annotations

import hashlib

import base58
from solders.pubkey import Pubkey

from chains.base import precheck
from chains.errors import InvalidAddress
from wallet_i18n import N_, _, translated

# One whole sentence per foreign kind, so a translation never glues "a Bitcoin" to "address".
_CHECK_VERSIONS = {
    0x41: N_("this is a TRON address, not a Solana address"),
    0x00: N_("this is a Bitcoin (P2PKH) address, not a Solana address"),
    0x05: N_("this is a Bitcoin (P2SH) address, not a Solana address"),
    0x6F: N_("this is a Bitcoin testnet address, not a Solana address"),
    0xC4: N_("this is a Bitcoin testnet (P2SH) address, not a Solana address"),
}


def _base58check_version(raw: bytes) -> int | None:
    if len(raw) != 25:
        return None
    check = hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4]
    return raw[0] if check == raw[21:] else None


def parse_solana_address(text: str) -> str:
    s = precheck(text)
    try:
        raw = base58.b58decode(s)
    except ValueError:
        raw = b""
    if len(raw) == 32:
        return str(Pubkey(raw))     # canonical base58 form
    low = s.lower()
    if low.startswith("0x"):
        raise InvalidAddress(_("this is an EVM (0x…) address, not a Solana address"))
    if low.startswith(("bc1", "tb1", "bcrt1")) and s in (low, s.upper()):   # bech32 is single-case
        raise InvalidAddress(_("this is a Bitcoin (bech32) address, not a Solana address"))
    version = _base58check_version(raw)
    if version in _CHECK_VERSIONS:
        raise InvalidAddress(translated(_CHECK_VERSIONS[version]))
    if not raw:
        raise InvalidAddress(_("this is not a Solana address: it is not valid base58"))
    raise InvalidAddress(_("this is not a Solana address: it decodes to {count} bytes, not 32").format(
        count=len(raw)))
