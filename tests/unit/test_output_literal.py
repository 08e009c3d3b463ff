"""wallet_cli.output shows untrusted text literally: no rich markup, no terminal control sequences."""

from __future__ import annotations

import pytest

from wallet_cli import output


@pytest.mark.parametrize("show", [output.error, output.warn, output.info])
def test_messages_escape_terminal_controls_but_keep_their_lines(show, capsys, monkeypatch, tmp_path) -> None:
    from wallet_cli import context

    monkeypatch.setattr(context, "_current", context.Options(home=tmp_path))     # human output, not --json
    show("node says \x1b]0;owned\x07\x1b[2J\rdone\u202e [red]x[/red]\nsecond line")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err and "\r" not in err
    assert "\\x1b]0;owned" in err and "[red]x[/red]" in err and "\nsecond line" in err
