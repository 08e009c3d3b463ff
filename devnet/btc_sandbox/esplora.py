"""Esplora REST views of the chain: the JSON shapes rust-esplora-client (inside bdkpython) deserialises."""

from __future__ import annotations

import functools
from typing import Any

from devnet.btc_sandbox import codec
from devnet.btc_sandbox.chain import BlockEntry, Chain, TxEntry, scripthash

PAGE_CONFIRMED = 25   # esplora's page size for confirmed history
PAGE_MEMPOOL = 50


class NotFound(Exception):
    pass


@functools.lru_cache(maxsize=65536)
def _address(spk: bytes) -> str | None:
    import bdkpython as bdk

    try:
        return str(bdk.Address.from_script(bdk.Script(spk), bdk.Network.REGTEST))
    except Exception:  # noqa: BLE001 - OP_RETURN, bare multisig and friends have no address
        return None


def vout_json(value: int, spk: bytes) -> dict[str, Any]:
    d: dict[str, Any] = {"scriptpubkey": spk.hex(), "scriptpubkey_type": codec.script_type(spk),
                         "value": value}
    addr = _address(spk)
    if addr:
        d["scriptpubkey_address"] = addr
    return d


def status_json(chain: Chain, t: TxEntry) -> dict[str, Any]:
    if t.height is None:
        return {"confirmed": False}
    b = chain.blocks[t.height]
    return {"confirmed": True, "block_height": b.height, "block_hash": b.hash, "block_time": b.time}


def tx_json(chain: Chain, t: TxEntry) -> dict[str, Any]:
    vin = []
    for (ptxid, vout, script_sig, witness, seq), prev in zip(t.inputs, t.prevouts, strict=True):
        vin.append({
            "txid": ptxid, "vout": vout, "is_coinbase": t.coinbase,
            "prevout": None if prev is None else vout_json(prev[0], prev[1]),
            "scriptsig": script_sig.hex(), "witness": [w.hex() for w in witness], "sequence": seq,
        })
    return {"txid": t.txid, "version": t.version, "locktime": t.locktime, "vin": vin,
            "vout": [vout_json(v, s) for v, s in t.outputs], "size": t.size, "weight": t.weight,
            "fee": t.fee, "status": status_json(chain, t)}


def block_json(chain: Chain, b: BlockEntry) -> dict[str, Any]:
    return {"id": b.hash, "height": b.height, "version": b.header.version, "timestamp": b.time,
            "tx_count": len(b.txids), "size": b.size, "weight": b.weight,
            "merkle_root": b.header.merkle_root[::-1].hex(),
            "previousblockhash": b.header.prev_hash[::-1].hex() if b.height else None,
            "mediantime": chain.median_time_past(b.height), "nonce": b.header.nonce,
            "bits": b.header.bits, "difficulty": 4.656542373906925e-10}


def block_status_json(chain: Chain, b: BlockEntry) -> dict[str, Any]:
    nxt = chain.block_at(b.height + 1)
    return {"in_best_chain": True, "height": b.height, "next_best": nxt.hash if nxt else None}


def block_raw(chain: Chain, b: BlockEntry) -> bytes:
    return b.header.serialize() + codec.varint(len(b.txids)) + b"".join(chain.txs[t].raw for t in b.txids)


def outspend_json(chain: Chain, txid: str, vout: int) -> dict[str, Any]:
    s = chain.spends.get((txid, vout))
    if s is None:
        return {"spent": False}
    return {"spent": True, "txid": s[0], "vin": s[1], "status": status_json(chain, chain.txs[s[0]])}


def scripthash_txs(chain: Chain, sh: str, last_seen: str | None) -> list[dict[str, Any]]:
    """Mempool (newest first, up to 50) then confirmed newest first, 25 a page; /chain/:last_seen pages on."""
    txids = chain.history.get(sh, [])
    confirmed = [t for t in reversed(txids) if chain.txs[t].height is not None]
    confirmed.sort(key=lambda t: -(chain.txs[t].height or 0))  # stable: newest block first
    if last_seen is None:
        mempool = [t for t in reversed(txids) if chain.txs[t].height is None][:PAGE_MEMPOOL]
        page = mempool + confirmed[:PAGE_CONFIRMED]
    else:
        if last_seen not in confirmed:
            return []
        start = confirmed.index(last_seen) + 1
        page = confirmed[start:start + PAGE_CONFIRMED]
    return [tx_json(chain, chain.txs[t]) for t in page]


def scripthash_utxo(chain: Chain, sh: str) -> list[dict[str, Any]]:
    out = []
    for txid in chain.history.get(sh, []):
        t = chain.txs[txid]
        for vout, (value, spk) in enumerate(t.outputs):
            if scripthash(spk) == sh and (txid, vout) not in chain.spends:
                out.append({"txid": txid, "vout": vout, "value": value, "status": status_json(chain, t)})
    return out


def scripthash_stats(chain: Chain, sh: str) -> dict[str, Any]:
    stats = {k: {"funded_txo_count": 0, "funded_txo_sum": 0, "spent_txo_count": 0, "spent_txo_sum": 0,
                 "tx_count": 0} for k in ("chain_stats", "mempool_stats")}
    for txid in chain.history.get(sh, []):
        t = chain.txs[txid]
        s = stats["chain_stats" if t.height is not None else "mempool_stats"]
        s["tx_count"] += 1
        for value, spk in t.outputs:
            if scripthash(spk) == sh:
                s["funded_txo_count"] += 1
                s["funded_txo_sum"] += value
        for prev in t.prevouts:
            if prev is not None and scripthash(prev[1]) == sh:
                s["spent_txo_count"] += 1
                s["spent_txo_sum"] += prev[0]
    return stats


def merkle_proof(chain: Chain, t: TxEntry) -> dict[str, Any]:
    if t.height is None:
        raise NotFound("transaction is not confirmed")
    b = chain.blocks[t.height]
    level = [bytes.fromhex(x)[::-1] for x in b.txids]
    pos = b.txids.index(t.txid)
    idx, path = pos, []
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        path.append(level[idx ^ 1][::-1].hex())
        level = [codec.sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        idx //= 2
    return {"block_height": b.height, "merkle": path, "pos": pos}
