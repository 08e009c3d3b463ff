"""Speed-up and cancel against an anvil that mines only on demand, so the original stays pending."""

from __future__ import annotations

import pytest

from chains.base import Amount, FeeOptions, SignedTx, Transfer
from chains.errors import BadInput, CannotLand, FeeTooHigh, Refused
from chains.evm import Adapter
from devnet import anvil

from .helpers import ETH, Wallet, eth_balance, local_network, mined, new_wallet, nonce, receipt


@pytest.fixture
def mnet(manual_chain):
    return local_network(manual_chain.url)


@pytest.fixture
def payer(manual_chain) -> Wallet:
    w = new_wallet()
    anvil.fund(manual_chain.url, w.address, 5 * ETH)  # fund() mines this one block itself
    return w


def pending_send(ad: Adapter, net, payer: Wallet, to: str, value: int) -> SignedTx:
    # Low fees so the bump arithmetic is visible; the base fee of a fresh anvil is well below 3 gwei.
    opts = FeeOptions(max_fee=3 * 10**9, priority_fee=10**9)
    signed = ad.sign(ad.build_transfer(Transfer(net, payer.account, to, Amount(value, 18, "ETH"), fees=opts)),
                     payer.signer)
    assert ad.broadcast(signed) == signed.txid
    assert ad.status(signed.txid).state == "pending"
    return signed


def test_speed_up_replaces_the_pending_transaction(manual_chain, mnet, payer):
    url, ad, bob = manual_chain.url, Adapter(mnet), new_wallet()
    original = pending_send(ad, mnet, payer, bob.address, 10**15)
    faster = ad.speed_up(original, payer.signer, bump_percent=10)
    old_tx, new_tx = original.payload["tx"], faster.payload["tx"]
    assert faster.txid != original.txid and faster.payload["replaces"] == original.txid
    assert (new_tx["nonce"], new_tx["to"], new_tx["value"], new_tx["data"]) == \
        (old_tx["nonce"], old_tx["to"], old_tx["value"], old_tx["data"])
    # geth's rule: each price must rise by at least 10 %.
    assert int(new_tx["maxFeePerGas"]) * 100 >= int(old_tx["maxFeePerGas"]) * 110 + 1
    assert int(new_tx["maxPriorityFeePerGas"]) * 100 >= int(old_tx["maxPriorityFeePerGas"]) * 110 + 1

    assert ad.broadcast(faster) == faster.txid
    anvil.rpc(url, "evm_mine")
    rc = mined(url, faster.txid)
    assert rc is not None and int(rc["status"], 16) == 1
    assert receipt(url, original.txid) is None
    assert ad.status(original.txid).state == "unknown"
    assert ad.status(faster.txid).state == "confirmed"
    assert eth_balance(url, bob.address) == 10**15  # paid once
    assert nonce(url, payer.address, "latest") == 1

    with pytest.raises(Refused, match="already mined"):
        ad.speed_up(faster, payer.signer)
    with pytest.raises(Refused, match="already used"):
        ad.speed_up(original, payer.signer)
    with pytest.raises(CannotLand, match="nonce 0 is already used"):
        ad.broadcast(original)   # the replaced one cannot come back


def test_cancel_sends_nothing_to_the_recipient(manual_chain, mnet, payer):
    url, ad, bob = manual_chain.url, Adapter(mnet), new_wallet()
    original = pending_send(ad, mnet, payer, bob.address, 10**15)
    cancel = ad.cancel(original, payer.signer, bump_percent=25)
    tx = cancel.payload["tx"]
    assert (tx["to"], tx["value"], tx["gas"], tx["data"]) == (payer.address, "0", 21000, "0x")
    assert int(tx["maxFeePerGas"]) * 100 >= int(original.payload["tx"]["maxFeePerGas"]) * 125
    assert ad.broadcast(cancel) == cancel.txid
    anvil.rpc(url, "evm_mine")
    assert int(mined(url, cancel.txid)["status"], 16) == 1
    assert receipt(url, original.txid) is None
    assert eth_balance(url, bob.address) == 0


def test_replacement_needs_the_original_signer(manual_chain, mnet, payer):
    ad = Adapter(mnet)
    original = pending_send(ad, mnet, payer, new_wallet().address, 1)
    with pytest.raises(BadInput, match="signing key belongs to"):
        ad.speed_up(original, new_wallet().signer)
    anvil.rpc(manual_chain.url, "evm_mine")


def test_pending_broadcast_twice_keeps_one_in_the_pool(manual_chain, mnet, payer):
    url, ad = manual_chain.url, Adapter(mnet)
    signed = pending_send(ad, mnet, payer, new_wallet().address, 5)
    assert ad.broadcast(signed) == signed.txid          # "already imported" while pending
    assert int(anvil.rpc(url, "txpool_status")["pending"], 16) == 1
    anvil.rpc(url, "evm_mine")
    assert nonce(url, payer.address, "latest") == 1


def test_replacement_respects_the_fee_cap(manual_chain, payer):
    url = manual_chain.url
    ad = Adapter(local_network(url))
    original = pending_send(ad, local_network(url), payer, new_wallet().address, 1)
    capped = Adapter(local_network(url, fee_cap="0.00005"))  # 21000 * 3.3 gwei = 0.0000693 ETH
    with pytest.raises(FeeTooHigh):
        capped.speed_up(original, payer.signer)
    assert capped.speed_up(original, payer.signer, allow_high_fee=True).txid != original.txid
    anvil.rpc(url, "evm_mine")
