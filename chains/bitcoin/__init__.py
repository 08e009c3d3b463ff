"""The Bitcoin adapter (family "btc"): BDK descriptor wallets synced over Esplora, PSBT build/sign/extract.

Modules by concept: descriptors (account keys to descriptors, watch-only, export), address (validation),
wallet (BDK open/persist/sync), send (fee choice, guards, PSBT building), psbt (signing), rbf (speed-up
and cancel), node (direct Esplora calls: fees, broadcast, status).
"""

from __future__ import annotations

from typing import Any, ClassVar

from chains.base import Account, Amount, ChainAdapter, Network, SignedTx, Signer, Transfer, TxStatus, UnsignedTx
from chains.errors import BadInput, ChainIdMismatch, Unavailable
from wallet_i18n import N_, _


class Adapter(ChainAdapter):
    family: ClassVar[str] = "btc"

    def __init__(self, network: Network, data_dir: str | None = None) -> None:
        super().__init__(network, data_dir)
        self._wallets: dict[tuple[str, str], Any] = {}
        self._chain_checked = False

    def check_chain(self) -> None:
        """Refuse a node on another chain (its block 0 differs from the network's), before signing."""
        from chains.bitcoin.node import Esplora

        if self._chain_checked or not self.network.genesis:
            return
        got = Esplora(self.network.rpc_url).genesis_hash()
        if got != self.network.genesis:
            raise ChainIdMismatch(_("the Bitcoin node for {network} is on another chain (block 0 is {got}, "
                                    "expected {expected}); not signing for it").format(
                network=self.network.name, got=got, expected=self.network.genesis))
        self._chain_checked = True

    # ---- addresses and accounts --------------------------------------------------------------
    @classmethod
    def parse_address(cls, text: str, network: Network) -> str:
        from chains.bitcoin.address import parse_address

        return parse_address(text, network)

    def _open(self, account: Account, sync: bool = True, full: bool = False) -> Any:
        from chains.bitcoin import descriptors

        ext, chg = descriptors.public_descriptors(account, self.network)
        return self._open_desc(ext, chg, sync, full)

    def _open_desc(self, ext: str, chg: str, sync: bool = True, full: bool = False) -> Any:
        """One OpenWallet per descriptor pair per adapter, so a db file has a single writer here."""
        from chains.bitcoin import wallet

        ow = self._wallets.get((ext, chg))
        if ow is None:
            ow = wallet.open_wallet(self.network, self.data_dir, ext, chg)
            self._wallets[(ext, chg)] = ow
        if sync:
            wallet.sync(ow, full=full)
        return ow

    def rescan(self, account: Account) -> None:
        """A full scan (stop gap 20), e.g. after restoring a seed elsewhere."""
        self._open(account, sync=True, full=True)

    def balance(self, account: Account, token: str | None = None) -> Amount:
        if token:
            raise BadInput(_("Bitcoin has no tokens here"))
        return self._amount(self._open(account).wallet.balance().total.to_sat())

    def balances(self, account: Account) -> dict[str, Amount]:
        b = self._open(account).wallet.balance()
        pending = b.trusted_pending.to_sat() + b.untrusted_pending.to_sat() + b.immature.to_sat()
        return {"confirmed": self._amount(b.confirmed.to_sat()), "pending": self._amount(pending),
                "total": self._amount(b.total.to_sat())}

    def receive_address(self, account: Account, sync: bool = True) -> str:
        """The next unused external address; revealed and persisted so it is never handed out for reuse."""
        import bdkpython as bdk

        ow = self._open(account, sync=sync)
        info = ow.wallet.next_unused_address(bdk.KeychainKind.EXTERNAL)
        ow.persist()
        return str(info.address)

    def account_xpub_and_descriptor(self, account: Account, network: Network | None = None) -> dict[str, str]:
        from chains.bitcoin.descriptors import export

        return export(account, network or self.network)

    @staticmethod
    def watch_descriptors(text: str, network: Network) -> tuple[str, str]:
        """Public (receive, change) descriptors from an xpub/zpub/tpub/vpub or a descriptor."""
        from chains.bitcoin.descriptors import watch_descriptors

        return watch_descriptors(text, network)

    # ---- spending ----------------------------------------------------------------------------
    def build_transfer(self, transfer: Transfer) -> UnsignedTx:
        import bdkpython as bdk

        from chains.bitcoin import node, send
        from chains.bitcoin.descriptors import bdk_network

        if transfer.token:
            raise BadInput(_("Bitcoin has no tokens here"))
        self.check_chain()
        recipient = self.parse_address(transfer.recipient, self.network)
        spk = bdk.Address(recipient, bdk_network(self.network)).script_pubkey().to_bytes()
        estimates = None
        if transfer.fees.fee_rate is None:
            estimates = node.Esplora(self.network.rpc_url).fee_estimates()
        rate = send.choose_rate(transfer, estimates)
        ow = self._open(transfer.sender)
        return send.build(ow, transfer, spk, rate)

    def sign(self, unsigned: UnsignedTx, signer: Signer) -> SignedTx:
        from chains.bitcoin.psbt import _to_signed, sign_unsigned

        if unsigned.family != "btc":
            raise BadInput(_("this is a {family} transaction, not a Bitcoin one").format(family=unsigned.family))
        signed_psbt, base = sign_unsigned(unsigned.payload, signer, self.network)
        out = _to_signed(signed_psbt, self.network, base, unsigned.sender, unsigned.recipient)
        out.amount = unsigned.amount
        return out

    def sign_psbt(self, psbt_b64: str, signer: Signer) -> tuple[str, bool]:
        from chains.bitcoin.psbt import sign_psbt

        return sign_psbt(psbt_b64, signer, self.network)

    def review_psbt(self, psbt_b64: str, signer: Signer, *, allow_high_fee: bool = False) -> dict[str, Any]:
        """What signing this PSBT would approve, for the confirmation screen before sign_psbt.

        {"outputs": [{"address", "amount" (BTC decimal), "sats", "change" (script is the signer's
        account's, receive or change keychain)}], "fee", "fee_sat", "vsize", "fee_rate" (sat/vB),
        "inputs", "ours_inputs", "warnings"}. FeeTooHigh above the fee cap or 0.1 BTC/kvB unless allowed.
        """
        from chains.bitcoin.review import review

        return review(psbt_b64, signer, self.network, allow_high_fee, self._revealed)

    def _revealed(self, ext: str, chg: str) -> dict[str, int | None]:
        """The highest revealed index per keychain ("0", "1") in this machine's wallet for these descriptors."""
        import bdkpython as bdk

        if self.data_dir is None:
            return {}
        try:
            w = self._open_desc(ext, chg, sync=False).wallet
        except Exception:  # noqa: BLE001 - no usable local wallet: the plain lookahead applies
            return {}
        return {"0": w.derivation_index(bdk.KeychainKind.EXTERNAL), "1": w.derivation_index(bdk.KeychainKind.INTERNAL)}

    def extract(self, psbt_b64: str) -> SignedTx:
        from chains.bitcoin.psbt import extract

        return extract(psbt_b64, self.network)

    def broadcast(self, signed: SignedTx) -> str:
        from chains.bitcoin.node import Esplora

        if signed.family != "btc":
            raise BadInput(_("this is a {family} transaction, not a Bitcoin one").format(family=signed.family))
        if signed.network != self.network.name:
            raise BadInput(_("this transaction was made for {made_for}, not {network}").format(
                made_for=signed.network, network=self.network.name))
        from chains.bitcoin.psbt import inputs_of

        inputs = inputs_of(signed.raw)
        return Esplora(self.network.rpc_url).broadcast(signed.raw, signed.txid, inputs)

    def status(self, txid: str) -> TxStatus:
        from chains.bitcoin.node import Esplora

        node = Esplora(self.network.rpc_url)
        st = node.tx_status(txid)
        if st is None:
            return TxStatus(txid, "unknown",
                            detail=N_("the node does not know this transaction (replaced or dropped?)"))
        height = st.get("block_height") if isinstance(st, dict) else None
        bad_height = isinstance(height, bool) or not isinstance(height, int)
        if not isinstance(st, dict) or (st.get("confirmed") and bad_height):
            raise Unavailable(_("the Bitcoin node at {where} gave a malformed status for {txid}").format(
                where=node.where, txid=txid))
        if not st.get("confirmed"):
            return TxStatus(txid, "pending")
        return TxStatus(txid, "confirmed", node.tip_height() - height + 1, height)

    def speed_up(self, signed: SignedTx, signer: Signer, bump_percent: int = 10, *,
                 allow_high_fee: bool = False) -> SignedTx:
        from chains.bitcoin.rbf import speed_up

        self.check_chain()
        return speed_up(signed, signer, bump_percent, self.network, self._open_desc, allow_high_fee)

    def cancel(self, signed: SignedTx, signer: Signer, bump_percent: int = 10, *,
               allow_high_fee: bool = False) -> SignedTx:
        from chains.bitcoin.rbf import cancel

        self.check_chain()
        return cancel(signed, signer, bump_percent, self.network, self._open_desc, allow_high_fee)

    def signed_from_text(self, text: str) -> SignedTx:
        """A finalized PSBT (base64) or a raw transaction (hex), for `wallet broadcast FILE`."""
        from chains.bitcoin.psbt import from_raw_hex

        text = text.strip()
        if all(c in "0123456789abcdefABCDEF" for c in text):
            return from_raw_hex(text, self.network)
        return self.extract(text)

    def _amount(self, sats: int) -> Amount:
        return Amount(sats, 8, self.network.symbol)

    def sign_message(self, message: bytes, signer: Signer) -> str:
        """BIP-322 simple for a bc1q… address, the legacy format for a 1… address."""
        from chains.bitcoin.messages import sign, signing_key

        return sign(message, signing_key(signer), signer.address)

    def verify_message(self, message: bytes, signature: str, address: str) -> bool:
        from chains.bitcoin.messages import verify

        return verify(message, signature, address)


__all__ = ["Adapter"]
