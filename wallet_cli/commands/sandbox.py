"""devnet up | fund, and demo."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from wallet_cli import accounts, netconf, output, session
from wallet_cli.errors import UsageError
from wallet_i18n import _

devnet_app = typer.Typer(help="Local sandbox chains for trying the wallet and testing scripts.",
                         no_args_is_help=True)


@devnet_app.command("up")
def up(
    chains: Annotated[str, typer.Option(help="Comma-separated families to run: evm, btc, sol, tron.")]
    = "evm,btc,sol,tron",
) -> None:
    """Run local chains in the foreground where local-evm/-btc/-sol/-tron point; Ctrl-C stops them.

    Prints one JSON line with the endpoints once every chain is ready.
    """
    import signal
    import threading
    from contextlib import ExitStack

    from wallet_cli import devnets

    fams = devnets.parse_families(chains)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    from urllib.parse import urlparse

    # Serve where the local-* networks point (their built-in ports, or WALLET_RPC_LOCAL_* overrides).
    ports = {f: urlparse(netconf.network(devnets.SANDBOXES[f][1]).rpc_url).port or 0 for f in fams}
    with ExitStack() as stack:
        urls = devnets.start_all(stack, fams, ports)
        ready = {"ready": True, "networks": {devnets.SANDBOXES[f][1]: urls[f] for f in fams}}
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    output.info(_("devnet stopped"))


@devnet_app.command("fund")
def fund(
    account: Annotated[str, typer.Argument(help="Account reference or address.")],
    amount: Annotated[str, typer.Option(help="Decimal amount of the native coin (or of --token).")],
    network: Annotated[str, typer.Option("--network", "-n", help="local-evm, local-btc, local-sol or local-tron.")],
    token: Annotated[str | None, typer.Option(help="local-tron: mint the sandbox's USDT instead.")] = None,
) -> None:
    """Give an account coins on a running local sandbox."""
    from chains.base import Amount, get_adapter
    from chains.errors import ChainError, Unavailable
    from wallet_cli import devnets

    net = netconf.network(network)
    if net.kind != "local" or net.family not in devnets.SANDBOXES:
        raise UsageError(_("{network} is not a local sandbox network; funding works on local-evm, local-btc, "
                           "local-sol, local-tron").format(network=network))
    if token is not None and net.family != "tron":
        raise UsageError(_("--token works on local-tron only (its sandbox has a USDT-like TRC-20)"))
    entry = _vault_entry(account)
    if entry is None:  # not an account of this vault: a plain address
        address = get_adapter(net, None).parse_address(account, net)
    elif net.family == "btc":
        address = get_adapter(net, netconf.data_dir()).receive_address(accounts.to_account(entry))
    else:
        address = entry["address"]
    value = Amount.parse(amount, net.decimals, net.symbol)
    extra = {}
    if token is not None:
        spec = next((s for k, s in net.tokens.items() if token in (k, s.get("address"))), None)
        if spec is None:
            raise UsageError(_("{network} lists no token {token!r}").format(network=network, token=token))
        value = Amount.parse(amount, int(spec["decimals"]), token)
        extra = {"token": token}
    try:
        txid = devnets.module(net.family).fund(net.rpc_url, address, value.value, **extra)
    except (OSError, RuntimeError) as e:  # anvil helpers raise URLError / SandboxError
        if isinstance(e, ChainError):
            raise
        raise Unavailable(_("no {network} sandbox answers at {url}; start one with 'wallet devnet up'").format(
            network=network, url=net.rpc_url)) from None
    output.emit({"network": network, "address": address, "amount": value.plain(), "txid": txid},
                lambda: output.info(_("Funded {address} with {amount} on {network}").format(
                    address=address, amount=value, network=network)))


def _vault_entry(ref: str) -> dict | None:
    from keystore import vault
    from wallet_cli.context import options

    if options().vault not in vault.list_vaults(options().home):
        if ref.partition(":")[0] in ("evm", "btc", "sol", "tron"):
            session.vault_info()  # raises "no vault named ..." for a reference like evm:0
        return None
    try:
        return accounts.resolve(ref, session.vault_info().accounts)
    except UsageError:
        return None


def demo(
    chains: Annotated[str, typer.Option(help="Comma-separated families to show: evm, btc, sol, tron.")]
    = "evm,btc,sol,tron",
    keep: Annotated[bool, typer.Option(help="Keep the throwaway home and print where it is.")] = False,
) -> None:
    """A tour on local chains in a throwaway home: vault, accounts, funding, sends, balances, history."""
    from wallet_cli import demo as demo_mod
    from wallet_cli import devnets
    from wallet_cli.context import options

    demo_mod.run(devnets.parse_families(chains), keep=keep, json_lines=options().json)


def register(app: typer.Typer) -> None:
    app.add_typer(devnet_app, name="devnet", rich_help_panel="Sandbox")
    app.command(rich_help_panel="Sandbox")(demo)
