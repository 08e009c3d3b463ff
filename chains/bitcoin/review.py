"""Reviewing a PSBT from elsewhere before signing it: where the money goes, which outputs are ours, the fee.

A PSBT's metadata (key origins on outputs) is a claim, not a proof: an output counts as change only when
the script we derive ourselves, from the signer's own account descriptors, equals the output's script.
The same fee guards as `wallet send` apply (network fee cap, 0.1 BTC/kvB), so a PSBT that pays an
absurd fee is refused before anything is signed unless the caller allows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chains.base import Network, Signer
from chains.bitcoin.descriptors import bdk_network, network_kind
from chains.bitcoin.psbt import _descriptors_from_psbt, load_psbt
from chains.bitcoin.send import btc, check_fee, estimate_vsize
from chains.errors import BadInput, Refused
from wallet_i18n import _

if TYPE_CHECKING:
    import bdkpython as bdk

KEYCHAINS = ("0", "1")   # external (receive), internal (change)
# An output is ours only at an index within the wallet's lookahead: past the highest index revealed on
# this machine (if any) by at most LOOKAHEAD, BDK's own default. A far index (1/1000000) is no change
# anyone will ever see the wallet find, so it is shown as leaving; a foreign script can never be called
# ours, because every match is against a script derived here.
LOOKAHEAD = 25
WINDOW = 100


class _Ours:
    """Decides whether a script belongs to the account behind a pair of public descriptors."""

    def __init__(self, ext: str, chg: str, network: Network, revealed: dict[str, int | None] | None = None) -> None:
        """revealed: the highest index revealed per keychain on this machine; None (no wallet state at
        hand, e.g. the policy's decoder) gives a fixed window of the first WINDOW indices."""
        import bdkpython as bdk

        kind = network_kind(network)
        self.network = network
        self.descs = {"0": bdk.Descriptor(ext, kind), "1": bdk.Descriptor(chg, kind)}
        if revealed is None:
            self.limit = dict.fromkeys(KEYCHAINS, WINDOW - 1)
        else:
            self.limit = {k: (v if (v := revealed.get(k)) is not None else -1) + LOOKAHEAD for k in KEYCHAINS}
        self.wallet = bdk.Wallet(self.descs["0"], self.descs["1"], bdk_network(network),
                                 bdk.Persister.new_in_memory())
        for name, keychain in (("0", bdk.KeychainKind.EXTERNAL), ("1", bdk.KeychainKind.INTERNAL)):
            self.wallet.reveal_addresses_to(keychain, self.limit[name])

    def _derived(self, keychain: str, index: int) -> bytes:
        addr = self.descs[keychain].derive_address(index, bdk_network(self.network))
        return addr.script_pubkey().to_bytes()

    def owns(self, spk: bytes, origins: list[Any]) -> bool:
        """origins: the KeySources the PSBT attaches; each only suggests a (keychain, index) to check."""
        import bdkpython as bdk

        for ks in origins:
            steps = str(ks.path).removeprefix("m").strip("/").split("/")
            if (len(steps) >= 2 and steps[-2] in KEYCHAINS and steps[-1].isdigit()
                    and int(steps[-1]) <= self.limit[steps[-2]]):
                if self._derived(steps[-2], int(steps[-1])) == spk:
                    return True
        return self.wallet.derivation_of_spk(bdk.Script(spk)) is not None


def _origins(entry: Any) -> list[Any]:
    return list(entry.bip32_derivation.values()) + [o.key_source for o in entry.tap_key_origins.values()]


def _address(spk: bytes, network: Network) -> str:
    import bdkpython as bdk

    try:
        return str(bdk.Address.from_script(bdk.Script(spk), bdk_network(network)))
    except Exception:  # noqa: BLE001 - no address form (OP_RETURN, bare or non-standard scripts)
        if spk[:1] == b"\x6a":
            return f"OP_RETURN data ({spk[1:].hex() or 'empty'})"
        return f"script {spk.hex()}"


def _spent_script(inp: Any, txin: Any) -> bytes | None:
    if inp.witness_utxo is not None:
        return inp.witness_utxo.script_pubkey.to_bytes()
    if inp.non_witness_utxo is not None:
        outs = inp.non_witness_utxo.output()
        vout = int(txin.previous_output.vout)
        if vout < len(outs):
            return outs[vout].script_pubkey.to_bytes()
    return None


def review(psbt_b64: str, signer: Signer, network: Network, allow_high_fee: bool = False,
           revealed: Callable[[str, str], dict[str, int | None]] | None = None) -> dict[str, Any]:
    """What the signer is asked to sign, for the confirmation screen. Raises FeeTooHigh as `send` does.

    `revealed(ext, chg)` gives the highest index revealed per keychain in this machine's wallet, if any.
    """
    psbt = load_psbt(psbt_b64)
    ext, chg = _descriptors_from_psbt(psbt, signer, network)
    ours = _Ours(ext, chg, network, revealed(ext, chg) if revealed else {})
    tx: bdk.Transaction = psbt.extract_tx_unchecked_fee_rate()
    try:
        fee = int(psbt.fee())
    except Exception:  # noqa: BLE001 - bdk's PsbtError variants (missing UTXO, overflow)
        raise BadInput(_("the PSBT does not carry the amounts of all its inputs, so its fee cannot be "
                         "checked; ask for a PSBT with each input's UTXO")) from None
    outputs = []
    for txout, meta in zip(tx.output(), psbt.output(), strict=True):
        spk = txout.script_pubkey.to_bytes()
        sats = int(txout.value.to_sat())
        outputs.append({"address": _address(spk, network), "amount": btc(network, sats).plain(),
                        "sats": sats, "change": ours.owns(spk, _origins(meta))})
    ours_inputs = 0
    for txin, inp in zip(tx.input(), psbt.input(), strict=True):
        spk = _spent_script(inp, txin)
        ours_inputs += spk is not None and ours.owns(spk, _origins(inp))
    if ours_inputs == 0:
        raise Refused(_("the signer's key does not control any input of this PSBT"))
    vsize = estimate_vsize(psbt)
    warnings = check_fee(network, fee, vsize, allow_high_fee)
    return {"outputs": outputs, "fee": btc(network, fee).plain(), "fee_sat": fee, "vsize": vsize,
            "fee_rate": f"{fee / vsize:.2f}", "inputs": len(tx.input()), "ours_inputs": ours_inputs,
            "warnings": warnings}
