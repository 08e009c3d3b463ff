"""The one table that maps exceptions to exit codes, and the CLI's own error types.

Exit codes (stable, documented in the README):
  0 ok · 1 unexpected failure (a bug) · 2 bad input or usage · 3 password, locked vault or authentication
  4 refused (funds, policy, fee cap, rejected by the chain; also the system refusing: a full disk, a
    read-only or damaged file such as the journal) · 5 network or RPC unavailable · 130 interrupted
"""

from __future__ import annotations

import errno
import re
import sys

from chains import errors as chain_errors
from keystore import errors as ks_errors
from wallet_i18n import _

OK, BUG, USAGE, AUTH, REFUSED, NETWORK, INTERRUPTED = 0, 1, 2, 3, 4, 5, 130


class CliError(Exception):
    exit_code = USAGE


class UsageError(CliError):
    """Bad input or usage that the CLI itself detects (exit 2)."""


class PasswordUnavailable(CliError):
    """No password source and no terminal to ask on (exit 3)."""

    exit_code = AUTH


class Refused(CliError):
    """The user or a policy said no (exit 4)."""

    exit_code = REFUSED


# Most specific first: the first isinstance match wins.
_TABLE: list[tuple[type[BaseException], int]] = [
    (CliError, -1),
    (ks_errors.BadSecretInput, USAGE),
    (ks_errors.VaultNotFound, USAGE),
    (ks_errors.VaultExists, USAGE),
    (ks_errors.VaultAuthError, AUTH),
    (ks_errors.EntropyError, BUG),
    (chain_errors.BadInput, USAGE),
    (chain_errors.Refused, REFUSED),
    (chain_errors.Unavailable, NETWORK),
    (KeyboardInterrupt, INTERRUPTED),
    (ConnectionError, NETWORK),
    (TimeoutError, NETWORK),
    (OSError, -2),
]
# A path that cannot name a usable file is the user's input; anything else the system refused.
_PATH_ERRNOS = {errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.ELOOP, errno.EINVAL}


def exit_code_for(exc: BaseException) -> int | None:
    """The exit code for a known error, or None for an unexpected one (a bug)."""
    if _is_url_error(exc):
        return NETWORK
    if _is_nul_path(exc):
        return USAGE
    for cls, code in _TABLE:
        if isinstance(exc, cls):
            if code == -2:
                return USAGE if exc.errno in _PATH_ERRNOS else REFUSED  # type: ignore[attr-defined]
            return exc.exit_code if code == -1 else code  # type: ignore[attr-defined]
    return None


def message_for(exc: BaseException) -> str:
    """The one sentence shown for a known error: an OSError by its reason and file, never "[Errno 28]"."""
    if _is_nul_path(exc):
        return _("a file path contains a NUL character")
    if isinstance(exc, OSError):
        from keystore.boundedio import os_reason

        if _is_url_error(exc):
            reason = exc.reason  # type: ignore[attr-defined]
            return _("the network request failed: {reason}").format(
                reason=os_reason(reason) if isinstance(reason, OSError) else reason)
        if isinstance(exc, TimeoutError):
            return _("the network connection timed out")
        if isinstance(exc, ConnectionError):
            return _("the network connection failed: {reason}").format(reason=os_reason(exc))
        if exc.filename:
            return _("{reason} ({file})").format(reason=os_reason(exc), file=exc.filename)
        return _("the system refused: {reason}").format(reason=os_reason(exc))
    return str(exc)


def code_for(exc: BaseException) -> str:
    """The stable `code` of a --json error object (never translated; the README lists them): the error's
    class in snake case ("InsufficientFunds" -> "insufficient_funds"), or the kind of system error."""
    if _is_nul_path(exc):
        return "bad_path"
    if isinstance(exc, OSError) and not isinstance(exc, ks_errors.KeystoreError | chain_errors.ChainError):
        if _is_url_error(exc) or isinstance(exc, ConnectionError | TimeoutError):
            return "network"
        return "bad_path" if exc.errno in _PATH_ERRNOS else "system_refused"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    remote = getattr(exc, "remote_code", None)   # an agent's refusal keeps the code it had in the agent
    if isinstance(remote, str) and remote:
        return remote
    name = type(exc).__name__.lstrip("_")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _is_url_error(exc: BaseException) -> bool:
    """urllib's URLError (an OSError without an errno), checked without importing urllib at start-up."""
    url_error = getattr(sys.modules.get("urllib.error"), "URLError", None)
    return url_error is not None and isinstance(exc, url_error)


def _is_nul_path(exc: BaseException) -> bool:
    """os functions refuse a path with a NUL in it with this ValueError (click's Path type among them)."""
    return type(exc) is ValueError and str(exc) == "embedded null byte"
