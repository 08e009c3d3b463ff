"""BDK's exception classes as reasons a person can read ("(MiniscriptPsbt)" tells a user nothing).

BDK's own messages may quote descriptors (with keys) or long internals, so they are never passed on;
only the class name is used, to choose one of these phrases.
"""

from __future__ import annotations

_PHRASES = {
    # signing
    "MiniscriptPsbt": "an input's script or data does not match what this key can sign (a malformed PSBT, "
                      "or one for another wallet)",
    "MissingKey": "no key of this account can sign an input",
    "InvalidKey": "a key in the PSBT is invalid",
    "InputIndexOutOfRange": "the PSBT refers to an input it does not have",
    "MissingNonWitnessUtxo": "an input lacks the previous transaction it spends",
    "MissingWitnessUtxo": "an input lacks the output it spends",
    "MissingWitnessScript": "an input lacks its witness script",
    "MissingHdKeypath": "an input lacks its key path",
    "NonStandardSighash": "an input asks for a non-standard signature hash type",
    "InvalidSighash": "an input asks for an invalid signature hash type",
    # building and replacing
    "IrreplaceableTransaction": "the transaction does not signal replaceability (BIP125)",
    "TransactionNotFound": "the wallet does not know that transaction",
    "TransactionConfirmed": "the transaction is already confirmed",
    "UnknownUtxo": "an input is not known to this wallet",
    "FeeTooLow": "the new fee is not higher than the old one by enough",
    "FeeRateTooLow": "the new fee rate is not higher than the old one by enough",
    "OutputBelowDustLimit": "an output would be below the dust limit",
    "InsufficientFunds": "there are not enough funds",
    "CoinSelection": "no set of coins covers the amount and the fee",
    "NoUtxosSelected": "no coins were selected",
    "NoRecipients": "the transaction has no recipients",
    "ChangePolicyDescriptor": "the change descriptor cannot be used",
    "MissingKeyOrigin": "a key has no origin information",
    # parsing
    "Base58": "its base58 checksum or encoding is wrong",
    "Bech32": "its bech32 checksum or encoding is wrong",
    "WitnessVersion": "its witness version is invalid",
    "WitnessProgram": "its witness program has the wrong length",
    "UnknownHrp": "it is for another coin or network",
    "NetworkValidation": "it is for another network",
    "InvalidBase58PayloadLength": "its base58 payload has the wrong length",
    "InvalidLegacyPrefix": "its version prefix is unknown",
    "LegacyAddressTooLong": "it is too long",
    "Miniscript": "its script expression does not parse",
    "Key": "a key in it does not parse",
    "Bip32": "an extended key in it is invalid",
    "Hex": "it contains invalid hex",
    "Pk": "a public key in it is invalid",
}


def reason(e: BaseException, default: str = "the Bitcoin library refused it") -> str:
    return _PHRASES.get(type(e).__name__, default)
