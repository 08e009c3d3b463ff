"""The few Esplora calls made directly (short timeouts): fee estimates, broadcast, status, tip height.

Wallet sync goes through BDK's own Esplora client (wallet.py); these are the calls where we want our own
error sentences and idempotency rules.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from typing import Any

from chains.errors import TxRejected, Unavailable
from chains.rpc_url import redact_url

TIMEOUT = 10.0


class NodeError(Exception):
    """A 4xx answer: the node understood and said no (status and text kept)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


class Esplora:
    def __init__(self, url: str) -> None:
        self.where = redact_url(url)     # the only form of the URL any message may contain
        if not url.startswith(("http://", "https://")):
            raise Unavailable(f"the Bitcoin node URL {self.where} is not an http(s) URL")
        self.url = url.rstrip("/")

    def _request(self, path: str, data: bytes | None = None) -> bytes:
        req = urllib.request.Request(self.url + path, data=data, method="POST" if data is not None else "GET",  # noqa: S310
                                     headers={"Content-Type": "text/plain"} if data is not None else {})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 - scheme checked
                return resp.read()
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace").strip()
            if 400 <= e.code < 500:
                raise NodeError(e.code, text) from None
            raise Unavailable(f"the Bitcoin node at {self.where} answered HTTP {e.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise Unavailable(f"the Bitcoin node at {self.where} is unreachable ({reason})") from None
        except (ValueError, http.client.HTTPException) as e:
            # InvalidURL and friends quote the URL (a password after a stray ':'): name the class only.
            raise Unavailable(f"the Bitcoin node at {self.where} is unreachable ({type(e).__name__})") from None

    def get_json(self, path: str) -> Any:
        body = self._request(path)
        try:
            return json.loads(body)
        except ValueError:
            raise Unavailable(f"the Bitcoin node at {self.where} answered {path} with something not JSON") from None

    def tip_height(self) -> int:
        try:
            return int(self._request("/blocks/tip/height"))
        except ValueError:
            raise Unavailable(f"the Bitcoin node at {self.where} gave a malformed tip height") from None

    def fee_estimates(self) -> dict[int, float]:
        raw = self.get_json("/fee-estimates")
        if not isinstance(raw, dict):
            raise Unavailable(f"the Bitcoin node at {self.where} gave malformed fee estimates")
        try:
            return {int(k): float(v) for k, v in raw.items()}
        except (TypeError, ValueError):
            raise Unavailable(f"the Bitcoin node at {self.where} gave malformed fee estimates") from None

    def tx_status(self, txid: str) -> dict[str, Any] | None:
        try:
            return self.get_json(f"/tx/{txid}/status")
        except NodeError as e:
            if e.status in (400, 404):
                return None
            raise

    def broadcast(self, raw_hex: str, txid: str) -> str:
        """POST /tx; a transaction the node already has (mempool or chain) counts as success."""
        try:
            answer = self._request("/tx", raw_hex.encode()).decode().strip()
        except NodeError as e:
            if self.tx_status(txid) is not None:
                return txid
            raise TxRejected(f"the node rejected the transaction: {e.text[:300]}") from None
        return answer or txid
