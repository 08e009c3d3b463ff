"""BIP125 replacements: speed-up (BDK fee bump) and cancel (spend the same inputs back to ourselves).

Both need a replacement paying a higher absolute fee and a higher feerate than the original, plus the
incremental relay fee (1 sat/vB) for its own size; BDK's fee bump enforces that, and cancel checks it.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from chains.base import Network, SignedTx, Signer
from chains.bitcoin import psbt as psbt_mod
from chains.bitcoin.descriptors import check_descriptors
from chains.bitcoin.send import RBF_SEQUENCE, btc, check_fee, fee_rate_obj
from chains.bitcoin.wallet import OpenWallet
from chains.errors import BadInput, InsufficientFunds, Refused, reason_of
from wallet_i18n import N_, _, translated

if TYPE_CHECKING:
    import bdkpython as bdk

INCREMENTAL_RELAY_SAT_VB = Decimal(1)

# Whose an output of a replacement is: stored in English in its payload (what --json prints), worded in the
# reader's language by whose_text() where it is shown.
NOT_YOURS = N_("not yours")
YOURS = N_("yours ({branch} {index})")
BRANCHES = {"change": N_("change"), "receive": N_("receive")}   # the keychain of an output that is ours
_YOURS = re.compile(r"yours \((change|receive) (\d+)\)")


class Opener(Protocol):
    """Opens (from cache or disk) and syncs the wallet of the given public descriptors."""

    def __call__(self, ext: str, chg: str) -> OpenWallet: ...


def bump_rate(old_fee: int, old_vsize: int, bump_percent: int) -> Decimal:
    old = Decimal(old_fee) / Decimal(old_vsize)
    return max(old * Decimal(100 + max(bump_percent, 1)) / 100, old + INCREMENTAL_RELAY_SAT_VB)


def _open_with_original(signed: SignedTx, signer: Signer, network: Network,
                        opener: Opener) -> tuple[OpenWallet, bdk.Transaction]:
    """The account's wallet, opened from the descriptors the vault's seed gives (never from the journal,
    which is a plaintext file), and the original transaction, which must be the one its txid names."""
    import bdkpython as bdk

    ext, chg = signed.payload.get("descriptor"), signed.payload.get("change_descriptor")
    if not ext or not chg:
        raise BadInput(_("this signed transaction does not say which account made it (no descriptors)"))
    ext, chg = check_descriptors(str(ext), str(chg), signer, network)
    try:
        tx = bdk.Transaction(bytes.fromhex(signed.raw))
    except Exception:  # noqa: BLE001
        raise BadInput(_("the signed transaction's raw bytes do not parse")) from None
    if str(tx.compute_txid()) != signed.txid:
        raise Refused(_("the journalled bytes of {txid} are another transaction; wallet.db may have been "
                        "edited, so no replacement is signed").format(txid=signed.txid))
    ow = opener(ext, chg)
    txid = tx.compute_txid()
    known = ow.wallet.get_tx(txid)
    if known is None:
        # Not seen by the node yet (or never broadcast): teach the wallet about it so it can be replaced.
        ow.wallet.apply_unconfirmed_txs([bdk.UnconfirmedTx(tx=tx, last_seen=int(time.time()))])
    elif known.chain_position.is_confirmed():
        raise Refused(_("transaction {txid} is already confirmed; it can no longer be replaced").format(
            txid=signed.txid))
    if not tx.is_explicitly_rbf():
        raise Refused(_("transaction {txid} does not signal replaceability (BIP125)").format(txid=signed.txid))
    return ow, tx


def speed_up(signed: SignedTx, signer: Signer, bump_percent: int, network: Network, opener: Opener,
             allow_high_fee: bool = False) -> SignedTx:
    import bdkpython as bdk

    ow, tx = _open_with_original(signed, signer, network, opener)
    old_fee = ow.wallet.calculate_fee(tx).to_sat()
    rate = bump_rate(old_fee, tx.vsize(), bump_percent)
    def attempt(fee_rate: bdk.FeeRate) -> bdk.Psbt:
        return bdk.BumpFeeTxBuilder(tx.compute_txid(), fee_rate).set_exact_sequence(RBF_SEQUENCE).finish(ow.wallet)

    try:
        try:
            psbt = attempt(fee_rate_obj(rate))
        except bdk.CreateTxError.FeeRateTooLow as e:
            # BDK measures the original with its own size estimate; take the rate (sat/kwu) it requires.
            psbt = attempt(bdk.FeeRate.from_sat_per_kwu(int(str(e.required).split()[0]) + 1))  # sat/kwu
    except bdk.CreateTxError.InsufficientFunds as e:
        raise InsufficientFunds(_("not enough funds to raise the fee: need {needed}, have {available}").format(
            needed=btc(network, int(e.needed)), available=btc(network, int(e.available)))) from None
    except bdk.CreateTxError as e:
        raise Refused(_("could not build the fee bump ({reason})").format(reason=reason_of(e))) from None
    return _finish(ow, psbt, signer, network, signed, old_fee, allow_high_fee)


def cancel(signed: SignedTx, signer: Signer, bump_percent: int, network: Network, opener: Opener,
           allow_high_fee: bool = False) -> SignedTx:
    """Replace with a transaction sending every input back to one of our own change addresses."""
    import bdkpython as bdk

    ow, tx = _open_with_original(signed, signer, network, opener)
    wallet = ow.wallet
    old_fee = wallet.calculate_fee(tx).to_sat()
    rate = bump_rate(old_fee, tx.vsize(), bump_percent)
    # Ours-only change output of the original if there is one, else a fresh internal address.
    own = [o.script_pubkey for o in tx.output()
           if (d := wallet.derivation_of_spk(o.script_pubkey)) is not None and d.keychain == bdk.KeychainKind.INTERNAL]
    spk = own[0] if own else wallet.reveal_next_address(bdk.KeychainKind.INTERNAL).address.script_pubkey()
    # The original must stop being canonical so its inputs count as unspent for the builder.
    wallet.apply_evicted_txs([bdk.EvictedTx(txid=tx.compute_txid(), evicted_at=int(time.time()))])
    outpoints = [i.previous_output for i in tx.input()]

    def attempt(fee_rate: Decimal | None, fee_abs: int | None) -> bdk.Psbt:
        b = bdk.TxBuilder().add_utxos(outpoints).manually_selected_only().drain_to(spk)
        b = b.set_exact_sequence(RBF_SEQUENCE)
        b = b.fee_absolute(bdk.Amount.from_sat(fee_abs)) if fee_abs is not None else b.fee_rate(
            fee_rate_obj(fee_rate or rate))
        return b.finish(wallet)

    try:
        p = attempt(rate, None)
        vsize = p.extract_tx().vsize() + 27 * len(outpoints)   # witness not there yet; ~27 vB per input
        floor = old_fee + int(INCREMENTAL_RELAY_SAT_VB * vsize) + 1
        if p.fee() < floor:
            p = attempt(None, floor)
    except bdk.CreateTxError as e:
        raise InsufficientFunds(_("the original's inputs cannot cover a higher fee ({reason})").format(
            reason=reason_of(e))) from None
    return _finish(ow, p, signer, network, signed, old_fee, allow_high_fee)


def _finish(ow: OpenWallet, p: bdk.Psbt, signer: Signer, network: Network, original: SignedTx,
            old_fee: int, allow_high_fee: bool = False) -> SignedTx:
    check_fee(network, p.fee(), p.extract_tx().vsize(), allow_high=allow_high_fee)
    payload = {"psbt": p.serialize(), "descriptor": ow.descriptor, "change_descriptor": ow.change_descriptor}
    signed_psbt, base = psbt_mod.sign_unsigned(payload, signer, network)
    base["replaces"] = original.txid
    base["replaced_fee_sat"] = old_fee
    base["outputs"] = outputs_review(ow, p.extract_tx(), network)
    ow.persist()
    out = psbt_mod._to_signed(signed_psbt, network, base, original.sender, original.recipient)
    out.amount = original.amount
    return out


def outputs_review(ow: OpenWallet, tx: bdk.Transaction, network: Network) -> list[dict[str, str]]:
    """Every output of a replacement, for its review: address, amount, and whose it is."""
    import bdkpython as bdk

    out = []
    for o in tx.output():
        d = ow.wallet.derivation_of_spk(o.script_pubkey)
        try:
            addr = str(bdk.Address.from_script(o.script_pubkey, ow.wallet.network()))
        except Exception:  # noqa: BLE001 - no address form (e.g. OP_RETURN)
            addr = "script " + o.script_pubkey.to_bytes().hex()
        branch = "change" if d is not None and d.keychain == bdk.KeychainKind.INTERNAL else "receive"
        whose = NOT_YOURS if d is None else YOURS.format(branch=branch, index=d.index)   # English: stored
        out.append({"address": addr, "amount": str(btc(network, o.value.to_sat())), "whose": whose})
    return out


def whose_text(whose: str) -> str:
    """The stored English `whose` of an output ("not yours", "yours (change 3)") in the reader's language;
    any other text is returned as it is."""
    if whose == NOT_YOURS:
        return translated(NOT_YOURS)
    m = _YOURS.fullmatch(whose)
    if m is None:
        return whose
    return translated(YOURS).format(branch=translated(BRANCHES[m[1]]), index=m[2])
