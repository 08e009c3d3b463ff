"""BIP39 against the official vectors (Trezor English, bip32JP Japanese) and the error/entropy rules."""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from pathlib import Path

import pytest

from keystore import mnemonic as M
from keystore.errors import BadSecretInput, EntropyError, MnemonicError
from keystore.hd import derive_account_xprv, seed_from_mnemonic

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
ENGLISH = json.loads((VECTORS / "bip39_trezor_english.json").read_text(encoding="utf-8"))["english"]
JAPANESE = json.loads((VECTORS / "bip39_japanese.json").read_text(encoding="utf-8"))
ABOUT = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"


def nfkd(phrase: str) -> str:
    """Each word NFKD-normalised, the U+3000 separators kept (NFKD itself would turn them into spaces)."""
    return "\u3000".join(unicodedata.normalize("NFKD", w) for w in phrase.split("\u3000"))


@pytest.mark.parametrize(("entropy", "words", "seed", "xprv"), ENGLISH, ids=[v[0][:8] for v in ENGLISH])
def test_trezor_english_vectors(entropy: str, words: str, seed: str, xprv: str) -> None:
    assert M.entropy_to_mnemonic(bytes.fromhex(entropy)) == words
    assert M.validate_mnemonic(words) == (words, "english")
    assert M.mnemonic_to_entropy(words).hex() == entropy
    derived = seed_from_mnemonic(words, "TREZOR")
    assert derived.hex() == seed
    assert derive_account_xprv(derived, "m") == xprv


@pytest.mark.parametrize("vector", JAPANESE, ids=[v["entropy"][:8] for v in JAPANESE])
def test_japanese_vectors(vector: dict[str, str]) -> None:
    phrase = vector["phrase"]
    generated = M.entropy_to_mnemonic(bytes.fromhex(vector["entropy"]), "japanese")
    assert generated == nfkd(phrase)
    assert "\u3000" in generated and " " not in generated  # BIP39: Japanese joins with U+3000
    assert M.validate_mnemonic(phrase) == (nfkd(phrase), "japanese")
    seed = seed_from_mnemonic(phrase, vector["salt"])
    assert seed.hex() == vector["seed"]
    assert derive_account_xprv(seed, "m") == vector["bip32_xprv"]


def test_japanese_accepts_ascii_spaces_and_nfc() -> None:
    phrase = JAPANESE[1]["phrase"]
    spaced = unicodedata.normalize("NFC", phrase.replace("\u3000", " "))
    assert M.validate_mnemonic(spaced) == (nfkd(phrase), "japanese")
    assert seed_from_mnemonic(spaced, JAPANESE[1]["salt"]).hex() == JAPANESE[1]["seed"]


def test_whitespace_and_case_are_forgiving() -> None:
    messy = "  " + ABOUT.replace(" ", " \t\n ", 3).replace(" ", "\u3000", 1) + "\n"
    assert M.validate_mnemonic(messy) == (ABOUT, "english")
    assert M.validate_mnemonic(ABOUT.title()) == (ABOUT, "english")
    assert seed_from_mnemonic(ABOUT.upper(), "TREZOR").hex() == ENGLISH[0][2]


# ---------------------------------------------------------------- language detection
# Detection is specified as: the first language in M.LANGUAGES whose wordlist holds every word and whose
# checksum verifies. `valid_in` decides that here with its own BIP39 checksum; `bip_utils_valid` is an
# independent implementation for every language bip_utils has (all but Japanese), and the two must agree.
BIP_UTILS_LANG = {"english": "ENGLISH", "chinese_simplified": "CHINESE_SIMPLIFIED",
                  "chinese_traditional": "CHINESE_TRADITIONAL", "korean": "KOREAN", "spanish": "SPANISH",
                  "french": "FRENCH", "italian": "ITALIAN", "czech": "CZECH", "portuguese": "PORTUGUESE"}
ENTROPIES = [bytes(16), bytes(range(16)), bytes(range(32)), hashlib.sha256(b"bip39 detection").digest()[:20],
             hashlib.sha256(b"bip39 detection 2").digest()]


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFKD", text).split()


@functools.cache
def _index(language: str) -> dict[str, int]:
    return {unicodedata.normalize("NFKD", w): i for i, w in enumerate(M.wordlist(language))}


def valid_in(text: str, language: str) -> bool:
    index, words = _index(language), _words(text)
    if len(words) not in (12, 15, 18, 21, 24) or any(w not in index for w in words):
        return False
    bits = "".join(format(index[w], "011b") for w in words)
    cs = len(bits) // 33
    entropy = int(bits[:-cs], 2).to_bytes((len(bits) - cs) // 8, "big")
    return format(hashlib.sha256(entropy).digest()[0], "08b")[:cs] == bits[-cs:]


def bip_utils_valid(text: str, language: str) -> bool:
    from bip_utils import Bip39Languages, Bip39MnemonicValidator

    return Bip39MnemonicValidator(Bip39Languages[BIP_UTILS_LANG[language]]).IsValid(text)


def expected_language(text: str) -> str:
    return next(lang for lang in M.LANGUAGES if valid_in(text, lang))


def _phrases(language: str) -> list[str]:
    """Phrases of `language` from fixed entropies (bip_utils' encoder; the official vectors for Japanese)."""
    if language == "japanese":
        return [v["phrase"] for v in JAPANESE]
    from bip_utils import Bip39Languages, Bip39MnemonicEncoder

    enc = Bip39MnemonicEncoder(Bip39Languages[BIP_UTILS_LANG[language]])
    return [str(enc.Encode(e)) for e in ENTROPIES]


@pytest.mark.parametrize("language", M.LANGUAGES)
def test_every_language_is_detected(language: str) -> None:
    fixed = _phrases(language)
    detected_fixed = []
    for text in [*fixed, M.generate_mnemonic(24, language), M.generate_mnemonic(12, language)]:
        assert valid_in(text, language)
        want = expected_language(text)
        for lang in {language, want} & BIP_UTILS_LANG.keys():
            assert bip_utils_valid(text, lang)
        normalised, detected = M.validate_mnemonic(text)
        assert detected == want
        detected_fixed.append(detected)
        # Naming the language is always honoured, even when detection picks an earlier one.
        assert M.validate_mnemonic(text, language)[1] == language
        assert _words(normalised) == [w.lower() for w in _words(text)]
    # The fixed phrases are detected as their own language, except the all-zero-entropy Chinese
    # traditional one, made only of characters shared with simplified (see the test below).
    mine = [language] * len(fixed)
    if language == "chinese_traditional":
        mine[0] = "chinese_simplified"
    assert detected_fixed[:len(fixed)] == mine
    assert len(M.wordlist(language)) == 2048


def test_generated_mnemonics_round_trip() -> None:
    for language in M.LANGUAGES:
        text = M.generate_mnemonic(24, language)
        assert len(text.split()) == 24 and M.validate_mnemonic(text, language) == (text, language)


def test_chinese_shared_characters_have_one_meaning() -> None:
    """The 1,275 characters both Chinese lists hold sit at the same index in each, so a traditional phrase
    of shared characters only is the very same simplified phrase (same entropy, same text, same seed):
    detection says simplified. One traditional-only character makes it traditional."""
    simp, trad = _index("chinese_simplified"), _index("chinese_traditional")
    shared = [w for w in trad if w in simp]
    assert len(shared) == 1275 and all(simp[w] == trad[w] for w in shared)
    from bip_utils import Bip39Languages, Bip39MnemonicEncoder

    zero = str(Bip39MnemonicEncoder(Bip39Languages.CHINESE_TRADITIONAL).Encode(bytes(16)))
    assert all(w in simp for w in _words(zero))
    assert bip_utils_valid(zero, "chinese_simplified") and bip_utils_valid(zero, "chinese_traditional")
    assert M.validate_mnemonic(zero)[1] == "chinese_simplified"
    assert M.validate_mnemonic(zero, "chinese_traditional") == M.validate_mnemonic(zero, "chinese_simplified")[:1] \
        + ("chinese_traditional",)
    own = str(Bip39MnemonicEncoder(Bip39Languages.CHINESE_TRADITIONAL).Encode(bytes(range(16))))
    assert any(w not in simp for w in _words(own)) and not bip_utils_valid(own, "chinese_simplified")
    assert M.validate_mnemonic(own)[1] == "chinese_traditional"


def test_english_french_overlap_resolves_by_checksum_then_order() -> None:
    """100 words are in both lists at different indices. A French phrase of shared words only is detected
    as English exactly when the English checksum also verifies; otherwise it is French."""
    en, fr = _index("english"), _index("french")
    shared = sorted((w for w in fr if w in en), key=fr.__getitem__)
    assert len(shared) == 100
    both = only_french = None
    for k in range(len(shared)):            # deterministic search: 11 consecutive words, then a last one
        head = [shared[(k + j) % len(shared)] for j in range(11)]
        for last in shared:
            text = " ".join([*head, last])
            if valid_in(text, "french"):
                if valid_in(text, "english"):
                    both = both or text
                else:
                    only_french = only_french or text
        if both and only_french:
            break
    assert both and only_french
    assert bip_utils_valid(both, "english") and bip_utils_valid(both, "french")
    assert bip_utils_valid(only_french, "french") and not bip_utils_valid(only_french, "english")
    assert M.validate_mnemonic(both)[1] == "english"
    assert M.validate_mnemonic(both, "french")[1] == "french"
    assert M.validate_mnemonic(only_french)[1] == "french"


def test_wrong_word_names_position_not_word() -> None:
    words = ABOUT.split()
    words[6] = "zzzqqq"
    with pytest.raises(MnemonicError) as info:
        M.validate_mnemonic(" ".join(words))
    assert str(info.value) == "word 7 is not in the english BIP39 wordlist"
    assert "zzzqqq" not in str(info.value)


def test_wrong_word_in_given_language() -> None:
    with pytest.raises(MnemonicError, match="^word 12 is not in the french BIP39 wordlist$"):
        M.validate_mnemonic(ABOUT.replace("about", "zoo"), "french")


def test_word_count() -> None:
    with pytest.raises(MnemonicError) as info:
        M.validate_mnemonic(" ".join(ABOUT.split()[:11]))
    assert str(info.value) == "a mnemonic has 12, 15, 18, 21 or 24 words; got 11"


def test_checksum() -> None:
    swapped = ABOUT.split()
    swapped[0], swapped[11] = swapped[11], swapped[0]
    with pytest.raises(MnemonicError) as info:
        M.validate_mnemonic(" ".join(swapped))
    assert str(info.value) == "the checksum does not match: a word is wrong or the order is changed"


def test_seed_from_mnemonic_rejects_bad_mnemonic() -> None:
    with pytest.raises(MnemonicError):
        seed_from_mnemonic(ABOUT.replace("about", "abandon"))


def test_unknown_language() -> None:
    with pytest.raises(MnemonicError):
        M.validate_mnemonic(ABOUT, "klingon")
    with pytest.raises(BadSecretInput):
        M.generate_mnemonic(12, "klingon")


# ---------------------------------------------------------------- generation and entropy health
def test_generate_lengths() -> None:
    assert len(M.generate_mnemonic().split()) == 12
    assert len(M.generate_mnemonic(24).split()) == 24
    for bad in (11, 15, 18, 0):
        with pytest.raises(BadSecretInput):
            M.generate_mnemonic(bad)


def test_generate_uses_second_draw_of_given_source() -> None:
    draws = iter([bytes(range(16)), bytes(range(1, 17))])
    text = M.generate_mnemonic(12, entropy_source=lambda n: next(draws))
    assert text == M.entropy_to_mnemonic(bytes(range(1, 17)))


def test_constant_source_aborts() -> None:
    with pytest.raises(EntropyError):
        M.generate_mnemonic(12, entropy_source=lambda n: b"\x07" * n)


def test_repeating_source_aborts() -> None:
    with pytest.raises(EntropyError, match="twice"):
        M.generate_mnemonic(24, entropy_source=lambda n: bytes(range(n)))


def test_short_source_aborts() -> None:
    with pytest.raises(EntropyError, match="wrong number"):
        M.generate_mnemonic(12, entropy_source=lambda n: b"\x01\x02")


def test_failing_source_aborts() -> None:
    def broken(n: int) -> bytes:
        raise OSError("getrandom failed")

    with pytest.raises(EntropyError, match="^the system random source failed: "):
        M.generate_mnemonic(12, entropy_source=broken)


def test_patched_secrets_token_bytes_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(M.secrets, "token_bytes", lambda n: b"\x00" * n)
    with pytest.raises(EntropyError):
        M.generate_mnemonic()

    def broken(n: int) -> bytes:
        raise RuntimeError("no entropy")

    monkeypatch.setattr(M.secrets, "token_bytes", broken)
    with pytest.raises(EntropyError, match="failed"):
        M.generate_mnemonic(24)
