"""Address errors never repeat a pasted secret (or any input longer than an address) and say what it is.

Secrets are made here with independent tools: os.urandom hex, bip_utils (mnemonic, WIF, xprv) and
solders (a Solana keypair as Phantom exports it, and as the Solana CLI's JSON key file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import pytest
from bip_utils import Bip32Secp256k1, Bip39MnemonicGenerator, Bip39WordsNum, WifEncoder
from solders.keypair import Keypair

from chains.bitcoin.address import parse_address as btc_parse
from chains.errors import InvalidAddress
from chains.evm.address import parse_address as evm_parse
from chains.networks import get_network
from chains.solana.address import parse_solana_address

KEY = os.urandom(32)
SECRETS = {
    "hex key": (KEY.hex(), "private key or hash (64 hex digits)"),
    "0x hex key": ("0x" + KEY.hex(), "private key or hash (64 hex digits)"),
    "mnemonic": (str(Bip39MnemonicGenerator().FromWordsNumber(Bip39WordsNum.WORDS_NUM_24)),
                 "seed phrase (24 words)"),
    "wif": (WifEncoder.Encode(KEY), "Bitcoin private key (WIF)"),
    "xprv": (Bip32Secp256k1.FromSeed(os.urandom(32)).PrivateKey().ToExtended(), "extended private key"),
    "solana keypair": (str(Keypair.from_seed(KEY)), "Solana private key (64 bytes in base58)"),
    "solana key file": (json.dumps(list(bytes(Keypair.from_seed(KEY)))), "key file's contents"),
}
PARSERS: dict[str, Callable[[str], str]] = {
    "evm": lambda s: evm_parse(s, "ethereum"),
    "btc": lambda s: btc_parse(s, get_network("bitcoin")),
    "sol": parse_solana_address,
}


def _windows(secret: str, n: int = 10) -> set[str]:
    return {secret[i:i + n] for i in range(len(secret) - n + 1)}


@pytest.mark.parametrize("family", PARSERS)
@pytest.mark.parametrize("name", SECRETS)
def test_secret_is_named_not_repeated(family: str, name: str) -> None:
    secret, said = SECRETS[name]
    with pytest.raises(InvalidAddress) as e:
        PARSERS[family](secret)
    msg = str(e.value)
    assert said in msg and "not an address" in msg
    assert not any(w in msg for w in _windows(secret)), msg


@pytest.mark.parametrize("family", PARSERS)
def test_long_garbage_is_not_repeated(family: str) -> None:
    junk = "0x" + os.urandom(30).hex() + "zz"        # 64 characters, not hex: matches no known shape
    with pytest.raises(InvalidAddress) as e:
        PARSERS[family](junk)
    assert not any(w in str(e.value) for w in _windows(junk)), str(e.value)


def test_short_mistakes_are_still_quoted_for_evm() -> None:
    with pytest.raises(InvalidAddress, match="0x1234 has 4 hex digits"):
        evm_parse("0x1234")


def test_real_addresses_still_parse() -> None:
    assert evm_parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266") == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert parse_solana_address("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v") == (
        "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
    assert btc_parse("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", get_network("bitcoin")) == (
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
