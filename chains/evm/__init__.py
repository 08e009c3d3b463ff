"""The EVM adapter: Ethereum and every EVM chain (EIP-1559 or legacy gas price), native coin and ERC-20.

Concepts live in sibling modules: address (parsing), rpc (JSON-RPC and error mapping) over
chains.transport (the one HTTP client), fees (fee arithmetic), tokens (ERC-20 and revert
data), tx (tx dicts, offline build), sign (serialising, signing and decoding raw transactions,
with rlp), messages (EIP-191/712). This module reads the chain and enforces the checks.
The send and balance paths import neither web3 nor eth-account (~900 ms together); only message
signing uses eth-account.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from chains.base import (
    Account,
    Amount,
    ChainAdapter,
    FeeOptions,
    Network,
    SignedTx,
    Signer,
    Transfer,
    TxStatus,
    UnsignedTx,
)
from chains.errors import (
    BadInput,
    CannotLand,
    ChainIdMismatch,
    InsufficientFunds,
    Refused,
    SimulationFailed,
    Unavailable,
)
from chains.evm.address import checksum
from chains.evm.address import parse_address as _parse_address
from chains.evm.fees import Fees, bump, check_cap, suggest
from chains.evm.rpc import Rpc, RpcError, ok, to_int
from chains.evm.tokens import (
    SEL_DECIMALS,
    SEL_SYMBOL,
    balance_of_data,
    check_listed,
    decode_revert,
    decode_symbol,
    decode_uint,
    transfer_data,
)
from chains.evm.tx import (
    build_offline,
    check_fee_options,
    decode_raw,
    describe_decoded,
    fees_of,
    make_tx,
    sign_tx,
    signer_address,
    unsigned_from,
)
from wallet_i18n import N_, _

__all__ = ["Adapter", "build_offline"]

CONTRACT_GAS_MARGIN = 1.2  # estimates hold for the current state only; token balances can change first


@contextmanager
def _rpc_errors(where: str) -> Iterator[None]:
    """An RPC error nobody handled means the node cannot serve us: exit 5, one sentence."""
    try:
        yield
    except RpcError as e:
        raise Unavailable(_("the RPC at {where} failed {method}: {reason}").format(
            where=where, method=e.method, reason=e.message)) from None


class Adapter(ChainAdapter):
    family: ClassVar[str] = "evm"
    timeout: float = 10.0  # seconds per RPC request; instances may lower it

    def __init__(self, network: Network, data_dir: str | None = None) -> None:
        super().__init__(network, data_dir)
        self._rpc: Rpc | None = None

    @property
    def rpc(self) -> Rpc:
        if self._rpc is None:
            self._rpc = Rpc(self.network.rpc_url, self.timeout)
        return self._rpc

    @classmethod
    def parse_address(cls, text: str, network: Network) -> str:
        return _parse_address(text, network.name)

    # ---- reading ---------------------------------------------------------------------------------

    def _native(self, value: int) -> Amount:
        return Amount(value, self.network.decimals, self.network.symbol)

    def _check_chain_id(self, reported: Any) -> None:
        got = to_int(ok(reported))
        if got != self.network.chain_id:
            raise ChainIdMismatch(
                _("the RPC at {where} reports chain id {chain_id} but network {network} is configured with "
                  "{configured}; refusing to sign").format(
                    where=self.rpc.where, chain_id=got, network=self.network.name,
                    configured=self.network.chain_id))

    def _resolve_token(self, token: str) -> str:
        for sym, spec in self.network.tokens.items():
            if sym.upper() == token.strip().upper():
                return checksum(spec["address"])
        if not token.strip().startswith("0x"):
            known = ", ".join(self.network.tokens) or _("none")
            raise BadInput(_("unknown token {token!r} on {network} (known: {known}); give the contract address "
                             "instead").format(token=token, network=self.network.name, known=known))
        return _parse_address(token, self.network.name)

    def _token_facts(self, contract: str, replies: list[Any]) -> tuple[str, int]:
        """(symbol, decimals) from [eth_getCode, decimals(), symbol()] replies."""
        code = ok(replies[0])
        if not code or code == "0x":
            raise BadInput(_("there is no contract at {contract} on {network}").format(
                contract=contract, network=self.network.name))
        if isinstance(replies[1], RpcError) or not replies[1] or replies[1] == "0x":
            raise BadInput(_("{contract} does not look like an ERC-20 token (decimals() failed)").format(
                contract=contract))
        decimals = decode_uint(replies[1])
        try:
            symbol = decode_symbol(ok(replies[2])) or "TOKEN"
        except Exception:  # symbol() is optional in ERC-20
            symbol = "TOKEN"
        if decimals > 77:
            raise BadInput(_("{contract} reports {decimals} decimals, which no real token has").format(
                contract=contract, decimals=decimals))
        check_listed(self.network, self.rpc.where, contract, symbol, decimals)
        return symbol, decimals

    @staticmethod
    def _token_calls(contract: str) -> list[tuple[str, list[Any]]]:
        return [("eth_getCode", [contract, "latest"]),
                ("eth_call", [{"to": contract, "data": "0x" + SEL_DECIMALS}, "latest"]),
                ("eth_call", [{"to": contract, "data": "0x" + SEL_SYMBOL}, "latest"])]

    def token_info(self, token: str) -> tuple[str, str, int]:
        contract = self._resolve_token(token)
        with _rpc_errors(self.rpc.where):
            symbol, decimals = self._token_facts(contract, self.rpc.batch(self._token_calls(contract)))
        return contract, symbol, decimals

    def balance(self, account: Account, token: str | None = None) -> Amount:
        address = checksum(account.address)
        with _rpc_errors(self.rpc.where):
            if token is None:
                return self._native(to_int(self.rpc.call("eth_getBalance", address, "latest")))
            contract = self._resolve_token(token)
            replies = self.rpc.batch(self._token_calls(contract) + [
                ("eth_call", [{"to": contract, "data": balance_of_data(address)}, "latest"])])
            symbol, decimals = self._token_facts(contract, replies[:3])
            return Amount(decode_uint(ok(replies[3])), decimals, symbol)

    def balances_of(self, account: Account, tokens: list[str]) -> list[Amount]:
        """[native, *tokens] in one round trip (the portfolio)."""
        from chains.evm.balances import balances_of

        return balances_of(self, account, tokens)

    def _current_fees(self, block: Any, priority: Any, gas_price: Any, opts: FeeOptions) -> Fees:
        base = block.get("baseFeePerGas") if isinstance(block, dict) else None
        legacy = self.network.legacy_fees or base is None
        prio = 0 if legacy or isinstance(priority, RpcError) else to_int(priority)
        return suggest(None if base is None else to_int(base), prio, to_int(ok(gas_price)), opts, legacy)

    # ---- building --------------------------------------------------------------------------------

    def build_transfer(self, transfer: Transfer) -> UnsignedTx:
        with _rpc_errors(self.rpc.where):
            return self._build(transfer)

    def _build(self, t: Transfer) -> UnsignedTx:
        check_fee_options(t.fees)
        net, sender = self.network, checksum(t.sender.address)
        recipient = _parse_address(t.recipient, net.name)
        contract = self._resolve_token(t.token) if t.token else None
        calls: list[tuple[str, list[Any]]] = [
            ("eth_chainId", []), ("eth_getTransactionCount", [sender, "pending"]),
            ("eth_getBlockByNumber", ["latest", False]), ("eth_maxPriorityFeePerGas", []),
            ("eth_gasPrice", []), ("eth_getBalance", [sender, "latest"]),
            ("eth_getCode", [recipient, "latest"])]
        if contract:
            calls += self._token_calls(contract)
            calls.append(("eth_call", [{"to": contract, "data": balance_of_data(sender)}, "latest"]))
        r = self.rpc.batch(calls)
        self._check_chain_id(r[0])
        nonce = t.fees.nonce if t.fees.nonce is not None else to_int(ok(r[1]))
        fees = self._current_fees(ok(r[2]), r[3], r[4], t.fees)
        native = to_int(ok(r[5]))
        warnings: list[str] = []
        if recipient == sender:
            warnings.append(_("the recipient is the sending account itself"))
        symbol = None
        if t.amount is None:   # --amount max
            from chains.evm.sweep import everything

            t, fees = everything(self, t, fees, native, contract, r, recipient)
        if contract:
            symbol, decimals = self._token_facts(contract, r[7:10])
            if t.amount.decimals != decimals:
                raise BadInput(_("the amount was given with {given} decimals but {symbol} at {contract} has "
                                 "{decimals}").format(given=t.amount.decimals, symbol=symbol, contract=contract,
                                                      decimals=decimals))
            have = Amount(decode_uint(ok(r[10])), decimals, symbol)
            if have.value < t.amount.value:
                raise InsufficientFunds(_("needs {needed} but the account has {have}").format(
                    needed=Amount(t.amount.value, decimals, symbol), have=have))
            if recipient == contract:
                warnings.append(_("the recipient is the {symbol} contract itself; tokens sent there are "
                                  "usually lost").format(symbol=symbol))
            value, to, data = 0, contract, transfer_data(recipient, t.amount.value)
        else:
            value, to, data = t.amount.value, recipient, "0x"
            if t.amount.decimals != net.decimals:
                raise BadInput(_("the amount has {given} decimals but {symbol} has {decimals}").format(
                    given=t.amount.decimals, symbol=net.symbol, decimals=net.decimals))
            if native < value:
                raise InsufficientFunds(_("needs {needed} (amount) plus fees but the account has {have}").format(
                    needed=self._native(value), have=self._native(native)))
            code = ok(r[6])
            if code and code != "0x":
                warnings.append(_("the recipient is a contract; make sure it accepts {symbol}").format(
                    symbol=net.symbol))
        estimate = self._simulate(sender, to, value, data)
        gas = estimate if data == "0x" else int(estimate * CONTRACT_GAS_MARGIN)
        if t.fees.gas_limit is not None:
            if t.fees.gas_limit < estimate:
                warnings.append(_("the gas limit {gas_limit} is below the node's estimate {estimate}; the "
                                  "transaction will likely run out of gas").format(
                    gas_limit=t.fees.gas_limit, estimate=estimate))
            gas = t.fees.gas_limit
        max_fee_total = gas * fees.max_fee
        if native < value + max_fee_total:
            what = (_("needs {needed} (amount + max fee) but the account has {have}") if value
                    else _("needs {needed} (max fee) but the account has {have}"))
            raise InsufficientFunds(what.format(needed=self._native(value + max_fee_total),
                                                have=self._native(native)))
        check_cap(net, max_fee_total, t.fees.allow_high_fee)
        tx = make_tx(chain_id=int(net.chain_id or 0), nonce=nonce, to=to, value=value, data=data, gas=gas,
                     fees=fees)
        return unsigned_from(t, tx, token=contract, token_symbol=symbol, recipient=recipient,
                             warnings=warnings)

    def _simulate(self, sender: str, to: str, value: int, data: str) -> int:
        """eth_estimateGas executes the call; a revert here means the transaction would fail."""
        try:
            return to_int(self.rpc.call("eth_estimateGas", {"from": sender, "to": to, "value": hex(value),
                                                            "data": data}))
        except RpcError as e:
            reason = decode_revert(e.data)
            msg = e.message
            if reason is None and msg.lower().startswith("execution reverted"):
                reason = msg.split(":", 1)[1].strip() if ":" in msg else _("no reason given")
            if reason is not None:
                raise SimulationFailed(_("the transaction would revert: {reason}; nothing was signed").format(
                    reason=reason)) from None
            if "insufficient funds" in msg.lower():
                raise InsufficientFunds(_("the node says the account cannot pay: {reason}").format(
                    reason=msg)) from None
            raise SimulationFailed(_("the node could not simulate the transaction: {reason}").format(
                reason=msg)) from None

    # ---- signing and broadcasting ----------------------------------------------------------------

    def sign(self, unsigned: UnsignedTx, signer: Signer) -> SignedTx:
        return sign_tx(unsigned, signer)

    def broadcast(self, signed: SignedTx) -> str:
        tx, _sender, txid = decode_raw(signed.raw)
        if signed.txid and signed.txid.lower() != txid:
            raise BadInput(_("the txid {given} does not match the raw transaction (its hash is {txid})").format(
                given=signed.txid, txid=txid))
        if self.network.chain_id is not None and tx["chainId"] != self.network.chain_id:
            raise ChainIdMismatch(_("the transaction was signed for chain id {chain_id} but network {network} is "
                                    "chain id {network_chain_id}").format(
                chain_id=tx["chainId"], network=self.network.name, network_chain_id=self.network.chain_id))
        with _rpc_errors(self.rpc.where):
            self._check_chain_id(self.rpc.call("eth_chainId"))
            raw = signed.raw if signed.raw.startswith("0x") else "0x" + signed.raw
            try:
                got = self.rpc.call("eth_sendRawTransaction", raw)
            except RpcError as e:
                return self._after_send_error(e, tx, _sender, txid)
        if isinstance(got, str) and got.lower() != txid:
            raise Unavailable(_("the RPC at {where} returned txid {got} for a transaction whose hash is "
                                "{txid}").format(where=self.rpc.where, got=got, txid=txid))
        return txid

    def _after_send_error(self, e: RpcError, tx: dict[str, Any], sender: str, txid: str) -> str:
        """An error reply is not proof that nothing was sent: a proxy or load balancer may have passed
        the transaction on and lost the answer. Ask the node what it has; only a nonce consumed by another
        transaction proves this one can never land (CannotLand). Anything else leaves the outcome unknown."""
        # The nonce first, then the lookup: a mined transaction stays findable, so "nonce used, and ours
        # still unknown afterwards" means another transaction took the nonce.
        used = to_int(self.rpc.call("eth_getTransactionCount", sender, "latest"))
        if self._object(self.rpc.call("eth_getTransactionByHash", txid), txid):
            return txid  # the node has it (pending or mined): the error was about the reply, not the tx
        if used > int(tx["nonce"]):
            raise CannotLand(_("nonce {nonce} is already used by another transaction of {sender}, so {txid} can "
                               "never land (node: {reason})").format(
                nonce=tx["nonce"], sender=sender, txid=txid, reason=e.message))
        if "insufficient funds" in e.message.lower():
            raise InsufficientFunds(_("the node refused the transaction: {reason}").format(reason=e.message))
        raise Unavailable(_("the RPC at {where} answered eth_sendRawTransaction with an error ({reason}) and "
                            "does not show the transaction, so whether it was sent is unknown").format(
            where=self.rpc.where, reason=e.message))

    def _object(self, reply: Any, txid: str) -> dict[str, Any] | None:
        """A receipt or transaction is an object or null; anything else is a confused or hostile node."""
        value = ok(reply)
        if value is not None and not isinstance(value, dict):
            raise Unavailable(_("the RPC at {where} answered something that is not a transaction or receipt for "
                                "{txid}").format(where=self.rpc.where, txid=txid))
        return value or None

    def status(self, txid: str) -> TxStatus:
        with _rpc_errors(self.rpc.where):
            receipt, tx, head = self.rpc.batch([("eth_getTransactionReceipt", [txid]),
                                                ("eth_getTransactionByHash", [txid]),
                                                ("eth_blockNumber", [])])
            receipt, tx, head = self._object(receipt, txid), self._object(tx, txid), to_int(ok(head))
        if receipt:
            block = to_int(receipt.get("blockNumber"))
            price = receipt.get("effectiveGasPrice") or (tx or {}).get("gasPrice") or "0x0"
            fee = self._native(to_int(receipt.get("gasUsed")) * to_int(price))
            ok_ = to_int(receipt.get("status", "0x1")) == 1
            return TxStatus(txid, "confirmed" if ok_ else "failed", max(head - block + 1, 1), block, fee,
                            None if ok_ else N_("the transaction reverted; its fee was still paid"))
        if tx:
            return TxStatus(txid, "pending", detail=N_("in the node's mempool"))
        return TxStatus(txid, "unknown", detail=N_("the node does not know this transaction (never broadcast, "
                                                   "dropped or replaced)"))

    # ---- replacement -----------------------------------------------------------------------------

    def speed_up(self, signed: SignedTx, signer: Signer, bump_percent: int = 10, *,
                 allow_high_fee: bool = False) -> SignedTx:
        return self._replace(signed, signer, bump_percent, cancel=False, allow_high_fee=allow_high_fee)

    def cancel(self, signed: SignedTx, signer: Signer, bump_percent: int = 10, *,
               allow_high_fee: bool = False) -> SignedTx:
        return self._replace(signed, signer, bump_percent, cancel=True, allow_high_fee=allow_high_fee)

    def _replace(self, original: SignedTx, signer: Signer, pct: int, *, cancel: bool,
                 allow_high_fee: bool) -> SignedTx:
        old, sender, old_txid = decode_raw(original.raw)
        if int(old["chainId"]) != self.network.chain_id:  # the journal is not a signing authority
            raise ChainIdMismatch(_("{txid} was signed for chain id {chain_id} but network {network} is chain id "
                                    "{network_chain_id}; refusing to replace it").format(
                txid=old_txid, chain_id=old["chainId"], network=self.network.name,
                network_chain_id=self.network.chain_id))
        key_owner = signer_address(signer)
        if key_owner != sender:
            raise BadInput(_("the signing key belongs to {key_owner}, but the transaction is from {sender}").format(
                key_owner=key_owner, sender=sender))
        if pct < 0:
            raise BadInput(_("the fee bump must be a positive percentage"))
        with _rpc_errors(self.rpc.where):
            r = self.rpc.batch([("eth_chainId", []), ("eth_getTransactionReceipt", [old_txid]),
                                ("eth_getTransactionCount", [sender, "latest"]),
                                ("eth_getBlockByNumber", ["latest", False]), ("eth_maxPriorityFeePerGas", []),
                                ("eth_gasPrice", [])])
            self._check_chain_id(r[0])
            receipt = self._object(r[1], old_txid)
            if receipt:
                raise Refused(_("{txid} is already mined in block {block}; it can no longer be replaced").format(
                    txid=old_txid, block=to_int(receipt.get("blockNumber"))))
            if to_int(ok(r[2])) > int(old["nonce"]):
                raise Refused(_("nonce {nonce} of {sender} is already used by a mined transaction; there is "
                                "nothing left to replace").format(nonce=old["nonce"], sender=sender))
            current = self._current_fees(ok(r[3]), r[4], r[5], FeeOptions())
        old_fees = fees_of(old)
        # Keep the original's fee type; a legacy original compares against the current max fee as a price.
        floor: Fees | None = current
        if old_fees.legacy and not current.legacy:
            floor = Fees(current.max_fee, None)
        elif not old_fees.legacy and current.legacy:
            floor = None
        fees = bump(old_fees, pct, floor)
        if cancel:
            to, value, data, gas = sender, 0, "0x", 21000
        else:
            to, value, data, gas = old["to"], int(old["value"]), old.get("data", "0x"), int(old["gas"])
        check_cap(self.network, gas * fees.max_fee, allow_high_fee)
        tx = make_tx(chain_id=int(old["chainId"]), nonce=int(old["nonce"]), to=to, value=value, data=data,
                     gas=gas, fees=fees)
        recipient, amount_value, token = describe_decoded(tx)
        amount = original.amount if not cancel and original.amount else self._native(amount_value)
        fee = self._native(gas * fees.max_fee)
        unsigned = UnsignedTx("evm", self.network.name, sender, recipient, amount, fee,
                              {"tx": tx, "from": sender, "token": token,
                               "token_symbol": original.payload.get("token_symbol") if token else None})
        out = sign_tx(unsigned, signer)
        out.payload.update(replaces=old_txid, kind="cancel" if cancel else "speed-up")
        return out

    # ---- messages --------------------------------------------------------------------------------

    def sign_message(self, message: bytes, signer: Signer) -> str:
        from chains.evm.messages import sign_message

        return sign_message(message, signer)

    def verify_message(self, message: bytes, signature: str, address: str) -> bool:
        from chains.evm.messages import verify_message

        return verify_message(message, signature, address)

    def sign_typed_data(self, typed: dict[str, Any], signer: Signer) -> str:
        from chains.evm.messages import sign_typed_data

        return sign_typed_data(typed, signer)

    def verify_typed_data(self, typed: dict[str, Any], signature: str, address: str) -> bool:
        from chains.evm.messages import verify_typed_data

        return verify_typed_data(typed, signature, address)
