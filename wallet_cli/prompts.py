"""Confirmations. With --yes they pass; with no terminal and no --yes they refuse (exit 4), never hang."""

from __future__ import annotations

from wallet_cli.context import options
from wallet_cli.errors import Refused


def confirm(question: str, *, dangerous: bool = False) -> None:
    """Raise Refused unless the user agrees. `dangerous` ones need the typed word 'yes', even with a tty."""
    if options().yes:
        return
    if not options().interactive:
        raise Refused(f"{question.rstrip('?')}: not confirmed; pass --yes to confirm without a terminal")
    import typer

    if dangerous:
        answer = typer.prompt(f"{question} Type 'yes' to continue", default="", show_default=False, err=True)
        ok = answer.strip().lower() == "yes"
    else:
        ok = typer.confirm(question, default=False, err=True)
    if not ok:
        raise Refused("cancelled; nothing was done")
