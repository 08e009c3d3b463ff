"""EVM fee arithmetic: EIP-1559 suggestions, replacement bumps and the network's fee cap."""

from __future__ import annotations

from dataclasses import dataclass

from chains.base import Amount, FeeOptions, Network
from chains.errors import BadInput, FeeTooHigh
from wallet_i18n import _

MIN_BUMP_PERCENT = 10  # geth and anvil refuse a replacement that raises fees by less than 10 %


@dataclass(frozen=True)
class Fees:
    """Per-gas prices in wei. legacy: gas_price only (max_fee holds it, priority_fee is None)."""

    max_fee: int
    priority_fee: int | None

    @property
    def legacy(self) -> bool:
        return self.priority_fee is None

    def tx_fields(self) -> dict[str, int]:
        if self.legacy:
            return {"gasPrice": self.max_fee}
        return {"maxFeePerGas": self.max_fee, "maxPriorityFeePerGas": int(self.priority_fee or 0)}


def suggest(base_fee: int | None, priority: int, gas_price: int, opts: FeeOptions,
            legacy: bool) -> Fees:
    """base fee * 2 + priority covers six full blocks of base-fee growth (12.5 % each)."""
    if legacy or base_fee is None:
        return Fees(opts.max_fee if opts.max_fee is not None else gas_price, None)
    prio = opts.priority_fee if opts.priority_fee is not None else priority
    max_fee = opts.max_fee if opts.max_fee is not None else base_fee * 2 + prio
    if prio > max_fee:
        if opts.priority_fee is not None and opts.max_fee is not None:
            raise BadInput(_("the priority fee ({priority_fee}) is above the max fee ({max_fee})").format(
                priority_fee=gwei(prio), max_fee=gwei(max_fee)))
        prio = max_fee  # an explicit low max fee caps the default tip
    if opts.max_fee is not None and opts.max_fee < base_fee:
        raise BadInput(_("the max fee {max_fee} is below the current base fee {base_fee}; the transaction could "
                         "not be included").format(max_fee=gwei(opts.max_fee), base_fee=gwei(base_fee)))
    return Fees(max_fee, prio)


def _bump(value: int, percent: int) -> int:
    # ceil(value * (100 + p) / 100) + 1 wei: strictly above the node's minimum replacement price.
    return -(-value * (100 + percent) // 100) + 1


def bump(old: Fees, percent: int, current: Fees | None) -> Fees:
    """Raise both prices by at least max(percent, 10 %) + 1 wei, and to at least the current fees."""
    p = max(percent, MIN_BUMP_PERCENT)
    if old.legacy:
        price = _bump(old.max_fee, p)
        if current is not None:
            price = max(price, current.max_fee)
        return Fees(price, None)
    prio = _bump(int(old.priority_fee or 0), p)
    max_fee = _bump(old.max_fee, p)
    if current is not None:
        prio = max(prio, current.priority_fee if current.priority_fee is not None else 0)
        max_fee = max(max_fee, current.max_fee)
    return Fees(max(max_fee, prio), prio)


def fee_cap_wei(network: Network) -> int | None:
    if not network.fee_cap:
        return None
    return Amount.parse(network.fee_cap, network.decimals, network.symbol, allow_zero=True).value


def check_cap(network: Network, max_total_fee: int, allow_high_fee: bool) -> None:
    cap = fee_cap_wei(network)
    if cap is None or allow_high_fee or max_total_fee <= cap:
        return
    fee = Amount(max_total_fee, network.decimals, network.symbol)
    raise FeeTooHigh(_("the maximum fee {fee} is above the fee cap of {cap} {symbol} for {network}; use "
                       "--allow-high-fee to send anyway").format(
        fee=fee, cap=network.fee_cap, symbol=network.symbol, network=network.name))


def gwei(wei: int) -> str:
    return f"{Amount(wei, 9, 'gwei')}"
