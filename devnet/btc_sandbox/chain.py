"""The regtest chain and mempool: one in-memory model of blocks, transactions, UTXOs and spends.

Acceptance follows Core's order of checks closely enough for a wallet to meet the same refusals:
missing/spent inputs, coinbase maturity, value balance, dust, min relay fee, BIP125 replacement,
then script verification of every input with libbitcoinkernel.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from devnet.btc_sandbox import codec
from devnet.btc_sandbox.verify import ScriptError, verify_inputs

COIN = 100_000_000
HALVING_INTERVAL = 150  # regtest
COINBASE_MATURITY = 100
MAX_MONEY = 21_000_000 * COIN
MIN_RELAY_SAT_PER_VB = 1
RBF_SIGNAL_MAX = 0xFFFFFFFD


class Rejected(Exception):
    """The transaction is not accepted; the message is Core-style reason text."""


@dataclass
class TxEntry:
    txid: str
    raw: bytes
    version: int
    locktime: int
    inputs: list[tuple[str, int, bytes, list[bytes], int]]  # (prev txid, vout, scriptSig, witness, sequence)
    outputs: list[tuple[int, bytes]]                        # (value, scriptPubKey)
    prevouts: list[tuple[int, bytes] | None]                # spent outputs; None for the coinbase input
    fee: int
    size: int
    weight: int
    vsize: int
    wtxid: bytes                                            # internal byte order
    coinbase: bool = False
    height: int | None = None                               # None while in the mempool
    first_seen: float = field(default_factory=time.time)

    @property
    def signals_rbf(self) -> bool:
        return any(seq <= RBF_SIGNAL_MAX for *_, seq in self.inputs)


@dataclass
class BlockEntry:
    height: int
    hash: str                   # display hex
    header: codec.Header
    txids: list[str]
    size: int
    weight: int

    @property
    def time(self) -> int:
        return self.header.time


def parse_tx(raw: bytes) -> TxEntry:
    """Parse with bdk's consensus decoder; prevouts and fee are filled in by the chain."""
    import bdkpython as bdk

    try:
        tx = bdk.Transaction(raw)
    except Exception:  # noqa: BLE001 - any decode failure is the same refusal
        raise Rejected("TX decode failed") from None
    if tx.serialize() != raw:
        raise Rejected("TX decode failed (trailing or non-canonical bytes)")
    inputs = [(str(i.previous_output.txid), i.previous_output.vout, i.script_sig.to_bytes(),
               list(i.witness), i.sequence) for i in tx.input()]
    outputs = [(o.value.to_sat(), o.script_pubkey.to_bytes()) for o in tx.output()]
    return TxEntry(txid=str(tx.compute_txid()), raw=raw, version=tx.version(), locktime=tx.lock_time(),
                   inputs=inputs, outputs=outputs, prevouts=[], fee=0, size=tx.total_size(),
                   weight=tx.weight(), vsize=tx.vsize(), wtxid=tx.compute_wtxid().serialize(),
                   coinbase=tx.is_coinbase())


def scripthash(spk: bytes) -> str:
    import hashlib

    return hashlib.sha256(spk).hexdigest()


class Chain:
    """Thread-safe: every public method takes the one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.blocks: list[BlockEntry] = []
        self.block_by_hash: dict[str, BlockEntry] = {}
        self.txs: dict[str, TxEntry] = {}
        self.mempool: dict[str, None] = {}                      # insertion order = topological order
        self.utxos: dict[tuple[str, int], tuple[int, bytes, int, bool]] = {}  # value, spk, height, coinbase
        self.spends: dict[tuple[str, int], tuple[str, int]] = {}  # outpoint -> (spending txid, vin)
        self.history: dict[str, list[str]] = {}                  # scripthash -> txids, oldest first
        self._genesis()

    # ---- chain building -------------------------------------------------------------------
    def _genesis(self) -> None:
        cb = parse_tx(codec.GENESIS_COINBASE)
        cb.prevouts = [None]
        header = codec.Header(1, b"\0" * 32, bytes.fromhex(cb.txid)[::-1], codec.GENESIS_TIME,
                              codec.REGTEST_BITS, codec.GENESIS_NONCE)
        block_hash = header.hash()[::-1].hex()
        assert block_hash == codec.REGTEST_GENESIS_HASH, block_hash
        # Like Core, the genesis coinbase is not spendable and not indexed as a UTXO.
        cb.height = 0
        self.txs[cb.txid] = cb
        genesis = BlockEntry(0, block_hash, header, [cb.txid], 80 + 1 + cb.size, 320 + 4 + cb.weight)
        self.blocks.append(genesis)
        self.block_by_hash[block_hash] = self.blocks[0]

    @property
    def height(self) -> int:
        return len(self.blocks) - 1

    @property
    def tip(self) -> BlockEntry:
        return self.blocks[-1]

    @staticmethod
    def subsidy(height: int) -> int:
        halvings = height // HALVING_INTERVAL
        return 0 if halvings >= 64 else (50 * COIN) >> halvings

    def mine(self, n: int, spk: bytes) -> list[str]:
        """Mine n blocks paying subsidy plus fees to spk; the first takes the whole mempool."""
        hashes = []
        with self.lock:
            for _ in range(n):
                hashes.append(self._mine_one(spk))
        return hashes

    def _mine_one(self, spk: bytes) -> str:
        height = self.height + 1
        included = [self.txs[t] for t in self.mempool]
        fees = sum(t.fee for t in included)
        commitment = codec.witness_commitment([t.wtxid for t in included])
        cb = parse_tx(codec.build_coinbase(height, [(self.subsidy(height) + fees, spk)], commitment))
        cb.prevouts = [None]
        txs = [cb, *included]
        root = codec.merkle_root([bytes.fromhex(t.txid)[::-1] for t in txs])
        prev = self.tip
        header = codec.grind(codec.Header(0x20000000, bytes.fromhex(prev.hash)[::-1], root,
                                          max(int(time.time()), prev.time + 1), codec.REGTEST_BITS, 0))
        block_hash = header.hash()[::-1].hex()
        n_varint = len(codec.varint(len(txs)))
        block = BlockEntry(height, block_hash, header, [t.txid for t in txs],
                           80 + n_varint + sum(t.size for t in txs),
                           4 * (80 + n_varint) + sum(t.weight for t in txs))
        self.txs[cb.txid] = cb
        self._index(cb)
        for t in txs:
            t.height = height
            for i, (ptxid, vout, *_rest) in enumerate(t.inputs):
                if not t.coinbase:
                    self.utxos.pop((ptxid, vout), None)
                    self.spends[(ptxid, vout)] = (t.txid, i)
            for vout, (value, out_spk) in enumerate(t.outputs):
                if (t.txid, vout) not in self.spends:
                    self.utxos[(t.txid, vout)] = (value, out_spk, height, t.coinbase)
        self.mempool.clear()
        self.blocks.append(block)
        self.block_by_hash[block_hash] = block
        return block_hash

    @staticmethod
    def _scripthashes(t: TxEntry) -> set[str]:
        shs = {scripthash(po[1]) for po in t.prevouts if po is not None}
        return shs | {scripthash(spk) for _v, spk in t.outputs}

    def _index(self, t: TxEntry) -> None:
        for sh in self._scripthashes(t):
            self.history.setdefault(sh, []).append(t.txid)

    def _unindex(self, t: TxEntry) -> None:
        for sh in self._scripthashes(t):
            txids = self.history.get(sh, [])
            if t.txid in txids:
                txids.remove(t.txid)

    # ---- mempool acceptance ---------------------------------------------------------------
    def _prevout(self, txid: str, vout: int) -> tuple[int, bytes, int | None, bool]:
        """(value, spk, confirmation height or None, is_coinbase) of an unspent-or-mempool-spent output."""
        u = self.utxos.get((txid, vout))
        if u is not None:
            return u[0], u[1], u[2], u[3]
        parent = self.txs.get(txid)
        if parent is not None and parent.height is None and vout < len(parent.outputs):
            value, spk = parent.outputs[vout]
            return value, spk, None, False
        raise Rejected("bad-txns-inputs-missingorspent")

    def _descendants(self, txids: set[str]) -> set[str]:
        out: set[str] = set()
        todo = list(txids)
        while todo:
            t = todo.pop()
            if t in out:
                continue
            out.add(t)
            for vout in range(len(self.txs[t].outputs)):
                s = self.spends.get((t, vout))
                if s is not None and self.txs[s[0]].height is None:
                    todo.append(s[0])
        return out

    def accept(self, raw: bytes) -> str:
        """Validate and add to the mempool; returns the txid. Known mempool txs are accepted again."""
        tx = parse_tx(raw)
        with self.lock:
            known = self.txs.get(tx.txid)
            if known is not None:
                if known.height is None:
                    return tx.txid
                raise Rejected("Transaction outputs already in utxo set (already in block chain)")
            if tx.coinbase:
                raise Rejected("coinbase: a coinbase is only valid in a block")
            if not tx.inputs or not tx.outputs:
                raise Rejected("bad-txns-vin-empty" if not tx.inputs else "bad-txns-vout-empty")
            outpoints = [(p, v) for p, v, *_ in tx.inputs]
            if len(set(outpoints)) != len(outpoints):
                raise Rejected("bad-txns-inputs-duplicate")
            conflicts: set[str] = set()
            next_height = self.height + 1
            for op in outpoints:
                spender = self.spends.get(op)
                if spender is not None:
                    if self.txs[spender[0]].height is not None:
                        raise Rejected("bad-txns-inputs-missingorspent")
                    conflicts.add(spender[0])
                value, spk, h, is_cb = self._prevout(*op)
                if is_cb and h is not None and next_height - h < COINBASE_MATURITY:
                    raise Rejected("bad-txns-premature-spend-of-coinbase")
                tx.prevouts.append((value, spk))
            replaced = self._descendants(conflicts) if conflicts else set()
            if any(p in replaced for p, _v in outpoints):
                raise Rejected("bad-txns-spends-conflicting-tx")
            total_in = sum(v for v, _s in tx.prevouts)  # type: ignore[misc]
            total_out = 0
            for value, spk in tx.outputs:
                if value < 0 or value > MAX_MONEY:
                    raise Rejected("bad-txns-vout-toolarge")
                total_out += value
                limit = codec.DUST_LIMITS.get(codec.script_type(spk))
                if limit is not None and value < limit:
                    raise Rejected(f"dust: output of {value} sat is below the dust limit of {limit} sat")
            if total_out > total_in:
                raise Rejected(f"bad-txns-in-belowout, value in ({total_in}) < value out ({total_out})")
            tx.fee = total_in - total_out
            if tx.locktime and (tx.locktime < 500_000_000 and tx.locktime >= next_height
                                and any(seq != 0xFFFFFFFF for *_, seq in tx.inputs)):
                raise Rejected("non-final")
            if tx.fee < tx.vsize * MIN_RELAY_SAT_PER_VB:
                raise Rejected(f"min relay fee not met, {tx.fee} < {tx.vsize * MIN_RELAY_SAT_PER_VB}")
            if conflicts:
                self._check_replacement(tx, conflicts, replaced)
            try:
                verify_inputs(raw, tx.prevouts)  # type: ignore[arg-type]
            except ScriptError as e:
                raise Rejected(str(e)) from None
            for t in replaced:
                self._evict(t)
            self.txs[tx.txid] = tx
            self.mempool[tx.txid] = None
            for i, op in enumerate(outpoints):
                self.spends[op] = (tx.txid, i)
            self._index(tx)
            return tx.txid

    def _check_replacement(self, tx: TxEntry, conflicts: set[str], replaced: set[str]) -> None:
        """BIP125 rules 1, 3 and 4, plus Core's rule that the new feerate beats each original's."""
        for c in conflicts:
            old = self.txs[c]
            if not old.signals_rbf:
                raise Rejected(f"txn-mempool-conflict ({c} does not signal replacement)")
            if tx.fee * old.vsize <= old.fee * tx.vsize:
                raise Rejected(f"insufficient fee, rejecting replacement {tx.txid}; new feerate "
                               f"{tx.fee / tx.vsize:.2f} <= old feerate {old.fee / old.vsize:.2f} sat/vB")
        old_fees = sum(self.txs[t].fee for t in replaced)
        if tx.fee < old_fees:
            raise Rejected(f"insufficient fee, rejecting replacement {tx.txid}, less fees than conflicting "
                           f"txs; {tx.fee} < {old_fees}")
        if tx.fee - old_fees < tx.vsize * MIN_RELAY_SAT_PER_VB:
            raise Rejected(f"insufficient fee, rejecting replacement {tx.txid}, not enough additional fees "
                           f"to relay; {tx.fee - old_fees} < {tx.vsize * MIN_RELAY_SAT_PER_VB}")

    def _evict(self, txid: str) -> None:
        t = self.txs.pop(txid)
        self.mempool.pop(txid, None)
        for p, v, *_ in t.inputs:
            if self.spends.get((p, v), (None,))[0] == txid:
                del self.spends[(p, v)]
        self._unindex(t)

    # ---- queries ---------------------------------------------------------------------------
    def confirmations(self, t: TxEntry) -> int:
        return 0 if t.height is None else self.height - t.height + 1

    def block_at(self, height: int) -> BlockEntry | None:
        return self.blocks[height] if 0 <= height <= self.height else None

    def median_time_past(self, height: int) -> int:
        times = sorted(b.time for b in self.blocks[max(0, height - 10): height + 1])
        return times[len(times) // 2]

    def balance_of(self, spk: bytes) -> int:
        """Value a script holds, confirmed plus mempool, net of mempool spends (for tests)."""
        with self.lock:
            confirmed = sum(u[0] for op, u in self.utxos.items() if u[1] == spk and op not in self.spends)
            pending = sum(v for t in self.mempool for i, (v, s) in enumerate(self.txs[t].outputs)
                          if s == spk and (t, i) not in self.spends)
            return confirmed + pending
