"""The Solana adapter (family "sol"): SOL and SPL (Token, Token-2022) transfers over JSON-RPC.

Build reads the chain (balances, accounts, blockhash, prioritization fees), simulates the exact
instructions to size the compute-unit limit, and asks the node for the fee of the final message.
Sign is offline (ed25519 over the legacy message). Broadcast is idempotent. A blockhash lives for
about 150 blocks; `send_with_resign` re-signs with a fresh one only after the old blockhash has
expired and the node confirms the old signature never landed, so one transfer is never sent twice.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from chains.base import (
    Account,
    Amount,
    ChainAdapter,
    Network,
    SignedTx,
    Signer,
    Transfer,
    UnsignedTx,
)
from chains.errors import (
    BadInput,
    ChainIdMismatch,
    FeeTooHigh,
    InsufficientFunds,
    InvalidAddress,
    Refused,
    SimulationFailed,
    Unavailable,
)
from chains.solana import tokens as spl
from chains.solana import tx as sb
from chains.solana.address import parse_solana_address
from chains.solana.messages import bytes_to_sign, signed_bytes
from chains.solana.rpc import SolanaRpc, describe_err
from chains.solana.send import BlockhashExpired, BlockhashUnknown, ResignMixin
from wallet_i18n import N_, Phrase, _, translated

__all__ = ["Adapter", "BlockhashExpired", "BlockhashUnknown"]

LAMPORTS = 9
# What an insufficient balance has to cover, by (SOL sent, rent for a new token account).
_NEEDS = {(True, False): N_("amount + fee"), (False, False): N_("fee"),
          (False, True): N_("fee + rent for the new token account"),
          (True, True): N_("amount + fee + rent for the new token account")}


def _sol(lamports: int) -> Amount:
    return Amount(lamports, LAMPORTS, "SOL")


class Adapter(ResignMixin, ChainAdapter):
    family = "sol"

    def __init__(self, network: Network, data_dir: str | None = None) -> None:
        super().__init__(network, data_dir)
        self._rpc: SolanaRpc | None = None
        self._chain_checked = False

    @property
    def rpc(self) -> SolanaRpc:
        if self._rpc is None:
            self._rpc = SolanaRpc(self.network.rpc_url)
        return self._rpc

    def check_chain(self) -> None:
        """Refuse an RPC on another cluster (its genesis hash differs from the network's), before signing."""
        if self._chain_checked or not self.network.genesis:
            return
        got = self.rpc.genesis_hash()
        if got != self.network.genesis:
            raise ChainIdMismatch(_("the RPC for {network} is on another Solana cluster (genesis hash {got}, expected "
                                    "{expected}); not signing for it").format(
                network=self.network.name, got=got[:60], expected=self.network.genesis))
        self._chain_checked = True

    # --- addresses, balances, tokens -----------------------------------------------------------
    @classmethod
    def parse_address(cls, text: str, network: Network) -> str:
        return parse_solana_address(text)

    def _mint(self, mint: str) -> tuple[int, Pubkey]:
        """(decimals, token program) read from the mint account on chain."""
        info = self.rpc.get_account_info(mint)
        if info is None:
            raise BadInput(_("token mint {mint} does not exist on {network}").format(
                mint=mint, network=self.network.name))
        program = Pubkey.from_string(info["owner"])
        if program not in spl.TOKEN_PROGRAMS:
            raise BadInput(_("{mint} is not an SPL token mint (owned by {program})").format(mint=mint, program=program))
        try:
            return spl.parse_mint(base64.b64decode(info["data"][0])).decimals, program
        except ValueError:
            raise BadInput(_("{mint} is not an initialized SPL token mint").format(mint=mint)) from None

    def _resolve_token(self, token: str) -> tuple[str, str]:
        """(mint, symbol) from a symbol in network.tokens or a mint address."""
        for sym, spec in self.network.tokens.items():
            if sym.lower() == token.strip().lower() or spec.get("address") == token.strip():
                return str(spec["address"]), sym
        try:
            mint = parse_solana_address(token)
        except InvalidAddress:
            raise BadInput(_("unknown token {token!r} on {network}: give a mint address or one of {symbols}").format(
                token=token, network=self.network.name,
                symbols=", ".join(self.network.tokens) or _("no configured symbols"))) from None
        return mint, mint   # an unlisted mint's symbol is the mint address itself (whole, copyable)

    def token_info(self, token: str) -> tuple[str, str, int]:
        mint, symbol = self._resolve_token(token)
        decimals, _program = self._mint(mint)
        return mint, symbol, decimals

    def balance(self, account: Account, token: str | None = None) -> Amount:
        owner = parse_solana_address(account.address)
        if token is None:
            return _sol(self.rpc.get_balance(owner))
        mint, symbol = self._resolve_token(token)
        decimals, _program = self._mint(mint)
        total = 0
        for entry in self.rpc.token_accounts_by_owner(owner, mint):
            total += spl.parse_token_account(base64.b64decode(entry["account"]["data"][0])).amount
        return Amount(total, decimals, symbol)

    # --- build -------------------------------------------------------------------------------
    def _priority_fee(self, transfer: Transfer, writable: list[str], warnings: list[str]) -> int:
        if transfer.fees.priority_fee is not None:
            return int(transfer.fees.priority_fee)
        price = sb.median_fee(self.rpc.recent_priority_fees(writable))
        if price > sb.MAX_AUTO_CU_PRICE:         # the RPC's suggestion, not the user's choice: clamp it
            warnings.append(_("the RPC suggested a priority fee of {price} micro-lamports/CU; capped at {cap} "
                              "(give --priority-fee to choose)").format(price=price, cap=sb.MAX_AUTO_CU_PRICE))
            price = sb.MAX_AUTO_CU_PRICE
        return price

    def _fee_cap(self) -> int | None:
        if not self.network.fee_cap:
            return None
        return Amount.parse(self.network.fee_cap, LAMPORTS, "SOL", allow_zero=True).value

    def _check_fee_cap(self, fee: int, transfer: Transfer) -> None:
        cap = self._fee_cap()
        if cap is not None and fee > cap and not transfer.fees.allow_high_fee:
            raise FeeTooHigh(_("the fee {fee} is above this network's cap of {cap}; lower the priority fee or allow a "
                               "high fee explicitly").format(fee=_sol(fee), cap=_sol(cap)))

    def _plan(self, transfer: Transfer) -> dict[str, Any]:
        """Read the chain and choose instructions; returns what build and the summary need."""
        if transfer.amount is None:
            raise BadInput(_("a Solana transfer needs an amount"))
        sender = Pubkey.from_string(parse_solana_address(transfer.sender.address))
        recipient = Pubkey.from_string(parse_solana_address(transfer.recipient))
        warnings: list[str] = []
        if not recipient.is_on_curve():
            warnings.append(_("the recipient is an off-curve address (a program-derived address), not a wallet "
                              "key; make sure the program it belongs to expects this transfer"))
        rent_min0 = self.rpc.rent_exempt_minimum(0)
        rent = 0
        info = self.rpc.get_account_info(str(recipient))
        plan: dict[str, Any] = {"sender": sender, "recipient": recipient, "warnings": warnings,
                                "rent_min0": rent_min0, "balance": self.rpc.get_balance(str(sender))}
        if transfer.token is None:
            lamports = transfer.amount.value
            if info is None and lamports < rent_min0:
                raise Refused(_("the recipient account does not exist yet, and a new Solana account must hold at "
                                "least {minimum} (the rent-exempt minimum)").format(minimum=_sol(rent_min0)))
            if info is not None and info["owner"] in (str(p) for p in spl.TOKEN_PROGRAMS):
                warnings.append(_("the recipient is an SPL token account, not a wallet; SOL sent to it is only "
                                  "recoverable by its owner closing the account"))
            plan.update(ixs=sb.sol_transfer(sender, recipient, lamports), amount=_sol(lamports),
                        token=None, rent=0, dest=recipient, creates=None, sol_out=lamports)
            return _with_memo(plan, transfer)
        mint_s, symbol = self._resolve_token(transfer.token)
        mint = Pubkey.from_string(mint_s)
        decimals, program = self._mint(mint_s)
        if transfer.amount.decimals != decimals:
            raise BadInput(_("{symbol} has {decimals} decimals on chain, but the amount was parsed with "
                             "{parsed}").format(
                symbol=symbol, decimals=decimals, parsed=transfer.amount.decimals))
        creates: Pubkey | None = None
        if info is not None and info["owner"] == str(program) and _is_token_account(info):
            acct = spl.parse_token_account(base64.b64decode(info["data"][0]))
            if acct.mint != mint_s:
                raise InvalidAddress(_("the recipient is a token account for another mint ({mint})").format(
                    mint=acct.mint))
            dest = recipient                  # the user gave a token account: pay into it directly
        else:
            dest = spl.ata_address(recipient, mint, program)
            if self.rpc.get_account_info(str(dest)) is None:
                creates = recipient
                size = spl.TOKEN_ACCOUNT_LEN if program == spl.TOKEN_PROGRAM else spl.TOKEN_ACCOUNT_LEN + 5
                rent = self.rpc.rent_exempt_minimum(size)
        source = spl.ata_address(sender, mint, program)
        src_info = self.rpc.get_account_info(str(source))
        have = spl.parse_token_account(base64.b64decode(src_info["data"][0])).amount if src_info else 0
        if have < transfer.amount.value:
            raise InsufficientFunds(_("sending {amount} {symbol} needs that much in the sender's token account, "
                                      "which holds {held}").format(
                amount=transfer.amount.plain(), symbol=symbol, held=Amount(have, decimals, symbol)))
        value = transfer.amount.value
        plan.update(ixs=sb.spl_transfer(sender, dest, mint, value, decimals, program, creates),
                    amount=Amount(value, decimals, symbol), token=mint_s, rent=rent, dest=dest,
                    creates=creates, sol_out=0, program=str(program))
        return _with_memo(plan, transfer)

    def _check_funds(self, plan: dict[str, Any], fee: int, *, final: bool = True) -> None:
        need = plan["sol_out"] + fee + plan["rent"]
        bal = plan["balance"]
        if bal < need:
            parts = _NEEDS[bool(plan["sol_out"]), bool(plan["rent"])]
            raise InsufficientFunds(_("this needs {needed} ({parts}) but the account has {balance}").format(
                needed=_sol(need), parts=translated(parts), balance=_sol(bal)))
        left = bal - need
        if final and 0 < left < plan["rent_min0"]:
            everything = _sol(bal - fee - plan["rent"]).plain()
            raise Refused(_("this would leave {left} in the sender's account, below the rent-exempt minimum of "
                            "{minimum}; send {everything} SOL to empty it, or leave at least the minimum").format(
                left=_sol(left), minimum=_sol(plan["rent_min0"]), everything=everything))

    def build_transfer(self, transfer: Transfer) -> UnsignedTx:
        self.check_chain()
        if transfer.amount is None:   # --amount max
            from chains.solana.sweep import build_max

            return build_max(self, transfer)
        plan = self._plan(transfer)
        sender: Pubkey = plan["sender"]
        probe = sb.compose(sender, plan["ixs"], "11111111111111111111111111111111", 1, 1)
        price = self._priority_fee(transfer, sb.writable_accounts(probe), plan["warnings"])
        # Check before simulating, for a clear message; without a priority fee the fee is exactly
        # the base fee, so the dust rule can be checked here too.
        self._check_funds(plan, sb.LAMPORTS_PER_SIGNATURE, final=not price)
        blockhash, last_valid = self.rpc.get_latest_blockhash()
        # Simulate with the maximum limit and price 0 (same instructions, so the same units) so that
        # the simulation's own fee cannot fail a transfer that the final fee allows.
        sim_msg = sb.compose(sender, plan["ixs"], blockhash, sb.MAX_COMPUTE_UNITS, 0, price_ix=bool(price))
        sim = self.rpc.simulate(sb.unsigned_tx_b64(sim_msg))
        if sim.get("err") is not None:
            raise SimulationFailed(_("the transaction would fail: {reason}; program logs: {logs}").format(
                reason=describe_err(sim["err"]), logs=sb.logs_tail(list(sim.get("logs") or []))))
        units = sim.get("unitsConsumed")
        if units is not None and (isinstance(units, bool) or not isinstance(units, int) or units < 0):
            raise Unavailable(_("the Solana RPC answered simulateTransaction with a malformed unitsConsumed"))
        limit = sb.cu_limit_from_units(units or 0, len(plan["ixs"]))
        msg = sb.compose(sender, plan["ixs"], blockhash, limit, price)
        # The fee is what this very message makes the runtime charge; the RPC's figure may only raise it
        # (a network whose base fee differs), never replace it.
        fee = max(sb.fee_of_message(msg), self.rpc.fee_for_message(sb.message_b64(msg)) or 0)
        self._check_fee_cap(fee, transfer)
        self._check_funds(plan, fee)
        return self._unsigned(transfer, plan, msg, fee, limit, price, blockhash, last_valid, simulated=True)

    def build_offline(self, transfer: Transfer, blockhash: str, *, decimals: int | None = None,
                      token_program: str | None = None, compute_unit_limit: int | None = None,
                      priority_fee: int | None = None, create_recipient_account: bool = True) -> UnsignedTx:
        """Build with no RPC at all, for `--sign-only --blockhash HASH` on an air-gapped machine.

        Nothing is read from the chain, so nothing is simulated: SPL sends always include an
        idempotent create of the recipient's ATA (a no-op if it exists), and balances are unchecked.
        """
        if transfer.amount is None:
            raise BadInput(_("a Solana transfer needs an amount"))
        try:
            Pubkey.from_string(blockhash)
        except Exception:
            raise BadInput(_("the blockhash must be a base58 32-byte hash from getLatestBlockhash")) from None
        sender = Pubkey.from_string(parse_solana_address(transfer.sender.address))
        recipient = Pubkey.from_string(parse_solana_address(transfer.recipient))
        plan: dict[str, Any] = {"sender": sender, "recipient": recipient, "rent": 0, "creates": None,
                                "warnings": [_("built offline: not simulated and balances not checked; the "
                                               "blockhash expires about a minute after it was fetched")]}
        if transfer.token is None:
            plan.update(ixs=sb.sol_transfer(sender, recipient, transfer.amount.value),
                        amount=_sol(transfer.amount.value), token=None, dest=recipient)
            limit = compute_unit_limit or sb.OFFLINE_CU_SOL
        else:
            mint_s, symbol = self._resolve_token(transfer.token)
            spec = next((s for s in self.network.tokens.values() if s.get("address") == mint_s), {})
            dec = decimals if decimals is not None else spec.get("decimals")
            if dec is None:
                raise BadInput(_("offline SPL builds need the token's decimals for {mint}").format(mint=mint_s))
            program = Pubkey.from_string(token_program) if token_program else spl.TOKEN_PROGRAM
            if program not in spl.TOKEN_PROGRAMS:
                raise BadInput(_("the token program must be SPL Token or Token-2022"))
            mint = Pubkey.from_string(mint_s)
            dest = spl.ata_address(recipient, mint, program)
            creates = recipient if create_recipient_account else None
            value = transfer.amount.value
            plan.update(ixs=sb.spl_transfer(sender, dest, mint, value, int(dec), program, creates),
                        amount=Amount(value, int(dec), symbol), token=mint_s, dest=dest,
                        creates=creates, program=str(program))
            limit = compute_unit_limit or sb.OFFLINE_CU_SPL
        _with_memo(plan, transfer)
        price = int(priority_fee if priority_fee is not None else (transfer.fees.priority_fee or 0))
        msg = sb.compose(sender, plan["ixs"], blockhash, limit, price)
        fee = sb.fee_of_message(msg)
        self._check_fee_cap(fee, transfer)
        return self._unsigned(transfer, plan, msg, fee, limit, price, blockhash, None, simulated=False)

    def _unsigned(self, transfer: Transfer, plan: dict[str, Any], msg: Any, fee: int, limit: int, price: int,
                  blockhash: str, last_valid: int | None, *, simulated: bool) -> UnsignedTx:
        amount: Amount = plan["amount"]
        # The keys are the labels' msgids, translated where shown (the --json review keeps them English); a
        # value with words in it is a Phrase, English in the JSON and translated on the screen.
        summary: dict[str, str] = {N_("Network"): self.network.name, N_("From"): str(plan["sender"]),
                                   N_("To"): str(plan["recipient"]), N_("Amount"): str(amount)}
        if plan["token"]:
            summary[N_("Token")] = f"{amount.symbol} (mint {plan['token']})"
            summary[N_("Token account")] = str(plan["dest"])
            if plan["creates"] is not None:
                summary[N_("Creates token account")] = (
                    Phrase(N_("yes, for the recipient; rent {rent} (paid by you)"), rent=str(_sol(plan["rent"])))
                    if plan["rent"] else
                    Phrase(N_("yes, for the recipient; rent rent-exempt minimum, if it is missing (paid by you)")))
        if plan.get("memo"):
            summary[N_("Memo")] = plan["memo"]
        summary[N_("Fee (max)")] = str(_sol(fee))
        summary[N_("Priority fee")] = f"{price} micro-lamports/CU × {limit} CU"
        total_sol = (amount.value if plan["token"] is None else 0) + fee + plan["rent"]
        summary[N_("Total")] = (f"{_sol(total_sol)}" if plan["token"] is None
                                else f"{amount} + {_sol(total_sol)}")
        summary[N_("Simulated")] = Phrase(N_("yes")) if simulated else Phrase(N_("no (offline build)"))
        payload = {"message": sb.message_b64(msg), "blockhash": blockhash,
                   "lastValidBlockHeight": last_valid, "computeUnitLimit": limit, "computeUnitPrice": price,
                   "rent": plan["rent"], "token": plan["token"],
                   "createsTokenAccount": str(plan["dest"]) if plan["creates"] else None}
        return UnsignedTx("sol", self.network.name, str(plan["sender"]), str(plan["recipient"]), amount,
                          _sol(fee), payload, summary, list(plan["warnings"]))

    def make_distinct(self, unsigned: UnsignedTx) -> UnsignedTx:
        """The same transfer with a compute-unit limit one higher, so its bytes (and signature) differ
        from an identical transfer already signed; the fee is recomputed and re-checked against the cap."""
        msg = sb.message_from_b64(unsigned.payload["message"])
        limit, price = sb.budget_of(msg)
        msg = sb.with_cu_limit(msg, limit + 1)
        fee = max(sb.fee_of_message(msg), unsigned.fee.value if unsigned.fee else 0)
        cap = self._fee_cap()
        if cap is not None and fee > cap >= (unsigned.fee.value if unsigned.fee else 0):
            raise FeeTooHigh(_("the fee {fee} is above this network's cap of {cap}").format(
                fee=_sol(fee), cap=_sol(cap)))
        total = (0 if unsigned.payload.get("token") else unsigned.amount.value) + fee + int(unsigned.payload["rent"])
        summary = {**unsigned.summary, N_("Fee (max)"): str(_sol(fee)),
                   N_("Priority fee"): f"{price} micro-lamports/CU x {limit + 1} CU",
                   N_("Total"): str(_sol(total)) if not unsigned.payload.get("token")
                   else f"{unsigned.amount} + {_sol(total)}"}
        payload = {**unsigned.payload, "message": sb.message_b64(msg), "computeUnitLimit": limit + 1}
        return dataclasses.replace(unsigned, fee=_sol(fee), payload=payload, summary=summary)

    # --- sign and send -------------------------------------------------------------------------
    def sign(self, unsigned: UnsignedTx, signer: Signer) -> SignedTx:
        kp = _keypair(signer)
        try:
            msg = sb.message_from_b64(unsigned.payload["message"])
        except (KeyError, ValueError, TypeError):
            raise BadInput(_("this is not a Solana transaction built by this wallet (no message)")) from None
        if str(kp.pubkey()) != unsigned.sender or msg.account_keys[0] != kp.pubkey():
            raise BadInput(_("the signing key does not belong to the sending account"))
        fee = sb.fee_of_message(msg)
        if unsigned.fee is None or fee > unsigned.fee.value:
            raise Refused(_("this message would pay a fee of {fee}, more than the {shown} shown for it; not "
                            "signing").format(fee=_sol(fee), shown=unsigned.fee))
        tx = VersionedTransaction(msg, [kp])
        raw = base64.b64encode(bytes(tx)).decode()
        return SignedTx("sol", unsigned.network, str(tx.signatures[0]), raw, unsigned.sender,
                        unsigned.recipient, unsigned.amount, unsigned.fee, dict(unsigned.payload))

    # --- messages --------------------------------------------------------------------------------
    def sign_message(self, message: bytes, signer: Signer, *, offchain: bool = False) -> str:
        """Raw bytes (what Phantom's signMessage signs) or the off-chain format; never a transaction."""
        return str(_keypair(signer).sign_message(bytes_to_sign(message, offchain)))

    def verify_message(self, message: bytes, signature: str, address: str, *, offchain: bool = False) -> bool:
        pk = Pubkey.from_string(parse_solana_address(address))
        try:
            sig = Signature.from_string(signature.strip())
        except Exception:
            return False
        return sig.verify(pk, signed_bytes(message, offchain))


def _with_memo(plan: dict[str, Any], transfer: Transfer) -> dict[str, Any]:
    if transfer.memo:
        if len(transfer.memo.encode()) > sb.MAX_MEMO_BYTES:
            raise BadInput(_("a Solana memo may be at most {limit} bytes").format(limit=sb.MAX_MEMO_BYTES))
        plan["ixs"] = [*plan["ixs"], sb.memo(plan["sender"], transfer.memo)]
        plan["memo"] = transfer.memo
    return plan


def _keypair(signer: Signer) -> Keypair:
    if signer.family != "sol" or len(signer.private_key) != 32:
        raise BadInput(_("a Solana signer needs the account's 32-byte ed25519 seed"))
    kp = Keypair.from_seed(signer.private_key)
    if signer.address and str(kp.pubkey()) != signer.address:
        raise BadInput(_("the signing key does not match the account's address"))
    return kp


def _is_token_account(info: dict[str, Any]) -> bool:
    n = int(info.get("space") or len(base64.b64decode(info["data"][0])))
    if n == spl.TOKEN_ACCOUNT_LEN:
        return True
    return n > spl.TOKEN_ACCOUNT_LEN and base64.b64decode(info["data"][0])[165] == 2
