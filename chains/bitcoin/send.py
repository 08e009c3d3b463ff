"""Building a spend: fee rate choice, dust and fee guards (as Bitcoin Core applies them), PSBT creation."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING, Any

from chains.base import Amount, Network, Transfer, UnsignedTx
from chains.errors import FeeTooHigh, InsufficientFunds, InvalidAmount, Refused, reason_of
from wallet_i18n import N_, Phrase, _

if TYPE_CHECKING:
    import bdkpython as bdk

    from chains.bitcoin.wallet import OpenWallet

RBF_SEQUENCE = 0xFFFFFFFD
MAX_FEE_RATE_SAT_VB = Decimal(10_000)    # Core's maxfeerate default: 0.1 BTC/kvB
MIN_FEE_RATE_SAT_VB = Decimal(1)
DEFAULT_TARGET = 6
FALLBACK_FEE_RATE = Decimal(1)           # regtest nodes often have no estimates at all
# Core's dust thresholds at the default dustrelayfee of 3 sat/vB.
DUST = {"P2WPKH": 294, "P2WSH": 330, "P2TR": 330, "P2PKH": 546, "P2SH": 540}


def script_kind(spk: bytes) -> str:
    if len(spk) == 22 and spk[:2] == b"\x00\x14":
        return "P2WPKH"
    if len(spk) == 34 and spk[:2] == b"\x00\x20":
        return "P2WSH"
    if len(spk) == 34 and spk[:2] == b"\x51\x20":
        return "P2TR"
    if len(spk) == 25 and spk[:3] == b"\x76\xa9\x14":
        return "P2PKH"
    if len(spk) == 23 and spk[:2] == b"\xa9\x14":
        return "P2SH"
    return "other"


def btc(network: Network, sats: int) -> Amount:
    return Amount(sats, 8, network.symbol)


def fee_cap_sats(network: Network) -> int | None:
    if not network.fee_cap:
        return None
    return int(Decimal(network.fee_cap) * 10**8)


def pick_estimate(estimates: dict[int, float], target: int) -> Decimal | None:
    """The estimate for the largest target not above ours (else the nearest one above), like Esplora clients."""
    if not estimates:
        return None
    below = [k for k in estimates if k <= target]
    key = max(below) if below else min(estimates)
    return Decimal(str(estimates[key]))


def rate_text(rate: Decimal | float | str) -> str:
    """The one way a fee rate is shown: '5 sat/vB', '2.35 sat/vB'."""
    d = Decimal(str(rate)).quantize(Decimal("0.01"))
    s = format(d, "f").rstrip("0").rstrip(".")
    return f"{s} sat/vB"


def fee_rate_obj(rate: Decimal) -> bdk.FeeRate:
    """BDK takes sat/kwu as an integer: 1 sat/vB = 250 sat/kwu; round up so we never underpay."""
    import bdkpython as bdk

    return bdk.FeeRate.from_sat_per_kwu(int((rate * 250).to_integral_value(ROUND_CEILING)))


def check_fee(network: Network, fee: int, vsize: int, allow_high: bool) -> list[str]:
    """FeeTooHigh above the network's cap or Core's 0.1 BTC/kvB, unless allowed (then a warning)."""
    warnings = []
    cap = fee_cap_sats(network)
    rate = Decimal(fee) / Decimal(max(vsize, 1))
    if cap is not None and fee > cap:
        msg = _("the fee {fee} is above this network's fee cap of {cap} {symbol}").format(
            fee=btc(network, fee), cap=network.fee_cap, symbol=network.symbol)
        if not allow_high:
            raise FeeTooHigh(_("{reason}; pass --allow-high-fee if you mean it").format(reason=msg))
        warnings.append(msg)
    if rate > MAX_FEE_RATE_SAT_VB:
        msg = _("the fee rate {rate} is above {max_rate} (0.1 BTC/kvB)").format(
            rate=rate_text(rate), max_rate=rate_text(MAX_FEE_RATE_SAT_VB))
        if not allow_high:
            raise FeeTooHigh(_("{reason}; pass --allow-high-fee if you mean it").format(reason=msg))
        warnings.append(msg)
    return warnings


def choose_rate(transfer: Transfer, estimates: dict[int, float] | None) -> Decimal:
    fees = transfer.fees
    if fees.fee_rate is not None:
        rate = Decimal(fees.fee_rate)
        if rate < MIN_FEE_RATE_SAT_VB:
            raise InvalidAmount(_("the fee rate must be at least {min_rate} sat/vB (the relay minimum)").format(
                min_rate=MIN_FEE_RATE_SAT_VB))
    else:
        rate = pick_estimate(estimates or {}, fees.target_blocks or DEFAULT_TARGET) or FALLBACK_FEE_RATE
        rate = max(rate, MIN_FEE_RATE_SAT_VB)
    if rate > MAX_FEE_RATE_SAT_VB and not fees.allow_high_fee:
        raise FeeTooHigh(_("{reason}; pass --allow-high-fee if you mean it").format(
            reason=_("the fee rate {rate} is above {max_rate} (0.1 BTC/kvB)").format(
                rate=rate_text(rate), max_rate=rate_text(MAX_FEE_RATE_SAT_VB))))
    return rate


def build(ow: OpenWallet, transfer: Transfer, recipient_spk: bytes, rate: Decimal) -> UnsignedTx:
    import bdkpython as bdk

    network = transfer.network
    kind = script_kind(recipient_spk)
    if transfer.amount is not None and transfer.amount.value < DUST.get(kind, 0):
        raise InvalidAmount(_("{amount} is below the dust limit of {dust} sat for a {kind} output; nodes would "
                              "not relay it").format(amount=transfer.amount, dust=DUST[kind], kind=kind))
    script = bdk.Script(recipient_spk)

    def make(fee_abs: int | None) -> bdk.Psbt:
        b = bdk.TxBuilder().set_exact_sequence(RBF_SEQUENCE)
        b = b.fee_absolute(bdk.Amount.from_sat(fee_abs)) if fee_abs else b.fee_rate(fee_rate_obj(rate))
        if transfer.amount is None:
            b = b.drain_wallet().drain_to(script)
        else:
            b = b.add_recipient(script, bdk.Amount.from_sat(transfer.amount.value))
        return b.finish(ow.wallet)

    try:
        psbt = make(None)
        # BDK sizes signatures a little optimistically; never pay below the rate asked for.
        floor = int((rate * estimate_vsize(psbt)).to_integral_value(ROUND_CEILING))
        if psbt.fee() < floor:
            release_change(ow.wallet, psbt)
            psbt = make(floor)
    except bdk.CreateTxError.InsufficientFunds as e:
        raise InsufficientFunds(_("not enough funds: need {needed} including fees, have {available} spendable").format(
            needed=btc(network, int(e.needed)), available=btc(network, int(e.available)))) from None
    except bdk.CreateTxError.OutputBelowDustLimit:
        raise InvalidAmount(_('after fees the amount is below the dust limit; nodes would not relay it')) from None
    except bdk.CreateTxError.NoUtxosSelected:
        raise InsufficientFunds(_('not enough funds: the account has no spendable coins on {name}').format(
            name=network.name)) from None
    except bdk.CreateTxError.CoinSelection as e:
        # e.g. "Insufficient funds: 0.10000000 BTC available of 0.20000110 BTC needed"
        m = re.search(r"([\d.]+) BTC available of ([\d.]+) BTC needed", str(e.error_message))
        if m:
            raise InsufficientFunds(_('not enough funds: need {needed} {symbol} including fees, have '
                '{available} {symbol} spendable')
                                    .format(needed=m.group(2), symbol=network.symbol, available=m.group(1))) from None
        raise Refused(_("could not select coins: {reason}").format(reason=e.error_message)) from None
    except bdk.CreateTxError as e:
        raise Refused(_("could not build the transaction ({reason})").format(reason=reason_of(e))) from None
    return describe(ow, transfer, psbt, recipient_spk, rate)


def describe(ow: OpenWallet, transfer: Transfer, psbt: bdk.Psbt, recipient_spk: bytes,
             rate: Decimal) -> UnsignedTx:
    """Summarise a built PSBT: amount actually sent, fee, change, and the guards on the final fee."""
    network = transfer.network
    tx = psbt.extract_tx()
    outputs = [(o.value.to_sat(), o.script_pubkey.to_bytes()) for o in tx.output()]
    sent = sum(v for v, s in outputs if s == recipient_spk)
    change = sum(v for v, s in outputs if s != recipient_spk and ow.wallet.is_mine(bdk_script(s)))
    if transfer.amount is None and sent < DUST.get(script_kind(recipient_spk), 0):
        raise InsufficientFunds(_('after fees nothing above the dust limit is left to send'))
    fee = psbt.fee()
    vsize = estimate_vsize(psbt)
    warnings = check_fee(network, fee, vsize, transfer.fees.allow_high_fee)
    if fee * 20 > sent > 0:
        warnings.append(f"the fee is more than 5% of the amount sent ({btc(network, fee)})")
    payload: dict[str, Any] = {
        "psbt": psbt.serialize(), "fee_rate": str(rate), "fee_sat": fee, "vsize": vsize,
        "inputs": len(tx.input()), "change_sat": change, "descriptor": ow.descriptor,
        "change_descriptor": ow.change_descriptor, "btc_network": network.btc_network,
    }
    from chains.bitcoin.descriptors import first_address

    # The keys are the labels' msgids and a value with words in it is a Phrase: the --json review keeps
    # both in English, the screen shows them translated.
    amount = str(btc(network, sent))
    summary = {
        N_("Network"): network.name, N_("From"): f"{transfer.sender.ref} ({first_address(ow.descriptor, network)})",
        N_("To"): transfer.recipient,
        N_("Amount"): amount if transfer.amount is not None
        else Phrase(N_("{amount} (everything, after fees)"), amount=amount),
        N_("Fee (max)"): f"{btc(network, fee)} ({rate_text(rate)}, ~{vsize} vB)",
        N_("Total"): str(btc(network, sent + fee)), N_("Inputs"): str(len(tx.input())),
        N_("Change"): str(btc(network, change)), N_("Replaceable"): Phrase(N_("yes (BIP125)")),
    }
    return UnsignedTx("btc", network.name, transfer.sender.ref, transfer.recipient, btc(network, sent),
                      btc(network, fee), payload, summary, warnings)


def release_change(wallet: bdk.Wallet, psbt: bdk.Psbt) -> None:
    """Un-reserve the change address of a draft we throw away, so the rebuild reuses it (no index gap)."""
    import bdkpython as bdk

    for o in psbt.extract_tx().output():
        d = wallet.derivation_of_spk(o.script_pubkey)
        if d is not None and d.keychain == bdk.KeychainKind.INTERNAL:
            wallet.unmark_used(bdk.KeychainKind.INTERNAL, d.index)


def bdk_script(spk: bytes) -> bdk.Script:
    import bdkpython as bdk

    return bdk.Script(spk)


def estimate_vsize(psbt: bdk.Psbt) -> int:
    """vsize once signed: the unsigned weight plus the segwit marker and a worst-case witness per input
    (P2WPKH: count, 72-byte signature and 33-byte key = 108 WU; P2TR key path: 66 WU)."""
    import json

    # Unchecked: only the weight is wanted here, and the fee guards judge the rate themselves.
    weight = psbt.extract_tx_unchecked_fee_rate().weight() + 2
    try:
        inputs = json.loads(psbt.json_serialize()).get("inputs", [])
    except ValueError:
        inputs = []
    for i in inputs:
        if i.get("final_script_witness") or i.get("final_script_sig"):
            continue                      # already finalized: its witness is in the weight above
        weight += 66 if i.get("tap_internal_key") else 108
    return (weight + 3) // 4
