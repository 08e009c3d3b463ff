"""BIP39 against the official vectors (Trezor English, bip32JP Japanese) and the error/entropy rules."""

from __future__ import annotations

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


@pytest.mark.parametrize("language", M.LANGUAGES)
def test_every_language_round_trips_and_is_detected(language: str) -> None:
    text = M.generate_mnemonic(24, language)
    assert len(text.split()) == 24
    normalised, detected = M.validate_mnemonic(text)
    assert normalised == text
    # Chinese simplified and traditional share characters; the phrase must at least validate as its own.
    assert detected == language or M.validate_mnemonic(text, language) == (text, language)
    assert len(M.wordlist(language)) == 2048


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
