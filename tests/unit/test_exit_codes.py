"""The documented exit codes, from the one table in wallet_cli/errors.py."""

from __future__ import annotations

import pytest

from chains import errors as ce
from keystore import errors as ke
from wallet_cli import errors as we


@pytest.mark.parametrize(
    ("exc", "code"),
    [(ke.MnemonicError("x"), 2), (ke.WrongPassword("x"), 3), (ke.VaultCorrupted("x"), 3),
     (ke.UnsafeVaultFile("x"), 3), (ke.VaultNotFound("x"), 2), (ce.InvalidAddress("x"), 2),
     (ce.InvalidAmount("x"), 2), (ce.InsufficientFunds("x"), 4), (ce.FeeTooHigh("x"), 4),
     (ce.ChainIdMismatch("x"), 4), (ce.SimulationFailed("x"), 4), (ce.TxRejected("x"), 4),
     (ce.Unavailable("x"), 5), (we.PasswordUnavailable("x"), 3), (we.Refused("x"), 4), (we.UsageError("x"), 2),
     (KeyboardInterrupt(), 130), (ValueError("x"), None)],
)
def test_exit_code_table(exc: BaseException, code: int | None) -> None:
    assert we.exit_code_for(exc) == code
