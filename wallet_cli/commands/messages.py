"""wallet sign-message, sign-typed-data and verify-message."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

import wallet_i18n
from wallet_cli import accounts, output
from wallet_cli.commands.common import default_network, entry_for, require
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _


def _message_bytes(message: str | None, file: Path | None) -> bytes:
    if (message is None) == (file is None):
        raise UsageError(_("give the message as an argument or with --file, not both"))
    if file is not None:
        from wallet_cli.files import read_bytes_file

        return read_bytes_file(file, N_("message file"))
    assert message is not None
    return message.encode()


def sign_message(
    account: Annotated[str, typer.Argument(help="Account reference.")],
    message: Annotated[str | None, typer.Argument(help="The message text.")] = None,
    file: Annotated[Path | None, typer.Option(help="Sign this file's bytes instead.")] = None,
    offchain: Annotated[bool, typer.Option(
        help="sol: the Solana CLI's off-chain message format (v0) instead of the raw bytes.")] = False,
) -> None:
    """Sign a message (EIP-191 on evm; ed25519 over the bytes, or the off-chain format, on sol)."""
    from chains.base import get_adapter
    from wallet_cli.prompts import confirm
    from wallet_cli.signing import AccountSigner

    entry = entry_for(account)
    net = default_network(entry["chain"])
    data = _message_bytes(message, file)
    if not data:  # a signature over nothing is never what was meant, and it can be replayed anywhere
        raise UsageError(_("the message is empty; nothing was signed"))
    extra = _offchain(entry["chain"], offchain)
    adapter = get_adapter(net, None)
    require(adapter, "sign_message", _("message signing is not available on {network}"))
    try:   # every signed byte is shown: text in full (a clause past any cut would be signed unseen), and
        shown = data.decode("utf-8")   # bytes that are not UTF-8 as hex, not as look-alike U+FFFD
    except UnicodeDecodeError:
        shown = "0x" + data.hex()
    output.key_values({N_("Account"): accounts.to_account(entry).ref, N_("Address"): entry["address"],
                       N_("Message"): shown, N_("Bytes"): str(len(data))}, title=_("Review the message"))
    confirm(_("Sign this message?"))
    sig = AccountSigner(entry, net).sign_message(adapter, data, **extra)
    result = {"account": accounts.to_account(entry).ref, "address": entry["address"], "signature": sig}
    output.emit(result, lambda: output.line(sig))


def sign_typed_data(
    account: Annotated[str, typer.Argument(help="An evm account reference.")],
    file: Annotated[Path, typer.Argument(help="EIP-712 typed data JSON (types, primaryType, domain, message).")],
) -> None:
    """Sign EIP-712 typed data."""
    from chains.base import get_adapter
    from wallet_cli.signing import AccountSigner

    entry = entry_for(account)
    if entry["chain"] != "evm":
        raise UsageError(_("EIP-712 typed data is for evm accounts"))
    from keystore.boundedio import json_reason, loads_json, unique_keys
    from wallet_cli.files import read_text_file

    text = read_text_file(file, N_("typed data file"))
    try:
        typed = loads_json(text, object_pairs_hook=unique_keys)   # a key given twice is ambiguous
    except ValueError as e:
        raise UsageError(_("the typed data file {file} is not valid JSON: {reason}").format(
            file=file, reason=json_reason(e))) from None
    from chains.evm.typed_data import canonical, review_tree
    from wallet_cli.prompts import confirm

    exact = canonical(typed)   # strict: a field the types do not declare is an error, not decoration
    net = default_network("evm")
    # Permits move tokens: show every signed field, in full, before signing. The lines are built in pieces,
    # so a --json review (read by a script) is built in English.
    with wallet_i18n.in_english() if options().json else contextlib.nullcontext():
        title = _("Review the typed data ({primary_type}) signed by {address}:").format(
            primary_type=exact["primaryType"], address=entry["address"])
        lines = review_tree(exact)
    output.review(title, lines)
    confirm(_("Sign this typed data?"))
    sig = AccountSigner(entry, net).sign_typed_data(get_adapter(net, None), exact)
    output.emit({"address": entry["address"], "signature": sig}, lambda: output.line(sig))


def verify_message(
    address: Annotated[str, typer.Argument(help="The signer's address.")],
    signature: Annotated[str, typer.Argument(help="The signature.")],
    message: Annotated[str | None, typer.Argument(help="The message text.")] = None,
    file: Annotated[Path | None, typer.Option(help="Verify over this file's bytes.")] = None,
    chain: Annotated[str | None, typer.Option(help="evm, sol, tron or btc (default: from the address).",
                                              show_default=False)] = None,
    offchain: Annotated[bool, typer.Option(help="sol: the signature is over the off-chain message format.")]
    = False,
) -> None:
    """Verify a signed message. Exit 0 when valid, 4 when not."""
    from chains.base import get_adapter
    from wallet_cli.errors import Refused

    chain = accounts.check_chain(chain) if chain else _family_of(address)
    net = default_network(chain)
    adapter = get_adapter(net, None)
    require(adapter, "verify_message", _("message verification is not available on {network}"))
    ok = adapter.verify_message(_message_bytes(message, file), signature, address, **_offchain(chain, offchain))
    output.emit({"address": address, "valid": ok}, lambda: output.line("valid" if ok else "INVALID"))
    if not ok:
        raise Refused(_("the signature does not match this message and address"))


def _family_of(address: str) -> str:
    """The family whose address format `address` has (on any of its networks)."""
    from chains.base import get_adapter
    from chains.errors import ChainError
    from wallet_cli import netconf

    for net in netconf.all_networks().values():
        try:
            type(get_adapter(net, None)).parse_address(address, net)
            return net.family
        except ChainError:
            continue
    raise UsageError(_("this is not an address of any supported chain; pass --chain"))


def _offchain(chain: str, offchain: bool) -> dict[str, bool]:
    if offchain and chain != "sol":
        raise UsageError(_("--offchain applies to sol accounts only"))
    return {"offchain": True} if offchain else {}


def register(app: typer.Typer) -> None:
    app.command("sign-message", rich_help_panel="Messages")(sign_message)
    app.command("sign-typed-data", rich_help_panel="Messages")(sign_typed_data)
    app.command("verify-message", rich_help_panel="Messages")(verify_message)
