"""TRC-20 calls: ABI-encoded transfer(address,uint256), balanceOf(address) and decimals().

TRC-20 is ERC-20 on the TVM, so the ABI is Ethereum's; an address argument is the 20-byte hash
(without TRON's 0x41 prefix), left-padded to 32 bytes.
"""

from __future__ import annotations

from chains.errors import Unavailable
from chains.tron.address import to_bytes21
from wallet_i18n import _

TRANSFER = bytes.fromhex("a9059cbb")     # keccak256("transfer(address,uint256)")[:4]
BALANCE_OF = bytes.fromhex("70a08231")   # keccak256("balanceOf(address)")[:4]
DECIMALS = bytes.fromhex("313ce567")     # keccak256("decimals()")[:4]


def _word_address(address: str) -> bytes:
    return to_bytes21(address)[1:].rjust(32, b"\0")


def transfer_call(recipient: str, value: int) -> bytes:
    if not 0 < value < 2**256:
        raise ValueError(_('a TRC-20 amount is a positive uint256'))
    return TRANSFER + _word_address(recipient) + value.to_bytes(32, "big")


def balance_of_parameter(owner: str) -> str:
    """The `parameter` hex triggerconstantcontract takes with function_selector balanceOf(address)."""
    return _word_address(owner).hex()


def decode_transfer(data: bytes) -> tuple[bytes, int] | None:
    """(20-byte recipient hash, value) of a transfer(address,uint256) call, else None."""
    if len(data) != 68 or data[:4] != TRANSFER or any(data[4:16]):
        return None
    return data[16:36], int.from_bytes(data[36:68], "big")


def decode_uint(hex_result: str, what: str) -> int:
    try:
        raw = bytes.fromhex(hex_result)
    except (TypeError, ValueError):
        raise Unavailable(_('the node answered {what} with something that is not hex').format(what=what)) from None
    if len(raw) != 32:
        raise Unavailable(_('the node answered {what} with {size} bytes instead of one 32-byte word').format(
            what=what, size=len(raw)))
    return int.from_bytes(raw, "big")
