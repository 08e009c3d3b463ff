"""Bitcoin address validation with one clear sentence per failure (network, checksum, other chains)."""

from __future__ import annotations

import re

from chains.base import Network, precheck
from chains.errors import InvalidAddress
from wallet_i18n import N_, _, translated

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_HRP = {"bitcoin": "bc", "testnet": "tb", "testnet4": "tb", "signet": "tb", "regtest": "bcrt"}
_KIND = {"bc": N_("mainnet"), "tb": N_("testnet/signet"), "bcrt": N_("regtest")}


def _describe(btc_network: str) -> str:
    if btc_network == "bitcoin":
        return _("Bitcoin mainnet")
    return _("a test network ({network})").format(network=btc_network)


def _foreign(text: str) -> str | None:
    """Name another chain's address format, if `text` has one."""
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", text):
        return _("this is an EVM address, not a Bitcoin address")
    if all(c in _B58 for c in text):
        import base58

        if text.startswith("T") and len(text) == 34:
            try:
                if base58.b58decode_check(text)[:1] == b"\x41":
                    return _("this is a TRON address, not a Bitcoin address")
            except ValueError:
                pass
        if 32 <= len(text) <= 44:
            try:
                if len(base58.b58decode(text)) == 32:
                    return _("this looks like a Solana address, not a Bitcoin address")
            except ValueError:
                pass
    return None


def parse_address(text: str, network: Network) -> str:
    """Validate `text` for this Bitcoin network and return it normalised (bech32 lower-cased)."""
    import bdkpython as bdk

    from chains.bitcoin.descriptors import bdk_network

    s = precheck(text)
    net = network.btc_network or "bitcoin"
    low = s.lower()
    hrp = next((h for h in ("bcrt", "bc", "tb") if low.startswith(h + "1")), None)
    # An upper-case bech32 address (the QR form) is also valid base58 and may decode to 32 bytes: it is
    # never taken for a Solana address.
    foreign = None if hrp is not None and s == s.upper() else _foreign(s)
    if foreign:
        raise InvalidAddress(foreign)
    if hrp is not None:
        if s != low and s != s.upper():
            raise InvalidAddress(_("a bech32 address must not mix upper and lower case"))
        from bip_utils import Bech32ChecksumError, SegwitBech32Decoder

        try:
            SegwitBech32Decoder.Decode(hrp, low)
        except Bech32ChecksumError:
            raise InvalidAddress(_("the address checksum is wrong (a typo?)")) from None
        except Exception:  # noqa: BLE001 - bip_utils' ValueError subclasses, whose English detail is not shown
            raise InvalidAddress(_("this is not a valid bech32 Bitcoin address")) from None
        if hrp != _HRP.get(net):
            raise InvalidAddress(_("this is a {kind} address but {network} is {expected}").format(
                kind=translated(_KIND[hrp]), network=network.name, expected=_describe(net)))
        s = low
    elif all(c in _B58 for c in s):
        import base58

        try:
            raw = base58.b58decode_check(s)
        except ValueError:
            raise InvalidAddress(_("the address checksum is wrong (a typo?)")) from None
        if len(raw) != 21 or raw[0] not in (0x00, 0x05, 0x6F, 0xC4):
            raise InvalidAddress(_("this is not a Bitcoin address (unknown base58 version)"))
        is_main = raw[0] in (0x00, 0x05)
        if is_main != (net == "bitcoin"):
            kind = _("mainnet") if is_main else _("testnet")
            raise InvalidAddress(_("this is a {kind} address but {network} is {expected}").format(
                kind=kind, network=network.name, expected=_describe(net)))
    else:
        raise InvalidAddress(_("this is not a Bitcoin address (unexpected characters)"))
    try:
        addr = bdk.Address(s, bdk_network(network))
    except Exception:  # noqa: BLE001 - BDK's message may quote the input, which may be a pasted secret
        raise InvalidAddress(_("this is not a valid Bitcoin address for {network}").format(
            network=network.name)) from None
    return str(addr)
