"""The Typer app: global options and a table of commands, each imported only when it runs.

click's lazy-group pattern: `list_commands` reads the table below and `get_command` imports the one
module that defines the command, so `wallet send` never imports the vault, network or sandbox
commands, and `--help` imports none (its one-line summaries come from the table).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

import wallet_i18n
from wallet_cli.context import Options, default_home, set_options
from wallet_i18n import translated

# name -> (module in wallet_cli.commands, one-line help, help panel). Order is the order of --help.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("vault", "Create a new vault with a new mnemonic.", "Vault"),
    "restore": ("vault", "Restore a vault from a mnemonic.", "Vault"),
    "show-mnemonic": ("vault", "Show the vault's mnemonic (asks you to confirm).", "Vault"),
    "change-password": ("vault", "Change the vault password.", "Vault"),
    "vaults": ("vault", "List the vaults in the wallet home.", "Vault"),
    "keyring": ("keyring_cmd", "Remember or forget the vault password in the OS keyring.", "Vault"),
    "accounts": ("accounts", "List, derive and label accounts.", "Accounts"),
    "address": ("accounts", "Show an account's receive address (optionally as a QR code).", "Accounts"),
    "import-key": ("keys", "Import a raw private key.", "Keys"),
    "export-key": ("keys", "Export one account's private key (asks you to confirm).", "Keys"),
    "import-keystore": ("keys", "Import a Web3 Secret Storage (JSON keystore) file.", "Keys"),
    "export-keystore": ("keys", "Export an evm or tron key as a JSON keystore.", "Keys"),
    "export-xpub": ("bitcoin", "Export a btc account's descriptors for a watch-only wallet.", "Keys"),
    "import-xpub": ("bitcoin", "Watch a btc account from its descriptor (no keys).", "Keys"),
    "balance": ("balance", "Show an account's balance of the native coin or a token.", "Chains"),
    "send": ("send", "Send native coin or a token.", "Chains"),
    "broadcast": ("send", "Publish a signed transaction file.", "Chains"),
    "tx": ("tx", "Follow, speed up or cancel a sent transaction.", "Chains"),
    "portfolio": ("portfolio", "Balances of every account across networks, with totals per asset.", "Chains"),
    "history": ("history", "List the transactions this wallet signed or broadcast.", "Chains"),
    "psbt": ("bitcoin", "Show a Bitcoin PSBT, or sign it offline.", "Chains"),
    "pay": ("pay", "Batch payouts from a CSV file, exactly once and resumable.", "Chains"),
    "networks": ("networks", "List, add and remove networks.", "Chains"),
    "tokens": ("tokens", "List, add and remove a network's tokens.", "Chains"),
    "contacts": ("contacts", "Keep an address book.", "Chains"),
    "sign-message": ("messages", "Sign a message.", "Messages"),
    "sign-typed-data": ("messages", "Sign EIP-712 typed data.", "Messages"),
    "verify-message": ("messages", "Verify a signed message.", "Messages"),
    "policy": ("policy", "Show, set or check the spending policy.", "Safety"),
    "agent": ("agent", "Start, query or stop the signing agent.", "Safety"),
    "journal": ("agent", "Reconcile the journal after it was lost or rolled back.", "Safety"),
    "config": ("settings", "Show or change settings, such as the language.", "Settings"),
    "devnet": ("sandbox", "Run local sandbox chains.", "Sandbox"),
    "demo": ("sandbox", "A guided tour on local sandbox chains.", "Sandbox"),
}


class LazyGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        if ctx.params.get("home"):   # parsed, though the root callback has not run yet
            wallet_i18n.set_home(Path(ctx.params["home"]).expanduser())
        module = importlib.import_module(f"wallet_cli.commands.{spec[0]}")
        sub = typer.Typer()
        sub.callback()(lambda: None)   # always a group, even for a module with one command
        module.register(sub)
        return translate_help(typer.main.get_group(sub).get_command(ctx, cmd_name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        panels: dict[str, list[tuple[str, str]]] = {}
        for name, (_module, text, panel) in COMMANDS.items():
            panels.setdefault(panel, []).append((name, translated(text)))
        for panel, rows in panels.items():
            with formatter.section(translated(panel)):
                formatter.write_dl(rows)


def translate_help(cmd: Any) -> Any:
    """Help texts are English in the code (docstrings and help=, evaluated once at import) and each is its
    own msgid: they are translated here, on the click objects of this run, with every subcommand. Every
    level renders plain click help, as the root does: typer's rich panels cost start-up, and their titles
    are fixed in English when typer.rich_utils is first imported."""
    if cmd is None:
        return cmd
    if hasattr(cmd, "rich_markup_mode"):
        cmd.rich_markup_mode = None
    if wallet_i18n.language() != "en":
        from wallet_cli import help_layout

        help_layout.install()
        for attr in ("help", "short_help", "epilog"):
            if getattr(cmd, attr, None):
                setattr(cmd, attr, translated(getattr(cmd, attr)))
        for param in cmd.params:
            if getattr(param, "help", None):
                param.help = translated(param.help)
    for sub in getattr(cmd, "commands", {}).values():
        translate_help(sub)
    return cmd


app = typer.Typer(
    name="wallet",
    cls=LazyGroup,
    help="A self-custody, multi-chain HD wallet: EVM, Bitcoin, Solana and TRON from one BIP39 seed.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain click help: rich's renderer costs ~80 ms of start-up
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    home: Annotated[Path | None, typer.Option(help="Wallet home (default: $WALLET_HOME, then the user data dir).",
                                              show_default=False)] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Answer yes to confirmations (scripts).")] = False,
    password_file: Annotated[Path | None, typer.Option(
        help="File whose first line is the vault password (or WALLET_PASSWORD_FILE).", show_default=False)] = None,
    vault: Annotated[str | None, typer.Option(
        help="Vault name in $WALLET_HOME/vaults (default: the only vault there, else 'default').",
        envvar="WALLET_VAULT", show_default=False)] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.", is_eager=True,
                                          callback=lambda v: _version(v))] = False,
) -> None:
    home = home.expanduser() if home else default_home()
    wallet_i18n.set_home(home)
    set_options(Options(home=home, json=json_out, yes=yes, password_file=password_file,
                        vault=vault if vault is not None else (_only_vault(home) or "default"), debug=debug,
                        vault_given=vault is not None))


def _only_vault(home: Path) -> str | None:
    """A home holding exactly one vault uses it without --vault."""
    d = home / "vaults"
    if not d.is_dir():
        return None
    names = [p.stem for p in d.glob("*.json")]
    return names[0] if len(names) == 1 else None


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("wallet-cli")
        except PackageNotFoundError:
            v = "unknown"
        typer.echo(f"wallet {v}")   # i18n: not shown (the name and version, as scripts parse it)
        raise typer.Exit(0)


def command() -> Any:
    """The click command for the whole app."""
    return translate_help(typer.main.get_command(app))
