"""Errors raised by chain adapters. The CLI maps the three categories to exit codes 2, 4 and 5."""


class ChainError(Exception):
    """Root of every adapter error. Messages are one clear sentence and never contain secrets."""


class BadInput(ChainError):
    """The user's input is wrong: an address, amount, token or option (exit 2)."""


class InvalidAddress(BadInput):
    """Not a valid address for this chain and network."""


class InvalidAmount(BadInput):
    """An amount that is not a plain positive decimal with at most the asset's decimals."""


class Refused(ChainError):
    """The wallet or the chain refuses: funds, fee cap, policy, revert, rejection (exit 4)."""


class InsufficientFunds(Refused):
    pass


class FeeTooHigh(Refused):
    pass


class ChainIdMismatch(Refused):
    pass


class SimulationFailed(Refused):
    """The node says the transaction would fail; the message carries the revert reason or logs."""


class TxRejected(Refused):
    """The node rejected a broadcast."""


class CannotLand(TxRejected):
    """Proof that a signed transaction can never be included (e.g. its Solana blockhash expired).

    Only this lets the wallet sign a new transaction for a transfer whose earlier one was journalled;
    other refusals (nonce too low, inputs spent) may mean the earlier one, or a replacement, landed.
    """


class Unsupported(BadInput):
    """The chain or this wallet does not offer that operation (exit 2)."""


class Unavailable(ChainError):
    """The RPC or indexer is down, times out or answers garbage (exit 5)."""
