"""Helpers for the EVM adapter tests: accounts, and independent reads of the chain.

Balances, nonces and receipts are read through devnet.anvil.rpc (plain urllib), not through the
adapter under test.
"""

from __future__ import annotations

import dataclasses
import secrets
import subprocess
from dataclasses import dataclass
from typing import Any

from eth_account import Account as EthAccount

from chains.base import Account, Network, Signer
from chains.networks import get_network
from devnet import anvil

ETH = 10**18


@dataclass(frozen=True)
class Wallet:
    account: Account
    signer: Signer

    @property
    def address(self) -> str:
        return self.account.address


def new_wallet(key: bytes | None = None) -> Wallet:
    key = key or secrets.token_bytes(32)
    address = EthAccount.from_key(key).address
    return Wallet(Account("evm", None, None, address, "", kind="imported"), Signer("evm", address, key))


def eth_balance(url: str, address: str) -> int:
    return int(anvil.rpc(url, "eth_getBalance", [address, "latest"]), 16)


def nonce(url: str, address: str, block: str = "pending") -> int:
    return int(anvil.rpc(url, "eth_getTransactionCount", [address, block]), 16)


def token_balance(url: str, token: str, owner: str) -> int:
    return int(anvil.token_call(url, token, "0x70a08231" + owner[2:].lower().rjust(64, "0")), 16)


def receipt(url: str, txid: str) -> dict[str, Any] | None:
    return anvil.rpc(url, "eth_getTransactionReceipt", [txid])  # type: ignore[no-any-return]


def mined(url: str, txid: str) -> dict[str, Any]:
    """The receipt, waiting for it: anvil's automine can lag a moment behind eth_sendRawTransaction."""
    return anvil.wait_receipt(url, txid, timeout=10)


def local_network(url: str, **changes: Any) -> Network:
    return dataclasses.replace(get_network("local-evm"), rpc_url=url, **changes)


def cast(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([anvil.find_cast(), *args], capture_output=True, text=True, timeout=60)
