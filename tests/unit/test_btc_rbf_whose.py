"""whose_text: the stored English `whose` of a replacement's output, worded in the reader's language."""

from __future__ import annotations

import wallet_i18n
from chains.bitcoin import rbf


def test_whose_text_in_english() -> None:
    wallet_i18n.use("en")
    assert rbf.whose_text("not yours") == "not yours"
    assert rbf.whose_text("yours (change 3)") == "yours (change 3)"
    assert rbf.whose_text("yours (receive 0)") == "yours (receive 0)"
    assert rbf.whose_text("something else") == "something else"


def test_whose_text_in_chinese() -> None:
    wallet_i18n.use("zh_CN")
    assert rbf.whose_text("not yours") == "不属于你"
    assert rbf.whose_text("yours (change 3)") == "属于你（找零 3）"
    assert rbf.whose_text("yours (receive 12)") == "属于你（收款 12）"
    assert rbf.whose_text("yours (other 1)") == "yours (other 1)"   # not a form it writes: left as it is


def test_the_stored_english_is_what_whose_text_reads() -> None:
    assert rbf.YOURS.format(branch="change", index=7) == "yours (change 7)"
    assert rbf.NOT_YOURS == "not yours"
