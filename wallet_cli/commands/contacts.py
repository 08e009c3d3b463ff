"""contacts add | list | remove: the address book. Recipients are checked against it for look-alikes."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli import accounts, output
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _

contacts_app = typer.Typer(help="The address book: names for recipients you trust.", no_args_is_help=True)


def _journal():  # noqa: ANN202
    from wallet_cli.journal import Journal

    return Journal(options().home)


@contacts_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A name for the contact.")],
    address: Annotated[str, typer.Argument(help="The address.")],
    chain: Annotated[str | None, typer.Option(help="evm, btc, sol or tron (default: the network's, else evm).",
                                              show_default=False)] = None,
    network: Annotated[str | None, typer.Option("--network", "-n", help="Validate the address for this network "
                                                "(e.g. local-btc for a bcrt1… address).", show_default=False)] = None,
    replace: Annotated[bool, typer.Option(help="Replace the address of an existing contact of that name.")] = False,
) -> None:
    """Add a contact (or, after a question or with --replace, change one); the address is validated."""
    from chains.base import get_adapter
    from wallet_cli import netconf
    from wallet_cli.prompts import confirm

    if network is not None:
        net = netconf.network(network)
        if chain is not None and chain != net.family:
            raise UsageError(_("{network} is {network_kind}, not {chain}").format(
                network=network, network_kind=accounts.a_network(net.family), chain=chain))
        chain = net.family
    else:
        chain = accounts.check_chain(chain or "evm")
        net = next(n for n in netconf.all_networks().values() if n.family == chain and n.kind == "mainnet")
    if not name.strip() or ":" in name or len(name) > 64:
        raise UsageError(_("a contact name must be 1 to 64 characters with no ':'"))
    if _is_address(name):
        raise UsageError(_("a contact name must not itself be an address"))
    normal = get_adapter(net, None).parse_address(address, net)
    jr = _journal()
    old = jr.contact(name, chain)
    if old is not None and old != normal and not replace:
        if not options().interactive and not options().yes:
            from wallet_cli.errors import Refused

            raise Refused(_("{name} is already {old}; pass --replace to change it").format(name=name, old=old))
        confirm(_("{name} is already {old}; replace it with {new}?").format(name=name, old=old, new=normal))
    jr.add_contact(name, chain, normal)
    output.emit({"name": name, "chain": chain, "address": normal},
                lambda: output.info(_("Saved {name}: {address}").format(name=name, address=normal)))


@contacts_app.command("list")
def list_contacts() -> None:
    """List contacts."""
    rows = [{"name": n, "chain": c, "address": a} for n, c, a in _journal().contacts()]
    output.emit(rows, lambda: output.table([N_("name"), N_("chain"), N_("address")],
                                           [(r["name"], r["chain"], r["address"]) for r in rows]))


@contacts_app.command("remove")
def remove(name: Annotated[str, typer.Argument()]) -> None:
    """Remove a contact by name."""
    if not _journal().remove_contact(name):
        raise UsageError(_("no contact named {name!r}").format(name=name))
    output.emit({"name": name, "removed": True}, lambda: output.info(_("Removed {name}.").format(name=name)))


def _is_address(text: str) -> bool:
    from chains.base import get_adapter
    from chains.errors import ChainError
    from wallet_cli import netconf

    for net in netconf.all_networks().values():
        try:
            get_adapter(net, None).parse_address(text, net)
            return True
        except ChainError:
            continue
    return False


def register(app: typer.Typer) -> None:
    app.add_typer(contacts_app, name="contacts")
