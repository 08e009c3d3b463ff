"""BDK wallet lifecycle: open (one SQLite db per network and account), sync against Esplora, persist."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chains.base import Network
from chains.bitcoin.descriptors import bdk_network, network_kind
from chains.errors import Unavailable, reason_of
from chains.transport import redact_url

if TYPE_CHECKING:
    import bdkpython as bdk

STOP_GAP = 20
PARALLEL_REQUESTS = 8


@dataclass
class OpenWallet:
    wallet: bdk.Wallet
    persister: bdk.Persister
    network: Network
    descriptor: str
    change_descriptor: str

    def persist(self) -> None:
        self.wallet.persist(self.persister)


def db_path(data_dir: str, network: Network, ext: str, chg: str) -> str:
    """data_dir/btc/<network>/<descriptor id>.sqlite3: watch-only and HD accounts alike get their own db."""
    ident = hashlib.sha256(f"{ext}\n{chg}".encode()).hexdigest()[:20]
    folder = os.path.join(data_dir, "btc", network.name)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return os.path.join(folder, f"{ident}.sqlite3")


def open_wallet(network: Network, data_dir: str | None, ext: str, chg: str) -> OpenWallet:
    import bdkpython as bdk

    kind = network_kind(network)
    e, c = bdk.Descriptor(ext, kind), bdk.Descriptor(chg, kind)
    if data_dir is None:
        persister = bdk.Persister.new_in_memory()
        wallet = bdk.Wallet(e, c, bdk_network(network), persister)
        return OpenWallet(wallet, persister, network, ext, chg)
    path = db_path(data_dir, network, ext, chg)
    existed = os.path.exists(path)
    persister = bdk.Persister.new_sqlite(path)
    if existed:
        try:
            wallet = bdk.Wallet.load(e, c, persister)
        except Exception:  # noqa: BLE001 - an unreadable cache is rebuilt from the chain
            os.replace(path, path + ".broken")
            persister = bdk.Persister.new_sqlite(path)
            wallet = bdk.Wallet(e, c, bdk_network(network), persister)
    else:
        wallet = bdk.Wallet(e, c, bdk_network(network), persister)
    ow = OpenWallet(wallet, persister, network, ext, chg)
    ow.persist()
    return ow


def _client(url: str) -> bdk.EsploraClient:
    import bdkpython as bdk

    if not url.startswith(("http://", "https://")):
        raise Unavailable(f"the Bitcoin node URL {redact_url(url)} is not an http(s) URL")
    return bdk.EsploraClient(url, None)


def sync(ow: OpenWallet, full: bool = False) -> None:
    """Full scan (stop gap 20) the first time or on request, else sync the revealed scripts; then persist."""
    import bdkpython as bdk

    url = ow.network.rpc_url
    client = _client(url)
    first = ow.wallet.latest_checkpoint().height == 0 and not ow.wallet.transactions()
    try:
        if full or first:
            update = client.full_scan(ow.wallet.start_full_scan().build(), STOP_GAP, PARALLEL_REQUESTS)
        else:
            update = client.sync(ow.wallet.start_sync_with_revealed_spks().build(), PARALLEL_REQUESTS)
    except bdk.EsploraError as e:
        raise Unavailable(f"could not sync with the Bitcoin node at {redact_url(url)} ({reason_of(e)})") from None
    except Exception as e:  # noqa: BLE001 - BDK raises a few unrelated classes on transport errors
        raise Unavailable(f"could not sync with the Bitcoin node at {redact_url(url)} ({reason_of(e)})") from None
    ow.wallet.apply_update(update)
    ow.persist()
