"""policy show | set | check: the spending policy kept in the vault's authenticated payload."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wallet_cli import output, session
from wallet_cli.context import options
from wallet_i18n import N_, _, translated

policy_app = typer.Typer(help="The spending policy every signature must pass.", no_args_is_help=True)
MAX_POLICY_FILE = 256 * 1024
# The review's labels are the policy file's own keys (message ids, translated when shown; --json keeps them).
_LABELS = (N_("default"), N_("networks"), N_("messages"), N_("network"), N_("family"), N_("asset"),
           N_("max_per_tx"), N_("max_per_24h"), N_("max_per_7d"), N_("max_tx_per_hour"), N_("allow_to"),
           N_("hours_utc"))
_VALUES = (N_("deny"), N_("allow"), N_("any"), N_("allowed"), N_("refused"))   # shown translated to a person


def _stored() -> dict[str, Any] | None:
    """From a running agent (no password), else from the vault unlocked with the password."""
    from wallet_cli import agent_client, policy

    if agent_client.connect(options().home, options().vault) is not None:
        raw = agent_client.request(options().home, {"op": "policy", "vault": options().vault})["policy"]
    else:
        raw = session.unlock().secrets.policy
    return None if raw is None else policy.from_dict(raw).to_json()  # the file's order, checked


def _read(file: Path) -> str:
    from keystore.boundedio import read_text

    # Checked on the open file (stat-then-read could be raced by a swap to a FIFO), capped, never blocking.
    return read_text(file, MAX_POLICY_FILE, N_("policy file"))


def _human(p: dict[str, Any] | None) -> None:
    if p is None:
        output.line(_("no policy: every signature is allowed (subject to fee caps and confirmations)"))
        return

    def word(value: str) -> str:   # a person reads the words in their language; --json keeps the file's
        return value if options().json else translated(value)

    allowed = p.get("messages", {}).get("allow", p.get("default") == "allow")
    output.key_values({N_("default"): word(p.get("default")),
                       N_("networks"): ", ".join(p["networks"]) if "networks" in p else word("any"),
                       N_("messages"): word("allowed") if allowed else word("refused")}, title=_("Spending policy"))
    for i, r in enumerate(p.get("rule", []), 1):
        shown = {k: (", ".join(v) if isinstance(v, list) and k == "allow_to" else v)
                 for k, v in r.items() if k != "targets"}
        output.key_values(shown, title=_("Rule {number}").format(number=i))


@policy_app.command("show")
def show() -> None:
    """Print the policy (from the agent, or after unlocking). --json prints the policy file's structure."""
    p = _stored()
    output.emit({"policy": p}, lambda: _human(p))


@policy_app.command("set")
def set_policy(file: Annotated[Path, typer.Argument(help="A policy TOML file (see the README).")]) -> None:
    """Replace the policy. Needs the vault password and a confirmation; never goes through the agent."""
    from wallet_cli import agent_client, netconf, policy, policy_setup
    from wallet_cli.journal import Journal
    from wallet_cli.prompts import confirm

    journal = Journal(options().home)
    parsed = policy_setup.prepare(policy.parse_toml(_read(file)), netconf.all_networks(), journal.contact)
    data = parsed.to_json()
    _human(data)
    confirm(_("Replace the vault's spending policy with this one?"), dangerous=True)

    from keystore import vault

    name = options().vault
    session.replace(vault.set_policy(options().home, name, session.password(name), data))
    stopped = False
    if agent_client.connect(options().home, options().vault) is not None:
        agent_client.request(options().home, {"op": "stop"})   # it holds the old policy: stop it
        stopped = True
    output.emit({"policy": data, "agent_stopped": stopped}, lambda: output.info(
        _("Policy set. The running agent was stopped; start it again with 'wallet agent start'.") if stopped
        else _("Policy set.")))


@policy_app.command("check")
def check(
    network: Annotated[str, typer.Option("--network", "-n")],
    to: Annotated[str, typer.Option(help="The recipient address.")],
    amount: Annotated[str, typer.Option(help="The amount in the asset's unit.")],
    token: Annotated[str | None, typer.Option(help="A token symbol or address (default: the native coin).")]
    = None,
    sender: Annotated[str, typer.Option("--from", help="The sending account (for sends to yourself).")] = "",
) -> None:
    """Would this payment be allowed now? Exit 0 when it would, 4 (with the reason) when not."""
    from chains.base import Amount
    from wallet_cli import decode, guard, netconf, policy
    from wallet_cli.journal import Journal

    net = netconf.network(network)
    token_addr, decimals = None, policy.NATIVE_DECIMALS.get(net.family, net.decimals)
    if token:
        spec = next((s for k, s in net.tokens.items() if k.upper() == token.upper()), None)
        token_addr, decimals = (str(spec["address"]), int(spec["decimals"])) if spec else (token, decimals)
    raw = _stored()
    value = Amount.parse(amount, decimals, token or net.symbol).value
    spend = policy.Spend(chain=decode.chain_key(net), network=net.name, family=net.family, token=token_addr,
                         outputs=((to, value),), sender=sender)
    journal = Journal(options().home)
    window = [guard.past_of(e) for e in journal.since(0)]
    policy.check(None if raw is None else policy.from_dict(raw), spend, window)
    output.emit({"allowed": True}, lambda: output.line(_("allowed")))


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy", rich_help_panel="Safety")
