"""The spending policy through the real CLI on a real anvil: limits, and files a script could edit."""

from __future__ import annotations

import json
from pathlib import Path


def set_policy(cli, tmp_path: Path, text: str, *, yes: bool = True):
    f = tmp_path / "policy.toml"
    f.write_text(text)
    return cli("--json", *(["--yes"] if yes else []), "policy", "set", str(f))


def send(cli, evm: dict[str, str], amount: str, *extra: str, password: bool = True):
    return cli("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"],
               "--amount", amount, *extra, password=password)


POLICY = """
[[rule]]
network = "local-evm"
asset = "ETH"
max_per_tx = "1"
max_per_24h = "2.5"
"""


def test_set_needs_password_and_confirmation_and_show_prints_the_structure(cli, evm, tmp_path: Path) -> None:
    no_pw = cli("--json", "--yes", "policy", "set", str(tmp_path / "x.toml"), password=False)
    assert no_pw.code == 2  # the file is checked first
    (tmp_path / "p.toml").write_text(POLICY)
    assert cli("--yes", "policy", "set", str(tmp_path / "p.toml"), password=False).code == 3
    assert set_policy(cli, tmp_path, POLICY, yes=False).code == 4  # not confirmed
    assert cli("--json", "policy", "show").json() == {"policy": None}
    r = set_policy(cli, tmp_path, POLICY)
    assert r.code == 0, r.err
    shown = cli("--json", "policy", "show").json()["policy"]
    assert shown["default"] == "deny"
    assert shown["rule"][0] == {"network": "local-evm", "asset": "ETH", "max_per_tx": "1", "max_per_24h": "2.5",
                                "targets": [{"chain": "evm:31337", "network": "local-evm", "token": None,
                                             "decimals": 18}]}
    bad = set_policy(cli, tmp_path, '[[rule]]\nnetwork = "local-evm"\nasset = "DOGE"\n')
    assert bad.code == 2 and "DOGE is neither the native coin nor a configured token" in bad.err


def test_per_tx_and_24h_limits_at_below_above(cli, evm, tmp_path: Path) -> None:
    assert set_policy(cli, tmp_path, POLICY).code == 0
    above = send(cli, evm, "1.000000000000000001")
    assert above.code == 4, above.err
    assert "per-transaction limit on ETH at local-evm is 1; this payment is 1.000000000000000001" in above.err
    assert send(cli, evm, "1").code == 0                        # at the per-tx limit
    assert send(cli, evm, "0.999999999999999999").code == 0     # just below
    # 1.999999999999999999 sent; the 24-hour limit is 2.5
    over = send(cli, evm, "0.500000000000000002")
    assert over.code == 4
    assert ("24-hour limit on ETH at local-evm is 2.5; 1.999999999999999999 sent, this payment is "
            "0.500000000000000002") in over.err
    assert send(cli, evm, "0.500000000000000001").code == 0     # exactly at the 24-hour limit
    assert cli("--json", "policy", "check", "--network", "local-evm", "--to", evm["to"],
               "--amount", "0.000000000000000001").code == 4


def test_default_deny_allow_to_and_messages(cli, evm, tmp_path: Path) -> None:
    assert cli("contacts", "add", "payroll", evm["to"], password=False).code == 0
    r = set_policy(cli, tmp_path, POLICY + 'allow_to = ["payroll"]\n')
    assert r.code == 0, r.err
    assert r.json()["policy"]["rule"][0]["allow_to"] == [evm["to"]]  # resolved once, stored as the address
    # Re-pointing the contact afterwards changes nothing: the policy holds the address.
    other = cli("--json", "accounts", "derive", "--chain", "evm").json()[0]["address"]
    assert cli("contacts", "add", "payroll", other, "--replace", password=False).code == 0
    refused = cli("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", "payroll",
                  "--amount", "0.1")
    assert refused.code == 4 and f"does not allow the recipient {other}" in refused.err
    assert send(cli, evm, "0.1").code == 0
    msg = cli("--yes", "sign-message", "evm:0", "hello")
    assert msg.code == 4 and "message and typed-data signing is not allowed" in msg.err


def test_edited_config_cannot_raise_a_limit(cli, evm, tmp_path: Path, home: Path) -> None:
    assert set_policy(cli, tmp_path, POLICY).code == 0
    cfg = home / "config.toml"
    for decimals, amount in ((18, "1.5"), (6, "1500000000000")):   # both are 1.5 ETH in wei
        # A script renames the coin and re-labels its decimals: the rule is bound to chain id 31337 and wei.
        cfg.write_text(f'[networks.local-evm]\nfamily = "evm"\nchain_id = 31337\nsymbol = "XYZ"\n'
                       f'decimals = {decimals}\nfee_cap = "1000000000000"\nrpc_url = "{evm["url"]}"\n')
        cfg.chmod(0o600)
        r = send(cli, evm, amount)
        assert r.code == 4, r.err
        assert "per-transaction limit on ETH at local-evm is 1; this payment is 1.5" in r.err


def test_deleted_or_older_journal_refuses_until_reconciled(cli, wallet_proc, evm, tmp_path: Path,
                                                            home: Path) -> None:
    import sqlite3

    assert set_policy(cli, tmp_path, POLICY).code == 0
    env = {"WALLET_RPC_LOCAL_EVM": evm["url"]}

    def psend(amount: str, *extra: str):  # real processes: no connection of this test process survives
        return wallet_proc("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to",
                           evm["to"], "--amount", amount, *extra, env=env)

    db = home / "wallet.db"
    copy = tmp_path / "old.db"
    assert psend("1").code == 0
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)                              # an older copy: one transfer
    assert psend("1").code == 0                      # 2 sent of 2.5
    for name in ("wallet.db", "wallet.db-wal", "wallet.db-shm"):
        (home / name).unlink(missing_ok=True)
    gone = psend("1")
    assert gone.code == 4 and "journal is missing or older" in gone.err
    keyed = psend("0.1", "--idempotency-key", "k1")
    assert keyed.code == 4 and "wallet journal reconcile" in keyed.err
    for name in ("wallet.db", "wallet.db-wal", "wallet.db-shm"):
        (home / name).unlink(missing_ok=True)
    copy.rename(db)                                  # restore the older copy: still detected
    older = psend("1")
    assert older.code == 4 and "journal is missing or older" in older.err
    assert wallet_proc("--json", "journal", "reconcile").code == 4   # without --yes: not confirmed
    rec = wallet_proc("--json", "--yes", "journal", "reconcile")
    assert rec.code == 0, rec.err
    assert rec.json()["accepted"] is True and rec.json()["rows"] == 1
    # Accepted: the journal holds 1 sent, but the vault recorded both signatures, so the window still
    # counts 2 (the second transfer is on chain): 0.5 more passes and 0.1 then fails.
    assert psend("0.5").code == 0
    assert psend("0.1").code == 4


def test_damaged_journal_is_one_sentence(cli, wallet_proc, evm, home: Path) -> None:
    assert send(cli, evm, "0.1").code == 0
    for name in ("wallet.db-wal", "wallet.db-shm"):
        (home / name).unlink(missing_ok=True)
    (home / "wallet.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    # A fresh process, as a user runs it (this test process may still hold the old file open).
    r = wallet_proc("--json", "--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"],
                    "--amount", "0.1", env={"WALLET_RPC_LOCAL_EVM": evm["url"]})
    assert r.code == 4, r.err
    assert "the journal" in r.err and "wallet.db cannot be used" in r.err and "bug" not in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_policy_show_json_is_the_file_structure(cli, evm, tmp_path: Path) -> None:
    text = POLICY + '\n[messages]\nallow = true\n'
    assert set_policy(cli, tmp_path, text).code == 0
    shown = cli("--json", "policy", "show").json()["policy"]
    import tomllib

    again = tomllib.loads(text)
    assert shown["messages"] == again["messages"]
    assert {k: v for k, v in shown["rule"][0].items() if k != "targets"} == again["rule"][0]
    assert json.dumps(shown)  # plain JSON
