"""Script verification of every input by Bitcoin Core's own interpreter (libbitcoinkernel via pbk)."""

from __future__ import annotations


class ScriptError(Exception):
    """An input does not satisfy the script it spends."""


def verify_inputs(raw: bytes, prevouts: list[tuple[int, bytes]]) -> None:
    """Check each input against its spent output with all consensus flags (P2SH..TAPROOT).

    Taproot signatures commit to every spent output, so the precomputed data always carries them all.
    """
    import pbk
    from pbk.script import PrecomputedTransactionData

    tx = pbk.Transaction(raw)
    spent = [pbk.TransactionOutput(pbk.ScriptPubkey(spk), value) for value, spk in prevouts]
    pre = PrecomputedTransactionData(tx, spent)
    flags = pbk.ScriptVerificationFlags.ALL
    for i, (value, spk) in enumerate(prevouts):
        try:
            ok = pbk.ScriptPubkey(spk).verify(value, tx, pre, i, flags)
        except pbk.ScriptVerifyException as e:
            raise ScriptError(f"mandatory-script-verify-flag-failed (input {i}: {e})") from None
        if not ok:
            raise ScriptError(
                f"mandatory-script-verify-flag-failed (input {i}: libbitcoinkernel rejected the script)")
