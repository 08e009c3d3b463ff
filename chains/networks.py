"""Network registry: the built-in networks.toml merged with the user's config and env overrides."""

from __future__ import annotations

import os
import tomllib
from dataclasses import fields
from importlib import resources
from typing import Any

from chains.base import FAMILIES, Network
from chains.errors import BadInput
from wallet_i18n import _

_FIELDS = {f.name for f in fields(Network)}
# A network without its own fee_cap (a custom one, say) still gets one: the family's mainnet figure.
DEFAULT_FEE_CAP = {"evm": "0.05", "btc": "0.1", "sol": "0.01", "tron": "50"}


def builtin_networks() -> dict[str, dict[str, Any]]:
    text = resources.files("chains").joinpath("networks.toml").read_text()
    return tomllib.loads(text)["networks"]


def env_rpc_var(name: str) -> str:
    return "WALLET_RPC_" + name.upper().replace("-", "_")


def make_network(name: str, spec: dict[str, Any]) -> Network:
    unknown = set(spec) - _FIELDS
    if unknown:
        raise BadInput(_("network {name!r} has unknown settings: {settings}").format(
            name=name, settings=", ".join(sorted(unknown))))
    family = spec.get("family")
    if family not in FAMILIES:
        raise BadInput(_("network {name!r} has family {family!r}; expected one of {families}").format(
            name=name, family=family, families=", ".join(FAMILIES)))
    if family == "evm" and not (isinstance(spec.get("chain_id"), int) and 0 < spec["chain_id"] < 2**63):
        raise BadInput(_("EVM network {name!r} needs a positive integer chain_id").format(name=name))
    _check_ranges(name, spec)
    if spec.get("rpc_url"):
        check_rpc_url(spec["rpc_url"], _("network {name!r}: rpc_url").format(name=name))
    spec = dict(spec)
    spec["rpc_url"] = os.environ.get(env_rpc_var(name)) or spec.get("rpc_url", "")
    spec.setdefault("symbol", {"evm": "ETH", "tron": "TRX"}.get(family, family.upper()))
    spec.setdefault("decimals", {"evm": 18, "tron": 6}.get(family, 8))
    spec.setdefault("fee_cap", DEFAULT_FEE_CAP.get(family))
    return Network(name=name, **spec)


def check_rpc_url(url: str, what: str | None = None) -> None:
    """BadInput unless `url` is http(s)://host[:port][/path] with no spaces or control characters.

    `what` names the URL in the message (an option name, or a translated phrase); the default is
    "the RPC URL". The message never repeats the URL: it may carry credentials.
    """
    import re
    from urllib.parse import urlsplit

    problem = None
    if re.search(r"[\x00-\x20\x7f]", url):
        problem = _("it contains spaces or control characters")
    else:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            problem, port, parts = _("its host or port is malformed"), None, None
        if parts is not None:
            if parts.scheme not in ("http", "https"):
                problem = _("it must start with http:// or https://")
            elif not parts.hostname or "%" in (parts.hostname or "") or re.search(r"[\[\]/]", parts.hostname):
                problem = _("it has no valid host name")
            elif port == 0:
                problem = _("its port must be from 1 to 65535")
    if problem:
        raise BadInput(_("{what} is not a valid http(s) URL: {problem}").format(what=what or _("the RPC URL"),
                                                                             problem=problem))


def _check_ranges(name: str, spec: dict[str, Any]) -> None:
    from decimal import Decimal, InvalidOperation

    if spec.get("kind", "mainnet") not in ("mainnet", "testnet", "local"):
        raise BadInput(_("network {name!r}: kind is mainnet, testnet or local").format(name=name))
    decimals = spec.get("decimals", 0)
    if not isinstance(decimals, int) or not 0 <= decimals <= 36:
        raise BadInput(_("network {name!r}: decimals must be a whole number from 0 to 36").format(name=name))
    if spec.get("fee_cap") is not None:
        try:
            cap = Decimal(str(spec["fee_cap"]))
        except InvalidOperation:
            cap = Decimal(-1)
        if not cap.is_finite() or cap < 0:
            raise BadInput(_("network {name!r}: fee_cap must be a non-negative decimal amount").format(name=name))
    genesis = spec.get("genesis")
    if genesis is not None and spec.get("family") == "sol":
        b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
        if not (isinstance(genesis, str) and 32 <= len(genesis) <= 44 and all(c in b58 for c in genesis)):
            raise BadInput(_("network {name!r}: genesis is the cluster's genesis hash, base58 (getGenesisHash)").format(
                name=name))
    elif genesis is not None and not (isinstance(genesis, str) and len(genesis) == 64
                                      and all(c in "0123456789abcdefABCDEF" for c in genesis)):
        raise BadInput(_("network {name!r}: genesis is block 0's id, 64 hex digits").format(name=name))
    if spec.get("family") == "btc" and spec.get("btc_network") not in ("bitcoin", "testnet4", "signet", "regtest"):
        raise BadInput(_("network {name!r}: btc_network is bitcoin, testnet4, signet or regtest").format(name=name))


def all_networks(user: dict[str, dict[str, Any]] | None = None) -> dict[str, Network]:
    """Built-ins overlaid by the user's [networks.NAME] tables (a user table may override a built-in)."""
    merged = builtin_networks()
    for name, spec in (user or {}).items():
        base = merged.get(name, {})
        merged[name] = {**base, **spec}
        if "tokens" in spec:  # a user's tokens add to a built-in network's own
            merged[name]["tokens"] = {**base.get("tokens", {}), **spec["tokens"]}
    return {name: make_network(name, spec) for name, spec in merged.items()}


def get_network(name: str, user: dict[str, dict[str, Any]] | None = None) -> Network:
    nets = all_networks(user)
    if name not in nets:
        raise BadInput(_("unknown network {name!r}; see 'wallet networks list'").format(name=name))
    return nets[name]
