"""What a signature would move, decoded from the bytes to be signed, one small function per family.

The agent and the in-process path both use these, so the policy sees the transaction itself, never a
client's summary, recipient or amount. Whatever a decoder cannot account for becomes `contract_call`,
which any policy refuses.
"""

from __future__ import annotations

from typing import Any

from chains.base import Network, Signer, UnsignedTx
from chains.errors import BadInput
from wallet_cli.policy import Spend
from wallet_i18n import _

SEL_TRANSFER = "a9059cbb"   # transfer(address,uint256)
SEL_APPROVE = "095ea7b3"    # approve(address,uint256): counts as spending the approved amount
_SYSTEM = "11111111111111111111111111111111"
_COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111"
_MEMO = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"
_ATA = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
_EIP3009 = ("TransferWithAuthorization", "ReceiveWithAuthorization")  # their typehashes: these exact names
_TOKEN_PROGRAMS = ("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")


def chain_key(net: Network) -> str:
    """The chain itself, not its configurable name: EVM by chain id, Bitcoin by network kind."""
    if net.family == "evm":
        return f"evm:{net.chain_id}"
    if net.family == "btc":
        return f"btc:{net.btc_network}"
    if net.family == "tron" and net.genesis:  # checked against the node's block 0 before signing
        return f"tron:{net.genesis}"
    return f"{net.family}:{net.name}"


def _calldata_spend(to: str, data: str) -> tuple[str | None, tuple[tuple[str, int], ...], str | None]:
    """(token, outputs, contract_call) for a call's data."""
    h = data[2:] if data.startswith(("0x", "0X")) else data
    if not h:
        return None, (), None
    sel = h[:8].lower()
    if sel in (SEL_TRANSFER, SEL_APPROVE) and len(h) == 8 + 128 and h[8:32] == "0" * 24:
        return to, (("0x" + h[32:72], int(h[72:136], 16)),), None
    return None, (), _("the transaction calls the contract {contract} with data (selector 0x{selector})").format(
        contract=to, selector=h[:8])


def evm(unsigned: UnsignedTx, net: Network) -> Spend:
    tx = unsigned.payload.get("tx")
    if not isinstance(tx, dict):
        raise BadInput(_("this is not an EVM transaction built by this wallet (no tx)"))
    try:
        chain_id, to, value, data = int(tx["chainId"]), str(tx["to"]), int(tx["value"]), str(tx.get("data") or "0x")
    except (KeyError, TypeError, ValueError):
        raise BadInput(_("the EVM transaction payload is malformed")) from None
    if net.chain_id is not None and chain_id != net.chain_id:
        raise BadInput(_("the transaction is for chain id {chain_id}, not {network} ({network_chain_id})").format(
            chain_id=chain_id, network=net.name, network_chain_id=net.chain_id))
    token, outputs, call = _calldata_spend(to, data)
    if token is not None and value:
        call = _("the transaction sends the native coin along with a token call")
    if token is None and call is None:
        outputs = ((to, value),)
    return Spend(chain=f"evm:{chain_id}", network=net.name, family="evm", token=token, outputs=outputs,
                 sender=unsigned.sender, contract_call=call)


def evm_typed_data(typed: dict[str, Any], net: Network, sender: str) -> Spend | None:
    """A Permit (EIP-2612, or DAI's allowed=true) or an EIP-3009 authorisation (USDC's
    transfer/receiveWithAuthorization, which moves the tokens itself) as the spend it authorises;
    None for other typed data."""
    primary = str(typed.get("primaryType", ""))
    if "permit" not in primary.lower() and primary not in _EIP3009:
        return None
    domain, msg = typed.get("domain") or {}, typed.get("message") or {}
    try:
        chain_id = int(domain.get("chainId", net.chain_id))
        token = str(domain["verifyingContract"])
        spender = str(msg["to" if primary in _EIP3009 else "spender"])
        if primary in _EIP3009:
            amount = int(msg["value"])
        elif "value" in msg:
            amount = int(msg["value"])
        elif msg.get("allowed") in (True, "true"):
            amount = 2**256 - 1
        else:
            raise KeyError("value")  # i18n: not shown
    except (KeyError, TypeError, ValueError):
        return Spend(chain=f"evm:{net.chain_id}", network=net.name, family="evm", token=None, outputs=(),
                     sender=sender, contract_call=_("a {primary_type} whose amount this wallet cannot read").format(
                         primary_type=primary))
    return Spend(chain=f"evm:{chain_id}", network=net.name, family="evm", token=token,
                 outputs=((spender, amount),), sender=sender)


def sol(unsigned: UnsignedTx, net: Network) -> Spend:
    """System transfers and SPL TransferChecked; compute budget, memo and ATA creation move nothing."""
    from chains.solana import tx as sb

    try:
        msg = sb.message_from_b64(unsigned.payload["message"])
    except (KeyError, ValueError, TypeError):
        raise BadInput(_("this is not a Solana transaction built by this wallet (no message)")) from None
    keys = [str(k) for k in msg.account_keys]
    native, tokens, call = 0, [], None
    outs: list[tuple[str, int]] = []
    for ix in msg.instructions:
        if ix.program_id_index >= len(keys) or any(i >= len(keys) for i in ix.accounts):
            raise BadInput(_("the Solana message names an account it does not list"))
        prog, data, accts = keys[ix.program_id_index], bytes(ix.data), [keys[i] for i in ix.accounts]
        if prog == _SYSTEM and len(data) == 12 and data[:4] == (2).to_bytes(4, "little") and len(accts) >= 2:
            amount = int.from_bytes(data[4:12], "little")
            outs.append((accts[1], amount))
            native += amount
        elif prog in _TOKEN_PROGRAMS and len(data) == 10 and data[0] == 12 and len(accts) >= 4:
            tokens.append((accts[1], accts[2], int.from_bytes(data[1:9], "little"), prog))
        elif prog in (_COMPUTE_BUDGET, _MEMO) or (prog == _ATA and data in (b"", b"\x01")):
            continue
        else:
            call = _("the transaction calls the program {program}").format(program=prog)
    token = None
    if tokens:
        mints = {t[0] for t in tokens}
        if len(mints) != 1 or native:
            call = call or _("the transaction moves more than one asset")
        token = tokens[0][0]
        outs = [(_ata_owner(unsigned.recipient, mint, dest, prog), amount) for mint, dest, amount, prog in tokens]
    return Spend(chain=chain_key(net), network=net.name, family="sol", token=token, outputs=tuple(outs),
                 sender=unsigned.sender, contract_call=call)


def _ata_owner(claimed_owner: str, mint: str, dest: str, program: str) -> str:
    """The token account's owner, when it is the claimed recipient's associated account; else the account."""
    from solders.pubkey import Pubkey

    from chains.solana.tokens import ata_address

    try:
        if str(ata_address(Pubkey.from_string(claimed_owner), Pubkey.from_string(mint),
                           Pubkey.from_string(program))) == dest:
            return claimed_owner
    except ValueError:
        pass
    return dest


def tron(unsigned: UnsignedTx, net: Network) -> Spend:
    """A TRX Transfer or a TRC-20 transfer() trigger, decoded from the raw bytes that are signed."""
    from chains.tron import tokens
    from chains.tron import tx as ttx
    from chains.tron.address import VERSION, from_bytes21

    try:
        raw = ttx.decode_raw(bytes.fromhex(str(unsigned.payload["raw"])))
    except (KeyError, ValueError):
        raise BadInput(_("this is not a TRON transaction built by this wallet")) from None
    token, call, outs = None, None, ()
    if raw.contract_type == ttx.TRANSFER:
        outs = ((raw.to_address, raw.amount),)
    else:
        decoded = tokens.decode_transfer(raw.call_data)
        token = raw.to_address
        if decoded is None or raw.amount:
            call = _("the transaction calls the contract {contract} with data this wallet cannot read").format(
                contract=token)
        else:
            outs = ((from_bytes21(bytes([VERSION]) + decoded[0]), decoded[1]),)
    return Spend(chain=chain_key(net), network=net.name, family="tron", token=token, outputs=outs,
                 sender=raw.owner_address, contract_call=call)


def btc(unsigned: UnsignedTx, net: Network, adapter: Any, signer: Signer) -> Spend:
    """PSBT outputs that are not change of the signing account (change derived from the key, not the payload)."""
    psbt = unsigned.payload.get("psbt")
    if not isinstance(psbt, str):
        raise BadInput(_("this is not a Bitcoin transaction built by this wallet (no PSBT)"))
    return btc_psbt(psbt, net, adapter, signer, unsigned.sender)


def btc_psbt(psbt: str, net: Network, adapter: Any, signer: Signer, sender: str = "") -> Spend:
    review = adapter.review_psbt(psbt, signer, allow_high_fee=True)  # fees: the fee caps' job, not the policy's
    outs = tuple((o["address"], int(o["sats"])) for o in review["outputs"] if not o["change"])
    return Spend(chain=chain_key(net), network=net.name, family="btc", token=None, outputs=outs, sender=sender)


def btc_signed(raw_hex: str, net: Network, entry: dict[str, Any], sender: str = "") -> Spend:
    """A signed replacement's outputs minus change, change decided by the account's own descriptors
    (from the vault's authenticated index), never by descriptors carried in the journal."""
    import bdkpython as bdk

    from chains.bitcoin.descriptors import public_descriptors
    from chains.bitcoin.review import _address, _Ours
    from wallet_cli.accounts import to_account

    ext, chg = public_descriptors(to_account(entry), net)
    ours = _Ours(ext, chg, net)
    tx = bdk.Transaction(bytes.fromhex(raw_hex))
    outs = []
    for o in tx.output():
        spk = o.script_pubkey.to_bytes()
        if not ours.owns(spk, []):
            outs.append((_address(spk, net), int(o.value.to_sat())))
    return Spend(chain=chain_key(net), network=net.name, family="btc", token=None, outputs=tuple(outs), sender=sender)


def transaction(unsigned: UnsignedTx, net: Network, adapter: Any, signer: Signer | None) -> Spend:
    if unsigned.family != net.family:
        raise BadInput(_("this is a {family} transaction, not a {network_family} one").format(
            family=unsigned.family, network_family=net.family))
    if net.family == "evm":
        return evm(unsigned, net)
    if net.family == "sol":
        return sol(unsigned, net)
    if net.family == "btc" and signer is not None:
        return btc(unsigned, net, adapter, signer)
    if net.family == "tron":
        return tron(unsigned, net)
    return Spend(chain=chain_key(net), network=net.name, family=net.family, token=None, outputs=(),
                 sender=unsigned.sender,
                 contract_call=_("{family} transactions are not decoded by this wallet").format(family=net.family))
