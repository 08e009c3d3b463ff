"""The lazy command table names every command exactly once, each module registers what the table says,
and running one command imports only its own command module."""

from __future__ import annotations

import importlib
import subprocess
import sys

import typer

from wallet_cli.app import COMMANDS


def _registered(module: str) -> set[str]:
    sub = typer.Typer()
    sub.callback()(lambda: None)
    importlib.import_module(f"wallet_cli.commands.{module}").register(sub)
    group = typer.main.get_group(sub)
    return set(group.commands)


def test_every_registered_command_is_in_the_table_with_its_module() -> None:
    modules = {m for m, _, _ in COMMANDS.values()}
    for module in modules:
        names = _registered(module)
        assert names == {n for n, (m, _, _) in COMMANDS.items() if m == module}, module


def test_help_and_one_command_import_only_their_own_modules(cli, restored, home) -> None:
    code = (
        "import sys\n"
        "from wallet_cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "after_help = sorted(m for m in sys.modules if m.startswith('wallet_cli.commands.'))\n"
        f"assert main(['--home', {str(home)!r}, '--json', 'accounts', 'list']) == 0\n"
        "after_list = sorted(m for m in sys.modules if m.startswith('wallet_cli.commands.'))\n"
        "print(repr((after_help, after_list)), file=sys.stderr)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    after_help, after_list = eval(p.stderr.strip().splitlines()[-1])  # noqa: S307 - our own repr above
    assert after_help == []
    assert after_list == ["wallet_cli.commands.accounts"]
