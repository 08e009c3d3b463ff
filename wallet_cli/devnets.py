"""Local sandbox chains for `wallet devnet up|fund` and `wallet demo`, started by family.

evm: anvil; btc: our regtest Esplora sandbox checked by Bitcoin Core's interpreter; sol: LiteSVM behind
JSON-RPC; tron: a model of TRON's full-node HTTP API (devnet/tron_sandbox). Each sandbox module offers
Sandbox(port).start()/.stop()/.url and fund(url, address, amount).
"""

from __future__ import annotations

import importlib
from contextlib import ExitStack
from typing import Any

from wallet_cli.errors import NETWORK, CliError, UsageError
from wallet_i18n import _

# family -> (module, built-in network)
SANDBOXES = {"evm": ("devnet.anvil", "local-evm"), "btc": ("devnet.btc_sandbox", "local-btc"),
             "sol": ("devnet.sol_sandbox", "local-sol"), "tron": ("devnet.tron_sandbox", "local-tron")}


class SandboxUnavailable(CliError):
    """A sandbox that cannot start (its binary is missing, its port is taken): exit 5."""

    exit_code = NETWORK


def parse_families(text: str) -> list[str]:
    """'evm,btc' -> ["evm", "btc"]; an empty list or an unknown family is bad input (exit 2)."""
    fams = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [f for f in fams if f not in SANDBOXES]
    if not fams:
        raise UsageError(_("no sandbox for an empty list; choose from {choices}").format(
            choices=", ".join(SANDBOXES)))
    if unknown:
        raise UsageError(_("no sandbox for {families}; choose from {choices}").format(
            families=", ".join(unknown), choices=", ".join(SANDBOXES)))
    return fams


def module(family: str) -> Any:
    if family not in SANDBOXES:
        raise KeyError(family)
    return importlib.import_module(SANDBOXES[family][0])


def start_all(stack: ExitStack, families: list[str], ports: dict[str, int] | None = None) -> dict[str, str]:
    """Start sandboxes inside `stack` (stopped when it closes) on the given ports, else free ones.

    Returns family -> URL.
    """
    urls: dict[str, str] = {}
    for fam in families:
        box = module(fam).Sandbox(port=(ports or {}).get(fam, 0))
        stack.callback(box.stop)
        try:
            box.start()
        except (OSError, RuntimeError) as e:  # SandboxError: "anvil is not installed; run ..."
            from wallet_cli.errors import message_for

            raise SandboxUnavailable(_("the {family} sandbox cannot start: {reason}").format(
                family=fam, reason=message_for(e))) from None
        urls[fam] = box.url
    return urls
