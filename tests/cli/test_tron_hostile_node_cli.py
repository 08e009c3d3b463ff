"""TRON through the real CLI against a hostile node: local-tron with its replies rewritten per endpoint.

Each test wraps devnet.tron_sandbox.wallet_api (the sandbox's request dispatcher) so that one endpoint
lies while the model behind it stays honest: what the wallet must never do is pay twice or sign more than
it showed because of what the node said.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import devnet.tron_sandbox as sandbox
from tests.cli.test_tron_cli import node, send, sun, tron  # noqa: F401 - fixtures

Api = Callable[[Any, str, dict[str, Any]], dict[str, Any]]


def hostile(monkeypatch: pytest.MonkeyPatch, lie: Callable[[Api, Any, str, dict[str, Any]], dict[str, Any]]) -> None:
    """Route every /wallet/ request through lie(real_api, chain, name, params)."""
    real = sandbox.wallet_api
    monkeypatch.setattr(sandbox, "wallet_api", lambda c, name, p: lie(real, c, name, p))


def test_a_definite_looking_refusal_after_relaying_is_not_proof_and_a_rerun_does_not_pay_twice(
        cli, tron, node, monkeypatch) -> None:  # noqa: F811
    def relay_then_refuse(real: Api, c: Any, name: str, p: dict[str, Any]) -> dict[str, Any]:
        reply = real(c, name, p)
        if name == "broadcasthex" and reply.get("result") is True:      # taken and relayed, but it says no
            return {"result": False, "code": "CONTRACT_VALIDATE_ERROR", "message": b"balance is not sufficient".hex()}
        return reply

    hostile(monkeypatch, relay_then_refuse)
    first = send(cli, tron, amount="3")
    assert first.code != 0
    assert sun(node, tron["to"]) == 3_000_000          # it was taken all the same
    again = send(cli, tron, amount="3")
    assert again.code == 0, again.err
    assert "already sent earlier" in again.err
    keyed = send(cli, tron, "--idempotency-key", "k-refused", amount="2")
    assert keyed.code != 0
    rerun = send(cli, tron, "--idempotency-key", "k-refused", amount="2")
    assert rerun.code == 0 and "already sent earlier" in rerun.err
    assert sun(node, tron["to"]) == 5_000_000          # 3 + 2, each paid once


def test_a_head_block_time_from_the_future_does_not_make_a_live_transaction_look_dead(
        cli, tron, node, monkeypatch) -> None:  # noqa: F811
    """The node relays the transaction (the model holds it, pending), then denies having it and claims
    its head block is an hour on, past the expiration: only our own clock may agree that it expired."""
    lying = {"on": False}

    def relay_then_deny(real: Api, c: Any, name: str, p: dict[str, Any]) -> dict[str, Any]:
        if name == "broadcasthex":
            real(c, name, p)
            return {"result": False, "code": "SERVER_BUSY", "message": b"server busy".hex()}
        reply = real(c, name, p)
        if lying["on"] and name in ("gettransactionbyid", "gettransactioninfobyid"):
            return {}
        if lying["on"] and name == "getnowblock":
            reply["block_header"]["raw_data"]["timestamp"] += 3600 * 1000
        return reply

    hostile(monkeypatch, relay_then_deny)
    sandbox.hold(node.url)
    try:
        first = send(cli, tron, "--idempotency-key", "future", "--expiration", "60", amount="4")
        assert first.code == 5, first.err
        lying["on"] = True
        again = send(cli, tron, "--idempotency-key", "future", "--expiration", "60", amount="4")
        assert again.code == 5 and "may or may not have taken" in again.err
        assert "already sent" not in again.err
    finally:
        sandbox.hold(node.url, on=False)
        included = sandbox.release(node.url)
    assert len(included) == 1 and sun(node, tron["to"]) == 4_000_000      # signed and paid once


def test_a_memo_with_rich_markup_is_shown_literally_not_interpreted(cli, tron, node) -> None:  # noqa: F811
    memo = "[/] [bold red]refund[/bold red] [link=https://evil.example]x[/link]"
    r = send(cli, tron, "--memo", memo, amount="1")
    assert r.code == 0, r.err
    squeeze = "".join                                # the review folds long values over lines
    assert squeeze(memo.split()) in squeeze(r.err.split())     # every bracket on the screen, as typed
    rows = cli("history", "--network", "local-tron", password=False)
    assert rows.code == 0, rows.err


def test_a_node_hiding_the_activation_cannot_make_a_send_burn_more_than_the_cap(
        cli, tron, node, home, monkeypatch) -> None:  # noqa: F811
    """The node claims the new recipient already exists (so no 1 TRX activation) and that bandwidth is
    free: the chain burns 1.1 TRX all the same, so the capped maximum may not take the node's word."""
    from tests.cli.test_tron_cli import set_local_tron

    def hide_activation(real: Api, c: Any, name: str, p: dict[str, Any]) -> dict[str, Any]:
        reply = real(c, name, p)
        if name == "getaccount" and not reply:
            return {"address": p["address"], "balance": 0, "create_time": 1}
        return reply

    hostile(monkeypatch, hide_activation)
    set_local_tron(home, fee_cap="1")
    before = sun(node, tron["from"])
    r = send(cli, tron, amount="1")
    assert r.code == 4 and "fee cap" in r.err, r.err
    assert sun(node, tron["from"]) == before and node.chain.account(tron["to"]) is None
    ok = send(cli, tron, "--allow-high-fee", amount="1")         # the user may still choose to pay it
    assert ok.code == 0, ok.err
    assert before - sun(node, tron["from"]) == 1_000_000 + 1_100_000


def test_broadcast_reads_only_a_regular_file_of_bounded_size(cli, tmp_path) -> None:
    """A FIFO (or a device) would block or grow without end: refuse it before opening it."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "tx.json"
    os.mkfifo(fifo)
    try:
        p = subprocess.run([sys.executable, "-m", "wallet_cli", "--home", str(tmp_path / "h"), "broadcast",
                            str(fifo)], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("broadcast blocked reading a FIFO")
    assert p.returncode == 2 and "not a regular file" in p.stderr
    big = tmp_path / "big.json"
    big.write_text("{" + " " * (2 * 1024 * 1024) + "}")
    r = cli("broadcast", str(big), password=False)
    assert r.code == 2 and "larger than" in r.err


def test_a_message_to_sign_is_reviewed_with_its_control_characters_escaped(cli, tron, tmp_path) -> None:  # noqa: F811
    """Terminal escapes or a bidi override could hide or reorder what is signed: show them escaped."""
    message = "login nonce 42\x1b[1A\x1b[2K\rtransfer all\u202e"
    r = cli("--yes", "sign-message", "tron:0", message)
    assert r.code == 0, r.err
    assert "\x1b" not in r.err and "\u202e" not in r.err and "\r" not in r.err
    assert "\\x1b[1A" in r.err and "\\u202e" in r.err
    import os

    fifo = tmp_path / "msg"
    os.mkfifo(fifo)
    blocked = cli("--yes", "sign-message", "tron:0", "--file", str(fifo))     # a FIFO would block forever
    assert blocked.code == 2 and "not a regular file" in blocked.err
