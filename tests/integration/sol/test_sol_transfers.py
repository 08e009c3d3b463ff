"""SOL transfers through the adapter against the LiteSVM sandbox: balances are the runtime's own."""

from __future__ import annotations

import dataclasses
import statistics

import pytest

from chains.base import FeeOptions, Network
from chains.errors import FeeTooHigh, InsufficientFunds, Refused, Unavailable
from chains.solana import Adapter
from devnet import sol_sandbox

from .conftest import Wallet, new_wallet
from .helpers import LAMPORTS_PER_SOL, RENT_EXEMPT_0, lamports, rpc, sol_transfer


def test_sol_send_moves_exact_amounts_and_fee(adapter: Adapter, funded: Wallet, url: str) -> None:
    to = new_wallet()
    unsigned = adapter.build_transfer(sol_transfer(adapter.network, funded, to.address, "0.5"))
    assert unsigned.summary["Amount"] == "0.5 SOL"
    assert unsigned.summary["To"] == to.address
    # One signature, no priority fee on a fresh sandbox: the fee is the 5000-lamport base fee.
    assert unsigned.fee.value == 5000
    signed = adapter.sign(unsigned, funded.signer)
    assert adapter.broadcast(signed) == signed.txid
    st = adapter.wait(signed.txid, timeout=10)
    assert st.state == "confirmed"
    assert lamports(url, to.address) == LAMPORTS_PER_SOL // 2
    # The fee the user was shown is exactly what the runtime charged.
    assert lamports(url, funded.address) == 2 * LAMPORTS_PER_SOL - LAMPORTS_PER_SOL // 2 - unsigned.fee.value
    assert adapter.balance(to.account).value == LAMPORTS_PER_SOL // 2


def test_rebroadcast_is_idempotent(adapter: Adapter, funded: Wallet, url: str) -> None:
    to = new_wallet()
    signed = adapter.sign(adapter.build_transfer(sol_transfer(adapter.network, funded, to.address, "1")),
                          funded.signer)
    assert adapter.broadcast(signed) == signed.txid
    assert adapter.broadcast(signed) == signed.txid
    assert adapter.broadcast(signed) == signed.txid
    assert lamports(url, to.address) == LAMPORTS_PER_SOL


def test_insufficient_funds_names_needed_and_available(adapter: Adapter, url: str) -> None:
    poor = new_wallet()
    sol_sandbox.fund(url, poor.address, 10_000_000)    # 0.01 SOL
    with pytest.raises(InsufficientFunds) as e:
        adapter.build_transfer(sol_transfer(adapter.network, poor, new_wallet().address, "1"))
    msg = str(e.value)
    assert "1.000005 SOL" in msg and "0.01 SOL" in msg


def test_empty_sender_is_insufficient(adapter: Adapter) -> None:
    with pytest.raises(InsufficientFunds):
        adapter.build_transfer(sol_transfer(adapter.network, new_wallet(), new_wallet().address, "0.1"))


def test_new_account_below_rent_exempt_minimum_is_refused(adapter: Adapter, funded: Wallet, url: str) -> None:
    to = new_wallet()
    assert rpc(url, "getMinimumBalanceForRentExemption", [0]) == RENT_EXEMPT_0
    with pytest.raises(Refused) as e:
        adapter.build_transfer(sol_transfer(adapter.network, funded, to.address, "0.0001"))
    assert "rent-exempt minimum" in str(e.value) and "0.00089088 SOL" in str(e.value)
    # The same small amount to an account that already exists is fine.
    sol_sandbox.fund(url, to.address, RENT_EXEMPT_0)
    signed = adapter.sign(adapter.build_transfer(sol_transfer(adapter.network, funded, to.address, "0.0001")),
                          funded.signer)
    adapter.broadcast(signed)
    assert lamports(url, to.address) == RENT_EXEMPT_0 + 100_000


def test_leaving_dust_below_rent_minimum_is_refused(adapter: Adapter, url: str) -> None:
    w = new_wallet()
    sol_sandbox.fund(url, w.address, LAMPORTS_PER_SOL)
    with pytest.raises(Refused) as e:   # 1 SOL - 0.9999 - fee leaves ~95,000 lamports: below the minimum
        adapter.build_transfer(sol_transfer(adapter.network, w, new_wallet().address, "0.9999"))
    assert "below the rent-exempt minimum" in str(e.value)


def test_priority_fee_is_charged_as_shown(adapter: Adapter, funded: Wallet, url: str) -> None:
    to = new_wallet()
    t = sol_transfer(adapter.network, funded, to.address, "0.1", fees=FeeOptions(priority_fee=2_000_000))
    unsigned = adapter.build_transfer(t)
    limit = unsigned.payload["computeUnitLimit"]
    assert unsigned.payload["computeUnitPrice"] == 2_000_000
    # 5000 base + ceil(price * limit / 1e6): the runtime's fee formula, computed independently here.
    assert unsigned.fee.value == 5000 + -(-2_000_000 * limit // 10**6)
    before = lamports(url, funded.address)
    adapter.broadcast(adapter.sign(unsigned, funded.signer))
    assert before - lamports(url, funded.address) == 100_000_000 + unsigned.fee.value


def test_priority_fee_defaults_to_median_of_recent_fees(adapter: Adapter, url: str) -> None:
    w = new_wallet()
    sol_sandbox.fund(url, w.address, 2 * LAMPORTS_PER_SOL)
    prices = [1_000, 7_000, 3_000]
    for p in prices:
        t = sol_transfer(adapter.network, w, new_wallet().address, "0.01", fees=FeeOptions(priority_fee=p))
        adapter.broadcast(adapter.sign(adapter.build_transfer(t), w.signer))
    unsigned = adapter.build_transfer(sol_transfer(adapter.network, w, new_wallet().address, "0.01"))
    assert unsigned.payload["computeUnitPrice"] == statistics.median(prices) == 3_000


def test_fee_cap(network: Network, funded: Wallet) -> None:
    capped = Adapter(dataclasses.replace(network, fee_cap="0.000005"))   # exactly the base fee
    capped.build_transfer(sol_transfer(capped.network, funded, new_wallet().address, "0.01"))
    t = sol_transfer(capped.network, funded, new_wallet().address, "0.01",
                     fees=FeeOptions(priority_fee=10_000_000))
    with pytest.raises(FeeTooHigh):
        capped.build_transfer(t)
    t = dataclasses.replace(t, fees=FeeOptions(priority_fee=10_000_000, allow_high_fee=True))
    assert capped.build_transfer(t).fee.value > 5000


def test_compute_unit_limit_comes_from_simulation(adapter: Adapter, funded: Wallet) -> None:
    unsigned = adapter.build_transfer(sol_transfer(adapter.network, funded, new_wallet().address, "0.01"))
    # A system transfer plus the compute-budget instruction use a few hundred CU; the limit is sized
    # from that (x1.1 + margin), far below the 200k-per-instruction default.
    assert 300 < unsigned.payload["computeUnitLimit"] < 5_000


def test_rpc_down_is_unavailable(network: Network) -> None:
    down = Adapter(dataclasses.replace(network, rpc_url="http://127.0.0.1:9"))
    with pytest.raises(Unavailable):
        down.balance(new_wallet().account)


def test_memo_is_signed_and_executed(adapter: Adapter, funded: Wallet, url: str) -> None:
    import base64

    from solders.message import Message
    from solders.pubkey import Pubkey

    to = new_wallet()
    unsigned = adapter.build_transfer(sol_transfer(adapter.network, funded, to.address, "0.1", memo="invoice 42"))
    assert unsigned.summary["Memo"] == "invoice 42"
    msg = Message.from_bytes(base64.b64decode(unsigned.payload["message"]))
    memo_program = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
    memo_ix = [ix for ix in msg.instructions if msg.account_keys[ix.program_id_index] == memo_program]
    assert [bytes(ix.data) for ix in memo_ix] == [b"invoice 42"]
    adapter.broadcast(adapter.sign(unsigned, funded.signer))
    assert adapter.wait(adapter.sign(unsigned, funded.signer).txid, timeout=10).state == "confirmed"
    assert lamports(url, to.address) == LAMPORTS_PER_SOL // 10
