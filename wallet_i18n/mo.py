"""A compiled `.mo` catalogue, looked up in place.

gettext.GNUTranslations decodes every entry (about 1,700) into a dict when it loads, about 6 ms: most of
the 10 ms a Chinese start-up may cost over an English one. This reads the file's two tables as they are
and finds a message by binary search over the originals, which a `.mo` keeps sorted (babel sorts them by
message id, and code-point order is UTF-8 byte order), decoding only what is looked up. UTF-8 catalogues
only (what `wallet_i18n.build` writes); tests/unit/test_i18n_mo.py checks every entry against
GNUTranslations.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

_MAGIC = 0x950412DE
_MAX_SIZE = 16 << 20           # ours is about 200 KB


class MoCatalogue:
    def __init__(self, data: bytes = b"") -> None:
        self._data = data
        self._n = 0
        self._originals: Sequence[int] = ()
        self._translations: Sequence[int] = ()
        self._plural: Callable[[int], int] | None = None
        if not data:
            return
        for order in ("little", "big"):
            if int.from_bytes(data[:4], order) == _MAGIC:
                break
        else:
            raise ValueError("not a .mo file")  # i18n: not shown (build writes the file a test reads)
        if len(data) < 20:
            raise ValueError("a truncated .mo file")  # i18n: not shown
        n, originals, translations = (int.from_bytes(data[i:i + 4], order) for i in (8, 12, 16))
        self._n = n
        self._originals = _words(data, originals, 2 * n, order)   # (length, offset) pairs
        self._translations = _words(data, translations, 2 * n, order)

    @classmethod
    def load(cls, path: Path) -> MoCatalogue:
        """The catalogue at `path`; an empty one (every message in English) when there is none or it is
        not a readable catalogue (a broken install must not take the CLI down)."""
        try:
            with open(path, "rb") as f:
                data = f.read(_MAX_SIZE + 1)
            if len(data) > _MAX_SIZE:
                return cls()
            return cls(data)
        except (OSError, ValueError):
            return cls()

    def _find(self, key: bytes) -> int:
        o, data = self._originals, self._data
        lo, hi = 0, self._n
        while lo < hi:
            mid = (lo + hi) // 2
            at = o[2 * mid + 1]
            here = data[at:at + o[2 * mid]]
            if here == key:
                return mid
            if here < key:
                lo = mid + 1
            else:
                hi = mid
        return -1

    def _text(self, key: bytes) -> str | None:
        i = self._find(key)
        if i < 0:
            return None
        length, at = self._translations[2 * i], self._translations[2 * i + 1]
        return self._data[at:at + length].decode("utf-8", "replace")

    def gettext(self, message: str) -> str:
        return self._text(message.encode("utf-8")) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self._text(singular.encode("utf-8") + b"\0" + plural.encode("utf-8"))
        choices = (forms or "").split("\0")
        try:
            got = choices[min(max(self._which(n), 0), len(choices) - 1)]
        except (ValueError, SyntaxError, OverflowError, RecursionError, ZeroDivisionError):  # a broken rule
            got = ""
        return got or (singular if n == 1 else plural)

    def keys(self) -> list[bytes]:
        """Every original, in the file's order (for the tests)."""
        o = self._originals
        return [self._data[o[2 * i + 1]:o[2 * i + 1] + o[2 * i]] for i in range(self._n)]

    def _which(self, n: int) -> int:
        if self._plural is None:
            import gettext

            header = self._text(b"") or ""
            rule = next((line.split("plural=", 1)[1].rstrip(";") for line in header.splitlines()
                         if line.lower().startswith("plural-forms:") and "plural=" in line), "0")
            self._plural = gettext.c2py(rule)
        return self._plural(n)


def _words(data: bytes, start: int, count: int, order: str) -> Sequence[int]:
    """`count` 32-bit words of `data` from `start`: a view in this machine's byte order, else decoded."""
    raw = memoryview(data)[start:start + 4 * count]
    if len(raw) != 4 * count:
        raise ValueError("a truncated .mo file")  # i18n: not shown
    if order == sys.byteorder:
        return raw.cast("I")
    return [int.from_bytes(raw[i:i + 4], order) for i in range(0, 4 * count, 4)]
