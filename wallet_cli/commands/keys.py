"""import-key, export-key, import-keystore, export-keystore."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli import accounts, output, passwords, session
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_cli.prompts import confirm
from wallet_cli.secret_out import write_new_private_file
from wallet_i18n import N_, _


def _add_imported(chain: str, key: bytes, label: str | None, source: str, parsed: Any = None) -> dict[str, Any]:
    """Store an imported key and its index entry; refuse duplicates. `parsed` keeps a WIF's network and
    compression (its address depends on both)."""
    from keystore import keys

    imported = parsed or keys.parse_private_key(keys.export_private_key(key, chain), chain)
    result: dict[str, Any] = {}

    def mutate(uv: Any) -> None:
        accounts.check_label(label, uv.info.accounts)
        for e in uv.info.accounts:
            if e["chain"] == chain and e["address"] == imported.address:
                raise UsageError(_("{address} is already in this vault as {account}").format(
                    address=imported.address, account=accounts.to_account(e).ref))
        key_id = uuid.uuid4().hex
        uv.secrets.imported[key_id] = {"chain": chain, "key": key.hex(), "source": source}
        entry = {"chain": chain, "index": None, "path": None, "address": imported.address,
                 "public_key": imported.public_key, "label": label, "kind": "imported", "key_id": key_id}
        if chain == "btc":  # a single-key wallet for BDK, on the WIF's own networks only
            desc = f"wpkh({imported.public_key})" if imported.wif_compressed is not False else \
                f"pkh({imported.public_key})"
            entry["descriptors"] = {"test" if imported.network == "test" else "main": desc}
        uv.info.accounts.append(entry)
        result.update(accounts.public_view(entry))

    session.update(mutate)
    return result


def import_key(
    chain: Annotated[str, typer.Argument(help="evm, btc, sol or tron.")],
    key_file: Annotated[Path | None, typer.Option(
        help="File with the key ('-' for stdin). Default: stdin when piped, else a hidden prompt.")] = None,
    label: Annotated[str | None, typer.Option(help="A label for the account.")] = None,
) -> None:
    """Import a raw private key: EVM/TRON hex, Bitcoin WIF, Solana base58 or solana-keygen JSON."""
    from keystore import keys

    accounts.check_chain(chain)
    text = passwords.secret_text(N_("private key"), key_file, prompt=_("Private key: "),
                                 file_what=N_("private key file"))
    parsed = keys.parse_private_key(text, chain)
    result = _add_imported(chain, parsed.private_key, label, "raw", parsed)
    output.emit(result, lambda: output.info(_("Imported {address} ({chain})").format(address=result["address"],
                                                                                    chain=chain)))


def import_keystore(
    file: Annotated[Path, typer.Argument(help="A Web3 Secret Storage v3 JSON file (geth, cast, MetaMask, ape).")],
    keystore_password_file: Annotated[Path | None, typer.Option(
        help="File with the keystore's password (default: prompt).")] = None,
    chain: Annotated[str, typer.Option(help="Import as evm (default) or tron: the same secp256k1 key.")] = "evm",
    label: Annotated[str | None, typer.Option(help="A label for the account.")] = None,
) -> None:
    """Import an EVM key from an encrypted JSON keystore."""
    from keystore import interop

    if chain not in ("evm", "tron"):
        raise UsageError(_("a JSON keystore holds a secp256k1 key: import it as evm or tron"))
    from keystore.boundedio import DOCUMENT_CAP, read_bounded

    data = read_bounded(file, DOCUMENT_CAP, N_("keystore file"))
    ks_pw = _keystore_password(keystore_password_file, _("Password for the keystore: "), confirm_twice=False)
    key = interop.decrypt_keystore(data, ks_pw)
    result = _add_imported(chain, key, label, "keystore")
    output.emit(result, lambda: output.info(_("Imported {address} from {file}").format(address=result["address"],
                                                                                      file=file)))


def _keystore_password(file: Path | None, prompt: str, *, confirm_twice: bool) -> str:
    if file is not None:
        return passwords.read_secret_file(file, N_("keystore password file"))
    if not options().interactive:
        raise UsageError(_("pass --keystore-password-file (no terminal to ask on)"))
    pw = passwords.prompt_hidden(prompt, repeat=_("Repeat it: ") if confirm_twice else None)
    if not pw:
        raise UsageError(_("the keystore password must not be empty"))
    return pw


def export_keystore(
    account: Annotated[str, typer.Argument(help="An evm or tron account: evm:0, a label or an address.")],
    out: Annotated[Path, typer.Option(help="Where to write the keystore JSON (must not exist).")],
    keystore_password_file: Annotated[Path | None, typer.Option(
        help="File with the password for the new keystore (default: prompt twice).")] = None,
) -> None:
    """Export an EVM account as a v3 keystore (scrypt n=2^18) that geth, cast and MetaMask open."""
    from keystore import interop

    entry = accounts.resolve(account, session.vault_info().accounts)
    if entry["chain"] not in ("evm", "tron"):
        raise UsageError(_("only evm and tron accounts export as a JSON keystore; use export-key for others"))
    if out.exists():
        raise UsageError(_("{path} already exists; refusing to overwrite it").format(path=out))
    ks_pw = _keystore_password(keystore_password_file, _("Password for the new keystore: "), confirm_twice=True)
    key = session.private_key_of(session.unlock(), entry)
    doc = interop.encrypt_keystore(key, ks_pw)
    write_new_private_file(out, json.dumps(doc))
    result = {"account": accounts.to_account(entry).ref, "address": entry["address"], "file": str(out)}
    output.emit(result, lambda: output.info(_("Wrote the keystore of {address} to {path}").format(
        address=entry["address"], path=out)))


def export_key(
    account: Annotated[str, typer.Argument(help="Account reference: evm:0, sol:1, a label or an address.")],
    out: Annotated[Path | None, typer.Option(help="Write the key to this new 0600 file instead of the terminal.")]
    = None,
    solana_json: Annotated[bool, typer.Option(help="sol: the solana-keygen JSON array format.")] = False,
    xprv: Annotated[bool, typer.Option(help="btc: the account's extended key instead of one address's WIF.")
                    ] = False,
    network: Annotated[str | None, typer.Option("--network", "-n", help="btc: the network of the WIF "
                                                "(a test network gives a testnet WIF).")] = None,
    index: Annotated[int, typer.Option(min=0, max=2**31 - 1, help="btc: the receive address index.")] = 0,
) -> None:
    """Export one account's raw private key, after an explicit confirmation."""
    from keystore import keys

    entry = accounts.resolve(account, session.vault_info().accounts)
    if out is None and not options().json and not sys.stderr.isatty() and not options().yes:
        raise UsageError(_("the key is shown only on a terminal; use --out FILE, or --yes to print it to stderr"))
    if out is None and options().json and not sys.stdout.isatty():
        raise UsageError(_("under --json the key goes to stdout only when it is a terminal (a pipe or file could "
                           "keep it); pass --out FILE"))
    if out is not None and out.exists():
        raise UsageError(_("{path} already exists; refusing to overwrite it").format(path=out))
    confirm(_("Export the private key of {address}? Anyone who sees it can take its funds.").format(
        address=entry["address"]), dangerous=True)
    uv = session.unlock()
    testnet = bool(network) and _is_test(network)
    if entry["chain"] == "btc" and entry.get("kind") == "hd":
        from keystore import hd

        path = session.btc_account_path(entry["path"], testnet)
        if xprv:
            text = hd.derive_account_xprv(session.seed_of(uv), path, testnet=testnet)
        else:  # one address's WIF, which import-key btc (and other wallets) accept
            key = hd.derive_private(session.seed_of(uv), "btc", f"{path}/0/{index}")
            text = keys.export_private_key(key, "btc", testnet=testnet)
    else:
        key = session.private_key_of(uv, entry)
        text = (keys.export_solana_keygen_json(key) if solana_json and entry["chain"] == "sol"
                else keys.export_private_key(key, entry["chain"]))
    if options().json:
        from wallet_cli.secret_out import emit_secret_json

        ref = accounts.to_account(entry).ref
        emit_secret_json({"account": ref, "chain": entry["chain"], "address": entry["address"],
                          "network": network, "private_key": text}, out, {"account": ref})
    elif out is not None:
        write_new_private_file(out, text + "\n")
        output.emit({"account": accounts.to_account(entry).ref, "file": str(out)},
                    lambda: output.info(_("Wrote the key to {path}").format(path=out)))
    else:
        output.err_console().print("\n  " + text + "\n", markup=False, soft_wrap=True)


def _is_test(name: str) -> bool:
    from wallet_cli import netconf

    net = netconf.network(name)
    if net.family != "btc":
        raise UsageError(_("--network for export-key is a Bitcoin network; {name} is {kind}").format(
            name=name, kind=accounts.a_network(net.family)))
    return net.is_test


def register(app: typer.Typer) -> None:
    app.command("import-key", rich_help_panel="Keys")(import_key)
    app.command("export-key", rich_help_panel="Keys")(export_key)
    app.command("import-keystore", rich_help_panel="Keys")(import_keystore)
    app.command("export-keystore", rich_help_panel="Keys")(export_keystore)
