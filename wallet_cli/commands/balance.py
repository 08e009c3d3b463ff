"""wallet balance: an account's balance of the native coin or a token."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli import accounts, output
from wallet_cli.commands.common import NetworkOpt, adapter_for, entry_for
from wallet_cli.errors import UsageError
from wallet_i18n import _


def balance(
    account: Annotated[str, typer.Argument(help="Account reference: evm:0, a label or an address.")],
    network: NetworkOpt,
    token: Annotated[str | None, typer.Option(help="Token symbol or contract/mint address.")] = None,
) -> None:
    """Show an account's balance of the native coin or a token."""
    entry = entry_for(account)
    net, adapter = adapter_for(network)
    if entry["chain"] != net.family:
        raise UsageError(_("{network} is {a_network} but {account} is {an_account}").format(
            network=network, a_network=accounts.a_network(net.family), account=account,
            an_account=accounts.an_account(entry["chain"])))
    acct = accounts.to_account(entry)
    detail: dict[str, Any] = {}
    if hasattr(adapter, "balances") and token is None:  # btc: confirmed, pending and total
        parts = adapter.balances(acct)
        detail = {k: v.plain() for k, v in parts.items()}
        amount = parts["total"]
    else:
        amount = adapter.balance(acct, token)
    resources = adapter.resources(acct) if hasattr(adapter, "resources") else {}  # tron: bandwidth, energy
    data = {"account": acct.ref, "address": accounts.address_on(entry, net), "network": network,
            "symbol": amount.symbol, "balance": amount.plain(), "base_units": str(amount.value),
            "decimals": amount.decimals, **detail, **({"resources": resources} if resources else {})}
    def human() -> None:
        if detail:
            output.line(_("{amount} {symbol} (confirmed {confirmed}, pending {pending})").format(
                amount=amount.plain(), symbol=amount.symbol, confirmed=detail["confirmed"],
                pending=detail["pending"]))
        else:
            output.line(f"{amount.plain()} {amount.symbol}")
        if resources:
            if set(resources) == {"free_bandwidth", "staked_bandwidth", "energy"}:   # tron's, as one sentence
                output.info(_("Resources: free bandwidth {free_bandwidth}, staked bandwidth {staked_bandwidth}, "
                              "energy {energy}").format(**resources))
            else:
                output.info(_("Resources: {resources}").format(
                    resources=", ".join(f"{k.replace('_', ' ')} {v}" for k, v in resources.items())))
    output.emit(data, human)



def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Chains")(balance)
