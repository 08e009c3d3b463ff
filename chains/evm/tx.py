"""EVM transaction dicts: the JSON form kept in payloads, offline building, signing and raw decoding.

The JSON form keeps chainId, nonce, gas and type as ints and every wei quantity (value, fees) as a
decimal string, because wei amounts exceed what JSON readers without big integers keep exactly.
"""

from __future__ import annotations

from typing import Any

from chains.base import Amount, FeeOptions, SignedTx, Signer, Transfer, UnsignedTx
from chains.errors import BadInput, reason_of
from chains.evm.address import checksum
from chains.evm.fees import Fees, gwei
from chains.evm.tokens import decode_transfer_data, transfer_data
from wallet_i18n import N_, Phrase, _, translated

_WEI_FIELDS = ("value", "maxFeePerGas", "maxPriorityFeePerGas", "gasPrice")
_INT_FIELDS = ("chainId", "nonce", "gas", "type")
# Protocol ranges. EIP-2681: a nonce of 2**64 - 1 or more is invalid. Gas is a uint64 in every client
# (geth, reth, anvil); wei quantities are uint256.
NONCE_END = 2**64 - 1
GAS_END = 2**64
WEI_END = 2**256
_WEI_LABELS = {"value": N_("value"), "maxFeePerGas": N_("max fee per gas"),
               "maxPriorityFeePerGas": N_("priority fee"), "gasPrice": N_("gas price")}


def _check(label: str, v: int, lo: int, end: int, hint: str) -> None:
    if not lo <= v < end:
        raise BadInput(_("the {label} must be a whole number from {lo} to {hint}").format(
            label=translated(label), lo=lo, hint=hint))


def check_ranges(tx: dict[str, Any]) -> None:
    """BadInput unless nonce, gas and every wei quantity are inside the protocol's ranges."""
    _check(N_("nonce"), int(tx["nonce"]), 0, NONCE_END, "2**64 - 2 (EIP-2681)")
    _check(N_("gas limit"), int(tx["gas"]), 1, GAS_END, "2**64 - 1")
    for key, label in _WEI_LABELS.items():
        if key in tx:
            _check(label, int(tx[key]), 0, WEI_END, "2**256 - 1 wei")


def check_fee_options(opts: FeeOptions) -> None:
    """The same ranges for the user's overrides, checked before any RPC call."""
    if opts.nonce is not None:
        _check(N_("nonce"), opts.nonce, 0, NONCE_END, "2**64 - 2 (EIP-2681)")
    if opts.gas_limit is not None:
        _check(N_("gas limit"), opts.gas_limit, 1, GAS_END, "2**64 - 1")
    for v, label in ((opts.max_fee, N_("max fee per gas")), (opts.priority_fee, N_("priority fee"))):
        if v is not None:
            _check(label, v, 0, WEI_END, "2**256 - 1 wei")


def tx_to_json(tx: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in tx.items():
        if k in _WEI_FIELDS:
            out[k] = str(int(v))
        elif k in _INT_FIELDS:
            out[k] = int(v)
        elif k == "to":
            out[k] = checksum(v if isinstance(v, str) else "0x" + bytes(v).hex())
        elif k == "data":
            out[k] = v if isinstance(v, str) else "0x" + bytes(v).hex()
    return out


def tx_from_json(tx: dict[str, Any]) -> dict[str, Any]:
    """The dict eth-account signs. Legacy (type 0) drops 'type' and keeps chainId for EIP-155."""
    try:
        out: dict[str, Any] = {"chainId": int(tx["chainId"]), "nonce": int(tx["nonce"]),
                               "gas": int(tx["gas"]), "to": checksum(tx["to"]),
                               "value": int(tx["value"]), "data": tx.get("data") or "0x"}
        if int(tx.get("type", 2)) == 2:
            out.update(type=2, maxFeePerGas=int(tx["maxFeePerGas"]),
                       maxPriorityFeePerGas=int(tx["maxPriorityFeePerGas"]))
        else:
            out["gasPrice"] = int(tx["gasPrice"])
    except (KeyError, ValueError, TypeError) as e:
        what = _("{field} is missing").format(field=e) if isinstance(e, KeyError) else str(e)
        raise BadInput(_("the transaction payload is malformed ({what})").format(what=what)) from None
    check_ranges(out)            # a payload from a file is checked again before it is signed
    return out


def fees_of(tx: dict[str, Any]) -> Fees:
    if "gasPrice" in tx:
        return Fees(int(tx["gasPrice"]), None)
    return Fees(int(tx["maxFeePerGas"]), int(tx["maxPriorityFeePerGas"]))


def make_tx(*, chain_id: int, nonce: int, to: str, value: int, data: str, gas: int,
            fees: Fees) -> dict[str, Any]:
    tx: dict[str, Any] = {"type": 0 if fees.legacy else 2, "chainId": chain_id, "nonce": nonce, "to": to,
                          "value": value, "data": data, "gas": gas}
    tx.update(fees.tx_fields())
    check_ranges(tx)
    return tx_to_json(tx)


def describe_fee(gas: int, fees: Fees, symbol: str, decimals: int) -> str:
    total = Amount(gas * fees.max_fee, decimals, symbol)
    return f"{total} ({gas} gas × {gwei(fees.max_fee)})"


def unsigned_from(transfer: Transfer, tx: dict[str, Any], *, token: str | None, token_symbol: str | None,
                  recipient: str, warnings: list[str] | None = None) -> UnsignedTx:
    """Wrap a JSON tx into an UnsignedTx with the confirmation summary."""
    net = transfer.network
    assert transfer.amount is not None  # noqa: S101 (callers reject amount None first)
    fees = fees_of(tx)
    fee = Amount(int(tx["gas"]) * fees.max_fee, net.decimals, net.symbol)
    # The keys are the labels' msgids, translated where shown (the --json review keeps them English); a
    # value with words in it is a Phrase, English in the JSON and translated on the screen.
    summary: dict[str, str] = {
        N_("Network"): Phrase(N_("{network} (chain id {chain_id})"), network=net.name, chain_id=tx["chainId"]),
        N_("From"): transfer.sender.address, N_("To"): recipient, N_("Amount"): str(transfer.amount)}
    if token:
        summary[N_("Token")] = f"{token_symbol} ({token})"
        if not any(checksum(spec["address"]) == checksum(token) for spec in net.tokens.values()):
            # Not in the network's config: only the RPC vouches for the decimals, so show what is signed.
            summary[N_("Base units")] = Phrase(N_("{value} base units ({decimals} decimals as the RPC reports; "
                                                  "this token is not in the network's config)"),
                                               value=transfer.amount.value, decimals=transfer.amount.decimals)
    summary[N_("Nonce")] = str(tx["nonce"])
    summary[N_("Max fee")] = describe_fee(int(tx["gas"]), fees, net.symbol, net.decimals)
    if not token:
        summary[N_("Total")] = Phrase(N_("{amount} (max)"), amount=str(
            Amount(transfer.amount.value + fee.value, net.decimals, net.symbol)))
    payload = {"tx": tx, "from": checksum(transfer.sender.address), "token": token,
               "token_symbol": token_symbol}
    return UnsignedTx("evm", net.name, checksum(transfer.sender.address), recipient, transfer.amount, fee,
                      payload, summary, list(warnings or []))


def resolve_token_offline(transfer: Transfer) -> tuple[str, str]:
    """(contract, symbol) for transfer.token from network.tokens or a contract address, no RPC."""
    from chains.evm.address import parse_address

    assert transfer.token is not None  # noqa: S101
    for sym, spec in transfer.network.tokens.items():
        if sym.upper() == transfer.token.upper():
            return checksum(spec["address"]), sym
    addr = parse_address(transfer.token, transfer.network.name)
    symbol = transfer.amount.symbol if transfer.amount else "TOKEN"
    return addr, symbol


OFFLINE_TOKEN_GAS = 100_000  # no node to estimate with; typical ERC-20 transfers use 35k-65k


def intrinsic_gas(data: str) -> int:
    """21000 plus calldata cost (EIP-2028: 16 per non-zero byte, 4 per zero byte)."""
    b = bytes.fromhex(data[2:] if data.startswith("0x") else data)
    return 21000 + sum(16 if x else 4 for x in b)


def build_offline(transfer: Transfer, nonce: int, max_fee: int, priority_fee: int | None,
                  gas_limit: int | None = None, chain_id: int | None = None) -> UnsignedTx:
    """Build without any RPC (for --sign-only on an offline machine). priority_fee None = legacy.

    gas_limit None means 21000 for the native coin and OFFLINE_TOKEN_GAS for a token transfer.
    """
    net = transfer.network
    if transfer.amount is None:
        raise BadInput(_("an EVM transfer needs an amount"))
    check_fee_options(FeeOptions(max_fee=max_fee, priority_fee=priority_fee, nonce=nonce, gas_limit=gas_limit))
    cid = chain_id if chain_id is not None else net.chain_id
    if cid is None:
        raise BadInput(_("network {network} has no chain id; an offline build needs one").format(network=net.name))
    if net.chain_id is not None and cid != net.chain_id:
        raise BadInput(_("chain id {chain_id} differs from network {network}'s chain id {expected}").format(
            chain_id=cid, network=net.name, expected=net.chain_id))
    legacy = net.legacy_fees or priority_fee is None
    fees = Fees(max_fee, None if legacy else priority_fee)
    if not fees.legacy and int(fees.priority_fee or 0) > fees.max_fee:
        raise BadInput(_("the priority fee is above the max fee"))
    from chains.evm.address import parse_address
    from chains.evm.fees import check_cap

    recipient = parse_address(transfer.recipient, net.name)
    if transfer.token:
        token, symbol = resolve_token_offline(transfer)
        to, value, data = token, 0, transfer_data(recipient, transfer.amount.value)
        gas = gas_limit if gas_limit is not None else OFFLINE_TOKEN_GAS
    else:
        token, symbol, to, value, data = None, None, recipient, transfer.amount.value, "0x"
        gas = gas_limit if gas_limit is not None else 21000
    if gas < intrinsic_gas(data):
        raise BadInput(_("a gas limit of {gas} is below this transaction's intrinsic cost of {intrinsic}; give a "
                         "higher gas limit").format(gas=gas, intrinsic=intrinsic_gas(data)))
    check_cap(net, gas * max_fee, transfer.fees.allow_high_fee)  # the cap holds offline too
    tx = make_tx(chain_id=cid, nonce=nonce, to=to, value=value, data=data, gas=gas, fees=fees)
    return unsigned_from(transfer, tx, token=token, token_symbol=symbol, recipient=recipient)


def signer_address(signer: Signer) -> str:
    from chains.evm.sign import address_of_key

    if len(signer.private_key) != 32:
        raise BadInput(_("the EVM signer needs a 32-byte private key"))
    return address_of_key(signer.private_key)


def sign_tx(unsigned: UnsignedTx, signer: Signer) -> SignedTx:
    from chains.evm.sign import sign_transaction

    addr = signer_address(signer)
    if addr != checksum(unsigned.sender):
        raise BadInput(_("the signing key belongs to {key_owner}, not to the sender {sender}").format(
            key_owner=addr, sender=checksum(unsigned.sender)))
    tx = tx_from_json(unsigned.payload["tx"])
    raw, txid = sign_transaction(tx, signer.private_key)
    payload = dict(unsigned.payload)
    payload["tx"] = tx_to_json(tx)
    return SignedTx("evm", unsigned.network, txid, "0x" + raw.hex(), addr, unsigned.recipient, unsigned.amount,
                    unsigned.fee, payload)


def decode_raw(raw: str) -> tuple[dict[str, Any], str, str]:
    """(JSON tx, sender, txid) from a signed raw transaction; the raw bytes are the truth, not the payload."""
    from chains.evm.sign import decode_signed

    try:
        return decode_signed(bytes.fromhex(raw[2:] if raw.startswith(("0x", "0X")) else raw))
    except BadInput:
        raise
    except Exception as e:  # RlpError, bad hex, a signature libsecp256k1 cannot recover
        raise BadInput(_("the raw transaction cannot be decoded ({reason})").format(reason=reason_of(e))) from None


def describe_decoded(tx: dict[str, Any]) -> tuple[str, int, str | None]:
    """(recipient, amount, token contract or None) of a transfer tx."""
    parsed = decode_transfer_data(tx.get("data", "0x"))
    if parsed and int(tx["value"]) == 0:
        return checksum(parsed[0]), parsed[1], tx["to"]
    return tx["to"], int(tx["value"]), None
