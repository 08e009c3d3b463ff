"""The few Esplora calls made directly (short timeouts): fee estimates, broadcast, status, tip height.

Wallet sync goes through BDK's own Esplora client (wallet.py); these are the calls where we want our own
error sentences and idempotency rules.
"""

from __future__ import annotations

from typing import Any

from chains.errors import CannotLand, TxRejected, Unavailable
from chains.transport import HttpClient, HttpFailure, loads, redact_url, unavailable
from wallet_i18n import N_, _

TIMEOUT = 10.0


class NodeError(Unavailable):
    """A 4xx answer: the node understood and said no (status and text kept). Where no caller gives it a
    meaning (a broadcast refusal, an unknown txid), it is one sentence and exit 5, like any bad answer."""

    def __init__(self, status: int, text: str, where: str = "", path: str = "") -> None:
        from chains.transport.jsonrpc import node_text

        super().__init__(_("the Bitcoin node at {where} answered {path} with HTTP {status}").format(
            where=where, path=path.split("?")[0][:80], status=status))
        text = node_text(text)   # the node's words, shown inside our sentences: one inert line
        self.status = status
        self.text = text


class Esplora:
    """GET and POST against an Esplora base URL over the shared transport (deadline, size cap, no redirects)."""

    label = N_("the Bitcoin node")   # translated where a message uses it

    def __init__(self, url: str) -> None:
        self.where = redact_url(url)     # the only form of the URL any message may contain
        if not url.startswith(("http://", "https://")):
            raise Unavailable(_('the Bitcoin node URL {where} is not an http(s) URL').format(where=self.where))
        self.url = url.rstrip("/")
        try:
            self._http = HttpClient(self.url, TIMEOUT)
        except HttpFailure:
            raise Unavailable(_('the Bitcoin node URL {where} is not a valid http(s) URL').format(
                where=self.where)) from None

    def _request(self, path: str, data: bytes | None = None) -> bytes:
        try:
            status, body = self._http.request("POST" if data is not None else "GET", path, data, "text/plain")
        except HttpFailure as e:
            raise unavailable(self.label, self.where, TIMEOUT, e) from None
        if 400 <= status < 500:
            raise NodeError(status, body[:2000].decode(errors="replace").strip(), self.where, path)
        if not 200 <= status < 300:
            raise Unavailable(_('the Bitcoin node at {where} answered HTTP {status}').format(
                where=self.where, status=status))
        return body

    def get_json(self, path: str) -> Any:
        body = self._request(path)
        try:
            return loads(body)
        except ValueError:
            raise Unavailable(_('the Bitcoin node at {where} answered {path} with something not JSON').format(
                where=self.where, path=path)) from None

    def genesis_hash(self) -> str:
        text = self._request("/block-height/0").decode(errors="replace").strip()
        if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
            raise Unavailable(_('the Bitcoin node at {where} gave a malformed hash for block 0').format(
                where=self.where))
        return text

    def tip_height(self) -> int:
        try:
            height = int(self._request("/blocks/tip/height"))
            if height < 0:
                raise ValueError(height)
            return height
        except ValueError:
            raise Unavailable(_('the Bitcoin node at {where} gave a malformed tip height').format(
                where=self.where)) from None

    def fee_estimates(self) -> dict[int, float]:
        raw = self.get_json("/fee-estimates")
        if not isinstance(raw, dict):
            raise Unavailable(_('the Bitcoin node at {where} gave malformed fee estimates').format(where=self.where))
        try:
            out = {int(k): float(v) for k, v in raw.items()}
        except (TypeError, ValueError, OverflowError):
            raise Unavailable(_('the Bitcoin node at {where} gave malformed fee estimates').format(
                where=self.where)) from None
        # NaN, infinities, negative or absurd rates are the node's fault, not a rate to pay.
        if any(not (0 <= v <= 1e7) or k <= 0 for k, v in out.items()):
            raise Unavailable(_('the Bitcoin node at {where} gave malformed fee estimates').format(where=self.where))
        return out

    def tx_status(self, txid: str) -> dict[str, Any] | None:
        try:
            return self.get_json(f"/tx/{txid}/status")
        except NodeError as e:
            if e.status in (400, 404):
                return None
            raise

    def broadcast(self, raw_hex: str, txid: str, inputs: list[tuple[str, int]] = ()) -> str:  # type: ignore[assignment]
        """POST /tx; a transaction the node already has (mempool or chain) counts as success.

        Only the node's explicit refusal (4xx) of a transaction it does not have is a rejection, and
        CannotLand needs proof: one of its inputs spent by another, confirmed transaction. A 200 whose
        body is not our txid, a 5xx or a timeout proves nothing: the outcome is unknown (Unavailable).
        """
        try:
            answer = self._request("/tx", raw_hex.encode()).decode(errors="replace").strip()
        except NodeError as e:
            if self.tx_status(txid) is not None:
                return txid
            spender = self.spent_elsewhere(txid, inputs)
            if spender is not None:
                dead = CannotLand(_("an input of this transaction is already spent by the confirmed transaction "
                                    "{spender}, so it can never land").format(spender=spender))
                dead.spender = spender
                raise dead from None
            refused = TxRejected(_("the node rejected the transaction: {reason}").format(reason=e.text[:300]))
            refused.node_text = e.text[:300]
            raise refused from None
        if answer == txid or self.tx_status(txid) is not None:
            return txid
        raise Unavailable(_('the Bitcoin node at {where} answered the broadcast with something other '
            "than the transaction's id, and does not show the transaction; its outcome is unknown").format(
            where=self.where))

    def spent_elsewhere(self, txid: str, inputs: list[tuple[str, int]]) -> str | None:
        """The txid of a confirmed transaction, not ours, spending one of `inputs`; else None.

        A spend still in the mempool is no proof (it may be replaced or evicted), so it does not count.
        """
        for prev, vout in inputs:
            try:
                out = self.get_json(f"/tx/{prev}/outspend/{int(vout)}")
            except NodeError:
                continue
            if not isinstance(out, dict) or out.get("spent") is not True:
                continue
            spender, status = out.get("txid"), out.get("status")
            if (isinstance(spender, str) and spender != txid and isinstance(status, dict)
                    and status.get("confirmed") is True):
                return spender
        return None
