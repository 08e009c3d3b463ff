"""The send flow, without Typer: resolve, build, check, confirm, unlock, sign, journal, broadcast.

Exactly-once: every signed transaction is committed to the journal before it is broadcast. A rerun of
the same transfer (same --idempotency-key, or the same network/from/to/amount/token while an earlier
one is still unresolved) reconciles the journalled transaction with the node and re-broadcasts the
same signed bytes instead of signing a second transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chains.base import Amount, ChainAdapter, FeeOptions, Network, SignedTx, Transfer, UnsignedTx
from chains.errors import CannotLand, ChainIdMismatch, Unavailable
from chains.errors import Refused as ChainRefused
from wallet_cli import accounts
from wallet_cli.errors import Refused, UsageError
from wallet_cli.journal import Journal
from wallet_cli.signing import AccountSigner
from wallet_i18n import _, english_of


@dataclass
class SendRequest:
    network: Network
    sender: dict[str, Any]               # index entry
    recipient: str
    amount: str                          # decimal text, or "max"
    token: str | None = None
    fees: FeeOptions = field(default_factory=FeeOptions)
    idempotency_key: str | None = None
    allow_lookalike: bool = False
    assume_yes: bool = False
    wait: bool = False
    wait_timeout: float = 120.0
    commitment: str | None = None        # sol: processed, confirmed or finalized
    memo: str | None = None              # sol, tron


@dataclass
class SendResult:
    txid: str
    state: str
    network: str
    sender: str
    recipient: str
    amount: Amount | None
    fee: Amount | None
    replayed: bool = False
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"txid": self.txid, "state": self.state, "network": self.network, "from": self.sender,
                "to": self.recipient, "amount": self.amount.plain() if self.amount else None,
                "symbol": self.amount.symbol if self.amount else None,
                "fee": self.fee.plain() if self.fee else None, "replayed": self.replayed, "detail": self.detail}


def parse_amount(text: str, decimals: int, symbol: str, *, allow_max: bool) -> Amount | None:
    if text.strip().lower() == "max":
        if not allow_max:
            raise UsageError(_("'max' is for the native coin (BTC, SOL, an EVM network's) and EVM tokens; "
                               "give an exact amount"))
        return None
    return Amount.parse(text, decimals, symbol)


def intent_key(network: str, sender: str, recipient: str, amount: str, token: str | None) -> str:
    """Identifies 'the same transfer' for the implicit rerun check: amounts compare as numbers."""
    raw = "\x1f".join([network, sender, recipient, canonical_amount(amount), token or ""]).encode()
    return hashlib.sha256(raw).hexdigest()


def canonical_amount(text: str) -> str:
    """'0.0010' and '000.001' -> '0.001'; text that is not a plain decimal ('max', junk) stays as typed."""
    import re

    s = text.strip()
    m = re.fullmatch(r"([0-9]+)(?:\.([0-9]+))?", s)  # Amount.parse's grammar, ASCII digits only
    if not m:
        return s.lower() if s.lower() == "max" else s
    whole, frac = m.group(1).lstrip("0") or "0", (m.group(2) or "").rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def lookalikes(recipient: str, known: set[str]) -> list[str]:
    """Known addresses that share the first and last 4 characters but differ: address poisoning."""
    def core(a: str) -> str:
        return a[2:] if a.lower().startswith("0x") else a

    r = core(recipient).lower()
    out = []
    for k in known:
        c = core(k).lower()
        if c != r and c[:4] == r[:4] and c[-4:] == r[-4:]:
            out.append(k)
    return sorted(out)


def _reconcile(adapter: ChainAdapter, journal: Journal, entry: Any) -> SendResult | None:
    """Check a journalled, unresolved transaction against the node; re-broadcast the same bytes if unseen.

    Returns None only with proof that the old transaction can never land (CannotLand); the caller may
    then sign anew. Any other refusal (nonce used, inputs spent) may mean it or a replacement landed,
    so it stops the send instead of signing a second transaction.
    """
    st = adapter.status(entry.txid)
    if st.state in ("pending", "confirmed", "failed"):
        journal.set_state(entry.network, entry.txid, st.state)
        return _result(entry.signed, st.state, replayed=True)
    try:
        txid = adapter.broadcast(entry.signed)
    except CannotLand as e:
        journal.set_state(entry.network, entry.txid, "dropped", english_of(e))
        return None
    except ChainRefused as e:
        journal.set_state(entry.network, entry.txid, "unknown", english_of(e))
        raise Refused(_("the transaction {txid} signed earlier for this transfer was refused when re-sent "
                        "({reason}); it or a replacement may have landed, so no second one is signed. Check "
                        "'wallet tx status {txid}'; to send anyway, use a new --idempotency-key").format(
                          txid=entry.txid, reason=e)) from None
    journal.set_state(entry.network, txid, "pending")
    return _result(entry.signed, "pending", replayed=True)


def _settle_keyed(adapter: ChainAdapter, journal: Journal, rows: list[Any]) -> SendResult | None:
    """Everything journalled under one idempotency key (replacements carry it too), newest first."""
    for e in rows:
        if e.state in ("confirmed", "failed"):
            return _result(e.signed, e.state, replayed=True)
    for e in rows:
        if e.state in ("pending", "signed", "unknown"):
            done = _reconcile(adapter, journal, e)
            if done is not None:
                return done
        elif e.state == "rejected":
            # Journals written before the rule "an error reply is not a rejection" may hold a
            # 'rejected' transaction that landed: believe the chain, not the old verdict.
            st = adapter.status(e.txid)
            if st.state in ("pending", "confirmed", "failed"):
                journal.set_state(e.network, e.txid, st.state)
                return _result(e.signed, st.state, replayed=True)
    return None  # every earlier attempt was rejected or provably dropped


def _distinct(adapter: ChainAdapter, journal: Journal, unsigned: UnsignedTx) -> UnsignedTx:
    """A new payment must not be byte-identical to a journalled one (on Solana the two would be one
    transaction, and the second run would report a payment that never happened): vary it if so."""
    vary = getattr(adapter, "make_distinct", None)
    for _attempt in range(100):
        msg = unsigned.payload.get("message")
        if vary is None or not isinstance(msg, str) or not journal.has_message(unsigned.network, msg):
            return unsigned
        unsigned = vary(unsigned)
    raise Refused(_("could not make this transaction differ from the ones already journalled"))


def _result(signed: SignedTx, state: str, *, replayed: bool = False, detail: str | None = None) -> SendResult:
    return SendResult(signed.txid, state, signed.network, signed.sender, signed.recipient, signed.amount,
                      signed.fee, replayed, detail)


def build(req: SendRequest, adapter: ChainAdapter, known: set[str]) -> tuple[UnsignedTx, list[str]]:
    """Build and check; returns the unsigned transaction and the warnings to show.

    The send command has already replaced a contact name in req.recipient by its address.
    """
    recipient = adapter.parse_address(req.recipient, req.network)
    sender = accounts.to_account(req.sender)
    if req.sender["chain"] != req.network.family:
        raise UsageError(_("{ref} is {an_account} but {network} is {a_network}").format(
            ref=sender.ref, an_account=accounts.an_account(req.sender["chain"]), network=req.network.name,
            a_network=accounts.a_network(req.network.family)))
    if req.token:
        token_addr, symbol, decimals = adapter.token_info(req.token)
    else:
        token_addr, symbol, decimals = None, req.network.symbol, req.network.decimals
    fam = req.network.family
    allow_max = fam == "evm" or (fam in ("btc", "sol") and not req.token)
    amount = parse_amount(req.amount, decimals, symbol, allow_max=allow_max)
    unsigned = adapter.build_transfer(Transfer(req.network, sender, recipient, amount, token_addr, req.fees,
                                               memo_for(req)))
    return unsigned, list(unsigned.warnings) + poisoning_warnings(req, recipient, known)


def memo_for(req: SendRequest) -> str | None:
    if req.memo is not None and req.network.family not in ("sol", "tron"):
        raise UsageError(_("--memo applies to Solana and TRON transfers only"))
    return req.memo


def poisoning_warnings(req: SendRequest, recipient: str, known: set[str]) -> list[str]:
    """A warning for a look-alike of a known address; under --yes a refusal unless --allow-lookalike."""
    similar = lookalikes(recipient, known)
    if not similar:
        return []
    if req.assume_yes and not req.allow_lookalike:
        raise Refused(_("recipient {recipient} looks like {known} from your history or address book but is a "
                        "different address (possible address poisoning); pass --allow-lookalike to send anyway")
                      .format(recipient=recipient, known=similar[0]))
    return [_("recipient {recipient} looks like {known} from your history or address book but is a "
              "different address (possible address poisoning)").format(recipient=recipient, known=similar[0])]


def send(req: SendRequest, adapter: ChainAdapter, journal: Journal, *,
         confirm: Callable[[UnsignedTx, list[str]], None], signer: AccountSigner,
         on_signed: Callable[[SignedTx], None] | None = None) -> SendResult:
    """The whole flow. `confirm` raises to refuse; `signer` (the signing choke point) signs.

    Runs under a lock on the idempotency key (or the transfer's intent), so two concurrent runs of the
    same transfer cannot both sign: the second waits, then finds the first one's journal entry.
    """
    intent = intent_key(req.network.name, req.sender["address"], req.recipient, req.amount, req.token)
    with journal.lock(req.idempotency_key or intent):
        notes: list[str] = []
        if req.idempotency_key:
            rows = journal.by_idem_key(req.idempotency_key)
            if any(r.intent not in (None, intent) for r in rows):
                raise UsageError(_("this idempotency key was used for a different transfer"))
            done = _settle_keyed(adapter, journal, rows)
            if done is not None:
                return done
        else:
            for entry in journal.open_with_intent(intent):
                if entry.state == "pending":
                    # The user was told about this one; an identical new transfer may well be intended.
                    st = adapter.status(entry.txid)
                    journal.set_state(entry.network, entry.txid, st.state)
                    if st.state == "pending":
                        notes.append(_("an identical transfer {txid} is still pending").format(txid=entry.txid))
                    continue
                # Signed, but its broadcast outcome was never learned: never sign a second one for it.
                done = _reconcile(adapter, journal, entry)
                if done is not None:
                    return done

        unsigned, warnings = build(req, adapter, journal.known_recipients(req.network.family))
        unsigned = _distinct(adapter, journal, unsigned)
        warnings += notes
        confirm(unsigned, warnings)
        tags = {"idem_key": req.idempotency_key, "intent": intent}
        # The choke point checks the policy, signs (here or in the agent) and journals before returning.
        signed = signer.sign_transaction(adapter, unsigned, journal=journal, tags={**tags, "token": req.token})
        if on_signed:
            on_signed(signed)
        return publish(signed, adapter, journal, wait=req.wait, wait_timeout=req.wait_timeout,
                       signer=signer, commitment=req.commitment, tags=tags)


def publish(signed: SignedTx, adapter: ChainAdapter, journal: Journal, *, wait: bool,
            wait_timeout: float = 120.0, signer: AccountSigner | None = None,
            commitment: str | None = None, tags: dict[str, str | None] | None = None) -> SendResult:
    """Broadcast a journalled transaction and record what happened.

    `tags` (idempotency key and intent) are carried onto any transaction re-signed on the way.
    """
    if wait and signer is not None and hasattr(adapter, "send_with_resign") and signer.can_resign():
        return _publish_resigning(signed, adapter, journal, wait_timeout, signer, commitment, tags or {})
    try:
        txid = adapter.broadcast(signed)
    except Unavailable as e:
        journal.set_state(signed.network, signed.txid, "unknown", english_of(e))
        raise Unavailable(_("{reason} The signed transaction {txid} is journalled: rerun the same command "
                            "to reconcile it; it will not be sent twice.").format(reason=e, txid=signed.txid)) \
            from None
    except CannotLand as e:
        journal.set_state(signed.network, signed.txid, "rejected", english_of(e))  # proof: a rerun may sign anew
        raise
    except ChainIdMismatch:
        raise  # refused before anything was sent: the journal entry stays as it was
    except ChainRefused as e:
        # An error reply is not proof that nothing was sent: keep it unknown, so a rerun reconciles it.
        journal.set_state(signed.network, signed.txid, "unknown", english_of(e))
        raise Refused(_("{reason}; the signed transaction {txid} stays journalled, and rerunning the same "
                        "command re-sends it instead of signing another").format(reason=e, txid=signed.txid)) \
            from None
    journal.set_state(signed.network, txid, "pending")
    if not wait:
        return _result(signed, "pending")
    extra = {"commitment": commitment} if commitment else {}
    st = adapter.wait(txid, timeout=wait_timeout, **extra)
    journal.set_state(signed.network, txid, st.state, st.detail)
    return _result(signed, st.state, detail=st.detail)


def _publish_resigning(signed: SignedTx, adapter: Any, journal: Journal, timeout: float,
                       signer: AccountSigner, commitment: str | None,
                       tags: dict[str, str | None]) -> SendResult:
    """Solana: if the blockhash expires before landing, re-sign only once the old one provably cannot land."""
    latest = [signed]

    def journal_new(new: SignedTx) -> None:
        old = latest[-1]
        signer.check_signed(adapter, new, replaces=old.txid)
        journal.set_state(old.network, old.txid, "dropped", f"blockhash expired; re-signed as {new.txid}")
        journal.record_signed(new, kind="resign", replaces=old.txid, **tags)
        signer.journalled(journal)
        latest.append(new)

    try:
        final, st = adapter.send_with_resign(signed, signer.resign_key(signed), timeout=timeout, on_signed=journal_new,
                                             commitment=commitment or "confirmed")
    except Unavailable as e:
        journal.set_state(latest[-1].network, latest[-1].txid, "unknown", english_of(e))
        raise
    journal.set_state(final.network, final.txid, st.state, st.detail)
    return _result(final, st.state, detail=st.detail)
