"""export-xpub, import-xpub (watch-only) and psbt sign: the Bitcoin air-gapped flow."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli import accounts, netconf, output, session
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _, translated

psbt_app = typer.Typer(help="Sign PSBTs (Bitcoin partially signed transactions).", no_args_is_help=True)


def _btc_network(name: str) -> Any:
    net = netconf.network(name)
    if net.family != "btc":
        raise UsageError(_("{name} is {a_network}; this command is for Bitcoin").format(
            name=name, a_network=accounts.a_network(net.family)))
    return net


def export_xpub(
    account: Annotated[str, typer.Argument(help="A btc account: btc:0, a label or an address.")],
    network: Annotated[str, typer.Option("--network", "-n", help="Which key: mainnet or test networks.")]
    = "bitcoin",
) -> None:
    """Print a Bitcoin account's xpub and output descriptors (public: for a watch-only wallet)."""
    from chains.base import get_adapter

    entry = accounts.resolve(account, session.vault_info().accounts)
    if entry["chain"] != "btc":
        raise UsageError(_("{account} is a {chain} account; export-xpub is for btc").format(
            account=account, chain=entry["chain"]))
    net = _btc_network(network)
    data = get_adapter(net, None).account_xpub_and_descriptor(accounts.to_account(entry), net)

    def human() -> None:
        for k, v in data.items():
            output.line(f"{k}: {v}")
    output.emit({"account": accounts.to_account(entry).ref, **data}, human)


def import_xpub(
    key: Annotated[str, typer.Argument(help="An xpub/zpub/tpub/vpub or a public output descriptor.")],
    network: Annotated[str, typer.Option("--network", "-n", help="The network the key is for.")] = "bitcoin",
    label: Annotated[str | None, typer.Option(help="A label to refer to the account by.")] = None,
) -> None:
    """Add a watch-only Bitcoin account: it can build PSBTs and show balances, but not sign."""
    from chains.base import get_adapter
    from chains.bitcoin.descriptors import first_address, is_test

    net = _btc_network(network)
    ext, chg = get_adapter(net, None).watch_descriptors(key, net)
    which = "test" if is_test(net) else "main"
    address = first_address(ext, net)
    result: dict[str, Any] = {}

    def mutate(uv: Any) -> None:
        accounts.check_label(label, uv.info.accounts)
        if any(e["chain"] == "btc" and e["address"] == address for e in uv.info.accounts):
            raise UsageError(_("this account ({address}) is already in the vault").format(address=address))
        entry = {"chain": "btc", "index": None, "path": None, "address": address, "public_key": "",
                 "label": label, "kind": "watch", "descriptors": {which: ext, f"{which}_change": chg}}
        uv.info.accounts.append(entry)
        result.update(accounts.public_view(entry))

    _update_or_create(mutate)
    watching = (_("Watching {address} (label {label})").format(address=address, label=label) if label
                else _("Watching {address} (no label)").format(address=address))
    output.emit(result, lambda: output.info(watching))


def _update_or_create(mutate: Any) -> None:
    """Add to the vault; in a home without one, create a watch-only vault (no seed, a new password)."""
    from keystore import vault
    from wallet_cli.context import options

    if options().vault in vault.list_vaults(options().home):
        session.update(mutate)
        return
    from wallet_cli.commands.vault import _new_vault_password

    name = options().vault
    info = vault.VaultInfo(name=name, id="", version=0, path=vault.vault_path(options().home, name), kdf={},
                           weak=False, fingerprint=vault.WATCH_ONLY_FINGERPRINT, accounts=[])
    uv = vault.UnlockedVault(info=info, secrets=vault.VaultSecrets(mnemonic=""), weak=False)
    mutate(uv)
    vault.create_vault(options().home, name, _new_vault_password(name), uv.secrets, uv.info.accounts)
    output.info(_("Created the watch-only vault '{name}' (no seed: it can watch and build, never sign)").format(
        name=name))


@psbt_app.command("sign")
def psbt_sign(
    file: Annotated[Path, typer.Argument(help="A PSBT file (base64).")],
    account: Annotated[str, typer.Option(help="The btc account whose key signs.")] = "btc:0",
    network: Annotated[str, typer.Option("--network", "-n")] = "bitcoin",
    out: Annotated[Path | None, typer.Option(help="Write the signed PSBT here (default: stdout).")] = None,
    allow_high_fee: Annotated[bool, typer.Option(help="Sign even if the fee is above the caps.")] = False,
) -> None:
    """Sign a PSBT with one account's key, offline. Prints or writes the signed PSBT."""
    from chains.base import get_adapter
    from wallet_cli.files import read_text_file
    from wallet_cli.secret_out import write_new_private_file

    text = read_text_file(file, "PSBT file").strip()
    if out is not None and out.exists():
        raise UsageError(_("{out} already exists; refusing to overwrite it").format(out=out))
    entry = accounts.resolve(account, session.vault_info().accounts)
    if entry["chain"] != "btc":
        raise UsageError(_("{account} is not a btc account").format(account=account))
    from wallet_cli.prompts import confirm

    net = _btc_network(network)
    adapter = get_adapter(net, None)
    from chains.bitcoin.send import rate_text
    from wallet_cli.signing import AccountSigner

    # On an air-gapped signer this is the only place to see where the money goes: show it, then ask.
    review, sign = AccountSigner(entry, net).sign_psbt(adapter, text, allow_high_fee=allow_high_fee)
    from wallet_cli.context import options

    # under --json the review object keeps English words (a script reads it); a person reads their own
    word = (lambda msgid: msgid) if options().json else translated
    kinds = {True: word(N_("change")), False: word(N_("pay"))}
    lines = [f"{kinds[bool(o['change'])]} {o['amount']} BTC -> {o['address']}" for o in review["outputs"]]
    if not options().json:   # under --json the outputs go inside the one review object
        for line in lines:
            output.err_console().print(f"  {line}", markup=False)
    output.key_values({**({N_("Outputs"): lines} if options().json else {}),
                       N_("Inputs"): word(N_("{inputs} ({ours} ours)")).format(inputs=review["inputs"],
                                                                           ours=review["ours_inputs"]),
                       N_("Fee"): f"{review['fee']} BTC ({rate_text(review['fee_rate'])}, {review['vsize']} vB)"},
                      title=_("Review the PSBT"))
    for w in review.get("warnings", []):
        output.warn(w)
    confirm(_("Sign this PSBT?"))
    signed, finalized = sign()
    if out is not None:
        write_new_private_file(out, signed + "\n")
    data = {"psbt": signed if out is None else None, "file": str(out) if out else None, "finalized": finalized,
            "review": review}

    def human() -> None:
        if out is None:
            output.line(signed)
        output.info(_("fully signed: publish it with 'wallet broadcast FILE --network {network}'")
                    .format(network=network) if finalized else _("partly signed: other keys must still sign"))
    output.emit(data, human)


def _read_psbt(file: Path, limit: int = 4 << 20) -> str:
    """A PSBT file's text, read with a bound (4 MiB, far above any standard transaction)."""
    try:
        with open(file, "rb") as f:
            raw = f.read(limit + 1)
        text = raw.decode("ascii").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(_("cannot read {file}: {reason}").format(file=file, reason=e.__class__.__name__)) from None
    if len(raw) > limit:
        raise UsageError(_("{file} is larger than 4 MiB; that is not a PSBT").format(file=file))
    return text


@psbt_app.command("show")
def psbt_show(
    file: Annotated[Path, typer.Argument(help="A PSBT file (base64).")],
    network: Annotated[str, typer.Option("--network", "-n")] = "bitcoin",
    account: Annotated[str | None, typer.Option(help="A btc account whose change outputs to mark.",
                                                show_default=False)] = None,
) -> None:
    """Decode a PSBT without signing it: outputs, inputs, fee and rate (no password needed)."""
    from chains.bitcoin.inspect_psbt import show

    net = _btc_network(network)
    text = _read_psbt(file)
    descs = None
    if account is not None:
        from chains.bitcoin.descriptors import public_descriptors

        descs = public_descriptors(accounts.to_account(accounts.resolve(account, session.vault_info().accounts)),
                                   net)
    data = show(text, net, descs)

    def human() -> None:
        output.line(f"txid     {data['txid']}")
        for o in data["outputs"]:
            output.line(f"{'change' if o['change'] else 'pay':<8} {o['amount']} BTC -> {o['address']}")
        output.line(f"inputs   {len(data['inputs'])} ({data['signed_inputs']} signed)")
        output.line(f"fee      {data['fee']} BTC ({data['fee_rate']}, ~{data['vsize']} vB)" if data["fee"] is not None
                    else "fee      unknown (an input's amount is missing from the PSBT)")
    output.emit(data, human)


def register(app: typer.Typer) -> None:
    app.command("export-xpub", rich_help_panel="Keys")(export_xpub)
    app.command("import-xpub", rich_help_panel="Keys")(import_xpub)
    app.add_typer(psbt_app, name="psbt", rich_help_panel="Chains")
