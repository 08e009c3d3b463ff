"""balance, send, broadcast, tx status|speed-up|cancel, history, and message signing."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli import accounts, netconf, output, session
from wallet_cli.context import options
from wallet_cli.errors import UsageError

tx_app = typer.Typer(help="Follow, speed up or cancel a sent transaction.", no_args_is_help=True)

NetworkOpt = Annotated[str, typer.Option("--network", "-n", help="Network name; see 'wallet networks list'.")]


def _adapter(network_name: str):  # noqa: ANN202 - a chains.base.ChainAdapter
    from chains.base import get_adapter

    net = netconf.network(network_name)
    return net, get_adapter(net, netconf.data_dir())


def _entry(ref: str) -> dict[str, Any]:
    return accounts.resolve(ref, session.vault_info().accounts)


def _journal():  # noqa: ANN202
    from wallet_cli.journal import Journal

    return Journal(options().home)


def balance(
    account: Annotated[str, typer.Argument(help="Account reference: evm:0, a label or an address.")],
    network: NetworkOpt,
    token: Annotated[str | None, typer.Option(help="Token symbol or contract/mint address.")] = None,
) -> None:
    """Show an account's balance of the native coin or a token."""
    entry = _entry(account)
    net, adapter = _adapter(network)
    if entry["chain"] != net.family:
        raise UsageError(f"{network} is a {net.family} network but {account} is a {entry['chain']} account")
    acct = accounts.to_account(entry)
    detail: dict[str, Any] = {}
    if hasattr(adapter, "balances") and token is None:  # btc: confirmed, pending and total
        parts = adapter.balances(acct)
        detail = {k: v.plain() for k, v in parts.items()}
        amount = parts["total"]
    else:
        amount = adapter.balance(acct, token)
    data = {"account": acct.ref, "address": entry["address"], "network": network, "symbol": amount.symbol,
            "balance": amount.plain(), "base_units": str(amount.value), "decimals": amount.decimals, **detail}
    def human() -> None:
        extra = f" (confirmed {detail['confirmed']}, pending {detail['pending']})" if detail else ""
        output.line(f"{amount.plain()} {amount.symbol}{extra}")
    output.emit(data, human)


def _gwei(text: str | None, what: str) -> int | None:
    if text is None:
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise UsageError(f"{what} must be a decimal number of gwei") from None
    if not d.is_finite() or d < 0 or d > 10**12:
        raise UsageError(f"{what} must be a number of gwei between 0 and 10^12")
    return int(d * 10**9)


def _fee_options(family: str, max_fee: str | None, priority_fee: str | None, nonce: int | None,
                 gas_limit: int | None, fee_rate: str | None, target_blocks: int | None,
                 allow_high_fee: bool) -> Any:
    from chains.base import FeeOptions

    rate = None
    if fee_rate is not None:
        try:
            rate = Decimal(fee_rate)
        except InvalidOperation:
            raise UsageError("--fee-rate must be a number of sat/vB") from None
        if not rate.is_finite() or rate <= 0 or rate > 10**7:
            raise UsageError("--fee-rate must be a positive number of sat/vB, at most 10^7")
    if family == "sol":
        ok = priority_fee is not None and priority_fee.isascii() and priority_fee.isdigit() and len(priority_fee) < 20
        prio = int(priority_fee) if ok and priority_fee is not None else None
        if priority_fee is not None and (prio is None or prio >= 2**64):
            raise UsageError("--priority-fee on Solana is a whole number of micro-lamports per compute unit "
                             "below 2^64")
    else:
        prio = _gwei(priority_fee, "--priority-fee")
    return FeeOptions(max_fee=_gwei(max_fee, "--max-fee"), priority_fee=prio, nonce=nonce, gas_limit=gas_limit,
                      fee_rate=rate, target_blocks=target_blocks, allow_high_fee=allow_high_fee)


def _confirm_screen(unsigned: Any, warnings: list[str]) -> None:
    from wallet_cli.prompts import confirm

    for w in warnings:
        output.warn(w)
    if options().json and options().yes:
        return
    output.key_values(unsigned.summary or {"To": unsigned.recipient, "Amount": str(unsigned.amount),
                                           "Fee (max)": str(unsigned.fee)}, title="Review the transaction")
    confirm("Sign and send this transaction?")


def send(
    network: NetworkOpt,
    sender: Annotated[str, typer.Option("--from", help="Account reference: evm:0, a label or an address.")],
    to: Annotated[str, typer.Option(help="Recipient address, or a contact name ('wallet contacts').")],
    amount: Annotated[str, typer.Option(help="Decimal amount in the asset's unit (btc also: max).")],
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
) -> None:
    """Send native coin or a token."""
    from wallet_cli import transfer

    if sign_only and out is None:
        raise UsageError("--sign-only needs --out FILE")
    if out is not None and out.exists():
        raise UsageError(f"{out} already exists; refusing to overwrite it")
    if commitment is not None and commitment not in ("processed", "confirmed", "finalized"):
        raise UsageError("--commitment is processed, confirmed or finalized")
    entry = _entry(sender)
    net, adapter = _adapter(network)
    if net.family == "btc" and entry.get("kind") == "imported":
        raise UsageError("sending from an imported Bitcoin key is not supported yet; derive an HD account "
                         "and send the coins to it from another wallet")
    if commitment is not None and net.family != "sol":
        raise UsageError("--commitment applies to Solana networks only")
    fees = _fee_options(net.family, max_fee, priority_fee, nonce, gas_limit, fee_rate, target_blocks,
                        allow_high_fee)
    journal = _journal()
    to = _recipient(to, net, adapter, journal)
    req = transfer.SendRequest(net, entry, to, amount, token, fees, idempotency_key, allow_lookalike,
                               options().yes, wait, timeout, commitment)
    if sign_only:
        from wallet_cli import offline

        known = journal.known_recipients(net.family)
        data = offline.sign_to_file(req, adapter, out, blockhash=blockhash, known=known, confirm=_confirm_screen,
                                    signer_for=lambda: session.signer_for(entry, net))
        output.emit(data, lambda: output.info(
            f"Signed {data['txid']}; wrote {out}. Publish it with 'wallet broadcast {out}'." if data["txid"] else
            f"Wrote the unsigned PSBT to {out}. Sign it with 'wallet psbt sign {out} --network {network}'."))
        return
    result = transfer.send(req, adapter, journal, confirm=_confirm_screen,
                           signer_for=lambda: session.signer_for(entry, net))
    _render_result(result)


def _recipient(to: str, net: Any, adapter: Any, journal: Any) -> str:
    """An address as given, else a contact's address (contact names never shadow addresses)."""
    from chains.errors import BadInput

    try:
        return adapter.parse_address(to, net)
    except BadInput:
        contact = journal.contact(to, net.family)
        if contact is None:
            raise
    output.warn(f"'{to}' is your contact {contact}")
    return contact


def _render_result(result: Any) -> None:
    data = result.to_json()

    def human() -> None:
        note = " (already sent earlier; not sent again)" if result.replayed else ""
        output.info(f"{result.state}: {result.txid}{note}")
        output.line(result.txid)
    output.emit(data, human)


def broadcast(
    file: Annotated[Path, typer.Argument(help="A signed transaction file from --sign-only (or a btc PSBT/hex).")],
    network: Annotated[str | None, typer.Option("--network", "-n", help="Needed for raw btc hex/PSBT.")] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait")] = False,
) -> None:
    """Publish a signed transaction. Publishing the same file twice is harmless."""
    from wallet_cli import offline, transfer

    signed = offline.read_signed(file, network)
    if network is not None and network != signed.network:
        raise UsageError(f"{file} holds a transaction for {signed.network}, not {network}")
    net, adapter = _adapter(signed.network)
    journal = _journal()
    journal.record_signed(signed, kind="broadcast")
    _render_result(transfer.publish(signed, adapter, journal, wait=wait))


@tx_app.command("status")
def tx_status(
    txid: Annotated[str, typer.Argument(help="Transaction id or hash.")],
    network: Annotated[str | None, typer.Option("--network", "-n", help="Default: from the journal.")] = None,
) -> None:
    """Show a transaction's state from the node, and update the journal."""
    journal = _journal()
    entry = journal.get(txid, network)
    name = network or (entry.network if entry else None)
    if name is None:
        raise UsageError(f"{txid} is not in the journal; pass --network")
    net, adapter = _adapter(name)
    st = adapter.status(txid)
    if entry is not None:
        journal.set_state(name, txid, st.state, st.detail)
    data = {"network": name, **st.to_json()}
    output.emit(data, lambda: output.key_values({k: v for k, v in data.items() if v is not None}))


def _replace(txid: str, network: str | None, bump: int, how: str, allow_high_fee: bool) -> None:
    from wallet_cli import transfer
    from wallet_cli.prompts import confirm

    if bump < 10 or bump > 1000:
        raise UsageError("--bump must be between 10 and 1000 percent")
    journal = _journal()
    entry = journal.get(txid, network)
    if entry is None:
        raise UsageError(f"{txid} is not in this wallet's journal; only transactions it signed can be replaced")
    net, adapter = _adapter(entry.network)
    fn = adapter.speed_up if how == "speed up" else adapter.cancel
    _require(adapter, "speed_up" if how == "speed up" else "cancel", how)
    st = adapter.status(txid)
    if st.state != "pending":
        raise UsageError(f"{txid} is {st.state}, not pending; there is nothing to replace")
    sender = accounts.resolve(entry.sender, session.vault_info().accounts)
    with journal.lock(entry.idem_key or entry.intent or txid):
        new = fn(entry.signed, session.signer_for(sender, net), bump, allow_high_fee=allow_high_fee)
        output.key_values({"Replaces": txid, "Action": how, "Old fee (max)": str(entry.signed.fee or "?"),
                           "New fee (max)": str(new.fee or "?")}, title="Review the replacement")
        confirm(f"Broadcast this replacement of {txid}?")
        # The replacement carries the original's idempotency key and intent: a rerun finds it.
        journal.record_signed(new, kind="speed-up" if how == "speed up" else "cancel", replaces=txid,
                              idem_key=entry.idem_key, intent=entry.intent)
        result = transfer.publish(new, adapter, journal, wait=False)
        journal.set_state(entry.network, txid, "replaced", f"by {new.txid}")
    _render_result(result)


def _require(adapter: Any, method: str, what: str) -> None:
    """Refuse before unlocking anything when the adapter lacks an optional capability."""
    from chains.base import ChainAdapter
    from chains.errors import Unsupported

    if getattr(type(adapter), method, None) is getattr(ChainAdapter, method, None):
        raise Unsupported(f"{what} is not available on {adapter.network.name}")


@tx_app.command("speed-up")
def tx_speed_up(
    txid: Annotated[str, typer.Argument()],
    network: Annotated[str | None, typer.Option("--network", "-n")] = None,
    bump: Annotated[int, typer.Option(help="Raise fees by this percent (at least 10).")] = 12,
    allow_high_fee: Annotated[bool, typer.Option(help="Allow a fee above the network's fee cap.")] = False,
) -> None:
    """Re-sign a pending transaction with higher fees (same nonce, or BIP125 on btc)."""
    _replace(txid, network, bump, "speed up", allow_high_fee)


@tx_app.command("cancel")
def tx_cancel(
    txid: Annotated[str, typer.Argument()],
    network: Annotated[str | None, typer.Option("--network", "-n")] = None,
    bump: Annotated[int, typer.Option(help="Raise fees by this percent (at least 10).")] = 12,
    allow_high_fee: Annotated[bool, typer.Option(help="Allow a fee above the network's fee cap.")] = False,
) -> None:
    """Replace a pending transaction with one that pays yourself, with higher fees."""
    _replace(txid, network, bump, "cancel", allow_high_fee)


def history(
    network: Annotated[str | None, typer.Option("--network", "-n")] = None,
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV on stdout.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
) -> None:
    """List the transactions this wallet signed or broadcast."""
    rows = [e.to_json() for e in _journal().history(network, limit)]
    if csv_out:
        import csv
        import sys

        cols = ["time", "network", "kind", "state", "txid", "from", "to", "amount", "symbol", "fee"]
        w = csv.DictWriter(sys.stdout, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
        return
    def short(x: str | None) -> str:
        return x if not x or len(x) <= 18 else f"{x[:10]}…{x[-6:]}"
    output.emit(rows, lambda: output.table(
        ["time (UTC)", "network", "kind", "state", "amount", "to", "txid"],
        [(r["time"].replace("T", " ").rstrip("Z"), r["network"], r["kind"], r["state"],
          f"{r['amount']} {r['symbol']}", short(r["to"]), short(r["txid"])) for r in rows]))


def _message_bytes(message: str | None, file: Path | None) -> bytes:
    if (message is None) == (file is None):
        raise UsageError("give the message as an argument or with --file, not both")
    if file is not None:
        try:
            return file.read_bytes()
        except OSError as e:
            raise UsageError(f"cannot read {file}: {e.strerror}") from None
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

    entry = _entry(account)
    net = _default_network(entry["chain"])
    data = _message_bytes(message, file)
    extra = _offchain(entry["chain"], offchain)
    adapter = get_adapter(net, None)
    _require(adapter, "sign_message", "message signing")
    preview = data.decode("utf-8", "replace")
    output.key_values({"Account": accounts.to_account(entry).ref, "Address": entry["address"],
                       "Message": preview if len(preview) <= 400 else preview[:400] + "…",
                       "Bytes": str(len(data))}, title="Review the message")
    confirm("Sign this message?")
    sig = adapter.sign_message(data, session.signer_for(entry, net), **extra)
    result = {"account": accounts.to_account(entry).ref, "address": entry["address"], "signature": sig}
    output.emit(result, lambda: output.line(sig))


def sign_typed_data(
    account: Annotated[str, typer.Argument(help="An evm account reference.")],
    file: Annotated[Path, typer.Argument(help="EIP-712 typed data JSON (types, primaryType, domain, message).")],
) -> None:
    """Sign EIP-712 typed data."""
    from chains.base import get_adapter

    entry = _entry(account)
    if entry["chain"] != "evm":
        raise UsageError("EIP-712 typed data is for evm accounts")
    try:
        typed = json.loads(file.read_text())
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read typed data from {file}: {e.__class__.__name__}") from None
    from wallet_cli.prompts import confirm

    if not isinstance(typed, dict) or not {"types", "primaryType", "domain", "message"} <= set(typed):
        raise UsageError("EIP-712 typed data needs types, primaryType, domain and message")
    net = _default_network("evm")
    # Permits move tokens: show who may spend what, on which chain and contract, before signing.
    output.key_values({"Primary type": typed["primaryType"], "Domain": json.dumps(typed["domain"]),
                       "Message": json.dumps(typed["message"])[:1200]}, title="Review the typed data")
    confirm("Sign this typed data?")
    sig = get_adapter(net, None).sign_typed_data(typed, session.signer_for(entry, net))
    output.emit({"address": entry["address"], "signature": sig}, lambda: output.line(sig))


def verify_message(
    address: Annotated[str, typer.Argument(help="The signer's address.")],
    signature: Annotated[str, typer.Argument(help="The signature.")],
    message: Annotated[str | None, typer.Argument(help="The message text.")] = None,
    file: Annotated[Path | None, typer.Option(help="Verify over this file's bytes.")] = None,
    chain: Annotated[str, typer.Option(help="evm or sol.")] = "evm",
    offchain: Annotated[bool, typer.Option(help="sol: the signature is over the off-chain message format.")]
    = False,
) -> None:
    """Verify a signed message. Exit 0 when valid, 4 when not."""
    from chains.base import get_adapter
    from wallet_cli.errors import Refused

    net = _default_network(accounts.check_chain(chain))
    adapter = get_adapter(net, None)
    _require(adapter, "verify_message", "message verification")
    ok = adapter.verify_message(_message_bytes(message, file), signature, address, **_offchain(chain, offchain))
    output.emit({"address": address, "valid": ok}, lambda: output.line("valid" if ok else "INVALID"))
    if not ok:
        raise Refused("the signature does not match this message and address")


def _offchain(chain: str, offchain: bool) -> dict[str, bool]:
    if offchain and chain != "sol":
        raise UsageError("--offchain applies to sol accounts only")
    return {"offchain": True} if offchain else {}


def _default_network(family: str) -> Any:
    return next(n for n in netconf.all_networks().values() if n.family == family)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Chains")(balance)
    app.command(rich_help_panel="Chains")(send)
    app.command(rich_help_panel="Chains")(broadcast)
    app.add_typer(tx_app, name="tx", rich_help_panel="Chains")
    app.command(rich_help_panel="Chains")(history)
    app.command("sign-message", rich_help_panel="Messages")(sign_message)
    app.command("sign-typed-data", rich_help_panel="Messages")(sign_typed_data)
    app.command("verify-message", rich_help_panel="Messages")(verify_message)
