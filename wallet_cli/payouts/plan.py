"""From file rows to a checked plan: addresses and amounts per network, row identity, duplicates, totals.

Row identity: the `id` column when given; otherwise (to, amount as a number, token) plus the row's position
among identical rows, so `1.50` and `1.5` are the same payment and two identical rows are two payments
(only with --allow-duplicates). For a row that names a contact, `to` there is the name as written: re-pointing
the contact makes a paid row a conflict, not a new row paid again. A row's fingerprint is everything that
decides what it pays; a row whose fingerprint changed after it was paid is a conflict, never a second payment.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chains.base import Amount, ChainAdapter, Network
from chains.errors import BadInput
from wallet_cli.payouts.csvfile import RawRow, literal
from wallet_i18n import N_, _

# The review's warnings, kept in English in the review (--dry-run --json prints it); `show.shown` translates them.
LOOKALIKE = N_("recipient {address} looks like another address ending {ending} that starts the same (possible "
               "address poisoning); check it character by character")
PAYS_ITSELF = N_("some rows pay the sending account itself")
WARNINGS = (LOOKALIKE, PAYS_ITSELF)


@dataclass(frozen=True)
class Asset:
    token: str | None                  # contract / mint, None for the native coin
    symbol: str
    decimals: int

    @property
    def label(self) -> str:
        return self.symbol if self.token is None else f"{self.symbol} ({self.token})"


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    seq: int                           # position in the file (0-based), the order of payment
    line: int
    to: str                            # normalised address
    amount: Amount
    asset: Asset
    memo: str | None
    id: str | None

    @property
    def fingerprint(self) -> str:
        raw = "\x1f".join([self.to, str(self.amount.value), self.asset.token or "", self.memo or ""])
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass
class Plan:
    network: Network
    sender: str
    rows: list[Row]
    assets: dict[Asset, int] = field(default_factory=dict)     # total base units per asset
    warnings: list[str] = field(default_factory=list)

    def largest(self, n: int = 5) -> list[Row]:
        return sorted(self.rows, key=lambda r: r.amount.to_decimal(), reverse=True)[:n]


class PlanProblems(BadInput):
    """Rows that fail validation; the message lists each by line number, one sentence each."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = sorted(problems)
        shown = "; ".join(_("line {line}: {problem}").format(line=ln, problem=literal(msg))
                          for ln, msg in self.problems[:50])
        if len(self.problems) > 50:
            text = _("the payout file has {count} invalid row(s), nothing was sent: {problems} (and {more} more)")
        else:
            text = _("the payout file has {count} invalid row(s), nothing was sent: {problems}")
        super().__init__(text.format(count=len(self.problems), problems=shown, more=len(self.problems) - 50))


def _sentence(e: Exception) -> str:
    return str(e).rstrip(".。")


def build(raw: list[RawRow], network: Network, adapter: ChainAdapter, sender: str, *,
          default_token: str | None, contact: Callable[[str], str | None], allow_duplicates: bool,
          known: set[str], problems: list[tuple[int, str]] | None = None) -> Plan:
    """Validate every row (collecting every problem) and return the plan; PlanProblems if any failed."""
    problems = list(problems or [])
    assets: dict[str, Asset] = {}
    rows: list[Row] = []
    counts: Counter[str] = Counter()
    addr_cache: dict[str, tuple[str, bool]] = {}
    for r in raw:
        try:
            to, named = addr_cache.get(r.to) or _recipient(r.to, network, adapter, contact)
            addr_cache[r.to] = (to, named)
            asset = _asset(r.token or default_token, network, adapter, assets)
            amount = Amount.parse(r.amount, asset.decimals, asset.symbol)
        except BadInput as e:
            problems.append((r.line, _sentence(e)))
            continue
        if r.id is not None:
            key = "id:" + r.id
        else:
            who = "contact:" + r.to if named else to
            base = hashlib.sha256("\x1f".join([who, str(amount.value), asset.token or ""]).encode()).hexdigest()
            key = f"auto:{base[:24]}#{counts[base]}"
            counts[base] += 1
        rows.append(Row(key, len(rows), r.line, to, amount, asset, r.memo, r.id))
    _check_identity(rows, problems, allow_duplicates)
    if problems:
        raise PlanProblems(problems)
    plan = Plan(network, sender, rows)
    for row in rows:
        plan.assets[row.asset] = plan.assets.get(row.asset, 0) + row.amount.value
    plan.warnings = lookalike_warnings(sorted({r.to for r in rows}), known)
    if any(r.to.lower() == sender.lower() for r in rows):
        plan.warnings.append(PAYS_ITSELF)
    return plan


def _recipient(text: str, network: Network, adapter: ChainAdapter,
               contact: Callable[[str], str | None]) -> tuple[str, bool]:
    """(address, named by a contact): an address as given; else a contact's (names never shadow addresses)."""
    try:
        return adapter.parse_address(text, network), False
    except BadInput:
        found = contact(text)
        if found is None:
            raise
        return adapter.parse_address(found, network), True


def _asset(token: str | None, network: Network, adapter: ChainAdapter, cache: dict[str, Asset]) -> Asset:
    k = (token or "").strip().upper()
    if k not in cache:
        if not token:
            cache[k] = Asset(None, network.symbol, network.decimals)
        else:
            if network.family == "btc":
                raise BadInput(_("Bitcoin has no tokens here; leave the token column empty"))
            address, symbol, decimals = adapter.token_info(token)
            cache[k] = Asset(address, symbol, decimals)
    return cache[k]


def _check_identity(rows: list[Row], problems: list[tuple[int, str]], allow_duplicates: bool) -> None:
    first: dict[str, Row] = {}
    exact: dict[tuple[str, str], Row] = {}
    for row in rows:
        if row.id is not None:
            if row.key in first:
                problems.append((row.line, _("repeats the id {id!r} of line {line}").format(
                    id=row.id, line=first[row.key].line)))
            first.setdefault(row.key, row)
            continue
        sig = (row.to, str(row.amount.value), row.asset.token or "", row.memo or "")   # a contact = its address
        if sig in exact and not allow_duplicates:
            problems.append((row.line, _("is an exact duplicate of line {line}; give each row an id, or pass "
                                         "--allow-duplicates if both payments are intended").format(
                line=exact[sig].line)))
        exact.setdefault(sig, row)


def _core(address: str) -> str:
    a = address[2:] if address[:2].lower() == "0x" else address
    return a.lower()


def lookalike_warnings(recipients: list[str], known: set[str]) -> list[str]:
    """Recipients that share the first and last 4 characters with another known or listed address."""
    index: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in set(known) | set(recipients):
        c = _core(a)
        index[(c[:4], c[-4:])].add(c)
    out = []
    for r in recipients:
        c = _core(r)
        similar = sorted(index[(c[:4], c[-4:])] - {c})
        if similar:
            out.append(LOOKALIKE.format(address=r, ending=similar[0][-4:]))
    return out


def review(plan: Plan, fees: dict[str, Any], todo: int, done: int) -> dict[str, Any]:
    """What the one confirmation screen (and --dry-run's JSON) shows."""
    return {
        "network": plan.network.name, "from": plan.sender, "rows": len(plan.rows), "to_pay": todo,
        "already_paid_or_in_flight": done, "recipients": len({r.to for r in plan.rows}),
        "totals": [{"asset": a.label, "symbol": a.symbol, "token": a.token,
                    "amount": Amount(v, a.decimals, a.symbol).plain()} for a, v in plan.assets.items()],
        "largest": [{"line": r.line, "to": r.to, "amount": r.amount.plain(), "symbol": r.amount.symbol}
                    for r in plan.largest()],
        "fees": fees, "warnings": list(plan.warnings),
    }
