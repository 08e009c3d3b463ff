"""TRON: get_adapter finds chains.tron, and addresses validate with one sentence saying why not.

Valid addresses come from bip_utils (an independent TRON implementation), TRON's documentation
(hex 41 8840e6c5... <-> TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL) and USDT's TRC-20 contract.
"""

from __future__ import annotations

import os

import coincurve
import pytest
from bip_utils import Bip39SeedGenerator, Bip44, Bip44Changes, Bip44Coins, TrxAddrDecoder, TrxAddrEncoder

from chains.base import get_adapter
from chains.errors import InvalidAddress
from chains.networks import get_network
from chains.tron import Adapter

NET = get_network("tron")


def test_get_adapter_finds_the_tron_module() -> None:
    adapter = get_adapter(NET)
    assert isinstance(adapter, Adapter) and adapter.family == "tron"


def test_documented_and_independent_addresses_parse() -> None:
    assert Adapter.parse_address(" TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL ", NET) == "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"
    assert TrxAddrDecoder.DecodeAddr("TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL").hex() == (
        "8840e6c55b9ada326d211d818c34a994aeced808")
    assert Adapter.parse_address("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", NET) == "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    for _ in range(20):
        pub = coincurve.PrivateKey(os.urandom(32)).public_key.format(compressed=False)
        addr = TrxAddrEncoder.EncodeKey(pub)
        assert Adapter.parse_address(addr, NET) == addr
    # TronLink's first account of the well-known test mnemonic, derived by bip_utils.
    seed = Bip39SeedGenerator("abandon " * 11 + "about").Generate()
    first = (Bip44.FromSeed(seed, Bip44Coins.TRON).Purpose().Coin().Account(0)
             .Change(Bip44Changes.CHAIN_EXT).AddressIndex(0).PublicKey().ToAddress())
    assert Adapter.parse_address(first, NET) == first


@pytest.mark.parametrize("text,said", [
    ("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "EVM"),
    ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", r"Bitcoin \(bech32\)"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "a Bitcoin address"),
    ("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "Solana"),
    ("418840e6c55b9ada326d211d818c34a994aeced808", "hex form"),
    ("TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeM", "checksum is wrong"),      # last character changed
    ("T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb", "zero address"),
    ("TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYq", "not 25"),
    ("TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqe0", "not base58"),
    ("", "empty"),
])
def test_rejections_say_why(text: str, said: str) -> None:
    with pytest.raises(InvalidAddress, match=said):
        Adapter.parse_address(text, NET)


def test_tron_addresses_starting_tb1_are_not_taken_for_bech32() -> None:
    from chains.solana.address import parse_solana_address

    # Found by encoding random keys with bip_utils: base58 TRON addresses can begin "TB1".
    addr = "TB1PbcNbwSGHmSAKY3wVZCQimaezs7KA2t"
    assert TrxAddrDecoder.DecodeAddr(addr)
    assert Adapter.parse_address(addr, NET) == addr
    with pytest.raises(InvalidAddress, match="a TRON address, not a Solana address"):
        parse_solana_address(addr)


def test_a_pasted_private_key_is_named_not_repeated() -> None:
    key = os.urandom(32).hex()
    with pytest.raises(InvalidAddress) as e:
        Adapter.parse_address(key, NET)
    assert "private key or hash (64 hex digits)" in str(e.value) and key[:16] not in str(e.value)
