"""The protobuf wire format, just the part TRON transactions use: varints and length-delimited fields.

Library choice: no package. The `protobuf` runtime would need generated classes from TRON's .proto
files (and protoc to make them) for three small messages; tronpy pins eth-abi<6 and drops raw.data
(the memo) from its offline txID. Encoding is ~30 lines here, and the tests check every transaction we
sign with Google's protobuf runtime over TRON's own .proto schema (tests/unit/tron/proto/).

Fields are written in field-number order with proto3 defaults (0, empty) omitted, as java-tron
serialises them, so the bytes we hash are the bytes the network hashes.
"""

from __future__ import annotations

from collections.abc import Iterable

from wallet_i18n import _

VARINT, LEN = 0, 2
MAX_MESSAGE = 512 * 1024   # a TRON transaction is under 500 kB (TOO_BIG_TRANSACTION_ERROR); decode no more


class ProtoError(ValueError):
    """Bytes that are not a well-formed protobuf message of the expected shape."""


def varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64           # int64 negatives are ten-byte two's complement varints
    if n >> 64:
        raise ProtoError(_('varint out of range'))
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field: int, wire: int) -> bytes:
    return varint(field << 3 | wire)


def int_field(field: int, value: int) -> bytes:
    return key(field, VARINT) + varint(value) if value else b""


def bytes_field(field: int, value: bytes) -> bytes:
    return key(field, LEN) + varint(len(value)) + value if value else b""


def message(fields: Iterable[bytes]) -> bytes:
    return b"".join(fields)


def _read_varint(buf: bytes, i: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ProtoError(_('truncated or overlong varint'))
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def decode(buf: bytes) -> list[tuple[int, int, int | bytes]]:
    """(field, wire type, value) in order; only varint and length-delimited fields (all TRON uses here)."""
    if len(buf) > MAX_MESSAGE:
        raise ProtoError(_('message too large'))
    out: list[tuple[int, int, int | bytes]] = []
    i = 0
    while i < len(buf):
        k, i = _read_varint(buf, i)
        field, wire = k >> 3, k & 7
        if field == 0:
            raise ProtoError(_('field number 0'))
        if wire == VARINT:
            v, i = _read_varint(buf, i)
            out.append((field, wire, v))
        elif wire == LEN:
            n, i = _read_varint(buf, i)
            if i + n > len(buf):
                raise ProtoError(_('length-delimited field runs past the end'))
            out.append((field, wire, buf[i:i + n]))
            i += n
        else:
            raise ProtoError(_('wire type {wire} is not used by these messages').format(wire=wire))
    return out


def fields(buf: bytes, spec: dict[int, str]) -> dict[int, list[int | bytes]]:
    """Decode and check each field's wire type against spec ('int' or 'bytes'); unknown fields refused."""
    got: dict[int, list[int | bytes]] = {}
    for field, wire, value in decode(buf):
        want = spec.get(field)
        if want is None:
            raise ProtoError(_('unexpected field {field}').format(field=field))
        if (want == "int") != (wire == VARINT):
            raise ProtoError(_('field {field} has the wrong wire type').format(field=field))
        got.setdefault(field, []).append(value)
    return got


def one(got: dict[int, list[int | bytes]], field: int, default: int | bytes) -> int | bytes:
    values = got.get(field, [])
    if len(values) > 1:
        raise ProtoError(_('field {field} appears more than once').format(field=field))
    return values[0] if values else default


def as_int64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v
