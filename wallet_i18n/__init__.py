"""Translations: `_()` for a message, `N_()` to mark one that is translated later, `ngettext()` for counts.

The language is chosen once per process, on the first message: $WALLET_LANG, then `lang` in the home's
config.toml (`wallet config set lang zh_CN`), then LC_ALL, LC_MESSAGES and LANG. English needs no catalogue,
so an English run never opens one; any other run reads its compiled `.mo` on its first message. A message
missing from the catalogue is shown in English.

Message ids are English sentences with named placeholders: `_("sent {amount} {symbol}").format(...)`, so a
translation may reorder them. What scripts read is never translated: `--json` keys, states and error codes,
exit codes and CSV headers.

The sources are one `.po` per area in po/<lang>/; `python -m wallet_i18n.build` compiles them (with babel)
into locale/<lang>/LC_MESSAGES/wallet.mo, and a test checks the committed `.mo` is their compilation.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DOMAIN = "wallet"
LANGUAGES = ("en", "zh_CN")  # what `config set lang` accepts; en is the messages themselves
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_catalogue: Any = None      # a wallet_i18n.mo.MoCatalogue, or None for English
_resolved: str | None = None
_home: Path | None = None
_forced: str | None = None  # use(): one request's language in a long-running agent


def normalize(name: str | None) -> str | None:
    """A locale name as one of LANGUAGES: "zh_CN.UTF-8", "zh-cn", "zh", "zh_SG", "zh_Hans" -> "zh_CN";
    "C", "POSIX", "en_US.UTF-8" -> "en"; an empty or unknown name -> None (look further)."""
    if not name:
        return None
    base = name.split(".")[0].split("@")[0].replace("-", "_").strip()
    low = base.lower()
    if low in ("c", "posix") or low == "en" or low.startswith("en_"):
        return "en"
    # Simplified Chinese only: zh_TW, zh_HK and zh_Hant read traditional characters, and get English.
    if low in ("zh", "zh_cn", "zh_sg", "zh_hans", "zh_hans_cn"):
        return "zh_CN"
    return None


def set_home(home: Path | None) -> None:
    """The wallet home whose config.toml may name the language; a change re-decides on the next message."""
    global _home, _resolved, _catalogue
    if home != _home:
        _home, _resolved, _catalogue = home, None, None


def reset() -> None:
    """Decide the language again on the next message (one CLI run in a process that ran others)."""
    global _resolved, _catalogue
    _resolved, _catalogue = None, None


def use(lang: str | None) -> None:
    """Speak `lang` (one of LANGUAGES) from the next message on, whatever the environment says; None
    goes back to the usual choice. The signing agent words each reply in its client's language."""
    global _forced, _resolved, _catalogue
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")  # i18n: not shown
    if lang != _forced:
        _forced, _resolved, _catalogue = lang, None, None


@contextmanager
def in_english() -> Iterator[None]:
    """Messages made inside are English, whatever the reader's language: text built in pieces (f-strings
    lose a Translated's English) that a script reads, such as a --json review."""
    global _forced, _resolved, _catalogue
    saved = (_forced, _resolved, _catalogue)
    _forced, _resolved, _catalogue = "en", None, None
    try:
        yield
    finally:
        _forced, _resolved, _catalogue = saved


def language() -> str:
    """The language of this process's messages (one of LANGUAGES)."""
    global _resolved
    if _resolved is None:
        _resolved = _choose()
    return _resolved


def _choose() -> str:
    if _forced:
        return _forced
    chosen = normalize(os.environ.get("WALLET_LANG"))
    if chosen:
        return chosen
    chosen = normalize(_configured())
    if chosen:
        return chosen
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:   # the first one set decides, as in POSIX
            return normalize(value) or "en"
    return "en"


def _configured() -> str | None:
    """`lang` in config.toml, read leniently: a broken config is reported by the command that uses it."""
    home = _home
    if home is None:
        env = os.environ.get("WALLET_HOME")
        if not env:
            return None  # the default home's config is read once the root option has set the home
        home = Path(env).expanduser()
    path = home / "config.toml"
    if not os.path.lexists(path):
        return None
    from keystore.errors import UnsafeVaultFile
    from keystore.files import read_private_file

    try:
        # read as wallet_cli.config reads it (regular, no symlink, 0600, capped): a file it refuses chooses nothing
        raw = read_private_file(path, cap=1 << 20)
        import tomllib

        value = tomllib.loads(raw.decode("utf-8")).get("lang")
    except (OSError, ValueError, RecursionError, UnsafeVaultFile):   # deep nesting overflows tomllib
        return None
    return value if isinstance(value, str) else None


def _translations() -> Any:
    global _catalogue
    lang = language()
    if lang == "en":
        return None
    if _catalogue is None:
        from wallet_i18n.mo import MoCatalogue

        _catalogue = MoCatalogue.load(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo")
    return _catalogue


class Translated(str):
    """A message in the reader's language that remembers its English: the journal, `--json` stdout and the
    review object keep `english()` of it, so a script reads the same bytes whatever the language. format()
    keeps both, with the English of each field that is itself a Translated."""

    english: str

    def format(self, *args: Any, **kwargs: Any) -> Translated:
        en = self.english.format(*map(english, args), **{k: english(v) for k, v in kwargs.items()})
        try:
            text = str.format(self, *args, **kwargs)
        except (KeyError, IndexError, ValueError, AttributeError):   # a damaged catalogue: say it in English
            text = en
        return _pair(text, en)


_made_any = False   # a Translated exists in this process: until then english_tree() has nothing to undo


def _pair(text: str, en: str) -> Translated:
    global _made_any
    _made_any = True
    out = Translated(text)
    out.english = en
    return out


def english(value: Any) -> Any:
    """The English of a Translated, or of an exception's message (anything else as it is)."""
    if isinstance(value, BaseException):
        return english_of(value)
    return value.english if isinstance(value, Translated) else value


_LEAVES = frozenset({str, int, float, bool, type(None)})


def english_tree(value: Any) -> Any:
    """`value` (dicts, lists and tuples of it) with every Translated in it put back into English. It runs
    on every --json output, so an English process (no Translated made) skips the walk."""
    return _english_tree(value) if _made_any else value


def _english_tree(value: Any) -> Any:
    if type(value) in _LEAVES:        # most of a large output: its cells
        return value
    if isinstance(value, Translated):
        return value.english
    if isinstance(value, dict):
        return {_english_tree(k): _english_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_english_tree(v) for v in value]
    return value


def message_of(e: BaseException) -> str:
    """An exception's message as raised: a Translated when it was made with _(), so its English survives
    (str(e) would keep only the translation)."""
    return e.args[0] if len(e.args) == 1 and isinstance(e.args[0], Translated) else str(e)


def english_of(e: BaseException) -> str:
    """An exception's message in English: what the journal stores."""
    return english(message_of(e))


def _(message: str) -> str:
    """`message` in the chosen language (itself in English, or when the catalogue lacks it). A translation
    is a Translated, which remembers the English."""
    t = _translations()
    if t is None or not message:
        return message
    got = t.gettext(message)
    return message if got == message else _pair(got, message)


def translated(msgid: str) -> str:
    """`_()` of a message id held in a variable, marked where it was written (with N_() or as a help text)."""
    return _(msgid)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for a deferred mark
    """Marks `message` for extraction, unchanged: for module constants translated with `_()` when shown."""
    return message


class Phrase(str):
    """A review value with words in it: its text (what --json and an unsigned file keep) is the English
    sentence, and str() - what the review screen prints - is its translation with the same fields."""

    msgid: str
    fields: dict[str, Any]

    def __new__(cls, msgid: str, **fields: Any) -> Phrase:
        obj = super().__new__(cls, msgid.format(**fields))
        obj.msgid, obj.fields = msgid, fields
        return obj

    def __str__(self) -> str:
        return translated(self.msgid).format(**self.fields)

    def __reduce__(self) -> tuple[Any, ...]:
        return _phrase, (self.msgid, self.fields)


def _phrase(msgid: str, fields: dict[str, Any]) -> Phrase:
    return Phrase(msgid, **fields)


def ngettext(singular: str, plural: str, n: int) -> str:
    t = _translations()
    en = singular if n == 1 else plural
    if t is None:
        return en
    got = t.ngettext(singular, plural, n)
    return en if got == en else _pair(got, en)


def adopt_click() -> None:
    """click and typer translate their own texts ("Usage:", "Missing option") with the stdlib's global
    gettext, bound at their import as `_`; point those names at this catalogue instead."""
    import gettext
    import sys

    for name, module in list(sys.modules.items()):
        if module is None or not (name == "click" or name.startswith(("click.", "typer"))):
            continue
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = ngettext
