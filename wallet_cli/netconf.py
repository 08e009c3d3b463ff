"""Networks as this home sees them: built-ins, the user's config.toml, WALLET_RPC_<NAME> overrides."""

from __future__ import annotations

from pathlib import Path

from chains.base import Network
from keystore.boundedio import os_reason
from wallet_cli import config
from wallet_cli.context import options
from wallet_i18n import _


def network(name: str) -> Network:
    from chains.networks import get_network

    return get_network(name, config.user_networks(options().home))


def all_networks() -> dict[str, Network]:
    from chains.networks import all_networks as _all

    return _all(config.user_networks(options().home))


def data_dir() -> str:
    """Where adapters keep local state (BDK databases)."""
    from keystore.files import ensure_private_dir

    p = Path(options().home) / "chains"
    ensure_private_dir(options().home)
    ensure_private_dir(p)
    return str(p)


MAX_URL_BYTES = 4096


def read_rpc_url(arg: str | None, file: Path | None) -> str:
    """--rpc-url URL, --rpc-url - (the first line of stdin) or --rpc-url-file PATH, so that a URL with an
    API key need not land in shell history. Reads are bounded and only from a regular file or stdin."""
    import os
    import stat
    import sys

    from wallet_cli.errors import UsageError

    if (arg is None) == (file is None):
        raise UsageError(_("give the RPC URL with exactly one of --rpc-url URL, --rpc-url - (stdin) or "
                           "--rpc-url-file"))
    if arg is not None and arg != "-":
        return arg.strip()
    if arg == "-":
        text = sys.stdin.readline(MAX_URL_BYTES + 1)
    else:
        assert file is not None
        try:
            fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as e:
            raise UsageError(_("cannot read the RPC URL file {file} ({reason})").format(
                file=file, reason=os_reason(e))) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UsageError(_("the RPC URL file {file} is not a regular file").format(file=file))
            data = os.read(fd, MAX_URL_BYTES + 1)
        finally:
            os.close(fd)
        try:
            text = data.decode("utf-8").split("\n", 1)[0]
        except UnicodeDecodeError:
            raise UsageError(_("the RPC URL file {file} is not UTF-8 text").format(file=file)) from None
    if len(text.encode()) > MAX_URL_BYTES:
        raise UsageError(_("the RPC URL is longer than {limit} bytes").format(limit=MAX_URL_BYTES))
    url = text.strip()
    if not url:
        raise UsageError(_("no RPC URL was given (the input was empty)"))
    return url
