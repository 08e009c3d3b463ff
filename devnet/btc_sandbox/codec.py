"""Wire formats the sandbox needs beyond what bdkpython parses: block headers, coinbases, merkle roots.

Transactions submitted by clients are parsed with `bdkpython.Transaction` (one model everywhere); only the
coinbase, which nobody else builds for us, is serialised here.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

# The regtest genesis block is the mainnet genesis coinbase under regtest's header fields. Its hash is
# what every BDK regtest wallet has as its first checkpoint, so our chain must start with exactly it.
GENESIS_COINBASE = bytes.fromhex(
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d01"
    "04455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365"
    "636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1"
    "a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b"
    "6bf11d5fac00000000"
)
GENESIS_TIME = 1296688602
GENESIS_NONCE = 2
REGTEST_BITS = 0x207FFFFF
REGTEST_GENESIS_HASH = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
# Target for bits 0x207fffff: 0x7fffff * 256**(0x20-3); about one hash in two meets it.
REGTEST_TARGET = 0x7FFFFF * (1 << (8 * (0x20 - 3)))
WITNESS_COMMITMENT_HEADER = bytes.fromhex("aa21a9ed")


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def push_data(data: bytes) -> bytes:
    """A minimal script push for data up to 75 bytes (all the coinbase needs)."""
    assert len(data) <= 75
    return bytes([len(data)]) + data


def script_num(n: int) -> bytes:
    """CScriptNum encoding of a non-negative integer (little endian, sign bit kept clear)."""
    out = bytearray()
    while n:
        out.append(n & 0xFF)
        n >>= 8
    if out and out[-1] & 0x80:
        out.append(0)
    return bytes(out)


def bip34_height_push(height: int) -> bytes:
    """`CScript() << height` as Core writes it: OP_1..OP_16 for small heights, else a number push."""
    if 1 <= height <= 16:
        return bytes([0x50 + height])
    return push_data(script_num(height))


def merkle_root(txids_internal: list[bytes]) -> bytes:
    """Merkle root over txids in internal byte order (duplicate the last hash on odd levels)."""
    level = list(txids_internal)
    if not level:
        return b"\0" * 32
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def build_coinbase(height: int, outputs: list[tuple[int, bytes]], witness_commitment: bytes | None) -> bytes:
    """A segwit-serialised coinbase (BIP34 height, BIP141 commitment output and reserved-value witness)."""
    script_sig = bip34_height_push(height) + push_data(b"wallet-sandbox")
    outs = list(outputs)
    if witness_commitment is not None:
        outs.append((0, b"\x6a\x24" + WITNESS_COMMITMENT_HEADER + witness_commitment))
    body = bytearray()
    body += struct.pack("<i", 2)
    body += b"\x00\x01"  # segwit marker and flag
    body += varint(1) + b"\0" * 32 + struct.pack("<I", 0xFFFFFFFF)
    body += varint(len(script_sig)) + script_sig + struct.pack("<I", 0xFFFFFFFF)
    body += varint(len(outs))
    for value, spk in outs:
        body += struct.pack("<q", value) + varint(len(spk)) + spk
    body += varint(1) + varint(32) + b"\0" * 32  # witness reserved value
    body += struct.pack("<I", 0)
    return bytes(body)


def witness_commitment(wtxids_internal: list[bytes]) -> bytes:
    """BIP141: sha256d(witness merkle root || reserved value), the coinbase's wtxid counted as zero."""
    root = merkle_root([b"\0" * 32] + wtxids_internal)
    return sha256d(root + b"\0" * 32)


@dataclass(frozen=True)
class Header:
    version: int
    prev_hash: bytes      # internal byte order
    merkle_root: bytes    # internal byte order
    time: int
    bits: int
    nonce: int

    def serialize(self) -> bytes:
        return (struct.pack("<i", self.version) + self.prev_hash + self.merkle_root
                + struct.pack("<III", self.time, self.bits, self.nonce))

    def hash(self) -> bytes:
        return sha256d(self.serialize())


def grind(header: Header) -> Header:
    """Find a nonce meeting regtest's target (about two tries), so headers carry real proof of work."""
    base = header.serialize()[:76]
    nonce = 0
    while int.from_bytes(sha256d(base + struct.pack("<I", nonce)), "little") > REGTEST_TARGET:
        nonce += 1
    return Header(header.version, header.prev_hash, header.merkle_root, header.time, header.bits, nonce)


def script_type(spk: bytes) -> str:
    """Esplora's scriptpubkey_type names."""
    n = len(spk)
    if n == 22 and spk[:2] == b"\x00\x14":
        return "v0_p2wpkh"
    if n == 34 and spk[:2] == b"\x00\x20":
        return "v0_p2wsh"
    if n == 34 and spk[:2] == b"\x51\x20":
        return "v1_p2tr"
    if n == 25 and spk[:3] == b"\x76\xa9\x14" and spk[-2:] == b"\x88\xac":
        return "p2pkh"
    if n == 23 and spk[:2] == b"\xa9\x14" and spk[-1:] == b"\x87":
        return "p2sh"
    if spk[:1] == b"\x6a":
        return "op_return"
    if n in (35, 67) and spk[-1:] == b"\xac":
        return "p2pk"
    return "unknown"


# Core's dust thresholds at the default 3 sat/vB dust relay fee.
DUST_LIMITS = {"v0_p2wpkh": 294, "v0_p2wsh": 330, "v1_p2tr": 330, "p2pkh": 546, "p2sh": 540}
