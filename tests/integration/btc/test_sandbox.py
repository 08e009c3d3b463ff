"""The sandbox itself: libbitcoinkernel rejects tampered signatures and accepts our taproot spend; the mempool
enforces inputs, values and replacement rules; blocks link up with valid merkle roots and proof of work."""

from __future__ import annotations

import dataclasses
import hashlib
from decimal import Decimal

import pytest
from btc_helpers import address_balance, get, make_keys, mempool, post_tx

from chains.base import Amount, FeeOptions, Transfer
from chains.bitcoin import Adapter
from chains.errors import TxRejected


def _signed(sandbox, network, keys, to: str, sats: int, rate: str = "2", fund: int = 1_000_000):  # noqa: ANN001, ANN202
    if fund:
        sandbox.fund(keys.address(0), fund)
    a = Adapter(network)
    t = Transfer(network, keys.account, to, Amount(sats, 8, "BTC"), fees=FeeOptions(fee_rate=Decimal(rate)))
    return a, a.sign(a.build_transfer(t), keys.signer)


def _sha256d(b: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def test_tampered_signature_rejected_by_libbitcoinkernel(sandbox, network) -> None:  # noqa: ANN001
    import bdkpython as bdk

    keys = make_keys()
    adapter, signed = _signed(sandbox, network, keys, make_keys().address(0), 100_000)
    raw = bytes.fromhex(signed.raw)
    sig = bytes(bdk.Transaction(raw).input()[0].witness[0])     # DER signature + sighash byte
    at = raw.index(sig) + 10                                     # a byte inside r
    tampered = raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:]
    code, text = post_tx(sandbox.url, tampered.hex())
    assert code == 400 and "mandatory-script-verify-flag-failed" in text
    assert signed.txid not in mempool(sandbox.url)
    # Through the adapter the refusal is a TxRejected carrying the node's reason.
    with pytest.raises(TxRejected, match="mandatory-script-verify-flag-failed"):
        adapter.broadcast(dataclasses.replace(signed, raw=tampered.hex()))
    assert adapter.broadcast(signed) == signed.txid
    sandbox.mine(1)


def test_taproot_bip86_spend_accepted(sandbox, network) -> None:  # noqa: ANN001
    keys = make_keys(purpose=86)
    assert keys.address(0).startswith("bcrt1p")
    payee = make_keys().address(0)
    adapter, signed = _signed(sandbox, network, keys, payee, 250_000, rate="3")
    info_before = adapter.balances(keys.account)
    assert info_before["total"].value == 1_000_000
    assert adapter.broadcast(signed) == signed.txid
    tx = get(sandbox.url, f"/tx/{signed.txid}")
    assert tx["vin"][0]["prevout"]["scriptpubkey_type"] == "v1_p2tr"
    assert len(tx["vin"][0]["witness"]) == 1 and len(tx["vin"][0]["witness"][0]) in (128, 130)  # schnorr
    sandbox.mine(1)
    assert address_balance(sandbox.url, payee) == 250_000
    # Change went back to a BIP86 internal address.
    assert any(o["scriptpubkey_address"] == keys.address(0, change=True) for o in tx["vout"])


def test_mempool_refusals(sandbox, network) -> None:  # noqa: ANN001
    import bdkpython as bdk

    keys = make_keys()
    adapter, first = _signed(sandbox, network, keys, make_keys().address(0), 100_000, rate="5")
    # Built before `first` is broadcast, so it spends the same single coin: a double spend paying less.
    _a, cheaper = _signed(sandbox, network, keys, make_keys().address(0), 100_000, rate="2", fund=0)
    adapter.broadcast(first)
    code, text = post_tx(sandbox.url, cheaper.raw)
    assert code == 400 and "insufficient fee" in text
    with pytest.raises(TxRejected, match="insufficient fee"):
        adapter.broadcast(cheaper)
    # Outputs worth more than inputs: bump the first output's value (checked before any script).
    raw = bytearray(bytes.fromhex(first.raw))
    tx = bdk.Transaction(bytes(raw))
    val = tx.output()[0].value.to_sat()
    pos = bytes(raw).index(val.to_bytes(8, "little"))
    raw[pos:pos + 8] = (val + 10**8).to_bytes(8, "little")
    code, text = post_tx(sandbox.url, bytes(raw).hex())
    assert code == 400 and "bad-txns-in-belowout" in text
    sandbox.mine(1)
    # Spending what is already confirmed as spent.
    code, text = post_tx(sandbox.url, cheaper.raw)
    assert code == 400 and "missingorspent" in text
    code, text = post_tx(sandbox.url, "00")
    assert code == 400 and "decode" in text


def test_blocks_link_with_valid_merkle_roots_and_work(sandbox) -> None:  # noqa: ANN001
    sandbox.mine(2)
    assert get(sandbox.url, "/block-height/0") == "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
    tip = int(get(sandbox.url, "/blocks/tip/height"))
    prev = None
    for h in range(max(0, tip - 15), tip + 1):
        bh = get(sandbox.url, f"/block-height/{h}")
        header = bytes.fromhex(get(sandbox.url, f"/block/{bh}/header"))
        assert _sha256d(header)[::-1].hex() == bh
        assert int.from_bytes(_sha256d(header), "little") <= 0x7FFFFF << (8 * (0x20 - 3))
        if prev is not None:
            assert header[4:36][::-1].hex() == prev
        level = [bytes.fromhex(t)[::-1] for t in get(sandbox.url, f"/block/{bh}/txids")]
        while len(level) > 1:
            level = level + [level[-1]] if len(level) % 2 else level
            level = [_sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        assert header[36:68] == level[0]
        prev = bh
