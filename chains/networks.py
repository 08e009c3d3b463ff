"""Network registry: the built-in networks.toml merged with the user's config and env overrides."""

from __future__ import annotations

import os
import tomllib
from dataclasses import fields
from importlib import resources
from typing import Any

from chains.base import FAMILIES, Network
from chains.errors import BadInput

_FIELDS = {f.name for f in fields(Network)}


def builtin_networks() -> dict[str, dict[str, Any]]:
    text = resources.files("chains").joinpath("networks.toml").read_text()
    return tomllib.loads(text)["networks"]


def env_rpc_var(name: str) -> str:
    return "WALLET_RPC_" + name.upper().replace("-", "_")


def make_network(name: str, spec: dict[str, Any]) -> Network:
    unknown = set(spec) - _FIELDS
    if unknown:
        raise BadInput(f"network {name!r} has unknown settings: {', '.join(sorted(unknown))}")
    family = spec.get("family")
    if family not in FAMILIES:
        raise BadInput(f"network {name!r} has family {family!r}; expected one of {', '.join(FAMILIES)}")
    if family == "evm" and not isinstance(spec.get("chain_id"), int):
        raise BadInput(f"EVM network {name!r} needs an integer chain_id")
    spec = dict(spec)
    spec["rpc_url"] = os.environ.get(env_rpc_var(name)) or spec.get("rpc_url", "")
    spec.setdefault("symbol", "ETH" if family == "evm" else family.upper())
    spec.setdefault("decimals", 18 if family == "evm" else 8)
    return Network(name=name, **spec)


def all_networks(user: dict[str, dict[str, Any]] | None = None) -> dict[str, Network]:
    """Built-ins overlaid by the user's [networks.NAME] tables (a user table may override a built-in)."""
    merged = builtin_networks()
    for name, spec in (user or {}).items():
        merged[name] = {**merged.get(name, {}), **spec}
    return {name: make_network(name, spec) for name, spec in merged.items()}


def get_network(name: str, user: dict[str, dict[str, Any]] | None = None) -> Network:
    nets = all_networks(user)
    if name not in nets:
        raise BadInput(f"unknown network {name!r}; see 'wallet networks list'")
    return nets[name]
