"""`wallet history` through the CLI on real local chains: pending entries refreshed from the node,
received transfers (--incoming) cached between runs, CSV with plain numbers."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator

import pytest

import devnet.btc_sandbox as btc
from devnet import anvil, sol_sandbox


@pytest.fixture(scope="module")
def chains() -> Iterator[dict[str, str]]:
    with anvil.Sandbox() as evm, sol_sandbox.Sandbox() as sol, btc.Sandbox() as bt:
        yield {"evm": evm.url, "sol": sol.url, "btc": bt.url}


@pytest.fixture
def refs(cli, chains, tmp_path, monkeypatch) -> dict[str, str]:
    for fam, url in chains.items():
        monkeypatch.setenv(f"WALLET_RPC_LOCAL_{fam.upper()}", url)
    assert cli("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt")).code == 0
    for fam in ("evm", "sol", "btc"):
        assert cli("--json", "accounts", "derive", "--chain", fam).code == 0
    return {a["ref"]: a["address"] for a in cli("--json", "accounts", "list", password=False).json()}


def fund(cli, ref: str, amount: str, net: str) -> None:
    r = cli("--json", "devnet", "fund", ref, "--amount", amount, "--network", net)
    assert r.code == 0, r.err


def send(cli, net: str, frm: str, to: str, amount: str, *extra: str) -> str:
    r = cli("--json", "--yes", "send", "--network", net, "--from", frm, "--to", to, "--amount", amount, *extra)
    assert r.code == 0, r.err
    return r.json()["txid"]


def state_of(cli, txid: str, *extra: str) -> str:
    r = cli("--json", "history", *extra, password=False)
    assert r.code == 0, r.err
    return next(e["state"] for e in r.json() if e["txid"] == txid)


def test_confirmed_btc_send_no_longer_pending(cli, chains, refs) -> None:
    fund(cli, "btc:0", "1", "local-btc")
    to = cli("--json", "address", "btc:1", "--network", "local-btc", password=False).json()["address"]
    txid = send(cli, "local-btc", "btc:0", to, "0.1", "--fee-rate", "2")
    assert state_of(cli, txid) == "pending"
    btc.mine(chains["btc"], 1)
    assert state_of(cli, txid, "--no-refresh") == "pending"     # offline: nothing asked
    assert state_of(cli, txid) == "confirmed"                   # no `tx status` needed


def test_confirmed_sol_send_no_longer_pending(cli, chains, refs) -> None:
    fund(cli, "sol:0", "2", "local-sol")
    sol_sandbox.set_commitment(chains["sol"], "processed")
    try:
        txid = send(cli, "local-sol", "sol:0", refs["sol:1"], "0.5", "--no-wait")
        assert state_of(cli, txid) == "pending"
        sol_sandbox.set_commitment(chains["sol"], "finalized")
        assert state_of(cli, txid) == "confirmed"
    finally:
        sol_sandbox.set_commitment(chains["sol"], "finalized")


def test_incoming_evm_native_and_token_cached(cli, chains, refs, home) -> None:
    fund(cli, "evm:0", "1.25", "local-evm")
    usdt = anvil.deploy_token(chains["evm"], "Tether", "USDT", 6, 70 * 10**6, refs["evm:0"])
    assert cli("tokens", "add", "local-evm", f"USDT={usdt}:6", password=False).code == 0
    r = cli("--json", "history", "--incoming", "-n", "local-evm", password=False)
    assert r.code == 0, r.err
    got = {(x["to"], x["amount"], x["symbol"]) for x in r.json()}
    assert (refs["evm:0"], "1.25", "ETH") in got and (refs["evm:0"], "70", "USDT") in got
    assert all(x["kind"] == "received" and x["account"] == "evm:0" for x in r.json())
    head = int(anvil.rpc(chains["evm"], "eth_blockNumber", []), 16)
    with sqlite3.connect(home / "wallet.db") as db:
        cur = dict(db.execute("SELECT address, cursor FROM received_cursor WHERE network = 'local-evm'"))
    assert cur[refs["evm:0"]] == str(head)                       # the next run starts after this block
    fund(cli, "evm:1", "0.5", "local-evm")
    again = cli("--json", "history", "--incoming", "-n", "local-evm", password=False).json()
    assert len(again) == len(r.json()) + 1 and again[0]["to"] == refs["evm:1"] and again[0]["amount"] == "0.5"
    offline = cli("--json", "history", "--incoming", "-n", "local-evm", "--no-refresh", password=False).json()
    assert offline == again


def test_incoming_sol_and_btc(cli, chains, refs) -> None:
    fund(cli, "sol:1", "3", "local-sol")
    sol = cli("--json", "history", "--incoming", "-n", "local-sol", password=False)
    assert sol.code == 0, sol.err
    assert [(x["to"], x["amount"], x["symbol"]) for x in sol.json()] == [(refs["sol:1"], "3", "SOL")]
    fund(cli, "btc:1", "0.3", "local-btc")
    b = cli("--json", "history", "--incoming", "-n", "local-btc", password=False)
    assert b.code == 0, b.err
    assert [(x["to"], x["amount"], x["state"]) for x in b.json()] == [("btc:1", "0.3", "confirmed")]


def test_csv_plain_numbers_and_units(cli, chains, refs) -> None:
    fund(cli, "evm:0", "2", "local-evm")
    send(cli, "local-evm", "evm:0", refs["evm:1"], "0.75", "--wait")
    r = cli("history", "--csv", "-n", "local-evm", password=False)
    assert r.code == 0, r.err
    row = next(csv.DictReader(io.StringIO(r.out)))
    assert row["amount"] == "0.75" and row["unit"] == "ETH" and row["fee_unit"] == "ETH"
    assert float(row["fee"]) > 0 and " " not in row["fee"]
    assert len(row["txid"]) == 66
    bad = cli("--json", "history", "--csv", password=False)
    assert bad.code == 2 and "--csv and --json" in bad.err
    human = cli("history", "-n", "local-evm", password=False)
    assert row["txid"] in human.out                              # whole, on one line
