"""EVM JSON-RPC over the shared transport (chains.transport), and quantity decoding.

Raw JSON-RPC rather than web3, so that every node error keeps its exact message and revert data, nothing
is retried behind our back (a refused connection fails at once), and `wallet send` / `balance` do not
pay web3's ~800 ms import. Connection problems, timeouts, HTTP errors and replies that are not JSON-RPC
become Unavailable naming only scheme://host:port; RPC error objects become RpcError.
"""

from __future__ import annotations

import re
from typing import Any

from chains.errors import Unavailable
from chains.transport import JsonRpc, RpcError, redact_url
from wallet_i18n import N_, _

__all__ = ["Rpc", "RpcError", "ok", "redact_url", "to_int"]


class Rpc(JsonRpc):
    """EVM JSON-RPC: errors stay RpcError (the caller maps revert data, nonce and fee errors)."""

    label = N_("the RPC")   # the transport's own words, marked here; translated where a message uses it


def ok(value: Any) -> Any:
    """Raise a batch item's RpcError; pass results through."""
    if isinstance(value, RpcError):
        raise value
    return value


def to_int(value: Any) -> int:
    """Quantities arrive as 0x-hex strings (or ints from some providers): non-negative, at most 256 bits.

    Anything else (a bool, "0xzz", "-1", 10**100) is the RPC answering garbage: Unavailable, not a crash.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**256:
        return value
    if isinstance(value, str) and re.fullmatch(r"0[xX][0-9a-fA-F]{1,64}|[0-9]{1,78}", value):
        n = int(value, 16) if value[:2] in ("0x", "0X") else int(value)
        if n < 2**256:
            return n
    shown = repr(value)
    raise Unavailable(_("the RPC returned {value} where a number was expected").format(
        value=shown[:40] + "…" if len(shown) > 40 else shown))


def remote_chain_id(url: str, timeout: float = 10.0) -> int:
    """The chain id the node at `url` reports (eth_chainId); Unavailable if it cannot say."""
    rpc = Rpc(url, timeout)
    try:
        return to_int(rpc.call("eth_chainId"))
    except RpcError as e:
        raise Unavailable(_("the RPC at {where} did not tell its chain id ({reason})").format(
            where=rpc.where, reason=e.message)) from None
    except ValueError:
        raise Unavailable(_("the RPC at {where} answered eth_chainId with something that is not a number").format(
            where=rpc.where)) from None
