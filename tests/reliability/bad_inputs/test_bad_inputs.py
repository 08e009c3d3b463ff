"""The generated bad-input suite: hundreds of wrong arguments, files and settings across every command.

Each case must end with a documented exit code other than 1 (1 means a bug), within 20 s, with no
traceback, and with stderr holding exactly one sentence (see `sentence_problem`). Most cases run
in-process against one restored vault per module (fast); cases whose failure mode is a hang (a FIFO,
/dev/zero) run in a forked child process, killed after 20 s and under an address-space limit. Every network points
at a closed local port, so a case that reaches the network fails fast instead of leaving the machine.
conftest.py prints the counts: cases, exit-1s, tracebacks, hangs.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    stdin: str = ""
    proc: bool = False                  # run in a child process (a hang or memory blow-up must not stop us)
    home: str = "vault"                 # "vault": the shared restored home; else a fresh home of this kind
    password: bool = True


def _cases() -> list[Case]:
    out: list[Case] = []

    def add(cid: str, *argv: str, **kw: Any) -> None:
        out.append(Case(cid, tuple(argv), **kw))

    # Amounts: every family, sent from the vault's own account to its own address (fails before any RPC).
    amounts = ["1e3", "-1", "NaN", "nan", "inf", "0x10", "١٢", "١.٥", "9" * 79, "1,5", "", " ", "0", "0.000",
               "1.2.3", "+1", "1_000", "1 000", "½", ".", "0." + "0" * 30 + "1", "1e-3", "[/]", "\x1b[8m1"]
    for fam in ("evm", "btc", "sol", "tron"):
        for i, a in enumerate(amounts):
            add(f"send-amount-{fam}-{i}", "--yes", "send", "-n", f"local-{fam}", "--from", f"{fam}:0",
                "--to", f"{{{fam}0}}", "--amount", a)
    for i, a in enumerate(["-1", "NaN", "1e3", "0x10", "", "١"]):
        add(f"fund-amount-{i}", "devnet", "fund", "evm:0", "--amount", a, "-n", "local-evm")

    # Recipients: bad addresses of every family on every family's network.
    bad_to = {
        "evm": ["0x123", "0x" + "g" * 40, "0x9858efFD232B4033E47d90003D41EC34EcaEda94", "0x" + "1" * 42,
                "9858EfFD232B4033E47d90003D41EC34EcaEda9", "0x", "[and authorise 0xdEaD]", "\u202e0xdead",
                "\x1b[8m0x9858", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"],
        "btc": ["bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
                "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "bcrt1", "bcrt1" + "q" * 90, "[/]",
                "0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "\x00"],
        "sol": ["0OIl", "1" * 60, "11111111111111111111111111111111111", "[/]", "\x07bell",
                "0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4"],
        "tron": ["T123", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94",
                 "41" + "00" * 20, "T" + "1" * 33, "[/]", "\u202eTR7NHq"],
    }
    mainnet_only = {"bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"}
    for fam, addrs in bad_to.items():
        for i, a in enumerate(addrs):
            add(f"send-to-{fam}-{i}", "--yes", "send", "-n", f"local-{fam}", "--from", f"{fam}:0", "--to", a,
                "--amount", "1")
            if a not in mainnet_only or fam != "btc":  # a contact has no network: valid on mainnet is valid
                add(f"contacts-add-{fam}-{i}", "contacts", "add", f"c{i}", a, "--chain", fam)
    for i, a in enumerate(["", "0x12", "zz", "[/]"]):
        add(f"verify-addr-evm-{i}", "verify-message", a, "0x" + "11" * 65, "hello")
        add(f"verify-addr-sol-{i}", "verify-message", a, "1" * 88, "hello", "--chain", "sol")

    # Account references.
    refs = ["evm:999", "evm:-1", "evm:x", "doge:0", "", "no-such-label", "0xdead", "[/]", "\x1b[8m", "evm:" + "9" * 40]
    for i, r in enumerate(refs):
        add(f"ref-send-{i}", "--yes", "send", "-n", "local-evm", "--from", r, "--to", "{evm0}", "--amount", "1")
        add(f"ref-balance-{i}", "balance", r, "-n", "local-evm")
        add(f"ref-address-{i}", "address", r)
        add(f"ref-export-key-{i}", "--yes", "export-key", r)
        add(f"ref-sign-message-{i}", "--yes", "sign-message", r, "hi")
        add(f"ref-label-{i}", "accounts", "label", r, "x")
        add(f"ref-xpub-{i}", "export-xpub", r)

    # Networks.
    nets = ["nope", "", "ETHEREUM", "[/]", "local-evm\x1b", "../x", "local-sol\u202e"]
    for i, n in enumerate(nets):
        add(f"net-send-{i}", "--yes", "send", "-n", n, "--from", "evm:0", "--to", "{evm0}", "--amount", "1")
        add(f"net-balance-{i}", "balance", "evm:0", "-n", n)
        add(f"net-xpub-{i}", "export-xpub", "btc:0", "-n", n)
        add(f"net-tx-status-{i}", "tx", "status", "0x" + "ab" * 32, "-n", n)
        add(f"net-fund-{i}", "devnet", "fund", "evm:0", "--amount", "1", "-n", n)
        add(f"net-psbt-{i}", "--yes", "psbt", "sign", "{bin}", "-n", n)
    for i, n in enumerate(["ethereum", "solana", "local-evm"]):  # not btc networks where btc is needed
        add(f"net-wrong-family-{i}", "export-xpub", "btc:0", "-n", n)

    # Files: every file argument, every kind of bad file. FIFO and /dev/zero in a child process.
    file_args = {
        "password-file": ("--password-file", "{F}", "accounts", "label", "evm:0", "x"),
        "mnemonic-file": ("restore", "--name", "other", "--mnemonic-file", "{F}"),
        "passphrase-file": ("restore", "--name", "other2", "--mnemonic-file", "{mnemonic}", "--passphrase-file",
                            "{F}"),
        "new-password-file": ("change-password", "--new-password-file", "{F}"),
        "key-file": ("import-key", "evm", "--key-file", "{F}"),
        "keystore": ("import-keystore", "{F}", "--keystore-password-file", "{pw}"),
        "keystore-password-file": ("import-keystore", "{keystore}", "--keystore-password-file", "{F}"),
        "typed-data": ("--yes", "sign-typed-data", "evm:0", "{F}"),
        "psbt": ("--yes", "psbt", "sign", "{F}", "-n", "regtest-none"),
        "psbt-regtest": ("--yes", "psbt", "sign", "{F}", "-n", "local-btc"),
        "tx-file": ("broadcast", "{F}"),
        "tx-file-btc": ("broadcast", "{F}", "-n", "local-btc"),
        "message-file": ("--yes", "sign-message", "evm:0", "--file", "{F}"),
        "verify-file": ("verify-message", "{evm0}", "0x" + "11" * 65, "--file", "{F}"),
    }
    kinds = ["missing", "dir", "bin", "huge", "deep", "badutf8", "devnull"]
    for what, argv in file_args.items():
        # Any bytes are a message: binary, deep or non-UTF-8 files are fine to sign.
        for k in kinds if "message" not in what and "verify" not in what else ["missing", "dir", "huge"]:
            add(f"file-{what}-{k}", *(a.replace("{F}", f"{{{k}}}") for a in argv),
                password="password-file" != what)
        for k in ("fifo", "zero"):
            add(f"file-{what}-{k}", *(a.replace("{F}", f"{{{k}}}") for a in argv), proc=True,
                password="password-file" != what)
        if what in ("typed-data", "tx-file", "keystore"):
            for j in range(6):  # the json0..json5 documents the fixture writes
                add(f"file-{what}-json-{j}", *(a.replace("{F}", f"{{json{j}}}") for a in argv))

    # Numbers.
    for i, v in enumerate(["0", "-1", "abc", "9" * 30, "1.5", "100000"]):
        add(f"derive-count-{i}", "accounts", "derive", "--chain", "evm", "--count", v)
    for i, v in enumerate(["13", "0", "-12", "9" * 30, "x"]):
        add(f"init-words-{i}", "init", "--name", "w", "--mnemonic-out", "{missing}", "--words", v)
    for i, v in enumerate(["-1", "x", "9" * 30, str(2**63), str(2**64)]):
        add(f"history-limit-{i}", "history", "--limit", v)
    for i, v in enumerate(["5", "-1", "x", "9" * 30]):
        add(f"bump-{i}", "tx", "speed-up", "0x" + "ab" * 32, "--bump", v)
        add(f"cancel-bump-{i}", "tx", "cancel", "0x" + "ab" * 32, "--bump", v)
    send_opts = [("--nonce", "-1"), ("--nonce", "x"), ("--nonce", str(2**64)), ("--gas-limit", "1"),
                 ("--gas-limit", str(2**63)), ("--max-fee", "NaN"), ("--max-fee", "-1"), ("--max-fee", "1e9"),
                 ("--priority-fee", "abc"), ("--fee-rate", "NaN"), ("--fee-rate", "-1"), ("--fee-rate", "0x10"),
                 ("--target-blocks", "0"), ("--target-blocks", "5000"), ("--timeout", "nan"),
                 ("--timeout", "-1"), ("--commitment", "bogus"), ("--token", "[/]"), ("--token", "NOPE")]
    for i, (opt, v) in enumerate(send_opts):
        add(f"send-opt-{i}", "--yes", "send", "-n", "local-evm", "--from", "evm:0", "--to", "{evm0}",
            "--amount", "1", opt, v)
    for i, v in enumerate(["0", "-1", "x", "9" * 100]):
        add(f"networks-add-chain-id-{i}", "networks", "add", "n1", "--rpc-url", "http://127.0.0.1:1",
            "--chain-id", v)
    for i, (opt, v) in enumerate([("--decimals", "99"), ("--decimals", "-1"), ("--fee-cap", "-1"),
                                  ("--fee-cap", "NaN"), ("--kind", "moon"), ("--family", "doge"),
                                  ("--family", "btc")]):
        add(f"networks-add-opt-{i}", "networks", "add", "n2", "--rpc-url", "http://127.0.0.1:1",
            "--chain-id", "5", opt, v)

    # Malformed URLs, as arguments and as environment overrides.
    urls = ["http://", "http://[::1", "http://host:notaport", "ftp://x", "http://h:99999", "javascript:alert(1)",
            "http://\x00host", "", "http:// space", "http://user:pa ss@host:x", "https://[/]", "http://%zz"]
    for i, u in enumerate(urls):
        add(f"networks-add-url-{i}", "networks", "add", "n3", "--rpc-url", u, "--chain-id", "5")
        if "\x00" not in u:  # the environment cannot hold a NUL
            add(f"env-url-evm-{i}", "balance", "evm:0", "-n", "local-evm", home=f"env:{u}")
    # Transaction ids.
    for i, t in enumerate(["nothex", "0x12", "", "[/]", "0x" + "zz" * 32, "\x1b[2J"]):
        add(f"txid-status-{i}", "tx", "status", t)
        add(f"txid-cancel-{i}", "tx", "cancel", t, "-n", "local-evm")
    # Keys, descriptors, signatures, chains.
    for i, k in enumerate(["0x12", "", "zz", "0x" + "f" * 64, "0x" + "1" * 65, "[/]"]):
        add(f"import-key-evm-{i}", "import-key", "evm", stdin=k)
        add(f"import-key-sol-{i}", "import-key", "sol", stdin=k)
        add(f"import-key-btc-{i}", "import-key", "btc", stdin=k)
    for i, x in enumerate(["xpub123", "", "tpubD6NzVbkrYhZ4", "wpkh([00000000/84h/1h/0h]tpub)#xxxx", "[/]"]):
        add(f"import-xpub-{i}", "import-xpub", x, "-n", "local-btc")
    for i, s in enumerate(["0x12", "nothex", "", "0x" + "zz" * 65]):
        add(f"verify-sig-evm-{i}", "verify-message", "{evm0}", s, "hello")
        add(f"verify-sig-sol-{i}", "verify-message", "{sol0}", s, "hello", "--chain", "sol")
    for i, c in enumerate(["doge", "", "EVM", "evm,doge"]):
        add(f"demo-chains-{i}", "demo", "--chains", c)
        add(f"devnet-up-{i}", "devnet", "up", "--chains", c)
        add(f"derive-chain-{i}", "accounts", "derive", "--chain", c)
        add(f"import-key-chain-{i}", "import-key", c, stdin="0x" + "11" * 32)
    # Good input, no node: every network points at a closed port (exit 5 and a reason, not "[Errno 111]").
    for fam in ("evm", "btc", "sol", "tron"):
        add(f"down-balance-{fam}", "balance", f"{fam}:0", "-n", f"local-{fam}")
        add(f"down-send-{fam}", "--yes", "send", "-n", f"local-{fam}", "--from", f"{fam}:0", "--to", f"{{{fam}0}}",
            "--amount", "1")
        add(f"down-fund-{fam}", "devnet", "fund", f"{fam}:0", "--amount", "1", "-n", f"local-{fam}")
    add("down-address-btc", "address", "btc:0", "--network", "local-btc")
    add("down-tx-status", "tx", "status", "0x" + "ab" * 32, "-n", "local-evm")
    # Unknown commands and options, global options.
    for i, argv in enumerate([("frobnicate",), ("SEND",), ("sen",), ("send", "--bogus"), ("--bogus", "vaults"),
                              ("accounts", "frob"), ("tx", "frob"), ("networks", "frob"), ("keyring", "frob"),
                              ("balance",), ("history", "--limit"), ("--vault", "../x", "accounts", "list"),
                              ("--vault", "", "accounts", "list"), ("--vault", "[/]", "accounts", "list")]):
        add(f"usage-{i}", *argv)
    # A damaged home: config.toml and wallet.db.
    # (No read-only journal case: tests may run as root, whom file modes do not stop.)
    for kind in ("config-garbage", "config-binary", "config-huge", "config-dir", "config-fifo", "config-badnet"):
        add(f"home-{kind}-networks", "networks", "list", home=kind, proc=kind.endswith("fifo"))
        add(f"home-{kind}-balance", "balance", "evm:0", "-n", "local-evm", home=kind, proc=kind.endswith("fifo"))
        if kind != "config-badnet":  # adding a network does not read the others' settings
            add(f"home-{kind}-add", "networks", "add", "n9", "--rpc-url", "http://127.0.0.1:1", "--chain-id", "5",
                home=kind, proc=kind.endswith("fifo"))
    for kind in ("db-garbage", "db-dir", "db-truncated"):
        add(f"home-{kind}-history", "history", home=kind)
        add(f"home-{kind}-contacts-add", "contacts", "add", "c", "{evm0}", home=kind)
        add(f"home-{kind}-contacts-list", "contacts", "list", home=kind)
    return out


CASES = _cases()


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


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
    for j, doc in enumerate(['{"a": 1', "[]", "null", '"x"', '{"types": 1}', "1e999999"]):
        (f / f"json{j}").write_text(doc)
    (f / "keystore.json").write_text('{"version": 3, "crypto": {}}')
    subs = {"pw": str(pw), "mnemonic": str(f / "mnemonic.txt"), "missing": str(f / "missing"),
            "dir": str(f / "dir"), "bin": str(f / "bin"), "huge": str(f / "huge"), "deep": str(f / "deep"),
            "badutf8": str(f / "badutf8"), "devnull": "/dev/null", "fifo": str(f / "fifo"), "zero": "/dev/zero",
            "keystore": str(f / "keystore.json"), **{f"json{j}": str(f / f"json{j}") for j in range(6)}}
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


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, world: Any, record_property: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    home, env = world["home"], {}
    if case.home != "vault":
        home, env = _fresh_home(world, case.home, case.id)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    args = [a.format(**world["subs"]) if "{" in a and "}" in a and a.strip("{}") in world["subs"] else a
            for a in case.argv]
    argv = ["--home", str(home)] + (["--password-file", str(world["pw"])] if case.password else []) + args
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
