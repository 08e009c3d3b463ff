"""`--amount max` on EVM: a token's whole balance, or the native balance minus the exact fee.

For the native coin the fee must be exact, not a maximum: with EIP-1559 the priority fee is set equal
to the max fee, so the price paid is the max fee whatever the base fee (it is at least the base fee,
or the node refuses the transaction); the account ends at exactly zero.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from chains.base import Amount, Transfer
from chains.errors import InsufficientFunds
from chains.evm.rpc import ok
from chains.evm.tokens import decode_uint
from wallet_i18n import _


def everything(adapter: Any, t: Transfer, fees: Any, native: int, contract: str | None, replies: list[Any],
               recipient: str) -> tuple[Transfer, Any]:
    net = adapter.network
    if contract:
        symbol, decimals = adapter._token_facts(contract, replies[7:10])
        have = decode_uint(ok(replies[10]))
        if have == 0:
            raise InsufficientFunds(_("the account holds no {symbol}").format(symbol=symbol))
        return dataclasses.replace(t, amount=Amount(have, decimals, symbol)), fees
    if not fees.legacy:
        fees = dataclasses.replace(fees, priority_fee=fees.max_fee)
    gas = t.fees.gas_limit or adapter._simulate(t.sender.address, recipient, 0, "0x")
    value = native - gas * fees.max_fee
    if value <= 0:
        raise InsufficientFunds(_("the balance {balance} does not cover the fee {fee}").format(
            balance=adapter._native(native), fee=adapter._native(gas * fees.max_fee)))
    return dataclasses.replace(t, amount=Amount(value, net.decimals, net.symbol)), fees
