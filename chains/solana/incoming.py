"""Transfers received by one Solana address: getSignaturesForAddress back to the last signature read,
then getTransaction for each, keeping the ones that raised our SOL or token balances."""

from __future__ import annotations

from typing import Any

from chains.base import Amount

PAGE = 100


def received(adapter: Any, address: str, until: str | None, max_txs: int) -> tuple[list[dict[str, Any]], str | None]:
    """(rows, the newest signature seen). Reads at most `max_txs` signatures newer than `until`."""
    rpc, net = adapter.rpc, adapter.network
    sigs: list[dict[str, Any]] = []
    before: str | None = None
    while len(sigs) < max_txs:
        cfg: dict[str, Any] = {"limit": min(PAGE, max_txs - len(sigs))}
        if until:
            cfg["until"] = until
        if before:
            cfg["before"] = before
        page = rpc.call("getSignaturesForAddress", [address, cfg]) or []
        sigs.extend(page)
        if len(page) < cfg["limit"]:
            break
        before = page[-1]["signature"]
    newest = sigs[0]["signature"] if sigs else until
    rows: list[dict[str, Any]] = []
    for s in sigs:
        if s.get("err") is not None:
            continue
        tx = rpc.call("getTransaction", [s["signature"], {"encoding": "json", "maxSupportedTransactionVersion": 0,
                                                           "commitment": "confirmed"}])
        if not tx:
            continue
        rows.extend(_received_in(tx, s["signature"], address, net))
    return rows, newest


def _received_in(tx: dict[str, Any], sig: str, address: str, net: Any) -> list[dict[str, Any]]:
    meta = tx.get("meta") or {}
    keys = [k if isinstance(k, str) else k.get("pubkey") for k in tx["transaction"]["message"]["accountKeys"]]
    base = {"txid": sig, "to": address, "block": tx.get("slot"), "time": tx.get("blockTime"), "from": keys[0]}
    out = []
    if address in keys and keys[0] != address:   # we did not pay for it: a receipt, not our own send
        i = keys.index(address)
        delta = int(meta["postBalances"][i]) - int(meta["preBalances"][i])
        if delta > 0:
            out.append({**base, "ref": "native", "amount": Amount(delta, 9, "SOL").plain(), "symbol": "SOL",
                        "token": None})
    symbols = {str(s["address"]): sym for sym, s in net.tokens.items()}

    def held(entries: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
        return {e["mint"]: (int(e["uiTokenAmount"]["amount"]), int(e["uiTokenAmount"]["decimals"]))
                for e in entries or [] if e.get("owner") == address}
    pre, post = held(meta.get("preTokenBalances")), held(meta.get("postTokenBalances"))
    for mint, (amount, decimals) in post.items():
        delta = amount - pre.get(mint, (0, decimals))[0]
        if delta > 0 and keys[0] != address:
            sym = symbols.get(mint, mint)     # the listed symbol, or the mint itself: never a shortened form
            out.append({**base, "ref": f"token:{mint}", "amount": Amount(delta, decimals, sym).plain(),
                        "symbol": sym, "token": mint})
    return out
