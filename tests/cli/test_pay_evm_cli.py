"""`wallet pay` on EVM through the real CLI against a real anvil: native and ERC-20 rows, review, resume."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devnet import anvil


@pytest.fixture
def evm(new_funded_vault, chain: anvil.Sandbox) -> dict[str, str]:
    return new_funded_vault("evm", chain.url, "100")


def recipients(n: int) -> list[str]:
    from keystore.addresses import to_checksum_address

    return [to_checksum_address(os.urandom(20)) for _ in range(n)]


def wei(url: str, address: str) -> int:
    return int(anvil.rpc(url, "eth_getBalance", [address, "latest"]), 16)


def nonce(url: str, address: str) -> int:
    return int(anvil.rpc(url, "eth_getTransactionCount", [address, "latest"]), 16)


def token_balance(url: str, token: str, owner: str) -> int:
    return int(anvil.token_call(url, token, "0x70a08231" + owner[2:].lower().rjust(64, "0")), 16)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def pay(cli, evm, path: Path, *extra: str):
    return cli("--json", "--yes", "pay", str(path), "--network", "local-evm", "--from", "evm:0", *extra)


def test_native_rows_paid_once_and_rerun_pays_nothing(cli, evm, tmp_path: Path) -> None:
    to = recipients(3)
    f = write(tmp_path, "june.csv", f"to,amount,memo\n{to[0]},0.5,=2+2\n{to[1]},1.25,b\n{to[2]},0.001,c\n")
    r = pay(cli, evm, f, "--wait")
    assert r.code == 0, r.err
    rep = r.json()
    assert rep["run"] == "june" and rep["states"] == {"confirmed": 3} and rep["transactions"] == 3
    assert [wei(evm["url"], a) for a in to] == [5 * 10**17, 125 * 10**16, 10**15]
    assert nonce(evm["url"], evm["from"]) == 3
    again = pay(cli, evm, f, "--wait")
    assert again.code == 0, again.err
    assert again.json()["transactions"] == 3
    assert nonce(evm["url"], evm["from"]) == 3
    assert [wei(evm["url"], a) for a in to] == [5 * 10**17, 125 * 10**16, 10**15]
    st = cli("--json", "pay", "status", "june")
    assert st.code == 0 and [row["state"] for row in st.json()] == ["confirmed"] * 3
    rep_csv = cli("pay", "report", "june", "--csv")
    assert rep_csv.code == 0
    lines = rep_csv.out.strip().splitlines()
    assert lines[0].startswith("line,id,key,to,amount") and len(lines) == 4 and to[1] in lines[2]
    assert ",'=2+2," in lines[1]                     # a spreadsheet formula stays text
    rep_json = cli("pay", "report", "june", "--json")
    assert [r["memo"] for r in json.loads(rep_json.out)] == ["=2+2", "b", "c"]


def test_erc20_rows_with_token_option(cli, evm, chain: anvil.Sandbox, tmp_path: Path) -> None:
    token = anvil.deploy_token(chain.url, "Test Token", "TT", 6, 10**12, evm["from"])
    to = recipients(2)
    f = write(tmp_path, "tok.csv", f"id,to,amount\nA-1,{to[0]},12.5\nA-2,{to[1]},0.000001\n")
    r = pay(cli, evm, f, "--token", token, "--wait")
    assert r.code == 0, r.err
    assert [token_balance(chain.url, token, a) for a in to] == [12_500_000, 1]


def test_dry_run_signs_nothing(cli, evm, tmp_path: Path) -> None:
    to = recipients(2)
    f = write(tmp_path, "dry.csv", f"to,amount\n{to[0]},1\n{to[1]},2\n")
    r = pay(cli, evm, f, "--dry-run")
    assert r.code == 0, r.err
    plan = r.json()
    assert plan["dry_run"] and plan["to_pay"] == 2 and plan["totals"][0]["amount"] == "3"
    assert plan["largest"][0]["to"] == to[1] and plan["fees"]["transactions"] == 2
    assert nonce(evm["url"], evm["from"]) == 0 and wei(evm["url"], to[0]) == 0
    assert cli("--json", "pay", "status", "dry").code == 2     # no run was created


def test_invalid_rows_named_by_line_and_nothing_signed(cli, evm, tmp_path: Path) -> None:
    good = recipients(1)[0]
    bad_checksum = good[:2] + (good[2:].swapcase() if good[2:].swapcase() != good[2:] else good[2:])
    f = write(tmp_path, "bad.csv", "to,amount\n"
              f"{good},1e3\n{good},\"1,5\"\n{good},-1\n{good},0\n"
              "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu,1\n"
              f"{bad_checksum},1\n{good},1\n")
    r = pay(cli, evm, f)
    assert r.code == 2
    err = json.loads(r.err.strip().splitlines()[-1])["error"]
    for line in (2, 3, 4, 5, 6, 7):
        assert f"line {line}:" in err
    assert "line 8:" not in err
    assert nonce(evm["url"], evm["from"]) == 0


def test_duplicates_refused_unless_allowed(cli, evm, tmp_path: Path) -> None:
    to = recipients(1)[0]
    f = write(tmp_path, "dup.csv", f"to,amount\n{to},1\n{to},1.0\n")
    r = pay(cli, evm, f)
    assert r.code == 2 and "line 3" in r.err and "duplicate of line 2" in r.err
    ok = pay(cli, evm, f, "--allow-duplicates", "--wait")
    assert ok.code == 0, ok.err
    assert wei(evm["url"], to) == 2 * 10**18 and nonce(evm["url"], evm["from"]) == 2


def test_changed_row_after_payment_is_a_conflict(cli, evm, tmp_path: Path) -> None:
    to = recipients(2)
    f = write(tmp_path, "c.csv", f"id,to,amount\n1,{to[0]},1\n")
    assert pay(cli, evm, f, "--wait").code == 0
    write(tmp_path, "c.csv", f"id,to,amount\n1,{to[0]},2\n2,{to[1]},3\n")
    r = pay(cli, evm, f, "--wait")
    assert r.code == 4, r.err
    rep = r.json()
    assert [c["line"] for c in rep["conflicts"]] == [2]
    assert wei(evm["url"], to[0]) == 10**18 and wei(evm["url"], to[1]) == 3 * 10**18


def test_reverting_row_refused_before_signing(cli, evm, chain: anvil.Sandbox, tmp_path: Path) -> None:
    token = anvil.deploy_token(chain.url, "Test Token", "TT", 6, 10**12, evm["from"])
    to = recipients(2)
    anvil.set_blocked(chain.url, token, to[1])
    f = write(tmp_path, "rev.csv", f"to,amount\n{to[0]},1\n{to[1]},1\n")
    r = pay(cli, evm, f, "--token", token)
    assert r.code == 4 and "line 3" in r.err
    assert nonce(evm["url"], evm["from"]) == 0


def test_insufficient_funds_refused(cli, evm, tmp_path: Path) -> None:
    to = recipients(1)[0]
    f = write(tmp_path, "big.csv", f"to,amount\n{to},1000\n")
    r = pay(cli, evm, f)
    assert r.code == 4 and "need" in r.err
    assert nonce(evm["url"], evm["from"]) == 0


def test_run_fee_cap_and_stdin(cli, evm, tmp_path: Path) -> None:
    to = recipients(2)
    text = f"to,amount\n{to[0]},1\n{to[1]},1\n"
    r = cli("--json", "--yes", "pay", "-", "--run", "piped", "--network", "local-evm", "--from", "evm:0",
            "--max-total-fee", "0.000000001", stdin=text)
    assert r.code == 4 and "--max-total-fee" in r.err
    assert nonce(evm["url"], evm["from"]) == 0
    ok = cli("--json", "--yes", "pay", "-", "--run", "piped", "--network", "local-evm", "--from", "evm:0",
             "--max-total-fee", "1", "--wait", stdin=text)
    assert ok.code == 0, ok.err
    assert ok.json()["run"] == "piped" and [wei(evm["url"], a) for a in to] == [10**18, 10**18]


def test_lookalike_recipient_refused_under_yes(cli, evm, tmp_path: Path) -> None:
    real = recipients(1)[0]
    assert cli("contacts", "add", "bob", real, "--chain", "evm").code == 0
    core = real[2:]
    twin = "0x" + core[:4] + ("0" if core[4] != "0" else "1") * 32 + core[-4:]
    from keystore.addresses import to_checksum_address

    f = write(tmp_path, "look.csv", f"to,amount\n{to_checksum_address(twin)},1\n")
    r = pay(cli, evm, f)
    assert r.code == 4 and "poisoning" in r.err and "--allow-lookalike" in r.err
    assert nonce(evm["url"], evm["from"]) == 0


POLICY = """
[[rule]]
network = "local-evm"
asset = "ETH"
max_per_tx = "1"
max_per_24h = "2.5"
"""


def test_policy_checks_the_whole_run_and_counts_payouts_in_its_windows(cli, evm, tmp_path: Path) -> None:
    (tmp_path / "policy.toml").write_text(POLICY)
    assert cli("--json", "--yes", "policy", "set", str(tmp_path / "policy.toml")).code == 0
    to = recipients(4)
    over_tx = pay(cli, evm, write(tmp_path, "a.csv", f"to,amount\n{to[0]},0.5\n{to[1]},1.5\n"))
    assert over_tx.code == 4 and "per-transaction limit on ETH at local-evm is 1" in over_tx.err
    over_day = pay(cli, evm, write(tmp_path, "b.csv", f"to,amount\n{to[0]},1\n{to[1]},1\n{to[2]},1\n"))
    assert over_day.code == 4 and "24-hour limit on ETH at local-evm is 2.5" in over_day.err
    assert nonce(evm["url"], evm["from"]) == 0                  # refused before the first signature
    ok = pay(cli, evm, write(tmp_path, "c.csv", f"to,amount\n{to[0]},1\n{to[1]},1\n"), "--wait")
    assert ok.code == 0, ok.err
    # The run's transactions are in the journal the windows read: 2 of 2.5 ETH used, so 1 more is refused.
    more = cli("--json", "--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", to[3],
               "--amount", "1")
    assert more.code == 4 and "24-hour limit" in more.err
    hist = cli("--json", "history", "--network", "local-evm")
    assert hist.code == 0 and sum(1 for e in hist.json() if e["kind"] == "payout") == 2
    txid = cli("--json", "pay", "status", "c").json()[0]["txid"]
    st = cli("--json", "tx", "status", txid)
    assert st.code == 0 and st.json()["state"] == "confirmed", st.err


@pytest.fixture(scope="module")
def manual_chain() -> Iterator[anvil.Sandbox]:
    with anvil.Sandbox(no_mining=True) as sb:
        yield sb


def test_a_row_whose_tx_was_sped_up_is_never_paid_again(cli, new_funded_vault, manual_chain, tmp_path: Path) -> None:
    anvil.rpc(manual_chain.url, "evm_setAutomine", [True])
    v = new_funded_vault("evm", manual_chain.url, "10")
    anvil.rpc(manual_chain.url, "evm_setAutomine", [False])
    to = recipients(3)
    f = write(tmp_path, "s.csv", "to,amount\n" + "".join(f"{a},0.1\n" for a in to))
    first = pay(cli, v, f)                                   # broadcast; pending in the pool
    assert first.code == 0, first.err
    txid = cli("--json", "pay", "status", "s").json()[1]["txid"]
    sped = cli("--json", "--yes", "tx", "speed-up", txid)
    assert sped.code == 0, sped.err
    anvil.rpc(manual_chain.url, "evm_mine", [])
    again = pay(cli, v, f)
    assert again.code == 4, again.err
    assert again.json()["refused"][0]["line"] == 3 and "replaced by" in again.json()["refused"][0]["detail"]
    rows = cli("--json", "pay", "status", "s").json()
    assert [r["state"] for r in rows] == ["confirmed", "replaced", "confirmed"]
    assert [wei(v["url"], a) for a in to] == [10**17] * 3      # the replacement paid row 2, once
    assert nonce(v["url"], v["from"]) == 3


def test_a_rolled_back_journal_refuses_the_run_instead_of_paying_again(cli, evm, home: Path, tmp_path: Path) -> None:
    """The run's exactly-once rests on wallet.db: an older copy of it (restored from a backup, or lost)
    that misses rows the vault has seen must stop the run, as it stops a keyed send, not pay everything again."""
    import sqlite3

    warm = cli("--json", "--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", evm["to"],
               "--amount", "0.01")
    assert warm.code == 0, warm.err
    backup = sqlite3.connect(":memory:")
    with sqlite3.connect(home / "wallet.db") as live:
        live.backup(backup)
    to = recipients(2)
    f = write(tmp_path, "roll.csv", f"to,amount\n{to[0]},0.1\n{to[1]},0.2\n")
    first = pay(cli, evm, f, "--wait")
    assert first.code == 0, first.err
    sent = nonce(evm["url"], evm["from"])
    with sqlite3.connect(home / "wallet.db") as live:
        backup.backup(live)                                     # the backup knows nothing of the run
    again = pay(cli, evm, f, "--wait")
    assert again.code == 4, again.err
    assert "journal" in again.err and "missing rows" in again.err
    assert nonce(evm["url"], evm["from"]) == sent
    assert [wei(evm["url"], a) for a in to] == [10**17, 2 * 10**17]


class _Killed(BaseException):
    """The process dying right after a chunk went out (SIGKILL, power loss): nothing after it runs."""


def test_a_run_killed_after_broadcast_leaves_the_vault_mark_past_its_rows(cli, evm, home: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The vault's journal high-water mark is raised before a chunk is broadcast, not when the run ends: a
    run killed mid-way and a wallet.db rolled back to before it must not pay the broadcast rows again."""
    import sqlite3

    from wallet_cli.payouts.evm import EvmPayout

    warm = cli("--json", "--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", evm["to"],
               "--amount", "0.01")
    assert warm.code == 0, warm.err
    backup = sqlite3.connect(":memory:")
    with sqlite3.connect(home / "wallet.db") as live:
        live.backup(backup)
    to = recipients(2)
    f = write(tmp_path, "kill.csv", f"to,amount\n{to[0]},0.1\n{to[1]},0.2\n")
    real = EvmPayout.broadcast

    def broadcast_then_die(self, chunk):  # noqa: ANN001, ANN202
        real(self, chunk)
        raise _Killed

    monkeypatch.setattr(EvmPayout, "broadcast", broadcast_then_die)
    with pytest.raises(_Killed):
        pay(cli, evm, f)
    monkeypatch.setattr(EvmPayout, "broadcast", real)
    import time

    deadline = time.monotonic() + 10
    while (sent := nonce(evm["url"], evm["from"])) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)                                        # anvil mines what it was sent, soon
    assert sent == 3
    with sqlite3.connect(home / "wallet.db") as live:
        backup.backup(live)                                     # the backup knows nothing of the run
    again = pay(cli, evm, f, "--wait")
    assert again.code == 4, again.err
    assert "missing rows" in again.err
    assert nonce(evm["url"], evm["from"]) == sent
    assert [wei(evm["url"], a) for a in to] == [10**17, 2 * 10**17]


def test_wait_that_times_out_does_not_report_success(cli, new_funded_vault, manual_chain, tmp_path: Path) -> None:
    """Exit 0 with --wait means every row landed: rows still in flight when the wait ends are a run to resume
    (exit 5), not a success a script would book as paid."""
    anvil.rpc(manual_chain.url, "evm_setAutomine", [True])
    v = new_funded_vault("evm", manual_chain.url, "10")
    anvil.rpc(manual_chain.url, "evm_setAutomine", [False])
    to = recipients(2)
    f = write(tmp_path, "slow.csv", "to,amount\n" + "".join(f"{a},0.1\n" for a in to))
    r = pay(cli, v, f, "--wait", "--timeout", "1")
    assert r.code == 5, r.err
    assert r.json()["states"] == {"inflight": 2} and "did not confirm" in r.json()["stopped"]
    anvil.rpc(manual_chain.url, "evm_mine", [])
    again = pay(cli, v, f, "--wait")
    assert again.code == 0, again.err
    assert again.json()["states"] == {"confirmed": 2} and nonce(v["url"], v["from"]) == 2
