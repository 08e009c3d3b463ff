"""Restore + full scan, sends with change and of the whole balance, idempotent broadcast."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from btc_helpers import TEST_MNEMONIC, address_balance, get, make_keys, mempool

from chains.base import Amount, FeeOptions, Transfer
from chains.bitcoin import Adapter

BTC = 100_000_000


def _transfer(network, keys, to: str, sats: int | None, rate: str | None = "5", **fees) -> Transfer:  # noqa: ANN001
    amount = Amount(sats, 8, "BTC") if sats is not None else None
    return Transfer(network, keys.account, to, amount,
                    fees=FeeOptions(fee_rate=Decimal(rate) if rate else None, **fees))


def test_bip84_test_vector_address_is_what_bdk_derives(network) -> None:  # noqa: ANN001
    # bip_utils derives m/84'/1'/0'/0/0 independently of BDK; both must agree.
    keys = make_keys(TEST_MNEMONIC)
    assert keys.address(0) == "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"
    assert Adapter(network).receive_address(keys.account, sync=False) == keys.address(0)


def test_restore_full_scan_finds_funds_on_several_addresses(sandbox, network, tmp_path) -> None:  # noqa: ANN001
    keys = make_keys()
    amounts = {0: 100_000, 5: 250_000, 13: 1_234_567}
    sandbox.fund_many([(keys.address(i), sats) for i, sats in amounts.items()])
    adapter = Adapter(network, str(tmp_path))
    bal = adapter.balances(keys.account)
    assert bal["total"].value == sum(amounts.values())
    assert bal["confirmed"].value == sum(amounts.values())
    assert bal["pending"].value == 0
    # Index 13 is past the first gap of 4 unused addresses, so only a real gap-limit scan finds it.
    first_unused = adapter.receive_address(keys.account)
    assert first_unused == keys.address(1)
    # A new adapter over the same data dir loads the persisted wallet (incremental sync) and agrees.
    assert Adapter(network, str(tmp_path)).balance(keys.account).value == sum(amounts.values())


def test_send_with_change(sandbox, network, adapter) -> None:  # noqa: ANN001
    alice, bob = make_keys(), make_keys()
    sandbox.fund(alice.address(0), 1 * BTC)
    to = bob.address(0)
    unsigned = adapter.build_transfer(_transfer(network, alice, to, 30_000_000, rate="5"))
    assert unsigned.amount.value == 30_000_000
    assert unsigned.summary["To"] == to
    signed = adapter.sign(unsigned, alice.signer)
    assert adapter.broadcast(signed) == signed.txid
    assert adapter.broadcast(signed) == signed.txid          # idempotent while in the mempool
    assert adapter.status(signed.txid).state == "pending"
    info = get(sandbox.url, f"/tx/{signed.txid}")
    assert all(v["sequence"] == 0xFFFFFFFD for v in info["vin"])    # BIP125 signalled
    outs = {o["scriptpubkey_address"]: o["value"] for o in info["vout"]}
    assert outs[to] == 30_000_000
    change_addr = alice.address(0, change=True)
    assert outs[change_addr] == 1 * BTC - 30_000_000 - info["fee"]
    vsize = (info["weight"] + 3) // 4
    assert 5 <= info["fee"] / vsize < 5.5
    assert info["fee"] == signed.fee.value
    sandbox.mine(1)
    assert adapter.broadcast(signed) == signed.txid          # idempotent once confirmed too
    st = adapter.status(signed.txid)
    assert st.state == "confirmed" and st.confirmations == 1
    assert address_balance(sandbox.url, to) == 30_000_000
    assert adapter.balance(alice.account).value == 1 * BTC - 30_000_000 - info["fee"]


def test_send_whole_balance(sandbox, network, adapter) -> None:  # noqa: ANN001
    alice, bob = make_keys(), make_keys()
    sandbox.fund_many([(alice.address(0), 40_000_000), (alice.address(2), 2_000_000)])
    unsigned = adapter.build_transfer(_transfer(network, alice, bob.address(3), None, rate=None))
    signed = adapter.sign(unsigned, alice.signer)
    adapter.broadcast(signed)
    info = get(sandbox.url, f"/tx/{signed.txid}")
    assert len(info["vin"]) == 2 and len(info["vout"]) == 1
    assert info["vout"][0]["value"] == 42_000_000 - info["fee"] == unsigned.amount.value
    # No fee rate given: the node's 6-block estimate (5 sat/vB in the sandbox) is used.
    assert 5 <= info["fee"] / ((info["weight"] + 3) // 4) < 5.5
    sandbox.mine(1)
    assert adapter.balance(alice.account).value == 0
    assert address_balance(sandbox.url, bob.address(3)) == 42_000_000 - info["fee"]
    assert signed.txid not in mempool(sandbox.url)


def test_fee_target_uses_the_matching_estimate(sandbox, network, adapter) -> None:  # noqa: ANN001
    alice, bob = make_keys(), make_keys()
    sandbox.fund(alice.address(0), 10_000_000)
    t = dataclasses.replace(_transfer(network, alice, bob.address(0), 1_000_000, rate=None),
                            fees=FeeOptions(target_blocks=1))
    unsigned = adapter.build_transfer(t)
    assert Decimal(unsigned.payload["fee_rate"]) == Decimal(str(sandbox.fee_estimates["1"]))
