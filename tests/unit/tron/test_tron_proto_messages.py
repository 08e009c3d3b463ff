"""Our protobuf encoding against Google's runtime on random transactions, malformed input, and TIP-191
message signatures against two other implementations' published vectors."""

from __future__ import annotations

import os
import random

import pytest

from chains.tron import messages
from chains.tron import proto as pb
from chains.tron import tx as ttx
from chains.tron.sign import address_of_key
from tests.unit.tron.decoder import schema


def _random_raw(rng: random.Random) -> ttx.Raw:
    trigger = rng.random() < 0.5
    owner = b"\x41" + os.urandom(20)
    return ttx.Raw(os.urandom(2), os.urandom(8), rng.randrange(1, 2**45), rng.randrange(0, 2**45),
                   ttx.TRIGGER if trigger else ttx.TRANSFER, owner, b"\x41" + os.urandom(20),
                   0 if trigger else rng.randrange(1, 2**63), os.urandom(68) if trigger else b"",
                   os.urandom(rng.randrange(0, 3) * rng.randrange(0, 120)), rng.randrange(0, 2**34) if trigger else 0)


def test_random_transactions_serialise_exactly_as_googles_runtime_does() -> None:
    rng = random.Random(195)
    pb2 = schema()
    for _ in range(300):
        raw = _random_raw(rng)
        ours = raw.encode()
        parsed = pb2.Transaction.raw()
        parsed.ParseFromString(ours)
        assert parsed.SerializeToString(deterministic=True) == ours
        assert (parsed.expiration, parsed.timestamp, parsed.data, parsed.fee_limit) == (
            raw.expiration, raw.timestamp, raw.memo, raw.fee_limit)
        assert parsed.contract[0].type == raw.contract_type
        assert ttx.decode_raw(ours) == raw


def test_varints_and_malformed_messages() -> None:
    assert pb.varint(0) == b"\0" and pb.varint(300) == b"\xac\x02"
    assert pb.varint(-1) == b"\xff" * 9 + b"\x01"                 # int64 -1, as protobuf writes it
    with pytest.raises(pb.ProtoError):
        pb.varint(2**64)
    good = _random_raw(random.Random(1)).encode()
    for bad in (good[:-1], good + b"\x0a", good + b"\x0d\0\0\0\0", b"\x00\x01", b"\x80" * 11):
        with pytest.raises(pb.ProtoError):
            ttx.decode_raw(bad)


def _with_contract(contract: bytes) -> bytes:
    return pb.message([pb.bytes_field(1, b"\0\1"), pb.bytes_field(4, b"\0" * 8), pb.int_field(8, 10**12),
                       pb.bytes_field(11, contract)])


def test_decode_refuses_what_this_wallet_never_signs() -> None:
    value = pb.message([pb.bytes_field(1, b"\x41" + b"\1" * 20), pb.bytes_field(2, b"\x41" + b"\2" * 20),
                        pb.int_field(3, 5)])
    def contract(ctype: int, url: str, permission: int = 0) -> bytes:
        any_ = pb.message([pb.bytes_field(1, url.encode()), pb.bytes_field(2, value)])
        return pb.message([pb.int_field(1, ctype), pb.bytes_field(2, any_), pb.int_field(5, permission)])

    ok = contract(1, ttx.TYPE_URLS[1])
    assert ttx.decode_raw(_with_contract(ok)).amount == 5
    cases = {"contract type 2": contract(2, "type.googleapis.com/protocol.TransferAssetContract"),
             "type URL": contract(1, ttx.TYPE_URLS[31]), "permission": contract(1, ttx.TYPE_URLS[1], 2)}
    for why, c in cases.items():
        with pytest.raises(pb.ProtoError, match=why.split()[0]):
            ttx.decode_raw(_with_contract(c))
    with pytest.raises(pb.ProtoError, match="exactly one"):
        ttx.decode_raw(_with_contract(ok) + pb.bytes_field(11, ok))


def test_ref_block_parsing() -> None:
    bid = (1234).to_bytes(8, "big") + os.urandom(24)
    ref = ttx.RefBlock.parse(f"1234:{bid.hex()}")
    assert ref.ref_bytes == (1234).to_bytes(2, "big") and ref.ref_hash == bid[8:16]
    for bad in ("1234", f"1235:{bid.hex()}", "x:00", f"1234:{bid.hex()[:-2]}"):
        with pytest.raises(ValueError):
            ttx.RefBlock.parse(bad)


@pytest.mark.parametrize("key,message,signature,origin", [
    ("43985273a3d94eb753fe6acfd7003e88254effce1eb53e2e97b8522558a98038", b"message",
     "fde00bc33d78109bc61de314c1c0526a047e22a2aaae473ca84b32d8aa35ed3e03720e05d614087e3d8c6fae63879755b32aa08818a2d4d"
     "e66fee1a617a971671b", "mrtnetwork/blockchain_utils test/signer/tron_test.dart"),
    ("75065f100e38d3f3b4c5c4235834ba8216de62272a4f03532c44b31a5734360a", b"Hello World",
     "bc0753c070cc55693097df11bc11e1a7c4bd5e1a40b9dc94c75568e59bcc9d6b50a7873ef25b469e494490a54de37327b4bc7fc825c81a3"
     "77b555e34fb7261ba1c", "Trust Wallet Core's TestTronMessageSigner (Kotlin)"),
])
def test_tip191_matches_other_implementations(key: str, message: bytes, signature: str, origin: str) -> None:
    k = bytes.fromhex(key)
    assert messages.sign(message, k) == "0x" + signature, origin
    assert messages.verify(message, signature, address_of_key(k))
    assert not messages.verify(message + b".", signature, address_of_key(k))
