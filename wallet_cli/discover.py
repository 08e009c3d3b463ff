"""`restore --discover`: find the accounts a restored seed has used, scanning each family's network with
a gap limit (stop after `gap` unused accounts in a row), before the vault is written."""

from __future__ import annotations

from typing import Any

from chains.base import Account, Network
from wallet_i18n import _

DISCOVERABLE = ("evm", "sol", "btc")   # TRON has no balances here yet
MAX_ACCOUNTS = 200


def used(adapter: Any, account: Account) -> bool:
    """Whether the chain shows any activity of the account (a transaction or a balance)."""
    fam = adapter.network.family
    if fam == "evm":
        from chains.evm.rpc import to_int

        if to_int(adapter.rpc.call("eth_getTransactionCount", account.address, "latest")) > 0:
            return True
        return adapter.balance(account).value > 0
    if fam == "sol":
        if adapter.rpc.call("getSignaturesForAddress", [account.address, {"limit": 1}]):
            return True
        return adapter.balance(account).value > 0
    if fam == "btc":
        ow = adapter._open(account, sync=True, full=True)   # a full scan (stop gap 20) of its addresses
        return len(ow.wallet.transactions()) > 0
    return False


def discover(seed: bytes, entries: list[dict[str, Any]], networks: list[Network], gap: int,
             make_adapter: Any, on_note: Any = None) -> list[dict[str, Any]]:
    """New index entries up to the last used account on each network (contiguous indices)."""
    from wallet_cli import accounts

    added: list[dict[str, Any]] = []
    for net in networks:
        if net.family not in DISCOVERABLE:
            continue
        adapter = make_adapter(net)
        have = [e for e in entries + added if e["chain"] == net.family]
        start = accounts.next_index(have, net.family)
        last_used, misses, i = start - 1, 0, start
        while misses < gap and i < MAX_ACCOUNTS:
            entry = accounts.hd_entry(seed, net.family, i)
            if used(adapter, accounts.to_account(entry)):
                last_used, misses = i, 0
            else:
                misses += 1
            i += 1
        for k in range(start, last_used + 1):
            added.append(accounts.hd_entry(seed, net.family, k))
        if on_note:
            found = last_used - start + 1
            scanned = {"network": net.name, "family": net.family, "first": start, "last": i - 1, "gap": gap}
            if found:
                on_note(_("{network}: found {found} more used account(s) (scanned {family}:{first}..{last}, "
                          "gap {gap})").format(found=found, **scanned))
            else:
                on_note(_("{network}: no more used accounts (scanned {family}:{first}..{last}, gap {gap})").format(
                    **scanned))
    return added
