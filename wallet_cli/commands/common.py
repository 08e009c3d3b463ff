"""Helpers shared by the chain commands: the adapter for a network, accounts, the journal, results."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli import accounts, netconf, output, session
from wallet_cli.context import options
from wallet_i18n import N_, _, translated

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


def require(adapter: Any, method: str, message: str) -> None:
    """Refuse before unlocking anything when the adapter lacks an optional capability. `message` is the
    whole refusal, translated, with a {network} placeholder: "message signing is not available on {network}"."""
    from chains.base import ChainAdapter
    from chains.errors import Unsupported

    if getattr(type(adapter), method, None) is getattr(ChainAdapter, method, None):
        raise Unsupported(message.format(network=adapter.network.name))


def default_network(family: str) -> Any:
    return next(n for n in netconf.all_networks().values() if n.family == family)


# A transaction's states, as the journal and --json spell them; shown translated to a person only.
STATES = (N_("signed"), N_("pending"), N_("confirmed"), N_("failed"), N_("unknown"), N_("rejected"),
          N_("replaced"), N_("dropped"))


def state_word(state: str) -> str:
    """A state as a person reads it (translated); --json keeps the English word."""
    return translated(state) if state in STATES else state


def human_text(msgid: str) -> str:
    """A message marked with N_() for a review value: English under --json (what a script reads there),
    translated for a person."""
    return msgid if options().json else translated(msgid)


def render_result(result: Any) -> None:
    data = result.to_json()

    def human() -> None:
        if result.replayed:
            output.info(_("{state}: {txid} (already sent earlier; not sent again)").format(
                state=state_word(result.state), txid=result.txid))
        else:
            output.info(_("{state}: {txid}").format(state=state_word(result.state), txid=result.txid))
        output.line(result.txid)
    output.emit(data, human)
