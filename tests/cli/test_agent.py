"""The signing agent as a real background process with a real socket, against a real anvil."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import time
from pathlib import Path

import pytest

from devnet import anvil

SOCK = Path("agent") / "agent.sock"


@pytest.fixture
def evm(new_funded_vault, chain: anvil.Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return new_funded_vault("evm", chain.url, "10")


@pytest.fixture
def agent(wallet_proc, home: Path, evm: dict[str, str]):
    """agent(*start_args) starts one; every agent a test started is stopped (SIGTERM) at the end."""
    pids: list[int] = []
    env = {"WALLET_RPC_LOCAL_EVM": evm["url"]}

    def start(*args: str) -> int:
        r = wallet_proc("--json", "agent", "start", *args, env=env)
        assert r.code == 0, r.err
        pids.append(r.json()["pid"])
        return pids[-1]

    yield start
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of ours counts as gone
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def wait_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)


def nopw_send(wallet_proc, evm: dict[str, str], amount: str, *extra: str):
    return wallet_proc("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to",
                       evm["to"], "--amount", amount, *extra, password=False,
                       env={"WALLET_RPC_LOCAL_EVM": evm["url"]})


def raw_request(home: Path, body: dict, *, read: bool = True) -> dict | None:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(str(home / SOCK))
    s.sendall(json.dumps(body).encode() + b"\n")
    if not read:
        s.close()
        return None
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data) if data else None


def test_send_through_the_agent_needs_no_password(wallet_proc, agent, evm, home: Path) -> None:
    pid = agent("--ttl", "5m", "--idle", "5m")
    sock = home / SOCK
    assert sock.stat().st_mode & 0o777 == 0o600 and sock.parent.stat().st_mode & 0o777 == 0o700
    st = wallet_proc("--json", "agent", "status", password=False)
    assert st.code == 0 and st.json()["pid"] == pid and st.json()["vault"] == "default"
    r = nopw_send(wallet_proc, evm, "0.25", "--wait")
    assert r.code == 0, r.err
    receipt = anvil.rpc(evm["url"], "eth_getTransactionReceipt", [r.json()["txid"]])
    assert receipt["from"].lower() == evm["from"].lower() and receipt["status"] == "0x1"
    msg = wallet_proc("--json", "--yes", "sign-message", "evm:0", "hi", password=False)
    assert msg.code == 0, msg.err
    # export-key and show-mnemonic never use the agent
    for cmd in (["export-key", "evm:0"], ["show-mnemonic"], ["change-password"]):
        r = wallet_proc("--yes", *cmd, password=False)
        assert r.code == 3 and "no password available" in r.err, (cmd, r.err)
    assert wallet_proc("agent", "stop", password=False).code == 0
    wait_gone(pid)
    assert not sock.exists()
    dead = nopw_send(wallet_proc, evm, "0.25")
    assert dead.code == 3 and "the agent is not running; start it with wallet agent start" in dead.err
    st = wallet_proc("agent", "status", password=False)
    assert st.code == 3 and "the agent is not running; start it with wallet agent start" in st.err


def test_policy_refusal_via_the_agent_uses_its_own_decode(wallet_proc, agent, evm, home: Path,
                                                          tmp_path: Path) -> None:
    pol = tmp_path / "p.toml"
    pol.write_text('[[rule]]\nnetwork = "local-evm"\nasset = "ETH"\nmax_per_tx = "1"\n')
    r = wallet_proc("--yes", "policy", "set", str(pol), env={"WALLET_RPC_LOCAL_EVM": evm["url"]})
    assert r.code == 0, r.err
    agent("--ttl", "5m")
    refused = nopw_send(wallet_proc, evm, "1.5")
    assert refused.code == 4 and "per-transaction limit on ETH at local-evm is 1; this payment is 1.5" in refused.err
    assert json.loads(refused.err.splitlines()[-1])["code"] == "policy_refused"   # the agent's own code
    # The agent was started in English; a Chinese client reads the refusal in Chinese, with the same code.
    zh_env = {"WALLET_RPC_LOCAL_EVM": evm["url"], "WALLET_LANG": "zh_CN"}
    zh = wallet_proc("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"],
                     "--amount", "1.5", password=False, env=zh_env)
    zh_err = json.loads(zh.err.splitlines()[-1])
    assert zh.code == 4 and zh_err["code"] == "policy_refused" and re.search(r"[\u4e00-\u9fff]", zh_err["error"])
    # A client that lies in its review (amount 0.5) about a tx paying 1.5 is refused by the agent's decode.
    unsigned = _unsigned(evm, "1.5")
    unsigned["amount"] = {"value": str(5 * 10**17), "decimals": 18, "symbol": "ETH"}
    reply = raw_request(home, {"v": 1, "op": "sign_tx", "vault": "default",
                               "account": {"chain": "evm", "address": evm["from"]}, "unsigned": unsigned, "tags": {}})
    assert reply is not None and reply["ok"] is False and reply["error"]["code"] == 4
    assert "its review says" in reply["error"]["message"]
    ok = nopw_send(wallet_proc, evm, "1")
    assert ok.code == 0, ok.err
    run = {"v": 1, "op": "check_run", "vault": "default", "account": {"chain": "evm", "address": evm["from"]}}
    assert raw_request(home, {**run, "unsigned": [_unsigned(evm, "0.5"), _unsigned(evm, "1")]})["ok"] is True
    bad = raw_request(home, {**run, "unsigned": [_unsigned(evm, "0.5"), _unsigned(evm, "1.5")]})
    assert bad["ok"] is False and "this payment is 1.5" in bad["error"]["message"]
    shown = wallet_proc("--json", "policy", "show", password=False)
    assert shown.code == 0 and shown.json()["policy"]["rule"][0]["max_per_tx"] == "1"


def _unsigned(evm: dict[str, str], amount: str) -> dict:
    from chains.base import Account, Amount, Transfer, get_adapter
    from chains.networks import get_network

    os.environ["WALLET_RPC_LOCAL_EVM"] = evm["url"]
    try:
        net = get_network("local-evm", {})
        acct = Account(chain="evm", index=0, path="m/44'/60'/0'/0/0", address=evm["from"], public_key="")
        transfer = Transfer(net, acct, evm["to"], Amount.parse(amount, 18, "ETH"))
        return get_adapter(net).build_transfer(transfer).to_json()
    finally:
        del os.environ["WALLET_RPC_LOCAL_EVM"]


def test_client_killed_mid_request_leaves_a_journalled_tx_that_a_rerun_reconciles(wallet_proc, agent, evm,
                                                                                   home: Path) -> None:
    from wallet_cli.transfer import intent_key

    agent("--ttl", "5m")
    tags = {"idem_key": "payout-7", "intent": intent_key("local-evm", evm["from"], evm["to"], "0.3", None)}
    raw_request(home, {"v": 1, "op": "sign_tx", "vault": "default", "account": {"chain": "evm", "address": evm["from"]},
                       "unsigned": _unsigned(evm, "0.3"), "tags": tags}, read=False)  # the client is gone
    deadline = time.monotonic() + 10
    rows: list = []
    while time.monotonic() < deadline and not rows:
        rows = wallet_proc("--json", "history", password=False).json()
        time.sleep(0.1)
    assert [(r["state"], r["idempotency_key"], r["amount"]) for r in rows] == [("signed", "payout-7", "0.3")]
    before = int(anvil.rpc(evm["url"], "eth_getBalance", [evm["to"], "latest"]), 16)
    again = nopw_send(wallet_proc, evm, "0.3", "--idempotency-key", "payout-7", "--wait")
    assert again.code == 0, again.err
    assert again.json()["txid"] == rows[0]["txid"] and again.json()["replayed"] is True
    after = int(anvil.rpc(evm["url"], "eth_getBalance", [evm["to"], "latest"]), 16)
    assert after - before == 3 * 10**17
    assert int(anvil.rpc(evm["url"], "eth_getTransactionCount", [evm["from"], "latest"]), 16) == 1


def test_ttl_and_idle_lock(wallet_proc, agent, evm, home: Path) -> None:
    pid = agent("--ttl", "3s", "--idle", "1h")
    assert raw_request(home, {"v": 1, "op": "status"})["ttl_left"] <= 3
    wait_gone(pid, timeout=8)
    assert not (home / SOCK).exists()
    pid = agent("--ttl", "1h", "--idle", "3s")
    keepalive = {"v": 1, "op": "sign_message", "vault": "default", "network": "local-evm",
                 "account": {"chain": "evm", "address": evm["from"]}, "message_hex": b"keepalive".hex()}
    started = time.monotonic()
    while time.monotonic() - started < 5:  # signing requests keep it alive past the idle timeout
        reply = raw_request(home, keepalive)
        assert reply is not None and reply["ok"] is True, reply
        assert raw_request(home, {"v": 1, "op": "status"})["ok"] is True
        time.sleep(0.5)
    assert alive(pid)
    deadline = time.monotonic() + 8
    while alive(pid) and time.monotonic() < deadline:  # status polls are not activity: it still locks
        try:
            raw_request(home, {"v": 1, "op": "status"})
        except OSError:
            pass
        time.sleep(0.3)
    assert not alive(pid)
    r = wallet_proc("--yes", "sign-message", "evm:0", "late", password=False)
    assert r.code == 3 and "the agent is not running" in r.err


def test_lock_and_sigterm_wipe_and_exit(wallet_proc, agent, evm, home: Path) -> None:
    pid = agent()
    assert wallet_proc("agent", "lock", password=False).code == 0
    wait_gone(pid)
    pid = agent()
    os.kill(pid, signal.SIGTERM)
    wait_gone(pid)
    assert not (home / SOCK).exists()
    assert wallet_proc("agent", "lock", password=False).code == 3


@pytest.mark.skipif(os.getuid() != 0, reason="switching to another uid needs root")
def test_another_uid_is_refused(wallet_proc, agent, evm, home: Path) -> None:
    agent()
    sock = home / SOCK

    def as_nobody(path: Path) -> str:
        r, w = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the forked child
            os.close(r)
            try:
                os.setgid(65534)
                os.setuid(65534)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(5)
                try:
                    s.connect(str(path))
                    try:
                        s.sendall(b'{"v": 1, "op": "status"}\n')
                    except BrokenPipeError:
                        pass  # the agent answered and closed without reading a stranger's request
                    out = s.recv(65536).decode() or "closed"
                except OSError as e:
                    out = f"oserror {e.errno}"
                os.write(w, out.encode())
            finally:
                os._exit(0)
        os.close(w)
        os.waitpid(child, 0)
        out = os.read(r, 65536).decode()
        os.close(r)
        return out

    import errno

    # The 0700 directory alone keeps another user out.
    assert as_nobody(sock) == f"oserror {errno.EACCES}"
    # Even with every directory on the way and the socket opened up, SO_PEERCRED refuses the other uid.
    opened = [p for p in sock.parents if p != Path("/") and not p.stat().st_mode & 0o001]
    modes = {p: p.stat().st_mode & 0o7777 for p in opened}
    for p in opened:
        p.chmod(modes[p] | 0o011)
    sock.chmod(0o666)
    try:
        reply = json.loads(as_nobody(sock))
    finally:
        for p in opened:
            p.chmod(modes[p])
        sock.chmod(0o600)
    assert reply["ok"] is False and reply["error"] == {"code": 3, "message": "the agent serves only its own user"}
    assert wallet_proc("agent", "status", password=False).code == 0  # its own user still served


@pytest.mark.skipif(os.getuid() != 0, reason="making a home owned by another user needs root")
def test_refuses_a_home_of_another_user(wallet_proc, evm, home: Path) -> None:
    os.chown(home, 65534, 65534)
    try:
        r = wallet_proc("agent", "start")
    finally:
        os.chown(home, 0, 0)
    assert r.code == 3 and "belongs to another user" in r.err


def test_kill_9_leaves_no_secret_on_disk(wallet_proc, agent, evm, home: Path, tmp_path: Path) -> None:
    from keystore import hd

    mnemonic = Path(evm["mnemonic"]).read_text().strip()
    key = hd.derive_private(hd.seed_from_mnemonic(mnemonic, ""), "evm", "m/44'/60'/0'/0/0").hex()
    pid = agent()
    assert nopw_send(wallet_proc, evm, "0.1").code == 0
    os.kill(pid, signal.SIGKILL)
    wait_gone(pid)
    needles = [mnemonic.encode(), mnemonic.split()[0].encode() + b" " + mnemonic.split()[1].encode(),
               key.encode(), bytes.fromhex(key)]
    scanned = 0
    # The home and everything else this test wrote, and the agent's working directory (/), where a core
    # file would go (the agent turns them off; SIGKILL never dumps one anyway).
    files = [Path(d) / n for d, _, names in os.walk(tmp_path, onerror=lambda _e: None) for n in names]
    files += [p for p in Path("/").glob("core*") if p.is_file()]
    for p in files:
        try:
            if p.is_symlink() or not p.is_file() or p == Path(evm["mnemonic"]):
                continue
            data = p.read_bytes()
        except OSError:
            continue
        scanned += 1
        assert not any(n in data for n in needles), f"a secret is in {p}"
    assert scanned > 3  # the vault, the journal and its WAL at least
    # The socket it left behind is stale: handled, and the next send says how to start an agent.
    r = nopw_send(wallet_proc, evm, "0.1")
    assert r.code == 3 and "the agent is not running; start it with wallet agent start" in r.err
    assert not (home / SOCK).exists()


@pytest.fixture(scope="module")
def svm():
    from devnet import sol_sandbox

    with sol_sandbox.Sandbox() as sb:
        yield sb


def test_solana_send_and_wait_through_the_agent(wallet_proc, new_funded_vault, svm, home: Path,
                                                tmp_path: Path) -> None:
    sol = new_funded_vault("sol", svm.url, "2")
    env = {"WALLET_RPC_LOCAL_SOL": svm.url}
    pol = tmp_path / "p.toml"
    pol.write_text('[[rule]]\nnetwork = "local-sol"\nasset = "SOL"\nmax_per_tx = "0.5"\n')
    assert wallet_proc("--yes", "policy", "set", str(pol), env=env).code == 0
    r = wallet_proc("--json", "agent", "start", env=env)
    assert r.code == 0, r.err
    pid = r.json()["pid"]
    try:
        def send(amount: str):
            return wallet_proc("--json", "--yes", "send", "--network", "local-sol", "--from", "sol:0", "--to",
                               sol["to"], "--amount", amount, "--wait", password=False, env=env)

        ok = send("0.5")
        assert ok.code == 0 and ok.json()["state"] == "confirmed", ok.err
        over = send("0.500000001")
        assert over.code == 4 and "per-transaction limit on SOL at local-sol is 0.5" in over.err
    finally:
        os.kill(pid, signal.SIGTERM)


@pytest.fixture(scope="module")
def regtest():
    import devnet.btc_sandbox as btc

    with btc.Sandbox() as sb:
        yield sb


def test_bitcoin_send_through_the_agent_decodes_the_psbt(wallet_proc, new_funded_vault, regtest, home: Path,
                                                         tmp_path: Path) -> None:
    url = new_funded_vault("btc", regtest.url, "1")["url"]
    env = {"WALLET_RPC_LOCAL_BTC": url}
    to = wallet_proc("--json", "address", "btc:1", "--network", "local-btc", password=False, env=env).json()["address"]
    pol = tmp_path / "p.toml"
    pol.write_text('[[rule]]\nnetwork = "local-btc"\nasset = "BTC"\nmax_per_tx = "0.1"\n')
    assert wallet_proc("--yes", "policy", "set", str(pol), env=env).code == 0
    r = wallet_proc("--json", "agent", "start", env=env)
    assert r.code == 0, r.err
    pid = r.json()["pid"]
    try:
        def send(amount: str):
            return wallet_proc("--json", "--yes", "send", "--network", "local-btc", "--from", "btc:0", "--to", to,
                               "--amount", amount, "--fee-rate", "2", password=False, env=env)

        over = send("0.10000001")
        assert over.code == 4 and "per-transaction limit on BTC at local-btc is 0.1; this payment is 0.10000001" \
            in over.err, over.err
        ok = send("0.1")   # the change output goes back to the wallet and is not counted
        assert ok.code == 0, ok.err
    finally:
        os.kill(pid, signal.SIGTERM)
