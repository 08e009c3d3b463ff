"""`wallet send` on Solana through the real CLI, against the LiteSVM sandbox (the real SVM runtime)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from solders.keypair import Keypair
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from devnet import sol_sandbox
from tests.cli.conftest import ABANDON


@pytest.fixture(scope="module")
def svm() -> Iterator[sol_sandbox.Sandbox]:
    with sol_sandbox.Sandbox() as sb:
        yield sb


@pytest.fixture
def sol(new_funded_vault, svm: sol_sandbox.Sandbox) -> dict[str, str]:
    """A new vault whose sol:0 holds 2 SOL on the module's sandbox, and sol:1."""
    return new_funded_vault("sol", svm.url, "2")


def lamports(url: str, address: str) -> int:
    from chains.solana.rpc import SolanaRpc

    return SolanaRpc(url).get_balance(address)


def test_sol_send_is_signed_by_the_derived_key(cli, sol) -> None:
    r = cli("--json", "--yes", "send", "--network", "local-sol", "--from", "sol:0", "--to", sol["to"],
            "--amount", "0.5", "--wait")
    assert r.code == 0, r.err
    assert r.json()["state"] in ("confirmed", "finalized")
    bal = cli("--json", "balance", "sol:1", "--network", "local-sol", password=False)
    assert bal.json()["balance"] == "0.5"
    # Independent check: solders derives the same key from the mnemonic and the signature verifies.
    from bip_utils import Bip39SeedGenerator

    seed = bytes(Bip39SeedGenerator(Path(sol["mnemonic"]).read_text().strip()).Generate())
    kp = Keypair.from_seed_and_derivation_path(seed, "m/44'/501'/0'/0'")
    assert str(kp.pubkey()) == sol["from"]
    assert Signature.from_string(r.json()["txid"])  # a real base58 signature


def test_spl_send_creates_recipient_account(cli, sol) -> None:
    mint = sol_sandbox.create_mint(sol["url"], 6)
    sol_sandbox.mint_to(sol["url"], mint, sol["from"], 100 * 10**6)
    r = cli("--json", "--yes", "send", "--network", "local-sol", "--from", "sol:0", "--to", sol["to"],
            "--amount", "25.5", "--token", mint, "--wait")
    assert r.code == 0, r.err
    got = cli("--json", "balance", "sol:1", "--network", "local-sol", "--token", mint, password=False)
    assert got.json()["balance"] == "25.5"


def test_rent_exempt_and_wrong_chain_refusals(cli, sol) -> None:
    fresh = str(Keypair().pubkey())
    tiny = cli("--yes", "send", "--network", "local-sol", "--from", "sol:0", "--to", fresh, "--amount", "0.0001")
    assert tiny.code == 4 and "rent" in tiny.err
    evm = cli("--yes", "send", "--network", "local-sol", "--from", "sol:0", "--to",
              "0x9858EfFD232B4033E47d90003D41EC34EcaEda94", "--amount", "0.1")
    assert evm.code == 2
    too_much = cli("--yes", "send", "--network", "local-sol", "--from", "sol:0", "--to", sol["to"], "--amount", "5")
    assert too_much.code == 4
    assert lamports(sol["url"], fresh) == 0


def test_offline_sign_with_blockhash_then_broadcast(cli, sol, tmp_path: Path, monkeypatch) -> None:
    from chains.solana.rpc import SolanaRpc

    blockhash = SolanaRpc(sol["url"]).get_latest_blockhash()[0]
    out = tmp_path / "tx.json"
    monkeypatch.setenv("WALLET_RPC_LOCAL_SOL", "http://127.0.0.1:9")  # offline: nothing listens there
    r = cli("--json", "--yes", "send", "--network", "local-sol", "--from", "sol:0", "--to", sol["to"],
            "--amount", "0.25", "--sign-only", "--blockhash", blockhash, "--out", str(out))
    assert r.code == 0, r.err
    doc = json.loads(out.read_text())
    tx = VersionedTransaction.from_bytes(__import__("base64").b64decode(doc["raw"]))
    assert tx.verify_with_results() == [True]
    monkeypatch.setenv("WALLET_RPC_LOCAL_SOL", sol["url"])
    b1 = cli("--json", "broadcast", str(out), "--wait", password=False)
    b2 = cli("--json", "broadcast", str(out), password=False)
    assert b1.code == 0 and b2.code == 0, b1.err + b2.err
    assert b1.json()["txid"] == b2.json()["txid"] == r.json()["txid"]
    assert lamports(sol["url"], sol["to"]) == 250_000_000


def test_abandon_sol0_matches_solders(cli, restored) -> None:
    from bip_utils import Bip39SeedGenerator

    seed = bytes(Bip39SeedGenerator(ABANDON).Generate())
    expect = str(Keypair.from_seed_and_derivation_path(seed, "m/44'/501'/0'/0'").pubkey())
    assert next(a["address"] for a in restored["accounts"] if a["ref"] == "sol:0") == expect


def test_imported_keygen_key_can_send_with_commitment(cli, sol, tmp_path: Path) -> None:
    kp = Keypair()
    f = tmp_path / "id.json"
    f.write_text(json.dumps(list(bytes(kp))))
    assert cli("import-key", "sol", "--key-file", str(f), "--label", "kg").code == 0
    sol_sandbox.fund(sol["url"], str(kp.pubkey()), 10**9)
    r = cli("--json", "--yes", "send", "--network", "local-sol", "--from", "kg", "--to", sol["to"],
            "--amount", "0.1", "--wait", "--commitment", "finalized")
    assert r.code == 0, r.err
    assert r.json()["state"] in ("confirmed", "finalized")
    assert lamports(sol["url"], sol["to"]) == 100_000_000
    bad = cli("--yes", "send", "--network", "local-sol", "--from", "kg", "--to", sol["to"], "--amount", "0.1",
              "--commitment", "eventually")
    assert bad.code == 2


@pytest.mark.parametrize("offchain", [False, True])
def test_sol_message_signing_verifies_independently(cli, restored, offchain: bool) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from solders.pubkey import Pubkey

    flag = ["--offchain"] if offchain else []
    r = cli("--json", "--yes", "sign-message", "sol:0", "gm solana", *flag)
    assert r.code == 0, r.err
    sig, addr = r.json()["signature"], r.json()["address"]
    if not offchain:  # raw bytes: check with an ed25519 implementation that is not ours
        Ed25519PublicKey.from_public_bytes(bytes(Pubkey.from_string(addr))).verify(
            bytes(Signature.from_string(sig)), b"gm solana")
    ok = cli("verify-message", addr, sig, "gm solana", "--chain", "sol", *flag, password=False)
    assert ok.code == 0, ok.err
    other = cli("verify-message", addr, sig, "gm solana", "--chain", "sol",
                *([] if offchain else ["--offchain"]), password=False)
    assert other.code == 4
