"""Issue 8 item 18: a library's exception is described by its reason, never by its class name."""

from __future__ import annotations

import bdkpython as bdk
import pytest

from chains.errors import reason_of


@pytest.mark.parametrize(("exc", "words"), [
    (bdk.EsploraError.Minreq(error_message="Connection refused (os error 111)"), "connection refused"),
    (bdk.EsploraError.Minreq(error_message="dns failed for http://alice:hunter2@node.example/api"),
     "dns failed for http://node.example/api"),
    (bdk.SignerError.MiniscriptPsbt(error_message="Conflicting key"), "conflicting key"),
    (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
])
def test_reasons_in_words(exc: BaseException, words: str) -> None:
    text = reason_of(exc)
    assert text == words
    assert type(exc).__name__ not in text and "Errno" not in text and "os error" not in text


def test_a_variant_without_a_message_is_described_by_meaning() -> None:
    class MiniscriptPsbt(Exception):
        pass

    assert reason_of(MiniscriptPsbt()) == "the PSBT's scripts do not match the signing descriptor"
