"""Blockhash expiry and re-signing for Solana, without ever sending one transfer twice.

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
from chains.errors import CannotLand, Refused, SimulationFailed, Unavailable
from chains.solana import tx as sb
from chains.solana.rpc import describe_err


class BlockhashExpired(CannotLand):
    """Proven: the blockhash is invalid, the block height is past its lastValidBlockHeight and the node
    has no record of the signature, so this transaction can never land; only then may it be re-signed."""


class BlockhashUnknown(Unavailable):
    """The node refused the blockhash, but its expiry is not proven (a lagging node, or an offline
    build with no lastValidBlockHeight): the transaction may still land, so its outcome is unknown
    (not rejected) and it must not be re-signed."""


class ResignMixin:
    """Mixed into the Solana Adapter, which provides rpc, sign, broadcast, status and wait."""

    rpc: Any
    sign: Callable[[UnsignedTx, Signer], SignedTx]
    broadcast: Callable[[SignedTx], str]
    wait: Callable[..., TxStatus]
    check_chain: Callable[[], None]

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
            raise Refused("the previous transaction's blockhash has not provably expired, so it may still "
                          "land; not signing a second one")
        # Checked after expiry: from here on the old signature's status is final.
        if self.rpc.signature_status(signed.txid) is not None:
            raise Refused(f"the previous transaction {signed.txid} has landed; not signing a second one")
        blockhash, last_valid = self.rpc.get_latest_blockhash()
        msg = sb.with_blockhash(sb.message_from_b64(signed.payload["message"]), blockhash)
        sim = self.rpc.simulate(sb.unsigned_tx_b64(msg))
        if sim.get("err") is not None:
            raise SimulationFailed(f"the re-signed transaction would fail: {describe_err(sim['err'])}; "
                                   f"program logs: {sb.logs_tail(list(sim.get('logs') or []))}")
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
                raise Unavailable(f"transaction {signed.txid} did not land within {timeout:.0f} s")
