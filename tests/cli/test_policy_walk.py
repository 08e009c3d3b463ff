"""Every command that signs is refused by the policy; per-transaction limits on Solana and Bitcoin sends.

Each command runs for real against a sandbox (anvil with manual mining, LiteSVM, the regtest sandbox),
and nothing is signed: no new transaction reaches the node, no signature or file is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import devnet.btc_sandbox as btc
from devnet import anvil, sol_sandbox

DENY = 'default = "deny"\n'
REFUSED = "refused by policy"


def set_policy(cli, tmp_path: Path, text: str) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(text)
    r = cli("--json", "--yes", "policy", "set", str(f))
    assert r.code == 0, r.err


def refused(r) -> bool:
    return r.code == 4 and REFUSED in r.err and r.out == ""


@pytest.fixture(scope="module")
def manual_chain() -> Iterator[anvil.Sandbox]:
    with anvil.Sandbox(no_mining=True) as sb:
        yield sb


def test_every_evm_signing_command_is_refused(cli, manual_chain: anvil.Sandbox, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    url = manual_chain.url
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", url)
    assert cli("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt")).code == 0
    to = cli("--json", "accounts", "derive", "--chain", "evm").json()[0]["address"]
    assert cli("devnet", "fund", "evm:0", "--amount", "5", "--network", "local-evm").code == 0
    first = cli("--json", "--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", to, "--amount", "1")
    assert first.code == 0, first.err
    txid = first.json()["txid"]
    set_policy(cli, tmp_path, DENY)
    pool = anvil.rpc(url, "txpool_content")

    send = cli("--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", to, "--amount", "0.1")
    assert refused(send), send.err
    out = tmp_path / "signed.json"
    offline = cli("--yes", "send", "--network", "local-evm", "--from", "evm:0", "--to", to, "--amount", "0.1",
                  "--sign-only", "--out", str(out))
    assert refused(offline) and not out.exists(), offline.err
    for how in ("speed-up", "cancel"):
        r = cli("--yes", "tx", how, txid)
        assert refused(r), (how, r.err)
    msg = cli("--yes", "sign-message", "evm:0", "hello")
    assert refused(msg), msg.err
    permit = {"types": {"EIP712Domain": [{"name": "name", "type": "string"},
                                         {"name": "chainId", "type": "uint256"},
                                         {"name": "verifyingContract", "type": "address"}],
                        "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                                   {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                                   {"name": "deadline", "type": "uint256"}]},
              "primaryType": "Permit",
              "domain": {"name": "USD Coin", "chainId": 31337, "verifyingContract": "0x" + "11" * 20},
              "message": {"owner": to, "spender": "0x" + "de" * 20, "value": 2**256 - 1, "nonce": 0,
                          "deadline": 2**40}}
    f = tmp_path / "permit.json"
    f.write_text(json.dumps(permit))
    typed = cli("--yes", "sign-typed-data", "evm:0", str(f))
    assert refused(typed) and "no rule allows the token 0x1111" in typed.err, typed.err
    # Nothing new reached the node: the mempool is what it was before the policy.
    assert anvil.rpc(url, "txpool_content") == pool
    states = [h["state"] for h in cli("--json", "history", password=False).json()]
    assert states == ["pending"]


def test_permit_counts_as_spending_even_when_messages_are_allowed(cli, tmp_path: Path) -> None:
    assert cli("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt")).code == 0
    set_policy(cli, tmp_path, '[messages]\nallow = true\n')
    assert cli("--json", "--yes", "sign-message", "evm:0", "gm").code == 0
    permit = {"types": {"EIP712Domain": [{"name": "chainId", "type": "uint256"},
                                         {"name": "verifyingContract", "type": "address"}],
                        "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                                   {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                                   {"name": "deadline", "type": "uint256"}]},
              "primaryType": "Permit", "domain": {"chainId": 1, "verifyingContract": "0x" + "22" * 20},
              "message": {"owner": "0x" + "33" * 20, "spender": "0x" + "de" * 20, "value": 5, "nonce": 0,
                          "deadline": 1}}
    f = tmp_path / "permit.json"
    f.write_text(json.dumps(permit))
    r = cli("--yes", "sign-typed-data", "evm:0", str(f))
    assert refused(r), r.err


@pytest.fixture(scope="module")
def svm() -> Iterator[sol_sandbox.Sandbox]:
    with sol_sandbox.Sandbox() as sb:
        yield sb


def test_sol_per_tx_limit_and_message_refusal(cli, new_funded_vault, svm, tmp_path: Path) -> None:
    sol = new_funded_vault("sol", svm.url, "2")
    set_policy(cli, tmp_path, '[[rule]]\nnetwork = "local-sol"\nasset = "SOL"\nmax_per_tx = "0.5"\n')

    def send(amount: str):
        return cli("--json", "--yes", "send", "--network", "local-sol", "--from", "sol:0", "--to", sol["to"],
                   "--amount", amount)

    over = send("0.500000001")
    assert refused(over) and "per-transaction limit on SOL at local-sol is 0.5; this payment is 0.500000001" \
        in over.err, over.err
    assert send("0.5").code == 0
    assert send("0.499999999").code == 0
    assert refused(cli("--yes", "sign-message", "sol:0", "gm"))


@pytest.fixture(scope="module")
def regtest() -> Iterator[btc.Sandbox]:
    with btc.Sandbox() as sb:
        yield sb


def test_btc_send_limit_and_psbt_sign_refused(cli, new_funded_vault, regtest, tmp_path: Path) -> None:
    url = new_funded_vault("btc", regtest.url, "1")["url"]
    to = cli("--json", "address", "btc:1", "--network", "local-btc", password=False).json()["address"]
    # A PSBT from a watch-only home, to be signed by this vault's home.
    xpub = cli("--json", "export-xpub", "btc:0", "--network", "local-btc", password=False).json()
    w = ["--home", str(tmp_path / "watch")]
    assert cli(*w, "--json", "init", "--mnemonic-out", str(tmp_path / "w.txt")).code == 0
    assert cli(*w, "import-xpub", xpub["descriptor"], "--network", "local-btc", "--label", "cold").code == 0
    unsigned = tmp_path / "tx.psbt"
    assert cli(*w, "--json", "--yes", "send", "--network", "local-btc", "--from", "cold", "--to", to,
               "--amount", "0.2", "--fee-rate", "2", "--sign-only", "--out", str(unsigned)).code == 0

    set_policy(cli, tmp_path, '[[rule]]\nnetwork = "local-btc"\nasset = "BTC"\nmax_per_tx = "0.1"\n')

    def send(amount: str):
        return cli("--json", "--yes", "send", "--network", "local-btc", "--from", "btc:0", "--to", to,
                   "--amount", amount, "--fee-rate", "2")

    over = send("0.10000001")
    assert refused(over) and "per-transaction limit on BTC at local-btc is 0.1; this payment is 0.10000001" \
        in over.err, over.err
    assert send("0.1").code == 0
    assert send("0.09999999").code == 0
    signed = tmp_path / "signed.psbt"
    r = cli("--yes", "psbt", "sign", str(unsigned), "--account", "btc:0", "--network", "local-btc",
            "--out", str(signed))
    assert refused(r) and "this payment is 0.2" in r.err and not signed.exists(), r.err
    assert len(btc_mempool(url)) == 2


def btc_mempool(url: str) -> list:
    import urllib.request

    with urllib.request.urlopen(url + "/mempool/txids", timeout=10) as resp:  # noqa: S310 - local sandbox
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def tron_node():
    from devnet import tron_sandbox

    with tron_sandbox.Sandbox() as sb:
        yield sb


def test_tron_trx_and_trc20_limits(cli, new_funded_vault, tron_node, tmp_path: Path) -> None:
    accts = new_funded_vault("tron", tron_node.url, "100")
    assert cli("devnet", "fund", "tron:0", "--amount", "100", "--token", "USDT", "--network", "local-tron").code == 0
    set_policy(cli, tmp_path, '[[rule]]\nnetwork = "local-tron"\nasset = "TRX"\nmax_per_tx = "5"\n'
                              '[[rule]]\nnetwork = "local-tron"\nasset = "USDT"\nmax_per_tx = "20"\n')

    def send(amount: str, *token: str):
        return cli("--json", "--yes", "send", "--network", "local-tron", "--from", "tron:0", "--to", accts["to"],
                   "--amount", amount, *token)

    over = send("5.000001")
    assert refused(over) and "per-transaction limit on TRX at local-tron is 5; this payment is 5.000001" \
        in over.err, over.err
    assert send("5").code == 0
    assert send("4.999999").code == 0
    usdt = send("20.000001", "--token", "USDT")
    assert refused(usdt) and "per-transaction limit on USDT at local-tron is 20" in usdt.err, usdt.err
    assert send("20", "--token", "USDT").code == 0
    assert refused(cli("--yes", "sign-message", "tron:0", "hello"))
