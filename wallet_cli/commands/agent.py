"""agent start | status | lock | stop, and journal reconcile."""

from __future__ import annotations

import os
import re
from typing import Annotated, Any

import typer

from wallet_cli import output, session
from wallet_cli.context import options
from wallet_cli.errors import PasswordUnavailable, UsageError
from wallet_i18n import N_, _, translated

agent_app = typer.Typer(help="A background process that signs without asking for the password.",
                        no_args_is_help=True)
journal_app = typer.Typer(help="The journal of signed transactions.", no_args_is_help=True)
_DURATION = re.compile(r"([0-9]+)([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_STATUS = (N_("vault"), N_("vault_id"), N_("pid"), N_("ttl_left"), N_("idle_left"), N_("mlock"), N_("policy"))
_WORDS = (N_("True"), N_("False"), N_("None"))   # values a person reads in their language (never under --json)


def _shown(data: dict[str, Any]) -> dict[str, str]:
    """The values as text for the review: True, False and None in the reader's language."""
    return {k: translated(str(v)) if (v is None or isinstance(v, bool)) and not options().json else str(v)
            for k, v in data.items()}


def parse_duration(text: str, what: str) -> float:
    m = _DURATION.fullmatch(text.strip())
    if not m or int(m[1]) == 0 or int(m[1]) * _UNITS[m[2]] > 30 * 86400:
        raise UsageError(_("{option} must look like 90s, 30m, 8h or 1d (at most 30 days)").format(option=what))
    return float(int(m[1]) * _UNITS[m[2]])


@agent_app.command("start")
def start(
    ttl: Annotated[str, typer.Option(help="Lock (wipe the keys and exit) after this long.")] = "8h",
    idle: Annotated[str, typer.Option(help="Lock after this long without a signing request.")] = "30m",
) -> None:
    """Unlock the vault once (asks for the password) and serve signatures in the background."""
    import dataclasses

    from wallet_cli import agent, agent_client
    from wallet_cli.context import set_options

    set_options(dataclasses.replace(options(), home=options().home.absolute()))  # the daemon runs in /
    home = options().home
    ttl_s, idle_s = parse_duration(ttl, "--ttl"), parse_duration(idle, "--idle")
    if home.exists() and home.stat().st_uid != os.getuid():
        raise PasswordUnavailable(_("refusing to run the agent: {home} belongs to another user").format(home=home))
    if agent_client.connect(home, options().vault) is not None:
        raise UsageError(_("an agent is already running for this vault; stop it first with 'wallet agent stop'"))
    uv = session.unlock()
    state = agent.State(home=home, vault=options().vault, uv=uv, ttl=ttl_s, idle=idle_s)
    pid = agent.daemonize(state)
    session._unlocked.clear()  # this process keeps no keys
    data = {"pid": pid, "socket": str(agent_client.socket_path(home)), "ttl": ttl_s, "idle": idle_s,
            "vault": options().vault}
    output.emit(data, lambda: output.info(_("agent running (pid {pid}); it locks after {ttl} or {idle} idle").format(
        pid=pid, ttl=ttl, idle=idle)))


@agent_app.command("status")
def status() -> None:
    """Is an agent running, for which vault, and how long until it locks. Exit 3 when none runs."""
    from wallet_cli import agent_client

    reply = agent_client.require(options().home)
    data = {k: reply.get(k) for k in _STATUS}
    output.emit(data, lambda: output.key_values(_shown(data), title=_("Agent")))


def _stop(op: str) -> None:
    from wallet_cli import agent_client

    agent_client.require(options().home)
    agent_client.request(options().home, {"op": op})
    output.emit({"locked": True}, lambda: output.info(_("the agent wiped its keys and stopped")))


@agent_app.command("lock")
def lock() -> None:
    """Wipe the agent's keys now (it exits; start it again to sign without a password)."""
    _stop("lock")


@agent_app.command("stop")
def stop() -> None:
    """Stop the agent (its keys are wiped)."""
    _stop("stop")


@journal_app.command("reconcile")
def reconcile() -> None:
    """Accept the journal as it is after it was lost or rolled back (check the chain first)."""
    from wallet_cli import guard
    from wallet_cli.journal import Journal
    from wallet_cli.prompts import confirm

    journal = Journal(options().home)
    uv = session.unlock()
    mark = uv.secrets.journal or {}
    # Keys are the --json fields and, marked, the review's labels.
    data: dict[str, Any] = {N_("journal"): str(journal.path), N_("journal_id"): journal.identity(),
                            N_("rows"): journal.count(), N_("vault_saw_id"): mark.get("id"),
                            N_("vault_saw_rows"): mark.get("count"), N_("trusted"): guard.journal_trusted(journal, uv)}
    if data["trusted"]:
        output.emit({**data, "accepted": False}, lambda: output.info(_("the journal is the one this vault knows; "
                                                                       "nothing to reconcile")))
        return
    output.key_values(_shown(data), title=_("Journal and vault disagree"))
    output.warn(_("transfers signed since this journal's copy are not in it: look them up on the chain (history, "
                  "explorer) before accepting, or idempotency keys and spending windows will not see them"))
    confirm(_("Accept this journal as the wallet's record from now on?"), dangerous=True)
    session.replace(guard.accept_journal(options().home, options().vault, uv, journal))
    output.emit({**data, "accepted": True}, lambda: output.info(_("journal accepted")))


def register(app: typer.Typer) -> None:
    app.add_typer(agent_app, name="agent", rich_help_panel="Safety")
    app.add_typer(journal_app, name="journal", rich_help_panel="Safety")
