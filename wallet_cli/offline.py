"""Offline signing files: `send --sign-only --out F` writes one, `broadcast F` reads it.

The file is the SignedTx JSON ("kind": "signed"). For btc, `broadcast` also takes a finalized PSBT
(base64) or raw transaction hex, with --network.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chains.base import ChainAdapter, SignedTx, Transfer, UnsignedTx
from wallet_cli import accounts
from wallet_cli.errors import UsageError
from wallet_cli.secret_out import write_new_private_file
from wallet_cli.signing import AccountSigner
from wallet_cli.transfer import SendRequest, build, memo_for, parse_amount, poisoning_warnings
from wallet_i18n import N_, _


def _offline_unsigned(req: SendRequest, adapter: ChainAdapter, blockhash: str | None,
                      known: set[str], ref_block: str | None = None, expiration: int | None = None) -> UnsignedTx:
    """Build with no RPC when the user gave what the node would have told us, else ask the node."""
    fam = req.network.family
    recipient = adapter.parse_address(req.recipient, req.network)
    offline_ready = (fam == "evm" and req.fees.nonce is not None and req.fees.max_fee is not None
                     and req.fees.priority_fee is not None and not req.token) or bool(fam == "sol" and blockhash) \
        or bool(fam == "tron" and ref_block)
    if not offline_ready:
        unsigned, warnings = build(req, adapter, known)
        unsigned.warnings = warnings
        return unsigned
    token, decimals, symbol = None, req.network.decimals, req.network.symbol
    if req.token:  # no node to ask: the token must be one the network config lists, with its decimals
        token, symbol, decimals = _listed_token(req)
    amount = parse_amount(req.amount, decimals, symbol, allow_max=False)
    warnings = poisoning_warnings(req, recipient, known)  # offline too: checked against local history
    transfer = Transfer(req.network, accounts.to_account(req.sender), recipient, amount, token, req.fees,
                        memo_for(req))
    if fam == "evm":
        from chains.evm.tx import build_offline

        assert req.fees.nonce is not None and req.fees.max_fee is not None
        unsigned = build_offline(transfer, nonce=req.fees.nonce, max_fee=req.fees.max_fee,
                                 priority_fee=req.fees.priority_fee, gas_limit=req.fees.gas_limit,
                                 chain_id=req.network.chain_id)
    elif fam == "tron":
        from chains.tron import DEFAULT_EXPIRATION_S

        unsigned = adapter.build_offline(transfer, ref_block=ref_block,  # type: ignore[attr-defined]
                                         expiration_s=expiration or DEFAULT_EXPIRATION_S)
    else:
        unsigned = adapter.build_offline(transfer, blockhash=blockhash,  # type: ignore[attr-defined]
                                         decimals=decimals if token else None)
    unsigned.warnings = list(unsigned.warnings) + warnings
    return unsigned


def _listed_token(req: SendRequest) -> tuple[str, str, int]:
    for sym, spec in req.network.tokens.items():
        if req.token in (sym, spec.get("address")):
            return spec["address"], sym, int(spec["decimals"])
    raise UsageError(_("offline signing needs a token listed for {network} (symbol and decimals); "
                       "{token!r} is not, so add it to config.toml or sign online").format(
                         network=req.network.name, token=req.token))


def sign_to_file(req: SendRequest, adapter: ChainAdapter, out: Path, *, blockhash: str | None,
                 known: set[str], confirm: Callable[[UnsignedTx, list[str]], None],
                 signer: AccountSigner, ref_block: str | None = None,
                 expiration: int | None = None) -> dict[str, Any]:
    unsigned = _offline_unsigned(req, adapter, blockhash, known, ref_block, expiration)
    confirm(unsigned, list(unsigned.warnings))
    if req.network.family == "btc":
        return _write_psbt(req, adapter, unsigned, out, signer)
    signed = signer.sign_transaction(adapter, unsigned, tags={"kind": "offline", "token": req.token})
    # Not a secret, but it moves funds once published: keep it private like the rest of the wallet.
    write_new_private_file(out, json.dumps(signed.to_json(), indent=2) + "\n")
    return {"txid": signed.txid, "file": str(out), "network": signed.network, "from": signed.sender,
            "to": signed.recipient, "amount": signed.amount.plain() if signed.amount else None}


def _write_psbt(req: SendRequest, adapter: ChainAdapter, unsigned: UnsignedTx, out: Path,
                signer: AccountSigner) -> dict[str, Any]:
    """Bitcoin writes a PSBT: unsigned from a watch-only account (sign it with `wallet psbt sign`
    on the machine with the keys), finalized from an account whose key is in the vault."""
    base = {"file": str(out), "network": req.network.name, "from": unsigned.sender, "to": unsigned.recipient,
            "amount": unsigned.amount.plain(), "fee": unsigned.fee.plain()}
    if req.sender.get("kind") == "watch":
        write_new_private_file(out, str(unsigned.payload["psbt"]) + "\n")
        return {**base, "txid": None, "signed": False}
    signed = signer.sign_transaction(adapter, unsigned, tags={"kind": "offline", "token": req.token})
    write_new_private_file(out, str(signed.payload["psbt"]) + "\n")
    return {**base, "txid": signed.txid, "signed": True}


def read_signed(path: Path, network: str | None) -> SignedTx:
    from keystore.boundedio import loads_json
    from wallet_cli.files import read_text_file

    text = read_text_file(path, N_("signed transaction file")).strip()
    if text.startswith("{"):
        try:
            doc = loads_json(text)
        except ValueError:
            raise UsageError(_("{file} is not valid JSON").format(file=path)) from None
        if not isinstance(doc, dict) or doc.get("kind") != "signed":
            raise UsageError(_("{file} is not a signed transaction file (sign it first)").format(file=path))
        for key in ("family", "network", "txid", "raw"):
            if not isinstance(doc.get(key), str) or not doc[key]:
                raise UsageError(_("{file} is not a valid signed transaction file: {key!r} is missing or not text")
                                 .format(file=path, key=key))
        try:
            return SignedTx.from_json(doc)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise UsageError(_("{file} is not a valid signed transaction file").format(file=path)) from None
    if network is None:
        raise UsageError(_("a raw transaction or PSBT needs --network"))
    from wallet_cli import netconf

    net = netconf.network(network)
    if net.family != "btc":
        raise UsageError(_("{file} is not a signed transaction file for {family}").format(file=path, family=net.family))
    from chains.base import get_adapter

    adapter = get_adapter(net, netconf.data_dir())
    return adapter.signed_from_text(text)  # type: ignore[attr-defined]
