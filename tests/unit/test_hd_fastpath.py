"""The derive_addresses fast path (our own CKDpub, SLIP-10 steps and encoders) against bip-utils."""

from __future__ import annotations

import hashlib

import pytest
from bip_utils import (
    Bip44,
    Bip44Changes,
    Bip44Coins,
    Bip49,
    Bip49Coins,
    Bip84,
    Bip84Coins,
    Bip86,
    Bip86Coins,
)

from keystore import hd

SEEDS = [hashlib.sha512(f"fast-path seed {n}".encode()).digest() for n in range(3)]
START, COUNT = 7, 6


def _bip44_account_addresses(seed: bytes, coin: Bip44Coins, indices: range) -> list[str]:
    # evm/tron: m/44'/coin'/0'/0/i ; sol: m/44'/501'/i'/0'
    root = Bip44.FromSeed(seed, coin).Purpose().Coin()
    if coin == Bip44Coins.SOLANA:
        return [root.Account(i).Change(Bip44Changes.CHAIN_EXT).PublicKey().ToAddress() for i in indices]
    ext = root.Account(0).Change(Bip44Changes.CHAIN_EXT)
    return [ext.AddressIndex(i).PublicKey().ToAddress() for i in indices]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("chain", "coin"), [("evm", Bip44Coins.ETHEREUM), ("tron", Bip44Coins.TRON), ("sol", Bip44Coins.SOLANA)]
)
def test_account_families(seed: bytes, chain: str, coin: Bip44Coins) -> None:
    indices = range(START, START + COUNT)
    expected = _bip44_account_addresses(seed, coin, indices)
    assert hd.derive_addresses(seed, chain, COUNT, START) == expected
    assert [hd.derive_account(seed, chain, i).address for i in indices[:2]] == expected[:2]


BTC_CASES = [
    (84, "main", Bip84, Bip84Coins.BITCOIN),
    (84, "test", Bip84, Bip84Coins.BITCOIN_TESTNET),
    (86, "main", Bip86, Bip86Coins.BITCOIN),
    (86, "test", Bip86, Bip86Coins.BITCOIN_TESTNET),
    (49, "main", Bip49, Bip49Coins.BITCOIN),
    (49, "test", Bip49, Bip49Coins.BITCOIN_TESTNET),
    (44, "main", Bip44, Bip44Coins.BITCOIN),
    (44, "test", Bip44, Bip44Coins.BITCOIN_TESTNET),
]


@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize(("purpose", "network", "cls", "coin"), BTC_CASES)
@pytest.mark.parametrize("change", [0, 1])
def test_bitcoin_keychains(seed: bytes, purpose: int, network: str, cls: type, coin: object, change: int) -> None:
    account = cls.FromSeed(seed, coin).Purpose().Coin().Account(2)
    keychain = account.Change(Bip44Changes.CHAIN_INT if change else Bip44Changes.CHAIN_EXT)
    expected = [keychain.AddressIndex(i).PublicKey().ToAddress() for i in range(START, START + COUNT)]
    got = hd.derive_addresses(
        seed, "btc", COUNT, START, account=2, change=change, purpose=purpose, network=network
    )
    assert got == expected
    xpub = hd.account_xpub(seed, hd.default_path("btc", 2, testnet=network != "main", purpose=purpose))
    assert hd.xpub_addresses(xpub, COUNT, START, change=change, purpose=purpose, network=network) == expected


def test_btc_account_first_address_matches_bip_utils() -> None:
    seed = SEEDS[0]
    account = hd.derive_account(seed, "btc", 5, purpose=86)
    ctx = Bip86.FromSeed(seed, Bip86Coins.BITCOIN).Purpose().Coin().Account(5)
    assert account.xpubs["main"] == ctx.PublicKey().ToExtended()
    assert account.address == ctx.Change(Bip44Changes.CHAIN_EXT).AddressIndex(0).PublicKey().ToAddress()


def test_sol_private_key_matches_bip_utils_and_solders() -> None:
    import os

    from bip_utils import Bip32Slip10Ed25519
    from solders.keypair import Keypair

    from keystore import hd

    for _ in range(5):
        seed = os.urandom(64)
        for path in ("m/44'/501'/0'/0'", "m/44'/501'/7'/0'", "m/44'/501'/3'"):
            ours = hd.derive_private(seed, "sol", path)
            node = Bip32Slip10Ed25519.FromSeed(seed)
            for part in path.split("/")[1:]:
                node = node.ChildKey(int(part.rstrip("'")) | 0x80000000)
            assert ours == bytes(node.PrivateKey().Raw().ToBytes())
            assert Keypair.from_seed(ours).pubkey() == Keypair.from_seed_and_derivation_path(seed, path).pubkey()
