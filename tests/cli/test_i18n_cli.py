"""The CLI in Simplified Chinese: what a person reads is translated, what a script reads is not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import ABANDON

# Terms a Chinese wallet app shows in Latin letters, and the units of the chains.
KEPT = {"gas", "gwei", "wei", "lamports", "sat", "sats", "vB", "sat/vB", "nonce", "Gas", "txid", "JSON", "CSV",
        "PSBT", "RPC", "URL", "TOML", "wallet",
        "Secret", "Storage"}   # Web3 Secret Storage: the keystore standard's name
CJK = re.compile(r"([\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")
COMMAND = re.compile(r"'wallet [^']*'|`wallet [^`]*`|^\s*\$ wallet .*")
WORD = re.compile(r"^[(\"'“‘]*([A-Za-z]{2,}(?:'[a-z]+)?)[)\"'”’.,:;!?]*$")


def english_sentences(text: str) -> list[str]:
    """Runs of two or more English words in a row: a sentence, or a phrase of one, left untranslated.
    A word is letters only with some lower case, so symbols (ETH, USDT), addresses, ids, paths, network
    names (local-evm) and option names (--amount) are not words. A list of values to choose from
    ("evm, btc, sol, tron": every word but the last ends with a comma) is ids, not a sentence."""
    found = []
    for line in text.splitlines():
        run: list[str] = []
        listed, run_commas = True, False   # listed: so far every word of the run ended with a comma
        # "错误：Base units" holds the words Base and units, though no space comes before Base.
        # A command to type ('wallet networks list') is a name, not a sentence.
        for token in [*CJK.sub(r" \1 ", COMMAND.sub(" ", line)).split(), ""]:
            m = WORD.match(token)
            word = m.group(1) if m else None
            if word and word not in KEPT and word != word.upper():
                if run and not run_commas:
                    listed = False
                run.append(word)
                run_commas = token.endswith(",")
                continue
            if len(run) >= 2 and not listed:
                found.append(" ".join(run) + f"   <- {line.strip()[:120]}")
            run, listed = [], True
    return found


def test_the_detector_finds_english_and_passes_chinese() -> None:
    assert english_sentences("error: the amount is not a number")
    assert english_sentences("错误：Base units 由 RPC 提供")
    assert not english_sentences("错误：金额 1.5 ETH 超过余额 0.2 ETH（local-evm，0xAbC123）")
    assert not english_sentences("手续费上限 21000 gas × 1.5 gwei，--amount 必须为正数")
    assert not english_sentences("网络名称，参见 'wallet networks list'。")
    assert english_sentences("错误：unknown network 'nowhere'; see 'wallet networks list'")
    assert not english_sentences("错误：未知的链 'doge'，应为以下之一：evm, btc, sol, tron")
    assert not english_sentences("$ wallet pay status demo-sol")
    assert english_sentences("错误：the amount, it seems, is wrong")
    assert english_sentences("error: pick one of evm, btc, sol")


@pytest.fixture
def zh(monkeypatch: pytest.MonkeyPatch) -> None:
    """The language as a Chinese desktop sets it."""
    monkeypatch.delenv("WALLET_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")


def _no_english(label: str, text: str) -> list[str]:
    return [f"{label}: {s}" for s in english_sentences(text)]


def test_main_commands_leave_no_english_in_stderr(cli, evm, home: Path, zh, tmp_path: Path) -> None:
    left: list[str] = []
    net = ["--network", "local-evm"]

    def check(label: str, *args: str, stdin: str | None = None, code: int | None = None) -> str:
        r = cli(*args, stdin=stdin)
        if code is not None:
            assert r.code == code, (label, r.code, r.err)
        left.extend(_no_english(label, r.err))
        return r.out

    check("init", "--vault", "zh-new", "init", "--mnemonic-out", str(tmp_path / "m2.txt"), code=0)
    check("restore", "--vault", "zh-restored", "restore", stdin=ABANDON + "\n", code=0)
    check("balance", "balance", evm["from"], *net, code=0)
    check("send review", "--yes", "send", *net, "--from", evm["from"], "--to", evm["to"], "--amount", "0.5",
          "--wait", code=0)
    check("send refusal", "--yes", "send", *net, "--from", evm["from"], "--to", evm["to"], "--amount", "100000",
          code=4)
    check("history", "history", *net, code=0)
    txid = json.loads(cli("--json", "history", *net).out)[0]["txid"]
    check("tx status", "tx", "status", txid, *net, code=0)
    bad = [
        ("bad address", ["send", *net, "--from", evm["from"], "--to", "0x1234", "--amount", "1"], 2),
        ("bad amount", ["send", *net, "--from", evm["from"], "--to", evm["to"], "--amount", "1e5"], 2),
        ("negative amount", ["send", *net, "--from", evm["from"], "--to", evm["to"], "--amount", "-1"], 2),
        ("unknown network", ["balance", evm["from"], "--network", "nowhere"], 2),
        ("unknown option", ["send", "--colour"], 2),
        ("missing option", ["send", *net], 2),
        ("unknown command", ["sned"], 2),
        ("bad txid", ["tx", "status", "0x12", *net], 2),
        ("no such vault", ["--vault", "absent", "balance", "evm:0", *net], 2),
    ]
    for label, args, code in bad:
        check(label, *args, code=code)
    assert not left, "\n".join(left)


def test_json_is_the_same_in_both_languages(cli, evm, monkeypatch: pytest.MonkeyPatch) -> None:
    net = ["--network", "local-evm"]
    sent = cli("--json", "--yes", "send", *net, "--from", evm["from"], "--to", evm["to"], "--amount", "0.25",
               "--wait")
    assert sent.code == 0, sent.err
    runs = [["--json", "balance", evm["from"], *net], ["--json", "history", *net],
            ["--json", "tx", "status", sent.json()["txid"], *net], ["--json", "accounts", "list"],
            ["--json", "send", *net, "--from", evm["from"], "--to", "0x1234", "--amount", "1"],
            ["--json", "balance", evm["from"], "--network", "nowhere"]]
    outputs = {}
    for lang in ("en", "zh_CN"):
        monkeypatch.setenv("WALLET_LANG", lang)
        outputs[lang] = [cli(*args) for args in runs]
    for args, en, zh in zip(runs, outputs["en"], outputs["zh_CN"], strict=True):
        assert en.code == zh.code, args
        assert en.out == zh.out, args                       # stdout, byte for byte
        if en.code:
            e, z = json.loads(en.err.splitlines()[-1]), json.loads(zh.err.splitlines()[-1])
            assert e["code"] == z["code"] and e["code"] and e.keys() == z.keys() == {"error", "code"}, args
            assert e["error"] != z["error"], args           # the message is the one thing translated


def test_help_is_chinese_and_fits_the_terminal(cli, zh, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    for args in (["--help"], ["send", "--help"], ["accounts", "--help"], ["pay", "--help"], ["restore", "--help"],
                 ["networks", "add", "--help"], ["tx", "speed-up", "--help"]):
        r = cli(*args, password=False)
        assert r.code == 0, r.err
        assert re.search(r"[\u4e00-\u9fff]", r.out), args
        text = "\n".join(ln for ln in r.out.splitlines() if not ln.startswith("用法:"))  # command names
        assert not english_sentences(text), (args, english_sentences(text))
        wide = [ln for ln in r.out.splitlines() if cell_len(ln) > 80]   # a Chinese character takes two cells
        assert not wide, (args, wide)


def test_review_columns_line_up_in_terminal_cells(cli, evm, zh) -> None:
    from rich.cells import cell_len

    r = cli("--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"], "--amount", "0.1")
    assert r.code == 0, r.err
    rows = [ln for ln in r.err.splitlines() if "  " in ln.strip() and re.match(r"^\s*[\u4e00-\u9fff]", ln)]
    assert len(rows) >= 4, r.err
    starts = {cell_len(ln[:re.search(r"\S\s{2,}(\S)", ln).start(1)]) for ln in rows}
    assert len(starts) == 1, r.err


def test_config_lang_is_kept_and_wallet_lang_wins(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WALLET_LANG", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert cli("config", "set", "lang", "zh_CN", password=False).code == 0
    r = cli("balance", "0x1234", "--network", "local-evm", password=False)
    assert r.code == 2 and re.search(r"[\u4e00-\u9fff]", r.err), r.err
    monkeypatch.setenv("WALLET_LANG", "en")
    r = cli("balance", "0x1234", "--network", "local-evm", password=False)
    assert r.code == 2 and not re.search(r"[\u4e00-\u9fff]", r.err), r.err
    bad = cli("config", "set", "lang", "fr", password=False)
    assert bad.code == 2 and "fr" in bad.err


def test_amounts_and_dates_do_not_follow_the_locale(cli, new_funded_vault, chain, zh) -> None:
    evm = new_funded_vault("evm", chain.url, "5000")
    r = cli("balance", evm["from"], "--network", "local-evm")
    assert r.code == 0 and re.search(r"\b5000(\.0+)? ETH\b", r.out + r.err), r.out + r.err
    sent = cli("--yes", "send", "--network", "local-evm", "--from", evm["from"], "--to", evm["to"],
               "--amount", "1234.5", "--wait")
    assert sent.code == 0, sent.err
    h = cli("history", "--network", "local-evm")
    assert "1234.5" in h.out and "1,234" not in h.out, h.out
    assert re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", h.out), h.out


def test_json_about_a_dead_node_is_the_same_in_both_languages(cli, evm, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Error text inside --json stdout (a stopped payout, a portfolio's failed network) stays English."""
    rows = tmp_path / "p.csv"
    rows.write_text(f"to,amount\n{evm['to']},0.01\n")
    monkeypatch.setenv("WALLET_RPC_LOCAL_EVM", "http://127.0.0.1:1")     # nothing listens there
    runs = [["--json", "portfolio", "-n", "local-evm"],
            ["--json", "--yes", "pay", str(rows), "-n", "local-evm", "--from", "evm:0", "--run", "dead"]]
    outputs = {}
    for lang in ("en", "zh_CN"):
        monkeypatch.setenv("WALLET_LANG", lang)
        outputs[lang] = [cli(*args) for args in runs]
    def timeless(text: str) -> object:   # a portfolio says how long each network took
        return json.loads(re.sub(r'"seconds": [0-9.]+', '"seconds": 0', text))

    for args, en, zh in zip(runs, outputs["en"], outputs["zh_CN"], strict=True):
        assert en.code == zh.code and en.code != 0, args
        assert en.out, (args, en.err)
        assert timeless(en.out) == timeless(zh.out), (args, en.out, zh.out)
        assert "127.0.0.1:1" in en.out and not CJK.search(en.out), (args, en.out)


def test_chinese_on_a_terminal_that_cannot_show_it_is_escaped_not_a_crash(wallet_proc) -> None:
    r = wallet_proc("networks", "list", password=False,
                    env={"LC_ALL": "C", "PYTHONIOENCODING": "ascii", "WALLET_LANG": "zh_CN"})
    assert r.code == 0, r.err
    assert "\\u540d\\u79f0" in r.out          # 名称, the first column's header, as an escape
