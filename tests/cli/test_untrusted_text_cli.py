"""Issue 8 item 13 end to end: a review, a label and a contact name are shown literally, escapes visible."""

from __future__ import annotations

import pytest

HOSTILE = "Sign in to example.org [and authorise 0xdEaD] [/] \x1b[8mhidden\u202eTAEB"
SHOWN = "Sign in to example.org [and authorise 0xdEaD] [/] \\x1b[8mhidden\\u202eTAEB"


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    from wallet_cli import output

    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.setattr(output, "_err_console", None)
    monkeypatch.setattr(output, "_out_console", None)


def test_a_message_review_shows_every_bracket_and_no_escape_code(cli, restored) -> None:
    r = cli("--yes", "sign-message", "evm:0", HOSTILE)
    assert r.code == 0, r.err
    assert SHOWN in r.err
    assert "\x1b" not in r.err and "\u202e" not in r.err


def test_labels_and_contact_names_are_literal(cli, restored) -> None:
    assert cli("accounts", "label", "evm:0", "[bold]boss[/bold]\x1b[2J").code == 0
    listed = cli("accounts", "list")
    assert listed.code == 0, listed.err
    assert "[bold]boss[/bold]\\x1b[2J" in listed.out
    assert cli("contacts", "add", "[/]", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94").code == 0
    contacts = cli("contacts", "list")
    assert contacts.code == 0, contacts.err
    assert "[/]" in contacts.out
