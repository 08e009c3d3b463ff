"""The SQLite journal of signed and broadcast transactions, plus the address book.

A signed transaction is committed here before it is broadcast, so a crash or a timed-out broadcast
can be reconciled later instead of signing a second transaction. WAL mode; one transaction per change.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chains.base import SignedTx
from wallet_cli.errors import Refused
from wallet_i18n import _, english

# States: signed (not yet sent) -> pending (node accepted) -> confirmed | failed | replaced | dropped;
# unknown = the broadcast's outcome is unknown (timeout); rejected = the node refused it.
OPEN_STATES = ("signed", "unknown", "pending")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS txs (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    network TEXT NOT NULL,
    family TEXT NOT NULL,
    txid TEXT NOT NULL,
    kind TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    amount TEXT,
    symbol TEXT,
    token TEXT,
    fee TEXT,
    state TEXT NOT NULL,
    idem_key TEXT,
    intent TEXT,
    replaces TEXT,
    detail TEXT,
    signed_json TEXT NOT NULL,
    UNIQUE (network, txid)
);
CREATE INDEX IF NOT EXISTS txs_idem ON txs (idem_key);
CREATE INDEX IF NOT EXISTS txs_intent ON txs (intent);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS contacts (
    name TEXT NOT NULL,
    family TEXT NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (family, name)
);
"""


# Callers pass only fixed WHERE clauses from this module, with ? placeholders for values.
_SELECT = ("SELECT id, created, network, family, txid, kind, sender, recipient, amount, symbol, token, fee,"
           " state, idem_key, replaces, detail, intent, signed_json FROM txs ")


@dataclass
class Entry:
    id: int
    created: float
    network: str
    family: str
    txid: str
    kind: str
    sender: str
    recipient: str
    amount: str | None
    symbol: str | None
    token: str | None
    fee: str | None
    state: str
    idem_key: str | None
    replaces: str | None
    detail: str | None
    intent: str | None
    signed: SignedTx

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created)),
                "network": self.network, "family": self.family, "txid": self.txid, "kind": self.kind,
                "from": self.sender, "to": self.recipient, "amount": self.amount, "symbol": self.symbol,
                "token": self.token, "fee": self.fee, "state": self.state, "idempotency_key": self.idem_key,
                "replaces": self.replaces, "detail": self.detail}


class JournalDamaged(Refused):
    """wallet.db cannot be read or written: nothing is signed without a journal (exit 4)."""


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.DatabaseError as e:
        if "full" in str(e):
            raise JournalDamaged(_("no space left on the device holding the journal {path}; free some space and "
                                   "rerun").format(path=path)) from None
        if "locked" in str(e) or "busy" in str(e):
            raise JournalDamaged(_("the journal {path} is locked by another wallet process; try again when it has "
                                   "finished").format(path=path)) from None
        if "readonly" in str(e):
            raise JournalDamaged(_("the journal {path} cannot be used (it is read-only); move it aside and run "
                                   "'wallet journal reconcile' to start a new one").format(path=path)) from None
        raise JournalDamaged(_("the journal {path} cannot be used (it is damaged or not a wallet journal); move it "
                               "aside and run 'wallet journal reconcile' to start a new one").format(
            path=path)) from None


def _tighten(path: Path) -> None:
    """A wallet.db (and -wal, -shm) left 0644 by an older version killed before its chmod becomes 0600."""
    import stat

    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_mode & 0o077:
            os.chmod(p, 0o600)


class Journal:
    def __init__(self, home: Path) -> None:
        from keystore.files import ensure_private_dir

        ensure_private_dir(home)
        self.home = home
        self.path = path = home / "wallet.db"
        with _readable(path):
            if not path.exists():  # created 0600, so a kill before a chmod cannot leave it readable
                os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
            _tighten(path)
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('id', ?)", (str(uuid.uuid4()),))

    def identity(self) -> str:
        """A random id made with the file: a deleted and recreated journal has another."""
        with _readable(self.path):
            return str(self.db.execute("SELECT value FROM meta WHERE key = 'id'").fetchone()[0])

    def count(self) -> int:
        """Rows are never deleted, so this only grows; a smaller count means an older copy of the file."""
        with _readable(self.path):
            return int(self.db.execute("SELECT COUNT(*) FROM txs").fetchone()[0])

    def since(self, t: float) -> list[Entry]:
        return self._rows("WHERE created > ? ORDER BY id", (t,))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with _readable(self.path):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def record_signed(self, signed: SignedTx, *, kind: str = "send", token: str | None = None,
                      idem_key: str | None = None, intent: str | None = None,
                      replaces: str | None = None, state: str = "signed") -> None:
        """Write before broadcasting. Recording the same (network, txid) again keeps its state and fills only
        the tags it lacks (the choke point journals first; a caller may add its own tags after)."""
        now = time.time()
        amount = signed.amount.plain() if signed.amount else None
        symbol = signed.amount.symbol if signed.amount else None
        fee = str(signed.fee) if signed.fee else None
        with self._tx() as db:
            db.execute(
                "INSERT INTO txs (created, updated, network, family, txid, kind, sender, recipient,"
                " amount, symbol, token, fee, state, idem_key, intent, replaces, signed_json)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (network, txid) DO UPDATE SET"
                " token = COALESCE(txs.token, excluded.token), idem_key = COALESCE(txs.idem_key, excluded.idem_key),"
                " intent = COALESCE(txs.intent, excluded.intent), replaces = COALESCE(txs.replaces, excluded.replaces),"
                " kind = CASE WHEN txs.kind = 'send' THEN excluded.kind ELSE txs.kind END",
                (now, now, signed.network, signed.family, signed.txid, kind, signed.sender, signed.recipient,
                 amount, symbol, token, fee, state, idem_key, intent, replaces, json.dumps(signed.to_json())),
            )

    def has_message(self, network: str, message: str) -> bool:
        """Whether a journalled transaction carries exactly this message (Solana: the same bytes sign to
        the same signature, so a second one would be the same transaction, not a second payment)."""
        row = self.db.execute("SELECT 1 FROM txs WHERE network = ? AND instr(signed_json, ?) > 0 LIMIT 1",
                              (network, json.dumps(message))).fetchone()
        return row is not None

    def set_state(self, network: str, txid: str, state: str, detail: str | None = None) -> None:
        detail = english(detail)   # the journal is read by scripts: English whatever the reader's language
        with self._tx() as db:
            db.execute("UPDATE txs SET state = ?, detail = COALESCE(?, detail), updated = ? "
                       "WHERE network = ? AND txid = ?", (state, detail, time.time(), network, txid))

    def _rows(self, where: str, args: tuple[Any, ...]) -> list[Entry]:
        with _readable(self.path):
            cur = self.db.execute(_SELECT + where, args)
            rows = cur.fetchall()
        return [Entry(*r[:17], signed=SignedTx.from_json(json.loads(r[17]))) for r in rows]

    def get(self, txid: str, network: str | None = None) -> Entry | None:
        if network:
            rows = self._rows("WHERE txid = ? AND network = ?", (txid, network))
        else:
            rows = self._rows("WHERE txid = ? ORDER BY id DESC", (txid,))
        return rows[0] if rows else None

    def by_idem_key(self, key: str) -> list[Entry]:
        """Every transaction journalled under this key (replacements carry it), newest first."""
        return self._rows("WHERE idem_key = ? ORDER BY id DESC", (key,))

    def lock(self, key: str):  # noqa: ANN201 - a context manager from keystore.files
        """An exclusive lock per transfer key, held across check, sign, journal and broadcast."""
        import hashlib

        from keystore.files import ensure_private_dir, locked

        d = ensure_private_dir(self.home / "locks")
        return locked(d / hashlib.sha256(key.encode()).hexdigest()[:32], timeout=600)

    def open_with_intent(self, intent: str) -> list[Entry]:
        marks = ",".join("?" * len(OPEN_STATES))
        return self._rows(f"WHERE intent = ? AND state IN ({marks}) ORDER BY id", (intent, *OPEN_STATES))

    def history(self, network: str | None = None, limit: int = 1000) -> list[Entry]:
        if network:
            return self._rows("WHERE network = ? ORDER BY id DESC LIMIT ?", (network, limit))
        return self._rows("ORDER BY id DESC LIMIT ?", (limit,))

    def known_recipients(self, family: str) -> set[str]:
        cur = self.db.execute("SELECT recipient FROM txs WHERE family = ? UNION "
                              "SELECT address FROM contacts WHERE family = ?", (family, family))
        return {r[0] for r in cur.fetchall()}

    def add_contact(self, name: str, family: str, address: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO contacts (name, family, address) VALUES (?,?,?)",
                       (name, family, address))

    def remove_contact(self, name: str) -> bool:
        with self._tx() as db:
            return db.execute("DELETE FROM contacts WHERE name = ?", (name,)).rowcount > 0

    def contact(self, name: str, family: str) -> str | None:
        row = self.db.execute("SELECT address FROM contacts WHERE name = ? AND family = ?",
                              (name, family)).fetchone()
        return row[0] if row else None

    def contacts(self) -> list[tuple[str, str, str]]:
        return list(self.db.execute("SELECT name, family, address FROM contacts ORDER BY name"))
