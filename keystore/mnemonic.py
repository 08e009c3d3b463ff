"""BIP39 mnemonics: generation with an entropy health check, and validation that names the bad position.

The wordlists come from installed packages (bip-utils ships nine languages, eth-account ships the tenth,
Japanese), and are compared in NFKD form, the form BIP39 hashes. Error messages name a word's 1-based
position and never the word: a mnemonic is a secret even when it is wrong.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Callable
from functools import cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

from keystore.errors import BadSecretInput, EntropyError, MnemonicError
from wallet_i18n import _

# Order matters for detection: the first language whose wordlist holds every word and whose checksum
# matches wins (english before french, which share a hundred words; simplified before traditional Chinese).
LANGUAGES: tuple[str, ...] = (
    "english",
    "chinese_simplified",
    "chinese_traditional",
    "japanese",
    "korean",
    "spanish",
    "french",
    "italian",
    "czech",
    "portuguese",
)
WORD_COUNTS = (12, 15, 18, 21, 24)
IDEOGRAPHIC_SPACE = "\u3000"

_WORDLIST_SOURCES: dict[str, tuple[str, str]] = {
    lang: ("bip_utils.bip.bip39.wordlist", f"{lang}.txt") for lang in LANGUAGES if lang != "japanese"
}
_WORDLIST_SOURCES["japanese"] = ("eth_account.hdaccount.wordlist", "japanese.txt")


def _nfkd(text: str) -> str:
    return unicodedata.normalize("NFKD", text)


def _read_data_file(package: str, name: str) -> str:
    """A data file of an installed package, read without importing the package when it is on disk.

    resources.files() imports the package, and `import bip_utils` (~200 ms) or `import eth_account`
    (~400 ms) would dominate unlocking a vault; find_spec of the top-level package executes nothing.
    """
    top, _dot, rest = package.partition(".")
    spec = find_spec(top)
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            path = Path(folder, *rest.split("."), name) if rest else Path(folder, name)
            if path.is_file():
                return path.read_text(encoding="utf-8")
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")  # zipped installs


@cache
def wordlist(language: str) -> tuple[str, ...]:
    """The 2048 words of `language`, NFKD-normalised, in BIP39 order."""
    if language not in _WORDLIST_SOURCES:
        raise BadSecretInput(_("unknown mnemonic language {language!r}; use one of: {languages}").format(
            language=language, languages=", ".join(LANGUAGES)))
    package, name = _WORDLIST_SOURCES[language]
    text = _read_data_file(package, name)
    words = tuple(_nfkd(w) for w in text.split())
    if len(words) != 2048:
        raise RuntimeError(_("the {language} BIP39 wordlist in {package} has {count} words, not 2048").format(
            language=language, package=package, count=len(words)))
    return words


@cache
def _index(language: str) -> dict[str, int]:
    return {w: i for i, w in enumerate(wordlist(language))}


def _separator(language: str) -> str:
    return IDEOGRAPHIC_SPACE if language == "japanese" else " "


def entropy_to_mnemonic(entropy: bytes, language: str = "english") -> str:
    """BIP39 encoding of 16, 20, 24, 28 or 32 bytes of entropy."""
    if len(entropy) not in (16, 20, 24, 28, 32):
        raise BadSecretInput(_("entropy must be 16, 20, 24, 28 or 32 bytes"))
    words = wordlist(language)
    checksum_bits = len(entropy) * 8 // 32
    checksum = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    value = (int.from_bytes(entropy, "big") << checksum_bits) | checksum
    count = (len(entropy) * 8 + checksum_bits) // 11
    indices = [(value >> (11 * (count - 1 - k))) & 0x7FF for k in range(count)]
    return _separator(language).join(words[i] for i in indices)


def _entropy_if_checksum_ok(indices: list[int]) -> bytes | None:
    total_bits = len(indices) * 11
    checksum_bits = total_bits // 33
    value = 0
    for i in indices:
        value = (value << 11) | i
    entropy = (value >> checksum_bits).to_bytes((total_bits - checksum_bits) // 8, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    return entropy if expected == value & ((1 << checksum_bits) - 1) else None


def _split(text: str) -> list[str]:
    # NFKD maps U+3000 to an ASCII space; split() without arguments also splits on every other
    # Unicode whitespace, so tabs, newlines and doubled spaces from a paste do no harm. Every wordlist
    # is lower case, so "Abandon" from a capitalising keyboard means "abandon" (as MetaMask reads it).
    return _nfkd(text).lower().split()


def validate_mnemonic(text: str, language: str | None = None) -> tuple[str, str]:
    """Check a mnemonic and return (normalised mnemonic, language).

    The normalised form is NFKD words joined by single spaces (U+3000 for Japanese). With no language,
    it is detected: the first language in LANGUAGES whose wordlist holds every word and whose checksum
    matches. Raises MnemonicError naming the problem and the 1-based word position, never the word.
    """
    if language is not None and language not in LANGUAGES:
        raise MnemonicError(_("unknown mnemonic language {language!r}; use one of: {languages}").format(
            language=language, languages=", ".join(LANGUAGES)))
    words = _split(text)
    if len(words) not in WORD_COUNTS:
        raise MnemonicError(_("a mnemonic has 12, 15, 18, 21 or 24 words; got {count}").format(count=len(words)))
    candidates = [language] if language else list(LANGUAGES)
    complete: list[tuple[str, list[int]]] = []
    best_lang, best_missing, first_missing = candidates[0], len(words) + 1, 1
    for lang in candidates:
        index = _index(lang)
        missing = [pos for pos, w in enumerate(words, 1) if w not in index]
        if not missing:
            indices = [index[w] for w in words]
            if _entropy_if_checksum_ok(indices) is not None:
                # The first complete language with a matching checksum wins; returning here, before the
                # later wordlists are loaded, gives the same answer as checking them all first.
                return _separator(lang).join(words), lang
            complete.append((lang, indices))
        elif len(missing) < best_missing:
            best_lang, best_missing = lang, len(missing)
            first_missing = missing[0]
    if not complete:
        raise MnemonicError(_("word {position} is not in the {language} BIP39 wordlist").format(
            position=first_missing, language=best_lang))
    raise MnemonicError(_("the checksum does not match: a word is wrong or the order is changed"))


def mnemonic_to_entropy(text: str, language: str | None = None) -> bytes:
    """The entropy a valid mnemonic encodes (raises MnemonicError like validate_mnemonic)."""
    normalised, lang = validate_mnemonic(text, language)
    index = _index(lang)
    entropy = _entropy_if_checksum_ok([index[w] for w in _split(normalised)])
    if entropy is None:  # unreachable: validate_mnemonic checked the checksum
        raise MnemonicError(_("the checksum does not match: a word is wrong or the order is changed"))
    return entropy


def _draw(source: Callable[[int], bytes], size: int) -> bytes:
    try:
        data = source(size)
    except Exception as exc:  # any failure of the source means no key may be made from it
        raise EntropyError(_("the system random source failed: {kind}").format(kind=type(exc).__name__)) from exc
    if not isinstance(data, bytes | bytearray) or len(data) != size:
        raise EntropyError(_("the system random source returned the wrong number of bytes"))
    if len(set(data)) == 1:
        raise EntropyError(_("the system random source returned the same byte over and over"))
    return bytes(data)


def generate_mnemonic(
    words: int = 12,
    language: str = "english",
    entropy_source: Callable[[int], bytes] | None = None,
) -> str:
    """A new 12- or 24-word mnemonic from fresh entropy.

    The source (default `secrets.token_bytes`, looked up at call time so tests can patch it) is drawn
    twice; wrong length, one repeated byte, or two equal draws abort with EntropyError. The second draw
    is used.
    """
    if words not in (12, 24):
        raise BadSecretInput(_("a new mnemonic has 12 or 24 words"))
    if language not in LANGUAGES:
        raise BadSecretInput(_("unknown mnemonic language {language!r}; use one of: {languages}").format(
            language=language, languages=", ".join(LANGUAGES)))
    source = entropy_source if entropy_source is not None else secrets.token_bytes
    size = 16 if words == 12 else 32
    first = _draw(source, size)
    second = _draw(source, size)
    if secrets.compare_digest(first, second):
        raise EntropyError(_("the system random source returned the same bytes twice in a row"))
    return entropy_to_mnemonic(second, language)
