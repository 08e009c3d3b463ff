"""BIP125 replacements: a fee bump replaces the original; a cancel sends everything back to us."""

from __future__ import annotations

from decimal import Decimal

from btc_helpers import address_balance, get, make_keys, mempool

from chains.base import Amount, FeeOptions, Transfer


def _send(adapter, network, keys, to: str, sats: int, rate: str = "2"):  # noqa: ANN001, ANN202
    t = Transfer(network, keys.account, to, Amount(sats, 8, "BTC"), fees=FeeOptions(fee_rate=Decimal(rate)))
    signed = adapter.sign(adapter.build_transfer(t), keys.signer)
    adapter.broadcast(signed)
    return signed


def test_fee_bump_replaces_the_original(sandbox, network, adapter) -> None:  # noqa: ANN001
    alice, bob = make_keys(), make_keys()
    sandbox.fund(alice.address(0), 5_000_000)
    original = _send(adapter, network, alice, bob.address(0), 1_000_000)
    assert original.txid in mempool(sandbox.url)
    old = get(sandbox.url, f"/tx/{original.txid}")

    bumped = adapter.speed_up(original, alice.signer, bump_percent=50)
    assert bumped.txid != original.txid
    assert bumped.payload["replaces"] == original.txid
    adapter.broadcast(bumped)
    pool = mempool(sandbox.url)
    assert original.txid not in pool and bumped.txid in pool
    new = get(sandbox.url, f"/tx/{bumped.txid}")
    assert new["fee"] > old["fee"]
    assert new["fee"] / new["weight"] > old["fee"] / old["weight"]
    # Same payment to bob, spending the same coin.
    assert {(v["txid"], v["vout"]) for v in new["vin"]} >= {(v["txid"], v["vout"]) for v in old["vin"]}
    assert any(o.get("scriptpubkey_address") == bob.address(0) and o["value"] == 1_000_000 for o in new["vout"])

    sandbox.mine(1)
    assert adapter.status(bumped.txid).state == "confirmed"
    assert adapter.status(original.txid).state == "unknown"
    assert address_balance(sandbox.url, bob.address(0)) == 1_000_000
    assert adapter.balance(alice.account).value == 5_000_000 - 1_000_000 - new["fee"]


def test_cancel_pays_everything_back_to_ourselves(sandbox, network, adapter) -> None:  # noqa: ANN001
    alice, bob = make_keys(), make_keys()
    sandbox.fund(alice.address(0), 3_000_000)
    original = _send(adapter, network, alice, bob.address(0), 2_000_000)
    old = get(sandbox.url, f"/tx/{original.txid}")

    cancel = adapter.cancel(original, alice.signer)
    adapter.broadcast(cancel)
    assert original.txid not in mempool(sandbox.url)
    new = get(sandbox.url, f"/tx/{cancel.txid}")
    assert new["fee"] > old["fee"]
    assert len(new["vout"]) == 1
    assert new["vout"][0]["scriptpubkey_address"] in {alice.address(i, change=True) for i in range(3)}
    sandbox.mine(1)
    assert address_balance(sandbox.url, bob.address(0)) == 0
    assert adapter.status(cancel.txid).state == "confirmed"
    assert adapter.balance(alice.account).value == 3_000_000 - new["fee"]


def test_confirmed_transaction_cannot_be_replaced(sandbox, network, adapter) -> None:  # noqa: ANN001
    import pytest

    from chains.errors import Refused

    alice, bob = make_keys(), make_keys()
    sandbox.fund(alice.address(0), 3_000_000)
    original = _send(adapter, network, alice, bob.address(0), 1_000_000)
    sandbox.mine(1)
    with pytest.raises(Refused, match="already confirmed"):
        adapter.speed_up(original, alice.signer)
