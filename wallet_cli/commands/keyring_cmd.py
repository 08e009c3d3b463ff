"""keyring remember | forget: opt in to keeping the vault password in the OS keychain."""

from __future__ import annotations

from typing import Any

import typer

from wallet_cli import config, output, passwords, session
from wallet_cli.context import options
from wallet_cli.errors import CliError

keyring_app = typer.Typer(help="Keep the vault password in the OS keychain (opt-in).", no_args_is_help=True)


class KeyringUnavailable(CliError):
    exit_code = 3


def _backend_check() -> None:
    import keyring
    from keyring.backends import fail

    if isinstance(keyring.get_keyring(), fail.Keyring):
        raise KeyringUnavailable("no OS keyring is available on this machine (keyring's 'fail' backend is active)")


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
    import keyring

    _backend_check()
    name = options().vault
    info = session.vault_info()
    pw = passwords.unlock_password(name, info.id)
    from keystore import vault

    vault.unlock(options().home, name, pw)  # proves the password before storing it
    keyring.set_password(passwords.KEYRING_SERVICE, passwords.keyring_account(info.id), pw)
    _set_flag(True)
    output.emit({"vault": name, "keyring": True},
                lambda: output.info(f"The password of vault '{name}' is now kept in the OS keychain."))


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
                lambda: output.info(f"Vault '{name}' no longer uses the OS keychain."))


def register(app: typer.Typer) -> None:
    app.add_typer(keyring_app, name="keyring", rich_help_panel="Vault")
