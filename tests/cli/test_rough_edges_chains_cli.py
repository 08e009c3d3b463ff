"""The rough edges of issue 13 that need a chain, through the CLI on anvil and the regtest and LiteSVM sandboxes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

import devnet.btc_sandbox as btc
from devnet import anvil, sol_sandbox


@pytest.fixture(scope="module")
def chains() -> Iterator[dict[str, str]]:
    with anvil.Sandbox() as evm, sol_sandbox.Sandbox() as sol, btc.Sandbox() as bt, \
            anvil.Sandbox(no_mining=True) as slow:
        yield {"evm": evm.url, "sol": sol.url, "btc": bt.url, "slow": slow.url}


@pytest.fixture
def refs(cli, chains, tmp_path, monkeypatch) -> dict[str, str]:
    for fam in ("evm", "sol", "btc"):
        monkeypatch.setenv(f"WALLET_RPC_LOCAL_{fam.upper()}", chains[fam])
    assert cli("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt")).code == 0
    for fam in ("evm", "sol", "btc"):
        assert cli("--json", "accounts", "derive", "--chain", fam).code == 0
    return {a["ref"]: a["address"] for a in cli("--json", "accounts", "list", password=False).json()}


def fund(cli, ref: str, amount: str, net: str) -> None:
    r = cli("--json", "devnet", "fund", ref, "--amount", amount, "--network", net)
    assert r.code == 0, r.err


def review_of(err: str) -> dict:
    return next(json.loads(line)["review"] for line in err.splitlines() if '"review"' in line)


def test_tx_status_prints_the_txid_whole_on_stdout(cli, refs, monkeypatch) -> None:
    fund(cli, "evm:0", "3", "local-evm")
    s = cli("--json", "--yes", "send", "-n", "local-evm", "--from", "evm:0", "--to", refs["evm:1"],
            "--amount", "1", "--wait")
    assert s.code == 0, s.err
    txid = s.json()["txid"]
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("tx", "status", txid, password=False)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert any(line.split() == ["txid", txid] for line in lines)              # whole, on one line
    assert any(line.split() == ["state", "confirmed"] for line in lines)
    assert any(line.split()[:1] == ["fee"] and line.split()[-1] == "ETH" for line in lines)


def test_to_takes_your_own_account(cli, refs) -> None:
    fund(cli, "evm:0", "3", "local-evm")
    r = cli("--json", "send", "-n", "local-evm", "--from", "evm:0", "--to", "evm:1", "--amount", "0.25")
    assert r.code == 4                                                       # no terminal, no --yes
    assert review_of(r.err)["To"] == f"{refs['evm:1']} (your account evm:1)"
    ok = cli("--json", "--yes", "send", "-n", "local-evm", "--from", "evm:0", "--to", "evm:1", "--amount",
             "0.25", "--wait")
    assert ok.code == 0, ok.err
    assert ok.json()["to"] == refs["evm:1"]


def test_bitcoin_review_shows_addresses_and_one_rate_format(cli, refs, chains) -> None:
    fund(cli, "btc:0", "1", "local-btc")
    r = cli("--json", "send", "-n", "local-btc", "--from", "btc:0", "--to", "btc:1", "--amount", "0.1",
            "--fee-rate", "5")
    assert r.code == 4
    rv = review_of(r.err)
    assert rv["From"].startswith("btc:0 (bcrt1q") and "(your account btc:1)" in rv["To"]
    assert "(5 sat/vB, ~" in rv["Fee (max)"]


def test_bitcoin_address_and_balance_for_the_network_asked(cli, refs) -> None:
    a = cli("address", "btc:0", "-n", "local-btc", password=False)
    assert a.code == 0, a.err
    assert a.out.strip().startswith("bcrt1q")
    b = cli("--json", "balance", "btc:0", "-n", "local-btc", password=False)
    assert b.code == 0, b.err
    assert b.json()["address"].startswith("bcrt1q") and b.json()["address"] != refs["btc:0"]


def test_solana_symbol_is_the_mint(cli, refs, chains) -> None:
    mint = sol_sandbox.create_mint(chains["sol"], 6)
    sol_sandbox.mint_to(chains["sol"], mint, refs["sol:0"], 5 * 10**6)
    r = cli("--json", "balance", "sol:0", "-n", "local-sol", "--token", mint, password=False)
    assert r.code == 0, r.err
    assert r.json()["symbol"] == mint and r.json()["balance"] == "5"


def test_wait_timeout_exits_5_and_cancel_names_the_replacement(cli, refs, chains, monkeypatch) -> None:
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", chains["slow"])           # mines only on request
    anvil.rpc(chains["slow"], "anvil_setBalance", [refs["evm:0"], hex(5 * 10**18)])
    r = cli("--json", "--yes", "send", "-n", "local-evm", "--from", "evm:0", "--to", refs["evm:1"],
            "--amount", "1", "--wait", "--timeout", "1")
    assert r.code == 5
    txid = r.json()["txid"]
    assert f"still pending; rerun `wallet tx status {txid}`" in r.err
    up = cli("--json", "--yes", "tx", "speed-up", txid)
    assert up.code == 0, up.err
    new = up.json()["txid"]
    c = cli("--json", "--yes", "tx", "cancel", txid)
    assert c.code == 2 and f"already replaced by {new}" in c.err


def _wei(url: str, address: str) -> int:
    return int(anvil.rpc(url, "eth_getBalance", [address, "latest"]), 16)


def test_amount_max_on_evm_empties_the_account(cli, refs, chains) -> None:
    assert cli("--json", "accounts", "derive", "--chain", "evm").code == 0
    fund(cli, "evm:2", "0.75", "local-evm")
    before = _wei(chains["evm"], refs["evm:1"])
    r = cli("--json", "--yes", "send", "-n", "local-evm", "--from", "evm:2", "--to", "evm:1", "--amount", "max",
            "--wait")
    assert r.code == 0, r.err
    src = next(a["address"] for a in cli("--json", "accounts", "list", password=False).json() if a["ref"] == "evm:2")
    assert _wei(chains["evm"], src) == 0                                    # exactly zero: the fee was exact
    receipt = anvil.rpc(chains["evm"], "eth_getTransactionReceipt", [r.json()["txid"]])
    fee = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
    assert _wei(chains["evm"], refs["evm:1"]) - before == 75 * 10**16 - fee


def test_amount_max_on_evm_token_and_solana(cli, refs, chains) -> None:
    fund(cli, "evm:0", "1", "local-evm")
    tok = anvil.deploy_token(chains["evm"], "Max", "MX", 6, 42 * 10**6, refs["evm:0"])
    t = cli("--json", "--yes", "send", "-n", "local-evm", "--from", "evm:0", "--to", "evm:1", "--amount", "max",
            "--token", tok, "--wait")
    assert t.code == 0, t.err
    assert (t.json()["amount"], t.json()["symbol"]) == ("42", "MX")
    fund(cli, "sol:0", "1.5", "local-sol")
    s = cli("--json", "--yes", "send", "-n", "local-sol", "--from", "sol:0", "--to", "sol:1", "--amount", "max",
            "--wait")
    assert s.code == 0, s.err
    left = cli("--json", "balance", "sol:0", "-n", "local-sol", password=False).json()
    got = cli("--json", "balance", "sol:1", "-n", "local-sol", password=False).json()
    assert left["balance"] == "0"
    fee = int(Decimal(s.json()["fee"]) * 10**9)
    assert int(got["base_units"]) == 15 * 10**8 - fee and fee > 0


def test_psbt_show_decodes_without_signing(cli, refs, tmp_path) -> None:
    fund(cli, "btc:0", "1", "local-btc")
    xpub = cli("--json", "export-xpub", "btc:0", "-n", "local-btc", password=False).json()
    w = ["--home", str(tmp_path / "watch")]
    assert cli(*w, "--json", "init", "--mnemonic-out", str(tmp_path / "w.txt")).code == 0
    assert cli(*w, "--json", "import-xpub", xpub["descriptor"], "-n", "local-btc", "--label", "cold").code == 0
    to = cli("--json", "address", "btc:1", "-n", "local-btc", password=False).json()["address"]
    psbt = tmp_path / "tx.psbt"
    b = cli(*w, "--json", "--yes", "send", "-n", "local-btc", "--from", "cold", "--to", to, "--amount", "0.3",
            "--fee-rate", "2", "--sign-only", "--out", str(psbt))
    assert b.code == 0, b.err
    before = psbt.read_text()
    r = cli("--json", "psbt", "show", str(psbt), "-n", "local-btc", "--account", "btc:0", password=False)
    assert r.code == 0, r.err
    d = r.json()
    outs = {o["address"]: o for o in d["outputs"]}
    assert outs[to]["amount"] == "0.3" and outs[to]["change"] is False
    assert sum(o["change"] for o in d["outputs"]) == 1
    assert d["fee_rate"].endswith(" sat/vB") and d["signed_inputs"] == 0 and len(d["txid"]) == 64
    assert psbt.read_text() == before                                           # nothing was signed
    human = cli("psbt", "show", str(psbt), "-n", "local-btc", password=False)
    assert human.code == 0 and f"0.3 BTC -> {to}" in human.out
    ask = cli("--json", "psbt", "sign", str(psbt), "-n", "local-btc", "--account", "btc:0")   # no --yes: refused
    assert ask.code == 4
    assert f"pay 0.3 BTC -> {to}" in review_of(ask.err)["Outputs"]                 # one JSON review object


def test_restore_discover_finds_used_accounts(cli, chains, tmp_path, monkeypatch) -> None:
    for fam in ("evm", "sol", "btc"):
        monkeypatch.setenv(f"WALLET_RPC_LOCAL_{fam.upper()}", chains[fam])
    phrase = tmp_path / "seed.txt"
    first = ["--home", str(tmp_path / "a")]
    assert cli(*first, "--json", "init", "--mnemonic-out", str(phrase)).code == 0
    for fam in ("evm", "sol", "btc"):
        assert cli(*first, "--json", "accounts", "derive", "--chain", fam, "--count", "3").code == 0
    # Used: evm:2 (skipping evm:1), sol:1 and btc:1. Unused beyond them.
    for ref, amount, net in (("evm:2", "1", "local-evm"), ("sol:1", "1", "local-sol"), ("btc:1", "0.1", "local-btc")):
        f = cli(*first, "--json", "devnet", "fund", ref, "--amount", amount, "--network", net)
        assert f.code == 0, f.err
    second = ["--home", str(tmp_path / "b")]
    r = cli(*second, "--json", "restore", "--mnemonic-file", str(phrase), "--discover", "--discover-network",
            "local-evm", "--discover-network", "local-sol", "--discover-network", "local-btc", "--gap", "2")
    assert r.code == 0, r.err
    refs = {a["ref"] for a in r.json()["accounts"]}
    assert {"evm:1", "evm:2", "sol:1", "btc:1"} <= refs
    assert not {"evm:3", "sol:2", "btc:2"} & refs
    plain = cli("--home", str(tmp_path / "c"), "--json", "restore", "--mnemonic-file", str(phrase))
    assert {a["ref"] for a in plain.json()["accounts"]} == {"evm:0", "btc:0", "sol:0", "tron:0"}


def test_import_xpub_in_an_empty_home_makes_a_watch_only_vault(cli, refs, tmp_path) -> None:
    fund(cli, "btc:1", "0.2", "local-btc")
    xpub = cli("--json", "export-xpub", "btc:1", "-n", "local-btc", password=False).json()
    w = ["--home", str(tmp_path / "empty")]
    imp = cli(*w, "--json", "import-xpub", xpub["descriptor"], "-n", "local-btc", "--label", "cold")
    assert imp.code == 0, imp.err
    bal = cli(*w, "--json", "balance", "cold", "-n", "local-btc", password=False)
    assert bal.code == 0 and bal.json()["total"] == "0.2", bal.err
    lst = cli(*w, "--json", "accounts", "list", password=False).json()
    assert [(a["label"], a["kind"]) for a in lst] == [("cold", "watch")]           # no seed, no other accounts
    d = cli(*w, "--json", "accounts", "derive", "--chain", "evm")
    assert d.code == 2 and "watch-only" in d.err
    again = cli(*w, "--json", "import-xpub", xpub["descriptor"], "-n", "local-btc", "--label", "cold2")
    assert again.code == 2 and "already in the vault" in again.err                 # the vault is unlocked fine


def test_contact_use_is_an_info_line_and_upper_case_bech32_is_accepted(cli, refs) -> None:
    fund(cli, "evm:0", "1", "local-evm")
    assert cli("--json", "contacts", "add", "bob", refs["evm:1"]).code == 0
    r = cli("--yes", "send", "-n", "local-evm", "--from", "evm:0", "--to", "bob", "--amount", "0.1", "--wait")
    assert r.code == 0, r.err
    line = next(x for x in r.err.splitlines() if "'bob'" in x)
    assert line == f"'bob' is your contact {refs['evm:1']}"                    # an info line, not "warning: …"
    to = cli("--json", "address", "btc:1", "-n", "local-btc", password=False).json()["address"]
    fund(cli, "btc:0", "0.5", "local-btc")
    up = cli("--json", "--yes", "send", "-n", "local-btc", "--from", "btc:0", "--to", to.upper(), "--amount",
             "0.01", "--fee-rate", "2")
    assert up.code == 0, up.err
    assert up.json()["to"] == to                                               # the QR form, normalised
