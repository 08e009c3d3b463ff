"""Entry point. main() only maps errors to exit codes; the Typer app does the work (httpie's split)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from wallet_cli.context import Options, default_home, set_options

app = typer.Typer(
    name="wallet",
    help="A self-custody, multi-chain HD wallet: EVM, Bitcoin, Solana and TRON from one BIP39 seed.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain click help: rich's renderer costs ~80 ms of start-up (target < 0.3 s)
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
    vault: Annotated[str, typer.Option(help="Vault name in $WALLET_HOME/vaults.", envvar="WALLET_VAULT")] = "default",
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
) -> None:
    set_options(Options(home=(home.expanduser() if home else default_home()), json=json_out, yes=yes,
                        password_file=password_file, vault=vault, debug=debug))


def _register() -> None:
    from wallet_cli.commands import accounts, bitcoin, chain, contacts, keyring_cmd, keys, networks, sandbox, vault

    for module in (vault, accounts, keys, keyring_cmd, bitcoin, chain, contacts, networks, sandbox):
        module.register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    from click.exceptions import ClickException, NoArgsIsHelpError

    from wallet_cli import errors, output
    from wallet_cli.context import options

    command = typer.main.get_command(app)
    try:
        command.main(args=argv if argv is not None else sys.argv[1:], prog_name="wallet", standalone_mode=False)
        return errors.OK
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        output.error("aborted")
        return errors.INTERRUPTED
    except NoArgsIsHelpError as e:
        e.show()
        return errors.USAGE
    except ClickException as e:
        output.error(e.format_message())
        return errors.USAGE
    except (KeyboardInterrupt, BrokenPipeError) as e:
        if isinstance(e, BrokenPipeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return errors.OK
        output.error("interrupted")
        return errors.INTERRUPTED
    except Exception as e:  # noqa: BLE001 - the one place that maps every error to an exit code
        code = errors.exit_code_for(e)
        if code is None:
            if options().debug:
                import traceback

                traceback.print_exc()
            # The message of an unexpected error could carry data; show only its type.
            output.error(f"unexpected {e.__class__.__name__}; this is a bug. Re-run with --debug for a traceback")
            return errors.BUG
        output.error(str(e))
        return code


def run() -> None:
    sys.exit(main())
