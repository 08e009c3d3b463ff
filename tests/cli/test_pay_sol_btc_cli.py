"""`wallet pay` on Solana (LiteSVM sandbox) and Bitcoin (regtest sandbox) through the real CLI."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from solders.keypair import Keypair

import devnet.btc_sandbox as btc
from devnet import sol_sandbox


@pytest.fixture(scope="module")
def svm() -> Iterator[sol_sandbox.Sandbox]:
    with sol_sandbox.Sandbox() as sb:
        yield sb


@pytest.fixture(scope="module")
def regtest() -> Iterator[btc.Sandbox]:
    with btc.Sandbox() as sb:
        yield sb


def lamports(url: str, address: str) -> int:
    from chains.solana.rpc import SolanaRpc

    return SolanaRpc(url).get_balance(address)


def token_units(url: str, owner: str, mint: str) -> int:
    from chains.solana.rpc import SolanaRpc

    accts = SolanaRpc(url).token_accounts_by_owner(owner, mint)
    return sum(int(a["account"]["data"]["parsed"]["info"]["tokenAmount"]["amount"]) if isinstance(
        a["account"]["data"], dict) else _raw_amount(a) for a in accts)


def _raw_amount(entry: dict) -> int:
    import base64

    from chains.solana.tokens import parse_token_account

    return parse_token_account(base64.b64decode(entry["account"]["data"][0])).amount


def esplora(url: str, path: str) -> object:
    with urllib.request.urlopen(url + path, timeout=10) as resp:
        return json.loads(resp.read())


def received(url: str, address: str) -> tuple[int, set[str]]:
    """Sats paid to `address` and the txids that paid it, from the node's own index."""
    total, txids = 0, set()
    for tx in esplora(url, f"/address/{address}/txs"):  # type: ignore[union-attr]
        for o in tx["vout"]:
            if o.get("scriptpubkey_address") == address:
                total += o["value"]
                txids.add(tx["txid"])
    return total, txids


def test_sol_native_rows_packed_and_rerun_pays_nothing(cli, new_funded_vault, svm, tmp_path: Path) -> None:
    v = new_funded_vault("sol", svm.url, "10")
    to = [str(Keypair().pubkey()) for _ in range(45)]
    rows = "".join(f"{a},0.00{i % 7 + 1}\n" for i, a in enumerate(to))
    f = tmp_path / "sol.csv"
    f.write_text("to,amount\n" + rows + f"{to[0]},0.5\n")
    before = lamports(svm.url, v["from"])
    r = cli("--json", "--yes", "pay", str(f), "--network", "local-sol", "--from", "sol:0", "--wait")
    assert r.code == 0, r.err
    rep = r.json()
    assert rep["states"] == {"confirmed": 46}
    ntx = rep["transactions"]
    assert 2 <= ntx <= 4                            # ~20 transfers fit one packet
    expect = {a: 0 for a in to}
    for i, a in enumerate(to):
        expect[a] += (i % 7 + 1) * 10**6
    expect[to[0]] += 5 * 10**8
    assert {a: lamports(svm.url, a) for a in to} == expect
    assert lamports(svm.url, v["from"]) == before - sum(expect.values()) - 5000 * ntx
    again = cli("--json", "--yes", "pay", str(f), "--network", "local-sol", "--from", "sol:0", "--wait")
    assert again.code == 0 and again.json()["transactions"] == ntx
    assert lamports(svm.url, v["from"]) == before - sum(expect.values()) - 5000 * ntx


def test_sol_spl_rows_create_token_accounts_with_rent_in_review(cli, new_funded_vault, svm, tmp_path: Path) -> None:
    v = new_funded_vault("sol", svm.url, "2")
    mint = sol_sandbox.create_mint(svm.url, 6)
    sol_sandbox.mint_to(svm.url, mint, v["from"], 10**9)
    to = [str(Keypair().pubkey()) for _ in range(5)]
    f = tmp_path / "spl.csv"
    f.write_text("to,amount,token\n" + "".join(f"{a},1.5,{mint}\n" for a in to) + f"{to[0]},2,{mint}\n")
    dry = cli("--json", "--yes", "pay", str(f), "--network", "local-sol", "--from", "sol:0", "--dry-run")
    assert dry.code == 0, dry.err
    fees = dry.json()["fees"]
    assert fees["new_token_accounts"] == 5 and float(fees["rent"]) > 0
    r = cli("--json", "--yes", "pay", str(f), "--network", "local-sol", "--from", "sol:0", "--wait")
    assert r.code == 0, r.err
    assert [token_units(svm.url, a, mint) for a in to] == [3_500_000] + [1_500_000] * 4


def test_btc_sendmany_two_rows_to_one_address_are_two_outputs(cli, new_funded_vault, regtest,
                                                               tmp_path: Path) -> None:
    new_funded_vault("btc", regtest.url, "1")
    to = [regtest_address() for _ in range(5)]
    f = tmp_path / "btc.csv"
    f.write_text("to,amount\n" + "".join(f"{a},0.001\n" for a in to) + f"{to[0]},0.002\n")
    r = cli("--json", "--yes", "pay", str(f), "--network", "local-btc", "--from", "btc:0", "--max-outputs", "4")
    assert r.code == 0, r.err
    assert r.json()["transactions"] == 2
    btc.mine(regtest.url, 1)
    paid = {a: received(regtest.url, a) for a in to}
    assert paid[to[0]][0] == 300_000 and all(paid[a][0] == 100_000 for a in to[1:])
    assert len(set().union(*(t for _v, t in paid.values()))) == 2
    again = cli("--json", "--yes", "pay", str(f), "--network", "local-btc", "--from", "btc:0", "--wait")
    assert again.code == 0, again.err
    assert again.json()["states"] == {"confirmed": 6} and again.json()["transactions"] == 2


def regtest_address() -> str:
    """A P2WPKH regtest address of a random key, unrelated to the wallet under test."""
    from coincurve import PrivateKey

    from keystore.addresses import btc_address

    return btc_address(PrivateKey(os.urandom(32)).public_key.format(), "p2wpkh", "regtest")


def test_sol_resigns_only_after_proven_blockhash_expiry(cli, new_funded_vault, svm, tmp_path: Path) -> None:
    v = new_funded_vault("sol", svm.url, "5")
    to = [str(Keypair().pubkey()) for _ in range(30)]
    f = tmp_path / "held.csv"
    f.write_text("to,amount\n" + "".join(f"{a},0.01\n" for a in to))
    args = ("--json", "--yes", "pay", str(f), "--network", "local-sol", "--from", "sol:0")
    before = lamports(svm.url, v["from"])
    sol_sandbox.hold(svm.url, True)
    try:
        first = cli(*args)                                  # accepted by the node, never landed
        assert first.code == 0, first.err
        ntx = first.json()["transactions"]
        again = cli(*args)                                  # blockhash still valid: re-sent, not re-signed
        assert again.code == 0 and again.json()["transactions"] == ntx
        assert again.json()["states"] == {"inflight": 30}
        sol_sandbox.drop_held(svm.url)
    finally:
        sol_sandbox.hold(svm.url, False)
    sol_sandbox.expire_blockhash(svm.url)
    done = cli(*args, "--wait")                             # expiry proven and signatures absent: re-signed
    assert done.code == 0, done.err
    assert done.json()["states"] == {"confirmed": 30} and done.json()["transactions"] == 2 * ntx
    assert [lamports(svm.url, a) for a in to] == [10**7] * 30
    assert lamports(svm.url, v["from"]) == before - 30 * 10**7 - 5000 * ntx
