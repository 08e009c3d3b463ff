"""wallet pay FILE.csv | pay status NAME | pay report NAME: batch payouts (logic in wallet_cli.payouts)."""

from __future__ import annotations

from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from wallet_cli import accounts, netconf, output, session
from wallet_cli.context import options
from wallet_cli.errors import CliError, Refused, UsageError
from wallet_i18n import _, translated


class _DefaultRun(TyperGroup):
    """`wallet pay FILE ...` means `wallet pay run FILE ...` (a file named like a subcommand: use `run`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


pay_app = typer.Typer(cls=_DefaultRun, no_args_is_help=True,
                      help="Batch payouts from a CSV file (to,amount[,token,id,memo]): exactly once, resumable.")


def _journal():  # noqa: ANN202
    from wallet_cli.journal import Journal

    return Journal(options().home)


@pay_app.command("run")
def run(
    file: Annotated[str, typer.Argument(help="CSV file with a header to,amount[,token,id,memo]; - for stdin.")],
    network: Annotated[str, typer.Option("--network", "-n", help="Network name; see 'wallet networks list'.")],
    sender: Annotated[str, typer.Option("--from", help="Account reference: evm:0, a label or an address.")],
    token: Annotated[str | None, typer.Option(help="Token for rows without a token column.")] = None,
    run_name: Annotated[str | None, typer.Option("--run", help="Run name (default: the file name).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Show the plan; sign nothing.")] = False,
    allow_duplicates: Annotated[bool, typer.Option(help="Pay identical rows without ids more than once.")] = False,
    allow_lookalike: Annotated[bool, typer.Option(help="With --yes, pay look-alike recipients too.")] = False,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait until every transaction landed.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait with --wait.")] = 300.0,
    max_fee: Annotated[str | None, typer.Option(help="evm: max fee per gas (or gas price), in gwei.")] = None,
    priority_fee: Annotated[str | None, typer.Option(
        help="evm: priority fee per gas in gwei; sol: micro-lamports per compute unit.")] = None,
    fee_rate: Annotated[str | None, typer.Option(help="btc: fee rate in sat/vB.")] = None,
    allow_high_fee: Annotated[bool, typer.Option(help="Allow fees above the per-transaction cap.")] = False,
    max_total_fee: Annotated[str | None, typer.Option(
        help="Refuse the run if its fees could exceed this (native unit).")] = None,
    max_outputs: Annotated[int, typer.Option(min=1, max=2000, help="btc: outputs per transaction.")] = 500,
    chunk_size: Annotated[int | None, typer.Option(min=1, max=5000, hidden=True,
                                                   help="evm: rows, sol: transactions per journal commit.")] = None,
) -> None:
    """Pay every row of FILE once. Rerun the same command after any failure: it resumes."""
    from chains.base import Amount, get_adapter
    from wallet_cli.fee_options import fee_options
    from wallet_cli.payouts import engine, service, show

    entry = accounts.resolve(sender, session.vault_info().accounts)
    net = netconf.network(network)
    adapter = get_adapter(net, netconf.data_dir())
    name = service.run_name(file, run_name)
    journal = _journal()
    plan = service.load_plan(file, net, entry, adapter, journal, token=token, allow_duplicates=allow_duplicates)
    fees = fee_options(net.family, max_fee, priority_fee, None, None, fee_rate, None, allow_high_fee)
    driver = service.driver_for(net, entry, adapter, fees, max_outputs=max_outputs, chunk=chunk_size)
    runs = service.runs_of(journal)
    cap = Amount.parse(max_total_fee, net.decimals, net.symbol) if max_total_fee else None
    if dry_run:
        review = engine.dry_run(name, plan, runs, driver)
        _check_total(review, cap)
        output.emit({"run": name, "dry_run": True, **review}, lambda: show.review(review))
        return

    def confirm(review: dict[str, Any]) -> None:
        from wallet_cli.prompts import confirm as ask

        _check_total(review, cap)
        looks = [w for w in review["warnings"] if "poisoning" in w]   # the review keeps them in English
        if looks and options().yes and not allow_lookalike:
            raise Refused(_("{warning}; pass --allow-lookalike to pay anyway").format(
                warning=show.literal(show.shown(looks[0]))))
        if not (options().json and options().yes):
            show.review(review)
        ask(_("Sign and send {transactions} transaction(s) for {rows} row(s)?").format(
            transactions=review["fees"].get("transactions"), rows=review["to_pay"]))

    bar = show.Bar(len(plan.rows)) if not options().json else None
    if bar:
        bar.__enter__()
    try:
        with journal.lock("payout-run:" + name):       # one process per run: two would both sign its rows
            report = engine.execute(name, plan, runs, driver, confirm=confirm, wait=wait, timeout=timeout,
                                    key_for=lambda review, groups: service.signer(entry, net, review, groups),
                                    progress=bar, journalled=lambda: service.journalled(entry, net, journal))
    finally:
        if bar:
            bar.__exit__()
    if report.signed_here:
        service.journalled(entry, net, journal)
    _render(report)


def _check_total(review: dict[str, Any], cap: Any) -> None:
    from decimal import Decimal

    if cap is not None and Decimal(str(review["fees"].get("max_total", "0"))) > cap.to_decimal():
        raise Refused(_("the run's fees could reach {amount} {symbol}, above --max-total-fee {cap}").format(
            amount=review["fees"]["max_total"], symbol=cap.symbol, cap=cap.plain()))


def _render(report: Any) -> None:
    from wallet_cli.payouts import show

    data = report.to_json()

    def human() -> None:
        states = ", ".join(_("{count} {state}").format(count=v, state=translated(k))
                           for k, v in sorted(report.counts.items()))
        output.info(_("run {run}: {rows} rows ({states}), {transactions} transaction(s)").format(
            run=show.literal(report.run), rows=report.rows, states=states, transactions=report.transactions))
        for c in report.conflicts:
            output.warn(_("line {line} changed after it was paid ({txid}); not paid again").format(
                line=c["line"], txid=c["txid"]))
        for r in report.refused:
            output.warn(_("line {line} ({to}): {state}: {detail}").format(
                line=r["line"], to=r["to"], state=translated(r["state"]), detail=show.literal(show.shown(r["detail"]))))

    output.emit(data, human)
    if report.exit_code:   # report.stopped is the English of --json; a person reads it in their language
        why = show.shown(report.stopped) if report.stopped else _(
            "{conflicts} row(s) conflict with what was paid and {refused} row(s) were refused; see the report").format(
            conflicts=len(report.conflicts), refused=len(report.refused))
        raise _RunEnded(show.literal(why), report.exit_code)


class _RunEnded(CliError):
    """The run ended with rows unpaid; the exit code says why (4 refused, 5 network, 130 interrupted)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code


def _rows(name: str) -> list[dict[str, Any]]:
    from wallet_cli.payouts import service

    runs = service.runs_of(_journal())
    if runs.run_info(name) is None:
        raise UsageError(_("there is no payout run named {name!r} in this wallet's journal").format(name=name))
    return [r.to_json() for r in runs.rows(name)]


@pay_app.command("status")
def status(name: Annotated[str, typer.Argument(help="Run name.")]) -> None:
    """Per row: id, to, amount, state, txid (from the journal)."""
    from wallet_cli.payouts import show

    rows = _rows(name)
    output.emit(rows, lambda: show.status_table(rows))


@pay_app.command("report")
def report(
    name: Annotated[str, typer.Argument(help="Run name.")],
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout.")] = False,
) -> None:
    """The run's rows as CSV or JSON, for bookkeeping."""
    import json
    import sys

    from wallet_cli.payouts import show

    rows = _rows(name)
    if as_csv and not (as_json or options().json):
        show.csv_report(rows)
    else:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")


def register(app: typer.Typer) -> None:
    app.add_typer(pay_app, name="pay", rich_help_panel="Chains")
