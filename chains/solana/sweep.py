"""`--amount max` for SOL: the balance minus the exact fee of the very transaction that sends it.

The fee does not depend on the amount (same instructions, same compute-unit limit and price), so a
first build with a small amount gives the fee, and the second build sends balance - fee with the
price fixed to the first one's. The account ends at zero, which the rent rules allow (an account
either stays rent-exempt or is emptied).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from chains.base import Amount, Transfer, UnsignedTx
from chains.errors import BadInput, InsufficientFunds
from wallet_i18n import N_, Phrase, _

LAMPORTS = 9


def build_max(adapter: Any, transfer: Transfer) -> UnsignedTx:
    if transfer.token is not None:
        raise BadInput(_("'max' on Solana sends SOL; give the token amount"))
    balance = adapter.rpc.get_balance(transfer.sender.address)
    probe_amount = min(balance, adapter.rpc.rent_exempt_minimum(0))   # a new recipient needs at least this
    if probe_amount <= 0:
        raise InsufficientFunds(_("the account holds no SOL"))
    probe = adapter.build_transfer(dataclasses.replace(transfer, amount=Amount(probe_amount, LAMPORTS, "SOL")))
    price = int(probe.payload["computeUnitPrice"])
    value = balance - probe.fee.value
    if value <= 0:
        raise InsufficientFunds(_("the balance {balance} does not cover the fee {fee}").format(
            balance=Amount(balance, LAMPORTS, "SOL"), fee=probe.fee))
    fees = dataclasses.replace(transfer.fees, priority_fee=price)
    final = adapter.build_transfer(dataclasses.replace(transfer, amount=Amount(value, LAMPORTS, "SOL"), fees=fees))
    if final.fee.value != probe.fee.value:      # would leave dust or fail: say so rather than guess
        raise InsufficientFunds(_("the fee changed between two builds; try again"))
    final.summary[N_("Amount")] = Phrase(N_("{amount} (everything, after the fee)"), amount=str(final.amount))
    return final
