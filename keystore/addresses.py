"""Address encoders for the four families, written for speed (derive_addresses makes thousands).

- evm: EIP-55 mixed-case checksum of keccak256(uncompressed pubkey)[-20:]
- tron: base58check of 0x41 || the same 20 bytes
- btc: P2WPKH (BIP84), P2TR (BIP86 key-path only), P2SH-P2WPKH (BIP49), P2PKH (BIP44), for mainnet (bc),
  testnet/signet (tb) and regtest (bcrt)
- sol: base58 of the 32-byte ed25519 public key

Only stdlib, coincurve and pycryptodome's keccak are used, each imported on first use. Cross-checked
against bip-utils, BDK, cast and the `base58` package in tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from typing import Any

from wallet_i18n import _

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3
SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

# network -> (bech32 hrp, P2PKH version byte, P2SH version byte)
BTC_NETWORKS: dict[str, tuple[str, int, int]] = {
    "main": ("bc", 0x00, 0x05),
    "test": ("tb", 0x6F, 0xC4),
    "signet": ("tb", 0x6F, 0xC4),
    "regtest": ("bcrt", 0x6F, 0xC4),
}
BTC_KINDS = ("p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh")
PURPOSE_KIND = {84: "p2wpkh", 86: "p2tr", 49: "p2sh-p2wpkh", 44: "p2pkh"}


class AddressError(ValueError):
    """Malformed address or key encoding (callers map it to their own input error)."""


# ---------------------------------------------------------------- hashes
_KECCAK_EMPTY = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


def _ctypes_keccak() -> Callable[[bytes], bytes]:
    """pycryptodome's keccak C library called through ctypes.

    `import Crypto.Hash.keccak` costs ~35 ms when cffi is installed, because pycryptodome then loads
    its C code through cffi's ABI mode, which imports pycparser. The library itself is plain C with a
    stable interface (keccak_init/absorb/digest/destroy), so ctypes (~2 ms) can call it directly.
    """
    import ctypes
    from importlib.machinery import EXTENSION_SUFFIXES
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("Crypto")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pycryptodome is not installed")  # i18n: not shown
    folder = Path(next(iter(spec.submodule_search_locations))) / "Hash"
    path = next((folder / f"_keccak{s}" for s in EXTENSION_SUFFIXES if (folder / f"_keccak{s}").exists()), None)
    if path is None:
        raise ImportError("pycryptodome's keccak library was not found")  # i18n: not shown
    lib = ctypes.CDLL(str(path))
    lib.keccak_init.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t, ctypes.c_ubyte]
    lib.keccak_absorb.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.keccak_digest.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_ubyte]
    lib.keccak_destroy.argtypes = [ctypes.c_void_p]

    def keccak(data: bytes) -> bytes:
        state = ctypes.c_void_p()
        # capacity 64 bytes (keccak-256), 24 rounds; padding byte 0x01 is Keccak's, not SHA-3's 0x06.
        if lib.keccak_init(ctypes.byref(state), 64, 24):
            raise MemoryError("keccak_init failed")  # i18n: not shown
        try:
            out = ctypes.create_string_buffer(32)
            if lib.keccak_absorb(state, bytes(data), len(data)) or lib.keccak_digest(state, out, 32, 1):
                raise RuntimeError("keccak failed")  # i18n: not shown
            return out.raw
        finally:
            lib.keccak_destroy(state)

    return keccak


@cache
def _keccak_impl() -> Callable[[bytes], bytes]:
    try:
        fast = _ctypes_keccak()
        if fast(b"") == _KECCAK_EMPTY:
            return fast
    except (ImportError, OSError, AttributeError, RuntimeError, MemoryError):
        pass  # another pycryptodome layout: use its public API

    from Crypto.Hash import keccak

    return lambda data: keccak.new(data=data, digest_bits=256).digest()


def keccak256(data: bytes) -> bytes:
    return _keccak_impl()(data)


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def hash160(data: bytes) -> bytes:
    digest = hashlib.sha256(data).digest()
    try:
        return hashlib.new("ripemd160", digest).digest()
    except ValueError:  # OpenSSL 3 builds without the legacy provider have no ripemd160
        from Crypto.Hash import RIPEMD160

        return RIPEMD160.new(digest).digest()


def tagged_hash(tag: str, data: bytes) -> bytes:
    tag_hash = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(tag_hash + tag_hash + data).digest()


# ---------------------------------------------------------------- base58
def b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    value = int.from_bytes(data, "big")
    out = []
    while value:
        value, rem = divmod(value, 58)
        out.append(_B58[rem])
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    value = 0
    for ch in text:
        if ch not in _B58_INDEX:
            raise AddressError(_("not a base58 string"))
        value = value * 58 + _B58_INDEX[ch]
    zeros = len(text) - len(text.lstrip("1"))
    body = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return b"\0" * zeros + body


def b58check_encode(payload: bytes) -> str:
    return b58encode(payload + sha256d(payload)[:4])


def b58check_decode(text: str) -> bytes:
    raw = b58decode(text)
    if len(raw) < 5 or sha256d(raw[:-4])[:4] != raw[-4:]:
        raise AddressError(_("the base58 checksum does not match"))
    return raw[:-4]


# ---------------------------------------------------------------- bech32 / bech32m (BIP173, BIP350)
def _polymod_table() -> tuple[int, ...]:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    table = []
    for top in range(32):
        acc = 0
        for i in range(5):
            if (top >> i) & 1:
                acc ^= gen[i]
        table.append(acc)
    return tuple(table)


_POLYMOD_TABLE = _polymod_table()  # the five generator XORs per 5-bit top, folded into one lookup


def _polymod(values: list[int], chk: int = 1) -> int:
    table = _POLYMOD_TABLE
    for v in values:
        chk = ((chk & 0x1FFFFFF) << 5 ^ v) ^ table[chk >> 25]
    return chk


@cache
def _hrp_state(hrp: str) -> int:
    return _polymod(_hrp_expand(hrp))


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convertbits(data: bytes | list[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    if frombits == 8 and tobits == 5 and pad and isinstance(data, bytes):  # the hot encode path
        nbits = len(data) * 8
        groups = -(-nbits // 5)
        value = int.from_bytes(data, "big") << (groups * 5 - nbits)
        return [(value >> (5 * (groups - 1 - k))) & 31 for k in range(groups)]
    acc = bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (tobits - bits)) & maxv)
    elif not pad and (bits >= frombits or (acc << (tobits - bits)) & maxv):
        raise AddressError(_("invalid bech32 padding"))
    return out


def segwit_encode(hrp: str, version: int, program: bytes) -> str:
    data = [version] + _convertbits(program, 8, 5, True)
    const = _BECH32_CONST if version == 0 else _BECH32M_CONST
    polymod = _polymod(data + [0] * 6, _hrp_state(hrp)) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


def segwit_decode(address: str) -> tuple[str, int, bytes]:
    """(hrp, witness version, program) of a segwit address; AddressError if it is malformed."""
    if address.lower() != address and address.upper() != address:
        raise AddressError(_("a bech32 address is all lower case or all upper case"))
    address = address.lower()
    pos = address.rfind("1")
    if pos < 1 or pos + 7 > len(address) or len(address) > 90:
        raise AddressError(_("not a bech32 address"))
    hrp, rest = address[:pos], address[pos + 1 :]
    if any(c not in _BECH32 for c in rest):
        raise AddressError(_("not a bech32 address"))
    data = [_BECH32.index(c) for c in rest]
    const = _polymod(_hrp_expand(hrp) + data)
    version = data[0]
    if const != (_BECH32_CONST if version == 0 else _BECH32M_CONST):
        raise AddressError(_("the bech32 checksum does not match"))
    program = bytes(_convertbits(data[1:-6], 5, 8, False))
    if version > 16 or not 2 <= len(program) <= 40 or (version == 0 and len(program) not in (20, 32)):
        raise AddressError(_("not a valid segwit program"))
    return hrp, version, program


# ---------------------------------------------------------------- keys
def _public_key(pubkey: bytes) -> Any:
    from coincurve import PublicKey

    try:
        return PublicKey(pubkey)
    except (ValueError, TypeError) as exc:
        raise AddressError(_("not a valid secp256k1 public key")) from exc


def validate_public_key(pubkey: bytes) -> bytes:
    """The compressed form of a public key, after checking the point is on the curve."""
    return _public_key(pubkey).format(compressed=True)


def uncompressed(pubkey: bytes) -> bytes:
    """The 65-byte SEC1 uncompressed form of a 33- or 65-byte secp256k1 public key."""
    if len(pubkey) == 65 and pubkey[0] == 4:
        return pubkey
    return _public_key(pubkey).format(compressed=False)


def compressed(pubkey: bytes) -> bytes:
    if len(pubkey) == 33 and pubkey[0] in (2, 3):
        return pubkey
    return _public_key(pubkey).format(compressed=True)


# ---------------------------------------------------------------- evm / tron
def to_checksum_address(address: str | bytes) -> str:
    """EIP-55 form of a 20-byte address given as bytes or hex (any case, 0x optional)."""
    if isinstance(address, bytes):
        hex_addr = address.hex()
    else:
        hex_addr = address[2:] if address[:2] in ("0x", "0X") else address
        hex_addr = hex_addr.lower()
    if len(hex_addr) != 40 or any(c not in "0123456789abcdef" for c in hex_addr):
        raise AddressError(_("an EVM address is 20 bytes of hex"))
    digest = keccak256(hex_addr.encode()).hex()
    return "0x" + "".join(c.upper() if d in "89abcdef" else c for c, d in zip(hex_addr, digest, strict=False))


def evm_address_bytes(pubkey: bytes) -> bytes:
    return keccak256(uncompressed(pubkey)[1:])[-20:]


def evm_address(pubkey: bytes) -> str:
    """EIP-55 address of a secp256k1 public key (33 or 65 bytes)."""
    return to_checksum_address(evm_address_bytes(pubkey))


def tron_address(pubkey: bytes) -> str:
    """TRON base58check address (starts with T) of a secp256k1 public key."""
    return b58check_encode(b"\x41" + evm_address_bytes(pubkey))


def tron_from_evm(address: str) -> str:
    """The TRON address that holds the same 20 bytes as an EVM hex address."""
    return b58check_encode(b"\x41" + bytes.fromhex(to_checksum_address(address)[2:]))


# ---------------------------------------------------------------- bitcoin
def taproot_output_key(pubkey: bytes) -> bytes:
    """BIP86 x-only output key: the internal key tweaked by tagged_hash('TapTweak', x) with no script tree."""
    from coincurve import PublicKeyXOnly

    xonly = compressed(pubkey)[1:]
    tweak = tagged_hash("TapTweak", xonly)
    if int.from_bytes(tweak, "big") >= SECP256K1_ORDER:
        raise AddressError(_("taproot tweak out of range"))
    key = PublicKeyXOnly(xonly)
    key.tweak_add(tweak)
    return key.format()


def btc_script_pubkey(pubkey: bytes, kind: str = "p2wpkh") -> bytes:
    if kind == "p2wpkh":
        return b"\x00\x14" + hash160(compressed(pubkey))
    if kind == "p2tr":
        return b"\x51\x20" + taproot_output_key(pubkey)
    if kind == "p2sh-p2wpkh":
        return b"\xa9\x14" + hash160(b"\x00\x14" + hash160(compressed(pubkey))) + b"\x87"
    if kind == "p2pkh":
        return b"\x76\xa9\x14" + hash160(compressed(pubkey)) + b"\x88\xac"
    raise AddressError(_("unknown bitcoin address kind {kind!r}; use one of {kinds}").format(
        kind=kind, kinds=", ".join(BTC_KINDS)))


def btc_address(pubkey: bytes, kind: str = "p2wpkh", network: str = "main") -> str:
    """Bitcoin address of a compressed public key; kind is p2wpkh, p2tr, p2sh-p2wpkh or p2pkh."""
    if network not in BTC_NETWORKS:
        raise AddressError(_("unknown bitcoin network {network!r}; use one of {networks}").format(
            network=network, networks=", ".join(BTC_NETWORKS)))
    hrp, p2pkh_ver, p2sh_ver = BTC_NETWORKS[network]
    if kind == "p2wpkh":
        return segwit_encode(hrp, 0, hash160(compressed(pubkey)))
    if kind == "p2tr":
        return segwit_encode(hrp, 1, taproot_output_key(pubkey))
    if kind == "p2sh-p2wpkh":
        redeem = b"\x00\x14" + hash160(compressed(pubkey))
        return b58check_encode(bytes([p2sh_ver]) + hash160(redeem))
    if kind == "p2pkh":
        return b58check_encode(bytes([p2pkh_ver]) + hash160(compressed(pubkey)))
    raise AddressError(_("unknown bitcoin address kind {kind!r}; use one of {kinds}").format(
        kind=kind, kinds=", ".join(BTC_KINDS)))


# ---------------------------------------------------------------- solana
def sol_address(pubkey: bytes) -> str:
    """Solana address: base58 of the 32-byte ed25519 public key."""
    if len(pubkey) != 32:
        raise AddressError(_("an ed25519 public key is 32 bytes"))
    return b58encode(pubkey)
