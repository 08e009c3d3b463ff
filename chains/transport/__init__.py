"""The one HTTP(S) transport every chain family uses: JSON-RPC (EVM, Solana) and REST (Esplora, TRON).

Rules it enforces for every request, so no adapter can forget one:
- a total deadline per request (connect, send and the whole reply), not a per-read timeout, so a
  server that trickles one byte a second still fails on time;
- a reply size cap (MAX_BODY) and a header size cap;
- no redirects (a 3xx is an error: a redirect could carry a signed transaction or credentials elsewhere);
- basic auth from user:password@ in the URL, sent only to that URL's own host;
- keep-alive on one connection per client, with one retry only when a reused idle connection was
  closed before the server answered anything;
- messages never contain the URL's path, query or credentials: `redact_url` gives scheme://host:port.

Why not requests or http.client: importing web3/requests costs hundreds of ms and http.client ~20 ms (it
pulls the email package), while `wallet balance` should cost little more than the round trip. The
exchanges needed are few (POST or GET, JSON or text bodies), so this module speaks just those:
Content-Length or chunked bodies, TLS through the stdlib ssl module (CA bundle as requests chooses it:
REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, certifi, else the system store). When an HTTP(S) proxy is configured
in the environment, the request goes through urllib instead (with redirects refused there too).

`JsonRpc` adds JSON-RPC 2.0: request ids checked on every reply, batches matched by id, deep or
malformed JSON refused with one sentence. Transport failures become chains.errors.Unavailable.
"""

from chains.transport.http import MAX_BODY, HttpClient, HttpFailure, redact_url
from chains.transport.jsonrpc import JsonRpc, RpcError, loads, unavailable

__all__ = ["MAX_BODY", "HttpClient", "HttpFailure", "JsonRpc", "RpcError", "loads", "redact_url", "unavailable"]
