"""Received transfers, read from each network and cached in wallet.db so a rerun reads only what is new.

Cursors per (network, address): EVM the last block read, Solana the newest signature seen; Bitcoin's
BDK wallet keeps its own sync state. Tables live beside the journal's, created here.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from chains.base import Account, Network
from wallet_i18n import _

_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    network TEXT NOT NULL, family TEXT NOT NULL, txid TEXT NOT NULL, ref TEXT NOT NULL,
    recipient TEXT NOT NULL, sender TEXT, amount TEXT NOT NULL, symbol TEXT NOT NULL, token TEXT,
    block INTEGER, time REAL, seen REAL NOT NULL,
    PRIMARY KEY (network, txid, ref, recipient)
);
CREATE TABLE IF NOT EXISTS received_cursor (
    network TEXT NOT NULL, address TEXT NOT NULL, cursor TEXT NOT NULL, PRIMARY KEY (network, address)
);
"""
MAX_BLOCKS = 10_000      # EVM: blocks read per run at most (a first run reads the latest ones)
MAX_SOL_TXS = 200        # Solana: signatures read per address per run at most


def _db(journal: Any) -> sqlite3.Connection:
    journal.db.executescript(_SCHEMA)
    return journal.db


def _cursor(db: sqlite3.Connection, network: str, address: str) -> str | None:
    row = db.execute("SELECT cursor FROM received_cursor WHERE network = ? AND address = ?",
                     (network, address)).fetchone()
    return row[0] if row else None


def _store(db: sqlite3.Connection, net: Network, rows: list[dict[str, Any]], cursors: dict[str, str]) -> None:
    now = time.time()
    db.execute("BEGIN IMMEDIATE")
    try:
        for r in rows:  # a receipt seen unconfirmed and later confirmed keeps one row, with its block
            db.execute("INSERT INTO received (network, family, txid, ref, recipient, sender, amount, symbol, token,"
                       " block, time, seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (network, txid, ref,"
                       " recipient) DO UPDATE SET block = excluded.block, time = excluded.time,"
                       " amount = excluded.amount",
                       (net.name, net.family, r["txid"], r["ref"], r["to"], r.get("from"), r["amount"],
                        r["symbol"], r.get("token"), r.get("block"), r.get("time"), now))
        for address, cur in cursors.items():
            db.execute("INSERT OR REPLACE INTO received_cursor (network, address, cursor) VALUES (?,?,?)",
                       (net.name, address, cur))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def scan(journal: Any, net: Network, adapter: Any, accounts: list[Account]) -> list[str]:
    """Read what is new on one network for these accounts and cache it; notes for the user."""
    db = _db(journal)
    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    cursors: dict[str, str] = {}
    if net.family == "evm":
        from chains.evm.incoming import received

        addrs = [a.address for a in accounts]
        starts = [_cursor(db, net.name, a) for a in addrs]
        start = None if any(s is None for s in starts) else min(int(s) + 1 for s in starts if s is not None)
        rows, head, notes = received(adapter, addrs, start, MAX_BLOCKS)
        cursors = {a: str(head) for a in addrs}
    elif net.family == "sol":
        from chains.solana.incoming import received as sol_received

        for a in accounts:
            got, newest = sol_received(adapter, a.address, _cursor(db, net.name, a.address), MAX_SOL_TXS)
            rows += got
            if newest:
                cursors[a.address] = newest
    elif net.family == "btc":
        from chains.bitcoin.incoming import received as btc_received

        for a in accounts:
            rows += btc_received(adapter, a)
    else:
        notes.append(_("{network}: received transfers are not available on {family} yet").format(
            network=net.name, family=net.family))
    _store(db, net, rows, cursors)
    return notes


def cached(journal: Any, network: str | None, limit: int) -> list[dict[str, Any]]:
    db = _db(journal)
    sql = ("SELECT network, family, txid, ref, recipient, sender, amount, symbol, token, block, time, seen"
           " FROM received ")
    args: tuple[Any, ...] = ()
    if network:
        sql, args = sql + "WHERE network = ? ", (network,)
    cur = db.execute(sql + "ORDER BY COALESCE(time, seen) DESC, block DESC LIMIT ?", (*args, limit))
    out = []
    for (net, fam, txid, _ref, to, sender, amount, symbol, token, block, when, seen) in cur.fetchall():
        out.append({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when or seen)), "network": net,
                    "family": fam, "txid": txid, "kind": "received", "from": sender or None, "to": to,
                    "amount": amount, "symbol": symbol, "token": token, "fee": None,
                    "state": "confirmed" if block is not None else "pending", "block": block})
    return out
