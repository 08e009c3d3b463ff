"""A node's error text is the node's word, shown inside one of our sentences: it may not add lines or drive
the terminal. output.error keeps newlines (our own messages use them), so a JSON-RPC error message of
"boom\\nSent 1 ETH, confirmed" printed a second, invented line under "error:"."""

from __future__ import annotations

from typing import Any

import pytest

from chains.transport.jsonrpc import JsonRpc, RpcError


def reply_with(message: str) -> JsonRpc:
    rpc = JsonRpc("http://127.0.0.1:9")

    def exchange(request: dict[str, Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32000, "message": message}}

    rpc._exchange = exchange  # type: ignore[method-assign]
    return rpc


def test_an_error_message_cannot_add_lines_or_escape_sequences() -> None:
    with pytest.raises(RpcError) as e:
        reply_with("nonce too low\nSent 1 ETH to 0xdEaD: confirmed\x1b[8m\u202e\r").call("eth_sendRawTransaction")
    assert "nonce too low" in e.value.message          # still matched by the families' error rules
    for bad in ("\n", "\r", "\x1b", "\u202e"):
        assert bad not in e.value.message and bad not in str(e.value)
    assert "\\n" in e.value.message


def test_solana_program_logs_in_a_refusal_are_one_inert_line() -> None:
    from chains.solana.tx import logs_tail

    shown = logs_tail(["Program 11111111111111111111111111111111 failed", "ok\nSent 1 SOL: confirmed\x1b[2J"])
    assert "\n" not in shown and "\x1b" not in shown and "Sent 1 SOL" in shown


def test_an_esplora_refusal_is_one_inert_line() -> None:
    from chains.bitcoin.node import NodeError

    e = NodeError(400, "sendrawtransaction RPC error\nbroadcast OK: txid 00ff\x1b]0;x\x07")
    assert "\n" not in e.text and "\x1b" not in e.text and "\x07" not in str(e)
