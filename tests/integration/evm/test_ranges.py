"""The online build refuses out-of-range overrides (nonce, gas limit, fees) with one sentence."""

from __future__ import annotations

import pytest

from chains.base import Amount, FeeOptions, Transfer
from chains.errors import BadInput


@pytest.mark.parametrize("fees,what", [
    (FeeOptions(nonce=-1), "nonce"), (FeeOptions(nonce=2**64 - 1), "nonce"), (FeeOptions(nonce=2**70), "nonce"),
    (FeeOptions(gas_limit=0), "gas limit"), (FeeOptions(gas_limit=2**64), "gas limit"),
    (FeeOptions(max_fee=2**256, priority_fee=1), "max fee per gas"),
])
def test_online_build_refuses_out_of_range_overrides(adapter, network, alice, bob, fees, what) -> None:  # noqa: ANN001
    t = Transfer(network, alice.account, bob.address, Amount.parse("0.1", 18, "ETH"), fees=fees)
    with pytest.raises(BadInput, match=f"{what} must be a whole number"):
        adapter.build_transfer(t)


def test_online_build_accepts_an_explicit_nonce_in_range(adapter, network, alice, bob) -> None:  # noqa: ANN001
    t = Transfer(network, alice.account, bob.address, Amount.parse("0.1", 18, "ETH"), fees=FeeOptions(nonce=5))
    assert adapter.build_transfer(t).payload["tx"]["nonce"] == 5
