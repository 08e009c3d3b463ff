"""wallet history: what this wallet sent (refreshed from the node), or with --incoming what it received."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli import output
from wallet_cli.commands.common import journal
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _, translated

CSV_COLUMNS = ["time", "network", "kind", "state", "txid", "from", "to", "amount", "unit", "fee", "fee_unit"]
# The human table shows states and kinds in the person's language; --json and --csv keep these English words.
STATES = (N_("signed"), N_("pending"), N_("confirmed"), N_("failed"), N_("dropped"), N_("unknown"),
          N_("rejected"), N_("replaced"))
KINDS = (N_("send"), N_("resign"), N_("broadcast"), N_("offline"), N_("speed-up"), N_("cancel"), N_("payout"),
         N_("received"))


def history(
    network: Annotated[str | None, typer.Option("--network", "-n")] = None,
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV on stdout (plain numbers, units in their own column).")
                       ] = False,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
    incoming: Annotated[bool, typer.Option("--incoming", help="What the vault's addresses received.")] = False,
    no_refresh: Annotated[bool, typer.Option("--no-refresh", help="Offline: don't ask the nodes anything.")] = False,
    wide: Annotated[bool, typer.Option("--wide", help="Show addresses whole too (txids always are).")] = False,
) -> None:
    """List the transactions this wallet signed or broadcast, or (--incoming) what it received."""
    if csv_out and options().json:
        raise UsageError(_("--csv and --json exclude each other; choose one"))
    if not 1 <= limit <= 100_000:
        raise UsageError(_("--limit is between 1 and 100000"))
    jr = journal()
    if incoming:
        rows = _incoming(jr, network, limit, refresh=not no_refresh)
    else:
        entries = jr.history(network, limit)
        if not no_refresh:
            from wallet_cli import netconf, refresh
            from wallet_cli.commands.common import adapter_for

            netconf.all_networks()   # a broken config fails here, once, not in every worker
            _refreshed, failed = refresh.refresh(jr, entries, lambda name: adapter_for(name)[1])
            if failed:
                output.warn(_("could not refresh entries on {networks}; their state may be out of date "
                              "(rerun, or 'wallet tx status TXID')").format(networks=", ".join(failed)))
        rows = [e.to_json() for e in entries]
    if csv_out:
        _csv(rows)
        return

    def short(x: str | None) -> str | None:
        if x and x.endswith(" recipients") and x.split()[0].isdigit():   # a payout's, journalled in English
            from wallet_cli.payouts.runs import SEVERAL_RECIPIENTS

            return translated(SEVERAL_RECIPIENTS).format(count=x.split()[0])
        return x if wide or not x or len(x) <= 18 else f"{x[:10]}…{x[-6:]}"
    if incoming:  # which of your accounts received it, and from whom
        cols = [N_("time (UTC)"), N_("network"), N_("account"), N_("state"), N_("amount"), N_("from"), N_("txid")]
        cells = [(r["account"] or short(r["to"]), short(r["from"])) for r in rows]
    else:
        cols = [N_("time (UTC)"), N_("network"), N_("kind"), N_("state"), N_("amount"), N_("to"), N_("txid")]
        cells = [(_shown(r["kind"], KINDS), short(r["to"])) for r in rows]
    output.emit(rows, lambda: output.table(cols, [
        (r["time"].replace("T", " ").rstrip("Z"), r["network"], c[0], _shown(r["state"], STATES),
         f"{r['amount']} {r['symbol']}", c[1], r["txid"]) for r, c in zip(rows, cells, strict=True)]))


def _shown(word: str | None, known: tuple[str, ...]) -> str | None:
    """A state or kind as the human table shows it: translated when it is one of ours, else as it is."""
    return translated(word) if word in known else word


def _incoming(jr: Any, network: str | None, limit: int, refresh: bool) -> list[dict[str, Any]]:
    from wallet_cli import incoming

    if refresh:
        from chains.errors import ChainError
        from wallet_cli import accounts, portfolio, session
        from wallet_cli.commands.common import adapter_for

        accts = [accounts.to_account(e) for e in session.vault_info().accounts]
        for net in portfolio.choose_networks([network] if network else [], False):
            mine = [a for a in accts if a.chain == net.family]
            if not mine:
                continue
            try:
                notes = incoming.scan(jr, net, adapter_for(net.name)[1], mine)
            except ChainError as e:
                output.warn(_("could not read {network}: {reason} (showing what was read before)").format(
                    network=net.name, reason=e))
                continue
            for note in notes:
                output.info(note)
    from wallet_cli import accounts as acc
    from wallet_cli import session as ses

    refs: dict[str, str] = {}
    for e in ses.vault_info().accounts:
        refs.setdefault(e["address"].lower(), acc.to_account(e).ref)
    rows = incoming.cached(jr, network, limit)
    for r in rows:   # btc rows already name the account (btc:0); others map their address to it
        r["account"] = refs.get(str(r["to"]).lower(), r["to"] if r["family"] == "btc" else None)
    return rows


def _split(text: str | None) -> tuple[str, str]:
    """'0.00021 ETH' -> ('0.00021', 'ETH'): a number a spreadsheet can sum, and its unit."""
    if not text:
        return "", ""
    num, _sep, unit = text.partition(" ")
    return num, unit


def _csv(rows: list[dict[str, Any]]) -> None:
    import csv
    import sys

    w = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        fee, fee_unit = _split(r.get("fee"))
        w.writerow({**r, "amount": r.get("amount") or "", "unit": r.get("symbol") or "", "fee": fee,
                    "fee_unit": fee_unit})


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Chains")(history)
