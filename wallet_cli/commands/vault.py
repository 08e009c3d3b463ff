"""init, restore, show-mnemonic, change-password, vaults."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli import output, passwords, session
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_cli.prompts import confirm
from wallet_cli.secret_out import write_new_private_file
from wallet_i18n import N_, _

LANG_HELP = ("BIP39 wordlist: english, chinese_simplified, chinese_traditional, japanese, korean, spanish, "
             "french, italian, czech, portuguese.")


def _new_vault_password(name: str) -> str:
    from keystore import vault

    if name in vault.list_vaults(options().home):
        raise UsageError(_("vault '{name}' already exists in {home}; choose another --name").format(
            name=name, home=options().home))
    return passwords.new_password(name)


def _create(mnemonic: str, language: str, passphrase: str, name: str, password: str,
            discover: Any = None) -> dict:
    from keystore import vault
    from wallet_cli import accounts

    home = options().home
    seed = session.seed_of_mnemonic(mnemonic, passphrase)
    entries = accounts.default_entries(seed)
    if discover is not None:
        entries += discover(seed, entries)
    info = vault.create_vault(home, name, password,
                              vault.VaultSecrets(mnemonic=mnemonic, passphrase=passphrase, language=language),
                              entries)
    return {"vault": info.name, "id": info.id, "path": str(info.path), "fingerprint": info.fingerprint,
            "weak_kdf": info.weak, "accounts": [accounts.public_view(e) for e in entries]}


def _passphrase(file: Path | None, ask: bool) -> str:
    if file is not None:
        return passwords.read_secret_file(file, N_("passphrase file"))
    if ask:
        if not options().interactive:
            raise UsageError(_("--ask-passphrase needs a terminal; use --passphrase-file"))
        return passwords.prompt_hidden(_("BIP39 passphrase: "), repeat=_("Repeat the passphrase: "))
    return ""


def address_network(entry: dict) -> str | None:
    from wallet_cli import accounts

    return accounts.address_network(entry)


def _show_created(result: dict) -> None:
    def human() -> None:
        output.info(_("Created vault '{vault}' (fingerprint {fingerprint}) at {path}").format(
            vault=result["vault"], fingerprint=result["fingerprint"], path=result["path"]))
        output.table([N_("account"), N_("path"), N_("address"), N_("network")],   # the order of `accounts list`
                     [(a["ref"], a["path"], a["address"], address_network(a)) for a in result["accounts"]])
    output.emit(result, human)


def init(
    words: Annotated[int, typer.Option(help="12 or 24 words.")] = 12,
    language: Annotated[str, typer.Option(help=LANG_HELP)] = "english",
    name: Annotated[str | None, typer.Option(help="Vault name (default: --vault).")] = None,
    mnemonic_out: Annotated[Path | None, typer.Option(
        help="Write the new mnemonic to this file (created 0600) instead of showing it on the terminal.")] = None,
    passphrase_file: Annotated[Path | None, typer.Option(help="File with an optional BIP39 passphrase.")] = None,
    ask_passphrase: Annotated[bool, typer.Option(help="Prompt for a BIP39 passphrase.")] = False,
) -> None:
    """Create a vault with a new BIP39 mnemonic."""
    from keystore import mnemonic as mn

    if words not in (12, 24):
        raise UsageError(_("--words must be 12 or 24"))
    if mnemonic_out is None and not sys.stderr.isatty():
        raise UsageError(_("no terminal to show the new mnemonic on; pass --mnemonic-out FILE"))
    if mnemonic_out is not None and mnemonic_out.exists():
        raise UsageError(_("{path} already exists; refusing to overwrite it").format(path=mnemonic_out))
    name = name or (options().vault if options().vault_given else "default")
    password = _new_vault_password(name)
    passphrase = _passphrase(passphrase_file, ask_passphrase)
    phrase = mn.generate_mnemonic(words, language)
    if mnemonic_out is not None:
        write_new_private_file(mnemonic_out, phrase + "\n")
    else:
        # Shown once, on the terminal (stderr), never on stdout.
        output.err_console().print(
            "\n" + _("Your recovery phrase. Write it down and keep it offline; it is shown once:") + "\n",
            markup=False)
        output.err_console().print("  " + phrase + "\n", markup=False)
        confirm(_("Have you written down the recovery phrase?"))
    try:
        result = _create(phrase, language, passphrase, name, password)
    except BaseException:
        if mnemonic_out is not None:
            mnemonic_out.unlink(missing_ok=True)  # no vault, so the phrase file is of no use: don't leave it
        raise
    if mnemonic_out is not None:
        result["mnemonic_file"] = str(mnemonic_out)
    _show_created(result)


def restore(
    name: Annotated[str | None, typer.Option(help="Vault name (default: --vault).")] = None,
    mnemonic_file: Annotated[Path | None, typer.Option(
        help="Read the mnemonic from this file ('-' for stdin). Default: stdin when piped, else a prompt.")] = None,
    language: Annotated[str | None, typer.Option(help="Wordlist (detected when omitted). " + LANG_HELP)] = None,
    passphrase_file: Annotated[Path | None, typer.Option(help="File with the BIP39 passphrase.")] = None,
    ask_passphrase: Annotated[bool, typer.Option(help="Prompt for a BIP39 passphrase.")] = False,
    discover: Annotated[bool, typer.Option(help="Find the used accounts on each family's network.")] = False,
    discover_network: Annotated[list[str] | None, typer.Option(
        help="With --discover: scan this network (repeatable; default each family's mainnet).",
        show_default=False)] = None,
    gap: Annotated[int, typer.Option(min=1, max=20, help="With --discover: stop after this many unused "
                                     "accounts in a row.")] = 3,
) -> None:
    """Restore a vault from an existing BIP39 mnemonic."""
    from keystore import mnemonic as mn

    name = name or (options().vault if options().vault_given else "default")
    if discover_network and not discover:
        raise UsageError(_("--discover-network goes with --discover"))
    text = passwords.secret_text(N_("mnemonic"), mnemonic_file, prompt=_("Recovery phrase: "),
                                 file_what=N_("mnemonic file"))
    phrase, lang = mn.validate_mnemonic(text, language)
    passphrase = _passphrase(passphrase_file, ask_passphrase)
    password = _new_vault_password(name)
    _show_created(_create(phrase, lang, passphrase, name, password,
                          _discoverer(list(discover_network or []), gap) if discover else None))


def _discoverer(names: list[str], gap: int) -> Any:
    from chains.base import get_adapter
    from wallet_cli import discover, netconf, portfolio

    nets = portfolio.choose_networks(names, False)

    def run(seed: bytes, entries: list[dict]) -> list[dict]:
        return discover.discover(seed, entries, nets, gap, lambda n: get_adapter(n, netconf.data_dir()),
                                 output.info)
    return run


def show_mnemonic(
    out: Annotated[Path | None, typer.Option(help="With --json: write the JSON to this new 0600 file.")] = None,
) -> None:
    """Show the recovery phrase again, on the terminal only, after confirmation."""
    if options().json:
        if out is None and not sys.stdout.isatty():
            raise UsageError(_("under --json the recovery phrase goes to stdout only when it is a terminal (a pipe "
                               "or file could keep it); pass --out FILE"))
    elif out is not None:
        raise UsageError(_("--out is for --json; without it the phrase is shown on the terminal"))
    elif not sys.stderr.isatty() and not options().yes:
        raise UsageError(_("the recovery phrase is shown only on a terminal; pass --yes to print it to stderr"))
    if out is not None and out.exists():
        raise UsageError(_("{path} already exists; refusing to overwrite it").format(path=out))
    confirm(_("Show the recovery phrase? Anyone who sees it can take your funds."), dangerous=True)
    uv = session.unlock()
    if uv.secrets.mnemonic == "":
        raise UsageError(_("vault '{name}' is watch-only: it has no recovery phrase").format(name=options().vault))
    if options().json:
        from wallet_cli.secret_out import emit_secret_json

        emit_secret_json({"vault": options().vault, "mnemonic": uv.secrets.mnemonic,
                          "has_passphrase": bool(uv.secrets.passphrase)}, out, {"vault": options().vault})
        return
    output.err_console().print("\n  " + uv.secrets.mnemonic + "\n", markup=False)
    if uv.secrets.passphrase:
        output.err_console().print("  " + _("(this vault also has a BIP39 passphrase)") + "\n", markup=False)


def change_password(
    new_password_file: Annotated[Path | None, typer.Option(
        help="File with the new password (default: prompt twice).")] = None,
) -> None:
    """Change the vault password: only the key wrap is rewritten."""
    from keystore import vault

    name = options().vault
    info = vault.read_info(options().home, name)
    old = passwords.unlock_password(name, info.id)
    if new_password_file is None and not options().interactive:
        raise UsageError(_("pass --new-password-file (no terminal to ask for the new password on)"))
    # Only --new-password-file or the prompt: the unlock sources hold the old password.
    new = passwords.new_password(name, file=new_password_file, prompt_only=new_password_file is None)
    if new == old:
        raise UsageError(_("the new password is the same as the old one"))
    vault.change_password(options().home, name, old, new)
    from wallet_cli import config

    if config.vault_settings(options().home, name).get("keyring"):
        output.warn(_("the password kept in the OS keyring is now stale; run 'wallet keyring remember' again"))
    output.emit({"vault": name, "changed": True},
                lambda: output.info(_("Password of vault '{name}' changed.").format(name=name)))


def vaults() -> None:
    """List the vaults in this home."""
    from keystore import vault

    rows = []
    for n in vault.list_vaults(options().home):
        info = vault.read_info(options().home, n)
        rows.append({"name": n, "fingerprint": info.fingerprint, "accounts": len(info.accounts),
                     "weak_kdf": info.weak, "path": str(info.path)})
    output.emit(rows, lambda: output.table([N_("vault"), N_("fingerprint"), N_("accounts"), N_("path")],
                                           [(r["name"], r["fingerprint"], r["accounts"], r["path"]) for r in rows]))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Vault")(init)
    app.command(rich_help_panel="Vault")(restore)
    app.command("show-mnemonic", rich_help_panel="Vault")(show_mnemonic)
    app.command("change-password", rich_help_panel="Vault")(change_password)
    app.command(rich_help_panel="Vault")(vaults)
