"""Issue 8 items 16-18 and the smaller ones: known conditions get their documented exit code and one
sentence (never exit 1), and the journal and config stay private and tidy."""

from __future__ import annotations

import errno
import json
import os
import socket
import sqlite3
import stat
from pathlib import Path

import pytest

from wallet_cli import errors


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip() and "weak test KDF" not in ln]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Error" not in lines[0] and "Errno" not in lines[0] and "this is a bug" not in lines[0], err
    return lines[0]


def _journal(cli, home: Path) -> Path:
    assert cli("history").code == 0
    return home / "wallet.db"


def test_a_damaged_journal_names_the_file(cli, home: Path) -> None:
    db = _journal(cli, home)
    db.write_bytes(b"not a database at all" * 200)
    for side in ("-wal", "-shm"):
        Path(f"{db}-{side[1:]}").unlink(missing_ok=True)
    r = cli("history")
    assert r.code == 4
    assert f"the journal {db} cannot be used (it is damaged" in one_error_line(r.err)


def test_a_journal_that_is_a_directory(cli, home: Path) -> None:
    home.mkdir(mode=0o700)
    (home / "wallet.db").mkdir()
    r = cli("contacts", "list")
    assert r.code == 4
    assert "wallet.db" in one_error_line(r.err)


def test_new_journal_is_private_even_under_umask_000(cli, home: Path) -> None:
    old = os.umask(0)
    try:
        db = _journal(cli, home)
        assert cli("contacts", "add", "bob", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94").code == 0
    finally:
        os.umask(old)
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if p.exists():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_a_journal_left_0644_by_a_killed_run_is_tightened(cli, home: Path) -> None:
    home.mkdir(mode=0o700)
    db = home / "wallet.db"
    sqlite3.connect(db).close()  # what a kill between sqlite's create and our chmod left behind
    db.chmod(0o644)
    assert cli("history").code == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


@pytest.mark.parametrize("limit", ["0", "-1", str(2**63), "9" * 30])
def test_history_limit_out_of_range_is_usage(cli, limit: str) -> None:
    r = cli("history", "--limit", limit)
    assert r.code == 2
    one_error_line(r.err)


@pytest.mark.parametrize("chains", ["doge", "", "evm,doge"])
def test_demo_and_devnet_refuse_unknown_or_no_chains(cli, chains: str) -> None:
    for cmd in (("demo", "--chains", chains), ("devnet", "up", "--chains", chains)):
        r = cli(*cmd)
        assert r.code == 2, (cmd, r.err)
        assert "no sandbox for" in one_error_line(r.err)


def test_a_sandbox_that_cannot_start_says_why(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", f"http://127.0.0.1:{port}")
        r = cli("devnet", "up", "--chains", "evm")
    assert r.code == 5
    assert f"the evm sandbox cannot start: anvil did not start: 127.0.0.1:{port} is already in use" \
        in one_error_line(r.err)


@pytest.mark.parametrize("url", ["http://", "http://[::1", "http://host:notaport", "http://h:99999",
                                 "ftp://x", "http://user:s3cret pass@host", "https://user:s3cret@[/]"])
def test_malformed_rpc_urls_are_refused_without_echoing_them(cli, url: str) -> None:
    r = cli("networks", "add", "mine", "--no-verify", "--rpc-url", url, "--chain-id", "5")
    assert r.code == 2
    line = one_error_line(r.err)
    assert "not a valid http(s) URL" in line and "s3cret" not in line


def test_a_malformed_url_in_config_names_the_network(cli, home: Path) -> None:
    home.mkdir(mode=0o700)
    cfg = home / "config.toml"
    cfg.write_text('[networks.mine]\nfamily = "evm"\nchain_id = 5\nrpc_url = "http://[::1"\n')
    cfg.chmod(0o600)
    r = cli("networks", "list")
    assert r.code == 2
    assert "network 'mine': rpc_url is not a valid http(s) URL" in one_error_line(r.err)


def test_config_temp_files_of_killed_writers_are_cleaned_on_the_next_write(cli, home: Path) -> None:
    home.mkdir(mode=0o700)
    stale = home / ".tmp-config.toml.0123456789abcdef"
    stale.write_text("half a config")
    other = home / ".tmp-unrelated.0123456789abcdef"
    other.write_text("not ours to remove")
    assert cli("networks", "add", "mine", "--no-verify", "--rpc-url", "http://127.0.0.1:1", "--chain-id", "5").code == 0
    assert not stale.exists()
    assert other.exists()


def test_a_full_or_locked_journal_says_so(tmp_path: Path) -> None:
    from wallet_cli.journal import JournalDamaged, _readable

    db = tmp_path / "wallet.db"
    for text, words in ((sqlite3.OperationalError("database or disk is full"), "no space left on the device"),
                        (sqlite3.OperationalError("database is locked"), "is locked by another wallet process")):
        with pytest.raises(JournalDamaged, match=words), _readable(db):
            raise text


def test_a_full_disk_is_a_sentence_not_an_errno() -> None:
    with pytest.raises(OSError) as info, open("/dev/full", "wb", buffering=0) as fh:
        fh.write(b"x")
    e = info.value
    e.filename = "/home/u/.wallet/config.toml"
    assert e.errno == errno.ENOSPC
    assert errors.exit_code_for(e) == errors.REFUSED
    assert errors.message_for(e) == "no space left on device (/home/u/.wallet/config.toml)"
    assert errors.exit_code_for(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")) == 5
    assert errors.message_for(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")) == \
        "the network connection failed: connection refused"


def test_urllib_errors_are_network_failures_in_words() -> None:
    import urllib.error

    e = urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"))
    assert errors.exit_code_for(e) == errors.NETWORK
    assert errors.message_for(e) == "the network request failed: connection refused"


def test_keyring_remember_does_not_wait_on_the_backends_prompt(cli, restored, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    from wallet_cli.commands import keyring_cmd

    # Only the child may load the blocking backend: this process keeps (and later tests reuse) its own.
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.get_keyring())
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "blocking_keyring.Blocking")
    monkeypatch.setattr(keyring_cmd, "BACKEND_DEADLINE", 3.0)
    r = cli("keyring", "remember")
    assert r.code == 3
    assert "the OS keyring did not answer within 3 s" in one_error_line(r.err)


class _GarbageRpc:
    """A JSON-RPC server on loopback: the right chain id, then `value` as every other result."""

    def __init__(self, value: object) -> None:
        import http.server
        import json
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(h) -> None:  # noqa: N805
                req = json.loads(h.rfile.read(int(h.headers["Content-Length"])))
                reqs = req if isinstance(req, list) else [req]
                out = [{"jsonrpc": "2.0", "id": r["id"],
                        "result": "0x7a69" if r["method"] == "eth_chainId" else value} for r in reqs]
                body = json.dumps(out if isinstance(req, list) else out[0]).encode()
                h.send_response(200)
                h.send_header("Content-Type", "application/json")
                h.send_header("Content-Length", str(len(body)))
                h.end_headers()
                h.wfile.write(body)

            def log_message(h, *args: object) -> None:  # noqa: N805
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.mark.parametrize("value", ["0xzz", "-1", "0x-1", True, None, "0x" + "f" * 65, 2**300, "12abc"])
def test_rpc_quantities_that_are_not_numbers_are_exit_5(cli, restored, monkeypatch: pytest.MonkeyPatch,
                                                         value: object) -> None:
    rpc = _GarbageRpc(value)
    try:
        monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", rpc.url)
        r = cli("balance", "evm:0", "-n", "local-evm")
    finally:
        rpc.server.shutdown()
    assert r.code == 5, r.err
    assert "where a number was expected" in one_error_line(r.err)


def test_a_read_only_journal_is_named(tmp_path: Path) -> None:
    # Root ignores file modes, so make sqlite itself refuse: a read-only connection, a real sqlite error.
    from wallet_cli.journal import JournalDamaged, _readable

    db = tmp_path / "wallet.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE t (x)")
    ro = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with pytest.raises(JournalDamaged, match=rf"^the journal {db} cannot be used \(it is read-only\)") as e, \
            _readable(db):
        ro.execute("INSERT INTO t VALUES (1)")
    assert errors.exit_code_for(e.value) == errors.REFUSED
    ro.close()


def test_a_config_nested_too_deeply_is_a_usage_error_not_a_bug(wallet_proc, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    cfg.write_text("a=" + "[" * 5000 + "]" * 5000 + "\n")
    cfg.chmod(0o600)
    r = wallet_proc("--json", "networks", "list", password=False)   # a process of its own: no cached config
    assert r.code == 2, r.err
    assert json.loads(r.err.splitlines()[-1])["code"] == "usage_error" and "nests too deeply" in r.err
