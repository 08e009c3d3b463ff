"""The TRON adapter (family "tron"): address validation only, for now.

TRON accounts are derived (m/44'/195'/0'/0/i), listed, imported and exported by keystore; moving TRX
or TRC-20 tokens is not implemented yet, so every chain operation raises Unsupported (exit 2) with
one sentence instead of failing on a missing module.

A TRON address is base58check over 25 bytes: version 0x41, the same 20-byte hash an EVM address
holds, and a 4-byte double-SHA256 checksum. It always starts with T and is 34 characters long.
"""

from __future__ import annotations

import hashlib
import re
from typing import ClassVar, NoReturn

from chains.base import (
    Account,
    Amount,
    ChainAdapter,
    Network,
    SignedTx,
    Signer,
    Transfer,
    TxStatus,
    UnsignedTx,
    precheck,
)
from chains.errors import InvalidAddress, Unsupported

VERSION = 0x41
ZERO_ADDRESS = "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"   # 0x41 + 20 zero bytes: a burn address
NOT_YET = "TRON transfers are not supported yet; TRON accounts can be derived, listed, imported and exported"
_B58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_OTHER_BASE58 = {0x00: "a Bitcoin", 0x05: "a Bitcoin", 0x6F: "a Bitcoin testnet", 0xC4: "a Bitcoin testnet"}


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
                raise InvalidAddress(f"this is {other} address, not a TRON address")
            raise InvalidAddress(f"this is not a TRON address: its version byte is {raw[0]:#04x}, not 0x41")
        if s == ZERO_ADDRESS:
            raise InvalidAddress("the zero address burns whatever is sent to it; refusing it as a recipient")
        return s
    low = s.lower()
    if re.fullmatch(r"0x[0-9a-f]{40}", low):
        raise InvalidAddress("this is an EVM (0x…) address, not a TRON address; TRON addresses start with T")
    if re.fullmatch(r"41[0-9a-f]{40}", low):
        raise InvalidAddress("this is a TRON address in hex form; give its base58 form, which starts with T")
    if low.startswith(("bc1", "tb1", "bcrt1")) and s in (low, s.upper()):
        raise InvalidAddress("this is a Bitcoin (bech32) address, not a TRON address")
    if raw is None:
        raise InvalidAddress("this is not a TRON address: it is not base58 (TRON addresses are 34 characters "
                             "starting with T)")
    if len(raw) == 32:
        raise InvalidAddress("this looks like a Solana address, not a TRON address")
    if len(raw) == 25:
        raise InvalidAddress("the TRON address checksum is wrong (a typo?)")
    raise InvalidAddress(f"this is not a TRON address: it decodes to {len(raw)} bytes, not 25")
    return s


class Adapter(ChainAdapter):
    family: ClassVar[str] = "tron"

    @classmethod
    def parse_address(cls, text: str, network: Network) -> str:
        return parse_tron_address(text)

    @staticmethod
    def _not_yet() -> NoReturn:
        raise Unsupported(NOT_YET)

    def balance(self, account: Account, token: str | None = None) -> Amount:
        self._not_yet()

    def build_transfer(self, transfer: Transfer) -> UnsignedTx:
        self._not_yet()

    def sign(self, unsigned: UnsignedTx, signer: Signer) -> SignedTx:
        self._not_yet()

    def broadcast(self, signed: SignedTx) -> str:
        self._not_yet()

    def status(self, txid: str) -> TxStatus:
        self._not_yet()
