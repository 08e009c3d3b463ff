"""The zh_CN catalogue: complete, faithful to each message's placeholders, and compiled as committed."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

import wallet_i18n
from wallet_i18n import build


@pytest.fixture(scope="module")
def messages() -> dict:
    return build.all_messages()


@pytest.fixture(scope="module")
def zh() -> dict:
    return {m.id if isinstance(m.id, str) else tuple(m.id): m.string for m in build.catalogue("zh_CN") if m.id}


def fields(text: str) -> list[str]:
    return sorted(f"{name}!{conv}" for _lit, name, _spec, conv in string.Formatter().parse(text) if name is not None)


def test_every_marked_message_has_a_translation(messages, zh) -> None:
    left = [f"{where[0]}: {m!r}" for m, where in messages.items() if not zh.get(m)]
    assert not left, f"{len(left)} messages have no zh_CN entry:\n" + "\n".join(left[:80])


# click fills this field with an English word (its type's name, "integer range"): a translation may leave it out.
DROPPABLE = {"number_type!None"}


def test_translations_keep_the_placeholders(zh) -> None:
    bad = []
    for msgid, msgstr in zh.items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strs = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        try:
            kept = [f for f in fields(ids[0]) if f not in DROPPABLE]
            if any(fields(s) not in (fields(ids[0]), kept) for s in strs):
                bad.append(f"{ids[0]!r} -> {strs!r}")
        except ValueError as e:   # an unbalanced brace would fail at .format() time
            bad.append(f"{ids[0]!r} -> {strs!r}: {e}")
    assert not bad, "\n".join(bad)


def test_committed_mo_is_the_compiled_po() -> None:
    committed = build.mo_path("zh_CN").read_bytes()
    assert committed == build.compiled("zh_CN"), "run: python -m wallet_i18n.build"


def test_no_translation_is_left_english(zh) -> None:
    import re

    same = [m for m, s in zh.items() if isinstance(m, str) and s == m and re.search(r"[a-z]{3,} [a-z]{3,}", m)]
    assert not same, same


@pytest.mark.parametrize(("name", "expected"), [
    ("zh_CN.UTF-8", "zh_CN"), ("zh_CN", "zh_CN"), ("zh-cn", "zh_CN"), ("zh", "zh_CN"), ("zh_SG.GB2312", "zh_CN"),
    ("zh_Hans", "zh_CN"), ("en_US.UTF-8", "en"), ("C", "en"), ("POSIX", "en"), ("C.UTF-8", "en"),
    ("zh_TW.UTF-8", None), ("fr_FR", None), ("", None), (None, None),
])
def test_locale_names(name, expected) -> None:
    assert wallet_i18n.normalize(name) == expected


def _decide(monkeypatch: pytest.MonkeyPatch, home: Path | None, **env: str) -> str:
    for var in ("WALLET_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "WALLET_HOME"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    wallet_i18n.reset()
    wallet_i18n.set_home(None)
    wallet_i18n.set_home(home)
    try:
        return wallet_i18n.language()
    finally:
        wallet_i18n.set_home(None)
        wallet_i18n.reset()


def test_the_order_of_choice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    configured = tmp_path / "h"
    configured.mkdir()
    (configured / "config.toml").write_text('lang = "zh_CN"\n')
    (configured / "config.toml").chmod(0o600)     # as `config set` writes it; a 0644 one is refused
    assert _decide(monkeypatch, None) == "en"
    assert _decide(monkeypatch, None, LANG="zh_CN.UTF-8") == "zh_CN"
    assert _decide(monkeypatch, None, LC_ALL="en_US.UTF-8", LANG="zh_CN.UTF-8") == "en"
    assert _decide(monkeypatch, None, LC_MESSAGES="zh_CN.UTF-8", LANG="en_US.UTF-8") == "zh_CN"
    assert _decide(monkeypatch, None, LC_ALL="fr_FR.UTF-8", LANG="zh_CN.UTF-8") == "en"
    assert _decide(monkeypatch, configured, LANG="en_US.UTF-8") == "zh_CN"
    assert _decide(monkeypatch, configured, WALLET_LANG="en", LANG="zh_CN.UTF-8") == "en"
    assert _decide(monkeypatch, tmp_path, WALLET_LANG="zh_CN") == "zh_CN"


def test_english_opens_no_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALLET_LANG", "en")
    wallet_i18n.reset()
    assert wallet_i18n._("the network connection timed out") == "the network connection timed out"
    assert wallet_i18n._catalogue is None
    monkeypatch.setenv("WALLET_LANG", "zh_CN")
    wallet_i18n.reset()
    assert wallet_i18n._("the network connection timed out") != "the network connection timed out"
    wallet_i18n.reset()
