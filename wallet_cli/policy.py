"""The spending policy: its model, parsing (TOML or the stored JSON form) and the check before a signature.

Shape (the TOML file and `policy show --json` are the same structure):

    default = "deny"                 # or "allow": assets without a rule; "deny" when omitted
    networks = ["base", "bitcoin"]   # optional: only these networks may sign anything
    [[rule]]
    network = "base"                 # or family = "evm"; exactly one of the two
    asset = "USDC"                   # native symbol, token symbol or token address
    max_per_tx = "500"               # decimal strings in the asset's unit
    max_per_24h = "2000"
    max_per_7d = "5000"
    max_tx_per_hour = 20
    allow_to = ["0x…"]               # addresses (contact names are resolved by `policy set`)
    hours_utc = "06-22"              # [06:00, 22:00) UTC; "22-06" wraps midnight
    [messages]
    allow = false                    # sign-message / non-spending typed data

Every rule that matches a spend must pass (so a network rule and a family rule both bind). Amounts are
compared as exact integers in base units. This module does no I/O: callers pass the past spends.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation, localcontext
from typing import Any

from chains.base import FAMILIES
from wallet_cli.errors import Refused, UsageError
from wallet_i18n import _

COUNTED_STATES = ("signed", "pending", "confirmed", "unknown")  # rejected/dropped/replaced/failed move nothing
HOUR, DAY, WEEK = 3600, 86400, 7 * 86400
_AMOUNT_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_HOURS_RE = re.compile(r"([0-9]{1,2})-([0-9]{1,2})")
_TOP = {"default", "networks", "rule", "messages", "chains"}
_RULE = {"network", "family", "asset", "max_per_tx", "max_per_24h", "max_per_7d", "max_tx_per_hour",
         "allow_to", "hours_utc", "targets"}
# Native decimals by family: fixed by the protocols, never taken from a config file.
NATIVE_DECIMALS = {"evm": 18, "btc": 8, "sol": 9, "tron": 6}


class PolicyRefused(Refused):
    """A signature the policy does not allow (exit 4)."""


class BadPolicy(UsageError):
    """A policy file that does not parse (exit 2)."""


@dataclass(frozen=True)
class Rule:
    asset: str
    network: str | None = None
    family: str | None = None
    max_per_tx: str | None = None
    max_per_24h: str | None = None
    max_per_7d: str | None = None
    max_tx_per_hour: int | None = None
    allow_to: tuple[str, ...] | None = None
    hours_utc: str | None = None
    # Filled by `policy set` from the networks known then, so that checking never reads config.toml:
    # (chain key, network name, token address or None for native, decimals).
    targets: tuple[tuple[str, str, str | None, int], ...] = ()

    @property
    def where(self) -> str:
        """The network name, or "any evm network" (shown to a person, so in their language)."""
        return self.network if self.network else _("any {family} network").format(family=self.family)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("network", "family", "asset", "max_per_tx", "max_per_24h", "max_per_7d",
                    "max_tx_per_hour", "hours_utc"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.allow_to is not None:
            out["allow_to"] = list(self.allow_to)
        if self.targets:
            out["targets"] = [{"chain": c, "network": n, "token": t, "decimals": d} for c, n, t, d in self.targets]
        return out


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...] = ()
    default: str = "deny"
    networks: tuple[str, ...] | None = None
    messages_allow: bool | None = None   # None: follows `default`
    chains: tuple[str, ...] | None = None  # `networks` as chain keys, filled by `policy set`

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"default": self.default}
        if self.networks is not None:
            out["networks"] = list(self.networks)
        if self.chains is not None:
            out["chains"] = list(self.chains)
        out["rule"] = [r.to_json() for r in self.rules]
        if self.messages_allow is not None:
            out["messages"] = {"allow": self.messages_allow}
        return out


@dataclass(frozen=True)
class Spend:
    """What one signature would move, as decoded from the bytes to be signed (never the client's summary).

    outputs: (recipient, base units) pairs; token: the contract/mint, None for the native coin.
    contract_call: data the decoder cannot account for (an unknown contract call): always refused.
    """

    chain: str                           # chain key: evm:<chain id>, btc:<btc network>, sol:<name>, tron:<name>
    network: str
    family: str
    token: str | None
    outputs: tuple[tuple[str, int], ...]
    sender: str = ""
    contract_call: str | None = None
    replaces: str | None = None          # speed-up/cancel: the txid whose amount this one supersedes

    @property
    def total(self) -> int:
        return sum(v for _to, v in self.outputs)


@dataclass(frozen=True)
class Past:
    """One journalled transaction, as the rolling windows see it."""

    txid: str
    created: float
    network: str
    family: str
    symbol: str | None
    token: str | None
    amount: str | None                   # decimal text in the asset's unit
    state: str
    units: int | None = None             # exact base units, when known (the agent's own and a run's)
    chain: str | None = None             # the chain key it was signed for, when known (names can alias)
    replaces: str | None = None          # a speed-up/cancel: the txid it supersedes (counted once)


# ---------------------------------------------------------------- parsing


def _bad(reason: str) -> BadPolicy:
    return BadPolicy(_("the policy is invalid: {reason}").format(reason=reason))


def _amount_text(value: Any, number: int, key: str) -> str:
    if not isinstance(value, str) or not _AMOUNT_RE.fullmatch(value.strip()) or len(value) > 90:
        raise _bad(_("rule {number}: {key} must be a plain decimal string such as \"500\" or \"0.25\"").format(
            number=number, key=key))
    return value.strip()


def _hours(value: Any, number: int) -> str:
    m = _HOURS_RE.fullmatch(value) if isinstance(value, str) else None
    if not m or not (0 <= int(m[1]) <= 24 and 0 <= int(m[2]) <= 24) or int(m[1]) == int(m[2]):
        raise _bad(_("rule {number}: hours_utc must look like \"06-22\" (two different hours from 00 to 24)").format(
            number=number))
    return f"{int(m[1]):02d}-{int(m[2]):02d}"


def _strings(value: Any, key: str, number: int | None = None) -> tuple[str, ...]:
    """A list of non-empty strings: the top-level `key`, or `key` of rule `number`."""
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        if number is None:
            raise _bad(_("{key} must be a list of non-empty strings").format(key=key))
        raise _bad(_("rule {number}: {key} must be a list of non-empty strings").format(number=number, key=key))
    return tuple(x.strip() for x in value)


def _rule(raw: Any, i: int) -> Rule:
    n = i + 1
    if not isinstance(raw, dict):
        raise _bad(_("rule {number} is not a table").format(number=n))
    unknown = sorted(set(raw) - _RULE)
    if unknown:
        raise _bad(_("rule {number} has an unknown key '{key}'").format(number=n, key=unknown[0]))
    if ("network" in raw) == ("family" in raw):
        raise _bad(_("rule {number} needs exactly one of network or family").format(number=n))
    for key in ("network", "family", "asset"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise _bad(_("rule {number}: {key} must be a non-empty string").format(number=n, key=key))
    if "asset" not in raw:
        raise _bad(_("rule {number} needs an asset (a native symbol, token symbol or token address)").format(number=n))
    if "family" in raw and raw["family"] not in FAMILIES:
        raise _bad(_("rule {number}: family must be one of {families}").format(number=n, families=", ".join(FAMILIES)))
    rate = raw.get("max_tx_per_hour")
    if rate is not None and (not isinstance(rate, int) or isinstance(rate, bool) or not 0 <= rate <= 10**6):
        raise _bad(_("rule {number}: max_tx_per_hour must be a whole number from 0 to 1000000").format(number=n))
    return Rule(asset=raw["asset"].strip(), network=raw.get("network"), family=raw.get("family"),
                targets=_targets(raw.get("targets", []), n),
                max_per_tx=_opt(raw, "max_per_tx", n), max_per_24h=_opt(raw, "max_per_24h", n),
                max_per_7d=_opt(raw, "max_per_7d", n), max_tx_per_hour=rate,
                allow_to=_strings(raw["allow_to"], "allow_to", n) if "allow_to" in raw else None,
                hours_utc=_hours(raw["hours_utc"], n) if "hours_utc" in raw else None)


def _targets(raw: Any, number: int) -> tuple[tuple[str, str, str | None, int], ...]:
    if not isinstance(raw, list):
        raise _bad(_("rule {number}: targets must be a list").format(number=number))
    out = []
    for t in raw:
        ok = isinstance(t, dict) and set(t) == {"chain", "network", "token", "decimals"} \
            and isinstance(t["chain"], str) and isinstance(t["network"], str) \
            and (t["token"] is None or isinstance(t["token"], str)) \
            and isinstance(t["decimals"], int) and not isinstance(t["decimals"], bool) and 0 <= t["decimals"] <= 77
        if not ok:
            raise _bad(_("rule {number}: a target is malformed").format(number=number))
        out.append((t["chain"], t["network"], t["token"], t["decimals"]))
    return tuple(out)


def _opt(raw: dict, key: str, number: int) -> str | None:
    return _amount_text(raw[key], number, key) if key in raw else None


def from_dict(raw: Any) -> Policy:
    """The policy from the TOML table or the stored JSON; BadPolicy (one sentence) when malformed."""
    if not isinstance(raw, dict):
        raise _bad(_("the top level is not a table"))
    unknown = sorted(set(raw) - _TOP)
    if unknown:
        raise _bad(_("unknown top-level key '{key}' (expected default, networks, rule, messages)").format(
            key=unknown[0]))
    default = raw.get("default", "deny")
    if default not in ("deny", "allow"):
        raise _bad(_('default must be "deny" or "allow"'))
    rules = raw.get("rule", [])
    if not isinstance(rules, list):
        raise _bad(_("rule must be an array of tables ([[rule]])"))
    msgs = raw.get("messages")
    if msgs is not None and (not isinstance(msgs, dict) or set(msgs) - {"allow"}
                             or not isinstance(msgs.get("allow", False), bool)):
        raise _bad(_("[messages] takes one key, allow = true or false"))
    return Policy(rules=tuple(_rule(r, i) for i, r in enumerate(rules)), default=default,
                  networks=_strings(raw["networks"], "networks") if "networks" in raw else None,
                  messages_allow=None if msgs is None else bool(msgs.get("allow", False)),
                  chains=_strings(raw["chains"], "chains") if "chains" in raw else None)


def parse_toml(text: str) -> Policy:
    import tomllib

    try:
        return from_dict(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, RecursionError) as e:
        from wallet_cli.config import toml_reason

        raise _bad(_("not valid TOML ({reason})").format(reason=toml_reason(e))) from None


# ---------------------------------------------------------------- checking


def _base_units(text: str, decimals: int, rounding: str) -> int:
    with localcontext() as ctx:
        ctx.prec = 200
        try:
            return int(Decimal(text).scaleb(decimals).to_integral_value(rounding))
        except InvalidOperation:
            raise _bad(_("the amount {amount!r} is not a number").format(amount=text)) from None


def _show(units: int, decimals: int) -> str:
    """1000000000 with 6 decimals -> '1,000'; fractions kept exactly."""
    whole, frac = divmod(units, 10**decimals) if decimals else (units, 0)
    text = f"{whole:,}"
    if frac:
        text += "." + str(frac).rjust(decimals, "0").rstrip("0")
    return text


def norm(address: str) -> str:
    return address.lower() if address.lower().startswith("0x") else address


def target_of(rule: Rule, spend: Spend) -> tuple[str, str, str | None, int] | None:
    for t in rule.targets:
        chain, _name, token, _dec = t
        if chain == spend.chain and (token is None) == (spend.token is None) \
                and (token is None or norm(token) == norm(spend.token or "")):
            return t
    return None


def _past_matches(target: tuple[str, str, str | None, int], spend: Spend, p: Past) -> bool:
    if p.state not in COUNTED_STATES or p.txid == spend.replaces or (not p.amount and p.units is None):
        return False
    chain, name, token, _dec = target
    # By chain key when the entry has one: a second network name for the same chain shares the window.
    if (p.chain != chain if p.chain else p.network != name) or (token is None) != (not p.token):
        return False
    return token is None or norm(token) == norm(p.token or "")


def _in_hours(spec: str, hour: int) -> bool:
    lo, hi = (int(x) for x in spec.split("-"))
    return lo <= hour < hi if lo < hi else (hour >= lo or hour < hi)


def check(policy: Policy | None, spend: Spend, window: list[Past] | None, now: float | None = None) -> None:
    """Return if the policy allows `spend`; raise PolicyRefused naming the rule and the numbers.

    window None means the journal is unknown (lost or rolled back): any rolling rule then refuses.
    """
    if policy is None:
        return
    now = time.time() if now is None else now
    net = spend.network
    _check_network(policy, spend.chain, net)
    if spend.contract_call:
        raise PolicyRefused(_("refused by policy: {call}; the policy cannot account for it").format(
            call=spend.contract_call))
    matched = [(r, t) for r in policy.rules if (t := target_of(r, spend)) is not None]
    if not matched:
        if policy.default == "allow":
            return
        if spend.token is None:
            raise PolicyRefused(_("refused by policy: no rule allows the native coin at {network} "
                                  "(the default is deny)").format(network=net))
        raise PolicyRefused(_("refused by policy: no rule allows the token {token} at {network} "
                              "(the default is deny)").format(token=spend.token, network=net))
    for rule, target in matched:
        _check_rule(rule, target, spend, window, now)


def _check_network(policy: Policy, chain: str, name: str) -> None:
    if policy.networks is not None and policy.chains is None:  # not prepared by `policy set`: by name
        allowed = name in policy.networks
    else:
        allowed = policy.chains is None or chain in policy.chains
    if not allowed:
        raise PolicyRefused(_("refused by policy: {network} is not among the allowed networks ({allowed})").format(
            network=name, allowed=", ".join(policy.networks or ()) or _("none")))


def _check_rule(rule: Rule, target: tuple[str, str, str | None, int], spend: Spend, window: list[Past] | None,
                now: float) -> None:
    asset, where = rule.asset, rule.where
    if rule.hours_utc is not None:
        hour = time.gmtime(now).tm_hour
        if not _in_hours(rule.hours_utc, hour):
            raise PolicyRefused(_("refused by policy: the rule for {asset} at {where} allows signing only at {hours} "
                                  "UTC; it is now {hour:02d}:xx UTC").format(asset=asset, where=where,
                                                                              hours=rule.hours_utc, hour=hour))
    if rule.allow_to is not None:
        allowed = {norm(a) for a in rule.allow_to}
        for to, _units in spend.outputs:
            if norm(to) not in allowed and norm(to) != norm(spend.sender):
                raise PolicyRefused(_("refused by policy: the rule for {asset} at {where} does not allow the "
                                      "recipient {to}").format(asset=asset, where=where, to=to))
    dec = target[3]
    total = spend.total
    if rule.max_per_tx is not None:
        cap = _base_units(rule.max_per_tx, dec, ROUND_FLOOR)
        if total > cap:
            raise PolicyRefused(_("refused by policy: per-transaction limit on {asset} at {where} is {cap}; "
                                  "this payment is {amount}").format(asset=asset, where=where, cap=_show(cap, dec),
                                                                     amount=_show(total, dec)))
    rolling = [(rule.max_per_24h, DAY, "24-hour"), (rule.max_per_7d, WEEK, "7-day")]
    needs_window = rule.max_tx_per_hour is not None or any(c is not None for c, _span, _label in rolling)
    if not needs_window:
        return
    if window is None:
        raise PolicyRefused(_("refused by policy: the rule for {asset} at {where} has rolling limits, but the "
                              "journal is missing or older than this vault has seen, so what was sent is unknown; "
                              "run 'wallet journal reconcile'").format(asset=asset, where=where))
    past = [p for p in window if _past_matches(target, spend, p)]
    if rule.max_tx_per_hour is not None:
        n = sum(1 for p in past if p.created > now - HOUR)
        if n + 1 > rule.max_tx_per_hour:
            raise PolicyRefused(_("refused by policy: hourly limit on {asset} at {where} is {limit} transactions; "
                                  "{count} signed in the last hour").format(asset=asset, where=where,
                                                                            limit=rule.max_tx_per_hour, count=n))
    for cap_text, span, label in rolling:
        if cap_text is None:
            continue
        cap = _base_units(cap_text, dec, ROUND_FLOOR)
        sent = sum(p.units if p.units is not None else _base_units(p.amount or "0", dec, ROUND_CEILING)
                   for p in past if p.created > now - span)
        if sent + total > cap:
            if label == "24-hour":
                text = _("refused by policy: 24-hour limit on {asset} at {where} is {cap}; {sent} sent, "
                         "this payment is {amount}")
            else:
                text = _("refused by policy: 7-day limit on {asset} at {where} is {cap}; {sent} sent, "
                         "this payment is {amount}")
            raise PolicyRefused(text.format(asset=asset, where=where, cap=_show(cap, dec), sent=_show(sent, dec),
                                            amount=_show(total, dec)))


def check_message(policy: Policy | None, chain: str, network: str) -> None:
    """sign-message and typed data that moves nothing (a Permit is checked as a spend instead)."""
    if policy is None:
        return
    _check_network(policy, chain, network)
    allowed = policy.messages_allow if policy.messages_allow is not None else policy.default == "allow"
    if not allowed:
        raise PolicyRefused(_("refused by policy: message and typed-data signing is not allowed "
                              "([messages] allow = false)"))
