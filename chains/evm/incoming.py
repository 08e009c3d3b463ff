"""Transfers received by a set of addresses over a bounded block range: ERC-20 Transfer logs of the
network's listed tokens (eth_getLogs), and native value where the RPC offers trace_filter."""

from __future__ import annotations

from typing import Any

from chains.base import Amount
from chains.errors import Unavailable
from chains.evm.address import checksum
from chains.evm.rpc import to_int
from chains.transport.jsonrpc import RpcError
from wallet_i18n import _

TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
CHUNK = 2000          # blocks per eth_getLogs / trace_filter request (public RPCs cap the range)


def _topic(address: str) -> str:
    return "0x" + "0" * 24 + address[2:].lower()


def received(adapter: Any, addresses: list[str], start: int | None, max_blocks: int
             ) -> tuple[list[dict[str, Any]], int, list[str]]:
    """(rows, the last block read, notes). Reads blocks from `start` (or the last `max_blocks`) to the head."""
    rpc, net = adapter.rpc, adapter.network
    notes: list[str] = []
    try:
        head = to_int(rpc.call("eth_blockNumber"))
    except RpcError as e:
        raise Unavailable(_("the RPC at {where} failed {method}: {reason}").format(
            where=rpc.where, method="eth_blockNumber", reason=e.message)) from None
    lowest = max(0, head - max_blocks + 1)
    frm = lowest if start is None else start
    if start is not None and start < lowest:
        notes.append(_("{network}: read only the last {count} blocks ({first}..{last} skipped)").format(
            network=net.name, count=max_blocks, first=start, last=lowest - 1))
        frm = lowest
    ours = {a.lower(): checksum(a) for a in addresses}
    tokens = {str(s["address"]).lower(): (sym, int(s["decimals"])) for sym, s in net.tokens.items()}
    rows: list[dict[str, Any]] = []
    native = True
    for lo in range(frm, head + 1, CHUNK):
        hi = min(head, lo + CHUNK - 1)
        if tokens:
            try:
                logs = rpc.call("eth_getLogs", {"fromBlock": hex(lo), "toBlock": hex(hi), "address": list(tokens),
                                                "topics": [TRANSFER, None, [_topic(a) for a in ours]]})
            except RpcError as e:
                raise Unavailable(_("the RPC at {where} failed {method}: {reason}").format(
                    where=rpc.where, method="eth_getLogs", reason=e.message)) from None
            for log in logs or []:
                topics = log.get("topics") or []
                contract = str(log.get("address", "")).lower()
                to = "0x" + str(topics[2])[-40:] if len(topics) > 2 else ""
                if contract not in tokens or to.lower() not in ours or log.get("removed"):
                    continue
                sym, dec = tokens[contract]
                rows.append(_row(log["transactionHash"], f"log:{to_int(log['logIndex'])}", ours[to.lower()],
                                 "0x" + str(topics[1])[-40:], Amount(to_int(log.get("data") or "0x0"), dec, sym),
                                 checksum(contract), to_int(log["blockNumber"])))
        if native:
            try:
                traces = rpc.call("trace_filter", {"fromBlock": hex(lo), "toBlock": hex(hi),
                                                   "toAddress": list(ours.values())})
            except (RpcError, Unavailable):
                native = False
                notes.append(_("{network}: the RPC offers no trace_filter, so native receipts are not listed").format(
                    network=net.name))
                continue
            for t in traces or []:
                act = t.get("action") or {}
                value = to_int(act.get("value") or "0x0")
                to = str(act.get("to") or "").lower()
                if t.get("type") != "call" or t.get("error") or value == 0 or to not in ours:
                    continue
                path = ".".join(str(i) for i in t.get("traceAddress") or [])
                rows.append(_row(t["transactionHash"], f"trace:{path}", ours[to], str(act.get("from", "")),
                                 Amount(value, net.decimals, net.symbol), None, int(t["blockNumber"])))
    _block_times(rpc, rows)
    return rows, head, notes


def _block_times(rpc: Any, rows: list[dict[str, Any]], most: int = 200) -> None:
    """Each row's block timestamp, one batch for at most `most` distinct blocks (the rest keep None)."""
    blocks = sorted({r["block"] for r in rows})[-most:]
    if not blocks:
        return
    replies = rpc.batch([("eth_getBlockByNumber", [hex(b), False]) for b in blocks])
    when = {b: to_int(rep["timestamp"]) for b, rep in zip(blocks, replies, strict=True)
            if isinstance(rep, dict) and rep.get("timestamp")}
    for r in rows:
        r["time"] = when.get(r["block"])


def _row(txid: str, ref: str, to: str, sender: str, amount: Amount, token: str | None, block: int) -> dict[str, Any]:
    return {"txid": txid, "ref": ref, "to": to, "from": checksum(sender) if len(sender) == 42 else sender,
            "amount": amount.plain(), "symbol": amount.symbol, "token": token, "block": block, "time": None}
