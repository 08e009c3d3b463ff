"""Bitcoin payouts: rows grouped into sendmany transactions (<= max_outputs each), one change output, RBF.

Two rows to one address are two outputs (unlike Core's sendmany). Each transaction is built with BDK,
signed, journalled, broadcast and then applied to the wallet as unconfirmed, so the next one spends its
change instead of the same coins. Proof that a journalled transaction can never land: one of its inputs
is spent by another transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_CEILING, Decimal
from typing import Any

from chains.base import Account, FeeOptions, Network, Signer, Transfer
from chains.bitcoin import send
from chains.bitcoin.node import Esplora, NodeError
from chains.errors import CannotLand, InsufficientFunds, InvalidAmount, Refused, TxRejected
from wallet_cli.payouts import runs
from wallet_cli.payouts.plan import Plan, Row
from wallet_cli.payouts.runs import SignedPayment, TxRecord
from wallet_i18n import _, english_of

Outcome = tuple[str, str, str | None]
# vbytes of an output by script kind, and of a P2WPKH input (for the review's estimate only)
_OUT_VB = {"P2WPKH": 31, "P2WSH": 43, "P2TR": 43, "P2PKH": 34, "P2SH": 32}
_IN_VB = 68
_TX_VB = 11


class BtcPayout:
    family = "btc"
    pipeline = False  # the next build needs this tx applied first

    def __init__(self, network: Network, account: Account, adapter: Any, fees: FeeOptions, *,
                 max_outputs: int = 500) -> None:
        self.network = network
        self.account = account
        self.adapter = adapter
        self.opts = fees
        self.max_outputs = max_outputs
        self.node = Esplora(network.rpc_url)
        self.rate = Decimal(1)
        self.spk: dict[str, bytes] = {}
        self._ow: Any = None
        self.seq = 0

    def _scripts(self, rows: list[Row]) -> None:
        import bdkpython as bdk

        from chains.bitcoin.descriptors import bdk_network

        net = bdk_network(self.network)
        for r in rows:
            if r.to not in self.spk:
                self.spk[r.to] = bdk.Address(r.to, net).script_pubkey().to_bytes()

    def prepare(self, plan: Plan, todo: list[Row], next_seq: int) -> dict[str, Any]:
        self.seq = next_seq
        self._scripts(todo)
        for r in todo:
            kind = send.script_kind(self.spk[r.to])
            if r.amount.value < send.DUST.get(kind, 0):
                raise InvalidAmount(_("line {line}: {amount} is below the dust limit of {dust} sat for a {kind} "
                                      "output").format(line=r.line, amount=r.amount, dust=send.DUST[kind], kind=kind))
        estimates = self.node.fee_estimates() if self.opts.fee_rate is None else None
        self.rate = send.choose_rate(Transfer(self.network, self.account, "", None, fees=self.opts), estimates)
        self._ow = self.adapter._open(self.account)                 # synced
        utxos = sorted((u.txout.value.to_sat() for u in self._ow.wallet.list_unspent()), reverse=True)
        have = sum(utxos)
        groups = [todo[i:i + self.max_outputs] for i in range(0, len(todo), self.max_outputs)]
        vsize = 0
        for g in groups:
            vsize += _TX_VB + _OUT_VB["P2WPKH"] + sum(_OUT_VB.get(send.script_kind(self.spk[r.to]), 43) for r in g)
        total = sum(r.amount.value for r in todo)
        inputs, got = 0, 0
        for v in utxos:                         # largest first: the fewest inputs BDK could pick
            if got >= total + int(self.rate * (vsize + inputs * _IN_VB)):
                break
            got, inputs = got + v, inputs + 1
        fee = int((self.rate * (vsize + max(inputs, len(groups)) * _IN_VB)).to_integral_value(ROUND_CEILING))
        if have < total + fee:
            raise InsufficientFunds(_("the rows still to pay need {need} including about {fee} in fees, but the "
                                      "account has {have}").format(need=send.btc(self.network, total + fee),
                                                                   fee=send.btc(self.network, fee),
                                                                   have=send.btc(self.network, have)))
        return {"transactions": len(groups), "max_total": send.btc(self.network, fee).plain(),
                "symbol": self.network.symbol, "fee_rate_sat_vb": str(self.rate),
                "outputs_per_tx": self.max_outputs, "estimated": True}

    def tx_groups(self, todo: list[Row]) -> list[list[Row]]:
        return [todo[i:i + self.max_outputs] for i in range(0, len(todo), self.max_outputs)]

    # ---- signing -------------------------------------------------------------------------------

    def _build(self, rows: list[Row]) -> Any:
        import bdkpython as bdk

        recipients = [bdk.ScriptAmount(script=bdk.Script(self.spk[r.to]), amount=bdk.Amount.from_sat(r.amount.value))
                      for r in rows]

        def make(fee_abs: int | None) -> Any:
            b = bdk.TxBuilder().set_exact_sequence(send.RBF_SEQUENCE).set_recipients(recipients)
            b = b.fee_absolute(bdk.Amount.from_sat(fee_abs)) if fee_abs else b.fee_rate(send.fee_rate_obj(self.rate))
            return b.finish(self._ow.wallet)

        try:
            psbt = make(None)
            floor = int((self.rate * send.estimate_vsize(psbt)).to_integral_value(ROUND_CEILING))
            if psbt.fee() < floor:                  # BDK sizes signatures optimistically
                send.release_change(self._ow.wallet, psbt)
                psbt = make(floor)
        except bdk.CreateTxError as e:
            raise InsufficientFunds(_("could not build the payout transaction for lines {first}-{last} ({reason})")
                                    .format(first=rows[0].line, last=rows[-1].line, reason=type(e).__name__)) from None
        send.check_fee(self.network, psbt.fee(), send.estimate_vsize(psbt), self.opts.allow_high_fee)
        return psbt

    def sign_chunks(self, todo: list[Row], signer: Signer) -> Iterator[list[SignedPayment]]:
        import time

        import bdkpython as bdk

        from chains.bitcoin.psbt import _sign, _signing_wallet

        self._scripts(todo)
        if self._ow is None:
            self._ow = self.adapter._open(self.account)
        signing = _signing_wallet(self._ow.descriptor, self._ow.change_descriptor, signer, self.network)
        for i in range(0, len(todo), self.max_outputs):
            rows = todo[i:i + self.max_outputs]
            psbt = self._build(rows)
            if not _sign(signing, psbt):
                raise Refused(_("the payout transaction could not be fully signed (an input belongs to another key)"))
            tx = psbt.extract_tx()
            inputs = [[str(x.previous_output.txid), x.previous_output.vout] for x in tx.input()]
            yield [SignedPayment(str(tx.compute_txid()), self.seq, tx.serialize().hex(), [r.key for r in rows],
                                 {"inputs": inputs, "fee_sat": psbt.fee()})]
            self.seq += 1
            # Only now (journalled and broadcast) may the wallet treat its coins as spent and its change as
            # ours: a kill before this leaves the wallet as it was, and the rerun's sync sees the real mempool.
            self._ow.wallet.apply_unconfirmed_txs([bdk.UnconfirmedTx(tx=tx, last_seen=int(time.time()))])
            self._ow.persist()

    # ---- broadcasting and reconciling ----------------------------------------------------------

    def broadcast(self, chunk: list[SignedPayment] | list[TxRecord]) -> list[Outcome]:
        out: list[Outcome] = []
        for p in chunk:
            try:
                got = self.node.broadcast(p.raw, p.txid)
            except Refused as e:                   # TxRejected: not proof that it can never land
                out.append((p.txid, "unknown", _journalled(e)))
                continue
            out.append((p.txid, "pending" if got == p.txid else "unknown",
                        None if got == p.txid else runs.OTHER_TXID))
        return out

    def _state(self, txid: str) -> str | None:
        st = self.node.tx_status(txid)
        if st is None:
            return None
        return "confirmed" if st.get("confirmed") else "pending"

    def reconcile(self, txs: list[TxRecord]) -> list[Outcome]:
        """In signing order, so that a transaction spending the change of one proven dead is dead too."""
        out: list[Outcome] = []
        dead: set[str] = set()
        for t in txs:
            state = self._state(t.txid)
            parent = next((prev for prev, _v in t.meta.get("inputs", []) if prev in dead), None)
            if state is not None:
                out.append((t.txid, state, None))
            elif parent is not None:
                out.append((t.txid, "dropped", runs.CHANGE_CANNOT_LAND.format(parent=parent)))
                dead.add(t.txid)
            elif (spender := self._spent_elsewhere(t)) is not None:
                out.append((t.txid, "dropped", runs.INPUT_SPENT_BY.format(spender=spender)))
                dead.add(t.txid)
            else:
                out += self.broadcast([t])
        return out

    def _spent_elsewhere(self, t: TxRecord) -> str | None:
        """A confirmed transaction, not ours, that spends one of our inputs. One in the mempool is no proof:
        it can be replaced or evicted, and then ours (signalling RBF, its bytes out there) can still land."""
        for prev, vout in t.meta.get("inputs", []):
            try:
                spend = self.node.get_json(f"/tx/{prev}/outspend/{int(vout)}")
            except NodeError:
                continue
            status = spend.get("status") if isinstance(spend, dict) else None
            if (isinstance(spend, dict) and spend.get("spent") and spend.get("txid") not in (None, t.txid)
                    and isinstance(status, dict) and status.get("confirmed") is True):
                return str(spend["txid"])
        return None

    def wait(self, txs: list[TxRecord], timeout: float) -> list[Outcome]:
        import time

        deadline = time.monotonic() + timeout
        left = list(txs)
        out: list[Outcome] = []
        while left:
            still = []
            for t in left:
                if self._state(t.txid) == "confirmed":
                    out.append((t.txid, "confirmed", None))
                else:
                    still.append(t)
            left = still
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        return out


def _journalled(e: Refused) -> str:
    """A refused broadcast's detail as the journal keeps it: one of runs.DETAILS, which `pay status` shows in
    the reader's language, with the node's own words inside; anything else in English."""
    if isinstance(e, CannotLand) and e.spender is not None:
        return runs.INPUT_SPENT_BY.format(spender=e.spender)
    if isinstance(e, TxRejected) and e.node_text is not None:
        return runs.NODE_ANSWERED.format(reason=e.node_text)
    return english_of(e)[:300]
