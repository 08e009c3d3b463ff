"""The portfolio: every account's balances on several networks, fetched concurrently, and totals per asset.

Family-agnostic: each balance comes from `adapter.balance(account, token)`, so a family whose adapter
gains balances (TRON) shows up without changes here. A network that fails or runs out of time is
reported as failed; the others still count.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chains.base import Account, Amount, Network, get_adapter
from chains.errors import BadInput, ChainError, Unsupported
from wallet_i18n import _, message_of

PER_RPC = 4          # connections open at once to one network's RPC
MAX_THREADS = 16


@dataclass(frozen=True)
class Holding:
    account: str          # the account reference (evm:0, a label)
    address: str
    network: str
    asset: str            # the symbol totals group by
    amount: Amount
    token: str | None = None   # contract or mint; None for the native coin


@dataclass
class NetworkResult:
    name: str
    family: str
    accounts: int
    status: str = "ok"           # ok, failed, or unsupported (the family's adapter has no balances yet)
    error: str | None = None
    seconds: float = 0.0
    skipped: list[dict[str, str]] = field(default_factory=list)   # {account, reason}: e.g. no key for this network

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class Total:
    asset: str
    amount: Decimal
    parts: list[tuple[str, Decimal]] = field(default_factory=list)   # (network, amount)


@dataclass
class Portfolio:
    holdings: list[Holding]
    networks: list[NetworkResult]

    @property
    def failed(self) -> list[NetworkResult]:
        return [n for n in self.networks if n.status == "failed"]


def _one_account(adapter: Any, net: Network, acct: Account) -> list[Holding]:
    """Native coin, then each listed token, over one adapter (one connection). An adapter that can read
    them all at once (`balances_of`, EVM: one batch) does; any other answers `balance` per asset."""
    listed = sorted(net.tokens.items())
    if hasattr(adapter, "balances_of"):
        native, *amounts = adapter.balances_of(acct, [symbol for symbol, _spec in listed])
    else:
        native, amounts = adapter.balance(acct), [adapter.balance(acct, symbol) for symbol, _spec in listed]
    out = [Holding(acct.ref, acct.address, net.name, native.symbol, native)]
    for (symbol, spec), amt in zip(listed, amounts, strict=True):
        out.append(Holding(acct.ref, acct.address, net.name, symbol, amt, str(spec.get("address", ""))))
    return out


def fetch(accounts: list[Account], networks: list[Network], *, data_dir: str | None, timeout: float = 20.0,
          per_rpc: int = PER_RPC, on_done: Callable[[str], None] | None = None,
          make_adapter: Callable[[Network, str | None], Any] = get_adapter) -> Portfolio:
    """Balances of every account on every network of its family. `timeout` bounds each network."""
    results = {n.name: NetworkResult(n.name, n.family, sum(a.chain == n.family for a in accounts))
               for n in networks}
    gates = {n.name: threading.Semaphore(per_rpc) for n in networks}
    started = time.monotonic()
    finished: dict[str, float] = {}
    lock = threading.Lock()

    def task(net: Network, acct: Account) -> list[Holding]:
        with gates[net.name]:
            if not results[net.name].ok:      # the network already failed: don't ask it again
                return []
            adapter = make_adapter(net, data_dir)
            if hasattr(adapter, "timeout"):
                adapter.timeout = min(float(adapter.timeout), timeout)
            try:
                return _one_account(adapter, net, acct)
            except BadInput as e:
                if isinstance(e, Unsupported):
                    raise
                with lock:   # this account (or a listed token) cannot be read here; the network itself answered
                    results[net.name].skipped.append({"account": acct.ref, "reason": message_of(e)})
                return []

    jobs = [(n, a) for n in networks for a in accounts if a.chain == n.family]
    remaining = {n.name: results[n.name].accounts for n in networks}
    holdings: list[Holding] = []
    pool = ThreadPoolExecutor(max_workers=max(1, min(MAX_THREADS, len(jobs), per_rpc * len(networks))),
                              thread_name_prefix="portfolio")
    futures: dict[Future[list[Holding]], tuple[Network, Account]] = {pool.submit(task, n, a): (n, a)
                                                                     for n, a in jobs}
    pending = set(futures)
    try:
        while pending:
            left = timeout - (time.monotonic() - started)
            if left <= 0:
                break
            done, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
            for f in done:
                net, _acct = futures[f]
                res = results[net.name]
                try:
                    holdings.extend(f.result())
                except Unsupported as e:
                    _fail(res, lock, message_of(e), "unsupported")
                except ChainError as e:
                    _fail(res, lock, message_of(e))
                remaining[net.name] -= 1
                if remaining[net.name] == 0:
                    finished[net.name] = time.monotonic() - started
                    if on_done:
                        on_done(net.name)
        for f in pending:   # out of time: the network is failed, whatever it answered so far
            net, _acct = futures[f]
            _fail(results[net.name], lock, _("did not answer within {timeout:g} s").format(timeout=timeout))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    for r in results.values():
        r.seconds = round(finished.get(r.name, time.monotonic() - started), 3)
    failed = {r.name for r in results.values() if not r.ok}
    kept = [h for h in holdings if h.network not in failed]
    order = {n.name: i for i, n in enumerate(networks)}
    kept.sort(key=lambda h: (order[h.network], h.account, h.token is not None, h.asset))
    return Portfolio(kept, [results[n.name] for n in networks])


def _fail(res: NetworkResult, lock: threading.Lock, message: str, status: str = "failed") -> None:
    with lock:
        if res.ok:
            res.status, res.error = status, message


def choose_networks(names: list[str], all_networks: bool) -> list[Network]:
    """--network names, or every mainnet and custom network, or config [portfolio] networks, or each
    family's first mainnet (ethereum, bitcoin, solana, tron)."""
    from wallet_cli import config, netconf
    from wallet_cli.context import options
    from wallet_cli.errors import UsageError

    nets = netconf.all_networks()
    if names and all_networks:
        raise UsageError(_("--network and --all-networks exclude each other"))
    if names:
        return [netconf.network(n) for n in dict.fromkeys(names)]
    if all_networks:  # every mainnet, and the networks this home added
        custom = config.user_networks(options().home)
        return [n for n in nets.values() if n.kind == "mainnet" or n.name in custom]
    chosen = config.load(options().home).get("portfolio", {}).get("networks")
    if chosen:
        return [netconf.network(str(n)) for n in chosen]
    first: dict[str, Network] = {}   # each family's first mainnet: ethereum, bitcoin, solana, tron
    for n in nets.values():
        if n.kind == "mainnet":
            first.setdefault(n.family, n)
    return list(first.values())


def totals(holdings: list[Holding]) -> list[Total]:
    """One line per asset symbol across networks (USDT on Ethereum + BSC + TRON), with its parts."""
    by_asset: dict[str, Total] = {}
    for h in holdings:
        t = by_asset.setdefault(h.asset, Total(h.asset, Decimal(0)))
        value = h.amount.to_decimal()
        t.amount += value
        for i, (net, part) in enumerate(t.parts):
            if net == h.network:
                t.parts[i] = (net, part + value)
                break
        else:
            t.parts.append((h.network, value))
    return sorted(by_asset.values(), key=lambda t: t.asset)


def plain(d: Decimal) -> str:
    """A Decimal as a plain number, no exponent and no trailing zeros."""
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s
