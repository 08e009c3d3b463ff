"""Pure pieces of the EVM adapter that need no node: fee suggestion and bumps, revert decoding."""

from __future__ import annotations

import pytest
from eth_abi import encode

from chains.base import FeeOptions
from chains.errors import BadInput
from chains.evm.fees import Fees, bump, suggest
from chains.evm.tokens import decode_revert


def test_suggest_eip1559_and_legacy():
    assert suggest(7, 2, 99, FeeOptions(), legacy=False) == Fees(16, 2)         # 2 * base + tip
    assert suggest(7, 2, 99, FeeOptions(), legacy=True) == Fees(99, None)       # gas price
    assert suggest(None, 2, 99, FeeOptions(), legacy=False) == Fees(99, None)   # no base fee: legacy chain
    assert suggest(7, 2, 99, FeeOptions(max_fee=50, priority_fee=5), legacy=False) == Fees(50, 5)
    assert suggest(7, 20, 99, FeeOptions(max_fee=10), legacy=False) == Fees(10, 10)  # tip capped
    with pytest.raises(BadInput, match="below the current base fee"):
        suggest(7, 2, 99, FeeOptions(max_fee=5), legacy=False)
    with pytest.raises(BadInput, match="priority fee"):
        suggest(7, 2, 99, FeeOptions(max_fee=10, priority_fee=11), legacy=False)


def test_bump_is_strictly_above_ten_percent_and_current_fees():
    assert bump(Fees(100, 10), 10, None) == Fees(111, 12)      # ceil(110) + 1, ceil(11) + 1
    assert bump(Fees(100, 10), 5, None) == Fees(111, 12)       # never below the 10 % node minimum
    assert bump(Fees(100, 10), 50, None) == Fees(151, 16)
    assert bump(Fees(100, 10), 10, Fees(500, 40)) == Fees(500, 40)  # the network moved on
    assert bump(Fees(100, None), 10, Fees(300, None)) == Fees(300, None)
    assert bump(Fees(3, 3), 10, None) == Fees(5, 5)            # ceil(3.3) + 1


def test_decode_revert_reasons():
    err = "0x08c379a0" + encode(["string"], ["ERC20: insufficient balance"]).hex()
    assert decode_revert(err) == "ERC20: insufficient balance"
    assert decode_revert({"data": err}) == "ERC20: insufficient balance"
    assert decode_revert("0x4e487b71" + encode(["uint256"], [0x11]).hex()) == \
        "panic 0x11 (arithmetic overflow or underflow)"
    assert decode_revert("0xdeadbeef") == "custom error 0xdeadbeef"
    assert decode_revert("0x") is None and decode_revert(None) is None
