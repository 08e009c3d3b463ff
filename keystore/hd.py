"""BIP39 / BIP32 / SLIP-10 derivation as pure functions over bip-utils."""

from __future__ import annotations


def seed_from_mnemonic(mnemonic: str, passphrase: str = "") -> bytes:
    """BIP39 seed (PBKDF2-HMAC-SHA512, NFKD-normalised), 64 bytes."""
    from bip_utils import Bip39SeedGenerator

    return bytes(Bip39SeedGenerator(mnemonic).Generate(passphrase))


def master_fingerprint(seed: bytes) -> bytes:
    """The 4-byte BIP32 fingerprint of the secp256k1 master key."""
    from bip_utils import Bip32Secp256k1

    return bytes(Bip32Secp256k1.FromSeed(seed).FingerPrint().ToBytes())
