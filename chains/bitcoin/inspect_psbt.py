"""Decoding a PSBT without signing it (`wallet psbt show`): outputs, inputs, fee and rate.

No key is needed. With an account's public descriptors, outputs are marked change by deriving their
scripts here (as psbt sign does); without one, no output is called change.
"""

from __future__ import annotations

from typing import Any

from chains.base import Network
from chains.bitcoin.psbt import load_psbt
from chains.bitcoin.review import _address, _origins, _Ours
from chains.bitcoin.send import btc, estimate_vsize, rate_text


def show(psbt_b64: str, network: Network, descriptors: tuple[str, str] | None = None) -> dict[str, Any]:
    psbt = load_psbt(psbt_b64)
    tx = psbt.extract_tx_unchecked_fee_rate()
    ours = _Ours(*descriptors, network) if descriptors else None
    outputs = []
    for txout, meta in zip(tx.output(), psbt.output(), strict=True):
        spk = txout.script_pubkey.to_bytes()
        sats = int(txout.value.to_sat())
        outputs.append({"address": _address(spk, network), "amount": btc(network, sats).plain(), "sats": sats,
                        "change": bool(ours and ours.owns(spk, _origins(meta)))})
    try:
        fee: int | None = int(psbt.fee())
    except Exception:  # noqa: BLE001 - bdk's PsbtError variants: an input without its UTXO
        fee = None
    vsize = estimate_vsize(psbt)
    inputs = [{"txid": str(i.previous_output.txid), "vout": int(i.previous_output.vout)} for i in tx.input()]
    signed = sum(1 for i in psbt.input() if any(getattr(i, k, None) for k in
                                                ("partial_sigs", "final_script_witness", "final_script_sig",
                                                 "tap_key_sig")))
    return {"txid": str(tx.compute_txid()), "inputs": inputs, "outputs": outputs, "vsize": vsize,
            "fee": None if fee is None else btc(network, fee).plain(), "fee_sat": fee,
            "fee_rate": None if fee is None else rate_text(fee / vsize), "signed_inputs": signed}
