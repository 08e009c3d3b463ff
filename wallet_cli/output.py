"""Rendering, kept apart from logic. stdout carries data only; everything else goes to stderr.

rich honours NO_COLOR by itself; we also drop colour when the stream is not a terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from wallet_cli.context import options
from wallet_i18n import _, english, english_tree, translated

_err_console = None
_out_console = None


def err_console():  # noqa: ANN201 - rich is imported lazily to keep start-up fast
    global _err_console
    if _err_console is None:
        from rich.console import Console

        _err_console = Console(stderr=True, highlight=False, soft_wrap=True)
    return _err_console


def out_console():  # noqa: ANN201
    global _out_console
    if _out_console is None:
        from rich.console import Console

        # When piped, rich assumes 80 columns and would fold addresses; data must stay on one line.
        _out_console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 240)
    return _out_console


def info(message: str) -> None:
    """Progress and notes for a person; silent under --json."""
    if not options().json:
        err_console().print(escaped(message, keep=chr(10)), markup=False, emoji=False)


def warn(message: str) -> None:
    """Warnings always go to stderr, with or without --json."""
    if options().json:
        print(json.dumps({"warning": english(message)}), file=sys.stderr)
    else:
        err_console().print(_("warning: {message}").format(message=escaped(message, keep=chr(10))), style="yellow",
                            markup=False, emoji=False)


def error(message: str, code: str = "error") -> None:
    """An error on stderr; under --json {"error": message, "code": code}, where `code` is stable and
    never translated (scripts branch on it) and `message` is in the user's language."""
    if options().json:
        print(json.dumps({"error": message, "code": code}), file=sys.stderr)
    else:
        err_console().print(_("error: {message}").format(message=escaped(message, keep=chr(10))), style="red",
                            markup=False, emoji=False)


def emit(data: Any, human: Callable[[], None] | None = None) -> None:
    """Print `data` as JSON under --json, else call the human renderer (or print JSON for lack of one)."""
    if options().json or human is None:
        sys.stdout.write(json.dumps(english_tree(data), indent=None if options().json else 2, default=str) + "\n")
        sys.stdout.flush()
    else:
        human()


# Identifiers and amounts are never folded: a copied txid, address or amount must be whole.
_WHOLE = ("address", "txid", "to", "from", "amount", "account", "total", "balance")


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    from rich.table import Table

    t = Table(title=title, show_edge=False, header_style="bold")
    rows = [["" if v is None else str(v) for v in r] for r in rows]
    keep = [i for i, _name in enumerate(columns) if any(r[i] for r in rows) or not rows]  # drop empty columns
    for i in keep:   # a column's name is its msgid: translated here, so callers compare the English name
        t.add_column(translated(columns[i]), overflow="fold", no_wrap=columns[i] in _WHOLE)
    for r in rows:
        t.add_row(*(_literal(r[i]) for i in keep))
    out_console().print(t)


def key_values(pairs: dict[str, Any], title: str | None = None) -> None:
    """A two-column summary, e.g. the confirmation screen, on stderr; under --json one JSON object.

    Plain lines rather than a table, so a long address, txid or amount is never folded across lines.
    """
    if options().json:
        print(json.dumps(english_tree({"review": dict(pairs), "title": title}), default=str), file=sys.stderr)
        return
    _pairs(err_console(), pairs, title)


def key_values_out(pairs: dict[str, Any]) -> None:
    """The same two columns as data on stdout (e.g. `tx status`)."""
    for text in _aligned(pairs):
        line(text)


def _pairs(console: Any, pairs: dict[str, Any], title: str | None) -> None:
    if title:
        console.print(escaped(title), style="bold", markup=False, emoji=False)
    for text in _aligned(pairs):   # escaped: a memo, label or node's text must not act on the terminal
        console.print(text, markup=False, emoji=False, soft_wrap=True, highlight=False)


def _aligned(pairs: dict[str, Any]) -> list[str]:
    """"label  value" lines, the labels translated (a key is its msgid, so --json keeps the English one)
    and padded by terminal cells: a Chinese character takes two, and len() would misalign the values."""
    from rich.cells import cell_len

    labels = {k: escaped(translated(k)) for k in pairs}
    width = max((cell_len(v) for v in labels.values()), default=0)
    return [f"{labels[k]}{' ' * (width - cell_len(labels[k]))}  {escaped('' if v is None else str(v))}"
            for k, v in pairs.items()]


def review(title: str, lines: Iterable[str]) -> None:
    """A review of untrusted content on stderr, printed literally (no markup, no highlighting). The caller
    has escaped control characters in the lines; escaping again costs nothing and guards the title too.
    Under --json it is one JSON object, {"review": [lines], "title": title}: build both in_english()."""
    if options().json:
        print(json.dumps(english_tree({"review": list(lines), "title": title})), file=sys.stderr)
        return
    sys.stderr.write(escaped(title) + "\n" + "".join(f"  {escaped(text)}\n" for text in lines))
    sys.stderr.flush()


def escaped(text: str, keep: str = "") -> str:
    """Text with control, format (bidi) and other non-printable characters (but those in `keep`)
    written as escapes: messages carry a node's or a file's text, and a terminal acts on controls."""
    return "".join(c if c.isprintable() or c in keep else c.encode("unicode_escape").decode() for c in text)


def _literal(text: str):  # noqa: ANN202 - rich.text.Text, imported lazily
    """A table cell shown as its characters: rich would read "[...]" in a str cell as markup (a memo,
    a label or a node's text could restyle the review or hide part of it, and "[/]" raises), and a
    terminal would act on escape sequences, carriage returns and bidi overrides, so those are escaped."""
    from rich.text import Text

    return Text(escaped(text))


def line(text: str) -> None:
    """One line of data on stdout (human mode)."""
    sys.stdout.write(escaped(text) + "\n")  # a symbol from the RPC can neither add a line nor drive the terminal
    sys.stdout.flush()
