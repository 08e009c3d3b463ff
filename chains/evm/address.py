"""EVM address parsing: 0x + 40 hex with EIP-55, and clear rejections of other chains' formats.

Pure and light (keccak from keystore.addresses), so the CLI can validate a recipient cheaply.
"""

from __future__ import annotations

import re

from chains.base import precheck, quotable
from chains.errors import InvalidAddress
from wallet_i18n import N_, _, translated

_HEX40 = re.compile(r"^0x[0-9a-fA-F]{40}$")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_RE = re.compile(f"^[{_B58}]+$")
_BECH32_BTC = re.compile(r"^(bc|tb|bcrt)1[02-9ac-hj-np-z]{6,87}$")
ZERO_ADDRESS = "0x" + "0" * 40
LONGEST = 42          # inputs longer than an address are never repeated in a message
# One whole sentence per chain, so a translation never glues "a Bitcoin" to "address".
_FOREIGN = {
    "bitcoin": N_("{shown} looks like a Bitcoin address, not an EVM address for {network}"),
    "tron": N_("{shown} looks like a TRON address, not an EVM address for {network}"),
    "solana": N_("{shown} looks like a Solana address, not an EVM address for {network}"),
    "tron-hex": N_("{shown} looks like a TRON (hex) address, not an EVM address for {network}"),
}


def checksum(address: str) -> str:
    from keystore.addresses import AddressError, to_checksum_address

    try:
        return to_checksum_address(address)
    except AddressError:
        raise InvalidAddress(_("{address!r} is not a 20-byte hex address").format(
            address=quotable(address, LONGEST))) from None


def _foreign_kind(s: str) -> str | None:
    """The chain (a key of _FOREIGN) a non-EVM address looks like, or None."""
    if _BECH32_BTC.match(s.lower()) and (s.islower() or s.isupper()):
        return "bitcoin"
    if _B58_RE.match(s):
        if s[0] == "T" and len(s) == 34:
            return "tron"
        if s[0] in "13mn2" and 25 <= len(s) <= 35:
            return "bitcoin"
        if 32 <= len(s) <= 44:
            return "solana"
    if re.fullmatch(r"41[0-9a-fA-F]{40}", s):
        return "tron-hex"
    return None


def parse_address(text: str, network_name: str | None = None) -> str:
    """Return the EIP-55 checksummed form; raise InvalidAddress with one sentence saying why not."""
    s = precheck(text)
    if _HEX40.match(s):
        body = s[2:]
        cs = checksum(s)
        # All-lower or all-upper carries no checksum; mixed case must match EIP-55 exactly.
        if not (body.islower() or body.isupper() or body.isdigit()) and cs != s:
            raise InvalidAddress(_("{address} has an invalid EIP-55 checksum (mixed case that does not match; "
                                   "check for a typo)").format(address=s))
        if cs == ZERO_ADDRESS:
            raise InvalidAddress(_("the zero address burns whatever is sent to it; refusing it as a recipient"))
        return cs
    shown = quotable(s, LONGEST)
    kind = _foreign_kind(s)
    if kind:
        raise InvalidAddress(translated(_FOREIGN[kind]).format(
            shown=shown, network=network_name or _("this network")))
    if s.lower().endswith(".eth"):
        raise InvalidAddress(_("{shown} is an ENS name; ENS is not resolved here, give the 0x address").format(
            shown=shown))
    if re.fullmatch(r"[0-9a-fA-F]{40}", s):
        raise InvalidAddress(_("{shown} lacks the 0x prefix; EVM addresses are 0x followed by 40 hex "
                               "digits").format(shown=shown))
    if s.startswith("0X") and _HEX40.match("0x" + s[2:]):
        raise InvalidAddress(_("{shown} has an upper-case 0X prefix; write it as 0x").format(shown=shown))
    if s.startswith(("0x", "0X")):
        n = len(s) - 2
        if not re.fullmatch(r"[0-9a-fA-F]*", s[2:]):
            raise InvalidAddress(_("{shown} contains characters that are not hex digits").format(shown=shown))
        raise InvalidAddress(_("{shown} has {count} hex digits; an EVM address has exactly 40").format(
            shown=shown, count=n))
    raise InvalidAddress(_("{shown} is not an EVM address (expected 0x followed by 40 hex digits)").format(
        shown=shown))
