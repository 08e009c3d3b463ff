"""JSON-RPC over HTTP (chains.evm_http) with the node's failures mapped to the adapter's errors.

Raw JSON-RPC rather than web3, so that every node error keeps its exact message and revert data, nothing
is retried behind our back (a refused connection fails at once), and `wallet send` / `balance` do not
pay web3's ~800 ms import. Connection problems, timeouts, HTTP errors and replies that are not JSON-RPC
become Unavailable naming only scheme://host:port; RPC error objects become RpcError.
"""

from __future__ import annotations

import json
from typing import Any

from chains.errors import Unavailable
from chains.evm_http import HttpClient, HttpFailure
from chains.rpc_url import redact_url

__all__ = ["Rpc", "RpcError", "ok", "redact_url", "to_int"]   # redact_url re-exported for older imports


class RpcError(Exception):
    """The node answered with a JSON-RPC error object."""

    def __init__(self, method: str, code: int | None, message: str, data: Any = None) -> None:
        super().__init__(f"{method}: {message}")
        self.method = method
        self.code = code
        self.message = message
        self.data = data


class Rpc:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        if not url:
            raise Unavailable("no RPC URL is configured for this network")
        self.url = url
        self.timeout = timeout
        self._http: HttpClient | None = None
        self._next_id = 0

    @property
    def where(self) -> str:
        return redact_url(self.url)

    def _exchange(self, payload: Any) -> Any:
        """POST one JSON-RPC request or batch; the decoded JSON reply."""
        try:
            if self._http is None:
                self._http = HttpClient(self.url, self.timeout)
            body = self._http.post(json.dumps(payload, separators=(",", ":")).encode())
        except HttpFailure as e:
            raise self._unavailable(e) from None
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise Unavailable(f"the RPC at {self.where} answered something that is not JSON-RPC") from None

    def _unavailable(self, e: HttpFailure) -> Unavailable:
        if e.kind == "timeout":
            return Unavailable(f"the RPC at {self.where} did not answer within {self.timeout:g} s")
        if e.kind == "status":
            return Unavailable(f"the RPC at {self.where} answered HTTP {e.status}")
        if e.kind == "connect":
            if e.detail:
                return Unavailable(f"cannot connect to the RPC at {self.where} ({e.detail})")
            return Unavailable(f"cannot connect to the RPC at {self.where}")
        if e.kind == "tls":
            return Unavailable(f"cannot connect to the RPC at {self.where}: {e.detail}")
        return Unavailable(f"the RPC at {self.where} failed: {e.detail or e.kind}")

    def _request(self, method: str, params: list[Any]) -> dict[str, Any]:
        self._next_id += 1
        return {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}

    def call(self, method: str, *params: Any) -> Any:
        return self._result(method, self._exchange(self._request(method, list(params))))

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Several calls in one round trip; falls back to one by one if the node refuses batches.

        Each item is the result or, for a call the node answered with an error, an RpcError
        instance (returned, not raised) so the caller decides which failures matter.
        """
        requests = [self._request(m, list(p)) for m, p in calls]
        replies = self._exchange(requests)
        by_id: dict[Any, Any] = {}
        if isinstance(replies, list):  # a node may answer a batch in any order: match by id
            by_id = {r.get("id"): r for r in replies if isinstance(r, dict)}
        if len(by_id) != len(calls) or any(r["id"] not in by_id for r in requests):
            ordered = [self._exchange(r) for r in requests]
        else:
            ordered = [by_id[r["id"]] for r in requests]
        out: list[Any] = []
        for (m, _), r in zip(calls, ordered, strict=True):
            try:
                out.append(self._result(m, r))
            except RpcError as e:
                out.append(e)
        return out

    def _result(self, method: str, reply: Any) -> Any:
        if not isinstance(reply, dict):
            raise Unavailable(f"the RPC at {self.where} answered something that is not JSON-RPC")
        err = reply.get("error")
        if err:
            if isinstance(err, dict):
                raise RpcError(method, err.get("code"), str(err.get("message", "")), err.get("data"))
            raise RpcError(method, None, str(err))
        if "result" not in reply:
            raise Unavailable(f"the RPC at {self.where} answered {method} without a result")
        return reply["result"]


def ok(value: Any) -> Any:
    """Raise a batch item's RpcError; pass results through."""
    if isinstance(value, RpcError):
        raise value
    return value


def to_int(value: Any) -> int:
    """Quantities arrive as 0x-hex strings (or ints from some providers)."""
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 16) if value.startswith(("0x", "0X")) else int(value)
    raise Unavailable(f"the RPC returned {value!r} where a number was expected")
