"""Shared helpers for the Solana tests: raw RPC reads that bypass the adapter under test."""

from __future__ import annotations

import base64
import struct
from typing import Any

from chains.base import Amount, Network, Transfer
from chains.solana.rpc import SolanaRpc

LAMPORTS_PER_SOL = 10**9
RENT_EXEMPT_0 = 890_880          # mainnet rent-exempt minimum for a 0-byte account (lamports)
RENT_TOKEN_ACCOUNT = 2_039_280   # mainnet rent-exempt minimum for a 165-byte SPL token account


def rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    return SolanaRpc(url).call(method, params or [])


def lamports(url: str, address: str) -> int:
    return int(rpc(url, "getBalance", [address])["value"])


def token_amount(url: str, token_account: str) -> int:
    """Read the amount field (bytes 64..72 of the SPL account layout) straight from the account."""
    info = rpc(url, "getAccountInfo", [token_account, {"encoding": "base64"}])["value"]
    if info is None:
        return 0
    return struct.unpack_from("<Q", base64.b64decode(info["data"][0]), 64)[0]


def sol_transfer(network: Network, sender: Any, recipient: str, amount: str, **kw: Any) -> Transfer:
    return Transfer(network, sender.account, recipient, Amount.parse(amount, 9, "SOL"), **kw)
