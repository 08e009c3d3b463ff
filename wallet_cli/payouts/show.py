"""Rendering payouts for people (stderr review, status table, progress) and scripts (CSV, JSON).

Everything that came from the file (ids, memos, contact names) is untrusted: it is shown literally,
never as rich markup, and control characters are escaped.
"""

from __future__ import annotations

import csv
import io
import sys
from typing import Any

from wallet_cli import output
from wallet_cli.payouts.csvfile import literal

__all__ = ["Bar", "csv_report", "literal", "review", "status_table"]

def _text(value: Any) -> Any:
    from rich.text import Text

    return Text(literal(value))


def review(r: dict[str, Any]) -> None:
    from rich.table import Table

    t = Table(show_header=False, show_edge=False, box=None, padding=(0, 2), title="Review the payout")
    t.add_column(style="bold")
    t.add_column(overflow="fold")
    t.add_row("Network", _text(r["network"]))
    t.add_row("From", _text(r["from"]))
    t.add_row("Rows", _text(f"{r['rows']} ({r['to_pay']} to pay now, {r['already_paid_or_in_flight']} paid "
                            "or in flight earlier)"))
    t.add_row("Recipients", _text(r["recipients"]))
    for tot in r["totals"]:
        t.add_row("Total", _text(f"{tot['amount']} {tot['asset']}"))
    fees = r["fees"]
    t.add_row("Fees (max)", _text(f"{fees.get('max_total')} {fees.get('symbol', '')} in "
                                  f"{fees.get('transactions')} transaction(s)"))
    if fees.get("rent"):
        t.add_row("Rent (new token accounts)", _text(f"{fees['rent']} {fees.get('symbol', '')}"))
    for big in r["largest"]:
        t.add_row("Largest", _text(f"line {big['line']}: {big['amount']} {big['symbol']} to {big['to']}"))
    output.err_console().print(t)
    for w in r["warnings"]:
        output.warn(literal(w))


def status_table(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    t = Table(show_edge=False, header_style="bold")
    for col in ("line", "id", "to", "amount", "state", "txid"):
        t.add_column(col, overflow="fold", no_wrap=col in ("to", "txid"))
    for r in rows:
        t.add_row(*(_text(v) for v in (r["line"], r["id"] or r["key"], r["to"], f"{r['amount']} {r['symbol']}",
                                        r["state"], r["txid"])))
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
        self._tasks = {k: self._p.add_task(k, total=total) for k in ("signed", "broadcast", "confirmed")}

    def __enter__(self) -> Bar:
        self._p.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._p.stop()

    def update(self, signed: int, broadcast: int, confirmed: int) -> None:
        for k, v in (("signed", signed), ("broadcast", broadcast), ("confirmed", confirmed)):
            self._p.update(self._tasks[k], completed=v)
