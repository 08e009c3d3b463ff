"""The checks before a signature, shared by the in-process path and the agent: policy, journal, windows.

The journal's identity and high-water mark (its row count after our last signature) live in the vault's
authenticated payload. A journal with another identity (deleted and recreated) or fewer rows (an older
copy, a truncated file) is *stale*: rolling windows are then unknown and keyed sends refuse, until
`wallet journal reconcile` accepts the journal as it is.

A row count cannot see rows edited in place (marked dropped, aged, zeroed, renamed), so each signature's
spend (txid, time, chain, token, base units, what it replaces) is also recorded beside the mark, for 7
days: the windows count those whatever the journal says, except one a recorded replacement superseded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chains.base import Amount, SignedTx, UnsignedTx
from wallet_cli import policy as pol
from wallet_cli.errors import Refused
from wallet_cli.journal import Journal
from wallet_i18n import _


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
    return _("the journal {path} is missing rows this vault has seen (deleted, truncated or an older copy), so "
             "earlier transfers are unknown; check them on the chain, then run 'wallet journal reconcile'").format(
        path=journal.path)


def past_of(e: Any) -> pol.Past:
    payload = e.signed.payload if isinstance(e.signed.payload, dict) else {}
    token, chain = payload.get("token"), payload.get("chain")
    return pol.Past(e.txid, e.created, e.network, e.family, e.symbol, token if isinstance(token, str) else None,
                    e.amount, e.state, chain=chain if isinstance(chain, str) else None)


def recorded(uv: Any) -> list[pol.Past]:
    """The spends the vault's authenticated payload recorded (the last 7 days of signatures)."""
    out = []
    for r in (uv.secrets.journal or {}).get("spends") or []:
        out.append(pol.Past(str(r["txid"]), float(r["t"]), str(r["network"]), str(r["family"]), None, r.get("token"),
                            None, "signed", units=int(r["units"]), chain=r.get("chain"), replaces=r.get("replaces")))
    return out


def _record(p: pol.Past) -> dict[str, Any]:
    import math

    return {"txid": p.txid, "t": math.ceil(p.created), "network": p.network, "family": p.family, "token": p.token,
            "units": str(p.units or 0), "chain": p.chain, "replaces": p.replaces}


@dataclass
class Ledger:
    """What this process (the agent) signed itself: counted whatever the journal says later."""

    entries: dict[str, pol.Past] = field(default_factory=dict)

    def window(self, journal: Journal, now: float, uv: Any = None) -> list[pol.Past]:
        """Journal rows, overridden by the vault's records, overridden by this process's own."""
        by_txid = {e.txid: past_of(e) for e in journal.since(now - pol.WEEK)}
        for p in (recorded(uv) if uv is not None else []):
            by_txid[p.txid] = p
        by_txid.update(self.entries)
        superseded = {p.replaces for p in by_txid.values() if p.replaces and p.units is not None}
        return [p for t, p in by_txid.items() if t not in superseded and p.created > now - pol.WEEK]


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
    window = (ledger or Ledger()).window(journal, now, uv) if trusted else None
    pol.check(policy, spend, window, now)


def check_run(uv: Any, spends: list[pol.Spend], journal: Journal, *, ledger: Ledger | None = None) -> None:
    """A batch (pay) before anything is signed: each transaction in turn, counting the run's earlier ones.

    Keyed, like a send with an idempotency key: a run pays each row once only because the journal says which
    rows were paid, so a stale journal (an older copy, or deleted) refuses it instead of paying them again."""
    import time

    now = time.time()
    run = Ledger(dict((ledger or Ledger()).entries))
    for i, spend in enumerate(spends):
        check_spend(uv, spend, journal, keyed=True, ledger=run, now=now)
        run.entries[f"run:{i}"] = pol.Past(f"run:{i}", now, spend.network, spend.family, None, spend.token,
                                           None, "signed", units=spend.total, chain=spend.chain)


def check_review(unsigned: UnsignedTx, spend: pol.Spend) -> None:
    """The review showed unsigned.recipient and unsigned.amount: they must be what is signed."""
    if spend.contract_call or not spend.outputs or unsigned.family == "btc":
        return  # btc: the PSBT outputs are the review; a call is refused by any policy
    to, total = spend.outputs[0][0], spend.total
    same_to = to.lower() == unsigned.recipient.lower() if to.startswith("0x") else to == unsigned.recipient
    if not same_to or total != unsigned.amount.value:
        raise Refused(_("the transaction pays {total} base units to {to}, but its review says {reviewed} to "
                        "{reviewed_to}; refusing to sign it").format(total=total, to=to, reviewed=unsigned.amount.value,
                                                                     reviewed_to=unsigned.recipient))


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


def advance_mark(home: Path, name: str, uv: Any, journal: Journal, spend: pol.Past | None = None) -> Any:
    """Record `spend` and, when the journal is trusted, raise the vault's high-water mark to the journal's
    count (one payload re-seal, no KDF)."""
    import time

    from keystore import vault

    trusted = journal_trusted(journal, uv)
    mark = {"id": journal.identity(), "count": journal.count()}
    have = uv.secrets.journal or {}
    if spend is None and (not trusted or {"id": have.get("id"), "count": have.get("count")} == mark):
        return uv
    cutoff = time.time() - pol.WEEK

    def mutate(fresh: Any) -> None:
        old = dict(fresh.secrets.journal or {})
        spends = [r for r in old.get("spends") or [] if float(r["t"]) > cutoff]
        if spend is not None:
            spends.append(_record(spend))
        if trusted and (not old or old.get("id") != mark["id"] or int(old.get("count", 0)) < mark["count"]):
            old.update(mark)
        if spends:
            old["spends"] = spends
        else:
            old.pop("spends", None)
        fresh.secrets.journal = old or None

    return vault.reseal(home, name, uv, mutate)


def accept_journal(home: Path, name: str, uv: Any, journal: Journal) -> Any:
    """`wallet journal reconcile`: the user has checked the chain and accepts the journal as it is."""
    from keystore import vault

    mark = {"id": journal.identity(), "count": journal.count()}

    def mutate(fresh: Any) -> None:
        spends = (fresh.secrets.journal or {}).get("spends")  # what was signed stays counted
        fresh.secrets.journal = {**mark, "spends": spends} if spends else mark

    return vault.reseal(home, name, uv, mutate)
