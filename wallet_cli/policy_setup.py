"""Turning a policy file into the stored policy: contact names become addresses, assets become targets.

Done once, when the policy is set and the user confirms it, so that checking a signature later never
reads config.toml or the address book (files a script could edit to loosen the policy).
"""

from __future__ import annotations

from typing import Any

from chains.base import Network
from wallet_cli import decode
from wallet_cli import policy as pol
from wallet_i18n import _


def _targets(rule: pol.Rule, networks: dict[str, Network]) -> list[tuple[str, str, str | None, int]]:
    if rule.network is not None and rule.network not in networks:
        raise pol.BadPolicy(_("the policy is invalid: unknown network '{network}' in the rule for {asset}").format(
            network=rule.network, asset=rule.asset))
    nets = [networks[rule.network]] if rule.network else [n for n in networks.values() if n.family == rule.family]
    out = []
    for net in nets:
        key = decode.chain_key(net)
        if rule.asset.upper() == net.symbol.upper():
            out.append((key, net.name, None, pol.NATIVE_DECIMALS.get(net.family, net.decimals)))
            continue
        for sym, spec in net.tokens.items():
            addr = str(spec.get("address", ""))
            if rule.asset.upper() == sym.upper() or pol.norm(rule.asset) == pol.norm(addr):
                out.append((key, net.name, addr, int(spec["decimals"])))
                break
    if not out:
        raise pol.BadPolicy(_("the policy is invalid: {asset} is neither the native coin nor a configured token of "
                              "{where}; add the token to the network first").format(asset=rule.asset, where=rule.where))
    return out


def _chain_of(name: str, networks: dict[str, Network]) -> str:
    if name not in networks:
        raise pol.BadPolicy(_("the policy is invalid: unknown network '{network}' in networks").format(network=name))
    return decode.chain_key(networks[name])


def prepare(policy: pol.Policy, networks: dict[str, Network], contact: Any) -> pol.Policy:
    """contact(name, family) -> address or None (the address book)."""
    from chains.base import get_adapter
    from chains.errors import BadInput

    def resolve(text: str, rule: pol.Rule) -> str:
        nets = [networks[rule.network]] if rule.network in networks else \
            [n for n in networks.values() if n.family == rule.family]
        if not nets:
            raise pol.BadPolicy(_("the policy is invalid: no known network for the rule for {asset}").format(
                asset=rule.asset))
        for net in nets:  # a family rule: the first of its networks whose format the address fits
            try:
                return type(get_adapter(net, None)).parse_address(text, net)
            except BadInput:
                continue
        found = contact(text, nets[0].family)
        if found is None:
            raise pol.BadPolicy(_("the policy is invalid: '{text}' in allow_to is neither a {family} address nor a "
                                  "contact").format(text=text, family=nets[0].family))
        return str(found)

    resolved = resolve_recipients(policy, resolve)
    return with_targets(resolved, lambda r: _targets(r, networks), lambda n: _chain_of(n, networks))


def resolve_recipients(policy: pol.Policy, resolve: Any) -> pol.Policy:
    """Replace contact names in allow_to by addresses, once, when the policy is set.

    resolve(name, rule) -> address or raises; it is the caller's address book and address parser.
    """
    rules = []
    for r in policy.rules:
        if r.allow_to is None:
            rules.append(r)
            continue
        rules.append(pol.Rule(**{**r.__dict__, "allow_to": tuple(resolve(x, r) for x in r.allow_to)}))
    return pol.Policy(tuple(rules), policy.default, policy.networks, policy.messages_allow, policy.chains)


def with_targets(policy: pol.Policy, targets_of: Any, chain_of: Any) -> pol.Policy:
    """Fill each rule's targets and the allowed chain keys from the networks known when the policy is set.

    targets_of(rule) -> targets (raises BadPolicy when the asset is unknown); chain_of(name) -> chain key.
    """
    rules = tuple(pol.Rule(**{**r.__dict__, "targets": tuple(targets_of(r))}) for r in policy.rules)
    chains = tuple(chain_of(n) for n in policy.networks) if policy.networks is not None else None
    return pol.Policy(rules, policy.default, policy.networks, policy.messages_allow, chains)
