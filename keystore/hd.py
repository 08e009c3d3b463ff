"""BIP39 / BIP32 / BIP44 / BIP49 / BIP84 / BIP86 / SLIP-10 derivation as pure functions.

Account data (xpubs, descriptors) goes through bip-utils. The master fingerprint and the one secp256k1
private key a signature needs use hmac + coincurve, because importing bip-utils (~200 ms) would dominate
`wallet send`. `derive_addresses` has its own fast path (BIP32 public child derivation with coincurve,
SLIP-10 hardened steps with hmac) because bip-utils needs about 1 s per 10,000 addresses; tests check
the fast paths against bip-utils, BDK, cast and solders.
bip-utils, coincurve and nacl are imported inside functions so that importing this module stays cheap
(`wallet --help` must start fast).

Default paths (what MetaMask, Sparrow, Phantom and TronLink show):
  evm  m/44'/60'/0'/0/i      tron m/44'/195'/0'/0/i      sol m/44'/501'/i'/0'
  btc  m/P'/C'/i' (account), P = 84 (default), 86, 49 or 44; C = 0 on mainnet, 1 on test networks
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from keystore import addresses as A
from keystore.descriptors import descriptor
from keystore.errors import BadSecretInput
from wallet_i18n import _

CHAINS = ("evm", "btc", "sol", "tron")
COIN_TYPES = {"evm": 60, "tron": 195, "sol": 501, "btc": 0}
BTC_PURPOSES = (84, 86, 49, 44)
HARDENED = 0x80000000
_TEST_VERSIONS = (b"\x04\x35\x87\xcf", b"\x04\x35\x83\x94")  # tpub, tprv
_PATH_RE = re.compile(r"^m(/\d+['hH]?)*$")


# ---------------------------------------------------------------- seeds and paths
def seed_from_mnemonic(mnemonic: str, passphrase: str = "") -> bytes:
    """BIP39 seed (PBKDF2-HMAC-SHA512, NFKD-normalised), 64 bytes. Validates the mnemonic first."""
    from keystore.mnemonic import validate_mnemonic

    normalised, _language = validate_mnemonic(mnemonic)
    words = unicodedata.normalize("NFKD", normalised)
    salt = unicodedata.normalize("NFKD", "mnemonic" + passphrase)
    return hashlib.pbkdf2_hmac("sha512", words.encode(), salt.encode(), 2048)


def master_fingerprint(seed: bytes) -> bytes:
    """The 4-byte BIP32 fingerprint of the secp256k1 master key."""
    from coincurve import PrivateKey

    key, _chain_code = _secp_master(seed)
    return A.hash160(PrivateKey(key).public_key.format(compressed=True))[:4]


def _check_chain(chain: str) -> None:
    if chain not in CHAINS:
        raise BadSecretInput(_("unknown chain family {chain!r}; use one of: {chains}").format(
            chain=chain, chains=", ".join(CHAINS)))


def parse_path(path: str) -> list[int]:
    """m/44'/60'/0'/0/0 -> child indices; ', h and H mark hardened levels."""
    text = path.strip().replace(" ", "")
    if not _PATH_RE.match(text):
        raise BadSecretInput(_("a derivation path looks like m/44'/60'/0'/0/0"))
    parts = text.split("/")[1:]
    if len(parts) > 255:  # BIP32 keeps the depth in one byte
        raise BadSecretInput(_("a derivation path has at most 255 levels"))
    out = []
    for part in parts:
        hardened = part[-1] in "'hH"
        number = int(part[:-1] if hardened else part)
        if number >= HARDENED:
            raise BadSecretInput(_("a derivation path index must be below 2^31"))
        out.append(number | HARDENED if hardened else number)
    return out


def format_path(indices: list[int]) -> str:
    return "/".join(["m"] + [f"{i & ~HARDENED}'" if i & HARDENED else str(i) for i in indices])


def default_path(chain: str, index: int, *, testnet: bool = False, purpose: int = 84) -> str:
    """Default path of account `index`; for btc the account path m/purpose'/coin'/index'."""
    _check_chain(chain)
    if not 0 <= index < HARDENED:
        raise BadSecretInput(_("an account index is between 0 and 2^31 - 1"))
    if chain == "evm":
        return f"m/44'/60'/0'/0/{index}"
    if chain == "tron":
        return f"m/44'/195'/0'/0/{index}"
    if chain == "sol":
        return f"m/44'/501'/{index}'/0'"
    if purpose not in BTC_PURPOSES:
        raise BadSecretInput(_("a bitcoin purpose is 84 (native segwit), 86 (taproot), 49 or 44"))
    return f"m/{purpose}'/{1 if testnet else 0}'/{index}'"


# ---------------------------------------------------------------- secp256k1 private derivation
# Unlocking (fingerprint check) and signing need one private key. Importing bip-utils costs ~200 ms, more
# than the rest of a `wallet send`, so these two steps use hmac + coincurve; tests compare with bip-utils.
def _secp_master(seed: bytes) -> tuple[bytes, bytes]:
    """(private key, chain code) of the BIP32 master node."""
    if len(seed) < 16:
        raise ValueError(_("a BIP32 seed is at least 16 bytes"))
    digest = hmac.digest(b"Bitcoin seed", seed, "sha512")
    if not 0 < int.from_bytes(digest[:32], "big") < A.SECP256K1_ORDER:  # probability about 2^-127
        raise ValueError(_("this seed gives an invalid BIP32 master key"))
    return digest[:32], digest[32:]


def _secp_private(seed: bytes, indices: list[int]) -> bytes:
    """BIP32 CKDpriv along `indices` from the master node of `seed`."""
    from coincurve import PrivateKey

    key, chain_code = _secp_master(seed)
    for i in indices:
        if i & HARDENED:
            data = b"\0" + key
        else:
            data = PrivateKey(key).public_key.format(compressed=True)
        digest = hmac.digest(chain_code, data + i.to_bytes(4, "big"), "sha512")
        tweak = int.from_bytes(digest[:32], "big")
        child = (tweak + int.from_bytes(key, "big")) % A.SECP256K1_ORDER
        if tweak >= A.SECP256K1_ORDER or child == 0:  # probability about 2^-127
            raise RuntimeError(_("BIP32 child {index} is invalid; use the next index").format(index=i & ~HARDENED))
        key, chain_code = child.to_bytes(32, "big"), digest[32:]
    return key


# ---------------------------------------------------------------- nodes (bip-utils)
def _secp_node(seed: bytes, indices: list[int], *, testnet: bool = False) -> Any:
    from bip_utils import Bip32KeyNetVersions, Bip32Secp256k1

    versions = Bip32KeyNetVersions(*_TEST_VERSIONS) if testnet else None
    node = Bip32Secp256k1.FromSeed(seed, versions)
    for i in indices:
        node = node.ChildKey(i)
    return node


def _ed25519_node(seed: bytes, indices: list[int]) -> Any:
    from bip_utils import Bip32Slip10Ed25519

    if any(not i & HARDENED for i in indices):
        raise BadSecretInput(_("a solana (ed25519) path must be hardened at every level, like m/44'/501'/0'/0'"))
    node = Bip32Slip10Ed25519.FromSeed(seed)
    for i in indices:
        node = node.ChildKey(i)
    return node


def _secp_pub(node: Any) -> bytes:
    return bytes(node.PublicKey().RawCompressed().ToBytes())


def _ed25519_pub(node: Any) -> bytes:
    return bytes(node.PublicKey().RawCompressed().ToBytes())[1:]  # bip-utils prefixes 0x00


def derive_private(seed: bytes, chain: str, path: str | None = None, *, testnet: bool = False) -> bytes:
    """The private key at `path` (default: account 0's default path): 32-byte secp256k1 key, or for sol
    the 32-byte ed25519 seed. The caller must not keep it longer than one signature."""
    _check_chain(chain)
    if path is None:
        path = default_path(chain, 0, testnet=testnet)
        if chain == "btc":
            path += "/0/0"
    indices = parse_path(path)
    if chain == "sol":
        return _ed25519_private(seed, indices)
    return _secp_private(seed, indices)


def _ed25519_private(seed: bytes, indices: list[int]) -> bytes:
    """SLIP-10 ed25519 with hmac alone (bip-utils costs ~200 ms to import on the send path)."""
    if any(not i & HARDENED for i in indices):
        raise BadSecretInput(_("a solana (ed25519) path must be hardened at every level, like m/44'/501'/0'/0'"))
    digest = hmac.digest(b"ed25519 seed", seed, "sha512")
    key, chain_code = digest[:32], digest[32:]
    for i in indices:
        key, chain_code = _slip10_hardened(key, chain_code, i)
    return key


def derive_account_xprv(seed: bytes, path: str, *, testnet: bool = False) -> str:
    """xprv (tprv with testnet=True) of the node at `path`, for BDK signing descriptors."""
    node = _secp_node(seed, parse_path(path), testnet=testnet)
    return str(node.PrivateKey().ToExtended())


def account_xpub(seed: bytes, path: str, *, testnet: bool = False) -> str:
    """xpub (tpub with testnet=True) of the node at `path`."""
    node = _secp_node(seed, parse_path(path), testnet=testnet)
    return str(node.PublicKey().ToExtended())


# ---------------------------------------------------------------- accounts
@dataclass
class DerivedAccount:
    """Public data of one account; safe to store in plaintext and to print.

    For btc: `path` is the account path, `address` and `public_key` are those of the first receive
    address (account/0/0) on mainnet, `xpubs` = {"main": xpub of m/P'/0'/i', "test": tpub of m/P'/1'/i'},
    and `descriptors` holds the receive ("main", "test") and change ("main_change", "test_change")
    public descriptors with key origin and checksum. For the other chains xpubs/descriptors are empty.
    """

    chain: str
    index: int
    path: str
    address: str
    public_key: str
    xpubs: dict[str, str] = field(default_factory=dict)
    descriptors: dict[str, str] = field(default_factory=dict)
    purpose: int | None = None


def _purpose_of(indices: list[int], purpose: int | None) -> int:
    if purpose is not None:
        if purpose not in BTC_PURPOSES:
            raise BadSecretInput(_("a bitcoin purpose is 84 (native segwit), 86 (taproot), 49 or 44"))
        return purpose
    first = indices[0] & ~HARDENED if indices and indices[0] & HARDENED else None
    return first if first in BTC_PURPOSES else 84


def _test_indices(indices: list[int]) -> list[int]:
    # m/P'/0'/A' on mainnet has its test-network twin at m/P'/1'/A'; other custom paths are reused as-is.
    if len(indices) >= 2 and indices[1] == HARDENED:
        return [indices[0], 1 | HARDENED, *indices[2:]]
    return list(indices)


def _btc_account(seed: bytes, index: int, indices: list[int], purpose: int) -> DerivedAccount:
    fingerprint = master_fingerprint(seed).hex()
    kind = A.PURPOSE_KIND[purpose]
    main_node = _secp_node(seed, indices)
    first_pub = _secp_pub(main_node.ChildKey(0).ChildKey(0))
    test_indices = _test_indices(indices)
    test_node = _secp_node(seed, test_indices, testnet=True)
    xpubs = {"main": str(main_node.PublicKey().ToExtended()), "test": str(test_node.PublicKey().ToExtended())}
    main_path, test_path = format_path(indices), format_path(test_indices)
    descriptors = {
        "main": descriptor(xpubs["main"], fingerprint, main_path, purpose, 0),
        "main_change": descriptor(xpubs["main"], fingerprint, main_path, purpose, 1),
        "test": descriptor(xpubs["test"], fingerprint, test_path, purpose, 0),
        "test_change": descriptor(xpubs["test"], fingerprint, test_path, purpose, 1),
    }
    return DerivedAccount(
        chain="btc",
        index=index,
        path=main_path,
        address=A.btc_address(first_pub, kind, "main"),
        public_key=first_pub.hex(),
        xpubs=xpubs,
        descriptors=descriptors,
        purpose=purpose,
    )


def derive_account(
    seed: bytes, chain: str, index: int = 0, *, path: str | None = None, purpose: int | None = None
) -> DerivedAccount:
    """Public data of account `index` (or of the key at a custom `path`; for btc, the account path).

    For btc, `purpose` picks the script (84 P2WPKH, 86 P2TR, 49 P2SH-P2WPKH, 44 P2PKH); with a custom
    path and no purpose, it is read from the path's first level, else 84.
    """
    _check_chain(chain)
    if path is None:
        path = default_path(chain, index, purpose=purpose if purpose is not None else 84)
    indices = parse_path(path)
    if chain == "btc":
        return _btc_account(seed, index, indices, _purpose_of(indices, purpose))
    if chain == "sol":
        pub = _ed25519_pub(_ed25519_node(seed, indices))
        address = A.sol_address(pub)
    else:
        pub = _secp_pub(_secp_node(seed, indices))
        address = A.evm_address(pub) if chain == "evm" else A.tron_address(pub)
    return DerivedAccount(
        chain=chain, index=index, path=format_path(indices), address=address, public_key=pub.hex()
    )


# ---------------------------------------------------------------- fast path
def _ckd_pub_many(pubkey: bytes, chain_code: bytes, start: int, count: int) -> list[Any]:
    """Non-hardened BIP32 children start..start+count-1 of (pubkey, chain_code) as coincurve keys."""
    from coincurve import PublicKey

    parent = PublicKey(pubkey)
    out = []
    for i in range(start, start + count):
        if i >= HARDENED:
            raise BadSecretInput(_("a non-hardened index is below 2^31"))
        tweak = hmac.digest(chain_code, pubkey + i.to_bytes(4, "big"), "sha512")[:32]
        try:
            # from_secret rejects IL >= n (BIP32: invalid child); combine rejects the point at infinity.
            out.append(PublicKey.combine_keys([parent, PublicKey.from_secret(tweak)]))
        except ValueError as exc:  # probability about 2^-127
            raise RuntimeError(_("BIP32 child {index} is invalid; use the next index").format(index=i)) from exc
    return out


def _ed25519_public(seeds: list[bytes]) -> list[bytes]:
    try:
        from nacl.bindings import crypto_sign_seed_keypair

        return [crypto_sign_seed_keypair(s)[0] for s in seeds]
    except ImportError:  # PyNaCl comes with bip-utils; cryptography is the slower fallback
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return [Ed25519PrivateKey.from_private_bytes(s).public_key().public_bytes_raw() for s in seeds]


def _slip10_hardened(key: bytes, chain_code: bytes, index: int) -> tuple[bytes, bytes]:
    digest = hmac.digest(chain_code, b"\0" + key + (index | HARDENED).to_bytes(4, "big"), "sha512")
    return digest[:32], digest[32:]


def _evm_fast(key: Any) -> bytes:
    return A.keccak256(key.format(compressed=False)[1:])[-20:]


def derive_addresses(
    seed: bytes,
    chain: str,
    count: int,
    start: int = 0,
    *,
    account: int = 0,
    change: int = 0,
    purpose: int = 84,
    network: str = "main",
) -> list[str]:
    """Many default-path addresses at once.

    evm/tron/sol: the addresses of accounts start..start+count-1 (the same as derive_account(...).address).
    btc: the receive (change=0) or change (change=1) addresses start..start+count-1 of one account,
    m/purpose'/coin'/account'/change/i, for network main, test, signet or regtest (coin 1 off mainnet).
    """
    _check_chain(chain)
    if count < 0 or start < 0:
        raise BadSecretInput(_("count and start are non-negative"))
    if chain == "sol":
        node = _ed25519_node(seed, [44 | HARDENED, 501 | HARDENED])  # cached m/44'/501'
        key, chain_code = bytes(node.PrivateKey().Raw().ToBytes()), bytes(node.ChainCode().ToBytes())
        seeds = []
        for i in range(start, start + count):
            k1, c1 = _slip10_hardened(key, chain_code, i)
            seeds.append(_slip10_hardened(k1, c1, 0)[0])
        return [A.b58encode(pub) for pub in _ed25519_public(seeds)]
    if chain == "btc":
        if network not in A.BTC_NETWORKS:
            raise BadSecretInput(_("unknown bitcoin network {network!r}").format(network=network))
        account_path = default_path("btc", account, testnet=network != "main", purpose=purpose)
        parent = _secp_node(seed, [*parse_path(account_path), change])
    else:
        parent = _secp_node(seed, parse_path(default_path(chain, 0))[:-1])
    keys = _ckd_pub_many(_secp_pub(parent), bytes(parent.ChainCode().ToBytes()), start, count)
    if chain == "evm":
        return [A.to_checksum_address(_evm_fast(k)) for k in keys]
    if chain == "tron":
        return [A.b58check_encode(b"\x41" + _evm_fast(k)) for k in keys]
    kind = A.PURPOSE_KIND[purpose]
    return [A.btc_address(k.format(), kind, network) for k in keys]


_EXT_VERSIONS = {
    bytes.fromhex("0488b21e"): ("main", False),  # xpub
    bytes.fromhex("0488ade4"): ("main", True),  # xprv
    _TEST_VERSIONS[0]: ("test", False),  # tpub
    _TEST_VERSIONS[1]: ("test", True),  # tprv
}


@dataclass(frozen=True)
class ExtendedKey:
    network: str
    private: bool
    depth: int
    parent_fingerprint: bytes
    child_number: int
    chain_code: bytes
    key: bytes = field(repr=False)  # 33 bytes: 0x00 || private key, or a compressed public key


def parse_extended_key(text: str) -> ExtendedKey:
    """Decode and check an xpub/xprv/tpub/tprv (every rule BIP32 test vector 5 exercises)."""
    try:
        raw = A.b58check_decode(text.strip())
    except A.AddressError:
        raise BadSecretInput(_("not an extended key: bad characters or checksum")) from None
    if len(raw) != 78 or raw[:4] not in _EXT_VERSIONS:
        raise BadSecretInput(_("not an extended key: unknown version or wrong length"))
    network, private = _EXT_VERSIONS[raw[:4]]
    depth, parent, child, chain_code, key = raw[4], raw[5:9], raw[9:13], raw[13:45], raw[45:]
    if depth == 0 and (parent != bytes(4) or child != bytes(4)):
        raise BadSecretInput(_("not an extended key: a master key has no parent or index"))
    if private:
        if key[0] != 0 or not 0 < int.from_bytes(key[1:], "big") < A.SECP256K1_ORDER:
            raise BadSecretInput(_("not an extended key: the private key is out of range"))
    else:
        if key[0] not in (2, 3):
            raise BadSecretInput(_("not an extended key: the public key is not compressed"))
        try:
            A.validate_public_key(key)  # rejects an x with no point on the curve
        except A.AddressError:
            raise BadSecretInput(_("not an extended key: the public key is not on the curve")) from None
    return ExtendedKey(network, private, depth, parent, int.from_bytes(child, "big"), chain_code, key)


def xpub_addresses(
    xpub: str, count: int, start: int = 0, *, change: int = 0, purpose: int = 84, network: str = "main"
) -> list[str]:
    """Bitcoin addresses account/change/i from an account xpub/tpub, without the seed (watch-only)."""
    ext = parse_extended_key(xpub)
    if ext.private:
        raise BadSecretInput(_("expected an extended public key (xpub or tpub), not a private one"))
    (change_key,) = _ckd_pub_many(ext.key, ext.chain_code, change, 1)
    change_code = hmac.digest(ext.chain_code, ext.key + change.to_bytes(4, "big"), "sha512")[32:]
    keys = _ckd_pub_many(change_key.format(), change_code, start, count)
    kind = A.PURPOSE_KIND[purpose]
    return [A.btc_address(k.format(), kind, network) for k in keys]
