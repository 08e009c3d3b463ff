"""BDK's exception classes as reasons a person can read ("(MiniscriptPsbt)" tells a user nothing).

BDK's own messages may quote descriptors (with keys) or long internals, so they are never passed on;
only the class name is used, to choose one of these phrases.
"""

from __future__ import annotations

from wallet_i18n import N_, translated

_PHRASES = {
    # signing
    "MiniscriptPsbt": N_("an input's script or data does not match what this key can sign (a malformed PSBT, "
                         "or one for another wallet)"),
    "MissingKey": N_("no key of this account can sign an input"),
    "InvalidKey": N_("a key in the PSBT is invalid"),
    "InputIndexOutOfRange": N_("the PSBT refers to an input it does not have"),
    "MissingNonWitnessUtxo": N_("an input lacks the previous transaction it spends"),
    "MissingWitnessUtxo": N_("an input lacks the output it spends"),
    "MissingWitnessScript": N_("an input lacks its witness script"),
    "MissingHdKeypath": N_("an input lacks its key path"),
    "NonStandardSighash": N_("an input asks for a non-standard signature hash type"),
    "InvalidSighash": N_("an input asks for an invalid signature hash type"),
    # building and replacing
    "IrreplaceableTransaction": N_("the transaction does not signal replaceability (BIP125)"),
    "TransactionNotFound": N_("the wallet does not know that transaction"),
    "TransactionConfirmed": N_("the transaction is already confirmed"),
    "UnknownUtxo": N_("an input is not known to this wallet"),
    "FeeTooLow": N_("the new fee is not higher than the old one by enough"),
    "FeeRateTooLow": N_("the new fee rate is not higher than the old one by enough"),
    "OutputBelowDustLimit": N_("an output would be below the dust limit"),
    "InsufficientFunds": N_("there are not enough funds"),
    "CoinSelection": N_("no set of coins covers the amount and the fee"),
    "NoUtxosSelected": N_("no coins were selected"),
    "NoRecipients": N_("the transaction has no recipients"),
    "ChangePolicyDescriptor": N_("the change descriptor cannot be used"),
    "MissingKeyOrigin": N_("a key has no origin information"),
    # parsing
    "Base58": N_("its base58 checksum or encoding is wrong"),
    "Bech32": N_("its bech32 checksum or encoding is wrong"),
    "WitnessVersion": N_("its witness version is invalid"),
    "WitnessProgram": N_("its witness program has the wrong length"),
    "UnknownHrp": N_("it is for another coin or network"),
    "NetworkValidation": N_("it is for another network"),
    "InvalidBase58PayloadLength": N_("its base58 payload has the wrong length"),
    "InvalidLegacyPrefix": N_("its version prefix is unknown"),
    "LegacyAddressTooLong": N_("it is too long"),
    "Miniscript": N_("its script expression does not parse"),
    "Key": N_("a key in it does not parse"),
    "Bip32": N_("an extended key in it is invalid"),
    "Hex": N_("it contains invalid hex"),
    "Pk": N_("a public key in it is invalid"),
}


def reason(e: BaseException, default: str = N_("the Bitcoin library refused it")) -> str:
    """The phrase for BDK's exception `e`, in the reader's language; `default` is a msgid too."""
    return translated(_PHRASES.get(type(e).__name__, default))
