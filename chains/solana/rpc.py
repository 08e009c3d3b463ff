"""Solana JSON-RPC 2.0 over the shared transport (chains.transport), with typed helpers.

The deadline, size cap, redirect refusal, basic auth and URL redaction all come from the transport;
this module only names the calls the adapter makes and maps the node's error objects.
"""

from __future__ import annotations

import json
from typing import Any

from chains.errors import Unavailable
from chains.transport import JsonRpc
from wallet_i18n import N_, _, translated


class RpcError(Unavailable):
    """A JSON-RPC error object returned by the node (the node answered, but said no).

    A subclass of Unavailable so that a node error on a read (e.g. -32005 "node is behind") reaches
    the CLI as exit 5 with one sentence; the adapter catches it where a specific error means more.
    """

    def __init__(self, code: int, message: str, data: Any = None, method: str = "") -> None:
        if method:
            text = _("the Solana RPC answered {method} with error {code}: {message}").format(
                method=method, code=code, message=message)
        else:
            text = _("the Solana RPC answered a call with error {code}: {message}").format(code=code, message=message)
        super().__init__(text)
        self.code = code
        self.message = message
        self.data = data

    @property
    def err(self) -> Any:
        """The transaction error (e.g. "BlockhashNotFound" or {"InstructionError": [...]}), if any."""
        return self.data.get("err") if isinstance(self.data, dict) else None

    @property
    def logs(self) -> list[str]:
        logs = self.data.get("logs") if isinstance(self.data, dict) else None
        return list(logs or [])


class SolanaRpc(JsonRpc):
    """Calls one endpoint. Every transport failure becomes Unavailable with one sentence."""

    label = N_("the Solana RPC")   # shown as translated(label)

    def rpc_error(self, method: str, code: int | None, message: str, data: Any) -> Exception:
        return RpcError(code if code is not None else 0, message, data, method)

    def call(self, method: str, params: list[Any] | None = None) -> Any:  # type: ignore[override]
        return super().call(method, *(params or []))

    def value(self, method: str, params: list[Any] | None = None) -> Any:
        """For methods whose result is {context, value}: return the value."""
        res = self.call(method, params)
        if not isinstance(res, dict) or "value" not in res:
            raise Unavailable(_("the Solana RPC answered {method} without a context/value result").format(
                method=method))
        return res["value"]

    def _int(self, method: str, v: Any) -> int:
        """A non-negative integer field of a reply; a null, bool, text or float one is the node's fault."""
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise Unavailable(_("{label} at {where} answered {method} with a malformed number").format(
                label=translated(self.label), where=self.where, method=method))
        return v

    def _dict(self, method: str, v: Any) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise Unavailable(_("{label} at {where} answered {method} with a malformed result").format(
                label=translated(self.label), where=self.where, method=method))
        return v

    # Typed helpers for the calls the adapter makes.
    def get_balance(self, address: str) -> int:
        return self._int("getBalance", self.value("getBalance", [address, {"commitment": "confirmed"}]))

    def get_account_info(self, address: str) -> dict[str, Any] | None:
        v = self.value("getAccountInfo", [address, {"encoding": "base64", "commitment": "confirmed"}])
        if v is None:
            return None
        v = self._dict("getAccountInfo", v)
        data = v.get("data")
        if not (isinstance(v.get("owner"), str) and isinstance(data, list) and data and isinstance(data[0], str)):
            raise Unavailable(_("{label} at {where} answered getAccountInfo with a malformed account").format(
                label=translated(self.label), where=self.where))
        return v

    def get_latest_blockhash(self) -> tuple[str, int]:
        v = self._dict("getLatestBlockhash", self.value("getLatestBlockhash", [{"commitment": "confirmed"}]))
        if not isinstance(v.get("blockhash"), str):
            raise Unavailable(_("{label} at {where} answered getLatestBlockhash without a blockhash").format(
                label=translated(self.label), where=self.where))
        return v["blockhash"], self._int("getLatestBlockhash", v.get("lastValidBlockHeight"))

    def is_blockhash_valid(self, blockhash: str) -> bool:
        v = self.value("isBlockhashValid", [blockhash, {"commitment": "confirmed"}])
        if not isinstance(v, bool):
            raise Unavailable(_("{label} at {where} answered isBlockhashValid with a malformed result").format(
                label=translated(self.label), where=self.where))
        return v

    def get_block_height(self) -> int:
        return self._int("getBlockHeight", self.call("getBlockHeight", [{"commitment": "confirmed"}]))

    def rent_exempt_minimum(self, data_len: int) -> int:
        return self._int("getMinimumBalanceForRentExemption",
                         self.call("getMinimumBalanceForRentExemption", [data_len]))

    def fee_for_message(self, message_b64: str) -> int | None:
        v = self.value("getFeeForMessage", [message_b64, {"commitment": "confirmed"}])
        return None if v is None else self._int("getFeeForMessage", v)

    def recent_priority_fees(self, accounts: list[str]) -> list[int]:
        res = self.call("getRecentPrioritizationFees", [accounts])
        if res is not None and not isinstance(res, list):
            raise Unavailable(_("{label} at {where} answered getRecentPrioritizationFees with a malformed "
                                "result").format(
                label=translated(self.label), where=self.where))
        return [self._int("getRecentPrioritizationFees", self._dict("getRecentPrioritizationFees", r)
                          .get("prioritizationFee")) for r in res or []]

    def simulate(self, tx_b64: str, *, sig_verify: bool = False) -> dict[str, Any]:
        return self._dict("simulateTransaction", self.value("simulateTransaction", [tx_b64, {
            "encoding": "base64", "sigVerify": sig_verify, "commitment": "confirmed",
            "replaceRecentBlockhash": False}]))

    def send(self, tx_b64: str, *, skip_preflight: bool = False) -> str:
        return str(self.call("sendTransaction", [tx_b64, {
            "encoding": "base64", "skipPreflight": skip_preflight, "preflightCommitment": "confirmed",
            "maxRetries": 5}]))

    def signature_status(self, signature: str) -> dict[str, Any] | None:
        v = self.value("getSignatureStatuses", [[signature], {"searchTransactionHistory": True}])
        if not isinstance(v, list) or len(v) != 1:
            raise Unavailable(_("{label} at {where} answered getSignatureStatuses with a malformed result").format(
                label=translated(self.label), where=self.where))
        return None if v[0] is None else self._dict("getSignatureStatuses", v[0])

    def genesis_hash(self) -> str:
        v = self.call("getGenesisHash", [])
        if not isinstance(v, str):
            raise Unavailable(_("{label} at {where} answered getGenesisHash with a malformed result").format(
                label=translated(self.label), where=self.where))
        return v

    def token_accounts_by_owner(self, owner: str, mint: str) -> list[dict[str, Any]]:
        v = self.value("getTokenAccountsByOwner", [owner, {"mint": mint},
                                                   {"encoding": "base64", "commitment": "confirmed"}])
        if not isinstance(v, list) or not all(isinstance(e, dict) for e in v):
            raise Unavailable(_("{label} at {where} answered getTokenAccountsByOwner with a malformed result").format(
                label=translated(self.label), where=self.where))
        return v


def describe_err(err: Any) -> str:
    """The node's one-line wording for the common errors; otherwise the JSON form."""
    words = {
        "BlockhashNotFound": "Blockhash not found",
        "AlreadyProcessed": "This transaction has already been processed",
        "AccountNotFound": "Attempt to debit an account but found no record of a prior credit.",
        "InsufficientFundsForFee": "Insufficient funds for fee",
        "SignatureFailure": "Transaction did not pass signature verification",
    }
    if isinstance(err, str):
        return words.get(err, err)
    if isinstance(err, dict) and "InstructionError" in err:
        idx, ierr = err["InstructionError"]
        if isinstance(ierr, dict) and "Custom" in ierr:
            return f"Error processing Instruction {idx}: custom program error: {ierr['Custom']:#x}"
        return f"Error processing Instruction {idx}: {ierr}"
    if isinstance(err, dict) and "InsufficientFundsForRent" in err:
        i = err["InsufficientFundsForRent"].get("account_index")
        return f"Transaction results in an account ({i}) with insufficient funds for rent"
    return json.dumps(err)
