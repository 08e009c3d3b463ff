"""EVM transaction serialisation, signing and sender recovery: legacy (EIP-155) and EIP-1559 (type 2).

This is the send path, so it avoids eth-account (whose import, through eth_keyfile and py_ecc, costs
~500 ms): RLP from chains.evm.rlp, keccak from keystore.addresses (pycryptodome's C code) and secp256k1 from
coincurve (libsecp256k1: RFC 6979 nonces and low-s signatures, as eth-account and cast produce, so the
raw bytes are identical; tests compare them with `cast mktx` and eth-account).

Transactions are the JSON form of chains.evm.tx: ints for chainId/nonce/gas/type, decimal strings or ints for
wei, a checksummed `to` and 0x-hex `data`.
"""

from __future__ import annotations

from typing import Any

from chains.errors import BadInput
from chains.evm import rlp
from keystore.addresses import SECP256K1_ORDER, keccak256, to_checksum_address
from wallet_i18n import N_, _, translated

_HALF_ORDER = SECP256K1_ORDER // 2


def _hex_bytes(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)


def _unsigned_fields(tx: dict[str, Any]) -> list[Any]:
    to = _hex_bytes(tx["to"])
    if len(to) != 20:
        raise BadInput(_("a transaction recipient is a 20-byte address"))
    data = _hex_bytes(tx.get("data") or "0x")
    if int(tx.get("type", 2 if "maxFeePerGas" in tx else 0)) == 2:
        return [int(tx["chainId"]), int(tx["nonce"]), int(tx["maxPriorityFeePerGas"]), int(tx["maxFeePerGas"]),
                int(tx["gas"]), to, int(tx["value"]), data, []]
    return [int(tx["nonce"]), int(tx["gasPrice"]), int(tx["gas"]), to, int(tx["value"]), data]


def _is_typed(tx: dict[str, Any]) -> bool:
    return int(tx.get("type", 2 if "maxFeePerGas" in tx else 0)) == 2


def signing_hash(tx: dict[str, Any]) -> bytes:
    """The hash the sender signs: keccak(0x02 || rlp(fields)) or, legacy, keccak(rlp(fields, chainId, 0, 0))."""
    fields = _unsigned_fields(tx)
    if _is_typed(tx):
        return keccak256(b"\x02" + rlp.encode(fields))
    return keccak256(rlp.encode([*fields, int(tx["chainId"]), 0, 0]))


def _private_key(key: bytes) -> Any:
    from coincurve import PrivateKey

    if len(key) != 32 or not 0 < int.from_bytes(key, "big") < SECP256K1_ORDER:
        raise BadInput(_("the EVM signer needs a 32-byte secp256k1 private key"))
    return PrivateKey(key)


def address_of_key(key: bytes) -> str:
    """EIP-55 address of a 32-byte private key."""
    pub = _private_key(key).public_key.format(compressed=False)
    return to_checksum_address(keccak256(pub[1:])[-20:])


def sign_transaction(tx: dict[str, Any], key: bytes) -> tuple[bytes, str]:
    """(raw signed transaction, txid) of a type 0 (EIP-155) or type 2 transaction."""
    fields = _unsigned_fields(tx)
    sig = _private_key(key).sign_recoverable(signing_hash(tx), hasher=None)
    r, s, rec = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
    if not 0 < s <= _HALF_ORDER or rec > 1:  # libsecp256k1 always normalises to low s (EIP-2)
        raise RuntimeError(_("libsecp256k1 returned a signature Ethereum does not accept"))
    if _is_typed(tx):
        raw = b"\x02" + rlp.encode([*fields, rec, r, s])
    else:
        raw = rlp.encode([*fields, rec + 35 + 2 * int(tx["chainId"]), r, s])
    return raw, "0x" + keccak256(raw).hex()


def _uint(item: rlp.Item, what: str, max_bytes: int = 32) -> int:
    if not isinstance(item, bytes) or len(item) > max_bytes:
        raise BadInput(_("the raw transaction's {what} is not a valid number").format(what=translated(what)))
    return rlp.to_int(item)


def _recover(msg_hash: bytes, rec: int, r: int, s: int) -> str:
    from coincurve import PublicKey

    if not (0 < r < SECP256K1_ORDER and 0 < s <= _HALF_ORDER and rec in (0, 1)):
        raise BadInput(_("the raw transaction's signature is out of range (EIP-2 requires a low s)"))
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([rec])
    pub = PublicKey.from_signature_and_message(sig, msg_hash, hasher=None).format(compressed=False)
    return to_checksum_address(keccak256(pub[1:])[-20:])


def _common(to_item: Any, value: Any, data: Any) -> dict[str, Any]:
    if not isinstance(to_item, bytes) or not isinstance(data, bytes):
        raise BadInput(_("the raw transaction's recipient or data is malformed"))
    if not to_item:
        raise BadInput(_("contract-creation transactions are not handled by this wallet"))
    if len(to_item) != 20:
        raise BadInput(_("the raw transaction's recipient is not a 20-byte address"))
    return {"to": to_checksum_address(to_item), "value": str(_uint(value, N_("value"))), "data": "0x" + data.hex()}


def decode_signed(raw: bytes) -> tuple[dict[str, Any], str, str]:
    """(JSON tx, sender, txid) of a signed legacy (EIP-155) or type 2 transaction; BadInput otherwise."""
    if not raw:
        raise BadInput(_("the raw transaction is empty"))
    txid = "0x" + keccak256(raw).hex()
    if raw[0] <= 0x7F:
        if raw[0] != 2:
            raise BadInput(_("transaction type {type} is not supported here (only 0 and 2)").format(type=raw[0]))
        items = rlp.decode(raw[1:])
        if not isinstance(items, list) or len(items) != 12:
            raise BadInput(_("the raw type 2 transaction does not have 12 fields"))
        chain_id, nonce, prio, max_fee, gas, to, value, data, access, y, r, s = items
        if not isinstance(access, list):
            raise BadInput(_("the raw transaction's access list is malformed"))
        unsigned = b"\x02" + rlp.encode(items[:9])
        tx = {"type": 2, "chainId": _uint(chain_id, N_("chain id")), "nonce": _uint(nonce, N_("nonce"), 8)}
        tx.update(_common(to, value, data))
        tx.update(gas=_uint(gas, N_("gas limit"), 8), maxFeePerGas=str(_uint(max_fee, N_("max fee"))),
                  maxPriorityFeePerGas=str(_uint(prio, N_("priority fee"))))
        sender = _recover(keccak256(unsigned), _uint(y, N_("y parity"), 1), _uint(r, "r"), _uint(s, "s"))
        return tx, sender, txid
    items = rlp.decode(raw)
    if not isinstance(items, list) or len(items) != 9:
        raise BadInput(_("the raw legacy transaction does not have 9 fields"))
    nonce, price, gas, to, value, data, v_item, r, s = items
    v = _uint(v_item, "v")
    if v in (27, 28):
        raise BadInput(_("the transaction has no chain id (pre-EIP-155); refusing to handle it"))
    if v < 35:
        raise BadInput(_("the raw transaction's v value {v} is invalid").format(v=v))
    chain_id = (v - 35) // 2
    tx = {"type": 0, "chainId": chain_id, "nonce": _uint(nonce, N_("nonce"), 8)}
    tx.update(_common(to, value, data))
    tx.update(gas=_uint(gas, N_("gas limit"), 8), gasPrice=str(_uint(price, N_("gas price"))))
    msg_hash = keccak256(rlp.encode([*items[:6], chain_id, 0, 0]))
    sender = _recover(msg_hash, (v - 35) % 2, _uint(r, "r"), _uint(s, "s"))
    return tx, sender, txid
