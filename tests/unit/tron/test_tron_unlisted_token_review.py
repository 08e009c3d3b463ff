"""TRON, as EVM: the review of a TRC-20 transfer whose decimals only the node vouches for (the contract is
not in the network's config) shows the base units signed, so a node lying about decimals is visible."""

from __future__ import annotations

from chains.base import Account, Amount, Network, Transfer
from chains.tron import Adapter
from chains.tron import tx as ttx
from chains.tron.address import from_bytes21

OWNER, TOKEN = b"\x41" + b"\x11" * 20, b"\x41" + b"\x22" * 20


def review(listed: bool) -> dict[str, str]:
    tokens = {"USDT": {"address": from_bytes21(TOKEN), "decimals": 6}} if listed else {}
    net = Network("local-tron", "tron", "TRX", 6, "http://127.0.0.1:9", kind="local", tokens=tokens)
    sender = Account("tron", 0, "m/44'/195'/0'/0/0", from_bytes21(OWNER), "")
    t = Transfer(net, sender, from_bytes21(b"\x41" + b"\x33" * 20), Amount(125_000_000, 7, "XYZ"),
                 token=from_bytes21(TOKEN))
    raw = ttx.Raw(b"\0\0", b"\0" * 8, 1_700_000_000_000, 1_700_000_000_000, ttx.TRIGGER, OWNER, TOKEN,
                  call_data=b"\xa9\x05\x9c\xbb", fee_limit=10_000_000)
    return Adapter(net)._unsigned(t, raw, None, 10_000_000, "XYZ", [], None).summary


def test_an_unlisted_trc20_shows_base_units_and_whose_decimals() -> None:
    s = review(listed=False)
    assert s["Amount"] == "12.5 XYZ"
    assert "125000000 base units" in s["Base units"] and "7 decimals as the node reports" in s["Base units"]


def test_a_listed_trc20_needs_no_such_line() -> None:
    assert "Base units" not in review(listed=True)
