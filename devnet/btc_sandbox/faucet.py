"""The sandbox's own funded wallet: a BDK wallet over a fresh random key that pays devnet fund requests.

It mines coinbases to itself, lets them mature, and pays out with transactions that go through the same
mempool checks (and libbitcoinkernel verification) as anyone else's.
"""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING

from devnet.btc_sandbox.chain import COINBASE_MATURITY, Chain, Rejected

if TYPE_CHECKING:
    import bdkpython as bdk

FAUCET_FEE_RATE = 2  # sat/vB
# Anyone-can-spend P2WSH(OP_TRUE): where blocks that only add confirmations pay their coinbase.
SINK_SPK = bytes.fromhex("00204ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260")


class Faucet:
    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.lock = threading.Lock()
        self._wallet: bdk.Wallet | None = None

    def _open(self) -> bdk.Wallet:
        import bdkpython as bdk

        if self._wallet is None:
            mnemonic = bdk.Mnemonic.from_entropy(secrets.token_bytes(16))
            key = bdk.DescriptorSecretKey(bdk.NetworkKind.TEST, mnemonic, None)
            ext = bdk.Descriptor.new_bip84(key, bdk.KeychainKind.EXTERNAL, bdk.NetworkKind.TEST)
            chg = bdk.Descriptor.new_bip84(key, bdk.KeychainKind.INTERNAL, bdk.NetworkKind.TEST)
            self._wallet = bdk.Wallet(ext, chg, bdk.Network.REGTEST, bdk.Persister.new_in_memory())
        return self._wallet

    def spk(self) -> bytes:
        import bdkpython as bdk

        return self._open().peek_address(bdk.KeychainKind.EXTERNAL, 0).address.script_pubkey().to_bytes()

    def _sync(self, url: str) -> None:
        import bdkpython as bdk

        wallet = self._open()
        client = bdk.EsploraClient(url, None)
        # A full scan with a tiny gap: the faucet only ever uses a few addresses, and this also
        # catches coinbases paid to addresses it has not revealed yet.
        wallet.apply_update(client.full_scan(wallet.start_full_scan().build(), 3, 4))

    def _ensure(self, url: str, need: int) -> None:
        """Mine mature coinbases to ourselves until the confirmed balance covers `need`."""
        wallet = self._open()
        self._sync(url)
        rounds = 0
        while wallet.balance().confirmed.to_sat() < need:
            rounds += 1
            if rounds > 3:
                raise Rejected("the faucet cannot mine enough coins for this amount")
            subsidy = max(self.chain.subsidy(self.chain.height + 1), 1)
            blocks = min(1 + (need - wallet.balance().confirmed.to_sat()) // subsidy, 1000)
            self.chain.mine(blocks, self.spk())
            self.chain.mine(COINBASE_MATURITY, SINK_SPK)
            self._sync(url)

    def pay(self, url: str, payments: list[tuple[str, int]]) -> str:
        """One transaction paying every (address, sats), then one block to confirm it."""
        import bdkpython as bdk

        outs = []
        for address, amount in payments:
            try:
                addr = bdk.Address(address, bdk.Network.REGTEST)
            except Exception:  # noqa: BLE001
                raise Rejected(f"{address!r} is not a regtest address") from None
            if amount <= 0:
                raise Rejected("the amount must be a positive number of satoshis")
            outs.append(bdk.ScriptAmount(script=addr.script_pubkey(), amount=bdk.Amount.from_sat(amount)))
        with self.lock:
            wallet = self._open()
            need = sum(a for _x, a in payments) + 200 * len(payments) * FAUCET_FEE_RATE + 10_000
            self._ensure(url, need)
            rate = bdk.FeeRate.from_sat_per_vb(FAUCET_FEE_RATE)
            psbt = bdk.TxBuilder().set_recipients(outs).fee_rate(rate).finish(wallet)
            wallet.sign(psbt)
            tx = psbt.extract_tx()
            txid = self.chain.accept(tx.serialize())
            self.chain.mine(1, SINK_SPK)
            return txid
