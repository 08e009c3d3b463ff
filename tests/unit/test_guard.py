"""guard: a batch run counted as a whole, and a lost journal refusing keyed sends and rolling limits."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from wallet_cli import guard
from wallet_cli import policy as pol
from wallet_cli.journal import Journal

TARGET = {"chain": "evm:8453", "network": "base", "token": None, "decimals": 18}
POLICY = {"rule": [{"network": "base", "asset": "ETH", "max_per_24h": "1000", "targets": [TARGET]}]}


def _uv(mark: dict | None = None) -> SimpleNamespace:
    return SimpleNamespace(secrets=SimpleNamespace(policy=POLICY, journal=mark))


def _spend(eth: int) -> pol.Spend:
    return pol.Spend(chain="evm:8453", network="base", family="evm", token=None,
                     outputs=(("0x" + "ab" * 20, eth * 10**18),))


def test_a_run_is_checked_as_a_whole(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    guard.check_run(_uv(), [_spend(400), _spend(400)], journal)
    with pytest.raises(pol.PolicyRefused, match="24-hour limit on ETH at base is 1,000; 800 sent, this payment is 400"):
        guard.check_run(_uv(), [_spend(400), _spend(400), _spend(400)], journal)


def test_a_replaced_journal_refuses_keyed_sends_and_rolling_limits(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    assert guard.journal_trusted(journal, _uv({"id": journal.identity(), "count": 0}))
    stale = _uv({"id": "another-journal", "count": 0})
    assert not guard.journal_trusted(journal, stale)
    with pytest.raises(guard.JournalStale, match="wallet journal reconcile"):
        guard.check_spend(stale, _spend(1), journal, keyed=True)
    with pytest.raises(pol.PolicyRefused, match="journal is missing or older"):
        guard.check_spend(stale, _spend(1), journal, keyed=False)
    older = _uv({"id": journal.identity(), "count": 1})  # the vault saw one row; the file has none
    assert not guard.journal_trusted(journal, older)
