"""`wallet devnet up` runs in the foreground, prints a ready line, serves, and stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from devnet import anvil


def test_devnet_up_serves_until_terminated(tmp_path) -> None:
    port = anvil.free_port()
    env = {**os.environ, "WALLET_RPC_LOCAL_EVM": f"http://127.0.0.1:{port}"}
    p = subprocess.Popen([sys.executable, "-m", "wallet_cli", "--home", str(tmp_path / "h"), "devnet", "up",
                          "--chains", "evm"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout is not None
        ready = json.loads(p.stdout.readline())
        assert ready["ready"] is True
        url = ready["networks"]["local-evm"]
        assert url.endswith(f":{port}")
        assert int(anvil.rpc(url, "eth_chainId"), 16) == 31337
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    assert p.returncode == 0
    with pytest.raises((OSError, anvil.SandboxError)):  # connection refused: anvil is gone
        anvil.rpc(url, "eth_chainId", timeout=2)


def test_fund_without_a_running_sandbox_is_exit_5(cli) -> None:
    port = anvil.free_port()  # nothing listens there
    import os

    os.environ["WALLET_RPC_LOCAL_EVM"] = f"http://127.0.0.1:{port}"
    try:
        r = cli("devnet", "fund", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "--amount", "1",
                "--network", "local-evm", password=False)
    finally:
        del os.environ["WALLET_RPC_LOCAL_EVM"]
    assert r.code == 5 and "devnet up" in r.err
    no_vault = cli("devnet", "fund", "evm:0", "--amount", "1", "--network", "local-evm", password=False)
    assert no_vault.code == 2 and "no vault" in no_vault.err
    not_local = cli("devnet", "fund", "evm:0", "--amount", "1", "--network", "ethereum", password=False)
    assert not_local.code == 2
