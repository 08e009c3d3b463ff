"""wallet_i18n.mo reads the committed catalogue exactly as the standard library's gettext does."""

from __future__ import annotations

import gettext
import struct

import pytest

from wallet_i18n import DOMAIN, LOCALE_DIR
from wallet_i18n.mo import MoCatalogue

MO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.mo"


@pytest.fixture(scope="module")
def both() -> tuple[MoCatalogue, gettext.GNUTranslations]:
    with open(MO, "rb") as f:
        return MoCatalogue(MO.read_bytes()), gettext.GNUTranslations(f)


def test_every_entry_reads_the_same(both) -> None:
    ours, std = both
    keys = [k for k in std._catalog if k]    # str for a message, (singular, form) for a plural
    singles = [k for k in keys if isinstance(k, str)]
    assert len(singles) > 1000
    assert [ours.gettext(k) for k in singles] == [std.gettext(k) for k in singles]
    plurals = {k[0] for k in keys if isinstance(k, tuple)}
    assert plurals
    # GNUTranslations keys a plural by its singular alone; find each plural id in the raw index
    for raw in ours.keys():
        if b"\0" in raw:
            s, p = raw.decode().split("\0")
            assert s in plurals
            for n in (0, 1, 2, 7):
                assert ours.ngettext(s, p, n) == std.ngettext(s, p, n)


def test_the_originals_are_sorted_so_every_one_is_found(both) -> None:
    ours, _std = both
    keys = ours.keys()
    assert keys == sorted(keys)
    assert all(ours._find(k) == i for i, k in enumerate(keys))


def test_a_missing_message_is_english(both) -> None:
    ours, std = both
    assert ours.gettext("no such message, surely") == "no such message, surely"
    assert ours.gettext("") == std.gettext("")     # the header, as gettext has it (wallet_i18n._ never asks)
    assert ours.ngettext("one apple", "{n} apples", 1) == std.ngettext("one apple", "{n} apples", 1) == "one apple"
    assert ours.ngettext("one apple", "{n} apples", 3) == "{n} apples"


def test_no_catalogue_and_a_bad_one(tmp_path) -> None:
    assert MoCatalogue.load(tmp_path / "absent.mo").gettext("Amount") == "Amount"
    with pytest.raises(ValueError):
        MoCatalogue(struct.pack("<I", 1234) + bytes(24))
    with pytest.raises(ValueError):      # a header promising more entries than the file holds
        MoCatalogue(struct.pack("<5I", 0x950412DE, 0, 1000, 28, 28 + 8000))


def test_big_endian_reads_too() -> None:
    ours = MoCatalogue(MO.read_bytes())
    data = MO.read_bytes()
    n, originals, translations = struct.unpack_from("<3I", data, 8)
    swapped = bytearray(data)
    struct.pack_into(">5I", swapped, 0, *struct.unpack_from("<5I", data))
    for table in (originals, translations):
        struct.pack_into(f">{2 * n}I", swapped, table, *struct.unpack_from(f"<{2 * n}I", data, table))
    big = MoCatalogue(bytes(swapped))
    assert big.keys() == ours.keys()
    assert big.gettext("Amount") == ours.gettext("Amount") == "金额"


@pytest.mark.parametrize("damage", ["short", "tiny", "huge_count", "bad_utf8", "directory"])
def test_a_broken_catalogue_means_english_not_a_crash(damage: str, tmp_path) -> None:
    data = MO.read_bytes()
    path = tmp_path / "wallet.mo"
    if damage == "short":
        path.write_bytes(data[:100])
    elif damage == "tiny":
        path.write_bytes(data[:3])
    elif damage == "huge_count":
        path.write_bytes(data[:8] + struct.pack("<I", 0x7FFFFFFF) + data[12:])
    elif damage == "bad_utf8":
        ours = MoCatalogue(data)
        i = ours._find(b"Amount")
        length, at = ours._translations[2 * i], ours._translations[2 * i + 1]
        path.write_bytes(data[:at] + b"\xff" * length + data[at + length:])
    else:
        path.mkdir()
    cat = MoCatalogue.load(path)
    # English, or (a damaged translation) its bytes shown inert
    assert cat.gettext("Amount") == ("\ufffd" * len("金额".encode()) if damage == "bad_utf8" else "Amount")


def _mo(entries: dict[bytes, bytes]) -> bytes:
    """A little-endian .mo of `entries`, originals sorted (as babel writes it)."""
    keys = sorted(entries)
    head, n = 28, len(keys)
    blob, o, t = b"", [], []
    base = head + 16 * n
    for k in keys:
        o.append((len(k), base + len(blob)))
        blob += k + b"\0"
    for k in keys:
        t.append((len(entries[k]), base + len(blob)))
        blob += entries[k] + b"\0"
    tables = b"".join(struct.pack("<2I", *x) for x in o) + b"".join(struct.pack("<2I", *x) for x in t)
    return struct.pack("<7I", 0x950412DE, 0, n, head, head + 8 * n, 0, 0) + tables + blob


@pytest.mark.parametrize("rule", ["n>>", "(" * 300 + "n" + ")" * 300, "n**n", "n-5", "n/0"])
def test_a_broken_plural_rule_gives_english(rule: str) -> None:
    header = f"Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural={rule};\n".encode()
    cat = MoCatalogue(_mo({b"": header, b"one file\0{n} files": "一个文件\0{n} 个文件".encode()}))
    assert cat.ngettext("one file", "{n} files", 1) in ("one file", "一个文件", "{n} 个文件")
    assert cat.ngettext("one file", "{n} files", 3) in ("{n} files", "一个文件", "{n} 个文件")


def test_an_empty_translation_is_english() -> None:
    cat = MoCatalogue(_mo({b"": b"Content-Type: text/plain; charset=UTF-8\n", b"Amount": b"",
                           b"one\0many": b"\0"}))
    assert cat.gettext("Amount") == "Amount"
    assert cat.ngettext("one", "many", 1) == "one" and cat.ngettext("one", "many", 2) == "many"
