"""Amounts go from exact decimal strings to integer base units; every malformed input is refused."""

from __future__ import annotations

import pytest

from chains.base import Amount
from chains.errors import InvalidAmount


@pytest.mark.parametrize(
    ("text", "decimals", "value"),
    [("1", 18, 10**18), ("0.000000000000000001", 18, 1), ("1.5", 6, 1_500_000), ("21000000", 8, 21 * 10**14),
     ("0.1", 8, 10_000_000), ("007.50", 2, 750)],
)
def test_parse_exact(text: str, decimals: int, value: int) -> None:
    assert Amount.parse(text, decimals, "X").value == value


@pytest.mark.parametrize(
    ("text", "why"),
    [("-1", "plain decimal"), ("1e18", "plain decimal"), ("NaN", "plain decimal"), ("inf", "plain decimal"),
     ("0", "greater than zero"), ("0.0000001", "decimals"), ("1,5", "plain decimal"), ("", "plain decimal"),
     (".5", "plain decimal"), ("1.", "plain decimal"), ("+1", "plain decimal"), ("0x10", "plain decimal"),
     ("١", "plain decimal")],
)
def test_parse_refuses(text: str, why: str) -> None:
    with pytest.raises(InvalidAmount, match=why):
        Amount.parse(text, 6, "USDC")


def test_plain_round_trip() -> None:
    a = Amount(1_234_500, 6, "USDC")
    assert a.plain() == "1.2345"
    assert Amount.parse(a.plain(), 6, "USDC") == a
