"""Bitcoin: a journalled payout transaction whose broadcast failed is re-sent as it is while it may still
land, and its rows are paid again only once one of its inputs is proven spent by another transaction."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from devnet import btc_sandbox as btc
from tests.reliability.test_payout_kill import Wallet, _btc

POSTS = {"only": lambda method, _path: method == "POST"}        # POST /tx is the broadcast


def test_rows_repaid_only_after_an_input_is_spent_elsewhere(tmp_path: Path, payout_proxy) -> None:
    with btc.Sandbox() as sb:
        kit = _btc(sb.url)
        w = Wallet(tmp_path, kit)
        assert w.run("--json", "init", "--mnemonic-out", str(tmp_path / "m.txt")).returncode == 0
        assert w.run("--json", "devnet", "fund", "btc:0", "--amount", "1", "--network", "local-btc").returncode == 0

        def pay(name: str, rows: list[str], amount: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
            f = tmp_path / f"{name}.csv"
            f.write_text("to,amount\n" + "".join(f"{a},{amount}\n" for a in rows))
            argv, env = w.argv("--json", "--yes", "pay", str(f), "--network", "local-btc", "--from", "btc:0",
                               url=url)
            return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)

        # 1. The broadcast reached the node but its answer was a 502: the rerun finds it, signs nothing.
        to = [kit.make_address() for _ in range(4)]
        first = pay("a", to, "0.01", payout_proxy(sb.url, error=1.0, **POSTS).url)
        assert first.returncode == 5, first.stderr
        again = pay("a", to, "0.01")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["transactions"] == 1
        btc.mine(sb.url, 1)
        assert [kit.balance(a) for a in to] == [10**6] * 4

        # 2. The node never got it; while its coins are unspent a rerun re-sends the same bytes, but once an
        #    ordinary send spent the coins, that is proof, and only then are its rows paid by a new transaction.
        to2 = [kit.make_address() for _ in range(3)]
        refusing = payout_proxy(sb.url, refuse=1.0, **POSTS).url
        lost = pay("b", to2, "0.02", refusing)
        assert lost.returncode == 5, lost.stderr
        still = pay("b", to2, "0.02", refusing)                # no proof yet: re-sent (and lost again), not re-signed
        assert still.returncode == 5 and json.loads(still.stdout)["transactions"] == 1, still.stderr
        spend = w.run("--json", "--yes", "send", "--network", "local-btc", "--from", "btc:0", "--to", to2[0],
                      "--amount", "max")
        assert spend.returncode == 0, spend.stderr
        sent_max = round(float(json.loads(spend.stdout)["amount"]) * 10**8)
        btc.mine(sb.url, 1)
        assert w.run("--json", "devnet", "fund", "btc:0", "--amount", "1", "--network", "local-btc").returncode == 0
        final = pay("b", to2, "0.02")
        assert final.returncode == 0, final.stderr
        assert json.loads(final.stdout)["transactions"] == 2    # the proven-dead one and its replacement
        btc.mine(sb.url, 1)
        assert [kit.balance(a) for a in to2] == [sent_max + 2 * 10**6, 2 * 10**6, 2 * 10**6]
