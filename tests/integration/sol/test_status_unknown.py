"""Signature status: "unknown" (the node has no record) is neither pending nor a proof of anything,
and only a proven blockhash expiry (CannotLand) lets a transfer be signed again."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Iterator

import pytest
from solders.hash import Hash
from solders.keypair import Keypair

from chains.base import SignedTx, UnsignedTx
from chains.errors import CannotLand, Refused, TxRejected, Unavailable
from chains.solana import Adapter, BlockhashExpired
from chains.solana import tx as sb
from devnet import sol_sandbox

from .conftest import Wallet, new_wallet
from .helpers import LAMPORTS_PER_SOL, lamports, rpc, sol_transfer


@pytest.fixture
def processed_only(url: str) -> Iterator[None]:
    """Landed transactions report confirmationStatus "processed" (seen, not yet confirmed)."""
    sol_sandbox.set_commitment(url, "processed")
    try:
        yield
    finally:
        sol_sandbox.set_commitment(url, "finalized")


def _random_signature() -> str:
    return str(Keypair().sign_message(os.urandom(32)))


def test_never_seen_signature_is_unknown_not_pending(adapter: Adapter) -> None:
    sig = _random_signature()
    st = adapter.status(sig)
    assert st.state == "unknown" and st.detail and "no record" in st.detail
    t0 = time.monotonic()
    assert adapter.wait(sig, timeout=0.6).state == "unknown"     # polled to the deadline, then reported
    assert time.monotonic() - t0 >= 0.6


def test_wait_polls_through_unknown_until_the_tx_is_visible(adapter: Adapter, funded: Wallet, url: str) -> None:
    to = new_wallet()
    signed = adapter.sign(adapter.build_transfer(sol_transfer(adapter.network, funded, to.address, "0.1")),
                          funded.signer)
    sol_sandbox.hold(url, True)
    try:
        adapter.broadcast(signed)                     # accepted, but not landed: invisible to status
        assert adapter.status(signed.txid).state == "unknown"
        th = threading.Timer(0.5, sol_sandbox.release_held, [url])
        th.start()
        st = adapter.wait(signed.txid, timeout=15)
        th.join()
    finally:
        sol_sandbox.hold(url, False)
    assert st.state == "confirmed"
    assert lamports(url, to.address) == LAMPORTS_PER_SOL // 10


def test_pending_means_seen_below_the_wanted_commitment(adapter: Adapter, funded: Wallet, url: str,
                                                        processed_only: None) -> None:
    signed = adapter.sign(adapter.build_transfer(sol_transfer(adapter.network, funded, new_wallet().address,
                                                              "0.1")), funded.signer)
    adapter.broadcast(signed)
    st = adapter.status(signed.txid)
    assert (st.state, st.detail, st.confirmations) == ("pending", "processed", 0)
    assert adapter.status(signed.txid, commitment="processed").state == "confirmed"
    assert adapter.wait(signed.txid, timeout=0.5).state == "pending"
    sol_sandbox.set_commitment(url, "confirmed")
    assert adapter.status(signed.txid).state == "confirmed"
    assert adapter.status(signed.txid, commitment="finalized").state == "pending"
    sol_sandbox.set_commitment(url, "finalized")
    assert adapter.wait(signed.txid, timeout=5, commitment="finalized").state == "confirmed"


def test_blockhash_expired_is_cannot_land() -> None:
    assert issubclass(BlockhashExpired, CannotLand) and issubclass(BlockhashExpired, TxRejected)


def _with_unknown_blockhash(adapter: Adapter, funded: Wallet, last_valid: int | None) -> SignedTx:
    """A correctly signed transfer whose blockhash the node has never issued."""
    unsigned = adapter.build_transfer(sol_transfer(adapter.network, funded, new_wallet().address, "0.1"))
    bogus = str(Hash(os.urandom(32)))
    msg = sb.with_blockhash(sb.message_from_b64(unsigned.payload["message"]), bogus)
    payload = {**unsigned.payload, "message": sb.message_b64(msg), "blockhash": bogus,
               "lastValidBlockHeight": last_valid}
    return adapter.sign(UnsignedTx("sol", unsigned.network, unsigned.sender, unsigned.recipient,
                                   unsigned.amount, unsigned.fee, payload), funded.signer)


def test_unrecognised_blockhash_before_its_last_valid_height_is_not_cannot_land(
        adapter: Adapter, funded: Wallet, url: str) -> None:
    # The node says "Blockhash not found" but its height has not passed lastValidBlockHeight: a lagging
    # node looks exactly like this, so the transaction may still land elsewhere.
    height = int(rpc(url, "getBlockHeight"))
    signed = _with_unknown_blockhash(adapter, funded, height + 150)
    with pytest.raises(Unavailable) as e:           # outcome unknown, not rejected: it may still land
        adapter.broadcast(signed)
    assert not isinstance(e.value, TxRejected)
    assert "not provably expired" in str(e.value)
    assert not adapter.is_expired(signed)
    with pytest.raises(Refused):
        adapter.resign(signed, funded.signer)


def test_offline_build_without_last_valid_height_is_never_resigned(
        adapter: Adapter, funded: Wallet, url: str) -> None:
    before = lamports(url, funded.address)
    signed = _with_unknown_blockhash(adapter, funded, None)
    sol_sandbox.expire_blockhash(url)
    with pytest.raises(Unavailable) as e:
        adapter.broadcast(signed)
    assert not isinstance(e.value, TxRejected)
    journal: list[SignedTx] = []
    with pytest.raises(Unavailable):
        adapter.send_with_resign(signed, funded.signer, on_signed=journal.append, timeout=1.5, poll=0.05)
    assert journal == []                                   # no second signature without proof of expiry
    assert lamports(url, funded.address) == before


def test_cannot_land_needs_expiry_and_an_unknown_signature(adapter: Adapter, funded: Wallet, url: str) -> None:
    signed = adapter.sign(adapter.build_transfer(sol_transfer(adapter.network, funded, new_wallet().address,
                                                              "0.1")), funded.signer)
    adapter.broadcast(signed)
    sol_sandbox.expire_blockhash(url)
    assert adapter.is_expired(signed)                       # expired, but it landed: not unlandable
    assert not adapter.cannot_land(signed)
    unsent = dataclasses.replace(signed, txid=_random_signature())
    assert adapter.cannot_land(unsent)
