"""accounts derive | list | label, and address (with a QR code)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli import accounts, output, session
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _

COLUMNS = [N_("account"), N_("path"), N_("address"), N_("network"), N_("label")]   # init shows the same order
accounts_app = typer.Typer(help="Derive, list and label accounts.", no_args_is_help=True)


def _rows(entries: list[dict[str, Any]]) -> list[tuple]:
    return [(accounts.to_account(e).ref, accounts.shown_path(e), e["address"], accounts.shown_network(e),
             e.get("label")) for e in entries]


@accounts_app.command("list")
def list_accounts(
    chain: Annotated[str | None, typer.Option(help="Only this family: evm, btc, sol or tron.")] = None,
) -> None:
    """List accounts. Needs no password: the index is public metadata."""
    info = session.vault_info()
    entries = [e for e in info.accounts if chain is None or e["chain"] == accounts.check_chain(chain)]
    output.emit([accounts.public_view(e) for e in entries],
                lambda: output.table(COLUMNS, _rows(entries)))


@accounts_app.command("derive")
def derive(
    chain: Annotated[str, typer.Option(help="evm, btc, sol or tron.")],
    count: Annotated[int, typer.Option(help="How many new accounts, after the highest index.")] = 1,
    path: Annotated[str | None, typer.Option(help="A custom derivation path (one account).")] = None,
    label: Annotated[str | None, typer.Option(help="A label for the new account.")] = None,
    script_type: Annotated[str, typer.Option(
        help="btc only: p2wpkh (BIP84, default), p2tr (BIP86), p2sh-p2wpkh (BIP49) or p2pkh (BIP44).")] = "p2wpkh",
) -> None:
    """Derive new accounts from the vault's seed and add them to the index."""
    accounts.check_chain(chain)
    if script_type not in accounts.BTC_PURPOSES:
        raise UsageError(_("unknown --script-type {script_type!r}; expected {types}").format(
            script_type=script_type, types=", ".join(accounts.BTC_PURPOSES)))
    if script_type != "p2wpkh" and chain != "btc":
        raise UsageError(_("--script-type applies to btc only"))
    added: list[dict[str, Any]] = []

    def mutate(uv: Any) -> None:
        new = accounts.derive_entries(session.seed_of(uv), chain, uv.info.accounts, count, path=path,
                                      purpose=accounts.BTC_PURPOSES[script_type], label=label)
        uv.info.accounts.extend(new)
        added[:] = new

    session.update(mutate)
    output.emit([accounts.public_view(e) for e in added],
                lambda: output.table(COLUMNS, _rows(added)))


@accounts_app.command("label")
def label_account(
    account: Annotated[str, typer.Argument(help="Account reference: evm:0, a label or an address.")],
    label: Annotated[str, typer.Argument(help="The new label.")],
) -> None:
    """Set an account's label (the vault password is needed: labels are authenticated on unlock)."""
    result: dict[str, Any] = {}

    def mutate(uv: Any) -> None:
        entry = accounts.resolve(account, uv.info.accounts)
        accounts.check_label(label, [e for e in uv.info.accounts if e is not entry])
        entry["label"] = label
        result.update(accounts.public_view(entry))

    session.update(mutate)
    output.emit(result, lambda: output.info(_("{ref} is now labelled {label!r}").format(ref=result["ref"],
                                                                                       label=label)))


def address(
    account: Annotated[str, typer.Argument(help="Account reference: evm:0, btc:1, a label or an address.")],
    network: Annotated[str | None, typer.Option("--network", "-n",
        help="btc: the network whose next unused receive address to show (syncs with it).")] = None,
    qr: Annotated[bool, typer.Option(help="Also print a QR code a phone can scan.")] = False,
) -> None:
    """Show an account's receiving address."""
    entry = accounts.resolve(account, session.vault_info().accounts)
    addr = entry["address"]
    if network is not None:
        addr = _network_address(entry, network)
    data = {"account": accounts.to_account(entry).ref, "chain": entry["chain"], "address": addr,
            "network": network}

    def human() -> None:
        output.line(addr)
        if qr:
            _print_qr(addr)
    output.emit(data, human)


def _network_address(entry: dict[str, Any], network_name: str) -> str:
    from chains.base import get_adapter
    from wallet_cli import netconf

    net = netconf.network(network_name)
    if net.family != entry["chain"]:
        raise UsageError(_("{network} is {network_kind} but the account is {chain}").format(
            network=network_name, network_kind=accounts.a_network(net.family), chain=entry["chain"]))
    adapter = get_adapter(net, netconf.data_dir())
    if hasattr(adapter, "receive_address"):
        return adapter.receive_address(accounts.to_account(entry))
    return entry["address"]


def _print_qr(text: str) -> None:
    import io

    import segno

    buf = io.StringIO()
    # BIP21-style upper case is denser for bech32, but keep the exact text so any scanner reads it back.
    segno.make(text, error="m").terminal(out=buf, compact=True, border=2)
    import sys

    sys.stdout.write(buf.getvalue())


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts", rich_help_panel="Accounts")
    app.command(rich_help_panel="Accounts")(address)
