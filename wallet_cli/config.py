"""$WALLET_HOME/config.toml: user networks, per-vault settings (keyring opt-in) and the spending policy."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from wallet_cli.errors import UsageError
from wallet_i18n import _


def config_path(home: Path) -> Path:
    return home / "config.toml"


def load(home: Path) -> dict[str, Any]:
    from keystore.files import read_private_file

    p = config_path(home)
    if not p.exists() and not p.is_symlink():
        return {}
    # It sets RPC URLs, chain ids and fee caps: held to the same rules as the vault (ours, 0600, no symlink).
    data = read_private_file(p, cap=1 << 20)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise UsageError(_("{path} is not valid TOML: {reason}").format(path=p, reason=toml_reason(e))) from None


def toml_reason(e: ValueError | RecursionError) -> str:
    """Where a TOML document is wrong, in the reader's language (tomllib words it in English)."""
    if isinstance(e, UnicodeDecodeError):
        return _("it is not UTF-8 text")
    if isinstance(e, RecursionError):
        return _("it nests too deeply")
    at = re.search(r"\(at line (\d+), column (\d+)\)$", str(e))
    if at:
        return _("a syntax error at line {line}, column {column}").format(line=at[1], column=at[2])
    if str(e).endswith("(at end of document)"):
        return _("a syntax error at the end of the document")
    return _("a syntax error")


def save(home: Path, cfg: dict[str, Any]) -> None:
    import tomli_w

    from keystore.files import atomic_write, ensure_private_dir

    ensure_private_dir(home)
    atomic_write(config_path(home), tomli_w.dumps(cfg).encode())


def update(home: Path, change: Any) -> dict[str, Any]:
    """Read-modify-write under the home's config lock so concurrent commands lose nothing."""
    from keystore.files import cleanup_temp_files, ensure_private_dir, locked

    ensure_private_dir(home)
    with locked(config_path(home)):
        # Holding the lock, no other writer is mid-write: any temp file of ours is a killed writer's.
        cleanup_temp_files(home, config_path(home).name)
        cfg = load(home)
        change(cfg)
        save(home, cfg)
    return cfg


def user_networks(home: Path) -> dict[str, dict[str, Any]]:
    return dict(load(home).get("networks", {}))


def vault_settings(home: Path, vault: str) -> dict[str, Any]:
    return dict(load(home).get("vaults", {}).get(vault, {}))
