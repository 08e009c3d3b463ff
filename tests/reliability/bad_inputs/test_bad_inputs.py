"""The generated bad-input suite: hundreds of wrong arguments, files and settings across every command.

Each case must end with a documented exit code other than 1 (1 means a bug), within 20 s, with no
traceback, and with stderr holding exactly one sentence (see `sentence_problem`). Most cases run
in-process against one restored vault per module (fast); cases whose failure mode is a hang (a FIFO,
/dev/zero) run in a forked child process, killed after 20 s and under an address-space limit. Every network points
at a closed local port, so a case that reaches the network fails fast instead of leaving the machine.
tests/conftest.py prints the counts: cases, exit-1s, tracebacks, hangs.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.bad_inputs.cases import CASES, Case

ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
CAP_SECONDS = 20
WEAK_KDF = re.compile(r"warning: vault '\w+' uses the weak test KDF; never keep real funds in it")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What leaks an exception instead of a reason: class names, errno tags, bare "(SomeName)" suffixes.
EXC_NAME = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b|\[Errno -?\d+\]|\([A-Z][a-z]+(?:[A-Z][a-z]*)+\)|"
                      r"\(Minreq\)|Traceback|this is a bug")


def sentence_problem(err: str) -> str | None:
    """None when stderr is one sentence, else what is wrong with it.

    One sentence means: exactly one non-blank line (besides the weak-test-KDF warning every test vault
    causes, and only that warning); it starts with "error: " followed by at least two words;
    it holds no control character (C0, C1, DEL, bidi overrides); it names no exception class, errno tag or
    "(ClassName)" suffix; and it is at most 600 characters (one line a person reads, not a dump).
    """
    lines = [ln for ln in err.splitlines() if ln.strip() and not WEAK_KDF.fullmatch(ln)]
    if len(lines) != 1:
        return f"{len(lines)} non-blank lines"
    text = lines[0]
    if not text.startswith("error: ") or len(text[7:].split()) < 2:
        return "not an 'error: <sentence>' line"
    if CONTROL.search(text):
        return "a raw control character"
    if EXC_NAME.search(text):
        return f"names an exception instead of a reason: {EXC_NAME.search(text).group(0)!r}"  # type: ignore[union-attr]
    if len(text) > 600:
        return f"{len(text)} characters"
    return None




def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# JSON with a plausible shape and wrong content (json6.. in the fixture).
SHAPED = [
    '{"types": {"EIP712Domain": []}, "primaryType": "X", "domain": {}, "message": {}}',
    '{"types": {"EIP712Domain": [{"name": "chainId", "type": "uint256"}], "Mail": [{"name": "to", "type": "address"}]},'
    ' "primaryType": "Mail", "domain": {"chainId": "x"}, "message": {"to": "0x12"}}',
    '{"kind": "signed", "family": "evm", "network": "local-evm", "txid": "0x12", "raw": "zz"}',
    '{"kind": "signed", "family": "doge", "network": "nope", "txid": "x", "raw": "00"}',
    '{"version": 3, "crypto": {"cipher": "aes-128-ctr", "kdf": "scrypt", "kdfparams": {"n": 1e30}}}',
    '{"kind": "signed", "family": "sol", "network": "local-sol", "txid": "x", "raw": "AAAA", "amount": [1]}',
]


class _Hang(BaseException):
    """Raised by the alarm: a BaseException, so the CLI's own handler cannot turn it into an exit code."""


def _run_inproc(argv: list[str], stdin: str) -> tuple[int | None, str, str]:
    from wallet_cli import session
    from wallet_cli.main import main

    session._unlocked.clear()
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)

    def on_alarm(*_: Any) -> None:
        raise _Hang

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(CAP_SECONDS)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code: int | None = main(argv)
    except _Hang:
        code = None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def _run_child(argv: list[str], stdin: str, env: dict[str, str]) -> tuple[int | None, str, str]:
    """Run the CLI in a forked child process (no interpreter start-up), killed after CAP_SECONDS.

    The child gets its own stdin/stdout/stderr files and an address-space limit: without a size cap,
    reading /dev/zero would otherwise eat the shared machine's memory within the 20 s.
    """
    import resource
    import tempfile

    from wallet_cli.main import main

    files = [tempfile.TemporaryFile() for _ in range(3)]
    files[0].write(stdin.encode())
    files[0].seek(0)
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 99
        try:
            vm = next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmSize:")) << 10
            resource.setrlimit(resource.RLIMIT_AS, (vm + (1 << 30), vm + (1 << 30)))
            for fd, f in enumerate(files):
                os.dup2(f.fileno(), fd)
            sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
            os.environ.update(env)
            code = main(argv)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    deadline = time.monotonic() + CAP_SECONDS
    status: int | None = None
    while time.monotonic() < deadline:
        done, wstatus = os.waitpid(pid, os.WNOHANG)
        if done:
            status = wstatus
            break
        time.sleep(0.01)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    texts = []
    for f in files[1:]:
        f.seek(0)
        texts.append(f.read().decode("utf-8", "replace"))
        f.close()
    files[0].close()
    code = os.waitstatus_to_exitcode(status) if status is not None else None
    return code, texts[0], texts[1]


def _build_commands_once(mp: pytest.MonkeyPatch) -> None:
    """Build the click commands once per module instead of once per case (typer spends ~40 ms on each).

    click commands hold no per-run state (that lives in the Context), so reusing them runs the same code.
    """
    from wallet_cli import app

    root = app.command()
    mp.setattr(app, "command", lambda: root)
    built: dict[str, Any] = {}
    original = app.LazyGroup.get_command

    def get_command(self: Any, ctx: Any, name: str) -> Any:
        if name not in built:
            built[name] = original(self, ctx, name)
        return built[name]

    mp.setattr(app.LazyGroup, "get_command", get_command)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One restored vault, the bad files, and every network pointed at a closed local port."""
    from chains.networks import builtin_networks, env_rpc_var

    base = tmp_path_factory.mktemp("bad-inputs")
    mp = pytest.MonkeyPatch()
    _build_commands_once(mp)
    dead = f"http://127.0.0.1:{_closed_port()}"
    for name in builtin_networks():
        mp.setenv(env_rpc_var(name), dead)
    mp.setenv("XDG_DATA_HOME", str(base / "xdg"))
    mp.setenv("HOME", str(base / "userhome"))
    for var in ("WALLET_HOME", "WALLET_PASSWORD", "WALLET_PASSWORD_FILE", "WALLET_VAULT"):
        mp.delenv(var, raising=False)
    f = base / "files"
    f.mkdir()
    pw = f / "pw.txt"
    pw.write_text("correct horse battery staple\n")
    pw.chmod(0o600)
    (f / "mnemonic.txt").write_text(ABANDON + "\n")
    (f / "dir").mkdir()
    (f / "bin").write_bytes(bytes(range(256)) * 4)
    with open(f / "huge", "wb") as fh:
        fh.truncate(64 << 20)  # sparse: costs no disk, but 64 MiB to anyone who reads it whole
    (f / "deep").write_text("[" * 100_000 + "]" * 100_000)
    (f / "badutf8").write_bytes(b"\xff\xfe\xfa not utf-8 \xc3\x28\n")
    os.mkfifo(f / "fifo")
    for j, doc in enumerate(['{"a": 1', "[]", "null", '"x"', '{"types": 1}', "1e999999", *SHAPED]):
        (f / f"json{j}").write_text(doc)
    (f / "keystore.json").write_text('{"version": 3, "crypto": {}}')
    subs = {"pw": str(pw), "mnemonic": str(f / "mnemonic.txt"), "missing": str(f / "missing"),
            "dir": str(f / "dir"), "bin": str(f / "bin"), "huge": str(f / "huge"), "deep": str(f / "deep"),
            "badutf8": str(f / "badutf8"), "devnull": "/dev/null", "fifo": str(f / "fifo"), "zero": "/dev/zero",
            "keystore": str(f / "keystore.json"), "nul": str(f / "a\x00b"),
            **{f"json{j}": str(f / f"json{j}") for j in range(6 + len(SHAPED))}}
    home = base / "home"
    code, out, err = _run_inproc(["--json", "--home", str(home), "--password-file", str(pw), "restore"],
                                 ABANDON + "\n")
    assert code == 0, err
    import json

    for acct in json.loads(out)["accounts"]:
        subs.setdefault(acct["ref"].replace(":", ""), acct["address"])
    yield {"base": base, "home": home, "pw": pw, "subs": subs, "dead": dead}
    mp.undo()


def _fresh_home(world: Any, kind: str, cid: str) -> tuple[Path, dict[str, str]]:
    """A home holding one kind of damage (a copy of the vault home, so unlock still works)."""
    import shutil

    home = world["base"] / "homes" / cid
    shutil.copytree(world["home"], home)
    env: dict[str, str] = {}
    cfg, db = home / "config.toml", home / "wallet.db"
    if kind.startswith("env:"):
        env["WALLET_RPC_LOCAL_EVM"] = kind[4:]
    elif kind == "config-garbage":
        cfg.write_text("[networks\nx = = 1\n")
    elif kind == "config-binary":
        cfg.write_bytes(bytes(range(256)))
    elif kind == "config-huge":
        with open(cfg, "wb") as fh:
            fh.truncate(64 << 20)
    elif kind == "config-dir":
        cfg.mkdir()
    elif kind == "config-fifo":
        os.mkfifo(cfg)
    elif kind == "config-badnet":
        cfg.write_text('[networks.x]\nfamily = "evm"\nrpc_url = "http://[::1"\nchain_id = "one"\n')
    elif kind == "db-garbage":
        db.write_bytes(b"this is not a database" * 100)
        for side in ("-wal", "-shm"):  # else sqlite may read page 1 from a surviving WAL
            (home / f"wallet.db{side}").unlink(missing_ok=True)
    elif kind == "db-readonly":
        _run_inproc(["--home", str(home), "history"], "")
        db.chmod(0o400)
    elif kind == "db-dir":
        db.unlink(missing_ok=True)
        db.mkdir()
    elif kind == "db-truncated":
        _run_inproc(["--home", str(home), "contacts", "add", "c", world["subs"]["evm0"]], "")
        data = db.read_bytes()
        for side in ("-wal", "-shm"):
            (home / f"wallet.db{side}").unlink(missing_ok=True)
        db.write_bytes(data[:1000])  # the header survives, the first page does not
    if cfg.is_file():
        cfg.chmod(0o600)
    return home, env


def _case_argv(case: Case, world: Any, monkeypatch: pytest.MonkeyPatch, cid: str) -> tuple[list[str], dict]:
    """The case's argv in its home (the shared one, or a fresh damaged one whose env is set here)."""
    home, env = world["home"], {}
    if case.home != "vault":
        home, env = _fresh_home(world, case.home, cid)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    subs = world["subs"]
    args = [re.sub(r"\{(\w+)\}", lambda m: subs.get(m.group(1), m.group(0)), a) for a in case.argv]
    return ["--home", str(home)] + (["--password-file", str(world["pw"])] if case.password else []) + args, env


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, world: Any, record_property: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    argv, env = _case_argv(case, world, monkeypatch, case.id)
    start = time.monotonic()
    if case.proc:
        code, out, err = _run_child(argv, case.stdin, env)
    else:
        code, out, err = _run_inproc(argv, case.stdin)
    took = time.monotonic() - start
    problem = sentence_problem(err)
    outcome = ("hang" if code is None else "exit-1" if code == 1 else "traceback" if "Traceback" in err
               else "exit-0" if code == 0 else "sentence" if problem else "ok")
    record_property("bad_input", outcome)
    assert code is not None, f"hung past {CAP_SECONDS} s"
    assert "Traceback" not in err + out, err
    assert code not in (0, 1), f"exit {code}: {err.strip()[:500]}"
    assert code in (2, 3, 4, 5, 130), f"undocumented exit {code}"
    assert problem is None, f"{problem}: {err.strip()[:500]!r}"
    assert took < CAP_SECONDS


# Every in-process case again in Chinese: still one sentence, now a Chinese one (tests/cli/test_i18n_cli.py
# says what counts as English left behind). The child-process cases are hangs, whose messages are here too.
ZH_CASES = [c for c in CASES if not c.proc]


@pytest.mark.parametrize("case", ZH_CASES, ids=[c.id for c in ZH_CASES])
def test_bad_input_in_chinese(case: Case, world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.test_i18n_cli import english_sentences

    monkeypatch.setenv("WALLET_LANG", "zh_CN")
    argv, _env = _case_argv(case, world, monkeypatch, case.id + "-zh")
    code, out, err = _run_inproc(argv, case.stdin)
    lines = [ln for ln in err.splitlines() if ln.strip() and not (ln.startswith("警告：") and "KDF" in ln)]
    assert code in (2, 3, 4, 5, 130), f"exit {code}: {err.strip()[:500]}"
    assert len(lines) == 1 and lines[0].startswith("错误："), err
    assert not english_sentences(lines[0]), lines[0]


def test_enough_cases() -> None:
    assert len(CASES) >= 300
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("text, ok", [
    ("error: the file x does not exist\n", True),
    ("error: cannot read x (IsADirectoryError)\n", False),
    ("error: connection refused [Errno 111]\n", False),
    ("warning: w\nerror: two lines here\n", False),
    ("error: ok words \x1b[8m\n", False),
    ("error: unexpected ValueError; this is a bug\n", False),
    ("error: x\n", False),
    ("error: the sync failed (MiniscriptPsbt)\n", False),
])
def test_sentence_definition(text: str, ok: bool) -> None:
    assert (sentence_problem(text) is None) == ok
