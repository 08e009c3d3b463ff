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
