"""The review of an ERC-20 transfer shows the base units signed when the decimals are the RPC's word.

A token the network config lists has its decimals checked (issue 8, item 6); for any other contract the
decimals come from the RPC alone, so an RPC answering 7 for a 6-decimal token made "12.5" sign 125 tokens
while the review said 12.5. The base units (what the transfer call carries) and where the decimals came
from are on the screen, so the lie is visible.
"""

from __future__ import annotations

from chains.base import Account, Amount, Network, Transfer
from chains.evm.tx import Fees, make_tx, unsigned_from

USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
OTHER = "0x6B175474E89094C44Da98b954EedeAC495271d0F"
TO = "0x000000000000000000000000000000000000dEaD"


def review(token: str, listed: bool) -> dict[str, str]:
    net = Network("eth", "evm", "ETH", 18, "http://127.0.0.1:1", chain_id=1,
                  tokens={"USDC": {"address": USDC, "decimals": 6}} if listed else {})
    sender = Account("evm", 0, "m/44'/60'/0'/0/0", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "")
    amount = Amount(125_000_000, 7, "XYZ")   # "12.5" with the RPC's 7 decimals
    t = Transfer(net, sender, TO, amount, token=token)
    tx = make_tx(chain_id=1, nonce=0, to=token, value=0, data="0x", gas=60_000, fees=Fees(10**9, 10**9))
    return unsigned_from(t, tx, token=token, token_symbol="XYZ", recipient=TO).summary


def test_an_unlisted_token_shows_base_units_and_whose_decimals() -> None:
    s = review(OTHER, listed=False)
    assert s["Amount"] == "12.5 XYZ"
    assert "125000000 base units" in s["Base units"] and "7 decimals as the RPC reports" in s["Base units"]


def test_a_listed_token_needs_no_such_line() -> None:
    assert "Base units" not in review(USDC, listed=True)
