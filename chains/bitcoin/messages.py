"""Bitcoin message signatures: BIP-322 "simple" for native segwit (P2WPKH) addresses, and the legacy
"Bitcoin Signed Message" format (65-byte recoverable signature) for 1… (P2PKH) addresses.

BIP-322 simple: the signature is the witness of a virtual transaction `to_sign` spending the virtual
`to_spend` whose output pays the address and whose input commits to the tagged message hash; the witness
is checked here with BIP143's sighash, as a node would check a P2WPKH spend.
"""

from __future__ import annotations

import base64
import struct

from chains.base import Signer
from chains.errors import BadInput, Unsupported
from keystore import addresses as A
from wallet_i18n import _

_LEGACY_MAGIC = b"\x18Bitcoin Signed Message:\n"


def _varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def message_hash(message: bytes) -> bytes:
    return A.tagged_hash("BIP0322-signed-message", message)


def _to_spend_txid(spk: bytes, message: bytes) -> bytes:
    script_sig = b"\x00\x20" + message_hash(message)
    tx = (struct.pack("<i", 0) + b"\x01" + b"\x00" * 32 + b"\xff\xff\xff\xff" + _varint(len(script_sig))
          + script_sig + b"\x00\x00\x00\x00" + b"\x01" + b"\x00" * 8 + _varint(len(spk)) + spk + b"\x00" * 4)
    return A.sha256d(tx)


def _to_sign_sighash(pubkey_hash: bytes, spend_txid: bytes) -> bytes:
    """BIP143 sighash (SIGHASH_ALL) of to_sign's only input, spending P2WPKH with amount 0."""
    outpoint = spend_txid + b"\x00\x00\x00\x00"
    script_code = b"\x19\x76\xa9\x14" + pubkey_hash + b"\x88\xac"
    outputs = b"\x00" * 8 + b"\x01\x6a"                       # value 0, OP_RETURN
    preimage = (struct.pack("<i", 0) + A.sha256d(outpoint) + A.sha256d(b"\x00" * 4) + outpoint + script_code
                + b"\x00" * 8 + b"\x00" * 4 + A.sha256d(outputs) + b"\x00" * 4 + struct.pack("<I", 1))
    return A.sha256d(preimage)


def _kind(address: str) -> tuple[str, bytes]:
    """('p2wpkh', 20-byte program) or ('p2pkh', 20-byte hash) of a mainnet or test address."""
    low = address.lower()
    if low.startswith(("bc1", "tb1", "bcrt1")):
        try:
            _hrp, version, program = A.segwit_decode(address)
        except A.AddressError:
            raise BadInput(_("this is not a valid bech32 Bitcoin address")) from None
        if version == 0 and len(program) == 20:
            return "p2wpkh", program
        raise Unsupported(_("message signing here is for P2WPKH (bc1q…) and P2PKH (1…) addresses"))
    try:
        raw = A.b58check_decode(address)
    except A.AddressError:
        raise BadInput(_("this is not a valid Bitcoin address")) from None
    if len(raw) == 21 and raw[0] in (0x00, 0x6F):
        return "p2pkh", raw[1:]
    raise Unsupported(_("message signing here is for P2WPKH (bc1q…) and P2PKH (1…) addresses"))


def _legacy_digest(message: bytes) -> bytes:
    return A.sha256d(_LEGACY_MAGIC + _varint(len(message)) + message)


def sign(message: bytes, key: bytes, address: str) -> str:
    """The signature for `address` (whose key is `key`), in that address type's format, base64."""
    from coincurve import PrivateKey

    kind, program = _kind(address)
    pk = PrivateKey(key)
    pub = pk.public_key.format(compressed=True)
    # A 1… address may be of the uncompressed key (an old WIF): the header byte says which.
    compressed = A.hash160(pub) == program
    if not compressed and not (kind == "p2pkh" and A.hash160(pk.public_key.format(compressed=False)) == program):
        raise BadInput(_("the signing key does not belong to this address"))
    if kind == "p2pkh":
        rec = pk.sign_recoverable(_legacy_digest(message), hasher=None)   # r || s || recid
        return base64.b64encode(bytes([27 + rec[64] + (4 if compressed else 0)]) + rec[:64]).decode()
    sig = pk.sign(_to_sign_sighash(program, _to_spend_txid(b"\x00\x14" + program, message)), hasher=None) + b"\x01"
    witness = b"\x02" + _varint(len(sig)) + sig + _varint(len(pub)) + pub
    return base64.b64encode(witness).decode()


def verify(message: bytes, signature: str, address: str) -> bool:
    from coincurve import PublicKey

    kind, program = _kind(address)
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except ValueError:
        return False
    try:
        if kind == "p2pkh":
            if len(raw) != 65 or not 27 <= raw[0] <= 34:
                return False
            recid, compressed = (raw[0] - 27) & 3, raw[0] >= 31
            pub = PublicKey.from_signature_and_message(raw[1:] + bytes([recid]), _legacy_digest(message),
                                                       hasher=None)
            return A.hash160(pub.format(compressed=compressed)) == program
        items = _witness(raw)
        if len(items) != 2 or items[0][-1:] != b"\x01" or A.hash160(items[1]) != program:
            return False
        digest = _to_sign_sighash(program, _to_spend_txid(b"\x00\x14" + program, message))
        return PublicKey(items[1]).verify(items[0][:-1], digest, hasher=None)
    except (ValueError, TypeError):
        return False


def _witness(raw: bytes) -> list[bytes]:
    if not raw or raw[0] >= 0xFD:
        raise ValueError("bad witness")  # i18n: not shown
    n, pos, out = raw[0], 1, []
    for _i in range(n):
        if pos >= len(raw) or raw[pos] >= 0xFD:
            raise ValueError("bad witness")  # i18n: not shown
        size = raw[pos]
        item = raw[pos + 1:pos + 1 + size]
        if len(item) != size:
            raise ValueError("bad witness")  # i18n: not shown
        out.append(item)
        pos += 1 + size
    if pos != len(raw):
        raise ValueError("bad witness")  # i18n: not shown
    return out


def signing_key(signer: Signer) -> bytes:
    """The key of the account's listed address: receive address 0 of an HD account, or the imported key."""
    if signer.private_key:
        return signer.private_key
    if not signer.xprv:
        raise BadInput(_("this Bitcoin account has no key to sign with"))
    from bip_utils import Bip32Slip10Secp256k1

    node = Bip32Slip10Secp256k1.FromExtendedKey(signer.xprv).DerivePath("0/0")
    return node.PrivateKey().Raw().ToBytes()
