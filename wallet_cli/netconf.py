"""Networks as this home sees them: built-ins, the user's config.toml, WALLET_RPC_<NAME> overrides."""

from __future__ import annotations

from pathlib import Path

from chains.base import Network
from wallet_cli import config
from wallet_cli.context import options


def network(name: str) -> Network:
    from chains.networks import get_network

    return get_network(name, config.user_networks(options().home))


def all_networks() -> dict[str, Network]:
    from chains.networks import all_networks as _all

    return _all(config.user_networks(options().home))


def data_dir() -> str:
    """Where adapters keep local state (BDK databases)."""
    from keystore.files import ensure_private_dir

    p = Path(options().home) / "chains"
    ensure_private_dir(options().home)
    ensure_private_dir(p)
    return str(p)
