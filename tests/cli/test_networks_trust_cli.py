"""Custom networks (issue 8, item 8 and 'also confirmed'): `networks add` checks the chain id with the
RPC (or --no-verify), a custom network gets a default fee cap, the URL can come from stdin or a file,
and `networks list` never prints RPC credentials."""

from __future__ import annotations

import os
from pathlib import Path

from devnet import anvil


def names(cli) -> set[str]:
    return {n["name"] for n in cli("--json", "networks", "list", password=False).json()}


def test_add_checks_the_chain_id_with_the_rpc(cli, chain) -> None:
    wrong = cli("networks", "add", "my-l2", "--rpc-url", chain.url, "--chain-id", "424242", password=False)
    assert wrong.code == 4, wrong.err
    assert "reports chain id 31337, not 424242; nothing was saved" in wrong.err
    assert len(wrong.err.strip().splitlines()) == 1
    assert "my-l2" not in names(cli)
    right = cli("networks", "add", "my-l2", "--rpc-url", chain.url, "--chain-id", "31337", password=False)
    assert right.code == 0, right.err
    assert "my-l2" in names(cli)


def test_add_offline_needs_no_verify(cli) -> None:
    url = f"http://127.0.0.1:{anvil.free_port()}"
    down = cli("networks", "add", "offline-l2", "--rpc-url", url, "--chain-id", "10", password=False)
    assert down.code == 5 and "--no-verify" in down.err
    assert "offline-l2" not in names(cli)
    ok = cli("networks", "add", "offline-l2", "--rpc-url", url, "--chain-id", "10", "--no-verify", password=False)
    assert ok.code == 0, ok.err
    assert "offline-l2" in names(cli)


SECRET_URL = "http://alice:hunter2@127.0.0.1:{port}/v2/PATHKEY?api-key=QUERYKEY"


def assert_no_secret(text: str) -> None:
    for s in ("hunter2", "alice", "PATHKEY", "QUERYKEY"):
        assert s not in text


def test_url_from_stdin_and_list_redacts_it(cli, chain) -> None:
    url = SECRET_URL.format(port=chain.url.rsplit(":", 1)[1])
    # (anvil has no /v2/KEY path, so this one is saved unchecked.)
    r = cli("--json", "networks", "add", "keyed", "--rpc-url", "-", "--chain-id", "31337", "--no-verify",
            stdin=url + "\n", password=False)
    assert r.code == 0, r.err
    assert_no_secret(r.out + r.err)
    listed = cli("--json", "networks", "list", password=False)
    assert_no_secret(listed.out)
    assert {n["name"]: n for n in listed.json()}["keyed"]["rpc_url"] == chain.url
    human = cli("networks", "list", password=False)
    assert human.code == 0 and "keyed" in human.out
    assert_no_secret(human.out + human.err)


def test_url_from_a_file_bounded_and_regular_only(cli, chain, tmp_path: Path) -> None:
    f = tmp_path / "url.txt"
    f.write_text(chain.url + "\n")
    r = cli("networks", "add", "from-file", "--rpc-url-file", str(f), "--chain-id", "31337", password=False)
    assert r.code == 0, r.err
    big = tmp_path / "big.txt"
    big.write_text("http://127.0.0.1:1/" + "a" * 10_000)
    r = cli("networks", "add", "big", "--rpc-url-file", str(big), "--chain-id", "1", "--no-verify", password=False)
    assert r.code == 2 and "longer than 4096 bytes" in r.err
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    r = cli("networks", "add", "fifo", "--rpc-url-file", str(fifo), "--chain-id", "1", "--no-verify", password=False)
    assert r.code == 2 and "not a regular file" in r.err
    for args in (["--rpc-url", chain.url, "--rpc-url-file", str(f)], []):
        r = cli("networks", "add", "both", *args, "--chain-id", "1", "--no-verify", password=False)
        assert r.code == 2 and "exactly one of" in r.err
    r = cli("networks", "add", "empty", "--rpc-url", "-", "--chain-id", "1", "--no-verify", stdin="\n", password=False)
    assert r.code == 2 and "empty" in r.err


def test_a_custom_network_gets_a_default_fee_cap(cli, chain, new_funded_vault) -> None:
    evm = new_funded_vault("evm", chain.url, "10")
    assert cli("networks", "add", "my-evm", "--rpc-url", chain.url, "--chain-id", "31337", password=False).code == 0
    listed = {n["name"]: n for n in cli("--json", "networks", "list", password=False).json()}
    assert listed["my-evm"]["fee_cap"] == "0.05"
    # 21000 gas at 100000 gwei is a 2.1 ETH fee: refused, as a built-in network would refuse it.
    r = cli("--json", "--yes", "send", "--network", "my-evm", "--from", evm["from"], "--to", evm["to"],
            "--amount", "0.1", "--max-fee", "100000", "--priority-fee", "1")
    assert r.code == 4, r.err
    assert "above the fee cap of 0.05 ETH for my-evm" in r.err
    assert int(anvil.rpc(chain.url, "eth_getTransactionCount", [evm["from"], "latest"]), 16) == 0
