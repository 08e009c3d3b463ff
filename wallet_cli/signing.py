"""The one signing choke point: every path that signs goes through an AccountSigner.

send, broadcast-less --sign-only, pay, tx speed-up and cancel, Solana's re-sign after a proven
blockhash expiry, psbt sign, sign-message and sign-typed-data each call one method here, and nothing
else in the CLI asks the vault for a key (a test checks that session.signer_for is called from this
module only).

Before a key is used: what will be signed is decoded from the payload itself (wallet_cli/decode.py),
compared with the review, and checked against the spending policy and the journal (wallet_cli/guard.py).
sign_transaction then journals the signed transaction before returning it and raises the vault's journal
high-water mark. With a running agent (wallet_cli/agent.py) transactions, messages and typed data are
signed there, by the same steps, and this process never unlocks the vault. Replacements (speed-up,
cancel, Solana re-sign) and PSBTs are signed in-process: the adapter signs them itself, so the policy
checks its result before anything is shown, journalled or sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from chains.base import Amount, ChainAdapter, Network, SignedTx, Signer, UnsignedTx
from wallet_cli import agent_client, decode, guard
from wallet_cli.journal import Journal
from wallet_i18n import _


def _opts() -> Any:
    from wallet_cli.context import options

    return options()


def _agent() -> agent_client.Client | None:
    return agent_client.connect(_opts().home, _opts().vault)


def _unlock() -> Any:
    """The in-process unlock; without any password source, say that the agent is the way to go."""
    from wallet_cli import session
    from wallet_cli.errors import PasswordUnavailable

    try:
        return session.unlock()
    except PasswordUnavailable as e:
        raise PasswordUnavailable(_("the agent is not running; start it with wallet agent start, or give the password "
                                    "another way ({reason})").format(reason=e)) from None


@dataclass
class AccountSigner:
    """Signs for one account (a vault index entry) on one network."""

    entry: dict[str, Any]
    network: Network
    _checked: list[Any] = field(default_factory=list, repr=False, compare=False)  # replacements to record

    def _key(self) -> Signer:
        _unlock()
        return key_for(self.entry, self.network)

    def sign_transaction(self, adapter: ChainAdapter, unsigned: UnsignedTx, *, journal: Journal | None = None,
                         tags: dict[str, Any] | None = None) -> SignedTx:
        """Checked, signed and journalled (with `tags`: kind, token, idem_key, intent, replaces)."""
        journal = journal or Journal(_opts().home)
        tags = {k: v for k, v in (tags or {}).items() if v is not None}
        client = _agent()
        if client is not None:
            return client.sign_tx(unsigned, self.entry, tags)
        uv = _unlock()
        key = self._key()
        spend = decode.transaction(unsigned, self.network, adapter, key)
        return finish(adapter, unsigned, key, spend, uv, journal, tags, save_mark=_save_mark)

    def check_run(self, adapter: ChainAdapter, unsigned: list[UnsignedTx], *, journal: Journal | None = None) -> None:
        """pay: the whole run against the policy before the first signature (each is checked again when
        signed by sign_transaction)."""
        journal = journal or Journal(_opts().home)
        client = _agent()
        if client is not None:
            client.check_run(unsigned, self.entry)
            return
        uv, key = _unlock(), self._key()
        guard.check_run(uv, [decode.transaction(u, self.network, adapter, key) for u in unsigned], journal)

    def can_resign(self) -> bool:
        """Re-signing needs the key in this process: not when the agent holds it (then --wait only waits)."""
        return _agent() is None

    def resign_key(self, original: SignedTx) -> Signer:
        """The key for re-signing the same journalled transfer (Solana, after its blockhash provably
        expired); each re-signed transaction passes check_signed before it is journalled."""
        return self._key()

    def payout_key(self, review: dict[str, Any], spends: list[Any]) -> Signer:
        """The key for one payout run (`wallet pay`), once the user approved its review. The run signs many
        transactions with it in a tight loop, so the policy checks the whole run here, before the first
        signature, one transaction after another (guard.check_run): `spends` are the transactions the run
        signs, each built by its driver from exactly these recipients and amounts."""
        uv, key = _unlock(), self._key()
        guard.check_run(uv, spends, Journal(_opts().home))
        return key

    def sign_replacement(self, adapter: ChainAdapter, original: SignedTx, how: str, bump: int, *,
                         allow_high_fee: bool) -> SignedTx:
        """A speed-up (same payment, higher fee) or a cancel (pays yourself, higher fee)."""
        fn = adapter.speed_up if how == "speed up" else adapter.cancel
        new = fn(original, self._key(), bump, allow_high_fee=allow_high_fee)
        self.check_signed(adapter, new, replaces=original.txid)
        return new

    def check_signed(self, adapter: ChainAdapter, signed: SignedTx, *, replaces: str | None) -> None:
        """A transaction the adapter built and signed itself, decoded and checked before it leaves."""
        uv = _unlock()
        zero = Amount(0, self.network.decimals, self.network.symbol)
        unsigned = UnsignedTx(signed.family, signed.network, signed.sender, signed.recipient, signed.amount or zero,
                              signed.fee or zero, _unsigned_payload(signed))
        if signed.family == "btc":
            spend = decode.btc_signed(signed.raw, self.network, self.entry, signed.sender)
        else:
            spend = decode.transaction(unsigned, self.network, adapter, None)
        spend = decode.Spend(**{**spend.__dict__, "replaces": replaces})
        guard.check_spend(uv, spend, Journal(_opts().home), keyed=False)
        guard.stamp(signed, unsigned, spend, uv)
        self._checked.append(_past(signed, spend))

    def journalled(self, journal: Journal) -> None:
        """After a caller journalled a replacement it signed here: record it and raise the high-water mark."""
        uv = _unlock()
        if not self._checked:
            _save_mark(uv, journal)
        while self._checked:
            _save_mark(uv, journal, self._checked.pop(0))
            uv = _unlock()

    def sign_psbt(self, adapter: Any, psbt: str, *, allow_high_fee: bool) -> tuple[dict[str, Any], Any]:
        """(review, sign): the review of a PSBT, and a function that signs it once the user agreed.
        The policy sees the review's outputs that are not change (change derived from the key)."""
        uv, key = _unlock(), self._key()
        review = adapter.review_psbt(psbt, key, allow_high_fee=allow_high_fee)
        outs = tuple((o["address"], int(o["sats"])) for o in review["outputs"] if not o["change"])
        spend = decode.Spend(chain=decode.chain_key(self.network), network=self.network.name, family="btc",
                             token=None, outputs=outs)
        guard.check_spend(uv, spend, Journal(_opts().home), keyed=False)
        return review, lambda: adapter.sign_psbt(psbt, key)

    def sign_message(self, adapter: ChainAdapter, message: bytes, **extra: Any) -> str:
        client = _agent()
        if client is not None:
            return client.sign_message(message, self.entry, self.network, extra)
        return message_signature(_unlock(), adapter, self.entry, self.network, message, extra)

    def sign_typed_data(self, adapter: Any, typed: dict[str, Any]) -> str:
        client = _agent()
        if client is not None:
            return client.sign_typed_data(typed, self.entry, self.network)
        return typed_signature(_unlock(), adapter, self.entry, self.network, typed, Journal(_opts().home),
                               save=_save_mark)


def key_for(entry: dict[str, Any], network: Network) -> Signer:
    """The one place a key comes out of the unlocked vault (in this process, or in the agent)."""
    from wallet_cli import session

    return session.signer_for(entry, network)


def message_signature(uv: Any, adapter: ChainAdapter, entry: dict[str, Any], network: Network, message: bytes,
                      extra: dict[str, Any]) -> str:
    check_message(uv, network)
    return adapter.sign_message(message, key_for(entry, network), **extra)


def typed_signature(uv: Any, adapter: Any, entry: dict[str, Any], network: Network, typed: dict[str, Any],
                    journal: Journal, ledger: guard.Ledger | None = None, *, save: Any) -> str:
    """A Permit or authorisation is a spend: counted by the windows afterwards, like a transaction."""
    spend = check_typed(uv, typed, entry, network, journal, ledger)
    sig = adapter.sign_typed_data(typed, key_for(entry, network))
    if spend is not None:
        past = guard.pol.Past(f"typed:{sig}", time.time(), network.name, "evm", None, spend.token, None, "signed",
                              units=spend.total, chain=spend.chain)
        if ledger is not None:
            ledger.entries[past.txid] = past
        save(uv, journal, past)
    return sig


def finish(adapter: ChainAdapter, unsigned: UnsignedTx, key: Signer, spend: Any, uv: Any, journal: Journal,
           tags: dict[str, Any], *, save_mark: Any, ledger: guard.Ledger | None = None) -> SignedTx:
    """Check, sign, journal, raise the mark: the steps the agent and this process share."""
    guard.check_review(unsigned, spend)
    guard.check_spend(uv, spend, journal, keyed=bool(tags.get("idem_key")), ledger=ledger)
    signed = adapter.sign(unsigned, key)
    guard.stamp(signed, unsigned, spend, uv)
    journal.record_signed(signed, kind=tags.get("kind", "send"), token=tags.get("token"),
                          idem_key=tags.get("idem_key"), intent=tags.get("intent"), replaces=tags.get("replaces"))
    past = _past(signed, spend)
    if ledger is not None:
        ledger.entries[signed.txid] = past
    save_mark(uv, journal, past)
    return signed


def _past(signed: SignedTx, spend: Any) -> guard.pol.Past:
    """What the windows count for a signature: the decoded spend (its `replaces` only from a decoded
    replacement, never from a client's tags)."""
    amount = signed.amount
    return guard.pol.Past(signed.txid, time.time(), signed.network, signed.family, amount.symbol if amount else None,
                          spend.token, amount.plain() if amount else None, "signed", units=spend.total,
                          chain=spend.chain, replaces=spend.replaces)


def _save_mark(uv: Any, journal: Journal, spend: guard.pol.Past | None = None) -> None:
    from wallet_cli import session

    session.replace(guard.advance_mark(_opts().home, _opts().vault, uv, journal, spend))


def _unsigned_payload(signed: SignedTx) -> dict[str, Any]:
    if signed.family == "evm":
        from chains.evm.tx import decode_raw

        tx, _sender, _txid = decode_raw(signed.raw)
        return {**signed.payload, "tx": tx}
    return dict(signed.payload)


def check_message(uv: Any, network: Network) -> None:
    guard.pol.check_message(guard.load_policy(uv), decode.chain_key(network), network.name)


def check_typed(uv: Any, typed: dict[str, Any], entry: dict[str, Any], network: Network, journal: Journal,
                ledger: guard.Ledger | None = None) -> Any:
    """The spend a Permit or authorisation makes (checked), or None for typed data that moves nothing."""
    spend = decode.evm_typed_data(typed, network, entry["address"])
    if spend is None:
        check_message(uv, network)
    else:
        guard.check_spend(uv, spend, journal, keyed=False, ledger=ledger)
    return spend
