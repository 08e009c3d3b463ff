"""The checks before a signature, shared by the in-process path and the agent: policy, journal, windows.

The journal's identity and high-water mark (its row count after our last signature) live in the vault's
authenticated payload. A journal with another identity (deleted and recreated) or fewer rows (an older
copy, a truncated file) is *stale*: rolling windows are then unknown and keyed sends refuse, until
`wallet journal reconcile` accepts the journal as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chains.base import Amount, SignedTx, UnsignedTx
from wallet_cli import policy as pol
from wallet_cli.errors import Refused
from wallet_cli.journal import Journal


class JournalStale(Refused):
    """The journal is not the one this vault last wrote to (exit 4)."""


def load_policy(uv: Any) -> pol.Policy | None:
    raw = uv.secrets.policy
    return None if raw is None else pol.from_dict(raw)


def journal_trusted(journal: Journal, uv: Any) -> bool:
    mark = uv.secrets.journal
    if mark is None:
        return True  # no signature journalled since marks began: nothing to compare with
    return journal.identity() == mark.get("id") and journal.count() >= int(mark.get("count", 0))


def stale_message(journal: Journal) -> str:
    return (f"the journal {journal.path} is missing rows this vault has seen (deleted, truncated or an older "
            "copy), so earlier transfers are unknown; check them on the chain, then run "
            "'wallet journal reconcile'")


def past_of(e: Any) -> pol.Past:
    payload = e.signed.payload if isinstance(e.signed.payload, dict) else {}
    token, chain = payload.get("token"), payload.get("chain")
    return pol.Past(e.txid, e.created, e.network, e.family, e.symbol, token if isinstance(token, str) else None,
                    e.amount, e.state, chain=chain if isinstance(chain, str) else None)


@dataclass
class Ledger:
    """What this process (the agent) signed itself: counted whatever the journal says later."""

    entries: dict[str, pol.Past] = field(default_factory=dict)

    def window(self, journal: Journal, now: float) -> list[pol.Past]:
        rows = [past_of(e) for e in journal.since(now - pol.WEEK) if e.txid not in self.entries]
        mine = [p for p in self.entries.values() if p.created > now - pol.WEEK]
        return rows + mine


def check_spend(uv: Any, spend: pol.Spend, journal: Journal, *, keyed: bool, ledger: Ledger | None = None,
                now: float | None = None) -> None:
    import time

    now = time.time() if now is None else now
    trusted = journal_trusted(journal, uv)
    if keyed and not trusted:
        raise JournalStale(stale_message(journal))
    if not trusted:
        from wallet_cli import output

        output.warn(stale_message(journal))  # never silent; rolling limits below refuse
    policy = load_policy(uv)
    if policy is None:
        return
    window = (ledger or Ledger()).window(journal, now) if trusted else None
    pol.check(policy, spend, window, now)


def check_run(uv: Any, spends: list[pol.Spend], journal: Journal, *, ledger: Ledger | None = None) -> None:
    """A batch (pay) before anything is signed: each transaction in turn, counting the run's earlier ones."""
    import time

    now = time.time()
    run = Ledger(dict((ledger or Ledger()).entries))
    for i, spend in enumerate(spends):
        check_spend(uv, spend, journal, keyed=False, ledger=run, now=now)
        run.entries[f"run:{i}"] = pol.Past(f"run:{i}", now, spend.network, spend.family, None, spend.token,
                                           None, "signed", units=spend.total, chain=spend.chain)


def check_review(unsigned: UnsignedTx, spend: pol.Spend) -> None:
    """The review showed unsigned.recipient and unsigned.amount: they must be what is signed."""
    if spend.contract_call or not spend.outputs or unsigned.family == "btc":
        return  # btc: the PSBT outputs are the review; a call is refused by any policy
    to, total = spend.outputs[0][0], spend.total
    same_to = to.lower() == unsigned.recipient.lower() if to.startswith("0x") else to == unsigned.recipient
    if not same_to or total != unsigned.amount.value:
        raise Refused(f"the transaction pays {total} base units to {to}, but its review says "
                      f"{unsigned.amount.value} to {unsigned.recipient}; refusing to sign it")


def stamp(signed: SignedTx, unsigned: UnsignedTx, spend: pol.Spend, uv: Any) -> None:
    """Journal what was decoded, in the decimals the policy reads it back with, not what a client claimed."""
    if spend.contract_call or not spend.outputs:
        return
    decimals = unsigned.amount.decimals
    policy = load_policy(uv)
    for rule in policy.rules if policy else ():
        target = pol.target_of(rule, spend)  # the same matching the check used
        if target is not None:
            decimals = target[3]
            break
    else:
        if spend.token is None:
            decimals = pol.NATIVE_DECIMALS.get(spend.family, decimals)
    signed.amount = Amount(spend.total, decimals, unsigned.amount.symbol)
    signed.recipient = spend.outputs[0][0] if len(spend.outputs) == 1 else unsigned.recipient
    signed.payload = {**signed.payload, "chain": spend.chain}  # the window matches by chain, not by name
    if spend.token is not None:
        signed.payload = {**signed.payload, "token": spend.token}


def advance_mark(home: Path, name: str, uv: Any, journal: Journal) -> Any:
    """Raise the vault's high-water mark to the journal's count (one payload re-seal, no KDF)."""
    from keystore import vault

    mark = {"id": journal.identity(), "count": journal.count()}
    if uv.secrets.journal == mark:
        return uv

    def mutate(fresh: Any) -> None:
        old = fresh.secrets.journal
        if old is None or old.get("id") != mark["id"] or int(old.get("count", 0)) < mark["count"]:
            fresh.secrets.journal = mark

    return vault.reseal(home, name, uv, mutate)


def accept_journal(home: Path, name: str, uv: Any, journal: Journal) -> Any:
    """`wallet journal reconcile`: the user has checked the chain and accepts the journal as it is."""
    from keystore import vault

    mark = {"id": journal.identity(), "count": journal.count()}

    def mutate(fresh: Any) -> None:
        fresh.secrets.journal = mark

    return vault.reseal(home, name, uv, mutate)
