"""HD derivation against published vectors: BIP32 1-5, SLIP-10 ed25519, BIP84/86/49/44, EIP-55."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keystore import addresses as A
from keystore import hd
from keystore.descriptors import descriptor_checksum
from keystore.errors import BadSecretInput
from keystore.keys import export_private_key

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
BIP32 = json.loads((VECTORS / "bip32.json").read_text())
SLIP10 = json.loads((VECTORS / "slip10_ed25519.json").read_text())
BTC = json.loads((VECTORS / "btc_bips.json").read_text())
EIP55 = json.loads((VECTORS / "eip55.json").read_text())["addresses"]
SEED = hd.seed_from_mnemonic(BTC["mnemonic"])

BIP32_CASES = [(v["seed"], path, xpub, xprv) for v in BIP32["vectors"] for path, xpub, xprv in v["chains"]]
SLIP10_CASES = [(v["seed"], *chain) for v in SLIP10["vectors"] for chain in v["chains"]]


@pytest.mark.parametrize(("seed", "path", "xpub", "xprv"), BIP32_CASES)
def test_bip32_vectors(seed: str, path: str, xpub: str, xprv: str) -> None:
    raw = bytes.fromhex(seed)
    assert hd.derive_account_xprv(raw, path) == xprv
    assert hd.account_xpub(raw, path) == xpub
    ext = hd.parse_extended_key(xpub)
    assert not ext.private and ext.depth == len(hd.parse_path(path))


@pytest.mark.parametrize(("key", "reason"), BIP32["invalid"])
def test_bip32_vector5_invalid_keys_rejected(key: str, reason: str) -> None:
    with pytest.raises(BadSecretInput):
        hd.parse_extended_key(key)


@pytest.mark.parametrize(("seed", "path", "fingerprint", "chain_code", "private", "public"), SLIP10_CASES)
def test_slip10_ed25519_vectors(
    seed: str, path: str, fingerprint: str, chain_code: str, private: str, public: str
) -> None:
    raw = bytes.fromhex(seed)
    assert hd.derive_private(raw, "sol", path).hex() == private
    account = hd.derive_account(raw, "sol", path=path)
    assert account.public_key == public[2:]  # SLIP-10 prefixes ed25519 keys with 0x00
    assert account.address == A.b58encode(bytes.fromhex(public[2:]))


def test_sol_path_must_be_hardened() -> None:
    with pytest.raises(BadSecretInput, match="hardened"):
        hd.derive_account(SEED, "sol", path="m/44'/501'/0'/0")


def _zprv_as_xprv(zprv: str) -> str:
    # SLIP-132 zprv only differs from xprv in its 4 version bytes.
    return A.b58check_encode(bytes.fromhex("0488ade4") + A.b58check_decode(zprv)[4:])


def test_bip84_vectors() -> None:
    v = BTC["bip84"]
    assert hd.derive_account_xprv(SEED, "m") == _zprv_as_xprv(v["rootpriv_zprv"])
    assert hd.derive_account_xprv(SEED, "m/84'/0'/0'") == _zprv_as_xprv(v["account0_zprv"])
    account = hd.derive_account(SEED, "btc", 0)
    assert account.path == "m/84'/0'/0'"
    first_path, first_wif, first_pub, first_addr = v["addresses"][0]
    assert (account.address, account.public_key) == (first_addr, first_pub)
    receive = hd.derive_addresses(SEED, "btc", 2)
    change = hd.derive_addresses(SEED, "btc", 1, change=1)
    assert receive + change == [a[3] for a in v["addresses"]]
    for path, wif, pub, addr in v["addresses"]:
        key = hd.derive_private(SEED, "btc", path)
        assert export_private_key(key, "btc") == wif
        assert A.btc_address(bytes.fromhex(pub), "p2wpkh") == addr
    assert hd.xpub_addresses(account.xpubs["main"], 2) == receive
    assert hd.xpub_addresses(account.xpubs["main"], 1, change=1) == change


def test_bip86_vectors() -> None:
    v = BTC["bip86"]
    assert hd.derive_account_xprv(SEED, "m") == v["rootpriv"]
    assert hd.account_xpub(SEED, "m") == v["rootpub"]
    account = hd.derive_account(SEED, "btc", 0, purpose=86)
    assert account.path == "m/86'/0'/0'"
    assert account.xpubs["main"] == v["account0_xpub"]
    assert hd.derive_account_xprv(SEED, "m/86'/0'/0'") == v["account0_xprv"]
    assert account.address == v["addresses"][0][4]
    assert account.descriptors["main"].startswith(f"tr([73c5da0a/86h/0h/0h]{v['account0_xpub']}/0/*)#")
    for path, xpub, internal, output, addr in v["addresses"]:
        assert hd.account_xpub(SEED, path) == xpub
        assert A.taproot_output_key(b"\x02" + bytes.fromhex(internal)) == bytes.fromhex(output)
        assert A.btc_script_pubkey(b"\x02" + bytes.fromhex(internal), "p2tr").hex() == "5120" + output
        assert A.btc_address(b"\x02" + bytes.fromhex(internal), "p2tr") == addr
    assert hd.derive_addresses(SEED, "btc", 2, purpose=86) == [a[4] for a in v["addresses"][:2]]
    assert hd.derive_addresses(SEED, "btc", 1, change=1, purpose=86) == [v["addresses"][2][4]]
    # a custom account path carries its purpose
    assert hd.derive_account(SEED, "btc", path="m/86'/0'/0'").address == v["addresses"][0][4]


def test_bip49_testnet_and_bip44_vectors() -> None:
    v49 = BTC["bip49_testnet"]
    assert hd.derive_addresses(SEED, "btc", 1, purpose=49, network="test") == [v49["address"]]
    assert export_private_key(hd.derive_private(SEED, "btc", v49["path"]), "btc", testnet=True) == v49["wif"]
    assert hd.derive_addresses(SEED, "btc", 1, purpose=44) == [BTC["bip44_mainnet"]["address"]]
    assert hd.derive_account(SEED, "btc", purpose=44).address == BTC["bip44_mainnet"]["address"]


def test_btc_account_test_network_data() -> None:
    account = hd.derive_account(SEED, "btc", 3)
    assert account.xpubs["test"].startswith("tpub")
    assert account.xpubs["test"] == hd.account_xpub(SEED, "m/84'/1'/3'", testnet=True)
    assert account.descriptors["test"].startswith("wpkh([73c5da0a/84h/1h/3h]tpub")
    assert "/1/*)#" in account.descriptors["main_change"]
    # regtest uses coin type 1 and the bcrt prefix
    regtest = hd.derive_addresses(SEED, "btc", 1, account=3, network="regtest")
    assert regtest == hd.xpub_addresses(account.xpubs["test"], 1, network="regtest")
    assert regtest[0].startswith("bcrt1q")


@pytest.mark.parametrize("address", EIP55)
def test_eip55_examples(address: str) -> None:
    assert A.to_checksum_address(address.lower()) == address
    assert A.to_checksum_address(bytes.fromhex(address[2:])) == address


def test_descriptor_checksum_bip380_example() -> None:
    assert descriptor_checksum("raw(deadbeef)") == "89f8spxm"


def test_default_paths() -> None:
    assert hd.default_path("evm", 4) == "m/44'/60'/0'/0/4"
    assert hd.default_path("tron", 2) == "m/44'/195'/0'/0/2"
    assert hd.default_path("sol", 7) == "m/44'/501'/7'/0'"
    assert hd.default_path("btc", 1) == "m/84'/0'/1'"
    assert hd.default_path("btc", 1, testnet=True, purpose=86) == "m/86'/1'/1'"
    assert hd.default_path("btc", 0, purpose=49) == "m/49'/0'/0'"
    with pytest.raises(BadSecretInput):
        hd.default_path("btc", 0, purpose=85)
    with pytest.raises(BadSecretInput):
        hd.default_path("doge", 0)


@pytest.mark.parametrize("bad", ["", "44'/60'", "m/44'/x", "m/2147483648", "m//1", "m/1''"])
def test_parse_path_rejects(bad: str) -> None:
    with pytest.raises(BadSecretInput):
        hd.parse_path(bad)


def test_parse_path_hardened_markers() -> None:
    assert hd.parse_path("m/44h/60H/0'/1") == [44 | hd.HARDENED, 60 | hd.HARDENED, hd.HARDENED, 1]
    assert hd.format_path(hd.parse_path("m/44h/60H/0'/1")) == "m/44'/60'/0'/1"


def test_known_default_addresses() -> None:
    # Widely published addresses of the abandon...about mnemonic (MetaMask, cast).
    assert hd.derive_account(SEED, "evm").address == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
    assert hd.derive_account(SEED, "evm", path="m/44'/60'/0'/0/1").index == 0


def test_master_fingerprint() -> None:
    assert hd.master_fingerprint(SEED).hex() == "73c5da0a"
    assert hd.master_fingerprint(bytes.fromhex(BIP32["vectors"][0]["seed"])).hex() == "3442193e"
