"""Account keys to descriptors, checked against the published BIP84 and BIP86 test vectors."""

from __future__ import annotations

import pytest

from chains.base import Account
from chains.bitcoin import Adapter
from chains.errors import BadInput
from chains.networks import get_network

# BIP84 and BIP86 test vectors for "abandon ... about", account 0 on mainnet.
BIP84_ZPUB = ("zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGD"
              "tKsAYz2oz2AGutZYs")
BIP84_FIRST = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
BIP84_SECOND = "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"
BIP84_FIRST_CHANGE = "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"
BIP86_XPUB = ("xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfd"
              "DEHGCtMMj92pReUsQ")
BIP86_FIRST = "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"


def _account(path: str, xpub: str) -> Account:
    return Account(chain="btc", index=0, path=path, address="", public_key="", xpubs={"main": xpub})


def _derive(desc: str, index: int) -> str:
    import bdkpython as bdk

    return str(bdk.Descriptor(desc, bdk.NetworkKind.MAIN).derive_address(index, bdk.Network.BITCOIN))


def test_bip84_vector_from_zpub() -> None:
    main = get_network("bitcoin")
    ext, chg = Adapter.watch_descriptors(BIP84_ZPUB, main)
    assert ext.startswith("wpkh(xpub")
    assert [_derive(ext, 0), _derive(ext, 1), _derive(chg, 0)] == [BIP84_FIRST, BIP84_SECOND, BIP84_FIRST_CHANGE]
    # An HD account carrying the zpub gives the same wallet, and export gives the zpub back.
    acct = _account("m/84'/0'/0'", BIP84_ZPUB)
    assert Adapter(main).receive_address(acct, sync=False) == BIP84_FIRST
    exported = Adapter(main).account_xpub_and_descriptor(acct, main)
    assert exported["zpub"] == BIP84_ZPUB and exported["descriptor"] == ext


def test_bip86_vector_taproot_account() -> None:
    main = get_network("bitcoin")
    acct = _account("m/86'/0'/0'", BIP86_XPUB)
    assert Adapter(main).receive_address(acct, sync=False) == BIP86_FIRST
    assert Adapter(main).account_xpub_and_descriptor(acct, main)["descriptor"].startswith("tr(xpub")


def test_watch_only_refuses_wrong_network_and_private_keys() -> None:
    with pytest.raises(BadInput, match="mainnet key but local-btc is a test network \\(regtest\\)"):
        Adapter.watch_descriptors(BIP84_ZPUB, get_network("local-btc"))
    with pytest.raises(BadInput, match="checksum"):
        Adapter.watch_descriptors(BIP84_ZPUB[:-1] + "t", get_network("bitcoin"))
    with pytest.raises(BadInput, match="extended public key"):
        Adapter.watch_descriptors("zprvAWgYBBk7JR8Gj" + "x" * 94, get_network("bitcoin"))
