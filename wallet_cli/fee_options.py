"""Fee options from the command line: gwei, sat/vB and Solana's micro-lamports, checked and bounded."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from wallet_cli.errors import UsageError
from wallet_i18n import _


def _gwei(text: str | None, what: str) -> int | None:
    if text is None:
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise UsageError(_("{option} must be a decimal number of gwei").format(option=what)) from None
    if not d.is_finite() or d < 0 or d > 10**12:
        raise UsageError(_("{option} must be a number of gwei between 0 and 10^12").format(option=what))
    return int(d * 10**9)


def fee_options(family: str, max_fee: str | None, priority_fee: str | None, nonce: int | None,
                 gas_limit: int | None, fee_rate: str | None, target_blocks: int | None,
                 allow_high_fee: bool) -> Any:
    from chains.base import FeeOptions

    rate = None
    if fee_rate is not None:
        try:
            rate = Decimal(fee_rate)
        except InvalidOperation:
            raise UsageError(_("--fee-rate must be a number of sat/vB")) from None
        if not rate.is_finite() or rate <= 0 or rate > 10**7:
            raise UsageError(_("--fee-rate must be a positive number of sat/vB, at most 10^7"))
    if family == "sol":
        ok = priority_fee is not None and priority_fee.isascii() and priority_fee.isdigit() and len(priority_fee) < 20
        prio = int(priority_fee) if ok and priority_fee is not None else None
        if priority_fee is not None and (prio is None or prio >= 2**64):
            raise UsageError(_("--priority-fee on Solana is a whole number of micro-lamports per compute unit "
                               "below 2^64"))
    else:
        prio = _gwei(priority_fee, "--priority-fee")
    return FeeOptions(max_fee=_gwei(max_fee, "--max-fee"), priority_fee=prio, nonce=nonce, gas_limit=gas_limit,
                      fee_rate=rate, target_blocks=target_blocks, allow_high_fee=allow_high_fee)
