"""Custom networks in config.toml, and the WALLET_RPC_<NAME> override."""

from __future__ import annotations

import csv
import io

import pytest


def test_add_list_remove_custom_network(cli, home) -> None:
    r = cli("--json", "networks", "add", "my-l2", "--rpc-url", "http://127.0.0.1:9999", "--chain-id", "424242",
            "--no-verify", "--symbol", "ETH", "--fee-cap", "0.5", password=False)
    assert r.code == 0, r.err
    nets = {n["name"]: n for n in cli("--json", "networks", "list", password=False).json()}
    assert nets["my-l2"]["chain_id"] == 424242 and nets["my-l2"]["custom"] is True
    assert nets["local-evm"]["rpc_url"] == "http://127.0.0.1:8545"
    assert (home / "config.toml").stat().st_mode & 0o077 == 0
    assert cli("networks", "remove", "my-l2", password=False).code == 0
    assert "my-l2" not in {n["name"] for n in cli("--json", "networks", "list", password=False).json()}


@pytest.mark.parametrize(
    ("args", "why"),
    [(["Bad Name", "--rpc-url", "http://x"], "lower-case"),
     (["ok-name", "--rpc-url", "ftp://x"], "http"),
     (["ok-name", "--rpc-url", "http://x"], "chain_id")],
)
def test_add_refuses_bad_networks(cli, args: list[str], why: str) -> None:
    r = cli("networks", "add", *args, password=False)
    assert r.code == 2 and why in r.err


def test_env_overrides_rpc(cli, monkeypatch) -> None:
    monkeypatch.setenv("WALLET_RPC_POLYGON", "http://127.0.0.1:1234")
    nets = {n["name"]: n for n in cli("--json", "networks", "list", password=False).json()}
    assert nets["polygon"]["rpc_url"] == "http://127.0.0.1:1234"


def test_history_csv_on_empty_journal(cli) -> None:
    r = cli("history", "--csv", password=False)
    assert r.code == 0
    rows = list(csv.reader(io.StringIO(r.out)))
    assert rows[0][:5] == ["time", "network", "kind", "state", "txid"]
