"""JSON-RPC 2.0 over the shared HTTP client: ids checked on every reply, batches matched by id, and
malformed or absurdly deep JSON refused with one sentence. Transport failures become Unavailable."""

from __future__ import annotations

import json
import re
from typing import Any

from chains.errors import Unavailable
from chains.transport.http import CONNECT, REDIRECT, STATUS, TIMEOUT, TLS, HttpClient, HttpFailure, redact_url
from wallet_i18n import N_, _, translated

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_INNERMOST = re.compile(rb"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")
MAX_DEPTH = 64      # replies nest a handful of levels; the C decoder can overflow the stack on deep input


def _too_deep(body: bytes) -> bool:
    """Whether brackets nest deeper than MAX_DEPTH, checked before decoding (each pass peels one level)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return False
    s = _JSON_STRING.sub(b"", body)
    for _pass in range(MAX_DEPTH):
        s, n = _JSON_INNERMOST.subn(b"", s)
        if not n:
            return False
    return b"[" in s or b"{" in s


def loads(body: bytes) -> Any:
    """Decode a JSON reply; ValueError for anything that is not JSON (including absurdly deep nesting)."""
    if _too_deep(body):
        raise ValueError("nested too deeply")  # i18n: not shown
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("nested too deeply") from None  # i18n: not shown
    except UnicodeDecodeError as e:
        raise ValueError("not UTF-8") from e  # i18n: not shown


def node_text(text: str) -> str:
    """The node's words as one line of inert text: control, format (bidi) and other non-printable characters
    escaped, since the message is shown inside our own sentence (it may not add a line or drive the terminal)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class RpcError(Exception):
    """The node answered with a JSON-RPC error object (it understood, and said no)."""

    def __init__(self, method: str, code: int | None, message: str, data: Any = None) -> None:
        super().__init__(f"{method}: {message}")
        self.method = method
        self.code = code
        self.message = message
        self.data = data


class JsonRpc:
    """JSON-RPC 2.0 over one HttpClient. Transport failures and malformed replies become Unavailable."""

    label = N_("the RPC")   # a family marks its own label with N_(); messages show translated(label)

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        if not url:
            raise Unavailable(_("no RPC URL is configured for this network ({label})").format(
                label=translated(self.label)))
        self.url = url
        self.timeout = timeout
        self.where = redact_url(url)     # the only form of the URL any message may contain
        self._http: HttpClient | None = None
        self._next_id = 0

    def rpc_error(self, method: str, code: int | None, message: str, data: Any) -> Exception:
        """The exception for an error object; families may map codes to their own errors."""
        return RpcError(method, code, message, data)

    def call(self, method: str, *params: Any) -> Any:
        request = self._request(method, list(params))
        result, error = self._parse(method, self._exchange(request), request["id"])
        if error is not None:
            raise error
        return result

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Several calls in one round trip; falls back to one by one if the node refuses batches.

        Each item is the result or, for a call the node answered with an error, the rpc_error
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
        for (m, _params), req, reply in zip(calls, requests, ordered, strict=True):
            result, error = self._parse(m, reply, req["id"])
            out.append(result if error is None else error)
        return out

    def _request(self, method: str, params: list[Any]) -> dict[str, Any]:
        self._next_id += 1
        return {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}

    def _exchange(self, payload: Any) -> Any:
        """POST one JSON-RPC request or batch; the decoded JSON reply."""
        try:
            if self._http is None:
                self._http = HttpClient(self.url, self.timeout)
            body = self._http.post(json.dumps(payload, separators=(",", ":")).encode())
        except HttpFailure as e:
            raise unavailable(self.label, self.where, self.timeout, e) from None
        try:
            return loads(body)
        except ValueError:
            raise Unavailable(_("{label} at {where} answered something that is not JSON-RPC").format(
                label=translated(self.label), where=self.where)) from None

    def _parse(self, method: str, reply: Any, rid: int) -> tuple[Any, Exception | None]:
        """(result, None), or (None, the rpc_error) for an error object; Unavailable if malformed."""
        if not isinstance(reply, dict):
            raise Unavailable(_("{label} at {where} answered something that is not JSON-RPC").format(
                label=translated(self.label), where=self.where))
        # JSON-RPC 2.0 lets an error about an unparsable request carry id null; anything else must echo ours.
        if reply.get("id") != rid and not (reply.get("id") is None and reply.get("error") is not None):
            raise Unavailable(_("{label} at {where} answered {method} with the reply to another request "
                                "(its id differs)").format(label=translated(self.label), where=self.where,
                                                           method=method))
        err = reply.get("error")
        if err is not None:
            if not isinstance(err, dict):
                raise Unavailable(_("{label} at {where} answered {method} with a malformed error").format(
                    label=translated(self.label), where=self.where, method=method))
            code = err.get("code")
            if code is not None and (isinstance(code, bool) or not isinstance(code, int)):
                raise Unavailable(_("{label} at {where} answered {method} with a malformed error code").format(
                    label=translated(self.label), where=self.where, method=method))
            return None, self.rpc_error(method, code, node_text(str(err.get("message", ""))[:500]), err.get("data"))
        if "result" not in reply:
            raise Unavailable(_("{label} at {where} answered {method} without a result").format(
                label=translated(self.label), where=self.where, method=method))
        return reply["result"], None


def unavailable(label: str, where: str, timeout: float, e: HttpFailure) -> Unavailable:
    """One sentence for a transport failure, naming only scheme://host:port. `label` is a message id marked
    with N_() by its owner (or already translated): it is shown translated; e.kind stays English."""
    name = translated(label)
    if e.kind == TIMEOUT:
        return Unavailable(_("{label} at {where} did not answer within {seconds} s").format(
            label=name, where=where, seconds=f"{timeout:g}"))
    if e.kind == STATUS:
        return Unavailable(_("{label} at {where} answered HTTP {status}").format(
            label=name, where=where, status=e.status))
    if e.kind == REDIRECT:
        return Unavailable(_("{label} at {where} answered with a redirect (HTTP {status}), which is not followed")
                           .format(label=name, where=where, status=e.status))
    if e.kind == CONNECT:
        if e.detail:
            return Unavailable(_("cannot connect to {label} at {where} ({reason})").format(
                label=name, where=where, reason=e.detail))
        return Unavailable(_("cannot connect to {label} at {where}").format(label=name, where=where))
    if e.kind == TLS:
        return Unavailable(_("cannot connect to {label} at {where}: {reason}").format(
            label=name, where=where, reason=e.detail))
    return Unavailable(_("{label} at {where} failed: {reason}").format(label=name, where=where,
                                                                        reason=e.detail or e.kind))
