"""Confirmations. With --yes they pass; with no terminal and no --yes they refuse (exit 4), never hang."""

from __future__ import annotations

from wallet_cli.context import options
from wallet_cli.errors import Refused
from wallet_i18n import _


def confirm(question: str, *, dangerous: bool = False) -> None:
    """Raise Refused unless the user agrees. `dangerous` ones need the typed word 'yes', even with a tty.

    `question` is already translated by the caller; the word to type stays 'yes' in every language."""
    if options().yes:
        return
    if not options().interactive:
        raise Refused(_("{question}: not confirmed; pass --yes to confirm without a terminal").format(
            question=question.rstrip("?\uff1f\u3002")))   # a Chinese one may end with a full-width ？ or 。
    import typer

    if dangerous:
        answer = typer.prompt(_("{question} Type 'yes' to continue").format(question=question), default="",
                              show_default=False, err=True)
        ok = answer.strip().lower() == "yes"
    else:
        ok = typer.confirm(question, default=False, err=True)
    if not ok:
        raise Refused(_("cancelled; nothing was done"))
