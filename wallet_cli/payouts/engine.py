"""The run loop, the same for every family: match the file with the run, reconcile, review, sign in chunks.

Order per chunk: sign -> journal (one SQLite transaction) -> broadcast -> record the outcome. A kill at any
point leaves either nothing signed for a row (it is signed on the rerun) or a journalled transaction that
the rerun reconciles with the node before anything new is signed. Ctrl-C is deferred to the end of the
current chunk.

Why a run stopped (Report.stopped) is kept in English for `--json`, written from the templates below, which
`show.shown` matches to tell a person in their language; a chain's refusal or outage is quoted as it was raised.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from chains.base import Signer
from chains.errors import Refused as ChainRefused
from chains.errors import Unavailable
from wallet_cli.errors import INTERRUPTED, NETWORK, OK, REFUSED
from wallet_cli.payouts import plan as plan_mod
from wallet_cli.payouts.plan import Plan, Row
from wallet_cli.payouts.runs import (
    OPEN_TX,
    SEVERAL_RECIPIENTS,
    UNKNOWN_OUTCOME,
    RowRecord,
    Runs,
    SignedPayment,
    TxRecord,
)
from wallet_i18n import N_, english, message_of, translated

Outcome = tuple[str, str, str | None]

NOT_CONFIRMED = N_("{count} transaction(s) did not confirm within {seconds} s (first: {txid}); rerun the same "
                   "command to wait for them, nothing is paid twice")
UNAVAILABLE = N_("{reason} Rerun the same command to resume; nothing will be paid twice.")
UNSETTLED = N_("{count} transaction(s) signed earlier could be neither found nor re-sent (first: {txid}, {detail}); "
               "nothing new was signed, since they may still land. Rerun later to reconcile them")
NO_ANSWER = N_("no answer")
NOT_ACCEPTED = N_("the node did not accept transaction {txid} (rows {rows}): {reason}; later rows wait, nothing is "
                  "re-signed without proof")
INTERRUPTED_RUN = N_("interrupted after a complete chunk; rerun the same command to resume")
STOPS = (NOT_CONFIRMED, UNAVAILABLE, UNSETTLED, NO_ANSWER, NOT_ACCEPTED, INTERRUPTED_RUN)


class Driver(Protocol):
    family: str

    def prepare(self, plan: Plan, todo: list[Row], next_seq: int) -> dict[str, Any]: ...
    def reconcile(self, txs: list[TxRecord]) -> list[Outcome]: ...
    def sign_chunks(self, todo: list[Row], signer: Signer) -> Any: ...
    def tx_groups(self, todo: list[Row]) -> list[list[Row]]: ...
    def broadcast(self, chunk: list[SignedPayment]) -> list[Outcome]: ...
    def wait(self, txs: list[TxRecord], timeout: float) -> list[Outcome]: ...


class Progress(Protocol):
    def update(self, signed: int, broadcast: int, confirmed: int) -> None: ...


@dataclass
class Report:
    run: str
    network: str
    counts: dict[str, int] = field(default_factory=dict)          # rows per state
    refused: list[dict[str, Any]] = field(default_factory=list)   # rows that failed, or whose tx the node refused
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None              # why the run stopped early, one sentence (English: see above)
    network_failed: bool = False
    interrupted: bool = False
    transactions: int = 0
    signed_here: int = 0                    # transactions this process signed and journalled

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def exit_code(self) -> int:
        if self.network_failed:
            return NETWORK
        if self.interrupted:
            return INTERRUPTED
        if self.conflicts or self.refused or self.stopped or self.counts.get("replaced"):
            return REFUSED
        return OK

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "network": self.network, "rows": self.rows, "states": self.counts,
                "transactions": self.transactions, "conflicts": self.conflicts, "refused": self.refused,
                "stopped": english(self.stopped), "interrupted": self.interrupted, "exit_code": self.exit_code}


def conflicts_of(pairs: list[tuple[Row, RowRecord]]) -> list[dict[str, Any]]:
    return [{"line": row.line, "key": rec.key, "state": rec.state, "txid": rec.txid,
             "paid": {"to": rec.to, "amount": rec.amount, "symbol": rec.symbol, "memo": rec.memo},
             "file": {"to": row.to, "amount": row.amount.plain(), "symbol": row.amount.symbol, "memo": row.memo}}
            for row, rec in pairs]


def dry_run(name: str, plan: Plan, runs: Runs, driver: Driver) -> dict[str, Any]:
    """The review, computed without writing anything (no run is created, nothing is reconciled)."""
    stored = runs.row_states(name)
    todo = [r for r in plan.rows if stored.get(r.key, "new") == "new"]
    fees = driver.prepare(plan, todo, runs.next_seq(name))
    return plan_mod.review(plan, fees, len(todo), len(plan.rows) - len(todo))


class _Deferred:
    """SIGINT sets a flag that the loop checks between chunks (main thread only)."""

    def __init__(self) -> None:
        self.hit = False
        self._old: Any = None

    def __enter__(self) -> _Deferred:
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, *_: Any) -> None:
        self.hit = True

    def __exit__(self, *_: Any) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def execute(name: str, plan: Plan, runs: Runs, driver: Driver, *,
            confirm: Callable[[dict[str, Any]], None],
            key_for: Callable[[dict[str, Any], list[list[Row]]], Signer],
            wait: bool = False, timeout: float = 120.0, progress: Progress | None = None,
            journalled: Callable[[], None] | None = None) -> Report:
    """`journalled` runs after each chunk's journal commit and before its broadcast: it raises the vault's
    journal high-water mark, so a wallet.db rolled back past broadcast rows is known stale (never re-paid)."""
    conflicts = conflicts_of(runs.sync(name, plan))
    conflict_keys = {c["key"] for c in conflicts}
    report = Report(name, plan.network.name, conflicts=conflicts)
    try:
        _reconcile(name, runs, driver, report)
        if report.stopped:
            return _finish(report, runs, progress)
        states = runs.row_states(name)
        todo = [r for r in plan.rows if states.get(r.key) == "new" and r.key not in conflict_keys]
        if todo:
            fees = driver.prepare(plan, todo, runs.next_seq(name))
            review = plan_mod.review(plan, fees, len(todo), len(plan.rows) - len(todo))
            confirm(review)
            try:
                key = key_for(review, driver.tx_groups(todo))     # the policy sees every transaction first
                _pay(name, plan, runs, driver, todo, key, report, progress, len(plan.rows) - len(todo),
                     journalled)
            except ChainRefused as e:         # e.g. a later transaction fails simulation: stop, report
                report.stopped = message_of(e)   # a Translated: to_json() keeps its English
        if wait and not report.stopped:
            pending = [t for t in runs.open_txs(name) if t.state == "pending"]
            runs.set_states(name, driver.wait(pending, timeout))
            if left := runs.open_txs(name):          # exit 0 with --wait means every row landed
                report.network_failed = True
                report.stopped = NOT_CONFIRMED.format(count=len(left), seconds=f"{timeout:g}", txid=left[0].txid)
    except Unavailable as e:
        report.network_failed = True
        report.stopped = translated(UNAVAILABLE).format(reason=message_of(e))
    return _finish(report, runs, progress)


def _finish(report: Report, runs: Runs, progress: Progress | None = None) -> Report:
    report.counts = runs.state_counts(report.run)
    report.refused = [r.to_json() for r in runs.refused_rows(report.run)]
    report.transactions = runs.tx_count(report.run)
    if progress:
        progress.update(*runs.progress(report.run))
    return report


def _reconcile(name: str, runs: Runs, driver: Driver, report: Report) -> None:
    """Settle every journalled transaction whose outcome is open before signing anything new."""
    open_txs = runs.open_txs(name)
    if not open_txs:
        return
    runs.set_states(name, driver.reconcile(open_txs))
    still = [t for t in runs.open_txs(name) if t.state in ("signed", "unknown")]
    if still:
        t = still[0]
        report.stopped = UNSETTLED.format(count=len(still), txid=t.txid, detail=t.detail or NO_ANSWER)


class _Sender:
    """Broadcasts one chunk at a time on a worker thread, so that the next chunk is signed and journalled
    while the node ingests this one (drivers with `pipeline = True`). Journal writes stay on the caller's
    thread; a chunk is only ever broadcast after its own journal commit."""

    def __init__(self, name: str, runs: Runs, driver: Driver, report: Report) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.name, self.runs, self.driver, self.report = name, runs, driver, report
        self.pool = ThreadPoolExecutor(1) if getattr(driver, "pipeline", False) else None
        self.inflight: tuple[list[SignedPayment], Any] | None = None
        self.sent = 0

    def submit(self, chunk: list[SignedPayment]) -> None:
        if self.pool is None:
            self.inflight = (chunk, None)
            self.settle()
        else:
            self.inflight = (chunk, self.pool.submit(self.driver.broadcast, chunk))

    def settle(self) -> bool:
        """Record the outcome of the chunk in flight; False if the run must stop."""
        if self.inflight is None:
            return True
        chunk, future = self.inflight
        self.inflight = None
        try:
            outcomes = future.result() if future is not None else self.driver.broadcast(chunk)
        except Unavailable:
            self.runs.set_states(self.name, [(p.txid, "unknown", UNKNOWN_OUTCOME) for p in chunk])
            raise
        self.runs.set_states(self.name, outcomes)
        good = {t for t, st, _d in outcomes if st in ("pending", "confirmed")}
        self.sent += sum(len(p.rows) for p in chunk if p.txid in good)
        bad = [o for o in outcomes if o[1] not in ("pending", "confirmed")]
        if bad:
            rows = {p.txid: p.rows for p in chunk}
            self.report.stopped = NOT_ACCEPTED.format(txid=bad[0][0], rows=", ".join(rows[bad[0][0]]), reason=bad[0][2])
            return False
        return True

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)


def journal_entry(plan: Plan, rows: list[Row]) -> dict[str, Any]:
    """How the journal's txs table lists one payout transaction (its rows share one asset)."""
    from chains.base import Amount

    asset = rows[0].asset
    units = sum(r.amount.value for r in rows)
    tos = {r.to for r in rows}
    return {"network": plan.network.name, "family": plan.network.family, "sender": plan.sender,
            "recipient": rows[0].to if len(tos) == 1 else SEVERAL_RECIPIENTS.format(count=len(tos)),
            "units": units,
            "amount": Amount(units, asset.decimals, asset.symbol).plain(), "decimals": asset.decimals,
            "symbol": asset.symbol, "token": asset.token}


def _pay(name: str, plan: Plan, runs: Runs, driver: Driver, todo: list[Row], signer: Signer, report: Report,
         progress: Progress | None, before: int = 0, journalled: Callable[[], None] | None = None) -> None:
    by_key = {r.key: r for r in todo}
    signed = before                                         # rows paid or in flight from earlier runs
    sender = _Sender(name, runs, driver, report)
    sender.sent = before
    try:
        with _Deferred() as sigint:
            for chunk in driver.sign_chunks(todo, signer):
                entries = [journal_entry(plan, [by_key[k] for k in p.rows]) for p in chunk]
                runs.record_signed(name, chunk, entries)    # journalled before any byte leaves
                if journalled:
                    journalled()                            # the vault's mark counts it before it leaves too
                report.signed_here += len(chunk)
                signed += sum(len(p.rows) for p in chunk)
                if not sender.settle():                     # the previous chunk's outcome first
                    return                                  # this chunk stays journalled as signed
                if progress:
                    progress.update(signed, sender.sent, 0)
                sender.submit(chunk)
                if sigint.hit:
                    report.interrupted = True
                    report.stopped = INTERRUPTED_RUN
                    break
            sender.settle()
            if progress:
                progress.update(signed, sender.sent, 0)
    finally:
        sender.close()


__all__ = ["OPEN_TX", "Report", "dry_run", "execute"]
