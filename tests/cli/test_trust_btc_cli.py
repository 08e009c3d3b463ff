"""Bitcoin trust rules through the real CLI, the regtest sandbox and a fault proxy between them (issue 8)."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

import devnet.btc_sandbox as btc
from tests.reliability.fault_proxy import FaultProxy

NET = "local-btc"


@pytest.fixture(scope="module")
def regtest() -> Iterator[btc.Sandbox]:
    with btc.Sandbox() as sb:
        yield sb


@pytest.fixture
def funded(cli, new_funded_vault, regtest: btc.Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A new vault whose btc:0 holds 1 BTC (one coin), its RPC through a fault proxy."""
    v: dict[str, Any] = new_funded_vault("btc", regtest.url, "1")
    r = cli("--json", "address", "btc:1", "--network", NET, password=False)
    assert r.code == 0, r.err
    v["to"] = r.json()["address"]
    with FaultProxy(regtest.url) as proxy:
        monkeypatch.setenv("WALLET_RPC_LOCAL_BTC", proxy.url)
        v["proxy"] = proxy
        yield v


def esplora(url: str, path: str) -> Any:
    with urllib.request.urlopen(url + path, timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if body[:1] in b"[{" else body.decode()


def received(url: str, address: str) -> int:
    """Sats paid to `address` by every transaction the node knows (mempool and chain)."""
    st = esplora(url, f"/address/{address}")
    return sum(s["funded_txo_sum"] for s in (st["chain_stats"], st["mempool_stats"]))


def send(cli, v: dict[str, Any], amount: str, *extra: str):  # noqa: ANN001, ANN201
    return cli("--json", "--yes", "send", "--network", NET, "--from", "btc:0", "--to", v["to"],
               "--amount", amount, "--fee-rate", "2", *extra)


def journal(cli) -> list[dict[str, Any]]:  # noqa: ANN001
    r = cli("--json", "history", "--network", NET, password=False)
    assert r.code == 0, r.err
    return r.json()


def test_ok_reply_with_a_wrong_body_is_not_a_rejection_and_a_rerun_does_not_pay_twice(cli, funded) -> None:
    url = funded["url"]
    funded["proxy"].set("wrong_body", match="POST /tx", times=1)
    first = send(cli, funded, "0.1", "--idempotency-key", "b1")
    assert first.code == 0, first.err        # the node shows the transaction: it was sent
    again = send(cli, funded, "0.1", "--idempotency-key", "b1")
    assert again.code == 0, again.err
    assert again.json()["replayed"] is True
    assert received(url, funded["to"]) == 10**7
    assert len(journal(cli)) == 1


def test_wrong_body_for_a_send_the_node_never_saw_is_unknown_not_rejected(cli, funded) -> None:
    url = funded["url"]
    funded["proxy"].set("wrong_body", match="POST /tx", times=1, forward=False)
    first = send(cli, funded, "0.1", "--idempotency-key", "b2")
    assert first.code == 5, first.err
    assert [e["state"] for e in journal(cli)] == ["unknown"]
    again = send(cli, funded, "0.1", "--idempotency-key", "b2")   # re-sends the same bytes
    assert again.code == 0, again.err
    assert again.json()["txid"] == journal(cli)[0]["txid"] and len(journal(cli)) == 1
    assert received(url, funded["to"]) == 10**7


def test_a_lost_send_is_resigned_only_once_an_input_is_spent_elsewhere(cli, funded) -> None:
    url = funded["url"]
    funded["proxy"].set("error", match="POST /tx", times=1, forward=False)
    assert send(cli, funded, "0.1", "--idempotency-key", "b3").code == 5
    # Without proof the rerun refuses to sign anew... (the node refuses nothing here: it re-sends)
    # Another payment spends the same coin and confirms: the journalled one can now never land.
    other = send(cli, funded, "0.2", "--idempotency-key", "b4")
    assert other.code == 0, other.err
    btc.mine(url, 1)
    again = send(cli, funded, "0.1", "--idempotency-key", "b3")
    assert again.code == 0, again.err
    states = sorted(e["state"] for e in journal(cli))
    assert "dropped" in states, states
    assert received(url, funded["to"]) == 3 * 10**7          # 0.2 and one 0.1: one payment per key


MAINNET_BLOCK0 = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"


def test_a_node_on_another_chain_is_refused_before_signing(cli, funded) -> None:
    funded["proxy"].set("wrong_chain", match="GET /block-height/0", reply=lambda req, up: MAINNET_BLOCK0.encode())
    r = send(cli, funded, "0.1")
    assert r.code == 4, r.err
    assert "on another chain" in r.err
    assert journal(cli) == []


def _edit_journal(home, txid: str, edit) -> None:  # noqa: ANN001
    """What an attacker with write access to the home can do: rewrite a journalled transaction."""
    import sqlite3

    db = sqlite3.connect(home / "wallet.db")
    (doc,) = db.execute("SELECT signed_json FROM txs WHERE txid = ?", (txid,)).fetchone()
    db.execute("UPDATE txs SET signed_json = ? WHERE txid = ?", (json.dumps(edit(json.loads(doc))), txid))
    db.commit()
    db.close()


def _attacker_descriptors() -> tuple[str, str]:
    import os

    from keystore import hd

    acct = hd.derive_account(os.urandom(64), "btc", 0)
    return acct.descriptors["test"], acct.descriptors["test_change"]


@pytest.mark.parametrize("how", ["cancel", "speed-up"])
def test_a_replacement_is_built_from_the_vault_not_from_descriptors_in_the_journal(
        cli, funded, home, how: str) -> None:  # noqa: ANN001
    sent = send(cli, funded, "0.1")
    assert sent.code == 0, sent.err
    txid = sent.json()["txid"]
    ext, chg = _attacker_descriptors()

    def swap(doc: dict) -> dict:
        doc["payload"]["change_descriptor"] = chg
        return doc

    _edit_journal(home, txid, swap)
    r = cli("--json", "--yes", "tx", how, txid)
    assert r.code == 4, r.err
    assert "descriptors are not this account's" in r.err
    assert txid in esplora(funded["url"], "/mempool/txids")       # the original stands, nothing replaced it


def test_a_replacement_review_shows_every_output(cli, funded) -> None:
    sent = send(cli, funded, "0.1")
    assert sent.code == 0, sent.err
    r = cli("--yes", "tx", "speed-up", sent.json()["txid"])
    assert r.code == 0, r.err
    screen = "".join(r.err.split())                           # the review goes to stderr, folded to the width
    assert f"0.1BTCto{funded['to']}(notyours)" in screen
    assert re.search(r"BTCto[a-z0-9]+\(yours\(change\d+\)\)", screen)


def test_an_unsigned_psbt_or_raw_tx_is_refused_before_it_reaches_the_node(cli, funded, tmp_path) -> None:  # noqa: ANN001
    import dataclasses

    import bdkpython as bdk

    from chains.base import Account, Amount, FeeOptions, Transfer
    from chains.bitcoin import Adapter
    from chains.networks import get_network

    entry = next(a for a in cli("--json", "accounts", "list", password=False).json() if a["ref"] == "btc:0")
    account = Account("btc", 0, entry["path"], entry["address"], entry["public_key"], xpubs=entry["xpubs"])
    net = dataclasses.replace(get_network(NET), rpc_url=funded["url"])
    unsigned = Adapter(net, str(tmp_path / "d")).build_transfer(
        Transfer(net, account, funded["to"], Amount(10**7, 8, "BTC"), fees=FeeOptions(fee_rate=2)))
    psbt = bdk.Psbt(unsigned.payload["psbt"])
    funded["proxy"].set("error", match="POST /tx", forward=False)     # logs any broadcast that gets through
    for name, text in (("unsigned.psbt", psbt.serialize()),
                       ("unsigned.hex", psbt.extract_tx_unchecked_fee_rate().serialize().hex())):
        (tmp_path / name).write_text(text)
        r = cli("--json", "broadcast", str(tmp_path / name), "--network", NET, password=False)
        assert r.code == 2, r.err
        assert "not signed" in r.err or "not finalized" in r.err
    assert funded["proxy"].log == []


def test_a_btc_signer_checks_that_its_key_gives_the_listed_address(cli, funded, home) -> None:  # noqa: ANN001
    """Even an authenticated index entry must match its key: btc signers skipped this (issue 8 item 10)."""
    from keystore import vault
    from tests.cli.conftest import PASSWORD

    def point_btc0_elsewhere(uv) -> None:  # noqa: ANN001
        btc0 = next(a for a in uv.info.accounts if a["chain"] == "btc" and a["index"] == 0)
        btc1 = next(a for a in uv.info.accounts if a["chain"] == "btc" and a["index"] == 1)
        btc0["address"] = btc1["address"]

    vault.update(home, "default", PASSWORD, point_btc0_elsewhere)
    r = send(cli, funded, "0.1")
    assert r.code == 2, r.err
    assert "gives another address" in r.err
    assert journal(cli) == []


def test_a_replacement_is_refused_on_another_chain(cli, funded) -> None:
    sent = send(cli, funded, "0.1")
    assert sent.code == 0, sent.err
    funded["proxy"].set("wrong_chain", match="GET /block-height/0", reply=lambda req, up: MAINNET_BLOCK0.encode())
    for how in ("speed-up", "cancel"):
        r = cli("--json", "--yes", "tx", how, sent.json()["txid"])
        assert r.code == 4, r.err
        assert "on another chain" in r.err
    assert len(journal(cli)) == 1


def test_ctrl_c_interrupts_a_sync_with_a_silent_esplora(cli, tmp_path) -> None:  # noqa: ANN001
    """BDK's client ignores signals while it waits; the sync runs in a worker so Ctrl-C works (exit 130)."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    from tests.cli.conftest import ABANDON

    assert cli("--json", "restore", stdin=ABANDON + "\n").code == 0
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)                         # accepts (in the kernel's backlog) and never answers
    home = tmp_path / "home"
    env = {**os.environ, "WALLET_RPC_LOCAL_BTC": f"http://127.0.0.1:{silent.getsockname()[1]}",
           "WALLET_SYNC_TIMEOUT": "120"}
    p = subprocess.Popen([sys.executable, "-m", "wallet_cli", "--home", str(home), "balance", "btc:0",
                          "--network", NET], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)
        p.send_signal(signal.SIGINT)
        code = p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        silent.close()
    assert code == 130, (p.stdout.read() if p.stdout else "") + (p.stderr.read() if p.stderr else "")
