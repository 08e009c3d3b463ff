"""Address validation against other chains' real addresses, and signatures checked independently.

Signatures are verified with `cryptography`'s Ed25519 (an implementation independent of solders),
and keys are derived with solders' SLIP-10 (`Keypair.from_seed_and_derivation_path`).
"""

from __future__ import annotations

import base64
import hashlib

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from chains.base import Signer
from chains.errors import BadInput, InvalidAddress
from chains.solana import Adapter
from chains.solana.messages import offchain_v0

from .conftest import Wallet, new_wallet
from .helpers import sol_transfer

WRONG_CHAIN = {
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": "EVM",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq": "Bitcoin",
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa": "Bitcoin",          # the genesis block's address
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy": "Bitcoin",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t": "TRON",             # USDT's TRC-20 contract
}


@pytest.mark.parametrize("text,chain", WRONG_CHAIN.items())
def test_other_chains_addresses_are_named(text: str, chain: str, network: object) -> None:
    with pytest.raises(InvalidAddress) as e:
        Adapter.parse_address(text, network)  # type: ignore[arg-type]
    assert chain in str(e.value) and "not a Solana address" in str(e.value)


def test_corrupted_tron_address_is_not_called_tron(network: object) -> None:
    bad = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"        # last character changed: checksum fails
    with pytest.raises(InvalidAddress) as e:
        Adapter.parse_address(bad, network)  # type: ignore[arg-type]
    assert "TRON" not in str(e.value)


@pytest.mark.parametrize("text", ["", "not an address", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4w",
                                  "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1vX"])
def test_garbage_is_rejected(text: str, network: object) -> None:
    with pytest.raises(InvalidAddress):
        Adapter.parse_address(text, network)  # type: ignore[arg-type]


def test_valid_solana_addresses(network: object) -> None:
    for text in ["EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "11111111111111111111111111111111",
                 "  TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA "]:
        assert Adapter.parse_address(text, network) == text.strip()  # type: ignore[arg-type]


def test_transaction_signature_verifies_independently(adapter: Adapter, url: str) -> None:
    from devnet import sol_sandbox

    seed = bytes(range(64))
    kp = Keypair.from_seed_and_derivation_path(seed, "m/44'/501'/0'/0'")
    # The signer carries the 32-byte ed25519 seed; its public key derived by `cryptography`.
    secret = kp.secret()
    pub = Ed25519PrivateKey.from_private_bytes(secret).public_key().public_bytes_raw()
    assert pub == bytes(kp.pubkey())
    w = Wallet(kp, secret)
    sol_sandbox.fund(url, w.address, 10**9)
    unsigned = adapter.build_transfer(sol_transfer(adapter.network, w, new_wallet().address, "0.1"))
    signed = adapter.sign(unsigned, w.signer)
    assert adapter.sign(unsigned, w.signer).raw == signed.raw          # ed25519 is deterministic
    tx = VersionedTransaction.from_bytes(base64.b64decode(signed.raw))
    msg = bytes(tx.message)
    assert msg == base64.b64decode(unsigned.payload["message"])        # what was shown is what is signed
    sig = bytes(tx.signatures[0])
    Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)           # raises if invalid
    assert base58.b58encode(sig).decode() == signed.txid
    assert tx.verify_with_results() == [True]
    assert Signature.from_string(signed.txid).verify(Pubkey(pub), msg)
    assert adapter.broadcast(signed) == signed.txid


def test_wrong_key_is_refused(adapter: Adapter, funded: Wallet) -> None:
    unsigned = adapter.build_transfer(sol_transfer(adapter.network, funded, new_wallet().address, "0.1"))
    other = new_wallet()
    with pytest.raises(BadInput):
        adapter.sign(unsigned, Signer("sol", funded.address, other.seed))
    with pytest.raises(BadInput):
        adapter.sign(unsigned, other.signer)


def test_offchain_format_matches_solana_sdk_vectors() -> None:
    # solana-sdk offchain_message.rs tests: serialized bytes and sha256 (base58) of v0 messages.
    ascii_msg = offchain_v0(b"Test Message")
    assert ascii_msg == bytes([255, 115, 111, 108, 97, 110, 97, 32, 111, 102, 102, 99, 104, 97, 105, 110,
                               0, 0, 12, 0, 84, 101, 115, 116, 32, 77, 101, 115, 115, 97, 103, 101])
    assert base58.b58encode(hashlib.sha256(ascii_msg).digest()).decode() == \
        "HG5JydBGjtjTfD3sSn21ys5NTWPpXzmqifiGC2BVUjkD"
    utf8_msg = offchain_v0("Тестовое сообщение".encode())
    assert utf8_msg[16:20] == bytes([0, 1, 35, 0])
    assert base58.b58encode(hashlib.sha256(utf8_msg).digest()).decode() == \
        "6GXTveatZQLexkX4WeTpJ3E7uk1UojRXpKp43c4ArSun"


@pytest.mark.parametrize("offchain", [False, True])
def test_sign_and_verify_message(adapter: Adapter, offchain: bool) -> None:
    w = new_wallet()
    sig = adapter.sign_message(b"hello solana", w.signer, offchain=offchain)
    signed_bytes = offchain_v0(b"hello solana") if offchain else b"hello solana"
    pub = Ed25519PrivateKey.from_private_bytes(w.seed).public_key()
    pub.verify(base58.b58decode(sig), signed_bytes)
    assert adapter.verify_message(b"hello solana", sig, w.address, offchain=offchain)
    assert not adapter.verify_message(b"hello solana!", sig, w.address, offchain=offchain)
    assert not adapter.verify_message(b"hello solana", sig, new_wallet().address, offchain=offchain)
    assert not adapter.verify_message(b"hello solana", sig, w.address, offchain=not offchain)
    assert not adapter.verify_message(b"hello solana", "garbage", w.address)


def test_vault_derived_key_signs_for_the_phantom_address(adapter: Adapter, url: str) -> None:
    """The keystore's SLIP-10 key, the adapter's signature and solders' derivation all agree.

    HAgk14Jp… is the address Phantom and Solflare show for the BIP39 test mnemonic at m/44'/501'/0'/0'.
    """
    from devnet import sol_sandbox
    from keystore import hd

    seed = hd.seed_from_mnemonic("abandon abandon abandon abandon abandon abandon abandon abandon "
                                 "abandon abandon abandon about")
    path = "m/44'/501'/0'/0'"
    account = hd.derive_account(seed, "sol", 0)
    assert account.address == "HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk"
    assert account.address == str(Keypair.from_seed_and_derivation_path(seed, path).pubkey())
    w = Wallet(Keypair.from_seed(hd.derive_private(seed, "sol", path)), hd.derive_private(seed, "sol", path))
    sol_sandbox.fund(url, account.address, 10**9)
    signed = adapter.sign(adapter.build_transfer(sol_transfer(adapter.network, w, new_wallet().address, "0.1")),
                          Signer("sol", account.address, hd.derive_private(seed, "sol", path)))
    tx = VersionedTransaction.from_bytes(base64.b64decode(signed.raw))
    Ed25519PublicKey.from_public_bytes(bytes(Pubkey.from_string(account.address))).verify(
        bytes(tx.signatures[0]), bytes(tx.message))
    assert adapter.broadcast(signed) == signed.txid
