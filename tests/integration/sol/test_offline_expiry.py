"""Offline builds, blockhash expiry and re-signing without ever sending one transfer twice."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from chains.base import Amount, Network, SignedTx, Transfer
from chains.errors import CannotLand, Refused
from chains.solana import Adapter, BlockhashExpired
from devnet import sol_sandbox

from .conftest import Wallet, new_wallet
from .helpers import LAMPORTS_PER_SOL, lamports, rpc, sol_transfer, token_amount
from .test_spl import ata


@pytest.fixture
def offline(network: Network) -> Adapter:
    # No RPC URL at all: any attempt to reach a node raises Unavailable.
    return Adapter(dataclasses.replace(network, rpc_url=""))


def test_offline_build_sign_then_broadcast(offline: Adapter, adapter: Adapter, funded: Wallet, url: str) -> None:
    blockhash = rpc(url, "getLatestBlockhash")["value"]["blockhash"]
    to = new_wallet()
    unsigned = offline.build_offline(sol_transfer(offline.network, funded, to.address, "0.25"), blockhash)
    assert unsigned.payload["blockhash"] == blockhash
    assert unsigned.summary["Simulated"].startswith("no")
    signed = offline.sign(unsigned, funded.signer)
    # The signed file crosses to an online machine as JSON.
    again = SignedTx.from_json(signed.to_json())
    assert adapter.broadcast(again) == signed.txid
    assert lamports(url, to.address) == LAMPORTS_PER_SOL // 4
    assert lamports(url, funded.address) == 2 * LAMPORTS_PER_SOL - LAMPORTS_PER_SOL // 4 - unsigned.fee.value


def test_offline_spl_build(offline: Adapter, adapter: Adapter, funded: Wallet, url: str) -> None:
    mint = sol_sandbox.create_mint(url, 6)
    sol_sandbox.mint_to(url, mint, funded.address, 5_000_000)
    blockhash = rpc(url, "getLatestBlockhash")["value"]["blockhash"]
    to = new_wallet()
    t = Transfer(offline.network, funded.account, to.address, Amount.parse("2", 6, "TOK"), token=mint)
    unsigned = offline.build_offline(t, blockhash, decimals=6)
    adapter.broadcast(offline.sign(unsigned, funded.signer))
    assert token_amount(url, ata(to.address, mint)) == 2_000_000
    # Idempotent ATA create: a second offline send to the now-existing account also lands.
    blockhash = rpc(url, "getLatestBlockhash")["value"]["blockhash"]
    t = dataclasses.replace(t, amount=Amount.parse("1", 6, "TOK"))
    adapter.broadcast(offline.sign(offline.build_offline(t, blockhash, decimals=6), funded.signer))
    assert token_amount(url, ata(to.address, mint)) == 3_000_000


def test_expired_blockhash_broadcast_says_nothing_was_sent(adapter: Adapter, funded: Wallet, url: str) -> None:
    signed = adapter.sign(adapter.build_transfer(sol_transfer(adapter.network, funded, new_wallet().address,
                                                              "0.1")), funded.signer)
    sol_sandbox.expire_blockhash(url)
    with pytest.raises(CannotLand) as e:
        adapter.broadcast(signed)
    assert isinstance(e.value, BlockhashExpired) and "nothing was sent" in str(e.value)
    assert adapter.is_expired(signed)


def test_expiry_resign_sends_exactly_once(adapter: Adapter, funded: Wallet, url: str) -> None:
    to = new_wallet()
    old = adapter.sign(adapter.build_transfer(sol_transfer(adapter.network, funded, to.address, "0.3")),
                       funded.signer)
    sol_sandbox.hold(url, True)
    try:
        assert adapter.broadcast(old) == old.txid          # accepted by the node, not landed yet
        assert adapter.status(old.txid).state == "unknown"   # a real node has no record either
        # While the old blockhash is valid the old transaction may still land: never re-sign then.
        with pytest.raises(Refused):
            adapter.resign(old, funded.signer)
    finally:
        sol_sandbox.hold(url, False)                       # new sends land; `old` stays in flight
    sol_sandbox.expire_blockhash(url)
    journal: list[SignedTx] = []
    landed, st = adapter.send_with_resign(old, funded.signer, on_signed=journal.append, timeout=20, poll=0.05)
    assert st.state == "confirmed"
    assert [s.txid for s in journal] == [landed.txid] and landed.txid != old.txid
    assert landed.payload["replaces"] == old.txid
    # The old one now reaches a leader, too late: its blockhash is gone, so it cannot land.
    released = sol_sandbox.release_held(url)
    assert released == [{"signature": old.txid, "landed": False, "err": None}]
    assert rpc(url, "getSignatureStatuses", [[old.txid]])["value"] == [None]
    assert lamports(url, to.address) == 3 * LAMPORTS_PER_SOL // 10        # exactly once
    # And re-signing once more is refused: the replacement has landed.
    sol_sandbox.expire_blockhash(url)
    with pytest.raises(Refused):
        adapter.resign(landed, funded.signer)


def test_no_resign_when_the_old_transaction_lands_late(adapter: Adapter, funded: Wallet, url: str) -> None:
    to = new_wallet()
    old = adapter.sign(adapter.build_transfer(sol_transfer(adapter.network, funded, to.address, "0.2")),
                       funded.signer)
    sol_sandbox.hold(url, True)
    adapter.broadcast(old)
    journal: list[SignedTx] = []

    def land_later() -> None:
        time.sleep(0.5)
        sol_sandbox.release_held(url)

    th = threading.Thread(target=land_later)
    th.start()
    try:
        landed, st = adapter.send_with_resign(old, funded.signer, on_signed=journal.append, timeout=20,
                                              poll=0.05, rebroadcast_every=0.1)
    finally:
        th.join()
        sol_sandbox.hold(url, False)
    assert landed.txid == old.txid and journal == [] and st.state == "confirmed"
    assert lamports(url, to.address) == 2 * LAMPORTS_PER_SOL // 10
