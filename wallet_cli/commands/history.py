"""wallet history: the transactions this wallet signed or broadcast."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli import output
from wallet_cli.commands.common import journal


def history(
    network: Annotated[str | None, typer.Option("--network", "-n")] = None,
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV on stdout.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
) -> None:
    """List the transactions this wallet signed or broadcast."""
    rows = [e.to_json() for e in journal().history(network, limit)]
    if csv_out:
        import csv
        import sys

        cols = ["time", "network", "kind", "state", "txid", "from", "to", "amount", "symbol", "fee"]
        w = csv.DictWriter(sys.stdout, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
        return
    def short(x: str | None) -> str:
        return x if not x or len(x) <= 18 else f"{x[:10]}…{x[-6:]}"
    output.emit(rows, lambda: output.table(
        ["time (UTC)", "network", "kind", "state", "amount", "to", "txid"],
        [(r["time"].replace("T", " ").rstrip("Z"), r["network"], r["kind"], r["state"],
          f"{r['amount']} {r['symbol']}", short(r["to"]), short(r["txid"])) for r in rows]))



def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Chains")(history)
