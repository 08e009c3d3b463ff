"""The TRON adapter (family "tron"): TRX and TRC-20 transfers over TRON's full-node HTTP API.

Transactions are built here, not by the node (chains.tron.tx: our own protobuf encoding; see
chains.tron.proto for why no library), so the txID we sign is sha256 of bytes we wrote and decoded
back before signing. The review shows the real cost (chains.tron.fees): bandwidth against free and
staked bandwidth, energy from triggerconstantcontract at getchainparameters prices, and the 1 TRX
activation of a new recipient. Before anything is signed online, block 0's id must equal the
network's configured genesis, so a wrong RPC URL cannot make us sign for another chain.

Exactly once: a transaction is proven dead (CannotLand) only once the node's head block and this
machine's clock are both past its expiration and the node has no record of it; any other broadcast
error, even one the node calls definite, is Unavailable (state unknown), never "rejected".
"""

from __future__ import annotations

import math
import re
import time
from typing import Any, ClassVar

from chains.base import Account, Amount, ChainAdapter, Network, SignedTx, Signer, Transfer, TxStatus, UnsignedTx
from chains.errors import (
    BadInput,
    CannotLand,
    ChainIdMismatch,
    FeeTooHigh,
    InsufficientFunds,
    InvalidAddress,
    Refused,
    SimulationFailed,
    Unavailable,
)
from chains.tron import fees, messages, review, tokens
from chains.tron import tx as ttx
from chains.tron.address import VERSION, ZERO_ADDRESS, parse_tron_address, to_bytes21
from chains.tron.review import SUN
from chains.tron.review import trx as _trx
from chains.tron.rpc import INT64_MAX, TronRpc, integer, obj
from chains.tron.sign import address_of_key, sign_digest
from wallet_i18n import N_, Phrase, _

__all__ = ["VERSION", "ZERO_ADDRESS", "Adapter", "parse_tron_address"]

DEFAULT_EXPIRATION_S = 300           # time to read the review and confirm; java-tron allows up to a day
ENERGY_MARGIN = 1.2                  # fee_limit headroom over the simulated energy
MAX_CLOCK_SKEW_S = 15 * 60           # a synced node's head block is seconds old (3 s slots)
MAX_MEMO = 200                       # our limit: every byte of raw.data is paid for as bandwidth
# Broadcast codes by which a node says it refused the transaction for a reason it states. They are shown
# as a refusal, but they are the node's word, not proof: a node may relay a transaction and still answer
# one of them. TRON has no nonce, so a second signature would be a second payment: only CannotLand
# (expired and absent) lets a rerun sign again; until then the transaction stays unknown.
DEFINITE = {"SIGERROR", "BANDWITH_ERROR", "CONTRACT_VALIDATE_ERROR", "CONTRACT_EXE_ERROR", "TAPOS_ERROR",
            "TOO_BIG_TRANSACTION_ERROR", "TRANSACTION_EXPIRATION_ERROR"}


def local_ms() -> int:
    """This machine's clock in ms (a function, so tests can move it as the sandbox's clock moves)."""
    return int(time.time() * 1000)


def _text(value: Any, limit: int = 60) -> str:
    """A short piece of the node's text for a message: control and bidi characters escaped, bounded."""
    shown = review.shown(str(value))
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _node_message(reply: dict[str, Any]) -> str:
    """The node's error text (hex-encoded in broadcast replies), printable characters only."""
    msg = str(reply.get("message") or reply.get("Error") or "")
    try:
        msg = bytes.fromhex(msg).decode("utf-8", "replace")
    except ValueError:
        pass
    return "".join(c if c.isprintable() else "?" for c in msg)[:300]


class Adapter(ChainAdapter):
    family: ClassVar[str] = "tron"

    def __init__(self, network: Network, data_dir: str | None = None) -> None:
        super().__init__(network, data_dir)
        self.expiration_s = DEFAULT_EXPIRATION_S
        self._rpc: TronRpc | None = None

    @property
    def rpc(self) -> TronRpc:
        if self._rpc is None:
            self._rpc = TronRpc(self.network.rpc_url)
        return self._rpc

    @classmethod
    def parse_address(cls, text: str, network: Network) -> str:
        return parse_tron_address(text)

    # --- tokens and balances ---------------------------------------------------------------
    def _listed(self, token: str) -> tuple[str, str, int | None]:
        t = token.strip()
        for sym, spec in self.network.tokens.items():
            if sym.lower() == t.lower() or spec.get("address") == t:
                return str(spec["address"]), sym, int(spec["decimals"])
        try:
            addr = parse_tron_address(t)
        except InvalidAddress:
            raise BadInput(_('unknown token {token!r} on {network}: give a TRC-20 contract address or one '
                'of {symbols}').format(
                token=token, network=self.network.name,
                symbols=', '.join(self.network.tokens) or _('no configured symbols'))) from None
        return addr, addr[:4] + "…" + addr[-4:], None

    def _call(self, owner: str, contract: str, selector: str, parameter: str = "") -> dict[str, Any]:
        r = self.rpc.constant_call(owner, contract, selector, parameter)
        result = obj(r.get("result"), f"triggerconstantcontract {selector} result")
        if result.get("result") is not True:
            raise SimulationFailed(_('the call {selector} on {contract} failed: {reason}').format(
                selector=selector, contract=contract, reason=_node_message(result) or _('no reason given')))
        return r

    @staticmethod
    def _word(r: dict[str, Any], what: str) -> int:
        """The one 32-byte word a constant call returned (constant_result[0], hex)."""
        words = r.get("constant_result")
        if words is None:
            words = [""]
        if not isinstance(words, list) or not words or not isinstance(words[0], str):
            raise Unavailable(_('the node answered {what} without a list of hex results').format(what=what))
        return tokens.decode_uint(words[0], what)

    def _trx_balance(self, address: str) -> int:
        return integer(obj(self.rpc.account(address), "getaccount reply").get("balance"), "getaccount balance")

    def token_info(self, token: str) -> tuple[str, str, int]:
        """The configured decimals win; a contract that says otherwise is refused, not trusted."""
        addr, symbol, listed = self._listed(token)
        r = self._call(addr, addr, "decimals()")
        chain = self._word(r, "decimals()")
        if listed is not None and chain != listed:
            raise Refused(_('{symbol} at {addr} reports {chain} decimals but {network} lists {listed}; '
                'refusing to guess which is right').format(
                symbol=symbol, addr=addr, chain=chain, network=self.network.name, listed=listed))
        if chain > 36:
            raise Refused(_('the token at {addr} reports {chain} decimals, which is not a real token').format(
                addr=addr, chain=chain))
        return addr, symbol, chain

    def balance(self, account: Account, token: str | None = None) -> Amount:
        owner = parse_tron_address(account.address)
        if token is None:
            return _trx(self._trx_balance(owner))
        addr, symbol, decimals = self.token_info(token)
        r = self._call(owner, addr, "balanceOf(address)", tokens.balance_of_parameter(owner))
        return Amount(self._word(r, "balanceOf"), decimals, symbol)

    def resources(self, account: Account) -> dict[str, int]:
        res = fees.Resources.from_account_resource(self.rpc.account_resource(parse_tron_address(account.address)))
        return {"free_bandwidth": res.free_net, "staked_bandwidth": res.staked_net, "energy": res.energy}

    # --- build -------------------------------------------------------------------------------
    def check_genesis(self) -> None:
        want = (self.network.genesis or "").lower()
        got = str(self.rpc.block_by_num(0).get("blockID", "")).lower()
        if not re.fullmatch(r"[0-9a-f]{64}", got):
            raise ChainIdMismatch(_('the node at {where} answered getblockbynum 0 without a block id '
                '(got {text!r}); refusing to sign for a chain it cannot name').format(
                where=self.rpc.where, text=_text(got, 20)))
        if not want:
            raise ChainIdMismatch(_('{network} has no genesis block id configured, so the chain behind '
                '{where} cannot be checked; add genesis = "{got}" to its settings if that is the chain '
                'you mean').format(
                network=self.network.name, where=self.rpc.where, got=got))
        if got != want:
            raise ChainIdMismatch(_('the node at {where} serves a chain whose genesis block is {got}…,'
                " not {network}'s {want}…; refusing to sign for the wrong chain").format(
                where=self.rpc.where, got=got[:16] or _('missing'), network=self.network.name, want=want[:16]))

    def _head(self) -> tuple[ttx.RefBlock, int]:
        b = self.rpc.now_block()
        try:
            ref = ttx.RefBlock.parse(f"{b['block_header']['raw_data']['number']}:{b['blockID']}")
            return ref, integer(b["block_header"]["raw_data"]["timestamp"], "head block timestamp", default=None,
                                minimum=1)
        except (KeyError, TypeError, ValueError, Unavailable):
            raise Unavailable(_('the TRON node at {where} answered getnowblock without a usable block').format(
                where=self.rpc.where)) from None

    def _raw(self, transfer: Transfer, ref: ttx.RefBlock, now_ms: int, expiration_s: int,
             token: str | None, fee_limit: int) -> ttx.Raw:
        if transfer.amount is None:
            raise BadInput(_('a TRON transfer needs an amount'))
        if not 0 < expiration_s <= ttx.MAX_EXPIRATION_MS // 1000:
            raise BadInput(_('the expiration is 1 second to 24 hours'))
        try:
            memo = (transfer.memo or "").encode()
        except UnicodeEncodeError:
            raise BadInput(_('the memo is not valid text (it holds bytes that are not UTF-8)')) from None
        if len(memo) > MAX_MEMO:
            raise BadInput(_('a TRON memo may be at most {limit} bytes').format(limit=MAX_MEMO))
        owner, to = to_bytes21(transfer.sender.address), to_bytes21(transfer.recipient)
        common = dict(ref_bytes=ref.ref_bytes, ref_hash=ref.ref_hash, expiration=now_ms + expiration_s * 1000,
                      timestamp=now_ms, owner=owner, memo=memo)
        if token is None:
            if transfer.amount.value >= 2**63:
                raise BadInput(_('the amount is too large for a TRX transfer'))
            return ttx.Raw(contract_type=ttx.TRANSFER, to=to, amount=transfer.amount.value, **common)
        return ttx.Raw(contract_type=ttx.TRIGGER, to=to_bytes21(token), fee_limit=fee_limit,
                       call_data=tokens.transfer_call(transfer.recipient, transfer.amount.value), **common)

    def build_transfer(self, transfer: Transfer) -> UnsignedTx:
        if transfer.amount is None:
            raise BadInput(_('a TRON transfer needs an amount'))
        sender, recipient = parse_tron_address(transfer.sender.address), parse_tron_address(transfer.recipient)
        if sender == recipient and transfer.token is None:
            raise BadInput(_('TRON refuses a TRX transfer to the sending account itself'))
        self.check_genesis()
        ref, now_ms = self._head()
        skew_s = (now_ms - local_ms()) / 1000
        if abs(skew_s) > MAX_CLOCK_SKEW_S:
            # The expiration is the head block's time + expiration_s: a head block far ahead would keep the
            # transaction alive for up to a day, one far behind would make it expire on arrival.
            text = (_("the TRON node at {where} says its latest block is {minutes:.0f} minutes ahead of this machine's "
                      "clock; check the clock, or use a node that is in sync") if skew_s > 0 else
                    _("the TRON node at {where} says its latest block is {minutes:.0f} minutes behind this machine's "
                      "clock; check the clock, or use a node that is in sync"))
            raise Unavailable(text.format(where=self.rpc.where, minutes=abs(skew_s) / 60))
        prices = fees.Prices.from_chain_parameters(self.rpc.chain_parameters())
        res = fees.Resources.from_account_resource(self.rpc.account_resource(sender))
        balance = self._trx_balance(sender)
        creates = False
        energy = 0
        token: str | None = None
        warnings: list[str] = []
        if transfer.token is None:
            creates = not self.rpc.account(recipient)          # {} for an account that was never activated
            fee_limit = 0
            symbol = "TRX"
        else:
            token, symbol, decimals = self.token_info(transfer.token)
            if transfer.amount.decimals != decimals:
                raise BadInput(_('{symbol} has {decimals} decimals, but the amount was parsed with '
                    '{parsed}').format(
                    symbol=symbol, decimals=decimals, parsed=transfer.amount.decimals))
            have = self.balance(transfer.sender, token).value
            if have < transfer.amount.value:
                raise InsufficientFunds(_('sending {amount} needs that much {symbol}, but the account '
                    'holds {held}').format(
                    amount=transfer.amount, symbol=symbol, held=Amount(have, decimals, symbol)))
            sim = self._call(sender, token, "transfer(address,uint256)",
                             tokens.transfer_call(recipient, transfer.amount.value)[4:].hex())
            energy = integer(sim.get("energy_used"), "triggerconstantcontract energy_used")
            fee_limit = math.ceil(energy * ENERGY_MARGIN) * prices.energy_sun
            if fee_limit > INT64_MAX or prices.max_fee_limit is not None and fee_limit > prices.max_fee_limit:
                raise FeeTooHigh(_("this call needs a fee_limit of {fee_limit}, above the chain's maximum of "
                    '{maximum}').format(
                    fee_limit=_trx(fee_limit), maximum=_trx(min(INT64_MAX, prices.max_fee_limit or INT64_MAX))))
            if recipient == token:
                warnings.append(f"the recipient is the {symbol} contract itself; tokens sent there are "
                                "usually lost")
            elif not self.rpc.account(recipient):
                warnings.append("the recipient's TRON account is not activated; the token arrives, but they "
                                "need TRX to move it")
        raw = self._raw(transfer, ref, now_ms, self.expiration_s, token, fee_limit)
        size = ttx.bandwidth_bytes(raw.encode())
        c = fees.cost(size, prices, res, creates_account=creates, energy=energy)
        # The cap applies to what can be burnt, not to the estimate: free bandwidth and an existing
        # recipient are the node's word, and energy is bounded by the signed fee_limit.
        worst = max(fees.worst_burn(size, prices, may_create=transfer.token is None),
                    c.bandwidth_burn + c.activation_burn)
        max_fee = worst + (fee_limit if transfer.token else 0)
        self._check_cap(max_fee, transfer)
        spend = (transfer.amount.value if transfer.token is None else 0) + c.total
        if balance < spend:
            what = _("amount + TRX burnt for resources") if transfer.token is None else \
                _("TRX burnt for energy and bandwidth")
            raise InsufficientFunds(_('this needs {needed} ({what}) but the account has {balance}').format(
                needed=_trx(spend), what=what, balance=_trx(balance)))
        return self._unsigned(transfer, raw, c, max_fee, symbol, warnings, res)

    def build_offline(self, transfer: Transfer, *, ref_block: str, expiration_s: int,
                      decimals: int | None = None) -> UnsignedTx:
        """No RPC: the reference block comes from the user; fees cannot be estimated, balances are unchecked."""
        try:
            ref = ttx.RefBlock.parse(ref_block)
        except ValueError as e:
            raise BadInput(str(e)) from None
        cap = self._cap()
        fee_limit = cap if transfer.token else 0
        if transfer.token and not fee_limit:
            raise BadInput(_("offline TRC-20 signing uses {network}'s fee_cap as the fee_limit; configure "
                'one').format(
                network=self.network.name))
        raw = self._raw(transfer, ref, local_ms(), expiration_s, transfer.token, fee_limit or 0)
        symbol = transfer.amount.symbol if transfer.amount else "TRX"
        warn = ["built offline: fees not estimated and balances not checked; it expires "
                f"{expiration_s} s after it was built"]
        return self._unsigned(transfer, raw, None, fee_limit or 0, symbol, warn, None)

    def _cap(self) -> int | None:
        return Amount.parse(self.network.fee_cap, SUN, "TRX", allow_zero=True).value if self.network.fee_cap \
            else None

    def _check_cap(self, max_fee: int, transfer: Transfer) -> None:
        cap = self._cap()
        if cap is not None and max_fee > cap and not transfer.fees.allow_high_fee:
            raise FeeTooHigh(_("this transaction may burn up to {max_fee}, above {network}'s fee cap of {cap};"
                ' stake TRX for energy or bandwidth, or allow a high fee explicitly').format(
                max_fee=_trx(max_fee), network=self.network.name, cap=_trx(cap)))

    def _unsigned(self, transfer: Transfer, raw: ttx.Raw, c: fees.Cost | None, max_fee: int, symbol: str,
                  warnings: list[str], res: fees.Resources | None) -> UnsignedTx:
        assert transfer.amount is not None
        encoded = raw.encode()
        # The keys are the labels' msgids and a value with words in it is a Phrase: the --json review keeps
        # both in English, the screen shows them translated.
        summary: dict[str, str] = {N_("Network"): self.network.name, N_("From"): raw.owner_address,
                                   N_("To"): transfer.recipient, N_("Amount"): str(transfer.amount)}
        if raw.contract_type == ttx.TRIGGER:
            summary[N_("Token")] = f"{symbol} (TRC-20 {raw.to_address})"
            if not any(spec.get("address") == raw.to_address for spec in self.network.tokens.values()):
                # Not in the network's config: only the node vouches for the decimals, so show what is signed.
                summary[N_("Base units")] = Phrase(N_("{value} base units ({decimals} decimals as the node reports; "
                                                      "this token is not in the network's config)"),
                                                   value=transfer.amount.value, decimals=transfer.amount.decimals)
        if raw.memo:
            summary[N_("Memo")] = review.shown(raw.memo.decode("utf-8", "replace"))
        if c is not None and res is not None:
            summary.update(review.cost_lines(c, res, raw.fee_limit))
        else:
            summary[N_("Fees")] = Phrase(N_("not estimated (offline build)"))
        if raw.fee_limit:
            summary[N_("Fee limit")] = str(_trx(raw.fee_limit))
        summary[N_("Fee (max)")] = str(_trx(max_fee))
        if c is None:     # no node: bandwidth (and a new recipient's account) are burnt at prices we lack
            summary[N_("Fee (max)")] = Phrase(
                N_("{fee} plus any bandwidth burnt, and the account-creation fee if the recipient is new: not "
                   "known offline") if raw.contract_type == ttx.TRANSFER
                else N_("{fee} plus any bandwidth burnt: not known offline"), fee=_trx(max_fee))
        elif max_fee > c.total:
            summary[N_("Fee (max)")] = Phrase(
                N_("{fee} (if no bandwidth is free and the whole fee_limit spent)") if raw.fee_limit
                else N_("{fee} (if no bandwidth is free and the recipient's account new after all)"), fee=_trx(max_fee))
        summary[N_("Expires")] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(raw.expiration / 1000))
        payload = {"raw": encoded.hex(), "txid": ttx.txid(encoded), "expiration": raw.expiration,
                   "fee_limit": raw.fee_limit, "token": raw.to_address if raw.contract_type == ttx.TRIGGER else None,
                   "cost": None if c is None else c.__dict__}
        return UnsignedTx("tron", self.network.name, raw.owner_address, transfer.recipient, transfer.amount,
                          _trx(max_fee), payload, summary, warnings)

    # --- sign and send -----------------------------------------------------------------------
    def sign(self, unsigned: UnsignedTx, signer: Signer) -> SignedTx:
        if signer.family != "tron" or len(signer.private_key) != 32:
            raise BadInput(_("a TRON signer needs the account's 32-byte secp256k1 key"))
        if address_of_key(signer.private_key) != unsigned.sender or signer.address not in ("", unsigned.sender):
            raise BadInput(_('the signing key does not belong to the sending account'))
        try:
            encoded = bytes.fromhex(str(unsigned.payload["raw"]))
            raw = ttx.decode_raw(encoded)
        except (KeyError, ValueError):
            raise BadInput(_('this is not a TRON transaction built by this wallet')) from None
        review.check_matches(raw, unsigned)
        txid = ttx.txid(encoded)
        if unsigned.payload.get("txid") != txid:
            raise BadInput(_("the transaction's txID does not match its bytes; refusing to sign"))
        sig = sign_digest(signer.private_key, bytes.fromhex(txid))
        return SignedTx("tron", unsigned.network, txid, ttx.signed_bytes(encoded, sig).hex(), unsigned.sender,
                        unsigned.recipient, unsigned.amount, unsigned.fee, dict(unsigned.payload))

    def broadcast(self, signed: SignedTx) -> str:
        try:
            raw, _sig = ttx.split_signed(bytes.fromhex(signed.raw))
        except ValueError:
            raise BadInput(_('this signed TRON transaction is not valid protobuf hex')) from None
        if ttx.txid(raw) != signed.txid:
            raise BadInput(_("the signed transaction's txID does not match its bytes"))
        reply = self.rpc.broadcast_hex(signed.raw)
        if reply.get("result") is True:
            if reply.get("txid", signed.txid) != signed.txid:
                raise Unavailable(_('the node acknowledged the broadcast with a different txID than ours'))
            return signed.txid
        code = _text(reply.get("code") or "")
        if code == "DUP_TRANSACTION_ERROR":
            return signed.txid                                   # it has it already: success, as promised
        if self._provably_dead(signed, raw):
            raise CannotLand(_('the transaction {txid} expired and the node has no record of it, so it '
                'can never land and nothing was sent; build and sign it again').format(
                txid=signed.txid))
        msg = _node_message(reply)
        if code in DEFINITE:
            raise Unavailable(_("the node refused the transaction ({code}): {reason}. A node's refusal "
                'does not prove it was not relayed, so it is not signed again until it has expired and '
                'the node has no record of it').format(
                code=code, reason=msg or _('no reason given')))
        raise Unavailable(_('the node answered the broadcast with {code}{detail}; it may or may not '
            'have taken the transaction').format(
            code=code or _('an error'), detail=': ' + msg if msg else ''))

    def _provably_dead(self, signed: SignedTx, raw: bytes) -> bool:
        """Expired by the node's head block AND by our own clock, and absent from the node. The head
        block's timestamp is the node's word: one that claims a future head must not make a live
        transaction look expired, so the later of the two clocks has to agree."""
        expiration = ttx.decode_raw(raw).expiration
        if local_ms() <= expiration:
            return False
        _ref, head_ms = self._head()
        if head_ms <= expiration:
            return False
        return self.status(signed.txid).state == "unknown"

    def status(self, txid: str) -> TxStatus:
        if len(txid) != 64:
            raise BadInput(_('a TRON txID is 64 hex digits'))
        info = self.rpc.transaction_info(txid)
        if str(info.get("id")).lower() == txid.lower() and "blockNumber" in info:   # not another tx's info
            block = integer(info["blockNumber"], "transaction's blockNumber", default=None)
            head_ref, _now = self._head()
            receipt = obj(info.get("receipt"), "transaction's receipt")
            result = _text(receipt.get("result") or "SUCCESS")
            failed = info.get("result") == "FAILED" or result != "SUCCESS"
            detail = (f"result {result}, energy {integer(receipt.get('energy_usage_total'), 'energy_usage_total')}, "
                      f"bandwidth {integer(receipt.get('net_usage'), 'net_usage')}")
            if failed and info.get("resMessage"):
                detail += f": {_node_message({'message': info['resMessage']})}"
            confirmations = max(1, head_ref.number - block + 1)
            fee = _trx(integer(info.get("fee"), "transaction's fee"))
            return TxStatus(txid, "failed" if failed else "confirmed", confirmations, block, fee, detail)
        if self.rpc.transaction(txid).get("txID") == txid:
            return TxStatus(txid, "pending", detail=N_("the node has it but it is not in a block yet"))
        return TxStatus(txid, "unknown", detail=N_("the node has no record of this transaction (not visible yet, "
                                                "expired, or never sent)"))

    def wait(self, txid: str, timeout: float = 60.0) -> TxStatus:
        """Poll through "unknown" as well as "pending": a node may not show a just-relayed transaction yet."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.status(txid)
            if st.state in ("confirmed", "failed") or time.monotonic() >= deadline:
                return st
            time.sleep(0.5)

    # --- messages ------------------------------------------------------------------------------
    def sign_message(self, message: bytes, signer: Signer) -> str:
        if address_of_key(signer.private_key) != signer.address:
            raise BadInput(_("the signing key does not match the account's address"))
        return messages.sign(message, signer.private_key)

    def verify_message(self, message: bytes, signature: str, address: str) -> bool:
        return messages.verify(message, signature, parse_tron_address(address))
