"""The anvil sandbox itself: starts on a free port, answers, funds, stops cleanly, reports a taken port."""

from __future__ import annotations

import socket

import pytest

from devnet import anvil

from .helpers import eth_balance, new_wallet


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_start_fund_stop():
    sb = anvil.Sandbox(chain_id=4242).start()
    try:
        assert sb.url.startswith("http://127.0.0.1:") and sb.port != 0
        assert int(anvil.rpc(sb.url, "eth_chainId"), 16) == 4242
        w = new_wallet()
        txid = anvil.fund(sb.url, w.address, 123)
        assert txid.startswith("0x") and len(txid) == 66
        assert eth_balance(sb.url, w.address) == 123
    finally:
        sb.stop()
    assert not sb.running
    assert not _port_open(sb.port)
    sb.stop()  # idempotent


def test_fund_on_a_manual_mining_sandbox(manual_chain):
    w = new_wallet()
    anvil.fund(manual_chain.url, w.address, 5)
    assert eth_balance(manual_chain.url, w.address) == 5


def test_taken_port_is_reported(chain):
    with pytest.raises(anvil.SandboxError, match="did not start"):
        anvil.Sandbox(port=chain.port).start(timeout=5)
    assert int(anvil.rpc(chain.url, "eth_chainId"), 16) == 31337  # the running one is untouched


def test_tools_found():
    assert anvil.find_anvil().endswith("anvil")
    assert anvil.find_cast().endswith("cast")
