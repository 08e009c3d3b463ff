"""The send and balance paths stay light: no web3, eth-account, eth_utils, eth_abi, rlp, requests, bip-utils
or pycparser (pycryptodome's cffi loader), while the fast replacements give what those libraries give.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from bip_utils import Bip32KeyNetVersions, Bip32Secp256k1

from devnet import anvil
from keystore import hd, mnemonic

from .helpers import ETH, nonce

REPO = Path(__file__).resolve().parents[3]
EVM_STACK = ("web3", "eth_account", "eth_utils", "eth_abi", "eth_keys", "rlp", "requests", "bip_utils", "pycparser")
HEAVY = (*EVM_STACK, "pydantic", "http.client", "urllib.request")
# BIP32 test vector 1 (https://github.com/bitcoin/bips/blob/master/bip-0032.mediawiki#test-vector-1)
VECTOR1_SEED = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
VECTOR1_XPRV = "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334"  # m/0'/1/2'/2  # noqa: E501


def test_bip32_vector1_private_key():
    ext = hd.parse_extended_key(VECTOR1_XPRV)
    assert hd.derive_private(VECTOR1_SEED, "evm", "m/0'/1/2'/2") == ext.key[1:]
    assert hd.master_fingerprint(VECTOR1_SEED).hex() == "3442193e"


def test_fast_private_derivation_matches_bip_utils():
    rng = random.Random(7)
    for _ in range(20):
        seed = rng.randbytes(rng.choice([16, 32, 64]))
        path = [rng.randrange(2**32) for _ in range(rng.randrange(0, 6))]
        text = hd.format_path(path)
        node = Bip32Secp256k1.FromSeed(seed, Bip32KeyNetVersions(b"\x04\x88\xb2\x1e", b"\x04\x88\xad\xe4"))
        for i in path:
            node = node.ChildKey(i)
        for chain in ("evm", "tron", "btc"):
            assert hd.derive_private(seed, chain, text) == bytes(node.PrivateKey().Raw().ToBytes())
        assert hd.master_fingerprint(seed) == bytes(Bip32Secp256k1.FromSeed(seed).FingerPrint().ToBytes())
    with pytest.raises(ValueError):  # noqa: PT011 (as bip-utils: a seed is at least 16 bytes)
        hd.master_fingerprint(b"\x01" * 15)


@pytest.mark.parametrize("language", mnemonic.LANGUAGES)
def test_wordlists_read_from_disk_equal_the_package_resources(language):
    package, name = mnemonic._WORDLIST_SOURCES[language]
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    assert mnemonic._read_data_file(package, name) == text
    assert len(mnemonic.wordlist(language)) == 2048


def _modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, timeout=60, cwd=REPO, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m in HEAVY or m.split(".")[0] in HEAVY)


def test_adapter_send_and_balance_import_nothing_heavy(url):
    key = os.urandom(32).hex()
    code = f"""
import dataclasses
from chains.base import Account, Amount, Signer, Transfer
from chains.evm import Adapter
from chains.evm.sign import address_of_key
from chains.networks import get_network
from devnet import anvil
key = bytes.fromhex({key!r})
me = address_of_key(key)
anvil.fund({url!r}, me, 10**18)
net = dataclasses.replace(get_network("local-evm"), rpc_url={url!r})
ad = Adapter(net)
acct = Account("evm", None, None, me, "")
t = Transfer(net, acct, "0x000000000000000000000000000000000000dEaD", Amount(5, 18, "ETH"))
txid = ad.broadcast(ad.sign(ad.build_transfer(t), Signer("evm", me, key)))
assert ad.wait(txid, timeout=30).state == "confirmed"  # under load anvil may mine after the reply
assert ad.balance(acct).value < 10**18
"""
    loaded = _modules_after(code)
    assert "chains.evm" in loaded and "coincurve" in loaded
    assert _heavy(loaded - _modules_after("import devnet.anvil")) == []


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory, chain) -> tuple[dict[str, str], Path]:
    """A throwaway wallet home restored from anvil's mnemonic (weak test KDF), pointed at the test anvil."""
    tmp = tmp_path_factory.mktemp("cli")
    pw = tmp / "pw"
    pw.write_text("test password\n")
    pw.chmod(0o600)
    env = {**os.environ, "WALLET_HOME": str(tmp / "home"), "WALLET_INSECURE_TEST_KDF": "1",
           "WALLET_RPC_LOCAL_EVM": chain.url, "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "wallet_cli", "--json", "--password-file", str(pw), "restore"],
                         input="test test test test test test test test test test test junk\n", text=True,
                         capture_output=True, env=env, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    return env, pw


def _cli_imports(env: dict[str, str], *args: str) -> tuple[dict, set[str]]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "wallet_cli", *args], capture_output=True,
                         text=True, env=env, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    names = {line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    return json.loads(out.stdout), names


def test_cli_send_and_balance_do_not_import_the_heavy_evm_stack(cli_home, url):
    env, pw = cli_home
    to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    before = nonce(url, anvil.DEV_ADDRESS)
    sent, names = _cli_imports(env, "--json", "--yes", "--password-file", str(pw), "send", "--network",
                               "local-evm", "--from", "evm:0", "--to", to, "--amount", "0.001", "--no-wait")
    assert sent["txid"].startswith("0x") and nonce(url, anvil.DEV_ADDRESS) == before + 1
    # Only the EVM stack is checked here: pydantic (with typer) and the rest are the CLI's own choices.
    ours = [m for m in _heavy(names) if m.split(".")[0] in EVM_STACK]
    assert ours == [], f"the send path imports {ours}"
    bal, names = _cli_imports(env, "--json", "balance", "evm:0", "--network", "local-evm")
    assert int(bal["base_units"]) < 10_000 * ETH
    ours = [m for m in _heavy(names) if m.split(".")[0] in EVM_STACK]
    assert ours == [], f"the balance path imports {ours}"


def test_unlock_and_key_derivation_import_nothing_heavy(cli_home):
    env, pw = cli_home
    code = f"""
from pathlib import Path
from keystore import hd, keys, vault
uv = vault.unlock(Path({env["WALLET_HOME"]!r}), "default", {pw.read_text().strip()!r})
seed = hd.seed_from_mnemonic(uv.secrets.mnemonic, uv.secrets.passphrase)
key = hd.derive_private(seed, "evm", "m/44'/60'/0'/0/0")
print(keys.parse_private_key(keys.export_private_key(key, "evm"), "evm").address, hd.master_fingerprint(seed).hex())
"""
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, timeout=60, cwd=REPO, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    first, modules = out.stdout.strip().splitlines()[-2:]
    address, fingerprint = first.split()
    seed = hd.seed_from_mnemonic("test test test test test test test test test test test junk")
    assert address == anvil.DEV_ADDRESS
    assert fingerprint == bytes(Bip32Secp256k1.FromSeed(seed).FingerPrint().ToBytes()).hex()
    assert _heavy(set(json.loads(modules))) == []
