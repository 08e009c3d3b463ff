"""Solana payouts: several transfer instructions per transaction, up to the 1232-byte packet limit.

SPL rows pay the recipient's associated token account, created (idempotently) in the same transaction when
it is missing; that rent is part of the review. The compute-unit limit of each transaction comes from
simulating it, the price from the user or the recent median, and the fee is computed from the signed
message itself. Proof that a journalled transaction can never land: its blockhash has expired (the node
calls it invalid and the block height is past lastValidBlockHeight) and the node has no record of it.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from solders.pubkey import Pubkey

from chains.base import Amount, FeeOptions, Network, Signer
from chains.errors import BadInput, FeeTooHigh, InsufficientFunds, Refused, SimulationFailed
from chains.solana import tokens as spl
from chains.solana import tx as sb
from chains.solana.rpc import RpcError, describe_err
from wallet_cli.payouts import runs
from wallet_cli.payouts.plan import Plan, Row
from wallet_cli.payouts.runs import SignedPayment, TxRecord
from wallet_i18n import _

Outcome = tuple[str, str, str | None]
PACKET = 1232
TXS_PER_CHUNK = 8               # transactions journalled and sent together (about 150 rows)
_DUMMY = "11111111111111111111111111111111"
# Review-time compute estimates (the simulation sets the real limit, which may not exceed these).
_CU_SOL, _CU_SPL, _CU_CREATE, _CU_BASE = 450, 12_000, 30_000, 1_000


def _sol(lamports: int) -> Amount:
    return Amount(lamports, 9, "SOL")


class SolPayout:
    family = "sol"
    pipeline = True  # broadcast chunk k while chunk k+1 is signed

    def __init__(self, network: Network, sender: str, adapter: Any, fees: FeeOptions, *,
                 chunk: int = TXS_PER_CHUNK) -> None:
        self.network = network
        self.chunk = chunk
        self.sender = Pubkey.from_string(sender)
        self.adapter = adapter
        self.rpc = adapter.rpc
        self.opts = fees
        self.price = 0
        self.groups: list[tuple[list[Row], list[Any], int]] = []      # rows, instructions, CU estimate
        self.seq = 0

    # ---- before signing ------------------------------------------------------------------------

    def _accounts(self, addresses: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i in range(0, len(addresses), 100):
            part = addresses[i:i + 100]
            out.update(zip(part, self.rpc.value("getMultipleAccounts", [part, {"encoding": "base64",
                                                                               "commitment": "confirmed"}]),
                           strict=True))
        return out

    def prepare(self, plan: Plan, todo: list[Row], next_seq: int) -> dict[str, Any]:
        self.seq = next_seq
        rent_min0 = self.rpc.rent_exempt_minimum(0)
        mints: dict[str, tuple[int, Pubkey]] = {}
        for r in todo:
            if r.asset.token and r.asset.token not in mints:
                decimals, program = self.adapter._mint(r.asset.token)
                if decimals != r.asset.decimals:
                    raise BadInput(_("{symbol} has {decimals} decimals on chain, not {given}").format(
                        symbol=r.asset.symbol, decimals=decimals, given=r.asset.decimals))
                mints[r.asset.token] = (decimals, program)
        small = sorted({r.to for r in todo if r.asset.token is None and r.amount.value < rent_min0})
        missing_small = [a for a, info in self._accounts(small).items() if info is None]
        if missing_small:
            lines = [str(r.line) for r in todo if r.to in missing_small and r.asset.token is None]
            raise Refused(_("lines {lines} pay less than {minimum} (the rent-exempt minimum) to accounts that do not "
                            "exist yet; such a transfer fails").format(lines=", ".join(lines[:20]),
                                                                      minimum=_sol(rent_min0)))
        atas = {(r.to, r.asset.token): str(spl.ata_address(Pubkey.from_string(r.to), Pubkey.from_string(
            r.asset.token), mints[r.asset.token][1])) for r in todo if r.asset.token}
        infos = self._accounts(sorted(set(atas.values())))
        missing = {k for k, a in atas.items() if infos[a] is None}
        rent_each = {m: self.rpc.rent_exempt_minimum(spl.TOKEN_ACCOUNT_LEN + (0 if p == spl.TOKEN_PROGRAM else 5))
                     for m, (_d, p) in mints.items()}
        rent = sum(rent_each[m] for _to, m in missing)
        self._group(todo, mints, missing)
        self.price = (int(self.opts.priority_fee) if self.opts.priority_fee is not None
                      else sb.median_fee(self.rpc.recent_priority_fees([str(self.sender)])))
        fees = sum(sb.LAMPORTS_PER_SIGNATURE + (self.price * est + 999_999) // 10**6 for _r, _i, est in self.groups)
        self._check_caps()
        native = sum(r.amount.value for r in todo if r.asset.token is None)
        have = self.rpc.get_balance(str(self.sender))
        if have < native + fees + rent:
            raise InsufficientFunds(_("the rows still to pay need {needed} (amounts, fees and rent for {count} new "
                                      "token accounts) but the account has {balance}").format(
                needed=_sol(native + fees + rent), count=len(missing), balance=_sol(have)))
        self._check_tokens(todo, mints)
        return {"transactions": len(self.groups), "max_total": _sol(fees).plain(), "symbol": "SOL",
                "rent": _sol(rent).plain(), "new_token_accounts": len(missing),
                "priority_fee_micro_lamports": self.price}

    def _check_tokens(self, todo: list[Row], mints: dict[str, tuple[int, Pubkey]]) -> None:
        for mint, (decimals, program) in mints.items():
            need = sum(r.amount.value for r in todo if r.asset.token == mint)
            info = self.rpc.get_account_info(str(spl.ata_address(self.sender, Pubkey.from_string(mint), program)))
            held = spl.parse_token_account(base64.b64decode(info["data"][0])).amount if info else 0
            if held < need:
                sym = next(r.asset.symbol for r in todo if r.asset.token == mint)
                raise InsufficientFunds(_("the rows still to pay need {needed} but the sender's token account holds "
                                          "{held}").format(needed=Amount(need, decimals, sym),
                                                           held=Amount(held, decimals, sym)))

    def _check_caps(self) -> None:
        if not self.network.fee_cap or self.opts.allow_high_fee:
            return
        cap = Amount.parse(self.network.fee_cap, 9, "SOL", allow_zero=True).value
        for _rows, _ixs, est in self.groups:
            fee = sb.LAMPORTS_PER_SIGNATURE + (self.price * est + 999_999) // 10**6
            if fee > cap:
                raise FeeTooHigh(_("a payout transaction could cost {fee} in fees, above this network's cap of "
                                   "{cap}; lower the priority fee or allow a high fee explicitly").format(
                    fee=_sol(fee), cap=_sol(cap)))

    def _row_ixs(self, r: Row, mints: dict[str, tuple[int, Pubkey]], create: bool) -> tuple[list[Any], int]:
        to = Pubkey.from_string(r.to)
        if r.asset.token is None:
            return sb.sol_transfer(self.sender, to, r.amount.value), _CU_SOL
        decimals, program = mints[r.asset.token]
        mint = Pubkey.from_string(r.asset.token)
        dest = spl.ata_address(to, mint, program)
        ixs = sb.spl_transfer(self.sender, dest, mint, r.amount.value, decimals, program, to if create else None)
        return ixs, _CU_SPL + (_CU_CREATE if create else 0)

    def _group(self, todo: list[Row], mints: dict[str, tuple[int, Pubkey]], missing: set[tuple[str, Any]]) -> None:
        """Pack rows in order into transactions that fit one packet (with the two budget instructions)."""
        self.groups = []
        rows: list[Row] = []
        ixs: list[Any] = []
        est = _CU_BASE
        created: set[tuple[str, Any]] = set()
        for r in todo:
            key = (r.to, r.asset.token)
            create = key in missing and key not in created
            more, cu = self._row_ixs(r, mints, create)
            trial = ixs + more
            # One asset per transaction, so that the journal (and the policy's windows) read one amount.
            if rows and (self._size(trial) > PACKET or r.asset != rows[-1].asset):
                self.groups.append((rows, ixs, est))
                rows, ixs, est = [], [], _CU_BASE
                trial = list(more)
            if self._size(trial) > PACKET:
                raise BadInput(_("line {line} does not fit in a Solana transaction").format(line=r.line))
            rows, ixs, est = [*rows, r], trial, est + cu
            if create:
                created.add(key)
        if rows:
            self.groups.append((rows, ixs, est))

    def _size(self, ixs: list[Any]) -> int:
        msg = sb.compose(self.sender, ixs, _DUMMY, sb.MAX_COMPUTE_UNITS, 1)   # with a price instruction
        return 1 + 64 + len(bytes(msg))

    def tx_groups(self, todo: list[Row]) -> list[list[Row]]:
        return [rows for rows, _ixs, _est in self.groups]

    # ---- signing -------------------------------------------------------------------------------

    def sign_chunks(self, todo: list[Row], signer: Signer) -> Iterator[list[SignedPayment]]:
        from solders.keypair import Keypair
        from solders.transaction import VersionedTransaction

        kp = Keypair.from_seed(signer.private_key)
        if kp.pubkey() != self.sender:
            raise Refused(_("the signing key does not belong to the sending account"))
        for i in range(0, len(self.groups), self.chunk):
            blockhash, last_valid = self.rpc.get_latest_blockhash()
            chunk = []
            for rows, ixs, est in self.groups[i:i + self.chunk]:
                limit = self._simulate(rows, ixs, blockhash)
                if self.price and limit > est:
                    raise FeeTooHigh(_("lines {first}-{last} need {limit} compute units, more than the {allowed} the "
                                       "review's fee allowed for; nothing more was signed").format(
                        first=rows[0].line, last=rows[-1].line, limit=limit, allowed=est))
                msg = sb.compose(self.sender, ixs, blockhash, limit, self.price)
                tx = VersionedTransaction(msg, [kp])
                chunk.append(SignedPayment(str(tx.signatures[0]), self.seq, base64.b64encode(bytes(tx)).decode(),
                                           [r.key for r in rows],
                                           {"blockhash": blockhash, "lastValidBlockHeight": last_valid,
                                            "fee": sb.local_fee(msg, limit, self.price)}))
                self.seq += 1
            yield chunk

    def _simulate(self, rows: list[Row], ixs: list[Any], blockhash: str) -> int:
        msg = sb.compose(self.sender, ixs, blockhash, sb.MAX_COMPUTE_UNITS, 0, price_ix=bool(self.price))
        sim = self.rpc.simulate(sb.unsigned_tx_b64(msg))
        if sim.get("err") is not None:
            raise SimulationFailed(_("the transaction for lines {first}-{last} would fail: {reason}; program logs: "
                                     "{logs}; nothing more was signed").format(
                first=rows[0].line, last=rows[-1].line, reason=describe_err(sim["err"]),
                logs=sb.logs_tail(list(sim.get("logs") or []))))
        return sb.cu_limit_from_units(int(sim.get("unitsConsumed") or 0))

    # ---- broadcasting and reconciling ----------------------------------------------------------

    def broadcast(self, chunk: list[SignedPayment] | list[TxRecord]) -> list[Outcome]:
        out: list[Outcome] = []
        for p in chunk:
            try:
                sig = self.rpc.send(p.raw)
            except RpcError as e:
                if e.err == "AlreadyProcessed" or "already been processed" in e.message:
                    out.append((p.txid, "pending", None))
                else:                      # not proof that it can never land: unknown until the blockhash expires
                    out.append((p.txid, "unknown", runs.NODE_ANSWERED.format(reason=e.message[:200])))
                continue
            out.append((p.txid, "pending", None) if sig == p.txid else
                       (p.txid, "unknown", runs.OTHER_SIGNATURE))
        return out

    def _statuses(self, sigs: list[str]) -> list[Any]:
        out: list[Any] = []
        for i in range(0, len(sigs), 256):
            out += self.rpc.value("getSignatureStatuses", [sigs[i:i + 256], {"searchTransactionHistory": True}])
        return out

    @staticmethod
    def _landed(st: dict[str, Any]) -> tuple[str, str | None]:
        if st.get("err") is not None:
            return "failed", describe_err(st["err"])
        return ("confirmed" if st.get("confirmationStatus") in ("confirmed", "finalized") else "pending"), None

    def reconcile(self, txs: list[TxRecord]) -> list[Outcome]:
        out: list[Outcome] = []
        resend: list[TxRecord] = []
        for t, st in zip(txs, self._statuses([t.txid for t in txs]), strict=True):
            if st is not None:
                out.append((t.txid, *self._landed(st)))
            elif self._expired(t) and self.rpc.signature_status(t.txid) is None:   # status read after expiry
                out.append((t.txid, "dropped", runs.EXPIRED_UNKNOWN))
            else:
                resend.append(t)
        return out + (self.broadcast(resend) if resend else [])

    def _expired(self, t: TxRecord) -> bool:
        if self.rpc.is_blockhash_valid(t.meta["blockhash"]):
            return False
        return self.rpc.get_block_height() > int(t.meta["lastValidBlockHeight"])

    def wait(self, txs: list[TxRecord], timeout: float) -> list[Outcome]:
        import time

        deadline = time.monotonic() + timeout
        left = list(txs)
        out: list[Outcome] = []
        while left:
            still = []
            for t, st in zip(left, self._statuses([t.txid for t in left]), strict=True):
                state = self._landed(st) if st is not None else ("pending", None)
                if state[0] == "pending":
                    still.append(t)
                else:
                    out.append((t.txid, *state))
            left = still
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        return out
