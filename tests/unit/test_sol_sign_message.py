"""Solana sign_message never signs bytes that are a transaction message (they would authorise it).

Signatures that are produced are checked with `cryptography`'s Ed25519, independent of solders.
"""

from __future__ import annotations

import os
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import Message, MessageV0, to_bytes_versioned
from solders.signature import Signature
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction

from chains.base import Signer
from chains.errors import BadInput
from chains.networks import get_network
from chains.solana import Adapter


@pytest.fixture
def key() -> tuple[Keypair, Signer]:
    seed = os.urandom(32)
    kp = Keypair.from_seed(seed)
    return kp, Signer("sol", str(kp.pubkey()), seed)


def _drain(kp: Keypair) -> list:
    return [transfer(TransferParams(from_pubkey=kp.pubkey(), to_pubkey=Keypair().pubkey(), lamports=10**9))]


def _adapter() -> Adapter:
    return Adapter(get_network("local-sol"))


def test_legacy_transaction_message_is_refused(key: tuple[Keypair, Signer]) -> None:
    kp, signer = key
    msg = Message.new_with_blockhash(_drain(kp), kp.pubkey(), Hash(os.urandom(32)))
    # Why it matters: an ed25519 signature over these bytes is exactly the transaction's signature.
    stolen = VersionedTransaction.populate(msg, [kp.sign_message(bytes(msg))])
    assert stolen.verify_with_results() == [True]
    with pytest.raises(BadInput) as e:
        _adapter().sign_message(bytes(msg), signer)
    assert "transaction message" in str(e.value) and "--offchain" in str(e.value)


def test_v0_transaction_message_is_refused_with_and_without_prefix(key: tuple[Keypair, Signer]) -> None:
    kp, signer = key
    msg = MessageV0.try_compile(kp.pubkey(), _drain(kp), [], Hash(os.urandom(32)))
    wire = to_bytes_versioned(msg)                 # 0x80 || message: what a v0 signature covers
    assert wire[0] == 0x80
    assert VersionedTransaction.populate(msg, [kp.sign_message(wire)]).verify_with_results() == [True]
    for data in (wire, bytes(msg)):
        with pytest.raises(BadInput):
            _adapter().sign_message(data, signer)


def test_text_is_still_signed_raw_and_offchain(key: tuple[Keypair, Signer]) -> None:
    kp, signer = key
    pub = Ed25519PublicKey.from_public_bytes(bytes(kp.pubkey()))
    text = b"Sign in to example.com\nNonce: 7f3a"
    pub.verify(bytes(Signature.from_string(_adapter().sign_message(text, signer))), text)
    sig = _adapter().sign_message(text, signer, offchain=True)
    # The Solana CLI's off-chain header, written out here independently of chains.solana.messages.
    framed = b"\xffsolana offchain" + bytes([0, 1 if b"\n" in text else 0]) + struct.pack("<H", len(text)) + text
    pub.verify(bytes(Signature.from_string(sig)), framed)
