"""BDK wallet lifecycle: open (one SQLite db per network and account), sync against Esplora, persist."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chains.base import Network
from chains.bitcoin.descriptors import bdk_network, network_kind
from chains.errors import Unavailable
from chains.transport import redact_url
from wallet_i18n import _

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
    os.makedirs(data_dir, mode=0o700, exist_ok=True)
    for d in (os.path.join(data_dir, "btc"), folder):
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)     # mkdir's mode is masked by the umask (under umask 000 it is not enough)
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
        raise Unavailable(_("the Bitcoin node URL {url} is not an http(s) URL").format(url=redact_url(url)))
    return bdk.EsploraClient(url, None)


SYNC_TIMEOUT_ENV = "WALLET_SYNC_TIMEOUT"
SYNC_TIMEOUT = 60.0          # seconds for a whole scan or sync; BDK's own client has no deadline


def sync_deadline() -> float:
    try:
        return max(1.0, float(os.environ.get(SYNC_TIMEOUT_ENV, SYNC_TIMEOUT)))
    except ValueError:
        return SYNC_TIMEOUT


def _reason(e: BaseException) -> str:
    """One phrase for a BDK Esplora failure, instead of its class name."""
    name = type(e).__name__
    if name == "Minreq":
        return _("the connection failed or timed out")
    if name in ("StatusCode", "HttpResponse"):
        status = getattr(e, "status", None)
        return (_("it answered HTTP {status}").format(status=status) if isinstance(status, int)
                else _("it answered an HTTP error"))
    if name in ("TransactionNotFound", "HeaderHeightNotFound", "HeaderHashNotFound"):
        return _("it is missing a block or transaction the wallet asked for")
    return _("it answered something that is not valid Esplora data")


def sync(ow: OpenWallet, full: bool = False) -> None:
    """Full scan (stop gap 20) the first time or on request, else sync the revealed scripts; then persist.

    BDK's client has no deadline and blocks Ctrl-C while it waits, so it runs in a worker thread that
    this thread waits for, in short interruptible steps, until the total deadline (WALLET_SYNC_TIMEOUT).
    """
    import threading

    url = ow.network.rpc_url
    client = _client(url)
    first = ow.wallet.latest_checkpoint().height == 0 and not ow.wallet.transactions()
    if full or first:
        request: Any = ow.wallet.start_full_scan().build()

        def run() -> Any:
            return client.full_scan(request, STOP_GAP, PARALLEL_REQUESTS)
    else:
        request = ow.wallet.start_sync_with_revealed_spks().build()

        def run() -> Any:
            return client.sync(request, PARALLEL_REQUESTS)

    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["update"] = run()
        except BaseException as e:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = e

    worker = threading.Thread(target=work, name="bdk-sync", daemon=True)
    worker.start()
    deadline = sync_deadline()
    worker.join(deadline)     # interruptible: Ctrl-C raises KeyboardInterrupt here
    where = redact_url(url)
    if worker.is_alive():
        raise Unavailable(_("the Bitcoin node at {where} did not finish the wallet sync within {deadline:g} s").format(
            where=where, deadline=deadline))
    if "error" in box:
        raise Unavailable(_("could not sync with the Bitcoin node at {where}: {reason}").format(
            where=where, reason=_reason(box["error"]))) from None
    ow.wallet.apply_update(box["update"])
    ow.persist()
