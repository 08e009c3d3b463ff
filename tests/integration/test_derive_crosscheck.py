"""Our derivation against independent implementations: Foundry's cast (Rust), BDK (Rust) and solders (Rust).

The mnemonic is a public test mnemonic, so passing it on cast's command line is fine here.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import base58
import pytest

from keystore import hd
from keystore.descriptors import descriptor_checksum

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
SEED = hd.seed_from_mnemonic(MNEMONIC)
ROOT = Path(__file__).resolve().parents[2]
CAST = ROOT / ".tools" / "node" / "node_modules" / ".bin" / "cast"


def _cast_address(path: str) -> str:
    binary = str(CAST) if CAST.exists() else shutil.which("cast")
    if binary is None:
        pytest.skip("cast is not installed (run the project's setup)")
    result = subprocess.run(
        [binary, "wallet", "address", "--mnemonic", MNEMONIC, "--mnemonic-derivation-path", path],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("index", [0, 1, 7, 1000])
def test_evm_matches_cast(index: int) -> None:
    expected = _cast_address(f"m/44'/60'/0'/0/{index}")
    assert hd.derive_account(SEED, "evm", index).address == expected
    assert hd.derive_addresses(SEED, "evm", 1, index) == [expected]


@pytest.mark.parametrize("index", [0, 3])
def test_tron_matches_cast_key(index: int) -> None:
    evm_form = _cast_address(f"m/44'/195'/0'/0/{index}")
    expected = base58.b58encode_check(b"\x41" + bytes.fromhex(evm_form[2:])).decode()
    assert hd.derive_account(SEED, "tron", index).address == expected
    assert hd.derive_addresses(SEED, "tron", 1, index) == [expected]


# ---------------------------------------------------------------- BDK
bdk = pytest.importorskip("bdkpython")


def _bdk_wallet(external: str, internal: str, network: object) -> object:
    kind = bdk.NetworkKind.MAIN if network == bdk.Network.BITCOIN else bdk.NetworkKind.TEST
    return bdk.Wallet(
        bdk.Descriptor(external, kind),
        bdk.Descriptor(internal, kind),
        network,
        bdk.Persister.new_in_memory(),
    )


def _peek(wallet: object, keychain: object, count: int) -> list[str]:
    return [str(wallet.peek_address(keychain, i).address) for i in range(count)]


@pytest.mark.parametrize(("purpose", "script"), [(84, "wpkh"), (86, "tr")])
@pytest.mark.parametrize("account", [0, 2])
def test_btc_matches_bdk_private_descriptors(purpose: int, script: str, account: int) -> None:
    path = hd.default_path("btc", account, purpose=purpose)
    xprv = hd.derive_account_xprv(SEED, path)
    wallet = _bdk_wallet(f"{script}({xprv}/0/*)", f"{script}({xprv}/1/*)", bdk.Network.BITCOIN)
    receive = _peek(wallet, bdk.KeychainKind.EXTERNAL, 5)
    change = _peek(wallet, bdk.KeychainKind.INTERNAL, 3)
    assert hd.derive_addresses(SEED, "btc", 5, account=account, purpose=purpose) == receive
    assert hd.derive_addresses(SEED, "btc", 3, account=account, change=1, purpose=purpose) == change
    assert hd.derive_account(SEED, "btc", account, purpose=purpose).address == receive[0]


@pytest.mark.parametrize("purpose", [84, 86, 49, 44])
def test_our_public_descriptors_load_in_bdk(purpose: int) -> None:
    derived = hd.derive_account(SEED, "btc", 1, purpose=purpose)
    for net_name, network, bdk_network in (
        ("main", "main", bdk.Network.BITCOIN),
        ("test", "regtest", bdk.Network.REGTEST),
    ):
        external, internal = derived.descriptors[net_name], derived.descriptors[f"{net_name}_change"]
        # BDK verifies the '#checksum' suffix when it parses, so a wrong checksum fails here.
        wallet = _bdk_wallet(external, internal, bdk_network)
        receive = _peek(wallet, bdk.KeychainKind.EXTERNAL, 3)
        change = _peek(wallet, bdk.KeychainKind.INTERNAL, 2)
        assert hd.derive_addresses(SEED, "btc", 3, account=1, purpose=purpose, network=network) == receive
        assert hd.derive_addresses(SEED, "btc", 2, account=1, change=1, purpose=purpose, network=network) == change
        # BDK's own checksum of its own rendering of the descriptor agrees with our algorithm.
        rendered = str(wallet.public_descriptor(bdk.KeychainKind.EXTERNAL))
        body, _, checksum = rendered.partition("#")
        assert descriptor_checksum(body) == checksum
    if purpose in (84, 86):
        assert derived.address == hd.derive_addresses(SEED, "btc", 1, account=1, purpose=purpose)[0]


def test_bdk_rejects_a_wrong_checksum() -> None:
    # Shows the descriptor test above can fail: BDK refuses a descriptor whose checksum is off.
    good = hd.derive_account(SEED, "btc", 0).descriptors["main"]
    bad = good[:-1] + ("q" if good[-1] != "q" else "p")
    with pytest.raises(bdk.DescriptorError.InvalidDescriptorChecksum):
        bdk.Descriptor(bad, bdk.NetworkKind.MAIN)


def test_bip49_testnet_private_key_matches_bdk() -> None:
    tprv = hd.derive_account_xprv(SEED, "m/49'/1'/0'", testnet=True)
    wallet = _bdk_wallet(f"sh(wpkh({tprv}/0/*))", f"sh(wpkh({tprv}/1/*))", bdk.Network.TESTNET)
    expected = _peek(wallet, bdk.KeychainKind.EXTERNAL, 2)
    assert hd.derive_addresses(SEED, "btc", 2, purpose=49, network="test") == expected


# ---------------------------------------------------------------- solders
def test_sol_matches_solders() -> None:
    from solders.keypair import Keypair

    expected = [
        str(Keypair.from_seed_and_derivation_path(SEED, f"m/44'/501'/{i}'/0'").pubkey()) for i in range(6)
    ]
    assert hd.derive_addresses(SEED, "sol", 6) == expected
    assert [hd.derive_account(SEED, "sol", i).address for i in (0, 5)] == [expected[0], expected[5]]
    secret = hd.derive_private(SEED, "sol", "m/44'/501'/2'/0'")
    assert str(Keypair.from_seed(secret).pubkey()) == expected[2]
