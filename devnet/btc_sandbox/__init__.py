"""A regtest Bitcoin chain served over the Esplora HTTP API, every input verified by libbitcoinkernel.

`Sandbox(port=0).start()` runs it in a background thread; `fund(url, address, sats)` pays an address on an
already running sandbox through its private POST /devnet/fund endpoint.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from chains.errors import Refused, Unavailable
from devnet.btc_sandbox.server import DEFAULT_PORT, Sandbox

__all__ = ["DEFAULT_PORT", "Sandbox", "fund", "mine"]


def _post(url: str, path: str, payload: dict[str, object]) -> dict[str, object]:
    if not url.startswith(("http://", "https://")):
        raise ValueError("the sandbox URL must be http(s)")
    req = urllib.request.Request(url.rstrip("/") + path, data=json.dumps(payload).encode(),  # noqa: S310
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - scheme checked above
            return json.loads(resp.read())
    except urllib.error.HTTPError as e:
        raise Refused(f"the sandbox refused: {e.read().decode(errors='replace')[:300]}") from None
    except (urllib.error.URLError, OSError) as e:
        raise Unavailable(f"no Bitcoin sandbox answers at {url} ({getattr(e, 'reason', e)})") from None


def fund(url: str, address: str, amount: int) -> str | None:
    """Pay `amount` satoshis to `address` from the sandbox's faucet and confirm it; returns the txid."""
    return str(_post(url, "/devnet/fund", {"address": address, "amount": amount})["txid"])


def mine(url: str, blocks: int = 1, address: str | None = None) -> list[str]:
    """Mine blocks on a running sandbox (coinbase to `address`, or to the faucet)."""
    payload: dict[str, object] = {"blocks": blocks}
    if address:
        payload["address"] = address
    return list(_post(url, "/devnet/mine", payload)["hashes"])  # type: ignore[arg-type]
