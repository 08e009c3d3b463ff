"""Where passwords and other secrets come from. Never from argv.

Order for unlocking: --password-file / WALLET_PASSWORD_FILE, the OS keyring (opt-in per vault),
WALLET_PASSWORD (documented as unsafe: other processes of the same user may read the environment),
then a prompt when a person is at a terminal. Otherwise fail at once with exit 3: never hang.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from wallet_cli import output
from wallet_cli.context import options
from wallet_cli.errors import PasswordUnavailable, UsageError
from wallet_i18n import N_, _, translated

KEYRING_SERVICE = "wallet-cli"


def read_secret_file(path: Path, what: str = N_("password file")) -> str:
    """The first line of a file, without its line ending. Warns when others can read the file.

    `what` names the file for a person: a message id, marked with N_() where it is written."""
    from keystore.boundedio import SECRET_CAP, read_text

    first = read_text(path, SECRET_CAP, what).split("\n", 1)[0]
    if str(path) != "-" and path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
        output.warn(_("the {what} {path} is readable by other users; chmod 600 it").format(
            what=translated(what), path=path))
    return first.rstrip("\r\n")


def _password_file() -> Path | None:
    if options().password_file:
        return options().password_file
    env = os.environ.get("WALLET_PASSWORD_FILE")
    return Path(env) if env else None


def keyring_account(vault_id: str) -> str:
    return f"vault:{vault_id}"


def _from_keyring(vault: str, vault_id: str | None) -> str | None:
    from wallet_cli import config

    if not vault_id or not config.vault_settings(options().home, vault).get("keyring"):
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_account(vault_id))
    except KeyringError as e:
        from chains.errors import reason_of

        output.warn(_("the OS keyring failed ({reason}); trying other password sources").format(reason=reason_of(e)))
        return None


def prompt_hidden(text: str, *, repeat: str | None = None) -> str:
    """A hidden prompt on the terminal; with `repeat`, asked twice and the answers must match."""
    import getpass

    first = getpass.getpass(text, stream=sys.stderr)
    if repeat is not None and getpass.getpass(repeat, stream=sys.stderr) != first:
        raise UsageError(_("the two entries differ"))
    return first


def unlock_password(vault: str, vault_id: str | None = None) -> str:
    pf = _password_file()
    if pf:
        return read_secret_file(pf)
    from_keyring = _from_keyring(vault, vault_id)
    if from_keyring is not None:
        return from_keyring
    env = os.environ.get("WALLET_PASSWORD")
    if env is not None:
        return env
    if options().interactive:
        return prompt_hidden(_("Password for vault '{vault}': ").format(vault=vault))
    raise PasswordUnavailable(
        _("no password available and no terminal to ask on: use --password-file, WALLET_PASSWORD_FILE, "
          "the keyring ('wallet keyring remember') or WALLET_PASSWORD")
    )


def new_password(vault: str, *, file: Path | None = None, prompt_only: bool = False) -> str:
    """A password for a new vault or a password change: asked twice on a terminal.

    prompt_only: ignore --password-file and WALLET_PASSWORD (they hold the old one in a change).
    """
    pf = file or (None if prompt_only else _password_file())
    if pf:
        pw = read_secret_file(pf)
    elif not prompt_only and os.environ.get("WALLET_PASSWORD") is not None:
        pw = os.environ["WALLET_PASSWORD"]
    elif options().interactive:
        pw = prompt_hidden(_("New password for vault '{vault}': ").format(vault=vault),
                           repeat=_("Repeat the password: "))
    else:
        raise PasswordUnavailable(
            _("no new password available and no terminal to ask on: use --password-file or WALLET_PASSWORD_FILE")
        )
    if not pw:
        raise UsageError(_("the password must not be empty"))
    return pw


def secret_text(what: str, file: Path | None, *, prompt: str, file_what: str) -> str:
    """A mnemonic, key or passphrase: from a file ('-' for stdin), else piped stdin, else a hidden prompt.

    `what` ("mnemonic") and `file_what` ("mnemonic file") name the secret and its file for a person: message
    ids, marked with N_() where they are written."""
    from keystore.boundedio import SECRET_CAP, read_text

    if file is not None:
        return read_text(file, SECRET_CAP, file_what).strip()
    if not sys.stdin.isatty():
        text = read_text("-", SECRET_CAP, what).strip()
        if not text:
            raise UsageError(_("no {what} on standard input").format(what=translated(what)))
        return text
    if sys.stderr.isatty():
        return prompt_hidden(prompt).strip()
    raise UsageError(_("no {what} given: pass a file or pipe it on standard input").format(what=translated(what)))
