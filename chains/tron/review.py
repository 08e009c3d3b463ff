"""What the review screen shows of a TRON transaction, and the check that the bytes signed are what it showed."""

from __future__ import annotations

from chains.base import Amount, UnsignedTx
from chains.errors import BadInput
from chains.tron import fees, tokens
from chains.tron import tx as ttx
from chains.tron.address import VERSION, from_bytes21
from wallet_i18n import N_, Phrase, _

SUN = 6                              # TRX has 6 decimals: 1 TRX = 1,000,000 sun


def trx(sun: int) -> Amount:
    return Amount(sun, SUN, "TRX")


def shown(text: str) -> str:
    """Text as the review shows it: control and other non-printable characters escaped, never interpreted."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def check_matches(raw: ttx.Raw, unsigned: UnsignedTx) -> None:
    """What is signed must be what the review showed: owner, recipient and amount decoded from the bytes."""
    ok = raw.owner_address == unsigned.sender and 0 <= raw.fee_limit <= unsigned.fee.value \
        and shown(raw.memo.decode("utf-8", "replace")) == (unsigned.summary.get("Memo") or "")
    if raw.contract_type == ttx.TRANSFER:
        ok = ok and raw.to_address == unsigned.recipient and raw.amount == unsigned.amount.value
    else:
        call = tokens.decode_transfer(raw.call_data)
        ok = ok and call is not None and raw.amount == 0 and raw.to_address == unsigned.payload.get("token") \
            and from_bytes21(bytes([VERSION]) + call[0]) == unsigned.recipient and call[1] == unsigned.amount.value
    if not ok:
        raise BadInput(_("the transaction's bytes do not match its summary; refusing to sign"))


def cost_lines(c: fees.Cost, res: fees.Resources, fee_limit: int) -> dict[str, str]:
    """The review's cost rows: labels are msgids, values Phrases (English in --json, translated on screen)."""
    out: dict[str, str] = {}
    if c.bandwidth_from == "burnt" and c.activation_burn:
        out[N_("Bandwidth")] = Phrase(N_("{bytes} bytes; creating an account takes staked bandwidth only "
                                         "({left} left): {burnt} burnt"),
                                      bytes=c.bandwidth, left=res.staked_net, burnt=trx(c.bandwidth_burn))
    elif c.bandwidth_from == "burnt":
        out[N_("Bandwidth")] = Phrase(N_("{bytes} bytes, more than the free ({free}) or staked ({staked}) "
                                         "bandwidth left: {burnt} burnt"), bytes=c.bandwidth, free=res.free_net,
                                      staked=res.staked_net, burnt=trx(c.bandwidth_burn))
    elif c.bandwidth_from == "staked":
        out[N_("Bandwidth")] = Phrase(N_("{bytes} bytes from staked bandwidth ({left} left)"),
                                      bytes=c.bandwidth, left=res.staked_net)
    else:
        out[N_("Bandwidth")] = Phrase(N_("{bytes} bytes from free bandwidth ({left} left)"),
                                      bytes=c.bandwidth, left=res.free_net)
    if c.energy:
        out[N_("Energy")] = Phrase(N_("{energy} needed, {staked} from staked energy: {burnt} burnt"),
                                   energy=c.energy, staked=c.energy_from_stake, burnt=trx(c.energy_burn))
    if c.activation_burn:
        out[N_("Activation")] = Phrase(N_("the recipient's account is new: {burnt} burnt to create it"),
                                       burnt=trx(c.activation_burn))
    out[N_("TRX burnt")] = Phrase(N_("{amount} (estimated)"), amount=trx(c.total))
    return out
