"""Unlocking the vault once per process and handing out one-account signers."""

from __future__ import annotations

from typing import Any

from chains.base import Network, Signer
from wallet_cli import output, passwords
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_i18n import _

_unlocked: dict[str, Any] = {}


def vault_info(name: str | None = None):  # noqa: ANN201 - keystore.vault.VaultInfo, imported lazily
    from keystore import vault

    return vault.read_info(options().home, name or options().vault)


def unlock(name: str | None = None):  # noqa: ANN201 - keystore.vault.UnlockedVault
    """The KDF runs once per process: later calls reuse the unlocked vault."""
    from keystore import vault

    name = name or options().vault
    if name not in _unlocked:
        _unlocked[name] = _checked(name, vault.unlock(options().home, name, password(name)))
    return _unlocked[name]


def update(mutate: Any, name: str | None = None):  # noqa: ANN201
    """Change the vault under its lock (a fresh read, one KDF run)."""
    from keystore import vault

    name = name or options().vault
    _unlocked[name] = _checked(name, vault.update(options().home, name, password(name), mutate))
    return _unlocked[name]


def replace(uv: Any, name: str | None = None) -> None:
    """Keep a vault re-sealed by this process (a raised journal mark) as the unlocked one."""
    _unlocked[name or options().vault] = uv


def password(name: str) -> str:
    """The vault password from its sources; also for operations that must prove it themselves (policy set)."""
    return passwords.unlock_password(name, vault_info(name).id)


def _checked(name: str, uv: Any) -> Any:
    if uv.weak:
        output.warn(_("vault '{name}' uses the weak test KDF; never keep real funds in it").format(name=name))
    return uv


def seed_of(uv: Any) -> bytes:
    from keystore import hd

    if uv.secrets.mnemonic == "":
        raise UsageError(_("vault '{name}' is watch-only: it has no seed to derive accounts or sign with").format(
            name=uv.info.name))
    return hd.seed_from_mnemonic(uv.secrets.mnemonic, uv.secrets.passphrase)


def private_key_of(uv: Any, entry: dict[str, Any]) -> bytes:
    """The raw private key of one index entry (signer_for checks it against the listed address)."""
    from keystore import hd

    if entry.get("kind") == "imported":
        rec = uv.secrets.imported.get(entry.get("key_id", ""))
        if rec is None:
            raise UsageError(_("the key of {address} is missing from the vault").format(address=entry["address"]))
        return bytes.fromhex(rec["key"])
    if entry.get("kind") == "watch":
        raise UsageError(_("{address} is watch-only: this vault has no key for it").format(address=entry["address"]))
    return hd.derive_private(seed_of(uv), entry["chain"], entry["path"])


def signer_for(entry: dict[str, Any], network: Network | None = None) -> Signer:
    from keystore import hd

    uv = unlock()
    if entry not in uv.info.accounts:
        # The command read `entry` from the index before the unlock authenticated it (a second read of
        # the file): build only from what the vault authenticates.
        from wallet_cli.errors import Refused

        raise Refused(_("the account entry for {address} used to build this transaction is not the one the vault "
                        "authenticates (the index changed after it was read); nothing is signed").format(
                            address=entry.get("address")))
    testnet = bool(network and network.is_test)
    if entry["chain"] == "btc" and entry.get("kind") == "hd":
        seed = seed_of(uv)
        derived = hd.derive_account(seed, "btc", int(entry.get("index") or 0), path=entry["path"])
        if derived.address != entry["address"]:
            raise UsageError(_("the key derived for {address} gives another address; the index is "
                               "inconsistent").format(address=entry["address"]))
        xprv = hd.derive_account_xprv(seed, btc_account_path(entry["path"], testnet), testnet=testnet)
        return Signer(family="btc", address=entry["address"], xprv=xprv, path=entry["path"],
                      descriptors=dict(derived.descriptors))
    key = private_key_of(uv, entry)
    check = _address_of(entry["chain"], key)
    if check is not None and check != entry["address"]:
        raise UsageError(_("the key derived for {address} gives another address; the index is inconsistent").format(
            address=entry["address"]))
    return Signer(family=entry["chain"], address=entry["address"], private_key=key, path=entry.get("path"))


def btc_account_path(path: str, testnet: bool) -> str:
    """Test networks use coin type 1: m/84'/0'/i' becomes m/84'/1'/i' (as the index's test xpub)."""
    parts = path.split("/")
    if testnet and len(parts) > 2 and parts[2] in ("0'", "0h"):
        parts[2] = "1'"
    return "/".join(parts)


def _address_of(chain: str, key: bytes) -> str | None:
    from keystore import keys

    if chain == "btc":  # an imported WIF's address depends on its network: nothing to compare here
        return None
    return keys.parse_private_key(keys.export_private_key(key, chain), chain).address


def seed_of_mnemonic(mnemonic: str, passphrase: str) -> bytes:
    from keystore import hd

    return hd.seed_from_mnemonic(mnemonic, passphrase)
