"""`wallet portfolio` through the CLI on real local chains (anvil, the LiteSVM and regtest sandboxes),
with fiat values from a recorded CoinGecko reply served on loopback and a fake clock."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import devnet.btc_sandbox as btc
from devnet import anvil, sol_sandbox

RECORDED = Path(__file__).parent / "data" / "coingecko_simple_price.json"
NOW = 1764676800 + 180          # the fake clock: three minutes after the recorded ETH quote


@pytest.fixture(scope="module")
def chains() -> Iterator[dict[str, str]]:
    with anvil.Sandbox() as evm, sol_sandbox.Sandbox() as sol, btc.Sandbox() as bt:
        yield {"evm": evm.url, "sol": sol.url, "btc": bt.url}


class _PriceServer(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        self.paths: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(h) -> None:  # noqa: N802
                owner.paths.append(h.path)
                body = RECORDED.read_bytes()
                h.send_response(200)
                h.send_header("Content-Type", "application/json")
                h.send_header("Content-Length", str(len(body)))
                h.end_headers()
                h.wfile.write(body)

            def log_message(h, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/v3"


@pytest.fixture
def prices() -> Iterator[_PriceServer]:
    srv = _PriceServer()
    yield srv
    srv.shutdown()


def _dead_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def vault(cli, chains, tmp_path, monkeypatch) -> dict[str, str]:
    """A new vault: evm:0 with 2 ETH + 1,500 USDT (a fresh token listed on two networks), evm:1 with
    0.5 ETH, sol:0 with 3 SOL, btc:0 with 0.25 BTC."""
    for fam, url in chains.items():
        monkeypatch.setenv(f"WALLET_RPC_LOCAL_{fam.upper()}", url)
    r = cli("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt"))
    assert r.code == 0, r.err
    assert cli("--json", "accounts", "derive", "--chain", "evm").code == 0
    refs = {a["ref"]: a["address"] for a in cli("--json", "accounts", "list", password=False).json()}
    for ref, amount, net in (("evm:0", "2", "local-evm"), ("evm:1", "0.5", "local-evm"),
                             ("sol:0", "3", "local-sol"), ("btc:0", "0.25", "local-btc")):
        f = cli("--json", "devnet", "fund", ref, "--amount", amount, "--network", net)
        assert f.code == 0, f.err
    usdt = anvil.deploy_token(chains["evm"], "Tether", "USDT", 6, 1500 * 10**6, refs["evm:0"])
    t = cli("--json", "tokens", "add", "local-evm", f"USDT={usdt}:6", password=False)
    assert t.code == 0, t.err
    # The same anvil under a second name, as a second chain: USDT there sums with local-evm's.
    n = cli("--json", "networks", "add", "mirror", "--rpc-url", chains["evm"], "--chain-id", "31337",
            "--kind", "local", "--token", f"usdt={usdt}:6", password=False)
    assert n.code == 0, n.err
    return refs


def test_portfolio_totals_across_networks(cli, vault) -> None:
    r = cli("--json", "portfolio", "-n", "local-evm", "-n", "mirror", "-n", "local-sol", "-n", "local-btc",
            password=False)
    assert r.code == 0, r.err
    data = r.json()
    assert [n["status"] for n in data["networks"]] == ["ok"] * 4
    got = {(b["account"], b["network"], b["asset"]): b["amount"] for b in data["balances"]}
    assert got[("evm:0", "local-evm", "ETH")] == "2" and got[("evm:1", "local-evm", "ETH")] == "0.5"
    assert got[("evm:0", "local-evm", "USDT")] == "1500" and got[("evm:0", "mirror", "USDT")] == "1500"
    assert got[("sol:0", "local-sol", "SOL")] == "3" and got[("btc:0", "local-btc", "BTC")] == "0.25"
    totals = {t["asset"]: t for t in data["totals"]}
    assert totals["USDT"]["amount"] == "3000"
    assert totals["USDT"]["parts"] == [{"network": "local-evm", "amount": "1500"},
                                       {"network": "mirror", "amount": "1500"}]
    assert totals["ETH"]["amount"] == "5"          # 2.5 on each name of the same chain
    assert data["prices"] is None and totals["BTC"]["value"] is None


def test_failed_network_is_named_and_the_rest_render(cli, vault, monkeypatch) -> None:
    monkeypatch.setenv("WALLET_RPC_MIRROR", _dead_url())
    r = cli("--json", "portfolio", "-n", "local-evm", "-n", "mirror", "-n", "local-sol", password=False)
    assert r.code == 5
    data = r.json()
    status = {n["name"]: n["status"] for n in data["networks"]}
    assert status == {"local-evm": "ok", "mirror": "failed", "local-sol": "ok"}
    assert {b["network"] for b in data["balances"]} == {"local-evm", "local-sol"}
    assert "mirror" in json.loads(r.err.strip().splitlines()[-1])["error"]
    human = cli("portfolio", "-n", "local-evm", "-n", "mirror", password=False)
    assert human.code == 5
    assert "1 of 2 networks answered; failed: mirror" in human.out
    assert "error: some networks did not answer" in human.err and "mirror" in human.err


def test_fiat_values_with_source_and_age(cli, vault, prices, monkeypatch) -> None:
    from wallet_cli import prices as price_mod

    monkeypatch.setattr(price_mod, "now", lambda: float(NOW))
    r = cli("--json", "portfolio", "-n", "local-evm", "-n", "local-sol", "--price-api", prices.url,
            password=False)
    assert r.code == 0, r.err
    data = r.json()
    assert prices.paths and "vs_currencies=usd" in prices.paths[0] and "tether" in prices.paths[0]
    totals = {t["asset"]: t for t in data["totals"]}
    assert totals["ETH"]["value"] == "7531.13"        # 2.5 × 3012.45 = 7531.125
    assert totals["USDT"]["value"] == "1500" and totals["SOL"]["value"] == "423.6"
    assert data["prices"]["source"].startswith("http://127.0.0.1:")
    assert data["prices"]["age_seconds"] == {"ETH": 180, "SOL": 240, "USDT": 480}
    human = cli("portfolio", "-n", "local-evm", "--price-api", prices.url, password=False)
    assert human.code == 0, human.err
    assert "value (usd)" in human.out and "7531.13" in human.out
    assert "Prices: http://127.0.0.1:" in human.out and "3 min to 8 min old" in human.out


def test_prices_file_and_csv(cli, vault, tmp_path, monkeypatch) -> None:
    from wallet_cli import prices as price_mod

    monkeypatch.setattr(price_mod, "now", lambda: float(NOW))
    f = tmp_path / "prices.json"
    f.write_text(json.dumps({"currency": "eur", "as_of": "2026-12-02T12:00:00Z", "prices": {"ETH": "2000"}}))
    r = cli("portfolio", "-n", "local-evm", "--prices-file", str(f), "--csv", password=False)
    assert r.code == 0, r.err
    lines = r.out.strip().splitlines()
    assert lines[0] == "account,address,network,asset,amount,unit,token,value,currency"
    evm0 = next(line for line in lines if line.startswith("evm:0,") and ",ETH," in line).split(",")
    assert evm0[4:6] == ["2", "ETH"] and evm0[7:] == ["4000", "eur"]
    usdt = next(line for line in lines if ",USDT," in line).split(",")
    assert usdt[4] == "1500" and usdt[7:] == ["", ""]      # no price for USDT in the file: none guessed
    assert cli("--json", "portfolio", "--csv", password=False).code == 2


def test_unreachable_price_api_still_shows_amounts(cli, vault) -> None:
    r = cli("--json", "portfolio", "-n", "local-sol", "--price-api", _dead_url(), password=False)
    assert r.code == 0, r.err
    data = r.json()
    assert data["totals"][0]["value"] is None and data["prices"]["error"]
    assert "no fiat values" in r.err


def test_an_account_without_a_key_for_the_network_is_skipped(cli, vault) -> None:
    # A mainnet WIF has no key for regtest: that account is skipped there, and the network is not failed.
    wif = "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn"       # private key 1, mainnet
    assert cli("--json", "import-key", "btc", "--key-file", "-", "--label", "m1", stdin=wif + "\n").code == 0
    r = cli("--json", "portfolio", "-n", "local-btc", password=False)
    assert r.code == 0, r.err
    net = r.json()["networks"][0]
    assert net["status"] == "ok" and [s["account"] for s in net["skipped"]] == ["m1"]
    assert "cannot be used on local-btc" in net["skipped"][0]["reason"] and "m1 was left out" in r.err
    assert {b["account"] for b in r.json()["balances"]} == {"btc:0"}


def test_a_network_that_never_answers_fails_within_its_timeout(cli, vault, monkeypatch) -> None:
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()                                   # accepts connections, never replies
    monkeypatch.setenv("WALLET_RPC_MIRROR", f"http://127.0.0.1:{silent.getsockname()[1]}")
    try:
        t0 = time.monotonic()
        r = cli("--json", "portfolio", "-n", "local-evm", "-n", "mirror", "--timeout", "1.5", password=False)
        took = time.monotonic() - t0
    finally:
        silent.close()
    assert r.code == 5
    status = {n["name"]: (n["status"], n["error"]) for n in r.json()["networks"]}
    assert status["local-evm"][0] == "ok" and status["mirror"][0] == "failed"
    assert "1.5 s" in status["mirror"][1]
    assert took < 6


def test_usdt_on_an_evm_chain_and_tron_is_one_line(cli, vault, monkeypatch) -> None:
    """TRON came through adapter.balance alone: nothing in the portfolio knows the family."""
    from devnet import tron_sandbox

    with tron_sandbox.Sandbox() as node:
        monkeypatch.setenv("WALLET_RPC_LOCAL_TRON", node.url)
        for args in (("--amount", "50"), ("--amount", "250", "--token", "USDT")):
            f = cli("--json", "devnet", "fund", "tron:0", *args, "--network", "local-tron")
            assert f.code == 0, f.err
        r = cli("--json", "portfolio", "-n", "local-evm", "-n", "local-tron", password=False)
    assert r.code == 0, r.err
    usdt = next(t for t in r.json()["totals"] if t["asset"] == "USDT")
    assert usdt["amount"] == "1750"
    assert usdt["parts"] == [{"network": "local-evm", "amount": "1500"}, {"network": "local-tron", "amount": "250"}]
    trx = next(b for b in r.json()["balances"] if b["asset"] == "TRX")
    assert (trx["account"], trx["amount"]) == ("tron:0", "50")
