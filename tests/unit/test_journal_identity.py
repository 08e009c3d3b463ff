"""The journal's identity, row count, tag upsert and one-sentence errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from chains.base import Amount, SignedTx
from wallet_cli.journal import Journal, JournalDamaged


def _signed(txid: str = "0xaa") -> SignedTx:
    return SignedTx("evm", "local-evm", txid, "0x00", "0xfrom", "0xto", Amount(5, 18, "ETH"))


def test_identity_is_per_file_and_count_grows(tmp_path: Path) -> None:
    j = Journal(tmp_path)
    ident = j.identity()
    assert Journal(tmp_path).identity() == ident and j.count() == 0
    assert stat.S_IMODE(os.stat(tmp_path / "wallet.db").st_mode) == 0o600
    j.record_signed(_signed())
    assert j.count() == 1
    j.close()
    for name in ("wallet.db", "wallet.db-wal", "wallet.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    assert Journal(tmp_path).identity() != ident


def test_a_second_record_fills_missing_tags_and_keeps_the_state(tmp_path: Path) -> None:
    j = Journal(tmp_path)
    j.record_signed(_signed())
    j.set_state("local-evm", "0xaa", "pending")
    j.record_signed(_signed(), kind="pay", idem_key="k", intent="i")
    (e,) = j.by_idem_key("k")
    assert (e.state, e.kind, e.intent) == ("pending", "pay", "i")
    j.record_signed(_signed(), idem_key="other")
    assert j.by_idem_key("other") == [] and j.count() == 1


def test_a_damaged_journal_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "wallet.db").write_bytes(b"not a database" * 100)
    with pytest.raises(JournalDamaged) as e:
        Journal(tmp_path)
    assert str(e.value) == (f"the journal {tmp_path / 'wallet.db'} cannot be used (it is damaged or not a wallet "
                            "journal); move it aside and run 'wallet journal reconcile' to start a new one")
