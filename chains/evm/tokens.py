"""ERC-20 calldata and return-value decoding, and revert-reason decoding.

The ABI pieces needed here are fixed and tiny, so they are encoded and decoded by hand (eth_abi costs
~200 ms to import, more than a whole `wallet balance --token`); tests compare with eth_abi.
"""

from __future__ import annotations

from typing import Any

from chains.base import Network
from chains.errors import BadInput, Refused
from wallet_i18n import N_, _, translated

SEL_TRANSFER = "a9059cbb"      # transfer(address,uint256)
SEL_BALANCE_OF = "70a08231"    # balanceOf(address)
SEL_DECIMALS = "313ce567"      # decimals()
SEL_SYMBOL = "95d89b41"        # symbol()
SEL_ERROR = "08c379a0"         # Error(string)
SEL_PANIC = "4e487b71"         # Panic(uint256)

_PANIC_CODES = {
    0x01: N_("assertion failed"), 0x11: N_("arithmetic overflow or underflow"), 0x12: N_("division by zero"),
    0x21: N_("invalid enum value"), 0x22: N_("bad storage byte array"), 0x31: N_("pop on an empty array"),
    0x32: N_("array index out of bounds"), 0x41: N_("out of memory"),
    0x51: N_("call to an uninitialised function"),
}


def _word_address(address: str) -> str:
    return address[2:].lower().rjust(64, "0")


def _word_uint(value: int) -> str:
    if not 0 <= value < 2**256:
        raise BadInput(_("amount does not fit in a uint256"))
    return format(value, "064x")


def transfer_data(to: str, amount: int) -> str:
    return "0x" + SEL_TRANSFER + _word_address(to) + _word_uint(amount)


def balance_of_data(owner: str) -> str:
    return "0x" + SEL_BALANCE_OF + _word_address(owner)


def decode_transfer_data(data: str) -> tuple[str, int] | None:
    """(recipient, amount) if data is an ERC-20 transfer call, else None."""
    h = data[2:] if data.startswith("0x") else data
    if len(h) != 8 + 128 or h[:8].lower() != SEL_TRANSFER:
        return None
    return "0x" + h[8 + 24:8 + 64], int(h[72:136], 16)


def _bytes(hexdata: str) -> bytes:
    h = hexdata[2:] if hexdata.startswith(("0x", "0X")) else hexdata
    return bytes.fromhex(h)


def decode_uint(hexdata: str) -> int:
    b = _bytes(hexdata)
    if len(b) < 32:
        raise ValueError(_("short uint256 return value"))
    return int.from_bytes(b[:32], "big")


def decode_string(b: bytes) -> str:
    """An ABI-encoded `string` return value: offset word, length word, UTF-8 bytes. ValueError if malformed."""
    if len(b) < 64:
        raise ValueError(_("too short for an ABI string"))
    offset = int.from_bytes(b[:32], "big")
    if offset % 32 or offset + 32 > len(b):
        raise ValueError(_("the ABI string offset points outside the data"))
    length = int.from_bytes(b[offset:offset + 32], "big")
    start = offset + 32
    if length > len(b) - start:
        raise ValueError(_("the ABI string runs past the end of the data"))
    return b[start:start + length].decode("utf-8")


def decode_symbol(hexdata: str) -> str:
    """ABI string, or the bytes32 some old tokens (MKR, SAI) return."""
    b = _bytes(hexdata)
    if len(b) == 32:
        return b.rstrip(b"\0").decode("utf-8", errors="replace")
    return decode_string(b)


def decode_revert(data: Any) -> str | None:
    """Human reason from revert data: Error(string), Panic(uint256), or the custom error's selector."""
    if isinstance(data, dict):  # some nodes nest it: {"data": "0x..."}
        data = data.get("data")
    if not isinstance(data, str) or not data.startswith("0x") or len(data) < 10:
        return None
    try:
        sel, body = data[2:10].lower(), _bytes(data[10:])
        if sel == SEL_ERROR:
            return decode_string(body)
        if sel == SEL_PANIC:
            code = int.from_bytes(body[:32], "big")
            meaning = translated(_PANIC_CODES[code]) if code in _PANIC_CODES else _("unknown panic code")
            return _("panic 0x{code} ({meaning})").format(code=f"{code:02x}", meaning=meaning)
    except Exception:  # malformed revert data: name the selector, as for a custom error
        return _("unparseable revert data 0x{selector}").format(selector=data[2:10])
    return _("custom error 0x{selector}").format(selector=data[2:10])


def check_listed(network: Network, where: str, contract: str, symbol: str, decimals: int) -> None:
    """Where the network config lists this token, the RPC must agree with it: an RPC that says 8
    decimals for a 6-decimal USDC would make '12.5' sign a transfer of 1250 (exit 4, not obeyed)."""
    from chains.evm.address import checksum

    for name, spec in network.tokens.items():
        if checksum(spec["address"]) != contract:
            continue
        listed = spec.get("decimals")
        if listed is not None and int(listed) != decimals:
            raise Refused(_("the RPC at {where} says {name} at {contract} has {decimals} decimals but network "
                            "{network} lists {listed}; refusing to trust it").format(
                where=where, name=name, contract=contract, decimals=decimals, network=network.name, listed=listed))
        want = spec.get("symbol")
        if want is not None and str(want) != symbol:
            raise Refused(_("the RPC at {where} says the token at {contract} is {symbol!r} but network "
                            "{network} lists it as {listed!r}; refusing to trust it").format(
                where=where, contract=contract, symbol=symbol, network=network.name, listed=str(want)))
