"""Errors raised by chain adapters. The CLI maps the three categories to exit codes 2, 4 and 5."""

from wallet_i18n import N_, _, translated


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

    node_text: str | None = None   # the node's own words, where a journal words the refusal itself


class CannotLand(TxRejected):
    """Proof that a signed transaction can never be included (e.g. its Solana blockhash expired).

    Only this lets the wallet sign a new transaction for a transfer whose earlier one was journalled;
    other refusals (nonce too low, inputs spent) may mean the earlier one, or a replacement, landed.
    """

    spender: str | None = None     # the confirmed transaction that spent an input, where one is the proof


class Unsupported(BadInput):
    """The chain or this wallet does not offer that operation (exit 2)."""


class Unavailable(ChainError):
    """The RPC or indexer is down, times out or answers garbage (exit 5)."""


# BDK error variants that carry no message, in words (shown translated).
_VARIANTS = {
    "MiniscriptPsbt": N_("the PSBT's scripts do not match the signing descriptor"),
    "MissingKey": N_("the key for an input is missing"), "InvalidKey": N_("a key in the PSBT is invalid"),
    "MissingNonWitnessUtxo": N_("an input lacks its previous transaction"),
    "MissingWitnessUtxo": N_("an input lacks its previous output"),
    "MissingWitnessScript": N_("an input lacks its witness script"),
    "MissingHdKeypath": N_("an input lacks its key path"),
    "InvalidSighash": N_("an input asks for a signature hash type that is not allowed"),
    "NonStandardSighash": N_("an input asks for a non-standard signature hash type"),
    "InputIndexOutOfRange": N_("the PSBT refers to an input it does not have"),
    "TransactionNotFound": N_("the node does not know the transaction"), "Minreq": N_("the HTTP request failed"),
}


def reason_of(e: BaseException) -> str:
    """A library's exception as a reason in words (for "... (reason)"): its message fields, else a known
    variant's meaning; never its class name, an errno tag, or credentials in a URL it quotes."""
    import re

    fields = [str(v) for k, v in getattr(e, "__dict__", {}).items()
              if not k.startswith("_") and isinstance(v, str | int) and str(v).strip()]
    text = "; ".join(fields) or translated(_VARIANTS.get(type(e).__name__, ""))
    text = re.sub(r"\s*\(os error -?\d+\)|\[Errno -?\d+\]\s*", "", text)
    text = re.sub(r"//[^/@\s]+@", "//", text).strip()[:200]
    if not text:
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(e).__name__).lower()
        text = words.removesuffix(" error") or _("no reason given")
    return text[:1].lower() + text[1:]
