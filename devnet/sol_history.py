"""What the Solana sandbox remembers of landed transactions, for getSignaturesForAddress and getTransaction.

Only native balances are kept (pre and post lamports of each account key); token balance lists are empty.
"""

from __future__ import annotations

import time
from typing import Any


class History:
    def __init__(self) -> None:
        self.txs: dict[str, dict[str, Any]] = {}
        self.by_address: dict[str, list[str]] = {}   # oldest first

    def record(self, sig: str, slot: int, keys: list[str], pre: list[int], post: list[int], fee: int,
               err: Any) -> None:
        self.txs[sig] = {"slot": slot, "blockTime": int(time.time()), "keys": keys, "pre": pre, "post": post,
                         "fee": fee, "err": err}
        for k in dict.fromkeys(keys):
            self.by_address.setdefault(k, []).append(sig)

    def signatures(self, address: str, limit: int = 1000, before: str | None = None,
                   until: str | None = None) -> list[dict[str, Any]]:
        """Newest first, like a node: stop at `until` (exclusive), start below `before`."""
        out: list[dict[str, Any]] = []
        started = before is None
        for sig in reversed(self.by_address.get(address, [])):
            if not started:
                started = sig == before
                continue
            if sig == until or len(out) >= limit:
                break
            t = self.txs[sig]
            out.append({"signature": sig, "slot": t["slot"], "err": t["err"], "memo": None,
                        "blockTime": t["blockTime"], "confirmationStatus": "finalized"})
        return out

    def transaction(self, sig: str) -> dict[str, Any] | None:
        t = self.txs.get(sig)
        if t is None:
            return None
        return {"slot": t["slot"], "blockTime": t["blockTime"],
                "meta": {"err": t["err"], "fee": t["fee"], "preBalances": t["pre"], "postBalances": t["post"],
                         "preTokenBalances": [], "postTokenBalances": []},
                "transaction": {"signatures": [sig], "message": {"accountKeys": t["keys"]}}}
