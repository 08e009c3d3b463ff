"""click lays help out by characters; Chinese needs terminal cells and breaks between characters.

A CJK character takes two cells, so Chinese help measured by len() runs to twice the terminal width, and a
run of CJK text with no space is one unbreakable "word". For a language other than English, install()
points click's measure at cells and lets textwrap break between two wide characters (keeping closing
punctuation with the character before it and opening punctuation with the one after). English help is
not touched. It patches click's own TextWrapper (click._textwrap) and formatter (click.formatting).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_CLOSING = set("，。、；：！？）」』】》”’")   # never starts a line
_OPENING = set("（「『【《“‘")                 # never ends a line
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_SPACES = re.compile(r"(\s+)")
_installed = False


@cache
def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def cell_len(text: str) -> int:
    """The cells `text` takes on a terminal (ANSI sequences take none)."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if text.isascii():              # most of what click measures: option names, metavars
        return len(text)
    return len(text) + sum(map(_wide, text))


def _split(self: object, text: str) -> list[str]:
    """textwrap's chunks (words and spaces), with CJK runs split so that a line may break inside them
    (but not inside click's "[必填]" and "[默认值：…]" notes)."""
    chunks: list[str] = []
    for piece in _SPACES.split(text):
        if not piece:
            continue
        if piece.isspace() or not any(_wide(c) for c in piece) or (piece[0] == "[" and piece[-1] == "]"):
            chunks.append(piece)
            continue
        cur = ""
        for ch in piece:
            if cur and (_wide(ch) or _wide(cur[-1])) and ch not in _CLOSING and cur[-1] not in _OPENING:
                chunks.append(cur)
                cur = ""
            cur += ch
        if cur:
            chunks.append(cur)
    return chunks


def install() -> None:
    global _installed
    if _installed:
        return
    import click._textwrap
    import click.formatting

    click._textwrap.term_len = cell_len        # TextWrapper._wrap_chunks measures with it
    click.formatting.term_len = cell_len       # measure_table, write_dl, write_usage
    click._textwrap.TextWrapper._split = _split
    _installed = True
