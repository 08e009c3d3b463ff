"""A compiled `.mo` catalogue, indexed without decoding it.

gettext.GNUTranslations decodes every entry (about 1,500) into a dict when it loads, about 6 ms: most of
the 10 ms a Chinese start-up may cost over an English one. This indexes the raw bytes and decodes only the
messages looked up. UTF-8 catalogues only (what `wallet_i18n.build` writes); tests/unit/test_i18n_mo.py
checks every entry against GNUTranslations.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

_LE, _BE = 0x950412DE, 0xDE120495   # the magic number, as read little-endian, of each byte order


class MoCatalogue:
    def __init__(self, data: bytes = b"") -> None:
        self._data = data
        self._index: dict[bytes, tuple[int, int]] = {}
        self._plural: Callable[[int], int] | None = None
        if not data:
            return
        (magic,) = struct.unpack_from("<I", data)
        if magic not in (_LE, _BE):
            raise ValueError("not a .mo file")  # i18n: not shown (build writes the file a test reads)
        order = "<" if magic == _LE else ">"
        _revision, n, originals, translations = struct.unpack_from(order + "4I", data, 4)
        o = struct.unpack_from(f"{order}{2 * n}I", data, originals)   # (length, offset) pairs
        t = struct.unpack_from(f"{order}{2 * n}I", data, translations)
        self._index = {data[o[2 * i + 1]:o[2 * i + 1] + o[2 * i]]: (t[2 * i + 1], t[2 * i]) for i in range(n)}

    @classmethod
    def load(cls, path: Path) -> MoCatalogue:
        """The catalogue at `path`; an empty one (every message in English) when there is none."""
        try:
            return cls(path.read_bytes())
        except FileNotFoundError:
            return cls()

    def _text(self, key: bytes) -> str | None:
        at = self._index.get(key)
        return None if at is None else self._data[at[0]:at[0] + at[1]].decode("utf-8")

    def gettext(self, message: str) -> str:
        return self._text(message.encode("utf-8")) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self._text(singular.encode("utf-8") + b"\0" + plural.encode("utf-8"))
        if forms is None:
            return singular if n == 1 else plural
        choices = forms.split("\0")
        return choices[min(self._which(n), len(choices) - 1)]

    def _which(self, n: int) -> int:
        if self._plural is None:
            import gettext

            header = self._text(b"") or ""
            rule = next((line.split("plural=", 1)[1].rstrip(";") for line in header.splitlines()
                         if line.lower().startswith("plural-forms:") and "plural=" in line), "0")
            self._plural = gettext.c2py(rule)
        return self._plural(n)
