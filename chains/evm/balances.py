"""The native coin and several tokens of one account in a single JSON-RPC batch (the portfolio's read)."""

from __future__ import annotations

from typing import Any

from chains.base import Account, Amount
from chains.evm.address import checksum
from chains.evm.rpc import ok, to_int
from chains.evm.tokens import balance_of_data, decode_uint


def balances_of(adapter: Any, account: Account, tokens: list[str]) -> list[Amount]:
    """[native, token…] in `tokens` order; each token's decimals and symbol read from its contract, as
    `balance` does, but all in one round trip."""
    from chains.evm import _rpc_errors

    address = checksum(account.address)
    contracts = [adapter._resolve_token(t) for t in tokens]
    calls: list[tuple[str, list[Any]]] = [("eth_getBalance", [address, "latest"])]
    for c in contracts:
        calls += adapter._token_calls(c) + [("eth_call", [{"to": c, "data": balance_of_data(address)}, "latest"])]
    with _rpc_errors(adapter.rpc.where):
        replies = adapter.rpc.batch(calls)
        out = [adapter._native(to_int(ok(replies[0])))]
        for i, c in enumerate(contracts):
            part = replies[1 + 4 * i:5 + 4 * i]
            symbol, decimals = adapter._token_facts(c, part[:3])
            out.append(Amount(decode_uint(ok(part[3])), decimals, symbol))
    return out
