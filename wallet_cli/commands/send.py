"""wallet send and wallet broadcast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli import output
from wallet_cli.commands.common import NetworkOpt, adapter_for, entry_for, journal, render_result
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _, translated

# recipient address -> ("your account {ref}", {"ref": "evm:1"}) / ("contact {name}", ...), for the review
_to_note: dict[str, tuple[str, dict[str, str]]] = {}


def _confirm_screen(unsigned: Any, warnings: list[str]) -> None:
    from wallet_cli.prompts import confirm

    for w in warnings:
        output.warn(w)
    if options().json and options().yes:
        return
    summary = dict(unsigned.summary or {N_("To"): unsigned.recipient, N_("Amount"): str(unsigned.amount),
                                        N_("Fee (max)"): str(unsigned.fee)})
    note = _to_note.get(unsigned.recipient)
    if note and "To" in summary:
        msgid, fields = note   # the review under --json is read by scripts: its note stays English there
        summary[N_("To")] = f"{summary['To']} ({(msgid if options().json else translated(msgid)).format(**fields)})"
    output.key_values(summary, title=_("Review the transaction"))
    confirm(_("Sign and send this transaction?"))


def send(
    network: NetworkOpt,
    sender: Annotated[str, typer.Option("--from", help="Account reference: evm:0, a label or an address.")],
    to: Annotated[str, typer.Option(help="Recipient address, or a contact name ('wallet contacts').")],
    amount: Annotated[str, typer.Option(help="Decimal amount in the asset's unit, or max (everything after the fee).")],
    token: Annotated[str | None, typer.Option(help="Token symbol or contract/mint address.")] = None,
    max_fee: Annotated[str | None, typer.Option(help="evm: max fee per gas (or gas price), in gwei.")] = None,
    priority_fee: Annotated[str | None, typer.Option(
        help="evm: priority fee per gas in gwei; sol: micro-lamports per compute unit.")] = None,
    nonce: Annotated[int | None, typer.Option(min=0, max=2**64 - 2,
                                              help="evm: use this nonce instead of the pending count.")] = None,
    gas_limit: Annotated[int | None, typer.Option(min=21_000, max=2**63 - 1,
                                                  help="evm: gas limit instead of the estimate.")] = None,
    fee_rate: Annotated[str | None, typer.Option(help="btc: fee rate in sat/vB.")] = None,
    target_blocks: Annotated[int | None, typer.Option(min=1, max=1008,
                                                      help="btc: confirmation target for the estimate.")] = None,
    allow_high_fee: Annotated[bool, typer.Option(help="Allow a fee above the network's fee cap.")] = False,
    allow_lookalike: Annotated[bool, typer.Option(
        help="With --yes, send even when the recipient looks like a known address.")] = False,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the transaction to be mined.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait with --wait.")] = 120.0,
    idempotency_key: Annotated[str | None, typer.Option(
        help="A key of yours: rerunning with it never sends a second transaction.")] = None,
    sign_only: Annotated[bool, typer.Option(help="Sign but don't broadcast; write to --out.")] = False,
    out: Annotated[Path | None, typer.Option(help="With --sign-only: the file to write.")] = None,
    blockhash: Annotated[str | None, typer.Option(help="sol offline signing: the recent blockhash.")] = None,
    commitment: Annotated[str | None, typer.Option(
        help="sol with --wait: processed, confirmed (default) or finalized.")] = None,
    memo: Annotated[str | None, typer.Option(help="sol, tron: a note stored with the transaction.")] = None,
    ref_block: Annotated[str | None, typer.Option(
        help="tron offline signing: the reference block as NUMBER:BLOCKID.")] = None,
    expiration: Annotated[int | None, typer.Option(
        min=1, max=86_400, help="tron: seconds until the transaction expires (default 300).")] = None,
) -> None:
    """Send native coin or a token."""
    from wallet_cli import transfer

    if sign_only and out is None:
        raise UsageError(_("--sign-only needs --out FILE"))
    if out is not None and out.exists():
        raise UsageError(_("{file} already exists; refusing to overwrite it").format(file=out))
    if out is not None and not out.parent.is_dir():  # before the review and the signature, not after
        raise UsageError(_("cannot write {file}: {folder} is not a directory").format(file=out, folder=out.parent))
    if commitment is not None and commitment not in ("processed", "confirmed", "finalized"):
        raise UsageError(_("--commitment is processed, confirmed or finalized"))
    entry = entry_for(sender)
    net, adapter = adapter_for(network)
    if net.family == "btc" and entry.get("kind") == "imported":
        raise UsageError(_("sending from an imported Bitcoin key is not supported yet; derive an HD account "
                           "and send the coins to it from another wallet"))
    if commitment is not None and net.family != "sol":
        raise UsageError(_("--commitment applies to Solana networks only"))
    if (ref_block is not None or expiration is not None) and net.family != "tron":
        raise UsageError(_("--ref-block and --expiration apply to TRON networks only"))
    if ref_block is not None and not sign_only:
        raise UsageError(_("--ref-block is for offline signing with --sign-only"))
    if expiration is not None:
        adapter.expiration_s = expiration
    from wallet_cli.fee_options import fee_options
    from wallet_cli.signing import AccountSigner

    fees = fee_options(net.family, max_fee, priority_fee, nonce, gas_limit, fee_rate, target_blocks,
                        allow_high_fee)
    jr = journal()
    to = _recipient(to, net, adapter, jr)
    req = transfer.SendRequest(net, entry, to, amount, token, fees, idempotency_key, allow_lookalike,
                               options().yes, wait, timeout, commitment, memo)
    if sign_only:
        from wallet_cli import offline

        known = jr.known_recipients(net.family)
        data = offline.sign_to_file(req, adapter, out, blockhash=blockhash, known=known, confirm=_confirm_screen,
                                    signer=AccountSigner(entry, net), ref_block=ref_block, expiration=expiration)
        output.emit(data, lambda: output.info(
            _("Signed {txid}; wrote {file}. Publish it with 'wallet broadcast {file}'.").format(
                txid=data["txid"], file=out) if data["txid"] else
            _("Wrote the unsigned PSBT to {file}. Sign it with 'wallet psbt sign {file} --network {network}'.")
            .format(file=out, network=network)))
        return
    result = transfer.send(req, adapter, jr, confirm=_confirm_screen, signer=AccountSigner(entry, net))
    if wait and result.replayed and result.state == "pending":   # a rerun that re-sent the earlier one: wait too
        import dataclasses

        st = adapter.wait(result.txid, timeout=timeout)
        jr.set_state(net.name, result.txid, st.state, st.detail)
        result = dataclasses.replace(result, state=st.state, detail=st.detail)
    render_result(result)
    _still_pending(result, wait)


def _recipient(to: str, net: Any, adapter: Any, journal: Any) -> str:
    """An address as given, else one of your accounts (evm:1, a label), else a contact's address.
    Neither an account label nor a contact name ever shadows an address."""
    from chains.errors import BadInput

    try:
        return adapter.parse_address(to, net)
    except BadInput:
        contact = journal.contact(to, net.family)
        own = _own_account(to, net)
        if contact is None and own is None:
            raise
    if own is not None and contact is not None and own[0] != contact:
        raise UsageError(_("'{name}' is both your account {ref} and a contact with another address; "
                           "give the address itself").format(name=to, ref=own[1]))
    if own is not None:
        address = adapter.parse_address(own[0], net)
        _to_note[address] = (N_("your account {ref}"), {"ref": own[1]})
        output.info(_("'{name}' is your account {ref}: {address}").format(name=to, ref=own[1], address=address))
        return address
    try:
        address = adapter.parse_address(contact, net)
    except BadInput as e:   # a contact saved for another network (a regtest address on mainnet)
        raise UsageError(_("your contact {name} ({address}) cannot be used on {network}: {reason}").format(
            name=to, address=contact, network=net.name, reason=e)) from None
    _to_note[address] = (N_("contact {name}"), {"name": to})
    output.info(_("'{name}' is your contact {address}").format(name=to, address=address))
    return address


def _own_account(ref: str, net: Any) -> tuple[str, str] | None:
    """(address on this network, reference) of one of the vault's accounts, or None."""
    from wallet_cli import accounts, session

    try:
        entry = accounts.resolve(ref, session.vault_info().accounts)
    except UsageError:
        return None
    if entry["address"].lower() == ref.strip().lower():
        return None   # an address that failed to parse (a bad checksum) stays an error, never a match
    if entry["chain"] != net.family:
        raise UsageError(_("{ref} is {an_account}; {network} is {a_network}").format(
            ref=ref, an_account=accounts.an_account(entry["chain"]), network=net.name,
            a_network=accounts.a_network(net.family)))
    if net.family == "btc":  # a fresh receive address of that account on this network
        from chains.base import get_adapter
        from wallet_cli import netconf

        return get_adapter(net, netconf.data_dir()).receive_address(accounts.to_account(entry)), \
            accounts.to_account(entry).ref
    return entry["address"], accounts.to_account(entry).ref


def _still_pending(result: Any, wait: bool) -> None:
    """`--wait` that ran out of time is a network outcome (exit 5), not success."""
    if wait and result.state in ("pending", "unknown"):
        from chains.errors import Unavailable

        raise Unavailable(_("{txid} is still pending; rerun `wallet tx status {txid}` later").format(
            txid=result.txid))


def broadcast(
    file: Annotated[Path, typer.Argument(help="A signed transaction file from --sign-only (or a btc PSBT/hex).")],
    network: Annotated[str | None, typer.Option("--network", "-n", help="Needed for raw btc hex/PSBT.")] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait")] = False,
) -> None:
    """Publish a signed transaction. Publishing the same file twice is harmless."""
    from wallet_cli import offline, transfer

    signed = offline.read_signed(file, network)
    if network is not None and network != signed.network:
        raise UsageError(_("{file} holds a transaction for {network}, not {wanted}").format(
            file=file, network=signed.network, wanted=network))
    net, adapter = adapter_for(signed.network)
    jr = journal()
    jr.record_signed(signed, kind="broadcast")
    result = transfer.publish(signed, adapter, jr, wait=wait)
    render_result(result)
    _still_pending(result, wait)



def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Chains")(send)
    app.command(rich_help_panel="Chains")(broadcast)
