"""`wallet demo`: the README's main command. A guided tour on local sandbox chains in a throwaway home.

Every step is a real `wallet` command run in this process (shown as `$ wallet ...`), against real local
chains: anvil for EVM, the regtest sandbox for Bitcoin, LiteSVM for Solana. Everything stops at the end.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

from wallet_cli import output
from wallet_cli.errors import CliError
from wallet_i18n import N_, _, translated


class DemoFailed(CliError):
    exit_code = 1


_json = [False]   # --json: every step and every command's output is one JSON line on stdout


def _emit(obj: dict) -> None:
    import json
    import sys

    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _say(text: str, **fields: object) -> None:
    """A section title. `text` is a message id marked with N_(): --json emits it in English (what a script
    reads does not depend on the language), the terminal shows it translated; a list field is joined with
    the language's separator."""
    def listed(sep: str) -> dict[str, object]:
        return {k: sep.join(v) if isinstance(v, list) else v for k, v in fields.items()}

    if _json[0]:
        _emit({"step": text.format(**listed(", "))})
    else:
        title = translated(text).format(**listed(_(", ")))
        output.err_console().print(f"\n[bold cyan]== {title}[/]")


def _note(text: str, **data: str) -> None:
    if _json[0]:
        _emit(data)
    else:
        output.err_console().print(text, markup=False)


class Tour:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.pw = home / "password.txt"

    def wallet(self, *args: str, show: bool = True) -> None:
        from wallet_cli.runner import run_cli

        argv = ["--home", str(self.home), "--password-file", str(self.pw), "--yes",
                *(["--json"] if _json[0] else []), *args]
        if show and _json[0]:
            _emit({"command": ["wallet", *args]})
        elif show:
            output.err_console().print(f"[dim]$ wallet {shlex.join(args)}[/]")
        code = run_cli(argv)
        if code != 0:
            raise DemoFailed(_("the demo step '{command}' failed with exit code {code}").format(
                command=f"wallet {shlex.join(args)}", code=code))


def run(families: list[str], *, keep: bool = False, json_lines: bool = False) -> None:
    from wallet_cli import devnets

    _json[0] = json_lines
    unknown = [f for f in families if f not in devnets.SANDBOXES]
    if unknown:
        raise DemoFailed(_("no sandbox for {families}; choose from {choices}").format(
            families=", ".join(unknown), choices=", ".join(devnets.SANDBOXES)))
    home = Path(tempfile.mkdtemp(prefix="wallet-demo-"))
    os.chmod(home, 0o700)
    saved_env = {k: os.environ.get(k) for k in ("WALLET_RPC_LOCAL_EVM", "WALLET_RPC_LOCAL_BTC",
                                                "WALLET_RPC_LOCAL_SOL", "WALLET_RPC_LOCAL_TRON")}
    try:
        t = Tour(home)
        fd = os.open(t.pw, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(18) + "\n")  # a throwaway password for a throwaway vault

        _say(N_("A throwaway wallet home: {home}"), home=home)
        _say(N_("Create a vault with a new 12-word mnemonic (written to a 0600 file, never to stdout)"))
        t.wallet("init", "--mnemonic-out", str(home / "mnemonic.txt"))
        _say(N_("Derive a second account on each chain"))
        for fam in ("evm", "btc", "sol", "tron"):
            t.wallet("accounts", "derive", "--chain", fam, "--count", "1")
        _say(N_("List accounts: no password needed, the index is public metadata"))
        t.wallet("accounts", "list")

        with ExitStack() as stack:
            _say(N_("Start local chains: {families}"), families=families)
            urls = devnets.start_all(stack, families)
            for fam, url in urls.items():
                os.environ["WALLET_RPC_" + devnets.SANDBOXES[fam][1].upper().replace("-", "_")] = url
                _note(f"  {devnets.SANDBOXES[fam][1]}: {url}", network=devnets.SANDBOXES[fam][1], url=url)
            if "evm" in families:
                _evm(t, urls["evm"])
            if "btc" in families:
                _btc(t)
            if "sol" in families:
                _sol(t, urls["sol"])
            if "tron" in families:
                _tron(t)
            from wallet_cli import demo_payout

            for fam in families:
                if fam in demo_payout.NETWORKS:        # TRON payouts are not available yet
                    demo_payout.show(t, fam, _say)
            _say(N_("History: every signed transaction was journalled before it was broadcast"))
            t.wallet("history")
            nets = [a for fam in families for a in ("-n", devnets.SANDBOXES[fam][1])]
            _say(N_("Portfolio: every account on these networks, with totals per asset"))
            t.wallet("portfolio", *nets)
            _say(N_("Received: what the vault's addresses were paid (read from the chains, cached)"))
            for fam in families:
                t.wallet("history", "--incoming", "-n", devnets.SANDBOXES[fam][1])
            _say(N_("Stopping the local chains"))
        _say(N_("Done. Every step above was a real command against real local chains."))
        if keep:
            _note(_("The demo home is kept at {home}").format(home=home), home=str(home))
    finally:
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def _evm(t: Tour, url: str) -> None:
    from devnet import anvil

    _say(N_("EVM: fund evm:0 from the devnet faucet, then send ETH to evm:1"))
    t.wallet("devnet", "fund", "evm:0", "--amount", "10", "--network", "local-evm")
    t.wallet("send", "--network", "local-evm", "--from", "evm:0", "--to", _address(t, "evm:1"),
             "--amount", "1.5", "--wait")
    _say(N_("EVM: deploy a small ERC-20 (DEMO) to evm:0 and send 250 DEMO to evm:1"))
    token = anvil.deploy_token(url, "Demo Token", "DEMO", 18, 1_000_000 * 10**18, _address(t, "evm:0"))
    t.wallet("tokens", "add", "local-evm", f"DEMO={token}:18")
    t.wallet("send", "--network", "local-evm", "--from", "evm:0", "--to", "evm:1",
             "--amount", "250", "--token", "DEMO", "--wait")
    _say(N_("EVM: balances"))
    t.wallet("balance", "evm:1", "--network", "local-evm")
    t.wallet("balance", "evm:1", "--network", "local-evm", "--token", token)


def _btc(t: Tour) -> None:
    _say(N_("Bitcoin (regtest): fund btc:0, then send 0.1 BTC to btc:1 with change back to btc:0"))
    t.wallet("devnet", "fund", "btc:0", "--amount", "1", "--network", "local-btc")
    t.wallet("balance", "btc:0", "--network", "local-btc")
    to = _address(t, "btc:1", network="local-btc")
    t.wallet("send", "--network", "local-btc", "--from", "btc:0", "--to", to, "--amount", "0.1",
             "--fee-rate", "2")
    from wallet_cli import devnets

    _say(N_("Bitcoin: mine a block, then follow the transaction"))
    devnets.module("btc").mine(os.environ["WALLET_RPC_LOCAL_BTC"], 1)
    from wallet_cli.journal import Journal

    txid = Journal(t.home).history("local-btc", 1)[0].txid
    t.wallet("tx", "status", txid)
    t.wallet("balance", "btc:1", "--network", "local-btc")


def _sol(t: Tour, url: str) -> None:
    _say(N_("Solana: airdrop to sol:0, send 0.5 SOL to sol:1"))
    t.wallet("devnet", "fund", "sol:0", "--amount", "2", "--network", "local-sol")
    t.wallet("send", "--network", "local-sol", "--from", "sol:0", "--to", _address(t, "sol:1"),
             "--amount", "0.5", "--wait")
    _say(N_("Solana: a test SPL mint; send 25 tokens to sol:1 (its token account is created on the way)"))
    from devnet import sol_sandbox

    mint = sol_sandbox.create_mint(url, 6)
    sol_sandbox.mint_to(url, mint, _address(t, "sol:0"), 100 * 10**6)
    t.wallet("send", "--network", "local-sol", "--from", "sol:0", "--to", _address(t, "sol:1"),
             "--amount", "25", "--token", mint, "--wait")
    t.wallet("balance", "sol:1", "--network", "local-sol")
    t.wallet("balance", "sol:1", "--network", "local-sol", "--token", mint)


def _tron(t: Tour) -> None:
    _say(N_("TRON (local-tron, a model of TRON): fund tron:0 with TRX and USDT, send both to tron:1"))
    t.wallet("devnet", "fund", "tron:0", "--amount", "100", "--network", "local-tron")
    t.wallet("devnet", "fund", "tron:0", "--amount", "500", "--token", "USDT", "--network", "local-tron")
    to = _address(t, "tron:1")
    t.wallet("send", "--network", "local-tron", "--from", "tron:0", "--to", to, "--amount", "10", "--memo",
             "demo", "--wait")
    t.wallet("send", "--network", "local-tron", "--from", "tron:0", "--to", to, "--amount", "25", "--token",
             "USDT", "--wait")
    t.wallet("balance", "tron:1", "--network", "local-tron")
    t.wallet("balance", "tron:1", "--network", "local-tron", "--token", "USDT")


def _address(t: Tour, ref: str, network: str | None = None) -> str:
    from wallet_cli import accounts, session
    from wallet_cli.context import Options, set_options

    set_options(Options(home=t.home, password_file=t.pw, yes=True))
    entry = accounts.resolve(ref, session.vault_info().accounts)
    if network is None:
        return entry["address"]
    from wallet_cli.commands.accounts import _network_address

    return _network_address(entry, network)
