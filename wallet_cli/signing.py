"""The one signing choke point: every path that signs goes through an AccountSigner.

send, broadcast-less --sign-only, pay, tx speed-up and cancel, Solana's re-sign after a proven
blockhash expiry, psbt sign, sign-message and sign-typed-data each call one method here, and nothing
else in the CLI asks the vault for a key (a test checks that session.signer_for is called from this
module only). That is where the spending policy is checked before a key is used, and where a signing
agent can take the place of the in-process vault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chains.base import ChainAdapter, Network, SignedTx, Signer, UnsignedTx


@dataclass
class AccountSigner:
    """Signs for one account (a vault index entry) on one network."""

    entry: dict[str, Any]
    network: Network

    def _key(self) -> Signer:
        from wallet_cli import session

        return session.signer_for(self.entry, self.network)

    def sign_transaction(self, adapter: ChainAdapter, unsigned: UnsignedTx) -> SignedTx:
        return adapter.sign(unsigned, self._key())

    def resign_key(self, original: SignedTx) -> Signer:
        """The key for re-signing the same journalled transfer (Solana, after its blockhash provably
        expired): the transfer was checked when `original` was signed, so it is not counted again."""
        return self._key()

    def sign_replacement(self, adapter: ChainAdapter, original: SignedTx, how: str, bump: int, *,
                         allow_high_fee: bool) -> SignedTx:
        """A speed-up (same payment, higher fee) or a cancel (pays yourself, higher fee)."""
        fn = adapter.speed_up if how == "speed up" else adapter.cancel
        return fn(original, self._key(), bump, allow_high_fee=allow_high_fee)

    def sign_psbt(self, adapter: Any, psbt: str, *, allow_high_fee: bool) -> tuple[dict[str, Any], Any]:
        """(review, sign): the review of a PSBT, and a function that signs it once the user agreed."""
        key = self._key()
        review = adapter.review_psbt(psbt, key, allow_high_fee=allow_high_fee)
        return review, lambda: adapter.sign_psbt(psbt, key)

    def sign_message(self, adapter: ChainAdapter, message: bytes, **extra: Any) -> str:
        return adapter.sign_message(message, self._key(), **extra)

    def sign_typed_data(self, adapter: Any, typed: dict[str, Any]) -> str:
        return adapter.sign_typed_data(typed, self._key())
