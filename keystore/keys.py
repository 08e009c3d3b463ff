"""Raw private key import and export in each family's usual text format.

    evm   64 hex digits, 0x optional (MetaMask, cast)       export: 0x + 64 hex
    tron  64 hex digits, 0x optional (TronLink)             export: 64 hex
    btc   WIF: K/L/5 mainnet, c/9 testnet, checksum checked  export: compressed WIF
    sol   base58 of the 64-byte keypair (secret || public), base58 of the 32-byte secret,
          or solana-keygen's JSON array of 64 numbers       export: base58 of the 64-byte keypair

Errors are one sentence of BadSecretInput and never contain the key or any part of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from keystore import addresses as A
from keystore.errors import BadSecretInput
from wallet_i18n import _

_HEX = frozenset("0123456789abcdefABCDEF")
_WIF_VERSIONS = {0x80: "main", 0xEF: "test"}


@dataclass(frozen=True)
class ImportedKey:
    """A parsed private key. `private_key` is the 32-byte secp256k1 key or ed25519 secret; never printed."""

    chain: str
    private_key: bytes = field(repr=False)
    public_key: str
    address: str
    wif_compressed: bool | None = None  # btc: whether the WIF marked the key as compressed
    network: str | None = None  # btc: "main" or "test", from the WIF version byte


def _secp_key(raw: bytes) -> bytes:
    if len(raw) != 32 or not 0 < int.from_bytes(raw, "big") < A.SECP256K1_ORDER:
        raise BadSecretInput(_("the private key is zero or not below the secp256k1 group order"))
    return raw


def secp_public_key(private_key: bytes) -> bytes:
    """33-byte compressed public key of a secp256k1 private key."""
    from coincurve import PrivateKey

    return PrivateKey(_secp_key(private_key)).public_key.format(compressed=True)


def ed25519_public_key(secret: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if len(secret) != 32:
        raise BadSecretInput(_("an ed25519 secret is 32 bytes"))
    return Ed25519PrivateKey.from_private_bytes(secret).public_key().public_bytes_raw()


def _parse_hex_key(text: str, family: str) -> bytes:
    body = text[2:] if text[:2] in ("0x", "0X") else text
    if len(body) != 64 or not set(body) <= _HEX:
        raise BadSecretInput(_("a {family} private key is 64 hexadecimal characters, optionally after 0x").format(
            family=family))
    return _secp_key(bytes.fromhex(body))


def _parse_wif(text: str) -> tuple[bytes, bool, str]:
    try:
        payload = A.b58check_decode(text)
    except A.AddressError:
        raise BadSecretInput(_("not a valid WIF private key: bad characters or checksum")) from None
    if len(payload) == 34 and payload[-1] == 1:
        key, is_compressed = payload[1:33], True
    elif len(payload) == 33:
        key, is_compressed = payload[1:], False
    else:
        raise BadSecretInput(_("not a valid WIF private key: wrong length"))
    if payload[0] not in _WIF_VERSIONS:
        raise BadSecretInput(_("not a bitcoin WIF private key: unknown version byte"))
    return _secp_key(key), is_compressed, _WIF_VERSIONS[payload[0]]


def _parse_solana(text: str) -> bytes:
    if text.startswith("["):
        try:
            numbers = json.loads(text)
        except ValueError:
            raise BadSecretInput(_("a solana-keygen key file is a JSON array of 64 numbers")) from None
        if (
            not isinstance(numbers, list)
            or len(numbers) != 64
            or not all(isinstance(n, int) and 0 <= n <= 255 for n in numbers)
        ):
            raise BadSecretInput(_("a solana-keygen key file is a JSON array of 64 numbers from 0 to 255"))
        raw = bytes(numbers)
    else:
        try:
            raw = A.b58decode(text)
        except A.AddressError:
            raise BadSecretInput(_("a solana private key is base58 text or a JSON array of 64 numbers")) from None
    if len(raw) == 32:
        return raw
    if len(raw) == 64:
        secret, public = raw[:32], raw[32:]
        if ed25519_public_key(secret) != public:
            raise BadSecretInput(_("the keypair's public half does not match its secret half"))
        return secret
    raise BadSecretInput(_("a solana private key decodes to a 64-byte keypair or a 32-byte secret"))


def parse_private_key(text: str, chain: str) -> ImportedKey:
    """Parse a private key in `chain`'s usual format (see the module doc)."""
    text = text.strip()
    if chain in ("evm", "tron"):
        key = _parse_hex_key(text, "EVM" if chain == "evm" else "TRON")
        pub = secp_public_key(key)
        address = A.evm_address(pub) if chain == "evm" else A.tron_address(pub)
        return ImportedKey(chain, key, pub.hex(), address)
    if chain == "btc":
        key, is_compressed, network = _parse_wif(text)
        pub = secp_public_key(key)
        if is_compressed:  # today's wallets: P2WPKH of the compressed key
            address = A.btc_address(pub, "p2wpkh", network)
        else:  # an uncompressed WIF's coins sit at the P2PKH (1…) address of the uncompressed key
            full = A.uncompressed(pub)
            address = A.b58check_encode(bytes([A.BTC_NETWORKS[network][1]]) + A.hash160(full))
            pub = full
        return ImportedKey(chain, key, pub.hex(), address, wif_compressed=is_compressed, network=network)
    if chain == "sol":
        secret = _parse_solana(text)
        pub = ed25519_public_key(secret)
        return ImportedKey(chain, secret, pub.hex(), A.sol_address(pub))
    raise BadSecretInput(_("unknown chain family {chain!r}; use one of: {chains}").format(
        chain=chain, chains="evm, btc, sol, tron"))


def export_private_key(private_key: bytes, chain: str, *, testnet: bool = False) -> str:
    """The key in `chain`'s usual text format; `testnet` only changes the btc WIF version (c...)."""
    if chain == "evm":
        return "0x" + _secp_key(private_key).hex()
    if chain == "tron":
        return _secp_key(private_key).hex()
    if chain == "btc":
        version = 0xEF if testnet else 0x80
        return A.b58check_encode(bytes([version]) + _secp_key(private_key) + b"\x01")
    if chain == "sol":
        return A.b58encode(private_key + ed25519_public_key(private_key))
    raise BadSecretInput(_("unknown chain family {chain!r}; use one of: {chains}").format(
        chain=chain, chains="evm, btc, sol, tron"))


def export_solana_keygen_json(secret: bytes) -> str:
    """solana-keygen's key file text: a JSON array of the 64 keypair bytes."""
    return json.dumps(list(secret + ed25519_public_key(secret)), separators=(",", ":"))
