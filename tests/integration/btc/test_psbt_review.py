"""review_psbt: what signing a PSBT from elsewhere would approve, checked before sign_psbt.

Addresses are derived independently with bip_utils, amounts are the ones chosen here, and the fee is
the funded input minus the outputs; vsize follows from BIP141 weights written out below.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import bdkpython as bdk
import pytest
from btc_helpers import make_keys

from chains.base import Amount, FeeOptions, Transfer
from chains.bitcoin import Adapter
from chains.errors import FeeTooHigh, Refused

FUNDED = 2_000_000
# Non-witness bytes: version 4, counts 1+1, locktime 4, P2WPKH input 41, P2WPKH output 31; witness:
# marker+flag 2 WU, and per P2WPKH input 1 + (1+72) + (1+33) = 108 WU at the worst-case signature size.
P2WPKH_OUT = 31


def _vsize(n_outputs_bytes: int) -> int:
    weight = (4 + 1 + 41 + 1 + n_outputs_bytes + 4) * 4 + 2 + 108
    return (weight + 3) // 4


def _spk(address: str) -> bdk.Script:
    return bdk.Address(address, bdk.Network.REGTEST).script_pubkey()


def test_review_of_a_plain_send(sandbox, network, tmp_path) -> None:  # noqa: ANN001
    keys, payee = make_keys(), make_keys().address(0)
    sandbox.fund(keys.address(0), FUNDED)
    a = Adapter(network, str(tmp_path / "a"))
    psbt = a.build_transfer(Transfer(network, keys.account, payee, Amount(700_000, 8, "BTC"),
                                     fees=FeeOptions(fee_rate=Decimal("3")))).payload["psbt"]
    r = Adapter(dataclasses.replace(network, rpc_url="http://127.0.0.1:9")).review_psbt(psbt, keys.signer)
    by_addr = {o["address"]: o for o in r["outputs"]}
    change_addr = keys.address(0, change=True)          # the first internal address, from bip_utils
    assert set(by_addr) == {payee, change_addr}
    assert by_addr[payee] == {"address": payee, "amount": "0.007", "sats": 700_000, "change": False}
    assert by_addr[change_addr]["change"] is True
    assert r["fee_sat"] == FUNDED - 700_000 - by_addr[change_addr]["sats"]
    assert r["fee"] == str(Decimal(r["fee_sat"]) / 10**8)
    assert r["vsize"] == _vsize(2 * P2WPKH_OUT) == 141
    assert Decimal(r["fee_rate"]) >= 3 and r["fee_rate"] == f"{r['fee_sat'] / 141:.2f}"
    assert (r["inputs"], r["ours_inputs"], r["warnings"]) == (1, 1, [])
    # Reviewing changes nothing: the same PSBT still signs and is fully finalized.
    assert a.sign_psbt(psbt, keys.signer)[1] is True


def test_review_marks_every_own_script_and_only_those(sandbox, network, tmp_path) -> None:  # noqa: ANN001
    keys, stranger = make_keys(), make_keys()
    sandbox.fund(keys.address(0), FUNDED)
    a = Adapter(network, str(tmp_path / "a"))
    wallet = a._open(keys.account).wallet
    # A coordinator's PSBT: pay a stranger, our own receive address 7 (unrevealed by the wallet, so
    # no key origin on it), our change address 3 via drain, and an OP_RETURN.
    builder = (bdk.TxBuilder().add_recipient(_spk(stranger.address(0)), bdk.Amount.from_sat(300_000))
               .add_recipient(_spk(keys.address(7)), bdk.Amount.from_sat(200_000))
               .add_data(b"memo").drain_to(_spk(keys.address(3, change=True)))
               .fee_rate(bdk.FeeRate.from_sat_per_vb(2)))
    psbt = builder.finish(wallet).serialize()
    r = a.review_psbt(psbt, keys.signer)
    got = {o["address"]: (o["sats"], o["change"]) for o in r["outputs"]}
    drained = FUNDED - 500_000 - r["fee_sat"]
    assert got == {stranger.address(0): (300_000, False), keys.address(7): (200_000, True),
                   keys.address(3, change=True): (drained, True), "OP_RETURN data (046d656d6f)": (0, False)}
    assert r["vsize"] == _vsize(3 * P2WPKH_OUT + (8 + 1 + 6))
    # The stranger's key controls no input: refused before any confirmation is shown.
    with pytest.raises(Refused, match="does not control any input"):
        a.review_psbt(psbt, stranger.signer)


def test_review_applies_the_send_fee_guards(sandbox, network, tmp_path) -> None:  # noqa: ANN001
    keys = make_keys()
    sandbox.fund(keys.address(0), 20_000_000)
    a = Adapter(network, str(tmp_path / "a"))
    t = Transfer(network, keys.account, make_keys().address(0), Amount(1_000_000, 8, "BTC"),
                 fees=FeeOptions(fee_rate=Decimal("20000"), allow_high_fee=True))
    absurd = a.build_transfer(t).payload["psbt"]         # 20,000 sat/vB: twice Core's maxfeerate
    with pytest.raises(FeeTooHigh, match="sat/vB"):
        a.review_psbt(absurd, keys.signer)
    r = a.review_psbt(absurd, keys.signer, allow_high_fee=True)
    assert r["fee_sat"] == 141 * 20_000 and r["warnings"]
    # The network's absolute cap applies too, at an ordinary rate.
    normal = a.build_transfer(dataclasses.replace(t, fees=FeeOptions(fee_rate=Decimal("100")))).payload["psbt"]
    capped = Adapter(dataclasses.replace(network, fee_cap="0.0001"), str(tmp_path / "a"))
    assert a.review_psbt(normal, keys.signer)["fee_sat"] == 14_100
    with pytest.raises(FeeTooHigh, match="fee cap"):
        capped.review_psbt(normal, keys.signer)


def test_an_output_far_past_the_lookahead_is_not_shown_as_change(sandbox, network, tmp_path) -> None:  # noqa: ANN001
    """A PSBT whose 'change' is our key at internal index 1000000 (key origin 1/1000000): no wallet
    would ever find those coins, so the review must show them as leaving (issue 8 item 11)."""
    from bip_utils import Bip32Slip10Secp256k1, Bip39SeedGenerator, Bip44Changes

    from chains.bitcoin.descriptors import network_kind, public_descriptors
    from tests.integration.btc.btc_helpers import _ctx

    keys, payee = make_keys(), make_keys().address(0)
    sandbox.fund(keys.address(0), FUNDED)
    far = _ctx(keys.mnemonic, 84).Change(Bip44Changes.CHAIN_INT).AddressIndex(1_000_000)
    fp = Bip32Slip10Secp256k1.FromSeed(Bip39SeedGenerator(keys.mnemonic).Generate()).FingerPrint().ToHex()
    ext, _ = public_descriptors(keys.account, network)
    far_change = f"wpkh([{fp}/84h/1h/0h/1/1000000]{far.PublicKey().RawCompressed().ToHex()})"
    kind = network_kind(network)
    coordinator = bdk.Wallet(bdk.Descriptor(ext, kind), bdk.Descriptor(far_change, kind), bdk.Network.REGTEST,
                             bdk.Persister.new_in_memory())
    coordinator.apply_update(bdk.EsploraClient(network.rpc_url, None).full_scan(
        coordinator.start_full_scan().build(), 5, 1))
    psbt = (bdk.TxBuilder().add_recipient(_spk(payee), bdk.Amount.from_sat(300_000))
            .fee_rate(bdk.FeeRate.from_sat_per_vb(2)).finish(coordinator)).serialize()
    r = Adapter(network, str(tmp_path / "a")).review_psbt(psbt, keys.signer)
    got = {o["address"]: o["change"] for o in r["outputs"]}
    assert got == {payee: False, far.PublicKey().ToAddress(): False}
