"""A small HTTP/1.1 client: one keep-alive connection, a total deadline, a size cap, no redirects.

Why not requests or http.client: importing requests costs hundreds of ms and http.client ~20 ms (it pulls
the email package), while `wallet balance` should cost little more than the round trip. The exchanges
needed are few (POST or GET, JSON or text bodies), so this speaks just those: Content-Length or chunked
bodies, TLS through the stdlib ssl module (CA bundle as requests chooses it: REQUESTS_CA_BUNDLE,
CURL_CA_BUNDLE, certifi, else the system store) and basic auth from user:password@ in the URL. When an
HTTP(S) proxy is configured in the environment, the request goes through urllib instead, with redirects
refused there too. Every failure is an HttpFailure; nothing here formats the URL's path or query.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from wallet_i18n import _

MAX_BODY = 64 * 1024 * 1024  # a JSON-RPC reply is kilobytes; refuse to buffer an endless stream
_MAX_HEAD = 64 * 1024

# Failure kinds: English constants that code compares (and scripts may read); only the detail is a sentence.
CONNECT = "connect"     # i18n: not shown
TIMEOUT = "timeout"     # i18n: not shown
STATUS = "status"       # i18n: not shown
REDIRECT = "redirect"   # i18n: not shown
PROTOCOL = "protocol"   # i18n: not shown
TLS = "tls"             # i18n: not shown


class HttpFailure(Exception):
    """kind: 'connect', 'timeout', 'status' (with .status and the first KiB of .body), 'redirect',
    'protocol' or 'tls' (English, for code); detail: a translated sentence for a person, or ""."""

    def __init__(self, kind: str, detail: str = "", status: int | None = None, body: bytes = b"") -> None:
        super().__init__(kind if not detail else f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.status = status
        self.body = body


class _Closed(Exception):
    """The peer closed the connection; `clean` if it did so before sending any byte of a reply."""

    def __init__(self, clean: bool) -> None:
        super().__init__("connection closed")  # i18n: not shown
        self.clean = clean


def _proxy_for(scheme: str, host: str) -> str | None:
    env = {k.lower(): v for k, v in os.environ.items() if k.lower().endswith("_proxy") and v}
    proxy = env.get(f"{scheme}_proxy") or env.get("all_proxy")
    if not proxy:
        return None
    from urllib.request import proxy_bypass_environment

    return None if proxy_bypass_environment(host) else proxy


def _ssl_context() -> Any:
    import ssl

    cafile = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not cafile:
        try:
            import certifi

            cafile = certifi.where()
        except ImportError:
            cafile = None
    return ssl.create_default_context(cafile=cafile)


class HttpClient:
    """POST to one URL over a reused connection. Thread-safe (one request at a time)."""

    def __init__(self, url: str, timeout: float) -> None:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a non-numeric port (often a misplaced password)
        except ValueError:
            raise HttpFailure(CONNECT, _("not a valid http(s) URL")) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HttpFailure(CONNECT, _("not an http(s) URL"))
        self.url = url
        self.timeout = timeout
        self.tls = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.tls else 80)
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = f"[{self.host}]" if ":" in self.host else self.host
        if parts.port:
            host_header += f":{parts.port}"
        self.headers = {"Host": host_header, "Accept": "application/json, text/plain",
                        "User-Agent": "wallet-cli", "Connection": "keep-alive"}
        if parts.username is not None:
            import base64

            cred = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(cred).decode()
        self.proxy = _proxy_for(parts.scheme, self.host)
        self._sock: Any = None
        self._buf = bytearray()
        self._deadline = 0.0
        self._lock = threading.Lock()

    # ---- public ------------------------------------------------------------------------------

    def post(self, body: bytes) -> bytes:
        """POST a JSON body to the URL itself: the 2xx reply body; HttpFailure otherwise."""
        status, reply = self.request("POST", "", body)
        if not 200 <= status < 300:
            raise HttpFailure(STATUS, status=status, body=reply[:1024])
        return reply

    def request(self, method: str, path: str = "", body: bytes | None = None,
                content_type: str = "application/json") -> tuple[int, bytes]:
        """One exchange with the URL's path + `path`: (status, body) for any final status but 3xx.

        HttpFailure on connection, deadline, protocol and TLS failures, and for redirects.
        """
        with self._lock:
            target = self.target.rstrip("/") + path if path else self.target
            if self.proxy:
                return self._via_urllib(method, path, body, content_type)
            self._deadline = time.monotonic() + self.timeout
            try:
                status, reply = self._exchange(method, target, body, content_type)
            except HttpFailure:
                self.close()
                raise
            except TimeoutError:
                self.close()
                raise HttpFailure(TIMEOUT) from None
            except _Closed:
                self.close()
                raise HttpFailure(PROTOCOL, _("the connection closed before a complete reply")) from None
            except OSError as e:
                self.close()
                raise self._os_failure(e) from None
        if 300 <= status < 400:
            raise HttpFailure(REDIRECT, _("redirects are not followed"), status=status)
        return status, reply

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock, self._buf = None, bytearray()

    # ---- one exchange ------------------------------------------------------------------------

    def _exchange(self, method: str, target: str, body: bytes | None, content_type: str) -> tuple[int, bytes]:
        head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in self.headers.items())
        if body is not None:
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        request = (head + "\r\n").encode("latin-1") + (body or b"")
        reused = self._sock is not None
        if not reused:
            self._connect()
        try:
            self._sock.sendall(request)
            return self._read_reply()
        except (_Closed, ConnectionResetError, BrokenPipeError) as e:
            # A server may drop an idle keep-alive connection at any time: retry once on a fresh one, but
            # only if it answered nothing (re-sending a JSON-RPC read or a signed transaction is harmless).
            if not reused or (isinstance(e, _Closed) and not e.clean):
                raise
        self.close()
        self._connect()
        self._sock.sendall(request)
        return self._read_reply()

    def _connect(self) -> None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        # An ASCII host as bytes skips the idna codec (and its imports); IDN names still go through it.
        host: str | bytes = self.host.encode("ascii") if self.host.isascii() else self.host
        sock = socket.create_connection((host, self.port), timeout=remaining)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls:
            import ssl

            try:
                sock = _ssl_context().wrap_socket(sock, server_hostname=self.host)
            except ssl.SSLCertVerificationError:
                sock.close()
                raise HttpFailure(TLS, _("the server's certificate could not be verified")) from None
            except ssl.SSLError as e:
                sock.close()
                raise HttpFailure(TLS, _("the TLS handshake failed ({reason})").format(
                    reason=e.reason or "SSLError")) from None
        self._sock, self._buf = sock, bytearray()

    def _recv(self) -> None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self._sock.settimeout(remaining)
        chunk = self._sock.recv(65536)
        if not chunk:
            raise _Closed(clean=False)
        self._buf += chunk

    def _read_line(self, limit: int = _MAX_HEAD) -> bytes:
        while True:
            i = self._buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self._buf[:i])
                del self._buf[:i + 2]
                return line
            if len(self._buf) > limit:
                raise HttpFailure(PROTOCOL, _("an HTTP header line is too long"))
            self._recv()

    def _read_exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            self._recv()
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def _read_head(self) -> tuple[int, str, dict[str, str]]:
        try:
            status_line = self._read_line()
        except _Closed:
            raise _Closed(clean=not self._buf) from None
        parts = status_line.decode("latin-1").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise HttpFailure(PROTOCOL, _("the reply is not HTTP/1.x"))
        headers: dict[str, str] = {}
        size = 0
        while line := self._read_line():
            size += len(line)
            if size > _MAX_HEAD:
                raise HttpFailure(PROTOCOL, _("the HTTP headers are too long"))
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep:
                raise HttpFailure(PROTOCOL, _("a malformed HTTP header"))
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        return int(parts[1]), parts[0], headers

    def _read_reply(self) -> tuple[int, bytes]:
        status, version, headers = self._read_head()
        while 100 <= status < 200:  # interim replies (100 Continue) precede the real one
            status, version, headers = self._read_head()
        keep = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked()
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise HttpFailure(PROTOCOL, _("a malformed Content-Length")) from None
            if not 0 <= length <= MAX_BODY:
                raise HttpFailure(PROTOCOL, _("the reply is too large"))
            body = self._read_exact(length)
        else:
            body, keep = self._read_to_close(), False
        if not keep:
            self.close()
        return status, body

    def _read_chunked(self) -> bytes:
        out = bytearray()
        while True:
            size_text = self._read_line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise HttpFailure(PROTOCOL, _("a malformed chunk size")) from None
            if size == 0:
                while self._read_line():  # trailers, then the blank line
                    pass
                return bytes(out)
            if len(out) + size > MAX_BODY:
                raise HttpFailure(PROTOCOL, _("the reply is too large"))
            out += self._read_exact(size)
            if self._read_exact(2) != b"\r\n":
                raise HttpFailure(PROTOCOL, _("a malformed chunk"))

    def _read_to_close(self) -> bytes:
        while True:
            try:
                self._recv()
            except _Closed:
                return bytes(self._buf)
            if len(self._buf) > MAX_BODY:
                raise HttpFailure(PROTOCOL, _("the reply is too large"))

    def _os_failure(self, e: OSError) -> HttpFailure:
        if isinstance(e, socket.gaierror):
            return HttpFailure(CONNECT, _("the host name does not resolve"))
        return HttpFailure(CONNECT)

    # ---- through a proxy ---------------------------------------------------------------------

    def _via_urllib(self, method: str, path: str, body: bytes | None, content_type: str) -> tuple[int, bytes]:
        import urllib.error
        import urllib.request

        headers = {k: v for k, v in self.headers.items() if k not in ("Host", "Connection")}
        if body is not None:
            headers["Content-Type"] = content_type
        url = self.url.rstrip("/") + path if path else self.url
        req = urllib.request.Request(url, body, headers, method=method)  # noqa: S310 (http(s) only)
        # A private opener: urlopen() would build and cache a process-wide one from today's environment.
        handlers: list[Any] = [urllib.request.ProxyHandler({req.type: str(self.proxy)}), _no_redirect_handler()]
        if self.tls:
            handlers.append(urllib.request.HTTPSHandler(context=_ssl_context()))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(req, timeout=self.timeout) as resp:
                return resp.status, _capped(resp)
        except urllib.error.HTTPError as e:
            if 300 <= e.code < 400:
                raise HttpFailure(REDIRECT, _("redirects are not followed"), status=e.code) from None
            return e.code, _capped(e)
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise HttpFailure(TIMEOUT) from None
            raise HttpFailure(CONNECT, _("through the configured proxy")) from None
        except TimeoutError:
            raise HttpFailure(TIMEOUT) from None
        except OSError:
            raise HttpFailure(CONNECT, _("through the configured proxy")) from None


def _capped(resp: Any) -> bytes:
    data = resp.read(MAX_BODY + 1)
    if len(data) > MAX_BODY:
        raise HttpFailure(PROTOCOL, _("the reply is too large"))
    return bytes(data)


def _no_redirect_handler() -> Any:
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
            return None     # urllib then raises HTTPError for the 3xx itself

    return NoRedirect()


# RPC URLs often carry credentials (user:password@, an API key in the path or query): every message that
# names an endpoint prints only this.
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
