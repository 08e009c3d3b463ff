"""keyring remember | forget: opt in to keeping the vault password in the OS keychain."""

from __future__ import annotations

from typing import Any

import typer

from wallet_cli import config, output, passwords, session
from wallet_cli.context import options
from wallet_cli.errors import CliError
from wallet_i18n import _

keyring_app = typer.Typer(help="Keep the vault password in the OS keychain (opt-in).", no_args_is_help=True)


class KeyringUnavailable(CliError):
    exit_code = 3


BACKEND_DEADLINE = 15.0  # seconds; a backend waiting on its own unlock prompt must not hang us
# Runs in a child with no controlling terminal, so a backend cannot prompt on one; the password comes
# on stdin (never argv) and a failure is one line of reason on stderr (empty when it gave none: the parent
# says so in the user's language).
_CHILD = """
import sys, keyring
try:
    keyring.set_password(sys.argv[1], sys.argv[2], sys.stdin.read())
except BaseException as e:
    sys.stderr.write(str(e).strip().splitlines()[0][:200] if str(e).strip() else "")
    sys.exit(1)
"""


def _store(account: str, password: str) -> None:
    import subprocess
    import sys

    try:
        p = subprocess.run([sys.executable, "-c", _CHILD, passwords.KEYRING_SERVICE, account], input=password,
                           capture_output=True, text=True, timeout=BACKEND_DEADLINE, start_new_session=True)
    except subprocess.TimeoutExpired:
        raise KeyringUnavailable(_("the OS keyring did not answer within {seconds:g} s (it may be waiting "
                                   "for an unlock prompt of its own); unlock it and try again").format(
                                       seconds=BACKEND_DEADLINE)) from None
    if p.returncode != 0:
        reason = output.escaped(p.stderr.strip()) or _("it gave no reason")
        raise KeyringUnavailable(_("the OS keyring refused to store the password: {reason}").format(reason=reason))


def _backend_check() -> None:
    import keyring
    from keyring.backends import fail

    if isinstance(keyring.get_keyring(), fail.Keyring):
        raise KeyringUnavailable(_("no OS keyring is available on this machine (keyring's 'fail' backend is active)"))


def _set_flag(on: bool) -> None:
    def change(cfg: dict[str, Any]) -> None:
        vaults = cfg.setdefault("vaults", {})
        v = vaults.setdefault(options().vault, {})
        if on:
            v["keyring"] = True
        else:
            v.pop("keyring", None)
    config.update(options().home, change)


@keyring_app.command("remember")
def remember() -> None:
    """Unlock once (checking the password), then store it in the OS keychain for this vault."""
    _backend_check()
    name = options().vault
    info = session.vault_info()
    pw = passwords.unlock_password(name, info.id)
    from keystore import vault

    vault.unlock(options().home, name, pw)  # proves the password before storing it
    _store(passwords.keyring_account(info.id), pw)
    _set_flag(True)
    output.emit({"vault": name, "keyring": True},
                lambda: output.info(_("The password of vault '{name}' is now kept in the OS keychain.").format(
                    name=name)))


@keyring_app.command("forget")
def forget() -> None:
    """Remove the vault password from the OS keychain."""
    import keyring
    from keyring.errors import PasswordDeleteError

    _backend_check()
    name = options().vault
    info = session.vault_info()
    try:
        keyring.delete_password(passwords.KEYRING_SERVICE, passwords.keyring_account(info.id))
        removed = True
    except PasswordDeleteError:
        removed = False
    _set_flag(False)
    output.emit({"vault": name, "keyring": False, "removed": removed},
                lambda: output.info(_("Vault '{name}' no longer uses the OS keychain.").format(name=name)))


def register(app: typer.Typer) -> None:
    app.add_typer(keyring_app, name="keyring", rich_help_panel="Vault")
