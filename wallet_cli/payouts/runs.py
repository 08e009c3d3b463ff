"""Payout runs in the journal (wallet.db, SQLite WAL): runs, their rows, and the transactions paying them.

Every signed transaction is written with the row keys it pays before it is broadcast, a whole chunk in
one SQLite transaction (one fsync per chunk, not per row). Row states:
  new       nothing signed for it, or everything signed for it provably can never land
  inflight  a signed transaction pays it and its outcome is not final (signed, pending or unknown)
  confirmed / failed   the transaction landed (failed: it reverted; the fee was paid, the row was not)
  replaced  its transaction was replaced by `wallet tx speed-up`/`cancel`: never paid again, reported

A transaction's `detail` is kept in English (the journal is data: `pay report --json` and scripts read it);
it is written from the templates below, which `show.shown` matches to put it in the reader's language.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from wallet_cli.errors import UsageError
from wallet_cli.payouts.plan import Plan, Row
from wallet_i18n import N_, _, english

OPEN_TX = ("signed", "pending", "unknown")
ROW_STATES = (N_("new"), N_("inflight"), N_("confirmed"), N_("failed"), N_("replaced"))  # shown translated

# The details a transaction's outcome is journalled with (in English; see the module's docstring).
UNKNOWN_OUTCOME = N_("the broadcast's outcome is unknown")
NODE_ANSWERED = N_("the node answered: {reason}")
OTHER_HASH = N_("the node answered with another transaction hash")
NONCE_USED_BY_NODE = N_("the node reports this nonce as used")
NONCE_USED = N_("nonce {nonce} was used by another transaction")
REVERTED = N_("the transaction reverted; its fee was paid")
REPLACED_BY = N_("replaced by {txid} ({kind}); check it with 'wallet tx status {txid}', this row is not paid again")
# The recipient the journal's txs table lists for a payout transaction paying several addresses
SEVERAL_RECIPIENTS = N_("{count} recipients")
# Bitcoin's and Solana's (here, not in payouts.btc or .sol, so that showing a run imports neither library)
OTHER_SIGNATURE = N_("the node answered with another signature")
EXPIRED_UNKNOWN = N_("its blockhash expired and the node has no record of it")
OTHER_TXID = N_("the node answered with another txid")
CHANGE_CANNOT_LAND = N_("it spends the change of {parent}, which can never land")
INPUT_SPENT_BY = N_("its input is spent by {spender}")
DETAILS = (UNKNOWN_OUTCOME, NODE_ANSWERED, OTHER_HASH, NONCE_USED_BY_NODE, NONCE_USED, REVERTED, REPLACED_BY,
           OTHER_TXID, CHANGE_CANNOT_LAND, INPUT_SPENT_BY, OTHER_SIGNATURE, EXPIRED_UNKNOWN)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS payout_runs (
    name TEXT PRIMARY KEY, network TEXT NOT NULL, sender TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS payout_rows (
    run TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, line INTEGER NOT NULL,
    recipient TEXT NOT NULL, amount TEXT NOT NULL, symbol TEXT NOT NULL, token TEXT, memo TEXT,
    fingerprint TEXT NOT NULL, state TEXT NOT NULL, txid TEXT, detail TEXT,
    PRIMARY KEY (run, key)
);
CREATE TABLE IF NOT EXISTS payout_txs (
    run TEXT NOT NULL, txid TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL, detail TEXT,
    rows TEXT NOT NULL, raw TEXT NOT NULL, meta TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (run, txid)
);
CREATE INDEX IF NOT EXISTS payout_txs_state ON payout_txs (run, state);
CREATE INDEX IF NOT EXISTS payout_rows_txid ON payout_rows (run, txid);
"""


@dataclass(slots=True)
class SignedPayment:
    """One signed transaction of a run: the bytes to broadcast and the rows it pays."""

    txid: str
    seq: int                           # evm: the nonce; others: order of signing
    raw: str
    rows: list[str]
    meta: dict[str, Any]


@dataclass(slots=True)
class TxRecord(SignedPayment):
    state: str = "signed"
    detail: str | None = None


@dataclass(slots=True)
class RowRecord:
    key: str
    seq: int
    line: int
    to: str
    amount: str
    symbol: str
    token: str | None
    memo: str | None
    fingerprint: str
    state: str
    txid: str | None
    detail: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.key[3:] if self.key.startswith("id:") else None, "key": self.key, "line": self.line,
                "to": self.to, "amount": self.amount, "symbol": self.symbol, "token": self.token,
                "memo": self.memo, "state": self.state, "txid": self.txid, "detail": self.detail}


def _signed_json(p: SignedPayment, e: dict[str, Any]) -> dict[str, Any]:
    """The journal's SignedTx form of one payout transaction (tx status and history read it)."""
    amount = {"value": str(e["units"]), "decimals": e["decimals"], "symbol": e["symbol"], "amount": e["amount"]}
    return {"kind": "signed", "family": e["family"], "network": e["network"], "txid": p.txid, "raw": p.raw,
            "sender": e["sender"], "recipient": e["recipient"], "amount": amount, "fee": None,
            "payload": {**{k: v for k, v in p.meta.items() if k in ("blockhash", "lastValidBlockHeight")},
                        "token": e["token"], "payout_rows": len(p.rows)}}


class Runs:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(_SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # ---- runs and rows -------------------------------------------------------------------------

    def run_info(self, name: str) -> tuple[str, str] | None:
        r = self.db.execute("SELECT network, sender FROM payout_runs WHERE name = ?", (name,)).fetchone()
        return (r[0], r[1]) if r else None

    def sync(self, name: str, plan: Plan) -> list[tuple[Row, RowRecord]]:
        """Create the run or match the file against it; returns the conflicts (row changed after paying).

        A row not yet paid may change freely (its stored text is updated); new rows are added.
        """
        conflicts: list[tuple[Row, RowRecord]] = []
        with self._tx() as db:
            info = self.run_info(name)
            if info is None:
                db.execute("INSERT INTO payout_runs VALUES (?,?,?,?)",
                           (name, plan.network.name, plan.sender, time.time()))
            elif info != (plan.network.name, plan.sender):
                raise UsageError(_("run {name!r} pays from {sender} on {network}; give another --run name for this "
                                   "network or account").format(name=name, sender=info[1], network=info[0]))
            stored = {r[0]: r for r in db.execute(
                "SELECT key, fingerprint, state, line, seq FROM payout_rows WHERE run = ?", (name,))}
            fresh, moved = [], []
            for row in plan.rows:
                old = stored.get(row.key)
                if old is None or (old[2] == "new" and old[1] != row.fingerprint):
                    fresh.append((name, row.key, row.seq, row.line, row.to, row.amount.plain(), row.amount.symbol,
                                  row.asset.token, row.memo, row.fingerprint, "new", None, None))
                elif old[1] != row.fingerprint:
                    conflicts.append((row, self._row(name, row.key)))
                elif old[3] != row.line or old[4] != row.seq:
                    moved.append((row.line, row.seq, name, row.key))
            db.executemany("INSERT OR REPLACE INTO payout_rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", fresh)
            db.executemany("UPDATE payout_rows SET line = ?, seq = ? WHERE run = ? AND key = ?", moved)
        return conflicts

    _ROW = ("SELECT key, seq, line, recipient, amount, symbol, token, memo, fingerprint, state, txid, detail "
            "FROM payout_rows WHERE run = ? ")

    def rows(self, name: str) -> list[RowRecord]:
        return [RowRecord(*r) for r in self.db.execute(self._ROW + "ORDER BY seq", (name,))]

    def _row(self, name: str, key: str) -> RowRecord:
        return RowRecord(*self.db.execute(self._ROW + "AND key = ?", (name, key)).fetchone())

    def refused_rows(self, name: str) -> list[RowRecord]:
        """Rows whose transaction failed on chain, or that wait on one the node did not accept."""
        return [RowRecord(*r) for r in self.db.execute(
            self._ROW + "AND (state IN ('failed', 'replaced') OR (state = 'inflight' AND detail IS NOT NULL)) "
            "ORDER BY seq",
            (name,))]

    def row_states(self, name: str) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, state FROM payout_rows WHERE run = ?", (name,)))

    def state_counts(self, name: str) -> dict[str, int]:
        return dict(self.db.execute("SELECT state, count(*) FROM payout_rows WHERE run = ? GROUP BY state", (name,)))

    def names(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM payout_runs ORDER BY created")]

    # ---- transactions --------------------------------------------------------------------------

    def record_signed(self, name: str, chunk: list[SignedPayment], entries: list[dict[str, Any]]) -> None:
        """One SQLite transaction per chunk: the signed bytes and the rows they pay, before broadcast.

        `entries` (one per payment: network, family, sender, recipient, amount, symbol, token) also go into
        the journal's txs table, so history, tx status, look-alike checks and the policy's rolling windows
        see every payout transaction.
        """
        now = time.time()
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO txs (created, updated, network, family, txid, kind, sender, recipient,"
                " amount, symbol, token, fee, state, idem_key, intent, replaces, signed_json)"
                " VALUES (?,?,?,?,?,'payout',?,?,?,?,?,NULL,'signed',NULL,?,NULL,?)",
                [(now, now, e["network"], e["family"], p.txid, e["sender"], e["recipient"], e["amount"], e["symbol"],
                  e["token"], "payout:" + name, json.dumps(_signed_json(p, e), separators=(",", ":")))
                 for p, e in zip(chunk, entries, strict=True)])
            db.executemany("INSERT INTO payout_txs VALUES (?,?,?,?,?,?,?,?,?,?)",
                           [(name, p.txid, p.seq, "signed", None, json.dumps(p.rows), p.raw,
                             json.dumps(p.meta, separators=(",", ":")), now, now) for p in chunk])
            db.executemany("UPDATE payout_rows SET state = 'inflight', txid = ?, detail = NULL "
                           "WHERE run = ? AND key = ?", [(p.txid, name, k) for p in chunk for k in p.rows])

    def set_states(self, name: str, updates: Iterable[tuple[str, str, str | None]]) -> None:
        """(txid, tx state, detail) in one transaction; the rows follow their transaction's state."""
        updates = [(txid, state, english(detail)) for txid, state, detail in updates]   # kept in English
        if not updates:
            return
        now = time.time()
        row_state = {"confirmed": "confirmed", "failed": "failed", "dropped": "new", "rejected": "new",
                     "replaced": "replaced"}
        with self._tx() as db:
            updates = [self._unless_replaced(db, name, u) for u in updates]
            db.executemany("UPDATE payout_txs SET state = ?, detail = COALESCE(?, detail), updated = ? "
                           "WHERE run = ? AND txid = ?", [(s, d, now, name, t) for t, s, d in updates])
            db.executemany("UPDATE txs SET state = ?, detail = COALESCE(?, detail), updated = ? WHERE txid = ? AND "
                           "network = (SELECT network FROM payout_runs WHERE name = ?)",
                           [(s, d, now, t, name) for t, s, d in updates])
            db.executemany("UPDATE payout_rows SET state = ?, txid = CASE WHEN ? = 'new' THEN NULL ELSE txid END,"
                           " detail = ? WHERE run = ? AND txid = ?",
                           [(row_state.get(s, "inflight"), row_state.get(s, "inflight"), d, name, t)
                            for t, s, d in updates])

    def next_seq(self, name: str) -> int:
        """One past the highest sequence (the EVM nonce) any transaction of this run was signed with."""
        r = self.db.execute("SELECT MAX(seq) FROM payout_txs WHERE run = ?", (name,)).fetchone()
        return 0 if r[0] is None else int(r[0]) + 1

    def tx_count(self, name: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM payout_txs WHERE run = ?", (name,)).fetchone()[0])

    def progress(self, name: str) -> tuple[int, int, int]:
        """Rows (signed, broadcast, confirmed) for the progress bar."""
        r = self.db.execute(
            "SELECT count(*), coalesce(sum(t.state IN ('pending', 'confirmed', 'failed')), 0),"
            " coalesce(sum(r.state = 'confirmed'), 0) FROM payout_rows r JOIN payout_txs t"
            " ON t.run = r.run AND t.txid = r.txid WHERE r.run = ?", (name,)).fetchone()
        return int(r[0]), int(r[1]), int(r[2])

    @staticmethod
    def _unless_replaced(db: sqlite3.Connection, name: str,
                         u: tuple[str, str, str | None]) -> tuple[str, str, str | None]:
        """A payout tx replaced with `wallet tx speed-up` or `cancel` is gone, but its payment may have landed
        in the replacement: its rows are never paid again (they are reported instead)."""
        txid, state, _detail = u
        if state != "dropped":
            return u
        r = db.execute("SELECT txid, kind FROM txs WHERE replaces = ? AND network = "
                       "(SELECT network FROM payout_runs WHERE name = ?)", (txid, name)).fetchone()
        if r is None:
            return u
        return (txid, "replaced", REPLACED_BY.format(txid=r[0], kind=r[1]))

    def open_txs(self, name: str) -> list[TxRecord]:
        cur = self.db.execute("SELECT txid, seq, raw, rows, meta, state, detail FROM payout_txs WHERE run = ? "
                              "AND state IN ('signed', 'pending', 'unknown') ORDER BY seq", (name,))
        return [TxRecord(t, s, raw, json.loads(rows), json.loads(meta), st, d)
                for t, s, raw, rows, meta, st, d in cur.fetchall()]
