"""Helpers shared by the chain commands: the adapter for a network, accounts, the journal, results."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli import accounts, netconf, output, session
from wallet_cli.context import options

NetworkOpt = Annotated[str, typer.Option("--network", "-n", help="Network name; see 'wallet networks list'.")]


def adapter_for(network_name: str):  # noqa: ANN201 - (chains.base.Network, ChainAdapter)
    from chains.base import get_adapter

    net = netconf.network(network_name)
    return net, get_adapter(net, netconf.data_dir())


def entry_for(ref: str) -> dict[str, Any]:
    return accounts.resolve(ref, session.vault_info().accounts)


def journal():  # noqa: ANN201 - wallet_cli.journal.Journal
    from wallet_cli.journal import Journal

    return Journal(options().home)


def require(adapter: Any, method: str, what: str) -> None:
    """Refuse before unlocking anything when the adapter lacks an optional capability."""
    from chains.base import ChainAdapter
    from chains.errors import Unsupported

    if getattr(type(adapter), method, None) is getattr(ChainAdapter, method, None):
        raise Unsupported(f"{what} is not available on {adapter.network.name}")


def default_network(family: str) -> Any:
    return next(n for n in netconf.all_networks().values() if n.family == family)


def render_result(result: Any) -> None:
    data = result.to_json()

    def human() -> None:
        note = " (already sent earlier; not sent again)" if result.replayed else ""
        output.info(f"{result.state}: {result.txid}{note}")
        output.line(result.txid)
    output.emit(data, human)
