"""Sending on Solana: broadcast, status, wait, and re-signing after blockhash expiry, without ever
sending one transfer twice.

An error reply to sendTransaction is not proof that nothing was sent: only a preflight failure or a bad
signature is a rejection; anything else is an unknown outcome unless the node shows the signature.
A transaction carries a recent blockhash and can land only while that blockhash is valid (about
150 blocks, roughly a minute). Once the block height passes the blockhash's lastValidBlockHeight
and the node no longer accepts the blockhash, the old signature can never land; only then, and
only if the node's signature status (searched through history) says it never landed, is the same
message re-signed under a fresh blockhash.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chains.base import Amount, SignedTx, Signer, TxStatus, UnsignedTx
from chains.errors import BadInput, CannotLand, Refused, SimulationFailed, TxRejected, Unavailable
from chains.solana import tx as sb
from chains.solana.rpc import RpcError, describe_err
from wallet_i18n import N_, _


class BlockhashExpired(CannotLand):
    """Proven: the blockhash is invalid, the block height is past its lastValidBlockHeight and the node
    has no record of the signature, so this transaction can never land; only then may it be re-signed."""


class BlockhashUnknown(Unavailable):
    """The node refused the blockhash, but its expiry is not proven (a lagging node, or an offline
    build with no lastValidBlockHeight): the transaction may still land, so its outcome is unknown
    (not rejected) and it must not be re-signed."""


# sendTransaction errors that prove nothing was forwarded: preflight simulation failed (-32002) and
# signature verification failed (-32003).
_CERTAIN_REFUSALS = (-32002, -32003)
_COMMITMENT_RANK = {"processed": 0, "confirmed": 1, "finalized": 2}


class ResignMixin:
    """Broadcast, status, wait and re-signing; mixed into the Solana Adapter, which provides rpc, sign
    and check_chain."""

    rpc: Any
    sign: Callable[[UnsignedTx, Signer], SignedTx]
    check_chain: Callable[[], None]

    def broadcast(self, signed: SignedTx) -> str:
        try:
            sig = self.rpc.send(signed.raw)
        except RpcError as e:
            if e.err == "AlreadyProcessed" or "already been processed" in e.message:
                return signed.txid
            if e.err == "BlockhashNotFound" or "Blockhash not found" in e.message:
                if self.rpc.signature_status(signed.txid) is not None:
                    return signed.txid                # it landed earlier: success, as promised
                if self.cannot_land(signed):
                    raise BlockhashExpired(_("the transaction's blockhash has expired and the node has no record "
                                             "of it, so it can never land and nothing was sent; build and sign "
                                             "it again")) from None
                raise BlockhashUnknown(_("the node does not accept the transaction's blockhash, but it has not "
                                         "provably expired (the node may be behind, or an offline build has no "
                                         "lastValidBlockHeight), so it may still land; check its status before "
                                         "sending again")) from None
            # Only a preflight failure (the node simulated and did not forward it) or a bad signature is
            # a certain "not sent". Any other error (a timeout, an unknown code) may follow a forward.
            if e.code in _CERTAIN_REFUSALS and self.rpc.signature_status(signed.txid) is None:
                raise TxRejected(_("the node rejected the transaction in preflight: {reason}; program logs: "
                                   "{logs}").format(reason=e.message, logs=sb.logs_tail(e.logs))) from None
            if self.rpc.signature_status(signed.txid) is not None:
                return signed.txid
            raise Unavailable(_("the Solana RPC answered sendTransaction with error {code} ({reason}), which does "
                                "not prove the transaction was not sent; its outcome is unknown").format(
                code=e.code, reason=e.message[:200])) from None
        if sig != signed.txid:
            raise Unavailable(_("the node answered sendTransaction with a different signature than ours"))
        return sig

    def status(self, txid: str, commitment: str = "confirmed") -> TxStatus:
        """unknown: the node has no record of the signature (not visible yet, dropped, or never sent);
        pending: the node has it below `commitment`; confirmed: at or above it; failed: it landed with
        an error (the fee was still paid). `detail` carries the node's commitment level."""
        want = _rank(commitment)
        st = self.rpc.signature_status(txid)
        if st is None:
            return TxStatus(txid, "unknown", detail=N_("the node has no record of this signature (not visible "
                                                       "yet, dropped, or never sent)"))
        if st.get("err") is not None:
            return TxStatus(txid, "failed", 0, st.get("slot"), detail=describe_err(st["err"]))
        level = st.get("confirmationStatus") or "processed"
        conf = st.get("confirmations")
        confirmations = 32 if level == "finalized" and conf is None else int(conf or 0)
        state = "confirmed" if _COMMITMENT_RANK.get(level, -1) >= want else "pending"
        return TxStatus(txid, state, confirmations, st.get("slot"), detail=level)

    def wait(self, txid: str, timeout: float = 60.0, commitment: str = "confirmed") -> TxStatus:
        """Poll until the signature reaches `commitment` (processed/confirmed/finalized) or fails.

        Polls through "unknown" as well as "pending": a just-sent signature may not be visible yet.
        At the deadline the last status is returned as it is (unknown or pending).
        """
        _rank(commitment)
        deadline = time.monotonic() + timeout
        while True:
            st = self.status(txid, commitment)
            if st.state in ("confirmed", "failed") or time.monotonic() >= deadline:
                return st
            time.sleep(0.2)

    def is_expired(self, signed: SignedTx | UnsignedTx) -> bool:
        """True once the transaction's blockhash can provably no longer be used by any leader.

        A node that merely does not know the blockhash may be behind, so both facts are needed: the
        node calls it invalid and its block height is past lastValidBlockHeight. Without a recorded
        lastValidBlockHeight (an offline build) expiry cannot be proven, so this stays False.
        """
        last_valid = signed.payload.get("lastValidBlockHeight")
        if last_valid is None:
            return False
        if self.rpc.is_blockhash_valid(signed.payload["blockhash"]):
            return False
        return self.rpc.get_block_height() > int(last_valid)

    def cannot_land(self, signed: SignedTx) -> bool:
        """Expired and unknown to the node. The status is read after expiry, when it can no longer change."""
        return self.is_expired(signed) and self.rpc.signature_status(signed.txid) is None

    def resign(self, signed: SignedTx, signer: Signer) -> SignedTx:
        """The same transfer under a fresh blockhash, only if the old one can never land."""
        self.check_chain()
        if not self.is_expired(signed):
            raise Refused(_("the previous transaction's blockhash has not provably expired, so it may still land; "
                            "not signing a second one"))
        # Checked after expiry: from here on the old signature's status is final.
        if self.rpc.signature_status(signed.txid) is not None:
            raise Refused(_("the previous transaction {txid} has landed; not signing a second one").format(
                txid=signed.txid))
        blockhash, last_valid = self.rpc.get_latest_blockhash()
        msg = sb.with_blockhash(sb.message_from_b64(signed.payload["message"]), blockhash)
        sim = self.rpc.simulate(sb.unsigned_tx_b64(msg))
        if sim.get("err") is not None:
            raise SimulationFailed(_("the re-signed transaction would fail: {reason}; program logs: {logs}").format(
                reason=describe_err(sim["err"]), logs=sb.logs_tail(list(sim.get("logs") or []))))
        payload = {**signed.payload, "message": sb.message_b64(msg), "blockhash": blockhash,
                   "lastValidBlockHeight": last_valid, "replaces": signed.txid}
        zero = Amount(0, 9, "SOL")
        unsigned = UnsignedTx("sol", signed.network, signed.sender, signed.recipient,
                              signed.amount or zero, signed.fee or zero, payload)
        return self.sign(unsigned, signer)

    def send_with_resign(self, signed: SignedTx, signer: Signer, *, timeout: float = 90.0,
                         commitment: str = "confirmed", on_signed: Callable[[SignedTx], None] | None = None,
                         poll: float = 0.5, rebroadcast_every: float = 2.0) -> tuple[SignedTx, TxStatus]:
        """Broadcast, re-broadcast while the blockhash lives, re-sign only after a proven expiry.

        `on_signed` is called with every new SignedTx before it is broadcast (the CLI journals it).
        Returns the transaction that landed and its status; raises Unavailable on timeout. A signature
        the node does not know yet ("unknown") is polled until the deadline: it may simply not be
        visible yet, and only a proven expiry allows a new signature.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.broadcast(signed)
            except (BlockhashExpired, Unavailable):
                pass                                  # outcome unknown now; the status and expiry checks decide
            last_send = time.monotonic()
            while time.monotonic() < deadline:
                if self.rpc.signature_status(signed.txid) is not None:
                    return signed, self.wait(signed.txid, max(1.0, deadline - time.monotonic()), commitment)
                if self.is_expired(signed):
                    if self.rpc.signature_status(signed.txid) is None:
                        signed = self.resign(signed, signer)
                        if on_signed is not None:
                            on_signed(signed)
                        break
                    continue
                if time.monotonic() - last_send >= rebroadcast_every:
                    try:
                        self.broadcast(signed)
                    except (BlockhashExpired, Unavailable):
                        pass
                    last_send = time.monotonic()
                time.sleep(poll)
            else:
                raise Unavailable(_("transaction {txid} did not land within {seconds} s").format(
                    txid=signed.txid, seconds=f"{timeout:.0f}"))


def _rank(commitment: str) -> int:
    try:
        return _COMMITMENT_RANK[commitment]
    except KeyError:
        raise BadInput(_("commitment must be processed, confirmed or finalized, not {commitment!r}").format(
            commitment=commitment)) from None
