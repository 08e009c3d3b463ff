"""Listing and help must stay fast: they may not import web3, the chain adapters or BDK."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("web3", "eth_account", "bdkpython", "solders", "chains.evm", "chains.solana", "chains.bitcoin", "pbk")


def test_accounts_list_and_help_import_no_chain_code(cli, restored, home) -> None:
    code = (
        "import sys\n"
        "from wallet_cli.main import main\n"
        f"assert main(['--home', {str(home)!r}, '--json', 'accounts', 'list']) == 0\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "Usage" in p.stdout  # help really ran
    assert p.stderr.strip().splitlines()[-1] == "HEAVY="
