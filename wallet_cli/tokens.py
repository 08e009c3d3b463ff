"""Tokens listed per network (config.toml [networks.NAME.tokens]); the portfolio shows each listed token."""

from __future__ import annotations

import re
from typing import Any

from wallet_cli.errors import UsageError
from wallet_i18n import _

_SPEC = re.compile(r"^([A-Za-z0-9.$_-]{1,16})=([^:\s]+):([0-9]{1,2})$")


def parse_spec(text: str, network: Any) -> tuple[str, dict[str, Any]]:
    """SYMBOL=ADDRESS:DECIMALS -> (SYMBOL, {address, decimals}), the address checked for the network."""
    from chains.base import get_adapter

    m = _SPEC.match(text.strip())
    if not m:
        raise UsageError(_("a token is SYMBOL=ADDRESS:DECIMALS, like USDT=0xdAC1…1ec7:6; got {text!r}").format(
            text=text.strip()[:80]))
    symbol, address, decimals = m.group(1).upper(), m.group(2), int(m.group(3))
    if decimals > 36:
        raise UsageError(_("token decimals are a whole number from 0 to 36"))
    if network.family == "btc":
        raise UsageError(_("Bitcoin networks have no tokens here"))
    address = type(get_adapter(network)).parse_address(address, network)
    return symbol, {"address": address, "decimals": decimals}


def add(cfg: dict[str, Any], network: str, symbol: str, spec: dict[str, Any]) -> None:
    """Into config.toml's table for the network (a built-in network keeps its own tokens beside these)."""
    cfg.setdefault("networks", {}).setdefault(network, {}).setdefault("tokens", {})[symbol] = spec
