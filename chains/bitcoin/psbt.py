"""Signing PSBTs with an account's extended private key, finalizing and extracting the transaction.

The signing wallet is built from the same descriptors the watch-only wallet used, with the xpub swapped for
the signer's xprv, so key origins match and BDK signs exactly the inputs that belong to the account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chains.base import Network, SignedTx, Signer
from chains.bitcoin.descriptors import bdk_network, check_descriptors, network_kind, private_descriptors, reencode
from chains.bitcoin.send import btc
from chains.errors import BadInput, Refused, reason_of
from wallet_i18n import _

if TYPE_CHECKING:
    import bdkpython as bdk


def load_psbt(psbt_b64: str) -> bdk.Psbt:
    import bdkpython as bdk

    try:
        return bdk.Psbt(psbt_b64.strip())
    except Exception:  # noqa: BLE001
        raise BadInput(_('this is not a valid base64 PSBT')) from None


def _need_xprv(signer: Signer) -> str:
    if not signer.xprv:
        raise BadInput(_("Bitcoin signing needs the account's extended private key (an HD account)"))
    return signer.xprv


def _signing_wallet(ext: str, chg: str, signer: Signer, network: Network) -> bdk.Wallet:
    import bdkpython as bdk

    pext, pchg = private_descriptors(ext, chg, _need_xprv(signer), network)
    kind = network_kind(network)
    try:
        return bdk.Wallet(bdk.Descriptor(pext, kind), bdk.Descriptor(pchg, kind), bdk_network(network),
                          bdk.Persister.new_in_memory())
    except Exception:  # noqa: BLE001 - BDK's message may quote the private descriptor: never pass it on
        raise BadInput(_('the signing descriptor is not valid for {name}').format(name=network.name)) from None


def _sign(wallet: bdk.Wallet, psbt: bdk.Psbt) -> bool:
    """Sign what we can; True when every input is finalized. Refuse if nothing was ours to sign."""
    before = _signatures(psbt)
    try:
        finalized = wallet.sign(psbt)
    except Exception as e:  # noqa: BLE001 - SignerError variants, described in words
        raise Refused(_("signing failed ({reason})").format(reason=reason_of(e))) from None
    if _signatures(psbt) <= before:
        raise Refused(_("the signer's key does not control any input of this transaction"))
    return bool(finalized)


def _signatures(psbt: bdk.Psbt) -> int:
    """Signatures and finalized witnesses across inputs (output metadata changes don't count)."""
    n = 0
    for i in psbt.input():
        n += len(i.partial_sigs) + len(i.tap_script_sigs) + (i.tap_key_sig is not None)
        n += bool(i.final_script_witness) + (i.final_script_sig is not None)
    return n


def _to_signed(psbt: bdk.Psbt, network: Network, base: dict[str, object] | None = None,
               sender: str = "", recipient: str = "") -> SignedTx:
    tx = psbt.extract_tx_unchecked_fee_rate()   # our own guards ran at build time
    fee = psbt.fee()
    payload = dict(base or {})
    payload.update({"psbt": psbt.serialize(), "fee_sat": fee, "vsize": tx.vsize(),
                    "fee_rate": f"{fee / tx.vsize():.2f}"})
    return SignedTx("btc", network.name, str(tx.compute_txid()), tx.serialize().hex(), sender, recipient,
                    None, btc(network, fee), payload)


def sign_unsigned(payload: dict[str, object], signer: Signer, network: Network) -> tuple[bdk.Psbt, dict]:
    ext, chg = check_descriptors(str(payload["descriptor"]), str(payload["change_descriptor"]), signer, network)
    psbt = load_psbt(str(payload["psbt"]))
    if not _sign(_signing_wallet(ext, chg, signer, network), psbt):
        raise Refused(_('the transaction could not be fully signed (an input belongs to another key)'))
    base = {"descriptor": ext, "change_descriptor": chg, "btc_network": network.btc_network}
    return psbt, base


def sign_psbt(psbt_b64: str, signer: Signer, network: Network) -> tuple[str, bool]:
    """Sign a PSBT from anywhere with the account xprv; the descriptor is inferred from the PSBT's
    key origins (BIP32 derivations) and script types. Returns (psbt, finalized)."""
    psbt = load_psbt(psbt_b64)
    ext, chg = _descriptors_from_psbt(psbt, signer, network)
    finalized = _sign(_signing_wallet(ext, chg, signer, network), psbt)
    return psbt.serialize(), finalized


def extract(psbt_b64: str, network: Network) -> SignedTx:
    import json

    psbt = load_psbt(psbt_b64)
    try:
        inputs = json.loads(psbt.json_serialize()).get("inputs", [])
    except ValueError:
        inputs = []
    if not inputs or not all(i.get("final_script_witness") or i.get("final_script_sig") for i in inputs):
        raise BadInput(_('the PSBT is not finalized (an input has no final signature); sign it first'))
    try:
        return _to_signed(psbt, network)
    except Exception:  # noqa: BLE001 - ExtractTxError variants
        raise BadInput(_('the PSBT is not finalized yet; sign it first')) from None


def _descriptors_from_psbt(psbt: bdk.Psbt, signer: Signer, network: Network) -> tuple[str, str]:
    import bdkpython as bdk

    xprv = reencode(_need_xprv(signer), network_kind(network) == bdk.NetworkKind.TEST)
    xpub = str(bdk.DescriptorSecretKey.from_string(xprv).as_public())
    for inp in psbt.input():
        sources = [ks for ks in inp.bip32_derivation.values()]
        taproot = bool(inp.tap_key_origins)
        sources += [o.key_source for o in inp.tap_key_origins.values()]
        for ks in sources:
            steps = str(ks.path).removeprefix("m").strip("/").split("/") if str(ks.path) not in ("m", "") else []
            if len(steps) < 2:
                continue
            origin = "/".join(steps[:-2])
            # Without an origin the PSBT names the account key itself, which BDK matches directly.
            key = f"[{ks.fingerprint}/{origin}]{xpub}" if origin else xpub
            wrapper = "tr" if taproot else _wrapper_for(inp)
            ext = _close(wrapper, f"{key}/0/*")
            chg = _close(wrapper, f"{key}/1/*")
            return ext, chg
    raise Refused(_('the PSBT carries no key origins, so it cannot be matched to this account'))


def _wrapper_for(inp: bdk.Input) -> str:
    if inp.redeem_script is not None:
        return "sh-wpkh"
    spk = inp.witness_utxo.script_pubkey.to_bytes() if inp.witness_utxo else b""
    return "wpkh" if len(spk) == 22 else "pkh"


def _close(wrapper: str, key: str) -> str:
    return f"sh(wpkh({key}))" if wrapper == "sh-wpkh" else f"{wrapper}({key})"


def from_raw_hex(raw_hex: str, network: Network) -> SignedTx:
    """A signed raw transaction given as hex."""
    import bdkpython as bdk

    try:
        tx = bdk.Transaction(bytes.fromhex(raw_hex))
    except Exception:  # noqa: BLE001 - bdk's decode errors
        raise BadInput(_('the hex is not a valid Bitcoin transaction')) from None
    if not all(i.witness or i.script_sig.to_bytes() for i in tx.input()):
        raise BadInput(_('the transaction is not signed (an input has no signature); sign it first'))
    return SignedTx("btc", network.name, str(tx.compute_txid()), raw_hex.lower())


def inputs_of(raw_hex: str) -> list[tuple[str, int]]:
    """(txid, vout) of each input of a raw transaction, for the spent-elsewhere check."""
    import bdkpython as bdk

    try:
        tx = bdk.Transaction(bytes.fromhex(raw_hex))
    except Exception:  # noqa: BLE001 - bdk's decode errors
        raise BadInput(_("the signed transaction's raw bytes do not parse")) from None
    return [(str(i.previous_output.txid), int(i.previous_output.vout)) for i in tx.input()]
