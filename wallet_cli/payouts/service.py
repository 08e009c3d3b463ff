"""Wiring a payout: file -> plan -> family driver -> engine. The pay command calls only this and `show`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chains.base import ChainAdapter, FeeOptions, Network, Signer
from wallet_cli import accounts
from wallet_cli.errors import UsageError
from wallet_cli.journal import Journal
from wallet_cli.payouts import csvfile
from wallet_cli.payouts import plan as plan_mod
from wallet_cli.payouts.plan import Plan, Row
from wallet_cli.payouts.runs import Runs
from wallet_i18n import _


def run_name(path: str, run: str | None) -> str:
    name = run if run is not None else ("stdin" if path == "-" else Path(path).stem)
    name = name.strip()
    if not name or len(name) > 100 or any(ord(c) < 0x20 for c in name):
        raise UsageError(_("the run name must be 1 to 100 printable characters; pass --run NAME"))
    return name


def load_plan(path: str, network: Network, entry: dict[str, Any], adapter: ChainAdapter, journal: Journal, *,
              token: str | None, allow_duplicates: bool) -> Plan:
    if entry["chain"] != network.family:
        raise UsageError(_("{account} is a {chain} account but {network} is a {family} network").format(
            account=accounts.to_account(entry).ref, chain=entry["chain"], network=network.name,
            family=network.family))
    if network.family == "tron":
        raise UsageError(_("payouts on TRON are not available yet"))
    try:
        parsed = csvfile.load(path)
    except csvfile.FileProblem as e:
        raise UsageError(str(e)) from None
    known = journal.known_recipients(network.family)
    return plan_mod.build(parsed.rows, network, adapter, entry["address"], default_token=token,
                          contact=lambda name: journal.contact(name, network.family), known=known,
                          allow_duplicates=allow_duplicates, problems=parsed.problems)


def driver_for(network: Network, entry: dict[str, Any], adapter: ChainAdapter, fees: FeeOptions, *,
               max_outputs: int = 500, chunk: int | None = None) -> Any:
    if network.family == "evm":
        from wallet_cli.payouts.evm import EvmPayout

        return EvmPayout(network, entry["address"], fees, chunk=chunk or 250)
    if network.family == "btc":
        from wallet_cli.payouts.btc import BtcPayout

        return BtcPayout(network, accounts.to_account(entry), adapter, fees, max_outputs=max_outputs)
    if network.family == "sol":
        from wallet_cli.payouts.sol import SolPayout

        return SolPayout(network, entry["address"], adapter, fees, chunk=chunk or 8)
    raise UsageError(_("payouts are not available on {family} networks").format(family=network.family))


def signer(entry: dict[str, Any], network: Network, review: dict[str, Any], groups: list[list[Row]]) -> Signer:
    """The one place a payout obtains its key: the signing choke point, which checks the spending policy
    against every transaction of the run (`groups`: the rows each one pays) before handing it out."""
    from wallet_cli.decode import chain_key
    from wallet_cli.policy import Spend
    from wallet_cli.signing import AccountSigner

    chain = chain_key(network)
    spends = [Spend(chain, network.name, network.family, g[0].asset.token, tuple((r.to, r.amount.value) for r in g),
                    sender=entry["address"]) for g in groups]
    return AccountSigner(entry, network).payout_key(review, spends)


def journalled(entry: dict[str, Any], network: Network, journal: Journal) -> None:
    """After a run journalled transactions: raise the vault's journal high-water mark."""
    from wallet_cli.signing import AccountSigner

    AccountSigner(entry, network).journalled(journal)


def runs_of(journal: Journal) -> Runs:
    return Runs(journal.db)
