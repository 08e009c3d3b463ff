"""Errors raised by the keystore. No message ever contains a secret."""


class KeystoreError(Exception):
    """Root of every keystore error."""


class BadSecretInput(KeystoreError):
    """A mnemonic, key, keystore file or path the user gave is malformed (exit 2)."""


class MnemonicError(BadSecretInput):
    """Bad word, bad checksum or bad word count; the message names the position, never the word."""


class EntropyError(KeystoreError):
    """The randomness source failed or looks broken; key generation is aborted (exit 1)."""


class VaultNotFound(KeystoreError):
    """No vault with that name in this home (exit 2)."""


class VaultExists(KeystoreError):
    """Refusing to overwrite an existing vault (exit 2)."""


class VaultAuthError(KeystoreError):
    """Wrong password, or the vault failed authentication (exit 3)."""


class WrongPassword(VaultAuthError):
    pass


class VaultCorrupted(VaultAuthError):
    """The file is truncated, malformed, tampered with, or its parameters are out of bounds (exit 3)."""


class UnsafeVaultFile(VaultAuthError):
    """The file is readable by others, a symlink, or in an unsafe directory (exit 3)."""


class VaultLocked(VaultAuthError):
    """Another process holds the vault lock for too long (exit 3)."""


class BadInputFile(BadSecretInput):
    """A file argument that is missing, not a regular file, too large or unreadable (exit 2)."""


class BadVaultName(BadSecretInput):
    """A vault name with characters that cannot be a file name (exit 2)."""
