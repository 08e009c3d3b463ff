"""What the review screen shows of a TRON transaction, and the check that the bytes signed are what it showed."""

from __future__ import annotations

from chains.base import Amount, UnsignedTx
from chains.errors import BadInput
from chains.tron import fees, tokens
from chains.tron import tx as ttx
from chains.tron.address import VERSION, from_bytes21
from wallet_i18n import _

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
    out: dict[str, str] = {}
    if c.bandwidth_from == "burnt" and c.activation_burn:
        out["Bandwidth"] = (f"{c.bandwidth} bytes; creating an account takes staked bandwidth only "
                            f"({res.staked_net} left): {trx(c.bandwidth_burn)} burnt")
    elif c.bandwidth_from == "burnt":
        out["Bandwidth"] = (f"{c.bandwidth} bytes, more than the free ({res.free_net}) or staked "
                            f"({res.staked_net}) bandwidth left: {trx(c.bandwidth_burn)} burnt")
    else:
        left = res.staked_net if c.bandwidth_from == "staked" else res.free_net
        out["Bandwidth"] = f"{c.bandwidth} bytes from {c.bandwidth_from} bandwidth ({left} left)"
    if c.energy:
        out["Energy"] = (f"{c.energy} needed, {c.energy_from_stake} from staked energy: "
                         f"{trx(c.energy_burn)} burnt")
    if c.activation_burn:
        out["Activation"] = f"the recipient's account is new: {trx(c.activation_burn)} burnt to create it"
    out["TRX burnt"] = f"{trx(c.total)} (estimated)"
    return out
