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


def test_signed_permits_fill_the_rolling_window(tmp_path, monkeypatch) -> None:
    """A Permit was checked as a spend but never counted afterwards: permits of 400 to fresh spenders
    under a 24-hour cap of 1,000 were each allowed, so the cap did not bound what could be pulled."""
    from chains.networks import get_network
    from wallet_cli import signing

    net = get_network("local-evm")
    token = "0x" + "cd" * 20
    policy = {"rule": [{"network": net.name, "asset": "USDC", "max_per_24h": "1000",
                        "targets": [{"chain": f"evm:{net.chain_id}", "network": net.name, "token": token,
                                     "decimals": 6}]}]}
    uv = SimpleNamespace(secrets=SimpleNamespace(policy=policy, journal=None))
    monkeypatch.setattr(signing, "key_for", lambda entry, network: None)
    sigs = iter(range(10))
    adapter = SimpleNamespace(sign_typed_data=lambda typed, key: f"0x{next(sigs):0130x}")
    saved: list = []
    ledger = guard.Ledger()
    journal = Journal(tmp_path)

    def permit(spender: str) -> dict:
        return {"primaryType": "Permit", "domain": {"chainId": net.chain_id, "verifyingContract": token},
                "message": {"owner": "0x" + "01" * 20, "spender": spender, "value": 400 * 10**6}}

    entry = {"chain": "evm", "address": "0x" + "01" * 20}
    for spender in ("0x" + "e1" * 20, "0x" + "e2" * 20):
        signing.typed_signature(uv, adapter, entry, net, permit(spender), journal, ledger,
                                save=lambda *a: saved.append(a))
    with pytest.raises(pol.PolicyRefused, match="24-hour limit on USDC at local-evm is 1,000; 800 sent"):
        signing.typed_signature(uv, adapter, entry, net, permit("0x" + "e3" * 20), journal, ledger,
                                save=lambda *a: saved.append(a))
    assert len(saved) == 2 and saved[0][2].units == 400 * 10**6
