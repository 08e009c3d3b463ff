"""Recognising secrets pasted where an address belongs, so that no error message repeats them.

Every family's parse_address asks `secret_hint` first. A recognised shape is named ("this looks like a
private key or hash (64 hex digits), not an address") and never quoted; other input is quoted in an
error only when it is no longer than an address of that family (`quotable`).
"""

from __future__ import annotations

import hashlib
import re

_HEX = re.compile(r"[0-9a-fA-F]+")
_B58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_EXT_PRV = ("xprv", "yprv", "zprv", "tprv", "uprv", "vprv", "Yprv", "Zprv", "Uprv", "Vprv")
_KEY_LIST = re.compile(r"\[\s*\d{1,3}(\s*,\s*\d{1,3}){31,}\s*\]")


def _b58decode(s: str) -> bytes | None:
    if not _B58.fullmatch(s) or len(s) > 120:
        return None
    import base58

    try:
        return base58.b58decode(s)
    except ValueError:
        return None


def _is_wif(raw: bytes) -> bool:
    """Base58check with version 0x80 (mainnet) or 0xef (test) and a 32-byte key (+0x01 if compressed)."""
    if len(raw) not in (37, 38) or raw[0] not in (0x80, 0xEF):
        return False
    if len(raw) == 38 and raw[33] != 0x01:
        return False
    return hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


def secret_hint(text: str) -> str | None:
    """A sentence naming what `text` looks like when it is a key, seed or hash rather than an address."""
    s = text.strip()
    words = s.split()
    # Eight or more words: a seed phrase, perhaps with a few words missing (BIP39 has 12 to 24).
    if len(words) >= 8 and all(w.isalpha() for w in words):
        return f"this looks like a seed phrase ({len(words)} words), not an address; never share it with anyone"
    body = s[2:] if s[:2] in ("0x", "0X") else s
    if _HEX.fullmatch(body) and len(body) in (64, 128):
        what = "a private key or hash" if len(body) == 64 else "a private key (a 64-byte keypair)"
        return f"this looks like {what} ({len(body)} hex digits), not an address"
    if s.startswith(_EXT_PRV):
        return "this looks like an extended private key, not an address; never share it with anyone"
    if _KEY_LIST.fullmatch(s):
        return "this looks like a key file's contents (a list of numbers), not an address"
    raw = _b58decode(s)
    if raw is not None and _is_wif(raw):
        return "this looks like a Bitcoin private key (WIF), not an address; never share it with anyone"
    if raw is not None and len(raw) == 64:
        return "this looks like a Solana private key (64 bytes in base58), not an address"
    return None


def quotable(text: str, longest: int) -> str:
    """`text` itself when it is no longer than the longest address of the family, else a neutral phrase."""
    s = text.strip()
    return s if len(s) <= longest else f"this input ({len(s)} characters)"


def precheck(text: str) -> str:
    """The stripped input, or InvalidAddress when it is empty or a pasted secret (never quoted)."""
    from chains.errors import InvalidAddress

    s = text.strip()
    if not s:
        raise InvalidAddress("the address is empty")
    hint = secret_hint(s)
    if hint:
        raise InvalidAddress(hint)
    return s
