"""The policy and the agent attacked as the cron job's uid would (no password): each test is a defect
that once let a script exceed the policy, kept so that it stays fixed."""

from __future__ import annotations

from pathlib import Path

import pytest


def set_policy(cli, tmp_path: Path, text: str):
    f = tmp_path / "policy.toml"
    f.write_text(text)
    r = cli("--json", "--yes", "policy", "set", str(f))
    assert r.code == 0, r.err


def send(cli, evm: dict[str, str], network: str, amount: str):
    return cli("--json", "--yes", "send", "--network", network, "--from", evm["from"], "--to", evm["to"],
               "--amount", amount)


def test_an_alias_network_of_the_same_chain_shares_the_rolling_window(cli, evm, tmp_path: Path) -> None:
    """A second name for the same chain id (added to config.toml) matched the rule by chain id, but its
    past sends were looked up by name, so sends under the alias never filled the 24-hour window."""
    set_policy(cli, tmp_path, '[[rule]]\nnetwork = "local-evm"\nasset = "ETH"\nmax_per_24h = "1.5"\n')
    r = cli("--json", "networks", "add", "alias-evm", "--rpc-url", evm["url"], "--chain-id", "31337",
            "--kind", "local", "--symbol", "ETH")
    assert r.code == 0, r.err
    first = send(cli, evm, "alias-evm", "1")
    assert first.code == 0, first.err
    second = send(cli, evm, "alias-evm", "1")
    assert second.code == 4, second.out
    assert "24-hour limit on ETH at local-evm is 1.5; 1 sent, this payment is 1" in second.err
    third = send(cli, evm, "local-evm", "1")
    assert third.code == 4 and "1 sent" in third.err


@pytest.mark.parametrize("edit", [
    "UPDATE txs SET state = 'dropped'",
    "UPDATE txs SET created = created - 8 * 86400",
    "UPDATE txs SET amount = '0'",
    "UPDATE txs SET txid = '0x' || lower(hex(randomblob(32))), network = 'other'",
])
def test_editing_journal_rows_in_place_does_not_reset_the_window(cli, evm, tmp_path: Path, home: Path,
                                                                 edit: str) -> None:
    """The high-water mark is a row count, so rows edited in place (marked dropped, aged, zeroed or
    renamed; or deleted and replaced by as many junk rows) kept the journal 'trusted' while the
    windows forgot what was sent. What is signed is now also recorded in the vault's payload."""
    import sqlite3

    set_policy(cli, tmp_path, '[[rule]]\nnetwork = "local-evm"\nasset = "ETH"\nmax_per_24h = "1.5"\n')
    assert send(cli, evm, "local-evm", "1").code == 0
    db = sqlite3.connect(home / "wallet.db")
    with db:
        db.execute(edit)
    db.close()
    again = send(cli, evm, "local-evm", "1")
    assert again.code == 4, again.out
    # A forged row can only add to what is counted (here a renamed copy counts as a second send).
    assert "24-hour limit on ETH at local-evm is 1.5; " in again.err and "this payment is 1" in again.err
