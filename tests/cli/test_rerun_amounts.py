"""Issue 8 item 4: a rerun of the same transfer without a key compares amounts as numbers."""

from __future__ import annotations

import threading

import pytest

from tests.cli.test_send_evm_cli import _DroppingProxy, balance_wei, nonce
from wallet_cli.transfer import canonical_amount, intent_key


@pytest.mark.parametrize(("a", "b"), [("0.0010", "0.001"), ("1.50", "1.5"), ("001", "1"), (" 2.0 ", "2"),
                                      ("0.0", "0"), ("MAX", "max")])
def test_equal_amounts_are_one_intent(a: str, b: str) -> None:
    assert canonical_amount(a) == canonical_amount(b)
    assert intent_key("n", "s", "r", a, None) == intent_key("n", "s", "r", b, None)


@pytest.mark.parametrize(("a", "b"), [("0.001", "0.01"), ("1", "10"), ("1.5", "15"), ("1e3", "1000")])
def test_different_amounts_stay_different(a: str, b: str) -> None:
    assert intent_key("n", "s", "r", a, None) != intent_key("n", "s", "r", b, None)


def test_rerun_with_trailing_zeros_reconciles_instead_of_paying_twice(cli, new_funded_vault, chain,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    evm = new_funded_vault("evm", chain.url, "10")
    proxy = _DroppingProxy(evm["url"])
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    args = ("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"])
    try:
        monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", f"http://127.0.0.1:{proxy.server_address[1]}")
        first = cli(*args, "--amount", "0.0010")
        assert first.code == 5, first.err  # accepted by the node, but the reply was lost: outcome unknown
    finally:
        proxy.shutdown()
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", evm["url"])
    again = cli(*args, "--amount", "0.001")
    assert again.code == 0, again.err
    assert again.json()["replayed"] is True
    assert nonce(evm["url"], evm["from"]) == 1
    assert balance_wei(evm["url"], evm["to"]) == 10**15
