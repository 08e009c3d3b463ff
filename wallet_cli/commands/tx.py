"""wallet tx status | speed-up | cancel."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli import accounts, output, session
from wallet_cli.commands.common import adapter_for, human_text, journal, render_result, require, state_word
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _, translated

tx_app = typer.Typer(help="Follow, speed up or cancel a sent transaction.", no_args_is_help=True)

# The labels of `tx status` (its --json keys, lowercase), translated when shown to a person.
_STATUS_LABELS = (N_("network"), N_("txid"), N_("state"), N_("confirmations"), N_("block"), N_("fee"),
                  N_("detail"))


@tx_app.command("status")
def tx_status(
    txid: Annotated[str, typer.Argument(help="Transaction id or hash.")],
    network: Annotated[str | None, typer.Option("--network", "-n", help="Default: from the journal.")] = None,
) -> None:
    """Show a transaction's state from the node, and update the journal."""
    jr = journal()
    entry = jr.get(txid, network)
    name = network or (entry.network if entry else None)
    if name is None:
        raise UsageError(_("{txid} is not in the journal; pass --network").format(txid=txid))
    net, adapter = adapter_for(name)
    if entry is None:
        _check_txid(txid, net)
    st = adapter.status(txid)
    if entry is not None:
        jr.set_state(name, txid, st.state, st.detail)
    data = {"network": name, **st.to_json()}
    shown = {**data, "state": state_word(st.state), "fee": f"{st.fee.plain()} {st.fee.symbol}" if st.fee else None,
             "detail": translated(st.detail) if st.detail else None}   # the journal keeps the English
    output.emit(data, lambda: output.key_values_out({k: v for k, v in shown.items() if v is not None}))


def _check_txid(txid: str, net: Any) -> None:
    """A transaction id that cannot be one on this network is bad input (exit 2), not a question for the node
    (which answers an EVM hash of the wrong length with an RPC error)."""
    import re

    family, name = net.family, net.name
    if family == "evm" and not re.fullmatch(r"0x[0-9a-fA-F]{64}", txid):
        raise UsageError(_("{txid} is not a transaction hash on {network} (0x followed by 64 hex digits)").format(
            txid=txid, network=name))
    if family == "btc" and not re.fullmatch(r"[0-9a-fA-F]{64}", txid):
        raise UsageError(_("{txid} is not a transaction id on {network} (64 hex digits)").format(
            txid=txid, network=name))


def _replace(txid: str, network: str | None, bump: int, how: str, allow_high_fee: bool) -> None:
    from wallet_cli import transfer
    from wallet_cli.prompts import confirm

    if bump < 10 or bump > 1000:
        raise UsageError(_("--bump must be between 10 and 1000 percent"))
    from wallet_cli.signing import AccountSigner

    jr = journal()
    entry = jr.get(txid, network)
    if entry is None:
        raise UsageError(_("{txid} is not in this wallet's journal; only transactions it signed can be replaced")
                         .format(txid=txid))
    net, adapter = adapter_for(entry.network)
    speed_up = how == "speed up"
    require(adapter, "speed_up" if speed_up else "cancel",
            _("speed up is not available on {network}") if speed_up else _("cancel is not available on {network}"))
    if entry.state == "replaced":
        by = (entry.detail or "").removeprefix("by ").strip()
        if by and speed_up:
            msg = _("{txid} was already replaced by {by}; to speed up again, replace that one: "
                    "wallet tx speed-up {by}")
        elif by:
            msg = _("{txid} was already replaced by {by}; to cancel again, replace that one: wallet tx cancel {by}")
        elif speed_up:
            msg = _("{txid} was already replaced by a later transaction; to speed up again, replace that one: "
                    "wallet tx speed-up TXID")
        else:
            msg = _("{txid} was already replaced by a later transaction; to cancel again, replace that one: "
                    "wallet tx cancel TXID")
        raise UsageError(msg.format(txid=txid, by=by))
    st = adapter.status(txid)
    if st.state != "pending":
        raise UsageError(_("{txid} is {state}, not pending; there is nothing to replace").format(
            txid=txid, state=state_word(st.state)))
    sender = accounts.resolve(entry.sender, session.vault_info().accounts)
    with jr.lock(entry.idem_key or entry.intent or txid):
        signer = AccountSigner(sender, net)
        new = signer.sign_replacement(adapter, entry.signed, how, bump, allow_high_fee=allow_high_fee)
        review = {N_("Replaces"): txid, N_("Action"): human_text(N_("speed up") if speed_up else N_("cancel")),
                  N_("Old fee (max)"): str(entry.signed.fee or "?"), N_("New fee (max)"): str(new.fee or "?")}
        for i, o in enumerate(new.payload.get("outputs") or []):   # btc: every output, and whose it is
            if options().json:   # the review's keys and values are what a script reads there: English
                review[f"Output {i}"] = f"{o['amount']} to {o['address']} ({o['whose']})"
            else:                # a label with a number is no message id: translated here, whole
                from chains.bitcoin import rbf

                review[_("Output {index}").format(index=i)] = _("{amount} to {address} ({whose})").format(
                    amount=o["amount"], address=o["address"], whose=rbf.whose_text(o["whose"]))
        output.key_values(review, title=_("Review the replacement"))
        confirm(_("Broadcast this replacement of {txid}?").format(txid=txid))
        # The replacement carries the original's idempotency key and intent: a rerun finds it.
        jr.record_signed(new, kind="speed-up" if how == "speed up" else "cancel", replaces=txid,
                         idem_key=entry.idem_key, intent=entry.intent)
        signer.journalled(jr)
        result = transfer.publish(new, adapter, jr, wait=False)
        jr.set_state(entry.network, txid, "replaced", f"by {new.txid}")
    render_result(result)


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



def register(app: typer.Typer) -> None:
    app.add_typer(tx_app, name="tx", rich_help_panel="Chains")
