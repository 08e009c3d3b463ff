"""`wallet send` and friends on EVM through the real CLI, against a real anvil."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account

from devnet import anvil

Account.enable_unaudited_hdwallet_features()


def nonce(url: str, address: str) -> int:
    return int(anvil.rpc(url, "eth_getTransactionCount", [address, "latest"]), 16)


def balance_wei(url: str, address: str) -> int:
    return int(anvil.rpc(url, "eth_getBalance", [address, "latest"]), 16)


def send(cli, evm: dict[str, str], *extra: str, amount: str = "1.5"):
    return cli("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"],
               "--amount", amount, *extra)


def test_send_native_and_history(cli, evm) -> None:
    r = send(cli, evm, "--wait")
    assert r.code == 0, r.err
    out = r.json()
    assert out["state"] == "confirmed"
    assert balance_wei(evm["url"], evm["to"]) == 15 * 10**17
    receipt = anvil.rpc(evm["url"], "eth_getTransactionReceipt", [out["txid"]])
    assert receipt["from"].lower() == evm["from"].lower()
    bal = cli("--json", "balance", evm["to"], "--network", "local-evm", password=False)
    assert bal.json()["balance"] == "1.5"
    hist = cli("--json", "history", "--network", "local-evm", password=False).json()
    assert hist[0]["txid"] == out["txid"] and hist[0]["state"] == "confirmed"


def test_idempotency_key_never_sends_twice(cli, evm) -> None:
    first = send(cli, evm, "--idempotency-key", "payout-42", "--wait")
    assert first.code == 0, first.err
    again = send(cli, evm, "--idempotency-key", "payout-42", "--wait")
    assert again.code == 0, again.err
    assert again.json()["txid"] == first.json()["txid"] and again.json()["replayed"] is True
    assert nonce(evm["url"], evm["from"]) == 1


class _DroppingProxy(http.server.ThreadingHTTPServer):
    """Forwards JSON-RPC to anvil, but for eth_sendRawTransaction drops the reply after anvil accepted it."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.dropped = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(h) -> None:  # noqa: N805
                body = h.rfile.read(int(h.headers["Content-Length"]))
                req = urllib.request.Request(self.upstream, body, {"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback test server
                    reply = resp.read()
                if b"eth_sendRawTransaction" in body:
                    self.dropped += 1
                    h.send_response(504)
                    h.end_headers()
                    return
                h.send_response(200)
                h.send_header("Content-Type", "application/json")
                h.send_header("Content-Length", str(len(reply)))
                h.end_headers()
                h.wfile.write(reply)

            def log_message(h, *args: object) -> None:  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def test_broadcast_lost_reply_then_rerun_sends_once(cli, evm, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = _DroppingProxy(evm["url"])
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", f"http://127.0.0.1:{proxy.server_address[1]}")
        first = cli("--debug", "--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"],
                    "--to", evm["to"], "--amount", "1.5")
        assert first.code == 5, first.err
        assert "rerun" in first.err
        # The failure came after unlocking and signing: still no secret in anything printed.
        phrase = Path(evm["mnemonic"]).read_text().strip()
        key = Account.from_mnemonic(phrase).key.hex().removeprefix("0x")
        printed = (first.out + first.err).lower()
        assert key not in printed and phrase.split()[0] + " " + phrase.split()[1] not in printed
        from tests.cli.conftest import PASSWORD

        assert PASSWORD not in printed
        assert proxy.dropped == 1
    finally:
        proxy.shutdown()
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", evm["url"])
    again = send(cli, evm)
    assert again.code == 0, again.err
    assert again.json()["replayed"] is True
    assert nonce(evm["url"], evm["from"]) == 1
    assert balance_wei(evm["url"], evm["to"]) == 15 * 10**17


def test_refusals_send_nothing(cli, evm) -> None:
    too_much = send(cli, evm, amount="1000")
    assert too_much.code == 4 and "needs" in too_much.err
    bad_amount = send(cli, evm, amount="1.0000000000000000001")
    assert bad_amount.code == 2
    neg = send(cli, evm, amount="-1")
    assert neg.code == 2
    btc_addr = cli("--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to",
                   "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "--amount", "1")
    assert btc_addr.code == 2
    bad_sum = cli("--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to",
                  evm["to"].lower()[:2] + evm["to"][2:].swapcase(), "--amount", "1")
    assert bad_sum.code == 2 and "checksum" in bad_sum.err
    high_fee = send(cli, evm, "--max-fee", "100000")
    assert high_fee.code == 4 and "fee" in high_fee.err
    assert nonce(evm["url"], evm["from"]) == 0


def test_lookalike_recipient_needs_allow_under_yes(cli, evm) -> None:
    assert send(cli, evm, "--wait").code == 0
    real = evm["to"]
    fake = Account.create().address
    fake = (real[:6] + fake[6:-4] + real[-4:]).lower()  # same first and last 4 hex characters
    r = cli("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", fake, "--amount", "1")
    assert r.code == 4 and "poisoning" in r.err
    ok = cli("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", fake,
             "--amount", "1", "--allow-lookalike")
    assert ok.code == 0, ok.err


def test_offline_sign_then_broadcast_twice(cli, evm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "tx.json"
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", "http://127.0.0.1:9")  # nothing listens: proves no RPC is used
    r = cli("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"],
            "--amount", "0.25", "--nonce", "0", "--max-fee", "50", "--priority-fee", "1", "--sign-only",
            "--out", str(out))
    assert r.code == 0, r.err
    doc = json.loads(out.read_text())
    assert doc["kind"] == "signed"
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", evm["url"])
    b1 = cli("--json", "broadcast", str(out), "--wait", password=False)
    assert b1.code == 0, b1.err
    b2 = cli("--json", "broadcast", str(out), password=False)
    assert b2.code == 0, b2.err
    assert b1.json()["txid"] == b2.json()["txid"] == r.json()["txid"]
    assert nonce(evm["url"], evm["from"]) == 1
    assert balance_wei(evm["url"], evm["to"]) == 25 * 10**16


def test_rpc_down_is_exit_5(cli, restored, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", "http://127.0.0.1:9")
    r = cli("balance", "evm:0", "--network", "local-evm", password=False)
    assert r.code == 5
    assert "Traceback" not in r.err


def test_sign_message_verifies_with_eth_account(cli, restored) -> None:
    from eth_account.messages import encode_defunct

    assert cli("sign-message", "evm:0", "hello wallet").code == 4  # not confirmed: nothing is signed
    r = cli("--json", "--yes", "sign-message", "evm:0", "hello wallet")
    assert r.code == 0, r.err
    sig = r.json()["signature"]
    addr = Account.recover_message(encode_defunct(text="hello wallet"), signature=sig)
    assert addr == r.json()["address"]
    ok = cli("verify-message", addr, sig, "hello wallet", password=False)
    assert ok.code == 0
    bad = cli("verify-message", addr, sig, "hello wallet!", password=False)
    assert bad.code == 4


@pytest.fixture(scope="module")
def manual_chain() -> Iterator[anvil.Sandbox]:
    with anvil.Sandbox(no_mining=True) as sb:
        yield sb


@pytest.fixture
def pending_send(cli, manual_chain: anvil.Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A vault funded on a manual-mining anvil and one transfer left pending in its mempool."""
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", manual_chain.url)
    assert cli("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt")).code == 0
    to = cli("--json", "accounts", "derive", "--chain", "evm").json()[0]["address"]
    assert cli("devnet", "fund", "evm:0", "--amount", "5", "--network", "local-evm").code == 0
    r = cli("--json", "--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", to, "--amount", "1")
    assert r.code == 0, r.err
    return r.json()["txid"], to, manual_chain.url


@pytest.mark.parametrize("how", ["speed-up", "cancel"])
def test_replace_pending_then_mine(cli, pending_send, how: str) -> None:
    txid, to, url = pending_send
    r = cli("--json", "--yes", "tx", how, txid)
    assert r.code == 0, r.err
    new = r.json()["txid"]
    assert new != txid
    anvil.rpc(url, "evm_mine")
    assert anvil.rpc(url, "eth_getTransactionReceipt", [new])["status"] == "0x1"
    assert anvil.rpc(url, "eth_getTransactionByHash", [txid]) is None
    assert balance_wei(url, to) == (10**18 if how == "speed-up" else 0)
    states = {h["txid"]: h["state"] for h in cli("--json", "history", password=False).json()}
    assert states[txid] == "replaced"
    assert cli("--json", "tx", "status", new).json()["state"] == "confirmed"


def test_contacts_resolve_and_guard_lookalikes(cli, evm) -> None:
    bad = cli("contacts", "add", "bob", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "--chain", "evm", password=False)
    assert bad.code == 2
    assert cli("contacts", "add", "bob", evm["to"].lower(), password=False).code == 0
    listed = cli("--json", "contacts", "list", password=False).json()
    assert listed == [{"name": "bob", "chain": "evm", "address": evm["to"]}]  # stored checksummed
    r = cli("--json", "--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", "bob", "--amount", "0.5",
            "--wait")
    assert r.code == 0, r.err
    assert balance_wei(evm["url"], evm["to"]) == 5 * 10**17
    twin = (evm["to"][:6] + Account.create().address[6:-4] + evm["to"][-4:]).lower()
    refused = cli("--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", twin, "--amount", "0.1")
    assert refused.code == 4 and "poisoning" in refused.err
    assert cli("contacts", "remove", "bob", password=False).code == 0
    assert cli("contacts", "remove", "bob", password=False).code == 2


def test_idempotency_survives_a_speed_up(cli, pending_send_keyed) -> None:
    """The reviewer's repro: pay with K1, speed it up, mine, rerun K1: still exactly one payment."""
    txid, to, url, sender = pending_send_keyed
    assert cli("--json", "--yes", "tx", "speed-up", txid).code == 0
    anvil.rpc(url, "evm_mine")
    again = cli("--json", "--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", to, "--amount", "1",
                "--idempotency-key", "K1")
    assert again.code == 0, again.err
    assert again.json()["replayed"] is True and again.json()["txid"] != txid
    anvil.rpc(url, "evm_mine")
    assert balance_wei(url, to) == 10**18
    assert nonce(url, sender) == 1


@pytest.fixture
def pending_send_keyed(cli, manual_chain: anvil.Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", manual_chain.url)
    r = cli("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt"))
    sender = next(a["address"] for a in r.json()["accounts"] if a["ref"] == "evm:0")
    to = cli("--json", "accounts", "derive", "--chain", "evm").json()[0]["address"]
    assert cli("devnet", "fund", "evm:0", "--amount", "5", "--network", "local-evm").code == 0
    s = cli("--json", "--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", to, "--amount", "1",
            "--idempotency-key", "K1")
    assert s.code == 0, s.err
    return s.json()["txid"], to, manual_chain.url, sender


def test_a_new_key_is_a_new_payment_even_if_an_identical_one_is_unresolved(cli, evm, monkeypatch) -> None:
    proxy = _DroppingProxy(evm["url"])
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", f"http://127.0.0.1:{proxy.server_address[1]}")
        assert send(cli, evm, "--idempotency-key", "A").code == 5
    finally:
        proxy.shutdown()
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", evm["url"])
    second = send(cli, evm, "--idempotency-key", "B", "--wait")
    assert second.code == 0, second.err
    assert second.json()["replayed"] is False
    assert balance_wei(evm["url"], evm["to"]) == 3 * 10**18  # A (accepted despite the lost reply) and B


def test_concurrent_runs_with_one_key_send_once(cli, evm, home, pwfile) -> None:
    import os
    import subprocess
    import sys

    argv = [sys.executable, "-m", "wallet_cli", "--home", str(home), "--password-file", str(pwfile), "--json",
            "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"], "--amount", "1",
            "--idempotency-key", "same"]
    env = {**os.environ, "WALLET_RPC_LOCAL_EVM": evm["url"]}
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
    assert len({json.loads(o[0])["txid"] for o in outs}) == 1
    assert nonce(evm["url"], evm["from"]) == 1


def test_bad_numbers_and_files_are_usage_errors(cli, evm, tmp_path: Path) -> None:
    base = ["--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"]]
    assert cli(*base, "--amount", "1", "--nonce", "-5", "--max-fee", "1", "--priority-fee", "1",
               "--sign-only", "--out", str(tmp_path / "o.json")).code == 2
    assert cli(*base, "--amount", "9" * 5000).code == 2
    assert cli(*base, "--amount", "1", "--max-fee", "1e5000").code == 2
    assert cli(*base, "--amount", "1", "--max-fee", "1e999999999").code == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "signed", "family": "evm", "network": "local-evm", "txid": 5, "raw": "0x"}))
    assert cli("broadcast", str(bad), password=False).code == 2
    bad.write_text(json.dumps({"kind": "signed", "family": "evm", "network": ["x"], "txid": "0x", "raw": "0x"}))
    assert cli("broadcast", str(bad), password=False).code == 2
    assert nonce(evm["url"], evm["from"]) == 0


def test_broadcast_refuses_a_file_for_another_network(cli, evm, tmp_path: Path) -> None:
    out = tmp_path / "tx.json"
    r = cli("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"],
            "--amount", "0.1", "--nonce", "0", "--max-fee", "50", "--priority-fee", "1", "--sign-only",
            "--out", str(out))
    assert r.code == 0, r.err
    wrong = cli("broadcast", str(out), "--network", "ethereum", password=False)
    assert wrong.code == 2 and "local-evm" in wrong.err


def test_offline_signing_checks_lookalikes_too(cli, evm, tmp_path: Path, monkeypatch) -> None:
    assert send(cli, evm, "--wait").code == 0  # evm["to"] is now in the history
    twin = (evm["to"][:6] + Account.create().address[6:-4] + evm["to"][-4:]).lower()
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", "http://127.0.0.1:9")  # offline
    r = cli("--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", twin, "--amount", "0.1",
            "--nonce", "1", "--max-fee", "50", "--priority-fee", "1", "--sign-only", "--out", str(tmp_path / "t"))
    assert r.code == 4 and "poisoning" in r.err
    assert not (tmp_path / "t").exists()
