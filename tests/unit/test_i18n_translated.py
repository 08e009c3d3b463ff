"""A translated message remembers its English: what the journal and --json stdout keep."""

from __future__ import annotations

from pathlib import Path

import pytest

import wallet_i18n
from chains.errors import BadInput, Refused
from wallet_i18n import _, english, english_of, english_tree, message_of

URL = "the Bitcoin node URL {url} is not an http(s) URL"
HIGH = "{reason}; pass --allow-high-fee if you mean it"
RATE = "the fee rate {rate} is above {max_rate} (0.1 BTC/kvB)"


def test_in_chinese_a_message_keeps_its_english() -> None:
    wallet_i18n.use("zh_CN")
    t = _(URL).format(url="ftp://x")
    assert t == "比特币节点 URL ftp://x 不是 http(s) URL"
    assert english(t) == "the Bitcoin node URL ftp://x is not an http(s) URL"
    nested = _(HIGH).format(reason=_(RATE).format(rate="2 sat/vB", max_rate="1 sat/vB"))
    assert "；如确有此意" in nested and "费率" in nested
    assert english(nested) == ("the fee rate 2 sat/vB is above 1 sat/vB (0.1 BTC/kvB); pass --allow-high-fee if "
                               "you mean it")


def test_an_exceptions_english_survives_str() -> None:
    wallet_i18n.use("zh_CN")
    e = BadInput(_(URL).format(url="ftp://x"))
    assert str(e).startswith("比特币节点") and english_of(e).startswith("the Bitcoin node URL")
    assert english(message_of(e)) == english_of(e)
    outer = Refused(_(HIGH).format(reason=e))                 # an exception as a field: its English too
    assert english_of(outer).startswith("the Bitcoin node URL ftp://x") and str(outer).startswith("比特币")
    assert english_of(ValueError("plain")) == "plain"


def test_english_tree_puts_json_back_in_english() -> None:
    wallet_i18n.use("zh_CN")
    data = {"error": _(URL).format(url="u"), "rows": [{"reason": _(RATE).format(rate=1, max_rate=2)}], "n": 3}
    assert english_tree(data) == {"error": "the Bitcoin node URL u is not an http(s) URL",
                                  "rows": [{"reason": "the fee rate 1 is above 2 (0.1 BTC/kvB)"}], "n": 3}


def test_in_english_nothing_is_wrapped() -> None:
    wallet_i18n.use("en")
    assert type(_(URL)) is str and english(_(URL)) == URL


@pytest.mark.parametrize("text", ["a=" + "[" * 900, "lang = 'zh_CN'\n" + "x = " + "{a=" * 600])
def test_a_hostile_config_cannot_take_the_language_choice_down(text: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WALLET_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    (tmp_path / "config.toml").write_text(text)
    wallet_i18n.set_home(tmp_path)
    assert wallet_i18n.language() == "en"       # unreadable config: the next source decides
    assert _("Amount") == "Amount"


def test_a_damaged_translation_is_said_in_english() -> None:
    from wallet_i18n import _pair

    for broken in ("坏了 {", "坏了 {nosuchfield}", "坏了 {0}"):
        t = _pair(broken, "the fee {fee} is too high")
        assert t.format(fee="1 BTC") == "the fee 1 BTC is too high" == english(t.format(fee="1 BTC"))


def test_a_bitcoin_refusal_is_journalled_in_a_form_pay_status_translates() -> None:
    from chains.errors import CannotLand, TxRejected
    from wallet_cli.payouts import show
    from wallet_cli.payouts.btc import _journalled

    wallet_i18n.use("zh_CN")
    refused = TxRejected(_("the node rejected the transaction: {reason}").format(reason="min relay fee not met"))
    refused.node_text = "min relay fee not met"
    dead = CannotLand("x")
    dead.spender = "ab" * 32
    assert _journalled(refused) == "the node answered: min relay fee not met"
    assert show.shown(_journalled(refused)).startswith("节点") and "min relay fee not met" in show.shown(
        _journalled(refused))
    assert _journalled(dead) == f"its input is spent by {'ab' * 32}"
    assert _journalled(TxRejected(_("the hex is not a valid Bitcoin transaction"))) == \
        "the hex is not a valid Bitcoin transaction"


def test_lang_is_read_only_from_a_config_the_wallet_would_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WALLET_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    cfg = tmp_path / "config.toml"
    cfg.write_text('lang = "zh_CN"\n')
    for mode, expected in ((0o644, "en"), (0o600, "zh_CN")):
        cfg.chmod(mode)
        wallet_i18n.set_home(None)
        wallet_i18n.set_home(tmp_path)
        assert wallet_i18n.language() == expected, oct(mode)
    cfg.unlink()
    cfg.symlink_to(tmp_path / "elsewhere.toml")
    (tmp_path / "elsewhere.toml").write_text('lang = "zh_CN"\n')
    (tmp_path / "elsewhere.toml").chmod(0o600)
    wallet_i18n.set_home(None)
    wallet_i18n.set_home(tmp_path)
    assert wallet_i18n.language() == "en"
