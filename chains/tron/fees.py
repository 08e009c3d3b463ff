"""What a TRON transaction costs, from the node's chain parameters and the sender's resources.

The rules (java-tron BandwidthProcessor / EnergyProcessor, TRON's resource model docs):
- Bandwidth: a transaction costs its size in bytes (chains.tron.tx.bandwidth_bytes). Staked bandwidth
  pays first, then the daily free bandwidth; if neither covers the whole size, size x getTransactionFee
  sun is burnt (a transaction never splits between them).
- A TRX transfer to an account that does not exist yet creates it: getCreateNewAccountFeeInSystemContract
  (1 TRX) is burnt, and its bandwidth comes from staked bandwidth only (size x
  getCreateNewAccountBandwidthRate), else getCreateAccountFee (0.1 TRX) is burnt instead; free bandwidth
  does not pay for creating an account.
- Energy (TRC-20): the call's energy_used (from triggerconstantcontract) is paid from staked energy
  first; the shortfall x getEnergyFee sun is burnt, up to the transaction's fee_limit.
Prices are read live from getchainparameters, never assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chains.errors import Unavailable
from wallet_i18n import _

_PARAMS = ("getTransactionFee", "getEnergyFee", "getCreateAccountFee", "getCreateNewAccountFeeInSystemContract")
_OPTIONAL = ("getCreateNewAccountBandwidthRate", "getMaxFeeLimit")


@dataclass(frozen=True)
class Prices:
    bandwidth_sun: int             # getTransactionFee: sun per byte
    energy_sun: int                # getEnergyFee: sun per energy unit
    create_account_sun: int        # getCreateAccountFee: the bandwidth part of creating an account
    activation_sun: int            # getCreateNewAccountFeeInSystemContract
    new_account_bandwidth_rate: int = 1
    max_fee_limit: int | None = None   # getMaxFeeLimit: the largest fee_limit the chain accepts

    @classmethod
    def from_chain_parameters(cls, reply: dict[str, Any]) -> Prices:
        from chains.tron.rpc import integer

        try:
            got = {str(p["key"]): p.get("value", 0) for p in reply["chainParameter"]}
        except (KeyError, TypeError, ValueError, AttributeError):
            raise Unavailable(_("the node's getchainparameters reply is not a list of key/value pairs")) from None
        # A price is a non-negative int64: a negative one would lower the fee shown and capped.
        got = {k: integer(v, f"chain parameter {k}") for k, v in got.items() if k in _PARAMS or k in _OPTIONAL}
        missing = [k for k in _PARAMS if k not in got]
        if missing:
            raise Unavailable(_("the node's chain parameters lack {missing}").format(missing=', '.join(missing)))
        return cls(got["getTransactionFee"], got["getEnergyFee"], got["getCreateAccountFee"],
                   got["getCreateNewAccountFeeInSystemContract"], got.get("getCreateNewAccountBandwidthRate", 1),
                   got.get("getMaxFeeLimit"))


@dataclass(frozen=True)
class Resources:
    free_net: int                  # free bandwidth left today
    staked_net: int                # bandwidth from staked TRX left
    energy: int                    # energy from staked TRX left

    @classmethod
    def from_account_resource(cls, r: dict[str, Any]) -> Resources:
        def n(k: str) -> int:
            v = r.get(k, 0)
            if not isinstance(v, int) or isinstance(v, bool):
                raise Unavailable(_("the node's getaccountresource reply has a non-integer {field}").format(field=k))
            return v
        return cls(max(0, n("freeNetLimit") - n("freeNetUsed")), max(0, n("NetLimit") - n("NetUsed")),
                   max(0, n("EnergyLimit") - n("EnergyUsed")))


@dataclass(frozen=True)
class Cost:
    bandwidth: int                 # bytes
    bandwidth_from: str            # "staked", "free" or "burnt"
    bandwidth_burn: int            # sun
    activation_burn: int           # sun, 0 unless a new account is created
    energy: int                    # energy units needed
    energy_from_stake: int
    energy_burn: int               # sun

    @property
    def total(self) -> int:
        return self.bandwidth_burn + self.activation_burn + self.energy_burn


def worst_burn(size: int, prices: Prices, *, may_create: bool) -> int:
    """The most a transaction of `size` bytes can burn for bandwidth and activation, whatever the node
    said about free or staked bandwidth and about the recipient's account (which nothing signed pins
    down): all bandwidth burnt, or, for a TRX transfer, the recipient's account created after all."""
    burn = size * prices.bandwidth_sun
    if may_create:
        burn = max(burn, prices.create_account_sun + prices.activation_sun)
    return burn


def cost(size: int, prices: Prices, res: Resources, *, creates_account: bool, energy: int = 0) -> Cost:
    if creates_account:
        need = size * prices.new_account_bandwidth_rate
        if res.staked_net >= need:
            bw_from, bw_burn = "staked", 0
        else:
            bw_from, bw_burn = "burnt", prices.create_account_sun
        activation = prices.activation_sun
    else:
        activation = 0
        if res.staked_net >= size:
            bw_from, bw_burn = "staked", 0
        elif res.free_net >= size:
            bw_from, bw_burn = "free", 0
        else:
            bw_from, bw_burn = "burnt", size * prices.bandwidth_sun
    from_stake = min(res.energy, energy)
    return Cost(size, bw_from, bw_burn, activation, energy, from_stake, (energy - from_stake) * prices.energy_sun)
