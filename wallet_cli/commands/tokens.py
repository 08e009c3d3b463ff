"""wallet tokens list | add | remove: the tokens each network lists (the portfolio shows them)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli import config, netconf, output, tokens
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _

tokens_app = typer.Typer(help="List, add and remove a network's tokens.", no_args_is_help=True)


@tokens_app.command("list")
def list_tokens(network: Annotated[str | None, typer.Option("--network", "-n")] = None) -> None:
    """The tokens each network lists."""
    nets = [netconf.network(network)] if network else list(netconf.all_networks().values())
    rows = [{"network": n.name, "symbol": sym, "address": spec.get("address"), "decimals": spec.get("decimals")}
            for n in nets for sym, spec in sorted(n.tokens.items())]
    output.emit(rows, lambda: output.table([N_("network"), N_("symbol"), N_("address"), N_("decimals")],
                                           [(r["network"], r["symbol"], r["address"], r["decimals"]) for r in rows]))


@tokens_app.command("add")
def add(
    network: Annotated[str, typer.Argument(help="The network, e.g. base or a custom one.")],
    token: Annotated[str, typer.Argument(help="SYMBOL=ADDRESS:DECIMALS")],
) -> None:
    """List a token on a network (kept in config.toml)."""
    net = netconf.network(network)
    symbol, spec = tokens.parse_spec(token, net)
    config.update(options().home, lambda cfg: tokens.add(cfg, network, symbol, spec))
    output.emit({"network": network, "symbol": symbol, **spec},
                lambda: output.info(_("Added {symbol} on {network}.").format(symbol=symbol, network=network)))


@tokens_app.command("remove")
def remove(network: Annotated[str, typer.Argument()], symbol: Annotated[str, typer.Argument()]) -> None:
    """Remove a token this home added."""
    sym = symbol.upper()

    def change(cfg: dict[str, Any]) -> None:
        listed = cfg.get("networks", {}).get(network, {}).get("tokens", {})
        if sym not in listed:
            raise UsageError(_("{symbol} is not a token this home added on {network}").format(symbol=sym,
                                                                                               network=network))
        del listed[sym]
    config.update(options().home, change)
    output.emit({"network": network, "symbol": sym, "removed": True},
                lambda: output.info(_("Removed {symbol} from {network}.").format(symbol=sym, network=network)))


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens", rich_help_panel="Chains")
