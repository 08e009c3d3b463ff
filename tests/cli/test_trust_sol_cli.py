"""Solana trust rules through the real CLI, the LiteSVM sandbox and a fault proxy between them (issue 8).

The proxy lets the node act and then lies about it (an error after forwarding, a mainnet genesis, a
hostile fee figure); each test counts what actually happened on chain with reads that bypass the proxy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chains.solana.rpc import SolanaRpc
from devnet import sol_sandbox
from tests.reliability.fault_proxy import FaultProxy

NET = "local-sol"
MAINNET_GENESIS = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"


@pytest.fixture(scope="module")
def svm() -> Iterator[sol_sandbox.Sandbox]:
    with sol_sandbox.Sandbox() as sb:
        yield sb


@pytest.fixture
def sol(new_funded_vault, svm: sol_sandbox.Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A funded vault (sol:0 holds 2 SOL, sol:1 is the recipient) whose RPC goes through a fault proxy."""
    v: dict[str, Any] = new_funded_vault("sol", svm.url, "2")
    with FaultProxy(svm.url) as proxy:
        monkeypatch.setenv("WALLET_RPC_LOCAL_SOL", proxy.url)
        v["proxy"] = proxy
        yield v


def lamports(url: str, address: str) -> int:
    return SolanaRpc(url).get_balance(address)


def send(cli, sol: dict[str, Any], amount: str, *extra: str):  # noqa: ANN001, ANN201
    return cli("--json", "--yes", "send", "--network", NET, "--from", "sol:0", "--to", sol["to"],
               "--amount", amount, *extra)


def rewrite_result(method: str, value: Any) -> Any:
    """A wrong_chain reply callable: the upstream reply with `method`'s result (or result.value) replaced."""
    def reply(req: Any, upstream: bytes) -> bytes:
        doc = json.loads(upstream)
        if isinstance(doc.get("result"), dict) and "value" in doc["result"]:
            doc["result"]["value"] = value(doc["result"]["value"]) if callable(value) else value
        else:
            doc["result"] = value(doc.get("result")) if callable(value) else value
        return json.dumps(doc).encode()

    return reply


def journal(cli) -> list[dict[str, Any]]:  # noqa: ANN001
    r = cli("--json", "history", "--network", NET, password=False)
    assert r.code == 0, r.err
    return r.json()


@pytest.mark.parametrize("code,message", [(-32000, "request timed out"), (-32603, "upstream request timeout"),
                                          (-31999, "something the wallet has never seen")])
def test_error_after_forwarding_is_not_rejected_and_a_rerun_after_the_blockhash_moved_does_not_pay_twice(
        cli, sol, code: int, message: str) -> None:
    url, proxy = sol["url"], sol["proxy"]
    proxy.set("error", match="sendTransaction", times=1, code=code, message=message)
    first = send(cli, sol, "0.1", "--idempotency-key", "k1")
    # The node took it and shows it, so the error reply is no refusal (it was "rejected", exit 4).
    assert first.code == 0, first.err
    assert lamports(url, sol["to"]) == 10**8
    sol_sandbox.expire_blockhash(url)                       # the blockhash moves on before the rerun
    again = send(cli, sol, "0.1", "--idempotency-key", "k1")
    assert again.code == 0, again.err
    assert again.json()["replayed"] is True and again.json()["txid"] == first.json()["txid"]
    assert lamports(url, sol["to"]) == 10**8                # still one payment, not two
    assert [e["state"] for e in journal(cli)] != ["rejected"] and len(journal(cli)) == 1


def test_error_reply_while_the_node_has_not_shown_it_is_unknown_and_never_resigned_before_expiry(
        cli, sol) -> None:
    url, proxy = sol["url"], sol["proxy"]
    sol_sandbox.hold(url)                                   # the node accepts but lands nothing yet
    try:
        proxy.set("error", match="sendTransaction", times=1)
        first = send(cli, sol, "0.1", "--idempotency-key", "k2")
        assert first.code == 5, first.err                   # unknown: rerun to reconcile
        assert [e["state"] for e in journal(cli)] == ["unknown"]
        again = send(cli, sol, "0.1", "--idempotency-key", "k2")   # same bytes again, no new signature
        assert again.code == 0, again.err
        assert len(journal(cli)) == 1
    finally:
        sol_sandbox.release_held(url)
    assert lamports(url, sol["to"]) == 10**8


def test_a_lost_send_is_resigned_only_once_its_blockhash_provably_expired(cli, sol) -> None:
    url, proxy = sol["url"], sol["proxy"]
    sol_sandbox.hold(url)
    try:
        proxy.set("error", match="sendTransaction", times=1)
        assert send(cli, sol, "0.1", "--idempotency-key", "k3").code == 5
        sol_sandbox.drop_held(url)                          # the node lost it
    finally:
        sol_sandbox.hold(url, False)
    sol_sandbox.expire_blockhash(url)                       # proof: expired, and the signature is absent
    again = send(cli, sol, "0.1", "--idempotency-key", "k3")
    assert again.code == 0, again.err
    states = sorted(e["state"] for e in journal(cli))     # history refreshes pending ones from the node
    assert states in (["dropped", "pending"], ["confirmed", "dropped"]), states
    assert lamports(url, sol["to"]) == 10**8


def _hostile_fees(req: Any, upstream: bytes) -> bytes:
    """A hostile RPC: a huge suggested priority fee, a huge simulated unit count, a base-fee-only quote."""
    doc = json.loads(upstream)
    method = req.methods[0]
    if method == "getRecentPrioritizationFees":
        doc["result"] = [{"slot": 1, "prioritizationFee": 943_571_428}]
    elif method == "simulateTransaction":
        doc["result"]["value"]["unitsConsumed"] = 1_272_000
    elif method == "getFeeForMessage":
        doc["result"]["value"] = 5000
    return json.dumps(doc).encode()


def _fees(req: Any) -> bool:
    return req.methods[:1] in (["getRecentPrioritizationFees"], ["simulateTransaction"], ["getFeeForMessage"])


def test_hostile_fee_figures_cannot_make_a_send_pay_more_than_the_review_and_journal_show(cli, sol) -> None:
    url = sol["url"]
    sol["proxy"].set("wrong_chain", match=_fees, reply=_hostile_fees)
    before = lamports(url, sol["from"])
    r = send(cli, sol, "0.01")
    assert r.code == 0, r.err
    paid = before - lamports(url, sol["from"]) - 10**7
    shown = round(float(r.json()["fee"]) * 10**9)
    assert paid == shown                                   # what the review and journal show is what it paid
    assert paid <= 10**7                                   # local-sol's fee cap, 0.01 SOL (was 1.321 SOL)
    assert journal(cli)[0]["fee"] == f"{r.json()['fee']} SOL"


def test_a_priority_fee_above_the_cap_is_refused_on_the_real_figure(cli, sol) -> None:
    sol["proxy"].set("wrong_chain", match="getFeeForMessage", reply=rewrite_result("getFeeForMessage", 5000))
    before = lamports(sol["url"], sol["from"])
    # 10^10 micro-lamports/CU x ~1,500 CU is ~0.015 SOL, above the 0.01 cap, whatever getFeeForMessage says.
    r = send(cli, sol, "0.01", "--priority-fee", "10000000000")
    assert r.code == 4, r.err
    assert "above this network's cap" in r.err
    assert lamports(sol["url"], sol["from"]) == before


def test_an_rpc_on_another_cluster_is_refused_before_signing(cli, sol, tmp_path) -> None:  # noqa: ANN001
    sol["proxy"].set("wrong_chain", match="getGenesisHash", reply=rewrite_result("getGenesisHash", MAINNET_GENESIS))
    before = lamports(sol["url"], sol["from"])
    r = send(cli, sol, "0.01")
    assert r.code == 4, r.err
    assert "another Solana cluster" in r.err
    assert journal(cli) == [] and lamports(sol["url"], sol["from"]) == before
    # sign-only with a node builds through the same check
    r = cli("--json", "--yes", "send", "--network", NET, "--from", "sol:0", "--to", sol["to"],
            "--amount", "0.01", "--sign-only", "--out", str(tmp_path / "tx.json"))
    assert r.code == 4, r.err
    assert not (tmp_path / "tx.json").exists()


@pytest.mark.parametrize("keys", [("a", "b"), (None, None), ("a", None)])
def test_two_runs_that_build_identical_transactions_are_two_payments_or_say_so(cli, sol, keys) -> None:  # noqa: ANN001
    url = sol["url"]
    results = []
    for key in keys:                       # same amount, same blockhash (the sandbox's stays put)
        r = send(cli, sol, "0.1", *(["--idempotency-key", key] if key else []))
        assert r.code == 0, r.err
        results.append(r.json())
    assert results[0]["txid"] != results[1]["txid"]
    assert all(not r["replayed"] for r in results)
    assert lamports(url, sol["to"]) == 2 * 10**8          # both landed: two sends, two payments
    assert len(journal(cli)) == 2


def test_send_builds_only_from_the_index_entry_the_vault_authenticates(cli, sol, home, monkeypatch) -> None:  # noqa: ANN001
    """The index is read before the unlock authenticates it: swap it in between (issue 8 item 10)."""
    from keystore.vault import _checksum, vault_path
    from wallet_cli import passwords

    path = vault_path(home, "default")
    original = path.read_bytes()
    doc = json.loads(original)
    sol0 = next(a for a in doc["accounts"] if a["chain"] == "sol" and a["index"] == 0)
    sol1 = next(a for a in doc["accounts"] if a["chain"] == "sol" and a["index"] == 1)
    # sol:0 now names sol:1's key and address (self-consistent, so the key check alone passes).
    sol0.update(path=sol1["path"], address=sol1["address"], public_key=sol1["public_key"])
    doc["checksum"] = _checksum(doc)
    path.write_text(json.dumps(doc))
    real = passwords.unlock_password

    def restore_then_unlock(*args: Any, **kw: Any) -> str:
        path.write_bytes(original)            # the file is back to the authenticated index by unlock time
        return real(*args, **kw)

    monkeypatch.setattr(passwords, "unlock_password", restore_then_unlock)
    sol_sandbox.fund(sol["url"], sol["to"], 10**9)
    before = lamports(sol["url"], sol["to"])
    r = cli("--json", "--yes", "send", "--network", NET, "--from", "sol:0", "--to", sol["from"], "--amount", "0.01")
    assert r.code == 4, r.err
    assert "the vault authenticates" in r.err
    assert lamports(sol["url"], sol["to"]) == before


def _error_with_code(code: Any) -> Any:
    def reply(req: Any, upstream: bytes) -> bytes:
        return json.dumps({"jsonrpc": "2.0", "id": req.ids[0], "error": {"code": code, "message": "no"}}).encode()

    return reply


@pytest.mark.parametrize("method,reply", [
    ("getBalance", rewrite_result("getBalance", None)),
    ("getBalance", rewrite_result("getBalance", "12")),
    ("getBalance", rewrite_result("getBalance", 1.5)),
    ("getLatestBlockhash", rewrite_result("getLatestBlockhash", {"blockhash": None, "lastValidBlockHeight": 5})),
    ("getLatestBlockhash", rewrite_result("getLatestBlockhash", {"blockhash": "x", "lastValidBlockHeight": None})),
    ("getMinimumBalanceForRentExemption", rewrite_result("getMinimumBalanceForRentExemption", None)),
    ("getAccountInfo", rewrite_result("getAccountInfo", {"owner": None})),
    ("getRecentPrioritizationFees", rewrite_result("getRecentPrioritizationFees", [{"prioritizationFee": "x"}])),
    ("simulateTransaction", rewrite_result("simulateTransaction", {"err": None, "unitsConsumed": "many"})),
    ("getSignatureStatuses", rewrite_result("getSignatureStatuses", None)),
    ("getGenesisHash", rewrite_result("getGenesisHash", None)),
    ("getBalance", _error_with_code("x")),
    ("getBalance", _error_with_code(None)),
    ("getBalance", _error_with_code(1.5)),
])
def test_null_or_non_numeric_results_and_error_codes_are_one_sentence_and_exit_5(
        cli, sol, method: str, reply: Any) -> None:
    sol["proxy"].set("wrong_chain", match=method, reply=reply)
    r = send(cli, sol, "0.01", "--wait")
    assert r.code == 5, r.err
    err = json.loads(r.err.splitlines()[-1])["error"]
    assert "Traceback" not in r.err and "Error" not in err and err.count(". ") == 0, err


@pytest.mark.parametrize("forward", [True, False])
def test_send_wait_through_an_error_reply_never_pays_twice(cli, sol, forward: bool) -> None:
    """--wait re-broadcasts and re-signs only after a proven expiry (send_with_resign)."""
    url, proxy = sol["url"], sol["proxy"]
    proxy.set("error", match="sendTransaction", times=2, forward=forward)
    r = send(cli, sol, "0.1", "--idempotency-key", "w1", "--wait", "--timeout", "20")
    assert r.code == 0, r.err
    assert r.json()["state"] == "confirmed"
    sol_sandbox.expire_blockhash(url)
    again = send(cli, sol, "0.1", "--idempotency-key", "w1", "--wait")
    assert again.code == 0 and again.json()["replayed"] is True, again.err
    assert lamports(url, sol["to"]) == 10**8
