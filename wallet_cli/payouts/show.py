"""Rendering payouts for people (stderr review, status table, progress) and scripts (CSV, JSON).

Everything that came from the file (ids, memos, contact names) is untrusted: it is shown literally,
never as rich markup, and control characters are escaped.

What scripts read stays in English (the journal's details, the review's warnings, why a run stopped);
`shown` puts those sentences in the reader's language when they are shown to a person.
"""

from __future__ import annotations

import csv
import io
import re
import string
import sys
from functools import cache
from typing import Any

from wallet_cli import output
from wallet_cli.payouts.csvfile import literal
from wallet_i18n import N_, _, translated

__all__ = ["Bar", "csv_report", "literal", "review", "shown", "status_table"]

_COLUMNS = (N_("line"), N_("id"), N_("to"), N_("amount"), N_("state"), N_("txid"))
_STAGES = (N_("signed"), N_("broadcast"), N_("confirmed"))


@cache
def _templates() -> list[tuple[str, re.Pattern[str]]]:
    """(message id, the pattern of the English it makes) for every English sentence a payout keeps."""
    from wallet_cli.payouts import engine, plan, runs

    out = []
    for msgid in (*runs.DETAILS, *plan.WARNINGS, *engine.STOPS):
        pattern, seen = "", set()
        for text, name, _spec, _conv in string.Formatter().parse(msgid):
            pattern += re.escape(text)
            if name is not None:
                pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"
                seen.add(name)
        out.append((msgid, re.compile(pattern, re.DOTALL)))
    return out


def shown(text: str | None) -> str:
    """A sentence a payout keeps in English, in the reader's language: a message id as it is, or one made
    from a template, whose values (a detail inside a stop, say) are put in the reader's language in turn.
    Anything else (a node's text, a message already translated when it was raised) is returned as it is,
    and so is the node's own text inside "the node answered: ...", even when it reads like one of ours."""
    if not text:
        return ""
    if translated(text) != text:
        return translated(text)
    from wallet_cli.payouts.runs import NODE_ANSWERED

    for msgid, pattern in _templates():
        m = pattern.fullmatch(text)
        if m:
            fields = m.groupdict()
            return translated(msgid).format(**(fields if msgid == NODE_ANSWERED else
                                               {k: shown(v) for k, v in fields.items()}))
    return text

def _text(value: Any) -> Any:
    from rich.text import Text

    return Text(literal(value))


def review(r: dict[str, Any]) -> None:
    from rich.table import Table

    t = Table(show_header=False, show_edge=False, box=None, padding=(0, 2), title=_("Review the payout"))
    t.add_column(style="bold")
    t.add_column(overflow="fold")
    t.add_row(_("Network"), _text(r["network"]))
    t.add_row(_("From"), _text(r["from"]))
    t.add_row(_("Rows"), _text(_("{rows} ({to_pay} to pay now, {done} paid or in flight earlier)").format(
        rows=r["rows"], to_pay=r["to_pay"], done=r["already_paid_or_in_flight"])))
    t.add_row(_("Recipients"), _text(r["recipients"]))
    for tot in r["totals"]:
        t.add_row(_("Total"), _text(f"{tot['amount']} {tot['asset']}"))
    fees = r["fees"]
    t.add_row(_("Fees (max)"), _text(_("{amount} {symbol} in {count} transaction(s)").format(
        amount=fees.get("max_total"), symbol=fees.get("symbol", ""), count=fees.get("transactions"))))
    if fees.get("rent"):
        t.add_row(_("Rent (new token accounts)"), _text(f"{fees['rent']} {fees.get('symbol', '')}"))
    for big in r["largest"]:
        t.add_row(_("Largest"), _text(_("line {line}: {amount} {symbol} to {to}").format(
            line=big["line"], amount=big["amount"], symbol=big["symbol"], to=big["to"])))
    output.err_console().print(t)
    for w in r["warnings"]:
        output.warn(literal(shown(w)))


def status_table(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    t = Table(show_edge=False, header_style="bold")
    for col in _COLUMNS:   # a person's table: its names and the row states in their language
        t.add_column(translated(col), overflow="fold", no_wrap=col in ("to", "txid"))
    for r in rows:
        t.add_row(*(_text(v) for v in (r["line"], r["id"] or r["key"], r["to"], f"{r['amount']} {r['symbol']}",
                                        translated(r["state"]), r["txid"])))
    output.out_console().print(t)


def csv_report(rows: list[dict[str, Any]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = ["line", "id", "key", "to", "amount", "symbol", "token", "memo", "state", "txid", "detail"]
    w.writerow(cols)
    for r in rows:
        # A leading = + - @ would be a formula in a spreadsheet: quote it as text.
        w.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in (r[c] for c in cols)])
    sys.stdout.write(buf.getvalue())
    sys.stdout.flush()


class Bar:
    """A rich progress bar on stderr (people only): rows signed, broadcast, confirmed."""

    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._p = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           console=output.err_console(), transient=False)
        self._tasks = {k: self._p.add_task(translated(k), total=total) for k in _STAGES}

    def __enter__(self) -> Bar:
        self._p.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._p.stop()

    def update(self, signed: int, broadcast: int, confirmed: int) -> None:
        for k, v in (("signed", signed), ("broadcast", broadcast), ("confirmed", confirmed)):
            self._p.update(self._tasks[k], completed=v)
