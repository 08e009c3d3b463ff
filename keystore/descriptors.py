"""Public output descriptors (BIP380-386) with key origin and checksum, for BDK and Bitcoin Core.

    descriptor(xpub, "73c5da0a", "m/84'/0'/0'", 84, 0)
    -> "wpkh([73c5da0a/84h/0h/0h]xpub.../0/*)#checksum"

purpose 84 -> wpkh(), 86 -> tr(), 49 -> sh(wpkh()), 44 -> pkh(); keychain 0 is receive, 1 is change.
"""

from __future__ import annotations

from keystore.errors import BadSecretInput
from wallet_i18n import _

_INPUT_CHARSET = (
    "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "
)
_CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD)
_WRAPPERS = {84: ("wpkh(", ")"), 86: ("tr(", ")"), 49: ("sh(wpkh(", "))"), 44: ("pkh(", ")")}


def _polymod(symbols: list[int]) -> int:
    chk = 1
    for value in symbols:
        top = chk >> 35
        chk = (chk & 0x7FFFFFFFF) << 5 ^ value
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _GENERATOR[i]
    return chk


def _expand(text: str) -> list[int]:
    symbols: list[int] = []
    groups: list[int] = []
    for ch in text:
        pos = _INPUT_CHARSET.find(ch)
        if pos < 0:
            raise BadSecretInput(_("a descriptor may only hold printable ASCII characters"))
        symbols.append(pos & 31)
        groups.append(pos >> 5)
        if len(groups) == 3:
            symbols.append(groups[0] * 9 + groups[1] * 3 + groups[2])
            groups = []
    if len(groups) == 1:
        symbols.append(groups[0])
    elif len(groups) == 2:
        symbols.append(groups[0] * 3 + groups[1])
    return symbols


def descriptor_checksum(desc: str) -> str:
    """The 8-character BIP380 checksum of a descriptor without '#'."""
    value = _polymod(_expand(desc) + [0] * 8) ^ 1
    return "".join(_CHECKSUM_CHARSET[(value >> (5 * (7 - i))) & 31] for i in range(8))


def add_checksum(desc: str) -> str:
    return f"{desc}#{descriptor_checksum(desc)}"


def origin(fingerprint: str, path: str) -> str:
    """[fingerprint/84h/0h/0h] from a hex fingerprint and an m/... path."""
    steps = [p.replace("'", "h").replace("H", "h") for p in path.strip().split("/")[1:]]
    return "[" + "/".join([fingerprint.lower(), *steps]) + "]"


def descriptor(xpub: str, fingerprint: str, path: str, purpose: int, keychain: int = 0) -> str:
    """Public ranged descriptor of an account: keychain 0 = receive (/0/*), 1 = change (/1/*)."""
    if purpose not in _WRAPPERS:
        raise BadSecretInput(_("a bitcoin purpose is 84 (native segwit), 86 (taproot), 49 or 44"))
    if keychain not in (0, 1):
        raise BadSecretInput(_("keychain is 0 (receive) or 1 (change)"))
    head, tail = _WRAPPERS[purpose]
    return add_checksum(f"{head}{origin(fingerprint, path)}{xpub}/{keychain}/*{tail}")
