"""Redacting RPC URLs for messages: only scheme://host[:port] is ever printed.

RPC URLs often carry credentials: user:password@ in the authority, an API key in the path
(https://host/v2/KEY) or in the query (?api-key=KEY). Every error message that names an endpoint
uses this, so none of those can reach a terminal, a log or a bug report.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def redact_url(url: str) -> str:
    """scheme://host[:port] of `url`; "<invalid URL>" when it has no scheme or host to show."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:          # e.g. a non-numeric port, which may be a password after a stray ':'
        return "<invalid URL>"
    if not parts.scheme or not host or not parts.scheme.isascii() or not parts.scheme.isalnum():
        return "<invalid URL>"
    if ":" in host:             # IPv6 literal: urlsplit drops the brackets
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}{f':{port}' if port is not None else ''}"
