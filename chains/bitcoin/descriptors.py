"""Output descriptors for accounts: public ones for watching and building, private ones for signing.

An account arrives with public descriptors (Account.descriptors) or account-level xpubs (Account.xpubs);
watch-only imports may be any of xpub/ypub/zpub/tpub/upub/vpub or a descriptor. SLIP-132 keys (zpub, vpub,
...) are re-encoded as xpub/tpub and the script type they imply is kept in the descriptor instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chains.base import Account, Network, Signer
from chains.bitcoin.reasons import reason
from chains.errors import BadInput, Refused
from wallet_i18n import _

if TYPE_CHECKING:
    import bdkpython as bdk

# SLIP-132 version bytes: prefix -> (version, is_test, is_private, script wrapper)
_VERSIONS: dict[str, tuple[int, bool, bool, str]] = {
    "xpub": (0x0488B21E, False, False, "wpkh"), "ypub": (0x049D7CB2, False, False, "sh-wpkh"),
    "zpub": (0x04B24746, False, False, "wpkh"), "tpub": (0x043587CF, True, False, "wpkh"),
    "upub": (0x044A5262, True, False, "sh-wpkh"), "vpub": (0x045F1CF6, True, False, "wpkh"),
    "xprv": (0x0488ADE4, False, True, "wpkh"), "yprv": (0x049D7878, False, True, "sh-wpkh"),
    "zprv": (0x04B2430C, False, True, "wpkh"), "tprv": (0x04358394, True, True, "wpkh"),
    "uprv": (0x044A4E28, True, True, "sh-wpkh"), "vprv": (0x045F18BC, True, True, "wpkh"),
}
_EXT_KEY_RE = re.compile(r"[xyztuv](?:pub|prv)[1-9A-HJ-NP-Za-km-z]{100,112}")
_PURPOSE_WRAPPER = {44: "pkh", 49: "sh-wpkh", 84: "wpkh", 86: "tr"}


def is_test(network: Network) -> bool:
    return (network.btc_network or "bitcoin") != "bitcoin"


def bdk_network(network: Network) -> bdk.Network:
    import bdkpython as bdk

    names = {"bitcoin": bdk.Network.BITCOIN, "testnet": bdk.Network.TESTNET, "testnet4": bdk.Network.TESTNET4,
             "signet": bdk.Network.SIGNET, "regtest": bdk.Network.REGTEST}
    try:
        return names[network.btc_network or "bitcoin"]
    except KeyError:
        raise BadInput(_("network {name} has unknown btc_network {btc_network!r}").format(
            name=network.name, btc_network=network.btc_network)) from None


def network_kind(network: Network) -> bdk.NetworkKind:
    import bdkpython as bdk

    return bdk.NetworkKind.TEST if is_test(network) else bdk.NetworkKind.MAIN


def reencode(key: str, test: bool) -> str:
    """Re-encode an extended key with plain BIP32 version bytes (xpub/tpub, xprv/tprv) for `test`."""
    import base58

    info = _VERSIONS.get(key[:4])
    if info is None:
        raise BadInput(_('this is not an extended key (expected xpub, zpub, tpub, vpub, ...)'))
    try:
        raw = base58.b58decode_check(key)
    except ValueError:
        raise BadInput(_("the extended key's checksum is wrong (a typo?)")) from None
    if len(raw) != 78 or int.from_bytes(raw[:4], "big") != info[0]:
        raise BadInput(_('the extended key is malformed'))
    target = {(False, False): 0x0488B21E, (True, False): 0x043587CF,
              (False, True): 0x0488ADE4, (True, True): 0x04358394}[(test, info[2])]
    return base58.b58encode_check(target.to_bytes(4, "big") + raw[4:]).decode()


def _wrap(kind: str, key_expr: str) -> str:
    if kind == "sh-wpkh":
        return f"sh(wpkh({key_expr}))"
    return f"{kind}({key_expr})"


def _strip_checksum(desc: str) -> str:
    return desc.strip().split("#", 1)[0]


def split(desc: str) -> tuple[str, str]:
    """(receive, change) from a multipath `<0;1>` descriptor or a receive-only `/0/*` one."""
    d = _strip_checksum(desc)
    if "<0;1>" in d:
        return d.replace("<0;1>", "0"), d.replace("<0;1>", "1")
    if "/0/*" in d:
        return d, d.replace("/0/*", "/1/*")
    raise BadInput(_('the descriptor must end its key with /0/* or /<0;1>/* (receive and change branches)'))


def _purpose(path: str | None) -> int:
    m = re.match(r"m/(\d+)['hH]", path or "")
    return int(m.group(1)) if m else 84


def public_descriptors(account: Account, network: Network) -> tuple[str, str]:
    """The (receive, change) public descriptors of an account on this network's main/test key."""
    which = "test" if is_test(network) else "main"
    if account.descriptors.get(which):
        # keystore.hd gives "main"/"test" receive descriptors and "main_change"/"test_change" beside them.
        change = account.descriptors.get(f"{which}_change")
        if change:
            return validate(_strip_checksum(account.descriptors[which]), _strip_checksum(change), network)
        return validate(*split(account.descriptors[which]), network)
    xpub = account.xpubs.get(which)
    if not xpub:
        raise BadInput((_("account {ref} has no testnet Bitcoin key, so it cannot be used on {name}") if which == "test"
                       else _("account {ref} has no mainnet Bitcoin key, so it cannot be used on {name}")).format(
                           ref=account.ref, name=network.name))
    kind = _PURPOSE_WRAPPER.get(_purpose(account.path), "wpkh")
    key = reencode(xpub, is_test(network))
    return validate(_wrap(kind, f"{key}/0/*"), _wrap(kind, f"{key}/1/*"), network)


def signer_descriptors(signer: Signer, network: Network) -> tuple[str, str] | None:
    """The (receive, change) descriptors the signer's own seed gives on this network, or None when the
    signer carries none (a key from elsewhere, e.g. an agent): then only the key check applies."""
    which = "test" if is_test(network) else "main"
    ext, chg = signer.descriptors.get(which), signer.descriptors.get(f"{which}_change")
    if not ext or not chg:
        return None
    return validate(_strip_checksum(ext), _strip_checksum(chg), network)


def check_descriptors(ext: str, chg: str, signer: Signer, network: Network) -> tuple[str, str]:
    """The descriptors to build and sign with: the signer's own; refuse others (an edited file)."""
    own = signer_descriptors(signer, network)
    if own is None:
        return ext, chg
    if validate(_strip_checksum(ext), _strip_checksum(chg), network) != own:
        raise Refused(_("the transaction's account descriptors are not this account's (derived from the "
            'vault); the journal or the index may have been edited, so nothing is signed'))
    return own


def _describe_mismatch(key_is_test: bool, network: Network) -> str:
    """Why a mainnet key cannot watch a test network, or the other way round: one whole sentence each."""
    if key_is_test:
        return _("this is a testnet key but {name} is Bitcoin mainnet").format(name=network.name)
    return _("this is a mainnet key but {name} is a test network ({kind})").format(
        name=network.name, kind=network.btc_network)


def watch_descriptors(text: str, network: Network) -> tuple[str, str]:
    """Public descriptors from a watch-only import: an extended public key or a descriptor."""
    text = text.strip()
    if "(" in text:
        ext, chg = split(text)
        if any(_VERSIONS[k[:4]][2] for k in _EXT_KEY_RE.findall(ext)):
            raise BadInput(_('a watch-only descriptor must not contain a private key'))
        return validate(ext, chg, network)
    info = _VERSIONS.get(text[:4])
    if info is None or info[2]:
        raise BadInput(_('give an extended public key (xpub, zpub, tpub, vpub, ...) or a descriptor'))
    if info[1] != is_test(network):
        raise BadInput(_describe_mismatch(info[1], network))
    key = reencode(text, info[1])
    return validate(_wrap(info[3], f"{key}/0/*"), _wrap(info[3], f"{key}/1/*"), network)


def validate(ext: str, chg: str, network: Network) -> tuple[str, str]:
    """Parse with BDK for this network; return the canonical strings (with checksums)."""
    import bdkpython as bdk

    try:
        e = bdk.Descriptor(ext, network_kind(network))
        c = bdk.Descriptor(chg, network_kind(network))
    except Exception as exc:  # noqa: BLE001 - BDK's error classes vary; the sentence is what matters
        raise BadInput(_("the descriptor is not valid for {name}: {reason}").format(
            name=network.name, reason=reason(exc))) from None
    return str(e), str(c)


def private_descriptors(ext: str, chg: str, xprv: str, network: Network) -> tuple[str, str]:
    """Swap the account xpub inside the public descriptors for the signer's xprv (origins kept)."""
    import bdkpython as bdk

    m = _EXT_KEY_RE.search(_strip_checksum(ext))
    if m is None:
        raise BadInput(_('the account descriptor has no extended key to sign with'))
    xpub = m.group(0)
    try:
        prv = reencode(xprv, is_test(network))
        derived = str(bdk.DescriptorSecretKey.from_string(prv).as_public())
    except BadInput:
        raise
    except Exception:  # noqa: BLE001 - never echo key material
        raise BadInput(_("the signer's extended private key is malformed")) from None
    if derived != reencode(xpub, is_test(network)):
        raise BadInput(_("the signer's key does not belong to this account"))
    return (_strip_checksum(ext).replace(xpub, prv), _strip_checksum(chg).replace(xpub, prv))


def export(account: Account, network: Network) -> dict[str, str]:
    """What `wallet export-xpub` prints: the account xpub (SLIP-132 form too for BIP84) and descriptors."""
    ext, chg = public_descriptors(account, network)
    m = _EXT_KEY_RE.search(ext)
    xpub = m.group(0) if m else ""
    out = {"network": network.name, "xpub": xpub, "descriptor": ext, "change_descriptor": chg}
    if xpub and ext.startswith("wpkh("):
        import base58

        raw = base58.b58decode_check(xpub)
        version = 0x045F1CF6 if is_test(network) else 0x04B24746
        out["zpub" if not is_test(network) else "vpub"] = base58.b58encode_check(
            version.to_bytes(4, "big") + raw[4:]).decode()
    return out


def first_address(ext: str, network: Network) -> str:
    """Receive address 0 of a public descriptor (what a watch-only account lists)."""
    import bdkpython as bdk

    return str(bdk.Descriptor(ext, network_kind(network)).derive_address(0, bdk_network(network)))
