"""A payout journals a transaction's detail in English; `payouts status` shows it in the reader's language."""

from __future__ import annotations

import wallet_i18n
from wallet_cli.payouts import runs, show


def test_a_bitcoin_detail_is_journalled_in_english_and_shown_in_chinese() -> None:
    stored = runs.CHANGE_CANNOT_LAND.format(parent="ab12")
    assert stored == "it spends the change of ab12, which can never land"
    wallet_i18n.use("zh_CN")
    assert show.shown(stored) == "它花费的是 ab12 的找零，而该交易永远无法上链"
    assert show.shown(runs.INPUT_SPENT_BY.format(spender="cd34")) == "它的输入已被 cd34 花费"
    assert show.shown(runs.OTHER_TXID) == "节点返回了另一个交易哈希"
    assert show.shown("a node's own words") == "a node's own words"   # not ours: left as it is


def test_in_english_the_detail_is_shown_as_stored() -> None:
    wallet_i18n.use("en")
    assert show.shown(runs.INPUT_SPENT_BY.format(spender="cd34")) == "its input is spent by cd34"



def test_the_nodes_own_words_are_not_put_in_ours() -> None:
    wallet_i18n.use("zh_CN")
    ours = runs.REPLACED_BY.format(txid="0xEVIL", kind="speed-up")
    assert show.shown(ours) != ours                                # our sentence: translated
    node = runs.NODE_ANSWERED.format(reason=ours)                  # the same words, said by a node
    assert show.shown(node).endswith(ours) and show.shown(node) != node
