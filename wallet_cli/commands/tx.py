"""wallet tx status | speed-up | cancel."""

from __future__ import annotations

from typing import Annotated

import typer

from wallet_cli import accounts, output, session
from wallet_cli.commands.common import adapter_for, journal, render_result, require
from wallet_cli.errors import UsageError

tx_app = typer.Typer(help="Follow, speed up or cancel a sent transaction.", no_args_is_help=True)


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
        raise UsageError(f"{txid} is not in the journal; pass --network")
    net, adapter = adapter_for(name)
    st = adapter.status(txid)
    if entry is not None:
        jr.set_state(name, txid, st.state, st.detail)
    data = {"network": name, **st.to_json()}
    shown = {**data, "fee": f"{st.fee.plain()} {st.fee.symbol}" if st.fee else None}
    output.emit(data, lambda: output.key_values_out({k: v for k, v in shown.items() if v is not None}))


def _replace(txid: str, network: str | None, bump: int, how: str, allow_high_fee: bool) -> None:
    from wallet_cli import transfer
    from wallet_cli.prompts import confirm

    if bump < 10 or bump > 1000:
        raise UsageError("--bump must be between 10 and 1000 percent")
    from wallet_cli.signing import AccountSigner

    jr = journal()
    entry = jr.get(txid, network)
    if entry is None:
        raise UsageError(f"{txid} is not in this wallet's journal; only transactions it signed can be replaced")
    net, adapter = adapter_for(entry.network)
    require(adapter, "speed_up" if how == "speed up" else "cancel", how)
    if entry.state == "replaced":
        by = (entry.detail or "").removeprefix("by ").strip()
        cmd = "speed-up" if how == "speed up" else "cancel"
        raise UsageError(f"{txid} was already replaced by {by or 'a later transaction'}; "
                         f"to {how} again, replace that one: wallet tx {cmd} {by or 'TXID'}")
    st = adapter.status(txid)
    if st.state != "pending":
        raise UsageError(f"{txid} is {st.state}, not pending; there is nothing to replace")
    sender = accounts.resolve(entry.sender, session.vault_info().accounts)
    with jr.lock(entry.idem_key or entry.intent or txid):
        signer = AccountSigner(sender, net)
        new = signer.sign_replacement(adapter, entry.signed, how, bump, allow_high_fee=allow_high_fee)
        review = {"Replaces": txid, "Action": how, "Old fee (max)": str(entry.signed.fee or "?"),
                  "New fee (max)": str(new.fee or "?")}
        for i, o in enumerate(new.payload.get("outputs") or []):   # btc: every output, and whose it is
            review[f"Output {i}"] = f"{o['amount']} to {o['address']} ({o['whose']})"
        output.key_values(review, title="Review the replacement")
        confirm(f"Broadcast this replacement of {txid}?")
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
