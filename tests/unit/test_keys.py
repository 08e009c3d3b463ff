"""Raw key import/export against well-known keys, BIP vectors, solders and the base58 package."""

from __future__ import annotations

import json
from pathlib import Path

import base58
import pytest
from solders.keypair import Keypair

from keystore.addresses import SECP256K1_ORDER
from keystore.errors import BadSecretInput
from keystore.keys import export_private_key, export_solana_keygen_json, parse_private_key

BTC = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "btc_bips.json").read_text())
ONE = (1).to_bytes(32, "big")
G_COMPRESSED = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
ONE_EVM = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"  # the address of private key 1


def test_evm_key_one() -> None:
    for text in ("0x" + ONE.hex(), ONE.hex(), "  0X" + ONE.hex().upper() + "\n"):
        key = parse_private_key(text, "evm")
        assert key.private_key == ONE
        assert key.public_key == G_COMPRESSED
        assert key.address == ONE_EVM
    assert export_private_key(ONE, "evm") == "0x" + ONE.hex()


def test_tron_key_one_matches_base58_package() -> None:
    key = parse_private_key(ONE.hex(), "tron")
    expected = base58.b58encode_check(b"\x41" + bytes.fromhex(ONE_EVM[2:])).decode()
    assert key.address == expected and expected.startswith("T")
    assert export_private_key(ONE, "tron") == ONE.hex()


def test_btc_wif_key_one() -> None:
    compressed = parse_private_key("KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn", "btc")
    assert (compressed.private_key, compressed.wif_compressed, compressed.network) == (ONE, True, "main")
    assert compressed.address == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP173 example key
    legacy = parse_private_key("5HpHagT65TZzG1PH3CSu63k8DbpvD8s5ip4nEB3kEsreAnchuDf", "btc")
    assert (legacy.private_key, legacy.wif_compressed, legacy.network) == (ONE, False, "main")
    testnet = parse_private_key("cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA", "btc")
    assert (testnet.private_key, testnet.network) == (ONE, "test")
    assert testnet.address == "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
    assert export_private_key(ONE, "btc") == "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn"
    assert export_private_key(ONE, "btc", testnet=True) == "cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA"


@pytest.mark.parametrize(("path", "wif", "pub", "address"), BTC["bip84"]["addresses"])
def test_btc_bip84_wifs(path: str, wif: str, pub: str, address: str) -> None:
    key = parse_private_key(wif, "btc")
    assert (key.public_key, key.address) == (pub, address)
    assert export_private_key(key.private_key, "btc") == wif


def test_btc_bip49_testnet_wif() -> None:
    key = parse_private_key(BTC["bip49_testnet"]["wif"], "btc")
    assert key.network == "test" and key.wif_compressed


def test_solana_formats_match_solders() -> None:
    secret = bytes(range(1, 33))
    kp = Keypair.from_seed(secret)
    address = str(kp.pubkey())
    for text in (str(kp), base58.b58encode(secret).decode(), json.dumps(list(bytes(kp)))):
        key = parse_private_key(text, "sol")
        assert (key.private_key, key.address) == (secret, address)
        assert key.public_key == bytes(kp.pubkey()).hex()
    assert export_private_key(secret, "sol") == str(kp)
    assert json.loads(export_solana_keygen_json(secret)) == list(bytes(kp))


def test_solana_mismatched_public_half() -> None:
    other = Keypair.from_seed(bytes(range(2, 34)))
    forged = bytes(range(1, 33)) + bytes(other.pubkey())
    with pytest.raises(BadSecretInput, match="public half"):
        parse_private_key(base58.b58encode(forged).decode(), "sol")
    with pytest.raises(BadSecretInput):
        parse_private_key(json.dumps(list(forged[:63])), "sol")


@pytest.mark.parametrize(
    ("value", "ok"),
    [(0, False), (1, True), (SECP256K1_ORDER - 1, True), (SECP256K1_ORDER, False), (2**256 - 1, False)],
)
def test_secp_key_range(value: int, ok: bool) -> None:
    text = value.to_bytes(32, "big").hex()
    for chain in ("evm", "tron"):
        if ok:
            assert parse_private_key(text, chain).private_key == value.to_bytes(32, "big")
        else:
            with pytest.raises(BadSecretInput, match="group order"):
                parse_private_key(text, chain)


SECRET_LOOKING = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


@pytest.mark.parametrize(
    ("text", "chain"),
    [
        (SECRET_LOOKING[:-1], "evm"),
        (SECRET_LOOKING + "zz", "tron"),
        ("K" + SECRET_LOOKING[:50], "btc"),
        ("KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWm", "btc"),  # last char changed: checksum
        (SECRET_LOOKING + "0OIl", "sol"),
        ("[1, 2, 3]", "sol"),
        (SECRET_LOOKING, "doge"),
    ],
)
def test_errors_never_echo_the_key(text: str, chain: str) -> None:
    with pytest.raises(BadSecretInput) as info:
        parse_private_key(text, chain)
    message = str(info.value)
    assert message.count(".") <= 1 and "\n" not in message
    assert not any(text[i : i + 8] in message for i in range(len(text) - 7))


def test_repr_hides_private_key() -> None:
    key = parse_private_key(SECRET_LOOKING, "evm")
    assert SECRET_LOOKING not in repr(key) and SECRET_LOOKING not in str(key)
    assert repr(bytes.fromhex(SECRET_LOOKING)) not in repr(key)
