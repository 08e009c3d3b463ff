"""Refusals with one clear sentence: fee cap, fee rate, dust, funds, wrong network, checksum, other chains."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from btc_helpers import make_keys

from chains.base import Amount, FeeOptions, Transfer
from chains.bitcoin import Adapter
from chains.errors import FeeTooHigh, InsufficientFunds, InvalidAddress, InvalidAmount
from chains.networks import get_network


@pytest.fixture(scope="module")
def funded(sandbox):  # noqa: ANN001, ANN201
    keys = make_keys()
    sandbox.fund(keys.address(0), 10_000_000)
    return keys


def _t(network, keys, to, sats, **fees) -> Transfer:  # noqa: ANN001
    return Transfer(network, keys.account, to, Amount(sats, 8, "BTC") if sats else None, fees=FeeOptions(**fees))


def test_fee_rate_above_core_maxfeerate(network, funded) -> None:  # noqa: ANN001
    to = make_keys().address(0)
    with pytest.raises(FeeTooHigh, match="0.1 BTC/kvB"):
        Adapter(network).build_transfer(_t(network, funded, to, 100_000, fee_rate=Decimal(10_001)))


def test_absolute_fee_cap_and_override(network, funded) -> None:  # noqa: ANN001
    capped = dataclasses.replace(network, fee_cap="0.00001")      # 1,000 sat
    to = make_keys().address(0)
    with pytest.raises(FeeTooHigh, match="fee cap of 0.00001 BTC"):
        Adapter(capped).build_transfer(_t(capped, funded, to, 100_000, fee_rate=Decimal(50)))
    ok = Adapter(capped).build_transfer(_t(capped, funded, to, 100_000, fee_rate=Decimal(50), allow_high_fee=True))
    assert ok.fee.value > 1_000 and any("fee cap" in w for w in ok.warnings)


@pytest.mark.parametrize(("purpose", "limit"), [(84, 294), (86, 330)])
def test_dust_outputs_refused(network, funded, purpose, limit) -> None:  # noqa: ANN001
    to = make_keys(purpose=purpose).address(0)
    with pytest.raises(InvalidAmount, match=f"dust limit of {limit} sat"):
        Adapter(network).build_transfer(_t(network, funded, to, limit - 1, fee_rate=Decimal(1)))


def test_insufficient_funds_says_needed_and_available(network, funded) -> None:  # noqa: ANN001
    to = make_keys().address(0)
    with pytest.raises(InsufficientFunds, match=r"need 0\.2000\d* BTC.*have 0\.10000000 BTC"):
        Adapter(network).build_transfer(_t(network, funded, to, 20_000_000, fee_rate=Decimal(1)))


@pytest.mark.parametrize(("text", "message"), [
    ("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "mainnet address but local-btc is a test network \\(regtest\\)"),
    ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "mainnet address but local-btc is a test network \\(regtest\\)"),
    ("tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl",
     "testnet/signet address but local-btc is a test network \\(regtest\\)"),
    ("bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppl", "checksum is wrong"),
    ("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", None),  # valid testnet base58 (also valid on regtest)
    ("2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", None),
    ("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfm", "checksum is wrong"),
    ("0x52908400098527886E0F7030069857D2E4169EE7", "EVM address, not a Bitcoin address"),
    ("TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7", "TRON address"),
    ("So11111111111111111111111111111111111111112", "Solana address"),
    ("not an address", "not a Bitcoin address"),
])
def test_parse_address_on_regtest(network, text, message) -> None:  # noqa: ANN001
    if message is None:
        assert Adapter.parse_address(text, network) == text
    else:
        with pytest.raises(InvalidAddress, match=message):
            Adapter.parse_address(text, network)


def test_regtest_address_on_mainnet_and_uppercase_bech32() -> None:
    main = get_network("bitcoin")
    with pytest.raises(InvalidAddress, match="regtest address but bitcoin is Bitcoin mainnet"):
        Adapter.parse_address("bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk", main)
    # BIP173 allows all-uppercase (QR codes); we normalise to lower case.
    assert Adapter.parse_address("BC1QCR8TE4KR609GCAWUTMRZA0J4XV80JY8Z306FYU", main) == \
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
