"""wallet portfolio: every account's balances across networks, totals per asset, optional fiat value."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli import accounts, config, netconf, output, session
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _, message_of


def portfolio(
    network: Annotated[list[str] | None, typer.Option("--network", "-n", help="A network (repeatable).",
                                                      show_default=False)] = None,
    all_networks: Annotated[bool, typer.Option("--all-networks", help="Every mainnet and custom network.")] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV on stdout, one row per balance.")] = False,
    zeros: Annotated[bool, typer.Option("--zeros", help="Also list zero balances.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds each network may take.")] = 20.0,
    price_api: Annotated[str | None, typer.Option(help="'coingecko' or a URL of that API's shape.",
                                                  show_default=False)] = None,
    prices_file: Annotated[Path | None, typer.Option(help="A local prices file (JSON).", show_default=False)] = None,
    currency: Annotated[str | None, typer.Option(help="Fiat currency for values (default usd).",
                                                 show_default=False)] = None,
) -> None:
    """Every account of the vault on the chosen networks, with totals per asset across chains."""
    from chains.errors import Unavailable
    from wallet_cli import portfolio as pf
    from wallet_cli import prices

    if csv_out and options().json:
        raise UsageError(_("--csv and --json exclude each other; choose one"))
    if not 0 < timeout <= 600:
        raise UsageError(_("--timeout is between 0 and 600 seconds"))
    source = prices.source(config.load(options().home).get("prices", {}), price_api, prices_file, currency)
    nets = pf.choose_networks(list(network or []), all_networks)
    accts = [accounts.to_account(e) for e in session.vault_info().accounts]
    result = _fetch(pf, accts, nets, timeout)
    totals = pf.totals(result.holdings)
    quotes, price_error = {}, None
    if source is not None:
        try:
            quotes = source.quotes([t.asset for t in totals])
        except Unavailable as e:
            price_error = message_of(e)
    now = prices.now()
    price_info = None if source is None else {
        "source": source.name, "currency": source.currency, "error": price_error,
        "as_of": {a: q.as_of for a, q in quotes.items()},
        "age_seconds": {a: round(now - q.as_of) for a, q in quotes.items()}}

    def value(asset: str, amount: Decimal) -> str | None:
        q = quotes.get(asset)
        return None if q is None else pf.plain((amount * q.price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    rows = [{"account": h.account, "address": h.address, "network": h.network, "asset": h.asset,
             "amount": h.amount.plain(), "base_units": str(h.amount.value), "decimals": h.amount.decimals,
             "token": h.token, "value": value(h.asset, h.amount.to_decimal())}
            for h in result.holdings if zeros or h.amount.value]
    total_rows = [{"asset": t.asset, "amount": pf.plain(t.amount), "value": value(t.asset, t.amount),
                   "price": None if t.asset not in quotes else pf.plain(quotes[t.asset].price),
                   "parts": [{"network": n, "amount": pf.plain(a)} for n, a in t.parts]}
                  for t in totals if zeros or t.amount]
    net_rows = [{"name": n.name, "family": n.family, "accounts": n.accounts, "status": n.status,
                 "error": n.error, "seconds": n.seconds, "skipped": n.skipped} for n in result.networks]
    data = {"networks": net_rows, "balances": rows, "totals": total_rows, "prices": price_info}
    if csv_out:
        _csv(rows, source.currency if source else None)
    else:
        output.emit(data, lambda: _human(data, quotes, now))
    for n in result.networks:
        for s in n.skipped:
            output.warn(_("{network}: {account} was left out: {reason}").format(
                network=n.name, account=s["account"], reason=s["reason"]))
        if n.status == "unsupported":
            output.info(_("{network}: balances are not available on this network yet").format(network=n.name))
    if price_error:
        output.warn(_("no fiat values: {reason}").format(reason=price_error))
    if result.failed:
        names = ", ".join(_("{network} ({reason})").format(network=n.name, reason=n.error) for n in result.failed)
        raise Unavailable(_("some networks did not answer, so their balances are missing: {networks}").format(
            networks=names))


def _fetch(pf: Any, accts: list[Any], nets: list[Any], timeout: float) -> Any:
    """Fetch with a progress bar on stderr when a person watches it."""
    if options().json or not output.err_console().is_terminal:
        return pf.fetch(accts, nets, data_dir=netconf.data_dir(), timeout=timeout)
    from rich.progress import Progress

    with Progress(console=output.err_console(), transient=True) as bar:
        task = bar.add_task(_("balances"), total=len(nets))
        return pf.fetch(accts, nets, data_dir=netconf.data_dir(), timeout=timeout,
                        on_done=lambda name: bar.advance(task))


def _csv(rows: list[dict[str, Any]], currency: str | None) -> None:
    import csv
    import sys

    cols = ["account", "address", "network", "asset", "amount", "unit", "token", "value", "currency"]
    w = csv.DictWriter(sys.stdout, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({**r, "unit": r["asset"], "currency": currency if r["value"] is not None else ""})


def _human(data: dict[str, Any], quotes: dict[str, Any], now: float) -> None:
    from wallet_cli import prices

    has_value = any(r["value"] is not None for r in data["totals"])
    cur = (data["prices"] or {}).get("currency", "")
    # The value column names its currency, so it is not a fixed msgid: translated here (this is human mode).
    value_col = _("value ({currency})").format(currency=cur)
    if data["balances"]:
        output.table([N_("account"), N_("network"), N_("asset"), N_("amount")] + ([value_col] if has_value else []),
                     [(r["account"], r["network"], r["asset"], r["amount"]) + ((r["value"],) if has_value else ())
                      for r in data["balances"]], title=_("Balances"))
    else:
        output.info(_("No balances on these networks."))
    if data["totals"]:
        output.table([N_("asset"), N_("total")] + ([value_col, N_("price")] if has_value else []) + [N_("parts")],
                     [(t["asset"], t["amount"]) + ((t["value"], t["price"]) if has_value else ())
                      + (" + ".join(f"{p['network']} {p['amount']}" for p in t["parts"]),)
                      for t in data["totals"]], title=_("Totals"))
    if quotes:
        ages = sorted(now - q.as_of for q in quotes.values())
        youngest, oldest = prices.age_text(ages[0]), prices.age_text(ages[-1])
        age = youngest if youngest == oldest else _("{youngest} to {oldest}").format(youngest=youngest,
                                                                                     oldest=oldest)
        source = data["prices"]["source"]
        if ages[-1] > prices.STALE_AFTER:
            output.line(_("Prices: {source}, {age} old (stale)").format(source=source, age=age))
        else:
            output.line(_("Prices: {source}, {age} old").format(source=source, age=age))
    failed = [n for n in data["networks"] if n["status"] == "failed"]
    answered, total = len(data["networks"]) - len(failed), len(data["networks"])
    if failed:
        output.line(_("{answered} of {total} networks answered; failed: {networks}").format(
            answered=answered, total=total, networks=", ".join(n["name"] for n in failed)))
    else:
        output.line(_("{answered} of {total} networks answered").format(answered=answered, total=total))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Chains")(portfolio)
