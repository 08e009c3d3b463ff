"""Turning a policy file into the stored policy: contact names become addresses, assets become targets.

Done once, when the policy is set and the user confirms it, so that checking a signature later never
reads config.toml or the address book (files a script could edit to loosen the policy).
"""

from __future__ import annotations

from typing import Any

from chains.base import Network
from wallet_cli import decode
from wallet_cli import policy as pol


def _targets(rule: pol.Rule, networks: dict[str, Network]) -> list[tuple[str, str, str | None, int]]:
    if rule.network is not None and rule.network not in networks:
        raise pol.BadPolicy(f"the policy is invalid: unknown network '{rule.network}' in the rule for {rule.asset}")
    nets = [networks[rule.network]] if rule.network else [n for n in networks.values() if n.family == rule.family]
    out = []
    for net in nets:
        key = decode.chain_key(net)
        if rule.asset.upper() == net.symbol.upper():
            out.append((key, net.name, None, pol.NATIVE_DECIMALS.get(net.family, net.decimals)))
            continue
        for sym, spec in net.tokens.items():
            addr = str(spec.get("address", ""))
            if rule.asset.upper() == sym.upper() or pol._norm(rule.asset) == pol._norm(addr):  # noqa: SLF001
                out.append((key, net.name, addr, int(spec["decimals"])))
                break
    if not out:
        where = rule.network or f"any {rule.family} network"
        raise pol.BadPolicy(f"the policy is invalid: {rule.asset} is neither the native coin nor a configured "
                            f"token of {where}; add the token to the network first")
    return out


def _chain_of(name: str, networks: dict[str, Network]) -> str:
    if name not in networks:
        raise pol.BadPolicy(f"the policy is invalid: unknown network '{name}' in networks")
    return decode.chain_key(networks[name])


def prepare(policy: pol.Policy, networks: dict[str, Network], contact: Any) -> pol.Policy:
    """contact(name, family) -> address or None (the address book)."""
    from chains.base import get_adapter
    from chains.errors import BadInput

    def resolve(text: str, rule: pol.Rule) -> str:
        nets = [networks[rule.network]] if rule.network in networks else \
            [n for n in networks.values() if n.family == rule.family]
        if not nets:
            raise pol.BadPolicy(f"the policy is invalid: no known network for the rule for {rule.asset}")
        for net in nets:  # a family rule: the first of its networks whose format the address fits
            try:
                return type(get_adapter(net, None)).parse_address(text, net)
            except BadInput:
                continue
        found = contact(text, nets[0].family)
        if found is None:
            raise pol.BadPolicy(f"the policy is invalid: '{text}' in allow_to is neither a {nets[0].family} "
                                "address nor a contact")
        return str(found)

    resolved = pol.resolve_recipients(policy, resolve)
    return pol.with_targets(resolved, lambda r: _targets(r, networks), lambda n: _chain_of(n, networks))
