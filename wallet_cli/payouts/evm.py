"""EVM payouts: one transaction per row (native or ERC-20 transfer), nonces assigned locally in order.

Reads are batched (one JSON-RPC batch per kind of call), rows are signed in chunks by a per-run signer,
and each chunk is broadcast as one JSON-RPC batch after it is journalled. Proof that a journalled
transaction can never land is the one EVM gives: its nonce is used by another transaction (the account's
mined count is past it, read before the receipt, and there is no receipt for our hash).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chains.base import Amount, FeeOptions, Network, Signer
from chains.errors import ChainIdMismatch, InsufficientFunds, Refused, SimulationFailed, Unavailable
from chains.evm.address import checksum
from chains.evm.fees import Fees, check_cap, suggest
from chains.evm.rpc import Rpc, RpcError, ok, to_int
from chains.evm.tokens import balance_of_data, decode_revert, decode_uint, transfer_data
from wallet_cli.payouts.evm_signer import FastSigner
from wallet_cli.payouts.plan import Asset, Plan, Row
from wallet_cli.payouts.runs import (
    NODE_ANSWERED,
    NONCE_USED,
    NONCE_USED_BY_NODE,
    OTHER_HASH,
    REVERTED,
    SignedPayment,
    TxRecord,
)
from wallet_i18n import _

Outcome = tuple[str, str, str | None]          # (txid, state, detail)
BATCH = 500                                    # calls per JSON-RPC batch
CHUNK = 250                                    # rows signed, journalled and broadcast together
NATIVE_GAS = 21_000
TOKEN_GAS_MARGIN = 1.2                         # as `send`: token state can change before inclusion
_KNOWN = ("already known", "already imported", "known transaction", "already exists")


def _batches(calls: list[tuple[str, list[Any]]], rpc: Rpc) -> list[Any]:
    out: list[Any] = []
    for i in range(0, len(calls), BATCH):
        out += rpc.batch(calls[i:i + BATCH])
    return out


def _rpc_call(fn: Any, where: str) -> Any:
    try:
        return fn()
    except RpcError as e:
        raise Unavailable(_("the RPC at {where} failed {method}: {reason}").format(
            where=where, method=e.method, reason=e.message)) from None


class EvmPayout:
    family = "evm"
    pipeline = True  # broadcast chunk k while chunk k+1 is signed

    def __init__(self, network: Network, sender: str, fees: FeeOptions, *, chunk: int = CHUNK,
                 timeout: float = 30.0) -> None:
        self.network = network
        self.chunk = chunk
        self.sender = checksum(sender)
        self.opts = fees
        self.rpc = Rpc(network.rpc_url, timeout)
        self.gas: dict[str, int] = {}
        self.fees: Fees | None = None
        self.nonce = 0

    # ---- before signing ------------------------------------------------------------------------

    def prepare(self, plan: Plan, todo: list[Row], next_seq: int) -> dict[str, Any]:
        """Chain id, nonce, fees, per-row gas (simulated), balances and fee caps; the review's fee figures."""
        return _rpc_call(lambda: self._prepare(plan, todo, next_seq), self.rpc.where)

    def _prepare(self, plan: Plan, todo: list[Row], next_seq: int) -> dict[str, Any]:
        net = self.network
        tokens = sorted({r.asset.token for r in plan.rows if r.asset.token})
        calls: list[tuple[str, list[Any]]] = [
            ("eth_chainId", []), ("eth_getTransactionCount", [self.sender, "pending"]),
            ("eth_getBlockByNumber", ["latest", False]), ("eth_maxPriorityFeePerGas", []),
            ("eth_gasPrice", []), ("eth_getBalance", [self.sender, "latest"])]
        calls += [("eth_call", [{"to": t, "data": balance_of_data(self.sender)}, "latest"]) for t in tokens]
        r = self.rpc.batch(calls)
        if to_int(ok(r[0])) != net.chain_id:
            raise ChainIdMismatch(_("the RPC at {where} reports chain id {chain_id} but network {network} is "
                                    "configured with {configured}; refusing to sign").format(
                where=self.rpc.where, chain_id=to_int(ok(r[0])), network=net.name, configured=net.chain_id))
        self.nonce = max(to_int(ok(r[1])), next_seq)    # never below a nonce this run already signed
        block = ok(r[2])
        base = block.get("baseFeePerGas") if isinstance(block, dict) else None
        legacy = net.legacy_fees or base is None
        prio = 0 if legacy or isinstance(r[3], RpcError) else to_int(r[3])
        self.fees = suggest(None if base is None else to_int(base), prio, to_int(ok(r[4])), self.opts, legacy)
        native = to_int(ok(r[5]))
        held = {t: decode_uint(ok(v)) for t, v in zip(tokens, r[6:], strict=True)}
        self._estimate(todo)
        max_fee_total = 0
        for row in todo:
            fee = self.gas[row.key] * self.fees.max_fee
            check_cap(net, fee, self.opts.allow_high_fee)
            max_fee_total += fee
        need: dict[Asset, int] = {}
        for row in todo:
            need[row.asset] = need.get(row.asset, 0) + row.amount.value
        native_need = max_fee_total + sum(v for a, v in need.items() if a.token is None)
        if native < native_need:
            raise InsufficientFunds(_("the rows still to pay need {need} including at most {fees} in fees, but "
                                      "{sender} has {balance}").format(
                need=self._native(native_need), fees=self._native(max_fee_total), sender=self.sender,
                balance=self._native(native)))
        for a, v in need.items():
            if a.token and held[a.token] < v:
                raise InsufficientFunds(_("the rows still to pay need {need} but {sender} holds {balance}").format(
                    need=Amount(v, a.decimals, a.symbol), sender=self.sender,
                    balance=Amount(held[a.token], a.decimals, a.symbol)))
        return {"transactions": len(todo), "max_total": self._native(max_fee_total).plain(),
                "symbol": net.symbol, "per_tx_gas_price_gwei": str(Amount(self.fees.max_fee, 9, "gwei").plain()),
                "first_nonce": self.nonce}

    def _native(self, wei: int) -> Amount:
        return Amount(wei, self.network.decimals, self.network.symbol)

    def _estimate(self, todo: list[Row]) -> None:
        """Native rows to accounts without code cost 21,000 gas; everything else is simulated (and a row
        that would revert is refused, naming its line, before anything is signed)."""
        natives = sorted({r.to for r in todo if r.asset.token is None})
        codes = dict(zip(natives, _batches([("eth_getCode", [a, "latest"]) for a in natives], self.rpc),
                         strict=True))
        sim: list[Row] = []
        for row in todo:
            code = codes.get(row.to)
            if row.asset.token is None and not isinstance(code, RpcError) and code in (None, "0x", ""):
                self.gas[row.key] = NATIVE_GAS
            else:
                sim.append(row)
        calls = []
        for row in sim:
            to, value, data = self._call_of(row)
            # "latest": a node asked about "pending" may first replay its whole pool (anvil does, ~15 ms each)
            calls.append(("eth_estimateGas", [{"from": self.sender, "to": to, "value": hex(value), "data": data},
                                              "latest"]))
        problems = []
        for row, res in zip(sim, _batches(calls, self.rpc), strict=True):
            if isinstance(res, RpcError):
                reason = decode_revert(res.data) or res.message
                problems.append(_("line {line} ({to}) would fail: {reason}").format(line=row.line, to=row.to,
                                                                                  reason=reason))
                continue
            est = to_int(res)
            self.gas[row.key] = est if row.asset.token is None else int(est * TOKEN_GAS_MARGIN)
        if problems:
            raise SimulationFailed(_("{count} row(s) would fail on chain, nothing was signed: {problems}").format(
                count=len(problems), problems="; ".join(problems[:20])))

    def _call_of(self, row: Row) -> tuple[str, int, str]:
        if row.asset.token is None:
            return row.to, row.amount.value, "0x"
        return row.asset.token, 0, transfer_data(row.to, row.amount.value)

    def tx_groups(self, todo: list[Row]) -> list[list[Row]]:
        return [[r] for r in todo]

    # ---- signing -------------------------------------------------------------------------------

    def sign_chunks(self, todo: list[Row], signer: Signer) -> Iterator[list[SignedPayment]]:
        assert self.fees is not None  # noqa: S101 - prepare() runs first
        fast = FastSigner(signer.private_key, int(self.network.chain_id or 0), self.fees)
        if checksum("0x" + fast.address_bytes.hex()) != self.sender:
            raise Refused(_("the signing key does not belong to the sending account"))
        for i in range(0, len(todo), self.chunk):
            chunk = []
            for row in todo[i:i + self.chunk]:
                to, value, data = self._call_of(row)
                raw, txid = fast.sign(self.nonce, bytes.fromhex(to[2:]), value, bytes.fromhex(data[2:]),
                                      self.gas[row.key])
                chunk.append(SignedPayment(txid, self.nonce, raw, [row.key], {"nonce": self.nonce}))
                self.nonce += 1
            yield chunk

    # ---- broadcasting and reconciling ----------------------------------------------------------

    def broadcast(self, chunk: list[SignedPayment] | list[TxRecord]) -> list[Outcome]:
        replies = self.rpc.batch([("eth_sendRawTransaction", [p.raw]) for p in chunk])
        out: list[Outcome] = []
        check: list[SignedPayment] = []
        for p, res in zip(chunk, replies, strict=True):
            if isinstance(res, RpcError):
                if any(k in res.message.lower() for k in (*_KNOWN, "nonce too low")):
                    check.append(p)
                    continue
                # Not proof that nothing was sent: it stays unknown until the node shows it or its nonce moves on.
                out.append((p.txid, "unknown", NODE_ANSWERED.format(reason=res.message[:200])))
            elif isinstance(res, str) and res.lower() == p.txid:
                out.append((p.txid, "pending", None))
            else:
                out.append((p.txid, "unknown", OTHER_HASH))
        if check:
            seen = self.rpc.batch([("eth_getTransactionByHash", [p.txid]) for p in check])
            for p, tx in zip(check, seen, strict=True):
                known = tx and not isinstance(tx, RpcError)
                out.append((p.txid, "pending" if known else "unknown",
                            None if known else NONCE_USED_BY_NODE))
        return out

    def reconcile(self, txs: list[TxRecord]) -> list[Outcome]:
        """Final states from receipts; proven drops (nonce used by another tx); unseen ones re-sent as they are."""
        return _rpc_call(lambda: self._reconcile(txs), self.rpc.where)

    def _reconcile(self, txs: list[TxRecord]) -> list[Outcome]:
        mined = to_int(self.rpc.call("eth_getTransactionCount", self.sender, "latest"))   # before the receipts
        out, unseen = self._receipts(txs)
        resend: list[TxRecord] = [t for t in unseen if t.seq >= mined]
        used = [t for t in unseen if t.seq < mined]
        if used:
            # Asked again, after the count: a node (or a load balancer's other node) that lags on receipts
            # must not make a landed transaction look dropped. Only "nobody knows this hash" is proof.
            again = _batches([c for t in used for c in (("eth_getTransactionByHash", [t.txid]),
                                                         ("eth_getTransactionReceipt", [t.txid]))], self.rpc)
            for t, tx, rc in zip(used, again[::2], again[1::2], strict=True):
                if isinstance(tx, RpcError) or isinstance(rc, RpcError):
                    raise Unavailable(_("the RPC at {where} failed to look up {txid}").format(where=self.rpc.where,
                                                                                            txid=t.txid))
                if tx or rc:
                    resend.append(t)               # known after all: settled by the next reconcile or wait
                else:
                    out.append((t.txid, "dropped", NONCE_USED.format(nonce=t.seq)))
        if resend:
            out += self.broadcast(resend)
        return out

    def _receipts(self, txs: list[TxRecord] | list[SignedPayment]) -> tuple[list[Outcome], list[Any]]:
        receipts = _batches([("eth_getTransactionReceipt", [t.txid]) for t in txs], self.rpc)
        out: list[Outcome] = []
        unseen = []
        for t, rc in zip(txs, receipts, strict=True):
            if isinstance(rc, RpcError):
                raise Unavailable(_("the RPC at {where} failed {method}: {reason}").format(
                    where=self.rpc.where, method="eth_getTransactionReceipt", reason=rc.message))
            if rc:
                good = to_int(rc.get("status", "0x1")) == 1
                out.append((t.txid, "confirmed" if good else "failed",
                            None if good else REVERTED))
            else:
                unseen.append(t)
        return out, unseen

    def wait(self, txs: list[TxRecord], timeout: float) -> list[Outcome]:
        import time

        deadline = time.monotonic() + timeout
        out: list[Outcome] = []
        left: list[Any] = list(txs)
        while left:
            done, left = self._receipts(left)
            out += done
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        return out
