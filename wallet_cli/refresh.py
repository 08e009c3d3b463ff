"""Bring the journal's open entries up to date with the node before showing history.

Bounded: at most MAX_ENTRIES entries, a few at once, within one deadline. Only pending entries (the
node accepted them) are asked about, and only a definite answer (confirmed or failed) changes one; a
node that does not know a transaction leaves the entry as it was. Entries whose broadcast outcome is
unknown are left to a rerun of the send, whose reconciliation is what keeps a transfer exactly-once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from chains.errors import ChainError

MAX_ENTRIES = 50
WORKERS = 4


def refresh(journal: Any, entries: list[Any], make_adapter: Any, deadline: float = 20.0) -> tuple[int, list[str]]:
    """(entries changed, networks that could not be asked)."""
    todo = [e for e in entries if e.state == "pending"][:MAX_ENTRIES]
    if not todo:
        return 0, []

    def ask(e: Any) -> Any:
        adapter = make_adapter(e.network)
        if hasattr(adapter, "timeout"):
            adapter.timeout = min(float(adapter.timeout), deadline)
        return adapter.status(e.txid)

    pool = ThreadPoolExecutor(max_workers=min(WORKERS, len(todo)), thread_name_prefix="refresh")
    futures = {pool.submit(ask, e): e for e in todo}
    done, late = wait(futures, timeout=deadline)
    pool.shutdown(wait=False, cancel_futures=True)
    changed, failed = 0, {futures[f].network for f in late}
    for f in done:
        e = futures[f]
        try:
            st = f.result()
        except ChainError:
            failed.add(e.network)
            continue
        if st.state in ("confirmed", "failed"):
            journal.set_state(e.network, e.txid, st.state, st.detail)
            e.state, changed = st.state, changed + 1
    return changed, sorted(failed)
