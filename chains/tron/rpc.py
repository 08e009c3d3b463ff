"""TRON's full-node HTTP API: POST a JSON object to {rpc_url}/wallet/NAME, read a JSON object back.

One keep-alive chains.transport client for every path (deadline, size cap, no redirects, redaction).
The node reports most errors inside a 200 reply ({"Error": ...} or {"result": false, "code": ...});
callers read those.
"""

from __future__ import annotations

import json
import re
from typing import Any

from chains.errors import Unavailable
from chains.transport import HttpClient, HttpFailure, loads, redact_url, unavailable
from wallet_i18n import N_, _, translated

INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"-?[0-9]{1,19}")


def integer(value: Any, what: str, *, default: int | None = 0, minimum: int = 0) -> int:
    """An integer the node sent (a JSON number, or its decimal text), within int64 and >= minimum.

    Anything else (null where a value is required, a float, a boolean, a list, an object, a number
    past int64) is Unavailable, so no malformed reply reaches the arithmetic or the protobuf encoder."""
    if value is None and default is not None:
        return default
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= INT64_MAX:
        raise Unavailable(_("the TRON node's {what} is not an integer from {minimum} to 2^63-1").format(
            what=what, minimum=minimum))
    return value


def obj(value: Any, what: str) -> dict[str, Any]:
    """A JSON object the node sent, or {} for null; anything else is Unavailable."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Unavailable(_("the TRON node's {what} is not a JSON object").format(what=what))
    return value


class TronRpc:
    def __init__(self, url: str, timeout: float = 15.0) -> None:
        if not url:
            raise Unavailable(_('no RPC URL is configured for this network'))
        self.url = url
        self.timeout = timeout
        self._http: HttpClient | None = None

    @property
    def where(self) -> str:
        return redact_url(self.url)

    def post(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        label = N_("the TRON node")
        try:
            if self._http is None:
                self._http = HttpClient(self.url, self.timeout)
            status, reply = self._http.request("POST", f"/wallet/{name}",
                                               json.dumps(body, separators=(",", ":")).encode())
        except HttpFailure as e:
            raise unavailable(label, self.where, self.timeout, e) from None
        if not 200 <= status < 300:
            raise Unavailable(_('{label} at {where} answered {name} with HTTP {status}').format(
                label=translated(label), where=self.where, name=name, status=status))
        try:
            doc = loads(reply) if reply.strip() else {}
        except ValueError:
            raise Unavailable(_('{label} at {where} answered {name} with something that is not JSON').format(
                label=translated(label), where=self.where, name=name)) from None
        if not isinstance(doc, dict):
            raise Unavailable(_('{label} at {where} answered {name} with JSON that is not an object').format(
                label=translated(label), where=self.where, name=name))
        return doc

    # --- the calls the adapter makes ----------------------------------------------------------
    def now_block(self) -> dict[str, Any]:
        return self.post("getnowblock", {})

    def block_by_num(self, num: int) -> dict[str, Any]:
        return self.post("getblockbynum", {"num": num})

    def account(self, address: str) -> dict[str, Any]:
        return self.post("getaccount", {"address": address, "visible": True})

    def account_resource(self, address: str) -> dict[str, Any]:
        return self.post("getaccountresource", {"address": address, "visible": True})

    def chain_parameters(self) -> dict[str, Any]:
        return self.post("getchainparameters", {})

    def constant_call(self, owner: str, contract: str, selector: str, parameter: str) -> dict[str, Any]:
        return self.post("triggerconstantcontract", {"owner_address": owner, "contract_address": contract,
                                                     "function_selector": selector, "parameter": parameter,
                                                     "visible": True})

    def broadcast_hex(self, tx_hex: str) -> dict[str, Any]:
        return self.post("broadcasthex", {"transaction": tx_hex})

    def transaction(self, txid: str) -> dict[str, Any]:
        return self.post("gettransactionbyid", {"value": txid})

    def transaction_info(self, txid: str) -> dict[str, Any]:
        return self.post("gettransactioninfobyid", {"value": txid})
