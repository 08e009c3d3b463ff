"""Transactions that paid a Bitcoin account, from its BDK wallet (synced first): net received > sent."""

from __future__ import annotations

from typing import Any

from chains.base import Account


def received(adapter: Any, account: Account) -> list[dict[str, Any]]:
    ow = adapter._open(account)            # syncs: the wallet knows every transaction touching it
    rows: list[dict[str, Any]] = []
    for ctx in ow.wallet.transactions():
        tx = ctx.transaction
        sr = ow.wallet.sent_and_received(tx)
        sent, got = sr.sent.to_sat(), sr.received.to_sat()
        if got <= sent:
            continue                       # our own send (its change comes back to us)
        pos = ctx.chain_position
        block = when = None
        if pos.is_confirmed():
            cbt = pos.confirmation_block_time
            block, when = int(cbt.block_id.height), int(cbt.confirmation_time)
        rows.append({"txid": str(tx.compute_txid()), "ref": "net", "to": account.ref, "from": "",
                     "amount": adapter._amount(got - sent).plain(), "symbol": adapter.network.symbol,
                     "token": None, "block": block, "time": when})
    return rows
