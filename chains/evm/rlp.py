"""Recursive Length Prefix (RLP) encoding, as the Ethereum yellow paper (appendix B) defines it.

A few dozen lines instead of the `rlp` package, whose import (it pulls eth_utils) costs ~180 ms: the
send path serialises and decodes one transaction. The decoder is strict (canonical forms only, no
trailing bytes), as execution clients are, so a transaction we accept is one a node can accept.
"""

from __future__ import annotations

from typing import TypeAlias

from wallet_i18n import _

Item: TypeAlias = "bytes | list[Item]"


class RlpError(ValueError):
    """Not canonical RLP."""


def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    n = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(n)]) + n


def encode(item: Item | int) -> bytes:
    """bytes -> string; int -> big-endian minimal bytes (0 is the empty string); list -> list."""
    if isinstance(item, int):
        if item < 0:
            raise RlpError(_("RLP cannot encode a negative integer"))
        item = item.to_bytes((item.bit_length() + 7) // 8, "big")
    if isinstance(item, (bytes, bytearray)):
        if len(item) == 1 and item[0] < 0x80:
            return bytes(item)
        return _length_prefix(len(item), 0x80) + bytes(item)
    if isinstance(item, list):
        body = b"".join(encode(x) for x in item)
        return _length_prefix(len(body), 0xC0) + body
    raise RlpError(_("RLP cannot encode {kind}").format(kind=type(item).__name__))


def _long_length(data: bytes, pos: int, size: int) -> int:
    raw = data[pos:pos + size]
    if len(raw) != size or raw[0] == 0:
        raise RlpError(_("non-canonical or truncated RLP length"))
    length = int.from_bytes(raw, "big")
    if length < 56:
        raise RlpError(_("non-canonical RLP: a long form for a short length"))
    return length


def _decode_at(data: bytes, pos: int) -> tuple[Item, int]:
    """The item starting at pos and the position after it."""
    if pos >= len(data):
        raise RlpError(_("truncated RLP"))
    b = data[pos]
    if b < 0x80:
        return data[pos:pos + 1], pos + 1
    if b < 0xB8:
        start, length = pos + 1, b - 0x80
        if length == 1 and start < len(data) and data[start] < 0x80:
            raise RlpError(_("non-canonical RLP: a single low byte with a length prefix"))
    elif b < 0xC0:
        size = b - 0xB7
        start, length = pos + 1 + size, _long_length(data, pos + 1, size)
    elif b < 0xF8:
        start, length = pos + 1, b - 0xC0
    else:
        size = b - 0xF7
        start, length = pos + 1 + size, _long_length(data, pos + 1, size)
    end = start + length
    if end > len(data):
        raise RlpError(_("truncated RLP"))
    if b < 0xC0:
        return data[start:end], end
    items: list[Item] = []
    i = start
    while i < end:
        item, i = _decode_at(data, i)
        items.append(item)
    if i != end:
        raise RlpError(_("an RLP list item runs past the end of its list"))
    return items, end


def decode(data: bytes) -> Item:
    item, end = _decode_at(bytes(data), 0)
    if end != len(data):
        raise RlpError(_("trailing bytes after the RLP item"))
    return item


def to_int(item: Item) -> int:
    """A canonical RLP integer: bytes without leading zeros (zero is the empty string)."""
    if not isinstance(item, bytes):
        raise RlpError(_("expected an RLP integer, got a list"))
    if item[:1] == b"\0":
        raise RlpError(_("non-canonical RLP integer (leading zero)"))
    return int.from_bytes(item, "big")
