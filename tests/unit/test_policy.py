"""The policy engine: every rule at, just below and just above its limit, on each family's chain key."""

from __future__ import annotations

import calendar
import time

import pytest

from wallet_cli import policy as pol

USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
ALICE = "0x" + "a1" * 20
NOW = calendar.timegm((2026, 12, 2, 12, 0, 0))  # 12:00 UTC

# family -> (chain key, network, token, decimals, symbol)
FAMILIES = {
    "evm": ("evm:8453", "base", None, 18, "ETH"),
    "erc20": ("evm:8453", "base", USDC, 6, "USDC"),
    "sol": ("sol:local-sol", "local-sol", None, 9, "SOL"),
    "btc": ("btc:regtest", "local-btc", None, 8, "BTC"),
    "tron": ("tron:00000000", "local-tron", None, 6, "TRX"),
    "trc20": ("tron:00000000", "local-tron", "TSboQF7FL8f41WT3z4KB3UTYTJ6nHByNqT", 6, "USDT"),
}
_FAMILY = {"erc20": "evm", "trc20": "tron"}


def _policy(kind: str, **limits: object) -> pol.Policy:
    chain, net, token, dec, sym = FAMILIES[kind]
    raw = {"rule": [{"network": net, "asset": sym, **limits,
                     "targets": [{"chain": chain, "network": net, "token": token, "decimals": dec}]}]}
    return pol.from_dict(raw)


def _spend(kind: str, units: int, to: str = ALICE, replaces: str | None = None) -> pol.Spend:
    chain, net, token, _dec, _sym = FAMILIES[kind]
    fam = _FAMILY.get(kind, kind)
    return pol.Spend(chain=chain, network=net, family=fam, token=token, outputs=((to, units),), replaces=replaces)


def _past(kind: str, amount: str, ago: float, state: str = "confirmed", txid: str = "t") -> pol.Past:
    _chain, net, token, _dec, sym = FAMILIES[kind]
    return pol.Past(txid, NOW - ago, net, _FAMILY.get(kind, kind), sym, token, amount, state)


def _unit(kind: str) -> int:
    return 10 ** FAMILIES[kind][3]


@pytest.mark.parametrize("kind", FAMILIES)
def test_max_per_tx_at_below_above(kind: str) -> None:
    p, u = _policy(kind, max_per_tx="500"), _unit(kind)
    pol.check(p, _spend(kind, 500 * u), [], NOW)
    pol.check(p, _spend(kind, 500 * u - 1), [], NOW)
    with pytest.raises(pol.PolicyRefused, match=r"per-transaction limit on .* is 500; this payment is 500\.0"):
        pol.check(p, _spend(kind, 500 * u + 1), [], NOW)


@pytest.mark.parametrize("kind", FAMILIES)
def test_24h_window_at_below_above(kind: str) -> None:
    p, u = _policy(kind, max_per_24h="1000"), _unit(kind)
    window = [_past(kind, "950", 3600)]
    pol.check(p, _spend(kind, 50 * u), window, NOW)
    pol.check(p, _spend(kind, 50 * u - 1), window, NOW)
    with pytest.raises(pol.PolicyRefused) as e:
        pol.check(p, _spend(kind, 100 * u), window, NOW)
    _chain, net, _token, _dec, sym = FAMILIES[kind]
    assert str(e.value) == f"refused by policy: 24-hour limit on {sym} at {net} is 1,000; 950 sent, this payment is 100"
    with pytest.raises(pol.PolicyRefused):
        pol.check(p, _spend(kind, 50 * u + 1), window, NOW)
    # Older than 24 h, and rejected or dropped transactions, do not count.
    old = [_past(kind, "950", 86400 + 1), _past(kind, "950", 60, "rejected"), _past(kind, "950", 60, "dropped")]
    pol.check(p, _spend(kind, 1000 * u), old, NOW)
    # Signed (not yet sent) and unknown ones count.
    for state in ("signed", "unknown", "pending"):
        with pytest.raises(pol.PolicyRefused):
            pol.check(p, _spend(kind, 1000 * u), [_past(kind, "0.000001", 60, state)], NOW)


def test_7d_window_and_replacement_excluded() -> None:
    p, u = _policy("erc20", max_per_7d="5000"), _unit("erc20")
    window = [_past("erc20", "4000", 6 * 86400, txid="a")]
    pol.check(p, _spend("erc20", 1000 * u), window, NOW)
    with pytest.raises(pol.PolicyRefused, match="7-day limit on USDC at base is 5,000; 4,000 sent"):
        pol.check(p, _spend("erc20", 1000 * u + 1), window, NOW)
    # A speed-up of "a" replaces it: its amount is not counted twice.
    pol.check(p, _spend("erc20", 4000 * u, replaces="a"), window, NOW)


@pytest.mark.parametrize("kind", FAMILIES)
def test_rate_at_below_above(kind: str) -> None:
    p = _policy(kind, max_tx_per_hour=3)
    two = [_past(kind, "1", 60 * i, txid=str(i)) for i in range(1, 3)]
    pol.check(p, _spend(kind, 1), two, NOW)            # the 3rd in the hour: at the limit
    pol.check(p, _spend(kind, 1), two[:1], NOW)        # below
    with pytest.raises(pol.PolicyRefused, match="hourly limit on .* is 3 transactions; 3 signed"):
        pol.check(p, _spend(kind, 1), two + [_past(kind, "1", 1800, txid="x")], NOW)
    pol.check(p, _spend(kind, 1), two + [_past(kind, "1", 3601, txid="x")], NOW)


def test_unknown_window_refuses_rolling_rules_only() -> None:
    with pytest.raises(pol.PolicyRefused, match="journal is missing or older"):
        pol.check(_policy("evm", max_per_24h="1"), _spend("evm", 1), None, NOW)
    pol.check(_policy("evm", max_per_tx="1"), _spend("evm", 1), None, NOW)


def test_allow_to() -> None:
    p = _policy("evm", allow_to=[ALICE.upper().replace("0X", "0x")])
    pol.check(p, _spend("evm", 1, ALICE), [], NOW)
    with pytest.raises(pol.PolicyRefused, match="does not allow the recipient 0xb"):
        pol.check(p, _spend("evm", 1, "0x" + "b2" * 20), [], NOW)


def test_hours_at_edges() -> None:
    p = _policy("evm", hours_utc="06-22")
    day = calendar.timegm((2026, 12, 2, 0, 0, 0))
    pol.check(p, _spend("evm", 1), [], day + 6 * 3600)            # 06:00 opens
    pol.check(p, _spend("evm", 1), [], day + 22 * 3600 - 1)       # 21:59:59
    with pytest.raises(pol.PolicyRefused, match="only at 06-22 UTC; it is now 22"):
        pol.check(p, _spend("evm", 1), [], day + 22 * 3600)
    with pytest.raises(pol.PolicyRefused):
        pol.check(p, _spend("evm", 1), [], day + 6 * 3600 - 1)
    wrap = _policy("evm", hours_utc="22-06")
    pol.check(wrap, _spend("evm", 1), [], day + 23 * 3600)
    with pytest.raises(pol.PolicyRefused):
        pol.check(wrap, _spend("evm", 1), [], day + 12 * 3600)


def test_default_deny_networks_and_calls() -> None:
    p = _policy("erc20", max_per_tx="1")
    with pytest.raises(pol.PolicyRefused, match="no rule allows the native coin at base"):
        pol.check(p, _spend("evm", 1), [], NOW)
    allow = pol.from_dict({**p.to_json(), "default": "allow"})
    pol.check(allow, _spend("evm", 10**30), [], NOW)
    only = pol.from_dict({**allow.to_json(), "networks": ["ethereum"], "chains": ["evm:1"]})
    with pytest.raises(pol.PolicyRefused, match="base is not among the allowed networks"):
        pol.check(only, _spend("evm", 1), [], NOW)
    call = pol.Spend(chain="evm:8453", network="base", family="evm", token=None, outputs=(),
                     contract_call="the transaction calls the contract 0xdead with data (selector 0x12345678)")
    with pytest.raises(pol.PolicyRefused, match="calls the contract"):
        pol.check(allow, call, [], NOW)


def test_messages() -> None:
    pol.check_message(None, "evm:1", "ethereum")
    with pytest.raises(pol.PolicyRefused, match="message and typed-data signing is not allowed"):
        pol.check_message(pol.from_dict({}), "evm:1", "ethereum")
    pol.check_message(pol.from_dict({"messages": {"allow": True}}), "evm:1", "ethereum")
    pol.check_message(pol.from_dict({"default": "allow"}), "evm:1", "ethereum")


@pytest.mark.parametrize("raw, fragment", [
    ({"rule": [{"asset": "ETH"}]}, "exactly one of network or family"),
    ({"rule": [{"network": "base", "family": "evm", "asset": "ETH"}]}, "exactly one of network or family"),
    ({"rule": [{"network": "base", "asset": "ETH", "max_per_tx": 5}]}, "plain decimal string"),
    ({"rule": [{"network": "base", "asset": "ETH", "max_per_tx": "1e3"}]}, "plain decimal string"),
    ({"rule": [{"network": "base", "asset": "ETH", "max_per_tx": "-1"}]}, "plain decimal string"),
    ({"rule": [{"network": "base", "asset": "ETH", "hours_utc": "6-6"}]}, "two different hours"),
    ({"rule": [{"network": "base", "asset": "ETH", "max_tx_per_hour": True}]}, "whole number"),
    ({"rule": [{"network": "base", "asset": "ETH", "colour": "red"}]}, "unknown key 'colour'"),
    ({"default": "maybe"}, 'default must be "deny" or "allow"'),
    ({"messages": {"allow": "no"}}, "allow = true or false"),
    ({"limits": {}}, "unknown top-level key 'limits'"),
])
def test_bad_policies_are_one_sentence(raw: dict, fragment: str) -> None:
    with pytest.raises(pol.BadPolicy) as e:
        pol.from_dict(raw)
    assert fragment in str(e.value) and str(e.value).startswith("the policy is invalid: ")
    assert "\n" not in str(e.value)


def test_toml_and_json_forms_round_trip() -> None:
    text = """
default = "deny"
[[rule]]
network = "base"
asset = "USDC"
max_per_tx = "500"
max_per_24h = "2000"
max_tx_per_hour = 20
allow_to = ["0xabc"]
hours_utc = "06-22"
[messages]
allow = false
"""
    p = pol.parse_toml(text)
    assert pol.from_dict(p.to_json()) == p
    assert p.to_json()["rule"][0] == {"network": "base", "asset": "USDC", "max_per_tx": "500",
                                      "max_per_24h": "2000", "max_tx_per_hour": 20, "hours_utc": "06-22",
                                      "allow_to": ["0xabc"]}
    with pytest.raises(pol.BadPolicy, match="not valid TOML"):
        pol.parse_toml("[[rule]\n")


def test_clock_default_is_now() -> None:
    p = _policy("evm", hours_utc=f"{time.gmtime().tm_hour:02d}-{(time.gmtime().tm_hour + 1) % 24:02d}")
    pol.check(p, _spend("evm", 1), [])
