"""networks list | add | remove: custom networks live in config.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli import config, netconf, output
from wallet_cli.context import options
from wallet_cli.errors import Refused, UsageError
from wallet_i18n import N_, _, translated

networks_app = typer.Typer(help="List, add and remove networks.", no_args_is_help=True)

# What the table shows in the kind column (--json keeps mainnet/testnet/local), and the built-in networks'
# descriptions (chains/networks.toml), so a person reads them in their language; any other note is shown as is.
KINDS = {"mainnet": N_("mainnet"), "testnet": N_("testnet"), "local": N_("local")}
NOTES = (N_("OKX's X Layer (native OKB)"), N_("X Layer testnet (native test OKB)"),
         N_("legacy: OKX Chain (OKTC) is being retired; use xlayer"))


@networks_app.command("list")
def list_networks(
    family: Annotated[str | None, typer.Option(help="Only evm, btc, sol or tron.")] = None,
) -> None:
    """List built-in and custom networks."""
    from chains.networks import builtin_networks, env_rpc_var
    from chains.transport import redact_url

    builtin = builtin_networks()
    nets = [n for n in netconf.all_networks().values() if family is None or n.family == family]
    rows = [{"name": n.name, "family": n.family, "chain_id": n.chain_id, "symbol": n.symbol, "kind": n.kind,
             "rpc_url": redact_url(n.rpc_url) if n.rpc_url else "", "rpc_env": env_rpc_var(n.name),
             "fee_cap": n.fee_cap, "custom": n.name not in builtin, "tokens": sorted(n.tokens),
             "description": n.description}
            for n in nets]
    output.emit(rows, lambda: output.table(
        [N_("name"), N_("family"), N_("chain id"), N_("symbol"), N_("kind"), N_("rpc"), N_("fee cap"), N_("note")],
        [(r["name"], r["family"], r["chain_id"], r["symbol"], _shown_kind(r["kind"]), r["rpc_url"], r["fee_cap"],
          _shown_note(r["description"])) for r in rows]))


def _shown_kind(kind: str) -> str:
    return translated(KINDS[kind]) if kind in KINDS else kind


def _shown_note(note: str | None) -> str:
    return translated(note) if note in NOTES else note or ""


@networks_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A new network name (lower case, digits, '-').")],
    rpc_url: Annotated[str | None, typer.Option(
        help="The node's RPC URL (an Esplora URL for btc); '-' reads it from stdin.")] = None,
    rpc_url_file: Annotated[Path | None, typer.Option(
        help="Read the RPC URL from this file (keeps an API key out of shell history).")] = None,
    family: Annotated[str, typer.Option(help="evm, btc, sol or tron.")] = "evm",
    chain_id: Annotated[int | None, typer.Option(help="evm: the chain id (required).")] = None,
    symbol: Annotated[str | None, typer.Option(help="Native coin symbol.")] = None,
    decimals: Annotated[int | None, typer.Option(help="Native coin decimals.")] = None,
    explorer: Annotated[str | None, typer.Option(help="Block explorer URL.")] = None,
    fee_cap: Annotated[str | None, typer.Option(help="Max fee per transaction in the native unit.")] = None,
    legacy_fees: Annotated[bool, typer.Option(help="evm: the chain has no EIP-1559.")] = False,
    kind: Annotated[str, typer.Option(help="mainnet, testnet or local.")] = "mainnet",
    btc_network: Annotated[str | None, typer.Option(help="btc: bitcoin, testnet4, signet or regtest.")] = None,
    genesis: Annotated[str | None, typer.Option(
        help="tron: block 0's id (getblockbynum num=0), required; btc: block 0's hash; sol: getGenesisHash. "
             "Checked against the RPC before signing.")] = None,
    verify: Annotated[bool, typer.Option(
        help="evm: check the chain id with the RPC before saving; --no-verify to save offline.")] = True,
    token: Annotated[list[str] | None, typer.Option(help="A token, SYMBOL=ADDRESS:DECIMALS (repeatable).",
                                                    show_default=False)] = None,
) -> None:
    """Add a custom network, or override a built-in one's settings.

    Without --fee-cap a network gets its family's default cap (evm 0.05, btc 0.1, sol 0.01, tron 50).
    """
    import re

    from chains.networks import make_network
    from chains.transport import redact_url

    rpc_url = netconf.read_rpc_url(rpc_url, rpc_url_file)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,40}", name):
        raise UsageError(_("a network name is lower-case letters, digits and '-', up to 41 characters"))
    from chains.networks import check_rpc_url

    check_rpc_url(rpc_url, "--rpc-url")
    spec: dict[str, Any] = {"family": family, "rpc_url": rpc_url, "kind": kind}
    for k, v in (("chain_id", chain_id), ("symbol", symbol), ("decimals", decimals), ("explorer", explorer),
                 ("fee_cap", fee_cap)):
        if v is not None:
            spec[k] = v
    if legacy_fees:
        spec["legacy_fees"] = True
    if family == "btc":
        if btc_network is None:
            raise UsageError(_("a btc network needs --btc-network bitcoin, testnet4, signet or regtest"))
        spec["btc_network"] = btc_network
    if family == "tron":
        if genesis is None:
            raise UsageError(_("a tron network needs --genesis: block 0's blockID, from getblockbynum num=0"))
        spec["genesis"] = genesis.strip().lower()
    elif genesis is not None and family in ("sol", "btc"):
        spec["genesis"] = genesis.strip() if family == "sol" else genesis.strip().lower()
    net = make_network(name, spec)  # validates before anything is written
    if verify and family == "evm":
        _verify_chain_id(rpc_url, int(spec["chain_id"]))
    if token:
        from wallet_cli import tokens

        spec["tokens"] = dict(tokens.parse_spec(t, net) for t in token)

    def change(cfg: dict[str, Any]) -> None:
        cfg.setdefault("networks", {})[name] = spec
    config.update(options().home, change)
    output.emit({"name": name, **spec, "rpc_url": redact_url(rpc_url)},
                lambda: output.info(_("Added network {name}.").format(name=name)))


def _verify_chain_id(url: str, chain_id: int) -> None:
    from chains.errors import Unavailable
    from chains.evm.rpc import remote_chain_id
    from chains.transport import redact_url

    if not url.startswith(("http://", "https://")):
        raise UsageError(_("only an http(s) RPC can be checked; pass --no-verify to save this one unchecked"))
    try:
        got = remote_chain_id(url)
    except Unavailable as e:
        raise Unavailable(_("{reason}; nothing was saved (pass --no-verify to save it without checking)").format(
            reason=e)) from None
    if got != chain_id:
        raise Refused(_("the RPC at {url} reports chain id {got}, not {chain_id}; nothing was saved "
                        "(check the URL and --chain-id)").format(url=redact_url(url), got=got, chain_id=chain_id))


@networks_app.command("remove")
def remove(name: Annotated[str, typer.Argument()]) -> None:
    """Remove a custom network (built-ins come back with their defaults)."""
    def change(cfg: dict[str, Any]) -> None:
        if name not in cfg.get("networks", {}):
            raise UsageError(_("{name} is not a custom network in config.toml").format(name=name))
        del cfg["networks"][name]
    config.update(options().home, change)
    output.emit({"name": name, "removed": True}, lambda: output.info(_("Removed network {name}.").format(name=name)))


def register(app: typer.Typer) -> None:
    app.add_typer(networks_app, name="networks", rich_help_panel="Chains")
