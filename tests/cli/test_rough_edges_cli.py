"""The rough edges a new user hit (issue 13), through the CLI, without chains: keys, paths, vaults, --json."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import ABANDON

# BIP84's test vector for the 'abandon … about' mnemonic: m/84'/0'/0'/0/0.
BIP84_WIF = "KyZpNDKnfs94vbrwhJneDi77V6jF64PWPF8x5cdJb8ifgg2DUc9d"
BIP84_ADDR = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
# Private key 1: its well-known uncompressed (5H…) mainnet WIF and P2PKH address, and its testnet WIF.
ONE_UNCOMPRESSED = "5HpHagT65TZzG1PH3CSu63k8DbpvD8s5ip4nEB3kEsreAnchuDf"
ONE_P2PKH_UNCOMPRESSED = "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm"
ONE_TESTNET = "cMahea7zqjxrtgAbB7LSGbcQUr1uX1ojuat9jZodMN87JcbXMTcA"


def test_export_key_btc_is_a_wif_that_imports_back(cli, restored, tmp_path, home, pwfile) -> None:
    out = tmp_path / "k.json"
    r = cli("--json", "--yes", "export-key", "btc:0", "--out", str(out))
    assert r.code == 0, r.err
    doc = json.loads(out.read_text())
    assert doc["private_key"] == BIP84_WIF and doc["address"] == BIP84_ADDR
    assert r.json() == {"account": "btc:0", "file": str(out)}          # the key is not on stdout
    again = cli("--json", "import-key", "btc", "--key-file", "-", stdin=BIP84_WIF + "\n")
    assert again.code == 2 and "already in this vault as btc:0" in again.err   # accepted, and recognised


def test_import_uncompressed_and_testnet_wif(cli, restored) -> None:
    r = cli("--json", "import-key", "btc", "--key-file", "-", "--label", "old", stdin=ONE_UNCOMPRESSED + "\n")
    assert r.code == 0, r.err
    assert r.json()["address"] == ONE_P2PKH_UNCOMPRESSED and r.json()["address_network"] == "bitcoin"
    t = cli("--json", "import-key", "btc", "--key-file", "-", "--label", "test", stdin=ONE_TESTNET + "\n")
    assert t.code == 0, t.err
    assert t.json()["address"].startswith("tb1q") and t.json()["address_network"] == "test networks"


def test_export_key_json_refuses_a_pipe(cli, restored) -> None:
    r = cli("--json", "--yes", "export-key", "evm:0")
    assert r.code == 2 and "--out FILE" in json.loads(r.err.strip().splitlines()[-1])["error"]
    s = cli("--json", "--yes", "show-mnemonic")
    assert s.code == 2 and "pass --out FILE" in s.err


def test_show_mnemonic_json_to_a_file(cli, restored, tmp_path) -> None:
    out = tmp_path / "m.json"
    r = cli("--json", "--yes", "show-mnemonic", "--out", str(out))
    assert r.code == 0, r.err
    assert json.loads(out.read_text())["mnemonic"] == ABANDON and ABANDON not in r.out
    assert out.stat().st_mode & 0o777 == 0o600


def test_custom_path_takes_no_index_and_m_is_refused(cli, restored) -> None:
    c = cli("--json", "accounts", "derive", "--chain", "evm", "--path", "m/44'/60'/1'/0/0")
    assert c.code == 0, c.err
    assert c.json()[0]["index"] is None and c.json()[0]["ref"] != "evm:1"
    n = cli("--json", "accounts", "derive", "--chain", "evm")
    assert n.code == 0, n.err
    assert (n.json()[0]["ref"], n.json()[0]["path"]) == ("evm:1", "m/44'/60'/0'/0/1")
    m = cli("--json", "accounts", "derive", "--chain", "evm", "--path", "m")
    assert m.code == 2 and "master key" in m.err
    q = cli("accounts", "derive", "--chain", "evm", "--path", "m/44\u2019/60\u2019/0\u2019/0/7")
    assert q.code == 2 and "use ' (apostrophe), not \u2019" in q.err


def test_one_vault_is_the_default(cli, home) -> None:
    r = cli("--json", "restore", "--name", "main", stdin=ABANDON + "\n")
    assert r.code == 0, r.err
    lst = cli("--json", "accounts", "list", password=False)
    assert lst.code == 0, lst.err
    assert {a["ref"] for a in lst.json()} >= {"evm:0", "btc:0"}
    init = cli("--json", "restore", stdin=ABANDON + "\n")              # a second vault is 'default' ...
    assert init.code == 0 and init.json()["vault"] == "default"
    two = cli("--json", "accounts", "list", "--chain", "evm", password=False)
    assert two.code == 0 and two.json()[0]["address"]                    # ... which is then used


def test_btc_address_says_which_network(cli, restored) -> None:
    lst = cli("--json", "accounts", "list", "--chain", "btc", password=False).json()
    assert lst[0]["address"] == BIP84_ADDR and lst[0]["address_network"] == "bitcoin"
    human = cli("accounts", "list", password=False)
    header = [c for c in human.out.splitlines()[0].split() if c.isalpha()]
    assert header[:4] == ["account", "path", "address", "network"]
    row = next(line for line in human.out.splitlines() if line.strip().startswith("btc:0"))
    assert BIP84_ADDR in row and "bitcoin" in row


def test_init_and_list_have_the_same_columns(cli, tmp_path) -> None:
    r = cli("init", "--mnemonic-out", str(tmp_path / "m.txt"))
    assert r.code == 0, r.err
    lst = cli("accounts", "list", password=False)
    def header(out: str) -> list[str]:
        return [c for c in out.splitlines()[0].split() if c.isalpha()]
    assert header(r.out)[:4] == header(lst.out)[:4] == ["account", "path", "address", "network"]


def test_json_errors_version_and_grammar(cli, restored) -> None:
    r = cli("--json", "no-such-command", password=False)
    assert r.code == 2 and "No such command" in json.loads(r.err.strip())["error"]
    v = cli("--version", password=False)
    assert v.code == 0 and v.out.startswith("wallet ")
    g = cli("balance", "evm:0", "-n", "local-btc", password=False)
    assert g.code == 2 and "local-btc is a Bitcoin network but evm:0 is an EVM account" in g.err
    d = cli("--json", "export-xpub", "btc:0", "-n", "local-evm", password=False)
    assert d.code == 2 and "an EVM network" in d.err


def test_contacts_per_network_and_replace(cli, restored) -> None:
    a = cli("--json", "contacts", "add", "bob", "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk", "-n", "local-btc")
    assert a.code == 0, a.err
    assert a.json()["chain"] == "btc"
    other = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
    b = cli("--json", "contacts", "add", "bob", other, "-n", "local-btc")
    assert b.code == 4 and "--replace" in b.err
    assert cli("--json", "contacts", "list").json()[0]["address"].endswith("cppk")   # unchanged
    c = cli("--json", "contacts", "add", "bob", other, "-n", "local-btc", "--replace")
    assert c.code == 0, c.err
    assert cli("--json", "contacts", "list").json()[0]["address"] == other


def test_verify_message_infers_solana(cli, restored) -> None:
    s = cli("--json", "--yes", "sign-message", "sol:0", "hello")
    assert s.code == 0, s.err
    sol = next(a["address"] for a in cli("--json", "accounts", "list").json() if a["ref"] == "sol:0")
    v = cli("--json", "verify-message", sol, s.json()["signature"], "hello", password=False)
    assert v.code == 0 and v.json()["valid"] is True
    bad = cli("--json", "verify-message", sol, s.json()["signature"], "hellO", password=False)
    assert bad.code == 4


def test_review_under_json_is_a_json_object(cli, restored, tmp_path: Path) -> None:
    r = cli("--json", "sign-message", "evm:0", "hi")                   # no --yes, no terminal: refused
    assert r.code == 4
    first = json.loads(r.err.strip().splitlines()[0])
    assert first["title"] == "Review the message" and first["review"]["Account"] == "evm:0"


def test_bitcoin_message_signing(cli, restored) -> None:
    import bip322

    s = cli("--json", "--yes", "sign-message", "btc:0", "hello")
    assert s.code == 0, s.err
    sig = s.json()["signature"]
    assert bip322.verify_simple_encoded(BIP84_ADDR, "hello", sig) is None      # BIP-322 simple, checked elsewhere
    v = cli("--json", "verify-message", BIP84_ADDR, sig, "hello", password=False)
    assert v.code == 0 and v.json()["valid"] is True
    assert cli("--json", "import-key", "btc", "--key-file", "-", "--label", "old",
               stdin=ONE_UNCOMPRESSED + "\n").code == 0
    legacy = cli("--json", "--yes", "sign-message", "old", "hello")
    assert legacy.code == 0, legacy.err
    ok = cli("--json", "verify-message", ONE_P2PKH_UNCOMPRESSED, legacy.json()["signature"], "hello", password=False)
    assert ok.code == 0 and ok.json()["valid"] is True
    bad = cli("--json", "verify-message", ONE_P2PKH_UNCOMPRESSED, legacy.json()["signature"], "hellO", password=False)
    assert bad.code == 4


def test_upper_case_bech32_is_never_taken_for_solana(cli, restored) -> None:
    # Upper case, this regtest address is also valid base58 decoding to 32 bytes, like a Solana key.
    qr = "BCRT1Q9TSJSPK8KKHL9GKEQTC8JQNU6KA3T5UJNTHM39"
    r = cli("--json", "contacts", "add", "carol", qr, "-n", "local-btc", password=False)
    assert r.code == 0, r.err
    assert r.json()["address"] == qr.lower()
