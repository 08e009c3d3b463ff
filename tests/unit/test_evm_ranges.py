"""EVM protocol ranges are checked when building (offline here) and again before signing a payload.

Bounds: EIP-2681 (nonce < 2**64 - 1), gas a uint64 in every client, wei quantities uint256.
"""

from __future__ import annotations

import secrets

import pytest
from eth_account import Account as EthAccount

from chains.base import Account, Amount, FeeOptions, Signer, Transfer
from chains.errors import BadInput
from chains.evm import Adapter, build_offline
from chains.networks import get_network

KEY = secrets.token_bytes(32)
ADDR = EthAccount.from_key(KEY).address
TO = EthAccount.from_key(secrets.token_bytes(32)).address
NET = get_network("local-evm")
GWEI = 10**9


def _transfer(value: int = 1, **fees: int) -> Transfer:
    return Transfer(NET, Account("evm", None, None, ADDR, ""), TO, Amount(value, 18, "ETH"),
                    fees=FeeOptions(**fees))


@pytest.mark.parametrize("nonce", [-1, 2**64 - 1, 2**64, 2**300])
def test_offline_nonce_out_of_range(nonce: int) -> None:
    with pytest.raises(BadInput, match="nonce must be a whole number from 0 to 2\\*\\*64 - 2"):
        build_offline(_transfer(), nonce, GWEI, GWEI, 21000)


@pytest.mark.parametrize("gas", [0, -21000, 2**64])
def test_offline_gas_out_of_range(gas: int) -> None:
    with pytest.raises(BadInput, match="gas limit must be"):
        build_offline(_transfer(), 0, GWEI, GWEI, gas)


@pytest.mark.parametrize("max_fee,prio,what", [(2**256, 0, "max fee per gas"), (GWEI, -1, "priority fee"),
                                               (-1, None, "max fee per gas")])
def test_offline_fees_out_of_range(max_fee: int, prio: int | None, what: str) -> None:
    with pytest.raises(BadInput, match=what):
        build_offline(_transfer(allow_high_fee=True), 0, max_fee, prio, 21000)


def test_offline_value_out_of_range() -> None:
    with pytest.raises(BadInput, match="value must be"):
        build_offline(_transfer(2**256), 0, GWEI, GWEI, 21000)


def test_largest_valid_nonce_signs_and_eth_account_reads_it_back() -> None:
    unsigned = build_offline(_transfer(), 2**64 - 2, GWEI, GWEI, 21000)
    signed = Adapter(NET).sign(unsigned, Signer("evm", ADDR, KEY))
    from eth_account.typed_transactions import TypedTransaction
    from hexbytes import HexBytes

    decoded = TypedTransaction.from_bytes(HexBytes(signed.raw)).as_dict()
    assert decoded["nonce"] == 2**64 - 2
    assert EthAccount.recover_transaction(signed.raw) == ADDR


@pytest.mark.parametrize("field,bad", [("nonce", -1), ("nonce", 2**64), ("gas", 0), ("value", str(2**256)),
                                       ("maxFeePerGas", str(2**256))])
def test_tampered_payload_is_refused_before_signing(field: str, bad: object) -> None:
    unsigned = build_offline(_transfer(), 0, GWEI, GWEI, 21000)
    unsigned.payload["tx"][field] = bad
    with pytest.raises(BadInput):
        Adapter(NET).sign(unsigned, Signer("evm", ADDR, KEY))
