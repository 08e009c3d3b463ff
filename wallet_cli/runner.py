"""run_cli(): one invocation of the app with every error mapped to its exit code and one sentence.

The app (wallet_cli.app) does the work; this only maps errors (httpie's main/program split). The demo runs
its steps through it, and wallet_cli.main is the console entry point around it.
"""

from __future__ import annotations

import os
import sys


def run_cli(argv: list[str] | None = None) -> int:
    import typer
    from click.exceptions import ClickException, NoArgsIsHelpError

    import wallet_i18n
    from wallet_cli import errors, output
    from wallet_cli.app import command as app_command
    from wallet_cli.context import default_home, options
    from wallet_i18n import _

    wallet_i18n.reset()
    wallet_i18n.set_home(default_home())   # the root callback re-points it for --home
    wallet_i18n.adopt_click()
    command = app_command()
    args = argv if argv is not None else sys.argv[1:]
    if "--json" in args:  # so that errors found before the root callback runs (an unknown command) are JSON
        from wallet_cli.context import Options, set_options

        set_options(Options(home=default_home(), json=True))
    try:
        rv = command.main(args=args, prog_name="wallet", standalone_mode=False)
        if rv == errors.INTERRUPTED:     # Typer turns Ctrl-C into Exit(130), returned (not raised) here
            output.error(_("interrupted"), code="interrupted")
            return errors.INTERRUPTED
        return errors.OK
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        output.error(_("aborted"), code="interrupted")
        return errors.INTERRUPTED
    except NoArgsIsHelpError as e:
        e.show()
        return errors.USAGE
    except ClickException as e:
        output.error(e.format_message(), code="usage_error")
        return errors.USAGE
    except (KeyboardInterrupt, BrokenPipeError) as e:
        if isinstance(e, BrokenPipeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return errors.OK
        output.error(_("interrupted"), code="interrupted")
        return errors.INTERRUPTED
    except Exception as e:  # noqa: BLE001 - the one place that maps every error to an exit code
        code = errors.exit_code_for(e)
        if code is None:
            if options().debug:
                import traceback

                traceback.print_exc()
            # The message of an unexpected error could carry data; show only its type.
            output.error(_("unexpected {kind}; this is a bug. Re-run with --debug for a traceback").format(
                kind=e.__class__.__name__), code="bug")
            return errors.BUG
        output.error(errors.message_for(e), code=errors.code_for(e))
        return code
