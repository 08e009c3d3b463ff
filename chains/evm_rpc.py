"""A thin JSON-RPC client over web3.py's HTTPProvider that maps failures to the adapter's errors.

We talk raw JSON-RPC (provider.make_request) rather than through web3's middleware so that every
node error keeps its exact message and revert data, and so that nothing is retried behind our back:
web3's default retries a refused connection five times with back-off, which would make "RPC down"
slow. Connection problems and timeouts become Unavailable; RPC error objects become RpcError.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from chains.errors import Unavailable


class RpcError(Exception):
    """The node answered with a JSON-RPC error object."""

    def __init__(self, method: str, code: int | None, message: str, data: Any = None) -> None:
        super().__init__(f"{method}: {message}")
        self.method = method
        self.code = code
        self.message = message
        self.data = data


def redact_url(url: str) -> str:
    """scheme://host[:port] only: RPC URLs often carry an API key in the path or query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else url[:40]


class Rpc:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        if not url:
            raise Unavailable("no RPC URL is configured for this network")
        self.url = url
        self.timeout = timeout
        self._provider: Any = None

    @property
    def where(self) -> str:
        return redact_url(self.url)

    def _get_provider(self) -> Any:
        if self._provider is None:
            from web3 import HTTPProvider

            self._provider = HTTPProvider(self.url, request_kwargs={"timeout": self.timeout},
                                          exception_retry_configuration=None)
        return self._provider

    def _transport(self, fn: Any, *args: Any) -> Any:
        import requests

        try:
            return fn(*args)
        except requests.Timeout:
            raise Unavailable(f"the RPC at {self.where} did not answer within {self.timeout:g} s") from None
        except requests.ConnectionError:
            raise Unavailable(f"cannot connect to the RPC at {self.where}") from None
        except requests.HTTPError as e:
            code = e.response.status_code if e.response is not None else "?"
            raise Unavailable(f"the RPC at {self.where} answered HTTP {code}") from None
        except requests.RequestException as e:
            raise Unavailable(f"the RPC at {self.where} failed: {type(e).__name__}") from None
        except (ValueError, TypeError, UnicodeDecodeError):
            # web3 raises these (or subclasses) when the body is not JSON-RPC.
            raise Unavailable(f"the RPC at {self.where} answered something that is not JSON-RPC") from None

    def call(self, method: str, *params: Any) -> Any:
        reply = self._transport(self._get_provider().make_request, method, list(params))
        return self._result(method, reply)

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Several calls in one round trip; falls back to one by one if the node refuses batches.

        Each item is the result or, for a call the node answered with an error, an RpcError
        instance (returned, not raised) so the caller decides which failures matter.
        """
        provider = self._get_provider()
        replies = self._transport(provider.make_batch_request, calls)
        if not isinstance(replies, list) or len(replies) != len(calls):
            replies = [self._transport(provider.make_request, m, p) for m, p in calls]
        out: list[Any] = []
        for (m, _), r in zip(calls, replies, strict=True):
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
