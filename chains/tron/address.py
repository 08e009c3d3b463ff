"""TRON addresses: base58check over 25 bytes (version 0x41, the 20-byte key hash, a 4-byte checksum).

The 20 bytes are the same hash an EVM address holds; the base58 form always starts with T and is 34
characters long. On the wire (protobuf, ABI) an address is its 21 bytes 0x41 || hash.
"""

from __future__ import annotations

import hashlib
import re

from chains.base import precheck
from chains.errors import InvalidAddress
from wallet_i18n import N_, _, translated

VERSION = 0x41
ZERO_ADDRESS = "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"   # 0x41 + 20 zero bytes: a burn address
_B58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_BTC = N_("this is a Bitcoin address, not a TRON address")
_BTC_TEST = N_("this is a Bitcoin testnet address, not a TRON address")
_OTHER_BASE58 = {0x00: _BTC, 0x05: _BTC, 0x6F: _BTC_TEST, 0xC4: _BTC_TEST}


def _checksum(body: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4]


def parse_tron_address(text: str) -> str:
    """The base58 address itself when valid; InvalidAddress with one sentence saying why not."""
    import base58

    s = precheck(text)
    raw = base58.b58decode(s) if _B58.fullmatch(s) else None
    # A valid base58check string first: a TRON address may itself start with "TB1".
    if raw is not None and len(raw) == 25 and _checksum(raw[:21]) == raw[21:]:
        if raw[0] != VERSION:
            other = _OTHER_BASE58.get(raw[0])
            if other:
                raise InvalidAddress(translated(other))
            raise InvalidAddress(_('this is not a TRON address: its version byte is {version:#04x}, not 0x41').format(
                version=raw[0]))
        if s == ZERO_ADDRESS:
            raise InvalidAddress(_('the zero address burns whatever is sent to it; refusing it as a recipient'))
        return s
    low = s.lower()
    if re.fullmatch(r"0x[0-9a-f]{40}", low):
        raise InvalidAddress(_('this is an EVM (0x…) address, not a TRON address; TRON addresses start with T'))
    if re.fullmatch(r"41[0-9a-f]{40}", low):
        raise InvalidAddress(_('this is a TRON address in hex form; give its base58 form, which starts with T'))
    if low.startswith(("bc1", "tb1", "bcrt1")) and s in (low, s.upper()):
        raise InvalidAddress(_('this is a Bitcoin (bech32) address, not a TRON address'))
    if raw is None:
        raise InvalidAddress(_('this is not a TRON address: it is not base58 (TRON addresses are 34 '
            'characters starting with T)'))
    if len(raw) == 32:
        raise InvalidAddress(_('this looks like a Solana address, not a TRON address'))
    if len(raw) == 25:
        raise InvalidAddress(_('the TRON address checksum is wrong (a typo?)'))
    raise InvalidAddress(_('this is not a TRON address: it decodes to {size} bytes, not 25').format(size=len(raw)))


def to_bytes21(address: str) -> bytes:
    """The 21 wire bytes (0x41 || hash) of a valid base58 address."""
    import base58

    return bytes(base58.b58decode(parse_tron_address(address))[:21])


def from_bytes21(raw: bytes) -> str:
    """The base58 address of 21 wire bytes; InvalidAddress if they are not 0x41 || 20 bytes."""
    import base58

    if len(raw) != 21 or raw[0] != VERSION:
        raise InvalidAddress(_('these bytes are not a TRON address (0x41 and 20 bytes)'))
    return base58.b58encode(raw + _checksum(raw)).decode()


def from_pubkey(pub_uncompressed: bytes) -> str:
    """The address of a 65-byte uncompressed secp256k1 public key: keccak256 of its 64 bytes, last 20."""
    from keystore.addresses import keccak256  # pycryptodome's keccak through ctypes: no cffi import cost

    h = keccak256(pub_uncompressed[1:])
    return from_bytes21(bytes([VERSION]) + h[-20:])
