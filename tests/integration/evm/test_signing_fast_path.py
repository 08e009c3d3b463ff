"""The send path's own RLP, keccak, signing and raw-transaction decoding, against independent implementations:
the `rlp` package, pycryptodome's public keccak API, eth-account and eth_abi, Foundry's cast, and the RLP
examples of the Ethereum wiki.
"""

from __future__ import annotations

import json
import os
import random
import secrets

import pytest
import rlp as ref_rlp
from Crypto.Hash import keccak as ref_keccak
from eth_abi import encode as abi_encode
from eth_account import Account as EthAccount

from chains.errors import BadInput
from chains.evm import rlp as evm_rlp
from chains.evm.sign import address_of_key, decode_signed, sign_transaction
from chains.evm.tokens import decode_revert, decode_string, decode_symbol, transfer_data
from chains.evm.tx import decode_raw
from keystore.addresses import SECP256K1_ORDER, keccak256

from .helpers import cast

# https://ethereum.org/en/developers/docs/data-structures-and-encoding/rlp/ (examples section)
LOREM = b"Lorem ipsum dolor sit amet, consectetur adipisicing elit"
RLP_VECTORS = [
    (b"dog", "83646f67"), ([b"cat", b"dog"], "c88363617483646f67"), (b"", "80"), ([], "c0"), (0, "80"),
    (b"\x00", "00"), (b"\x0f", "0f"), (b"\x04\x00", "820400"), (15, "0f"), (1024, "820400"),
    ([[], [[]], [[], [[]]]], "c7c0c1c0c3c0c1c0"), (LOREM, "b838" + LOREM.hex()),
]


@pytest.mark.parametrize(("item", "hexed"), RLP_VECTORS)
def test_rlp_wiki_vectors(item, hexed):
    assert evm_rlp.encode(item).hex() == hexed
    if not isinstance(item, int):
        assert evm_rlp.decode(bytes.fromhex(hexed)) == item


def _random_item(rng: random.Random, depth: int = 0) -> object:
    if depth < 3 and rng.random() < 0.3:
        return [_random_item(rng, depth + 1) for _ in range(rng.choice([0, 1, 2, 5, 60]))]
    return rng.randbytes(rng.choice([0, 1, 1, 2, 55, 56, 57, 300, 70000]))


def test_rlp_matches_the_rlp_package_on_random_structures():
    rng = random.Random(1234)
    for _ in range(200):
        item = _random_item(rng)
        enc = evm_rlp.encode(item)
        assert enc == ref_rlp.encode(item)
        assert evm_rlp.decode(enc) == ref_rlp.decode(enc)
    for n in (0, 1, 127, 128, 255, 256, 2**64 - 1, 2**256 - 1):
        assert evm_rlp.encode(n) == ref_rlp.encode(n)


@pytest.mark.parametrize("bad", [
    "8105",              # a single byte below 0x80 must encode as itself
    "b80100",            # long form for a length below 56
    "b9003a" + "00" * 58,  # a length with a leading zero byte
    "83646f",            # truncated string
    "c883636174",        # truncated list
    "83646f6700",        # trailing byte
    "c3836361",          # a list item running past its list
    "",
])
def test_rlp_rejects_non_canonical_input(bad):
    data = bytes.fromhex(bad)
    with pytest.raises(evm_rlp.RlpError):
        evm_rlp.decode(data)
    with pytest.raises(Exception):  # the reference decoder refuses them too  # noqa: B017, PT011
        ref_rlp.decode(data)


def test_keccak_matches_pycryptodome_public_api():
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    for n in (1, 31, 135, 136, 137, 1000, 100_000):
        data = os.urandom(n)
        assert keccak256(data) == ref_keccak.new(data=data, digest_bits=256).digest()


def _random_tx(rng: random.Random, typed: bool, token: bool) -> dict:
    to = EthAccount.from_key(rng.randbytes(32)).address
    tx = {"chainId": rng.choice([1, 10, 56, 137, 31337, 11155111, 2**32 + 7]),
          "nonce": rng.choice([0, 1, 127, 128, 2**20, 2**64 - 2]),
          "gas": rng.choice([21000, 65000, 30_000_000]),
          "to": to, "value": rng.choice([0, 1, 10**18, 2**256 - 1]), "data": "0x"}
    if token:
        tx["value"] = 0
        tx["data"] = transfer_data(EthAccount.from_key(rng.randbytes(32)).address, rng.randrange(2**256))
    if typed:
        tx.update(type=2, maxFeePerGas=rng.choice([1, 3 * 10**9, 10**15]),
                  maxPriorityFeePerGas=rng.choice([0, 1, 10**9]))
    else:
        tx["gasPrice"] = rng.choice([1, 2 * 10**9, 10**15])
    return tx


@pytest.mark.parametrize("typed", [True, False], ids=["type2", "legacy"])
@pytest.mark.parametrize("token", [False, True], ids=["native", "erc20"])
def test_signatures_are_byte_identical_to_eth_account(typed, token):
    rng = random.Random(f"{typed}{token}")
    for _ in range(25):
        key = rng.randbytes(32)
        tx = _random_tx(rng, typed, token)
        ref = EthAccount.sign_transaction(tx, key)
        raw, txid = sign_transaction(tx, key)
        assert raw == bytes(ref.raw_transaction)
        assert txid == "0x" + bytes(ref.hash).hex()
        decoded, sender, txid2 = decode_signed(raw)
        assert sender == EthAccount.from_key(key).address == address_of_key(key)
        assert txid2 == txid
        assert decoded["type"] == (2 if typed else 0)
        for k in ("chainId", "nonce", "gas"):
            assert decoded[k] == tx[k]
        for k in ("value", "maxFeePerGas", "maxPriorityFeePerGas", "gasPrice"):
            if k in tx:
                assert decoded[k] == str(tx[k])
        assert decoded["to"] == tx["to"]
        assert decoded["data"] == tx["data"].lower()


def test_random_key_type2_and_legacy_match_cast_mktx():
    key = secrets.token_bytes(32)
    to = EthAccount.from_key(secrets.token_bytes(32)).address
    base = ["--private-key", "0x" + key.hex(), "--chain", "10", "--rpc-url", "http://127.0.0.1:9",
            "--nonce", "5", "--gas-limit", "50000"]
    out = cast("mktx", *base, "--priority-gas-price", "7", "--gas-price", "99", to, "--value", "123")
    assert out.returncode == 0, out.stderr
    tx = {"type": 2, "chainId": 10, "nonce": 5, "gas": 50000, "to": to, "value": 123, "data": "0x",
          "maxFeePerGas": 99, "maxPriorityFeePerGas": 7}
    assert "0x" + sign_transaction(tx, key)[0].hex() == out.stdout.strip()
    out = cast("mktx", *base, "--legacy", "--gas-price", "99", to, "--value", "123")
    assert out.returncode == 0, out.stderr
    legacy = {"chainId": 10, "nonce": 5, "gas": 50000, "to": to, "value": 123, "data": "0x", "gasPrice": 99}
    assert "0x" + sign_transaction(legacy, key)[0].hex() == out.stdout.strip()
    decoded = json.loads(cast("decode-transaction", out.stdout.strip()).stdout)
    decoded = json.loads(decoded) if isinstance(decoded, str) else decoded
    assert decoded["signer"].lower() == address_of_key(key).lower()


def _sign_ref(tx: dict) -> bytes:
    return bytes(EthAccount.sign_transaction(tx, secrets.token_bytes(32)).raw_transaction)


def test_decode_refuses_what_the_wallet_does_not_handle():
    to = EthAccount.from_key(secrets.token_bytes(32)).address
    type1 = _sign_ref({"type": 1, "chainId": 1, "nonce": 0, "gas": 21000, "gasPrice": 1, "to": to, "value": 1,
                       "data": "0x", "accessList": []})
    with pytest.raises(BadInput, match="type 1 is not supported"):
        decode_raw("0x" + type1.hex())
    legacy = {"nonce": 0, "gas": 21000, "gasPrice": 1, "to": to, "value": 1, "data": "0x"}
    with pytest.raises(BadInput, match="no chain id"):
        decode_raw("0x" + _sign_ref(legacy).hex())  # no chainId: eth-account signs pre-EIP-155
    create = _sign_ref({"type": 2, "chainId": 1, "nonce": 0, "gas": 60000, "maxFeePerGas": 2,
                        "maxPriorityFeePerGas": 1, "to": "", "value": 0, "data": "0x6000"})
    with pytest.raises(BadInput, match="contract-creation"):
        decode_raw("0x" + create.hex())
    good = _sign_ref({**legacy, "chainId": 5})
    for broken in (good[:-1], good + b"\0", b"\x05" + good, b""):
        with pytest.raises(BadInput):
            decode_raw("0x" + broken.hex())
    with pytest.raises(BadInput, match="cannot be decoded"):
        decode_raw("0xzz")


def test_decode_refuses_a_high_s_signature():
    key = secrets.token_bytes(32)
    tx = {"type": 2, "chainId": 1, "nonce": 0, "gas": 21000, "maxFeePerGas": 2, "maxPriorityFeePerGas": 1,
          "to": EthAccount.from_key(secrets.token_bytes(32)).address, "value": 1, "data": "0x"}
    items = evm_rlp.decode(sign_transaction(tx, key)[0][1:])
    y, s = evm_rlp.to_int(items[9]), evm_rlp.to_int(items[11])
    items[9], items[11] = (b"\x01" if y == 0 else b""), (SECP256K1_ORDER - s).to_bytes(32, "big")
    flipped = b"\x02" + evm_rlp.encode(items)  # the malleated twin: the same signer, s above n/2
    with pytest.raises(BadInput, match="low s"):
        decode_signed(flipped)


@pytest.mark.parametrize("text", ["TT", "", "Ünïcødé token", "x" * 33, "a" * 64])
def test_abi_string_decoding_matches_eth_abi(text):
    enc = abi_encode(["string"], [text])
    assert decode_string(enc) == text
    assert decode_symbol("0x" + enc.hex()) == text
    assert decode_revert("0x08c379a0" + enc.hex()) == text


def test_abi_string_decoding_refuses_malformed_data():
    enc = abi_encode(["string"], ["hello"])
    for bad in (enc[:40], enc[:64] + b"\0" * 4, (2**200).to_bytes(32, "big") + enc[32:], enc[:-32]):
        with pytest.raises(ValueError):  # noqa: PT011
            decode_string(bad)
    assert decode_revert("0x08c379a0" + enc[:40].hex()) == "unparseable revert data 0x08c379a0"
