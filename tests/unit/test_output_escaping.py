"""Issue 8 item 13: untrusted text on screen is never rich markup, and control characters are escaped."""

from __future__ import annotations

import pytest

from wallet_cli import output
from wallet_cli.context import Options, set_options


@pytest.fixture(autouse=True)
def human_mode(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    set_options(Options(home=tmp_path))
    monkeypatch.setenv("COLUMNS", "400")  # one row per line, so the literal text is findable
    monkeypatch.setattr(output, "_err_console", None)
    monkeypatch.setattr(output, "_out_console", None)


HOSTILE = ["Sign in to example.org [and authorise 0xdEaD]", "[/]", "[bold red]x[/bold red]", ":warning: ok",
           "USDC\x1b[8m hidden", "0x1234\u202eBEEF", "bell\x07 nul\x00 del\x7f c1\x9b"]


@pytest.mark.parametrize("text", HOSTILE)
def test_key_values_show_text_literally(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    output.key_values({"Message": text, text: "v"}, title="Review the message")
    err = capsys.readouterr().err
    assert output.escaped(text) in err
    assert "Review the message" in err
    assert not any(c in err for c in "\x1b\x07\x00\x7f\x9b\u202e")


@pytest.mark.parametrize("text", HOSTILE)
def test_tables_errors_warnings_and_lines_too(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    output.table(["name", "symbol"], [(text, "x")])
    output.error(text)
    output.warn(text)
    output.info(text)
    output.line(text)
    cap = capsys.readouterr()
    both = cap.out + cap.err
    assert cap.out.count(output.escaped(text)) == 2 and cap.err.count(output.escaped(text)) == 3
    assert not any(c in both for c in "\x1b\x07\x00\x7f\x9b\u202e")


def test_escapes_are_visible() -> None:
    assert output.escaped("a\x1b[8mb") == "a\\x1b[8mb"
    assert output.escaped("x\u202ey") == "x\\u202ey"
    assert output.escaped("one\ntwo\tthree") == "one\\ntwo\\tthree"
    assert output.escaped("plain ünïcode ₿ 日本") == "plain ünïcode ₿ 日本"


def test_a_data_line_stays_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    output.line("12.5 USDC\ntxid: 0xattacker")
    assert capsys.readouterr().out == "12.5 USDC\\ntxid: 0xattacker\n"
