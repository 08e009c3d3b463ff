"""TRON end to end through the real CLI against local-tron (devnet/tron_sandbox, a model of TRON).

Every transaction a test signs is also judged by tests/unit/tron/decoder.py (TRON's official .proto
through Google's protobuf runtime, coincurve, bip_utils, eth_abi) when the test ends: owner, recipient,
amount, contract, call data, txID and the recovered signer must match the journal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from devnet import tron_sandbox
from tests.unit.tron.decoder import decode, trc20_transfer

NET = "local-tron"


@pytest.fixture(scope="module")
def node() -> Iterator[tron_sandbox.Sandbox]:
    with tron_sandbox.Sandbox() as sb:
        yield sb


@pytest.fixture
def tron(new_funded_vault, node, home: Path) -> Iterator[dict[str, str]]:
    """A new vault whose tron:0 holds 100 TRX, tron:1 unactivated; every signed tx is decoded at the end."""
    accts = new_funded_vault("tron", node.url, "100")
    yield accts
    from wallet_cli.journal import Journal

    entries = [e for e in Journal(home).history() if e.family == "tron"]
    for e in entries:
        d = decode(e.signed.raw)
        assert d.txid == e.txid == e.signed.txid
        assert d.signer == d.owner == e.sender
        units = int(Decimal(e.amount or "0") * 10**6)
        if e.token:
            assert d.contract == "TriggerSmartContract" and d.to == tron_sandbox.USDT and d.amount == 0
            assert trc20_transfer(d.data) == (e.recipient, units)
            assert d.fee_limit > 0
        else:
            assert d.contract == "TransferContract" and (d.to, d.amount) == (e.recipient, units)


def set_local_tron(home: Path, **settings: str) -> None:
    """Override local-tron's settings in the home's config.toml, as a user would."""
    from wallet_cli import config

    config.update(home, lambda cfg: cfg.setdefault("networks", {}).setdefault(NET, {}).update(settings))


def advance(node: tron_sandbox.Sandbox, monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """Move time on for the node and for the wallet alike: an expiration is proven by both clocks.

    The sandbox is shared by the module's tests, so its clock may already be ahead from earlier ones;
    the wallet's clock is set to the sandbox's modelled time, not just moved by `seconds`."""
    import time

    import chains.tron

    tron_sandbox.advance(node.url, seconds)
    monkeypatch.setattr(chains.tron, "local_ms", lambda: int(time.time() * 1000) + node.chain.clock_offset_ms)


def sun(node: tron_sandbox.Sandbox, address: str) -> int:
    acct = node.chain.account(address)
    return acct.balance if acct else 0


def send(cli, tron, *extra: str, amount: str = "10", to: str | None = None):  # noqa: ANN201
    return cli("--yes", "send", "--network", NET, "--from", "tron:0", "--to", to or tron["to"],
               "--amount", amount, *extra)


def test_trx_send_activates_a_new_recipient_and_keeps_the_memo(cli, tron, node) -> None:
    before = sun(node, tron["from"])
    assert node.chain.account(tron["to"]) is None
    r = send(cli, tron, "--memo", "invoice 42", "--wait")
    assert r.code == 0, r.err
    assert "the recipient's account is new: 1 TRX burnt" in r.err and "0.1 TRX burnt" in r.err
    assert "1.1 TRX (estimated)" in r.err and "invoice 42" in r.err
    txid = r.out.strip().splitlines()[-1]
    assert sun(node, tron["to"]) == 10_000_000
    assert before - sun(node, tron["from"]) == 10_000_000 + 1_100_000
    signed = _signed(cli, txid)
    assert decode(signed).memo == b"invoice 42"
    assert signed.startswith("0a") and node.chain.txs[txid]["raw_data_hex"] in signed
    st = cli("--json", "tx", "status", txid, password=False).json()
    assert st["state"] == "confirmed" and st["fee"]["value"] == "1100000"
    # A second send to the now-active account pays nothing: free bandwidth covers it.
    again = send(cli, tron, amount="1", to=tron["to"])
    assert again.code == 0 and "from free bandwidth" in again.err
    bal = cli("--json", "balance", "tron:0", "--network", NET, password=False).json()
    assert bal["resources"]["free_bandwidth"] < 600 and bal["balance"] == "87.9"


def _signed(cli, txid: str) -> str:
    rows = cli("--json", "history", password=False).json()
    assert any(r["txid"] == txid for r in rows)
    from wallet_cli.context import options
    from wallet_cli.journal import Journal

    entry = Journal(options().home).get(txid, NET)
    assert entry is not None
    return entry.signed.raw


def test_usdt_send_shows_energy_burnt_and_charges_it(cli, tron, node) -> None:
    f = cli("--json", "devnet", "fund", "tron:0", "--amount", "100", "--token", "USDT", "--network", NET)
    assert f.code == 0, f.err
    before = sun(node, tron["from"])
    r = send(cli, tron, "--token", "USDT", amount="25.5")
    assert r.code == 0, r.err
    # The recipient holds no USDT: a fresh storage slot, 130,285 energy at 100 sun, no staked energy.
    assert "130285 needed, 0 from staked energy: 13.0285 TRX burnt" in r.err
    txid = r.out.strip().splitlines()[-1]
    info = node.chain.infos[txid]
    assert info["receipt"]["result"] == "SUCCESS" and info["receipt"]["energy_fee"] == 13_028_500
    assert before - sun(node, tron["from"]) == info["fee"]
    got = cli("--json", "balance", "tron:1", "--network", NET, "--token", "USDT", password=False).json()
    assert got["balance"] == "25.5"
    st = cli("--json", "tx", "status", txid, password=False).json()
    assert "energy 130285" in st["detail"]
    # With staked energy the review says so and nothing is burnt for energy.
    tron_sandbox.stake(node.url, tron["from"], energy=100_000, bandwidth=1_000)
    r2 = send(cli, tron, "--token", "USDT", amount="1")
    assert r2.code == 0, r2.err
    assert "64285 needed, 64285 from staked energy: 0 TRX burnt" in r2.err and "from staked bandwidth" in r2.err


def test_fee_cap_and_insufficient_funds_refuse_before_signing(cli, tron, node, home: Path) -> None:
    cli("--json", "devnet", "fund", "tron:0", "--amount", "5", "--token", "USDT", "--network", NET)
    before = sun(node, tron["from"])
    too_much = send(cli, tron, amount="1000")
    assert too_much.code == 4 and "needs 1001.1 TRX" in too_much.err
    no_usdt = send(cli, tron, "--token", "USDT", amount="6")
    assert no_usdt.code == 4 and "holds 5 USDT" in no_usdt.err
    set_local_tron(home, fee_cap="1")
    capped = send(cli, tron, "--token", "USDT", amount="1")
    assert capped.code == 4 and "above local-tron's fee cap of 1 TRX" in capped.err
    activation = send(cli, tron, amount="1")                 # 1.1 TRX to create tron:1's account
    assert activation.code == 4 and "fee cap" in activation.err
    assert send(cli, tron, "--token", "USDT", "--allow-high-fee", amount="1").code == 0
    assert sun(node, tron["from"]) < before


def test_wrong_chain_is_refused_by_its_genesis(cli, tron, home: Path) -> None:
    set_local_tron(home, genesis="00" * 32)
    r = send(cli, tron)
    assert r.code == 4 and "refusing to sign for the wrong chain" in r.err


def test_offline_sign_then_broadcast(cli, tron, node, tmp_path: Path, monkeypatch) -> None:
    head = node.chain.blocks[-1]
    out = tmp_path / "tx.json"
    monkeypatch.setenv("WALLET_RPC_LOCAL_TRON", "http://127.0.0.1:9")      # offline: nothing listens there
    r = cli("--json", "--yes", "send", "--network", NET, "--from", "tron:0", "--to", tron["to"], "--amount", "3",
            "--sign-only", "--out", str(out), "--ref-block", f"{head['number']}:{head['id']}",
            "--expiration", "600", "--memo", "offline")
    assert r.code == 0, r.err
    doc = json.loads(out.read_text())
    d = decode(doc["raw"])
    assert d.memo == b"offline" and d.signer == tron["from"] and d.to == tron["to"] and d.amount == 3_000_000
    monkeypatch.setenv("WALLET_RPC_LOCAL_TRON", node.url)
    b = cli("--json", "broadcast", str(out), "--wait", password=False)
    assert b.code == 0, b.err
    assert b.json()["state"] == "confirmed" and sun(node, tron["to"]) == 3_000_000
    again = cli("--json", "broadcast", str(out), password=False)       # the same file twice is harmless
    assert again.code == 0 and sun(node, tron["to"]) == 3_000_000


def test_an_expired_transaction_is_refused_as_dead(cli, tron, node, tmp_path: Path, monkeypatch) -> None:
    head = node.chain.blocks[-1]
    out = tmp_path / "late.json"
    r = cli("--json", "--yes", "send", "--network", NET, "--from", "tron:0", "--to", tron["to"], "--amount", "2",
            "--sign-only", "--out", str(out), "--ref-block", f"{head['number']}:{head['id']}", "--expiration", "60")
    assert r.code == 0, r.err
    advance(node, monkeypatch, 120)
    b = cli("broadcast", str(out), password=False)
    assert b.code == 4 and "expired and the node has no record of it" in b.err
    assert node.chain.account(tron["to"]) is None


def test_an_ambiguous_broadcast_error_is_unknown_and_a_rerun_does_not_pay_twice(cli, tron, node) -> None:
    tron_sandbox.lie(node.url, "accept")              # the node takes it but answers SERVER_BUSY
    first = send(cli, tron, "--idempotency-key", "pay-1", amount="4")
    assert first.code == 5 and "may or may not have taken" in first.err
    again = send(cli, tron, "--idempotency-key", "pay-1", amount="4")
    assert again.code == 0, again.err
    assert "already sent earlier" in again.err
    assert sun(node, tron["to"]) == 4_000_000 and len(node.chain.txs) >= 1


def test_a_dropped_transaction_is_resigned_only_after_it_expired(cli, tron, node, monkeypatch) -> None:
    tron_sandbox.lie(node.url, "drop")                 # an error reply, and the node never took it
    first = send(cli, tron, "--expiration", "60", amount="5")
    assert first.code == 5, first.err
    early = send(cli, tron, "--expiration", "60", amount="5")     # not expired yet: re-send the same bytes
    assert early.code == 0 and "already sent earlier" in early.err
    assert sun(node, tron["to"]) == 5_000_000
    tron_sandbox.lie(node.url, "drop")
    second = send(cli, tron, "--expiration", "60", "--idempotency-key", "k2", amount="6")
    assert second.code == 5
    advance(node, monkeypatch, 120)
    rerun = send(cli, tron, "--expiration", "60", "--idempotency-key", "k2", "--wait", amount="6")
    assert rerun.code == 0, rerun.err
    assert sun(node, tron["to"]) == 11_000_000       # 5 + 6, each paid once
    from wallet_cli.context import options
    from wallet_cli.journal import Journal

    states = sorted(e.state for e in Journal(options().home).history(NET) if e.idem_key == "k2")
    assert states == ["confirmed", "dropped"]


def test_history_and_tron_message_signatures(cli, tron) -> None:
    assert send(cli, tron, amount="2").code == 0
    rows = cli("--json", "history", "--network", NET, password=False).json()
    assert rows[0]["to"] == tron["to"] and rows[0]["amount"] == "2" and rows[0]["symbol"] == "TRX"
    sig = cli("--json", "--yes", "sign-message", "tron:0", "hello TRON").json()["signature"]
    ok = cli("--json", "verify-message", tron["from"], sig, "hello TRON", "--chain", "tron", password=False)
    assert ok.code == 0 and ok.json()["valid"] is True
    bad = cli("verify-message", tron["from"], sig, "hello TRON!", "--chain", "tron", password=False)
    assert bad.code == 4


def test_devnet_up_serves_local_tron_and_fund_without_it_is_exit_5(cli, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    from devnet.anvil import free_port

    port = free_port()
    env = {**os.environ, "WALLET_RPC_LOCAL_TRON": f"http://127.0.0.1:{port}"}
    p = subprocess.Popen([sys.executable, "-m", "wallet_cli", "--home", str(tmp_path / "h"), "devnet", "up",
                          "--chains", "tron"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout is not None
        ready = json.loads(p.stdout.readline())
        url = ready["networks"][NET]
        assert url.endswith(f":{port}")
        from chains.tron.rpc import TronRpc

        assert TronRpc(url).block_by_num(0)["blockID"] == tron_sandbox.GENESIS_ID
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    assert p.returncode == 0
    os.environ["WALLET_RPC_LOCAL_TRON"] = f"http://127.0.0.1:{port}"        # nothing listens there now
    try:
        r = cli("devnet", "fund", "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", "--amount", "1", "--network", NET,
                password=False)
    finally:
        del os.environ["WALLET_RPC_LOCAL_TRON"]
    assert r.code == 5 and "devnet up" in r.err


def test_a_custom_tron_network_needs_its_genesis(cli, tron, node) -> None:
    bare = cli("networks", "add", "my-tron", "--family", "tron", "--rpc-url", node.url, password=False)
    assert bare.code == 2 and "--genesis" in bare.err
    bad = cli("networks", "add", "my-tron", "--family", "tron", "--rpc-url", node.url, "--genesis", "abc",
              password=False)
    assert bad.code == 2 and "64 hex digits" in bad.err
    ok = cli("networks", "add", "my-tron", "--family", "tron", "--rpc-url", node.url, "--kind", "local",
             "--genesis", tron_sandbox.GENESIS_ID, password=False)
    assert ok.code == 0, ok.err
    r = cli("--json", "--yes", "send", "--network", "my-tron", "--from", "tron:0", "--to", tron["to"],
            "--amount", "2", "--wait")
    assert r.code == 0, r.err
    assert r.json()["state"] == "confirmed" and r.json()["symbol"] == "TRX"


def test_tron_only_options_are_refused_elsewhere(cli, tron, tmp_path: Path) -> None:
    evm_to = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
    memo = cli("--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", evm_to, "--amount", "1",
               "--memo", "hi", "--sign-only", "--out", str(tmp_path / "e.json"), "--nonce", "0", "--max-fee", "1",
               "--priority-fee", "1")
    assert memo.code == 2 and "--memo applies to Solana and TRON" in memo.err
    ref = cli("--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", evm_to, "--amount", "1",
              "--ref-block", "1:" + "00" * 32)
    assert ref.code == 2 and "TRON networks only" in ref.err
    online = send(cli, tron, "--ref-block", "1:" + "00" * 32)
    assert online.code == 2 and "--sign-only" in online.err
    token = cli("devnet", "fund", "evm:0", "--amount", "1", "--token", "USDT", "--network", "local-evm")
    assert token.code == 2 and "local-tron only" in token.err
    assert not (tmp_path / "e.json").exists()


def test_a_pending_transaction_is_never_signed_twice_even_past_its_expiration(cli, tron, node,
                                                                              monkeypatch) -> None:
    tron_sandbox.hold(node.url)
    try:
        first = send(cli, tron, "--idempotency-key", "held", "--expiration", "60", amount="7")
        assert first.code == 0, first.err
        txid = first.out.strip().splitlines()[-1]
        st = cli("--json", "tx", "status", txid, password=False).json()
        assert st["state"] == "pending"
        advance(node, monkeypatch, 120)                    # past its expiration, but the node still has it
        again = send(cli, tron, "--idempotency-key", "held", "--expiration", "60", amount="7")
        assert again.code == 0 and "already sent earlier" in again.err
        assert tron_sandbox.drop_held(node.url) == 1       # now the node forgets it: provably dead
        third = send(cli, tron, "--idempotency-key", "held", "--expiration", "60", amount="7")
        assert third.code == 0, third.err
        new = third.out.strip().splitlines()[-1]
        assert new != txid and "already sent" not in third.err
        assert tron_sandbox.release(node.url) == [new]
    finally:
        tron_sandbox.hold(node.url, on=False)
    assert sun(node, tron["to"]) == 7_000_000               # paid once
