"""The Solana sandbox's chain: one LiteSVM instance plus the bits of a cluster LiteSVM lacks.

LiteSVM executes transactions with the real runtime and the real SPL programs, but has no blocks.
This module adds a block-height counter (one block per landed transaction), blockhash lifetimes
(a blockhash is valid for 150 blocks, as on mainnet), a signature-status table, the prioritization
fees of landed transactions, a "hold" switch that accepts transactions without landing them so
that tests can model a transaction lost in flight, and the commitment level landed transactions
report (finalized by default; "processed" models a node that has seen a transaction that is not
yet confirmed). Every public method takes the lock.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from typing import Any

from solders.hash import Hash
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

from chains.solana import tokens as spl
from chains.solana.rpc import describe_err
from devnet.sol_history import History

MAX_BLOCKHASH_AGE = 150          # blocks, as MAX_PROCESSING_AGE on mainnet
LAMPORTS_PER_SIGNATURE = 5000
COMPUTE_BUDGET_PROGRAM = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
DEFAULT_UNITS_PER_INSTRUCTION = 200_000
MAX_COMPUTE_UNITS = 1_400_000


class SandboxRpcError(Exception):
    """Becomes a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


@dataclass
class Landed:
    slot: int
    err: Any                      # None or the RPC-shaped TransactionError


def _err_json(failed: FailedTransactionMetadata) -> Any:
    return json.loads(failed.to_json())["err"]


def decode_message(data: bytes) -> Message | MessageV0:
    if data and data[0] & 0x80:
        if data[0] != 0x80:
            raise ValueError("unsupported message version")
        return MessageV0.from_bytes(data[1:])
    return Message.from_bytes(data)


def message_fee(msg: Message | MessageV0) -> int:
    """Base fee per signature plus the priority fee, as the runtime computes it from the message."""
    limit: int | None = None
    price = 0
    others = 0
    keys = msg.account_keys
    for ix in msg.instructions:
        prog = keys[ix.program_id_index]
        data = bytes(ix.data)
        if prog == COMPUTE_BUDGET_PROGRAM and data:
            if data[0] == 2 and len(data) >= 5:
                limit = int.from_bytes(data[1:5], "little")
            elif data[0] == 3 and len(data) >= 9:
                price = int.from_bytes(data[1:9], "little")
        else:
            others += 1
    if limit is None:
        limit = min(others * DEFAULT_UNITS_PER_INSTRUCTION, MAX_COMPUTE_UNITS)
    priority = (price * min(limit, MAX_COMPUTE_UNITS) + 999_999) // 1_000_000
    return LAMPORTS_PER_SIGNATURE * msg.header.num_required_signatures + priority


def writable_keys(msg: Message | MessageV0) -> set[str]:
    """Writable static keys, from the header's counts (signed writable first, unsigned readonly last)."""
    h, keys = msg.header, msg.account_keys
    nsig = h.num_required_signatures
    out = set()
    for i, k in enumerate(keys):
        if i < nsig:
            if i < nsig - h.num_readonly_signed_accounts:
                out.add(str(k))
        elif i < len(keys) - h.num_readonly_unsigned_accounts:
            out.add(str(k))
    return out


def compute_unit_price(msg: Message | MessageV0) -> int:
    keys = msg.account_keys
    for ix in msg.instructions:
        data = bytes(ix.data)
        if keys[ix.program_id_index] == COMPUTE_BUDGET_PROGRAM and data[:1] == b"\x03" and len(data) >= 9:
            return int.from_bytes(data[1:9], "little")
    return 0


class SolChain:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.svm = LiteSVM().with_lamports(10**18)   # 1e9 SOL for airdrops
        self.height = 1_000
        self.slot0 = self.svm.get_clock().slot - self.height
        self.issued: dict[str, int] = {str(self.svm.latest_blockhash()): self.height}
        self.landed: dict[str, Landed] = {}
        self.history = History()
        self.prio_fees: list[tuple[int, int, set[str]]] = []   # (slot, micro-lamports/CU, writable keys)
        self.hold = False
        self.held: dict[str, VersionedTransaction] = {}
        self.commitment = "finalized"         # what getSignatureStatuses reports for landed transactions
        # The sandbox's own mint authority and fee payer for devnet_* helpers.
        self.authority = Keypair()
        self.svm.airdrop(self.authority.pubkey(), 1_000 * 10**9)

    # --- clock and blockhashes -------------------------------------------------------------
    @property
    def slot(self) -> int:
        return self.slot0 + self.height

    def latest(self) -> tuple[str, int]:
        with self.lock:
            bh = str(self.svm.latest_blockhash())
            return bh, self.issued.setdefault(bh, self.height) + MAX_BLOCKHASH_AGE

    def blockhash_valid(self, bh: str) -> bool:
        with self.lock:
            latest, last_valid = self.latest()
            return bh == latest and self.height <= last_valid

    def expire_blockhash(self) -> str:
        """Move on to a new blockhash and past the old one's lastValidBlockHeight."""
        with self.lock:
            _, last_valid = self.latest()
            self.svm.expire_blockhash()
            self.height = last_valid + 1
            return self.latest()[0]

    def _advance(self) -> None:
        self.height += 1
        _, last_valid = self.latest()
        if self.height > last_valid:
            self.svm.expire_blockhash()
            self.latest()

    # --- transactions ----------------------------------------------------------------------
    def _land(self, tx: VersionedTransaction) -> Landed | None:
        """Execute for real. A tx that paid its fee is recorded (even if it failed), like a block."""
        sig = str(tx.signatures[0])
        keys = [str(k) for k in tx.message.account_keys]
        pre = [self._lamports(k) for k in tx.message.account_keys]
        res = self.svm.send_transaction(tx)
        if isinstance(res, FailedTransactionMetadata) and self.svm.get_transaction(tx.signatures[0]) is None:
            return None                       # never landed (bad blockhash, signature, fee payer)
        self._advance()
        err = _err_json(res) if isinstance(res, FailedTransactionMetadata) else None
        rec = Landed(self.slot, err)
        self.landed[sig] = rec
        self.history.record(sig, self.slot, keys, pre, [self._lamports(k) for k in tx.message.account_keys],
                            message_fee(tx.message), err)
        msg = tx.message
        price = compute_unit_price(msg)
        if price:
            self.prio_fees.append((self.slot, price, writable_keys(msg)))
        return rec

    def simulate(self, tx: VersionedTransaction, sig_verify: bool) -> dict[str, Any]:
        with self.lock:
            if not sig_verify:
                self.svm.with_sigverify(False)
            try:
                res = self.svm.simulate_transaction(tx)
            finally:
                self.svm.with_sigverify(True)
            meta = res.meta()
            err = _err_json(res) if isinstance(res, FailedTransactionMetadata) else None
            return {"err": err, "logs": list(meta.logs()), "accounts": None,
                    "unitsConsumed": meta.compute_units_consumed(), "returnData": None}

    def send(self, raw: bytes, skip_preflight: bool) -> str:
        try:
            tx = VersionedTransaction.from_bytes(raw)
        except Exception:
            raise SandboxRpcError(-32602, "failed to deserialize solana_transaction::versioned::"
                                  "VersionedTransaction") from None
        sig = str(tx.signatures[0])
        with self.lock:
            if sig in self.landed or sig in self.held:
                return sig                    # idempotent re-send: same signature, no second execution
            if not skip_preflight:
                sim = self.simulate(tx, sig_verify=True)
                if sim["err"] is not None:
                    msg = "Transaction simulation failed: " + describe_err(sim["err"])
                    raise SandboxRpcError(-32002, msg, sim)
            if self.hold:
                self.held[sig] = tx
                return sig
            self._land(tx)
            return sig

    def release_held(self) -> list[dict[str, Any]]:
        """Land every held transaction now; ones whose blockhash expired meanwhile are dropped."""
        with self.lock:
            out = []
            for sig, tx in list(self.held.items()):
                rec = self._land(tx)
                out.append({"signature": sig, "landed": rec is not None, "err": rec.err if rec else None})
            self.held.clear()
            return out

    def drop_held(self) -> int:
        with self.lock:
            n = len(self.held)
            self.held.clear()
            return n

    def status(self, sig: str) -> dict[str, Any] | None:
        with self.lock:
            rec = self.landed.get(sig)
            if rec is None:
                return None
            # A real node gives a confirmation count below finalized and null once finalized.
            conf = None if self.commitment == "finalized" else {"processed": 0, "confirmed": 1}[self.commitment]
            return {"slot": rec.slot, "confirmations": conf, "err": rec.err,
                    "status": {"Ok": None} if rec.err is None else {"Err": rec.err},
                    "confirmationStatus": self.commitment}

    def airdrop(self, address: Pubkey, lamports: int) -> str:
        with self.lock:
            res = self.svm.airdrop(address, lamports)
            if isinstance(res, FailedTransactionMetadata):
                raise SandboxRpcError(-32603, "airdrop failed: " + describe_err(_err_json(res)))
            sig = str(res.signature())
            self._advance()
            self.landed[sig] = Landed(self.slot, None)
            after = self._lamports(address)
            payer = self._lamports(self.authority.pubkey())   # shown as the faucet, as a node shows its own
            self.history.record(sig, self.slot, [str(self.authority.pubkey()), str(address)],
                                [payer, after - lamports], [payer, after], 0, None)
            return sig

    def _lamports(self, key: Pubkey) -> int:
        acct = self.svm.get_account(key)
        return acct.lamports if acct else 0

    def fee_for_message(self, data: bytes) -> int | None:
        msg = decode_message(data)
        with self.lock:
            if not self.blockhash_valid(str(msg.recent_blockhash)):
                return None                   # what a real node answers for an unknown/expired blockhash
        return message_fee(msg)

    def recent_priority_fees(self, accounts: list[str]) -> list[dict[str, int]]:
        with self.lock:
            lo = self.slot - MAX_BLOCKHASH_AGE
            want = set(accounts)
            return [{"slot": s, "prioritizationFee": p} for s, p, w in self.prio_fees
                    if s > lo and (not want or want & w)]

    # --- devnet helpers: SPL mints held by the sandbox's authority --------------------------
    def _run(self, ixs: list[Any], extra_signers: list[Keypair]) -> str:
        msg = Message.new_with_blockhash(ixs, self.authority.pubkey(), Hash.from_string(self.latest()[0]))
        tx = VersionedTransaction(msg, [self.authority, *extra_signers])
        rec = self._land(tx)
        if rec is None or rec.err is not None:
            sim = self.simulate(tx, sig_verify=False)
            raise SandboxRpcError(-32603, "devnet helper transaction failed: "
                                  + describe_err(rec.err if rec else sim["err"]), sim)
        return str(tx.signatures[0])

    def create_mint(self, decimals: int, token_2022: bool = False) -> str:
        prog = spl.TOKEN_2022_PROGRAM if token_2022 else spl.TOKEN_PROGRAM
        mint = Keypair()
        with self.lock:
            rent = self.svm.minimum_balance_for_rent_exemption(spl.MINT_LEN)
            self._run([
                create_account(CreateAccountParams(
                    from_pubkey=self.authority.pubkey(), to_pubkey=mint.pubkey(),
                    lamports=rent, space=spl.MINT_LEN, owner=prog)),
                # A freeze authority too, as USDC has: lets tests freeze an account.
                spl.initialize_mint2(mint.pubkey(), decimals, self.authority.pubkey(),
                                     self.authority.pubkey(), prog),
            ], [mint])
        return str(mint.pubkey())

    def mint_to(self, mint: Pubkey, owner: Pubkey, amount: int) -> str:
        with self.lock:
            acct = self.svm.get_account(mint)
            if acct is None or acct.owner not in spl.TOKEN_PROGRAMS:
                raise SandboxRpcError(-32602, f"{mint} is not a mint on this sandbox")
            prog = acct.owner
            ata = spl.ata_address(owner, mint, prog)
            return self._run([
                spl.create_ata_idempotent(self.authority.pubkey(), owner, mint, prog),
                spl.mint_to(mint, ata, self.authority.pubkey(), amount, prog),
            ], [])

    def freeze(self, mint: Pubkey, owner: Pubkey) -> str:
        """Freeze owner's ATA for mint (the sandbox is every devnet mint's freeze authority)."""
        with self.lock:
            acct = self.svm.get_account(mint)
            if acct is None or acct.owner not in spl.TOKEN_PROGRAMS:
                raise SandboxRpcError(-32602, f"{mint} is not a mint on this sandbox")
            ata = spl.ata_address(owner, mint, acct.owner)
            return self._run([spl.freeze_account(ata, mint, self.authority.pubkey(), acct.owner)], [])

    # --- accounts ----------------------------------------------------------------------------
    def account_json(self, address: Pubkey, encoding: str) -> dict[str, Any] | None:
        with self.lock:
            acct = self.svm.get_account(address)
        if acct is None:
            return None
        data = bytes(acct.data)
        out: dict[str, Any] = {"data": [base64.b64encode(data).decode(), "base64"],
                               "executable": acct.executable, "lamports": acct.lamports,
                               "owner": str(acct.owner), "rentEpoch": acct.rent_epoch, "space": len(data)}
        if encoding == "jsonParsed" and acct.owner in spl.TOKEN_PROGRAMS:
            parsed = _parse_token_data(data, acct.owner)
            if parsed is not None:
                info = parsed["parsed"]["info"]
                if parsed["parsed"]["type"] == "account":
                    mint = self.account_json(Pubkey.from_string(info["mint"]), "jsonParsed")
                    dec = mint["data"]["parsed"]["info"]["decimals"] if mint else 0
                    amt = int(info["tokenAmount"]["amount"])
                    whole, frac = divmod(amt, 10**dec)
                    ui = f"{whole}.{str(frac).rjust(dec, '0')}".rstrip("0").rstrip(".") if dec else str(whole)
                    info["tokenAmount"].update(decimals=dec, uiAmountString=ui, uiAmount=float(ui))
                out["data"] = parsed
        return out

    def token_accounts(self, owner: Pubkey, mint: Pubkey | None, program: Pubkey | None,
                       encoding: str) -> list[dict[str, Any]]:
        progs = [program] if program else list(spl.TOKEN_PROGRAMS)
        out = []
        with self.lock:
            for prog in progs:
                for addr, acct in self.svm.get_program_accounts(prog):
                    data = bytes(acct.data)
                    if not _is_token_account(data):
                        continue
                    if data[32:64] != bytes(owner) or (mint is not None and data[0:32] != bytes(mint)):
                        continue
                    out.append({"pubkey": str(addr), "account": self.account_json(addr, encoding)})
        return out


def _is_token_account(data: bytes) -> bool:
    # Token: exactly 165 bytes. Token-2022: 165 + extensions with AccountType::Account (2) at byte 165.
    return len(data) == spl.TOKEN_ACCOUNT_LEN or (len(data) > spl.TOKEN_ACCOUNT_LEN and data[165] == 2)


def _parse_token_data(data: bytes, program: Pubkey) -> dict[str, Any] | None:
    name = "spl-token-2022" if program == spl.TOKEN_2022_PROGRAM else "spl-token"
    if _is_token_account(data):
        info = spl.parse_token_account(data)
        return {"program": name, "space": len(data), "parsed": {"type": "account", "info": {
            "mint": info.mint, "owner": info.owner, "isNative": False,
            "state": {0: "uninitialized", 1: "initialized", 2: "frozen"}.get(info.state, "unknown"),
            "tokenAmount": {"amount": str(info.amount)}}}}
    try:
        m = spl.parse_mint(data)
    except ValueError:
        return None
    return {"program": name, "space": len(data), "parsed": {"type": "mint", "info": {
        "decimals": m.decimals, "supply": str(m.supply), "mintAuthority": m.mint_authority,
        "freezeAuthority": m.freeze_authority, "isInitialized": True}}}
