"""The PSBT offline flow: a watch-only wallet builds, an offline signer signs, a third party broadcasts."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from bip_utils import Bip32Secp256k1, Bip39SeedGenerator
from btc_helpers import TEST_MNEMONIC, address_balance, make_keys

from chains.base import Account, Amount, FeeOptions, Transfer
from chains.bitcoin import Adapter
from chains.errors import BadInput, Refused


def _watch_account(desc_text: str, network) -> Account:  # noqa: ANN001
    ext, _chg = Adapter.watch_descriptors(desc_text, network)
    return Account(chain="btc", index=None, path=None, address="", public_key="", kind="watch",
                   label="cold", descriptors={"test": ext})


@pytest.mark.parametrize("form", ["vpub", "descriptor-with-origin"])
def test_watch_only_build_offline_sign_third_party_broadcast(sandbox, network, tmp_path, form) -> None:  # noqa: ANN001
    keys = make_keys(TEST_MNEMONIC if form == "descriptor-with-origin" else None)
    xpub = keys.account.xpubs["test"]          # vpub... from bip_utils
    if form == "vpub":
        watch = _watch_account(xpub, network)
    else:
        seed = Bip39SeedGenerator(keys.mnemonic).Generate()
        fp = Bip32Secp256k1.FromSeed(seed).FingerPrint().ToHex()
        assert fp == "73c5da0a"                  # the well-known fingerprint of "abandon ... about"
        tpub = Adapter.watch_descriptors(xpub, network)[0].split("(")[1].split("/")[0]
        watch = _watch_account(f"wpkh([{fp}/84'/1'/0']{tpub}/<0;1>/*)", network)

    # The watch-only wallet sees the coins at the bip_utils-derived address and builds a PSBT.
    payee = make_keys().address(4)
    sandbox.fund(keys.address(2), 2_000_000)
    online = Adapter(network, str(tmp_path / "online"))
    assert online.balance(watch).value == 2_000_000
    t = Transfer(network, watch, payee, Amount(700_000, 8, "BTC"), fees=FeeOptions(fee_rate=Decimal("3")))
    psbt_b64 = online.build_transfer(t).payload["psbt"]

    # The signer has no node at all (port 9 is discard): signing must not touch the network.
    offline = Adapter(dataclasses.replace(network, rpc_url="http://127.0.0.1:9"))
    signed_psbt, finalized = offline.sign_psbt(psbt_b64, keys.signer)
    assert finalized

    # Someone else, with neither keys nor wallet, extracts and broadcasts.
    relay = Adapter(network)
    signed = relay.extract(signed_psbt)
    assert relay.broadcast(signed) == signed.txid
    sandbox.mine(1)
    assert address_balance(sandbox.url, payee) == 700_000
    assert online.balance(watch).value == 2_000_000 - 700_000 - signed.fee.value


def test_a_foreign_key_signs_nothing(sandbox, network) -> None:  # noqa: ANN001
    keys, stranger = make_keys(), make_keys()
    sandbox.fund(keys.address(0), 1_000_000)
    a = Adapter(network)
    t = Transfer(network, keys.account, stranger.address(0), Amount(100_000, 8, "BTC"),
                 fees=FeeOptions(fee_rate=Decimal("2")))
    psbt_b64 = a.build_transfer(t).payload["psbt"]
    with pytest.raises(Refused):
        a.sign_psbt(psbt_b64, stranger.signer)


def test_keystore_account_and_signer_end_to_end(sandbox, network) -> None:  # noqa: ANN001
    """An account exactly as keystore.hd derives it (origin descriptors, tpub) and the signer the CLI builds."""
    from keystore import hd

    seed = hd.seed_from_mnemonic(TEST_MNEMONIC)
    d = hd.derive_account(seed, "btc", 0)
    acct = Account(chain="btc", index=0, path=d.path, address=d.address, public_key=d.public_key,
                   xpubs=d.xpubs, descriptors=d.descriptors)
    signer_key = hd.derive_account_xprv(seed, "m/84'/1'/0'", testnet=True)
    from chains.base import Signer

    signer = Signer("btc", d.address, xprv=signer_key, path=d.path)
    a = Adapter(network)
    receive = a.receive_address(acct)
    sandbox.fund(receive, 500_000)
    t = Transfer(network, acct, make_keys().address(0), Amount(100_000, 8, "BTC"),
                 fees=FeeOptions(fee_rate=Decimal("2")))
    signed = a.sign(a.build_transfer(t), signer)
    assert a.broadcast(signed) == signed.txid
    # The mainnet-path key cannot sign for the test-network account: a clear refusal, no key in the text.
    wrong = Signer("btc", d.address, xprv=hd.derive_account_xprv(seed, d.path), path=d.path)
    with pytest.raises(BadInput, match="does not belong to this account") as err:
        a.sign(a.build_transfer(t), wrong)
    assert "prv" not in str(err.value)
    sandbox.mine(1)


def test_node_down_is_unavailable(network) -> None:  # noqa: ANN001
    from chains.errors import Unavailable

    down = dataclasses.replace(network, rpc_url="http://127.0.0.1:9")
    keys = make_keys()
    with pytest.raises(Unavailable, match="127.0.0.1:9"):
        Adapter(down).balance(keys.account)
    with pytest.raises(Unavailable):
        Adapter(down).status("00" * 32)
