"""The chain state of the TRON sandbox: a MODEL of TRON's rules, not java-tron.

What it enforces on every broadcast: the protobuf decodes to one Transfer or TriggerSmartContract; the
txID is sha256 of the raw bytes; the signature recovers to owner_address; ref_block_bytes/hash name a
block it produced (TaPoS); the expiration is ahead of its clock and at most a day ahead; a txID seen
before is a duplicate. Then it charges bandwidth (staked, else free, else burnt at getTransactionFee),
the 1 TRX activation plus 0.1 TRX for a new account, and energy (staked, else burnt at getEnergyFee up
to fee_limit; past it the call fails OUT_OF_ENERGY and the fee_limit is burnt, as on TRON).

The TRC-20 is a ledger, not a TVM: transfer(address,uint256) costs 64,285 energy to a holder and
130,285 to an address with no balance (USDT's costs of an existing and a fresh storage slot).
Every accepted transaction gets its own block at once, unless `hold` is on: then it waits, visible to
gettransactionbyid only, until release() includes it (if still unexpired and valid) or drop_held().
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from chains.tron import tokens
from chains.tron import tx as ttx
from chains.tron.address import VERSION, from_bytes21, to_bytes21
from chains.tron.proto import ProtoError
from chains.tron.sign import recover_address

GENESIS_ID = "0000000000000000" + hashlib.sha256(b"local-tron sandbox genesis").hexdigest()[16:]
USDT = from_bytes21(bytes([VERSION]) + hashlib.sha256(b"local-tron USDT").digest()[:20])
PARAMS = {"getTransactionFee": 1000, "getEnergyFee": 100, "getCreateAccountFee": 100_000,
          "getCreateNewAccountFeeInSystemContract": 1_000_000, "getCreateNewAccountBandwidthRate": 1,
          "getFreeNetLimit": 600, "getMaxFeeLimit": 15_000_000_000}
ENERGY_TO_HOLDER, ENERGY_TO_EMPTY = 64_285, 130_285


class SandboxError(Exception):
    """A broadcast refused with a java-tron response code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class AccountState:
    balance: int = 0
    free_net_used: int = 0
    net_limit: int = 0           # staked bandwidth (devnet_stake)
    energy_limit: int = 0        # staked energy
    net_used: int = 0
    energy_used: int = 0
    create_time: int = 0


@dataclass
class TronChain:
    accounts: dict[str, AccountState] = field(default_factory=dict)
    usdt: dict[str, int] = field(default_factory=dict)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    txs: dict[str, dict[str, Any]] = field(default_factory=dict)
    infos: dict[str, dict[str, Any]] = field(default_factory=dict)
    clock_offset_ms: int = 0
    lie_next: str | None = None  # "accept" or "drop": the next broadcast answers an ambiguous error
    hold: bool = False           # accepted transactions wait in `held` (pending) until released or dropped
    held: dict[str, tuple[ttx.Raw, bytes, bytes]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.blocks.append({"number": 0, "id": GENESIS_ID, "timestamp": self.now_ms(), "txs": []})

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.clock_offset_ms

    def _new_block(self, txids: list[str]) -> dict[str, Any]:
        parent = self.blocks[-1]
        n = parent["number"] + 1
        ts = max(self.now_ms(), parent["timestamp"] + 3000)   # TRON's 3 s slots
        header = hashlib.sha256(f"{n}:{parent['id']}:{ts}:{','.join(txids)}".encode()).digest()
        blk = {"number": n, "id": n.to_bytes(8, "big").hex() + header[8:].hex(), "timestamp": ts, "txs": txids,
               "parent": parent["id"]}
        self.blocks.append(blk)
        return blk

    def block_json(self, blk: dict[str, Any]) -> dict[str, Any]:
        return {"blockID": blk["id"], "block_header": {"raw_data": {
            "number": blk["number"], "timestamp": blk["timestamp"],
            "parentHash": blk.get("parent", "00" * 32)}}}

    def account(self, address: str) -> AccountState | None:
        return self.accounts.get(address)

    # --- devnet helpers ------------------------------------------------------------------------
    def fund(self, address: str, sun: int) -> str:
        acct = self.accounts.setdefault(address, AccountState(create_time=self.now_ms()))
        acct.balance += sun
        txid = hashlib.sha256(f"fund:{address}:{sun}:{len(self.blocks)}".encode()).hexdigest()
        self._new_block([txid])
        return txid

    def mint(self, address: str, value: int) -> str:
        self.usdt[address] = self.usdt.get(address, 0) + value
        txid = hashlib.sha256(f"mint:{address}:{value}:{len(self.blocks)}".encode()).hexdigest()
        self._new_block([txid])
        return txid

    # --- reads ---------------------------------------------------------------------------------
    def constant_call(self, owner: str, contract: str, selector: str, parameter: bytes) -> dict[str, Any]:
        if contract != USDT:
            return {"result": {"result": False, "message": b"contract not found".hex()}}
        if selector == "decimals()":
            return self._const((6).to_bytes(32, "big"), 300)
        if selector == "balanceOf(address)" and len(parameter) == 32:
            who = from_bytes21(bytes([VERSION]) + parameter[12:])
            return self._const(self.usdt.get(who, 0).to_bytes(32, "big"), 900)
        if selector == "transfer(address,uint256)" and len(parameter) == 64:
            to = from_bytes21(bytes([VERSION]) + parameter[12:32])
            value = int.from_bytes(parameter[32:], "big")
            if self.usdt.get(owner, 0) < value:
                return {"result": {"result": False, "code": "CONTRACT_EXE_ERROR",
                                   "message": b"REVERT opcode executed".hex()}, "energy_used": 300}
            return self._const((1).to_bytes(32, "big"), self._transfer_energy(to))
        return {"result": {"result": False, "message": b"unknown function".hex()}}

    @staticmethod
    def _const(word: bytes, energy: int) -> dict[str, Any]:
        return {"result": {"result": True}, "energy_used": energy, "constant_result": [word.hex()]}

    def _transfer_energy(self, to: str) -> int:
        return ENERGY_TO_HOLDER if self.usdt.get(to, 0) else ENERGY_TO_EMPTY

    # --- broadcast -----------------------------------------------------------------------------
    def broadcast(self, tx_bytes: bytes) -> str:
        try:
            raw_bytes, sigs = ttx.split_signed(tx_bytes)
            raw = ttx.decode_raw(raw_bytes)
        except ProtoError as e:
            raise SandboxError("OTHER_ERROR", f"cannot decode the transaction: {e}") from None
        txid = ttx.txid(raw_bytes)
        if txid in self.txs:
            raise SandboxError("DUP_TRANSACTION_ERROR", "dup transaction")
        owner = from_bytes21(raw.owner)
        if len(sigs) != 1 or recover_address(bytes.fromhex(txid), sigs[0]) != owner:
            raise SandboxError("SIGERROR", "the signature does not recover to owner_address")
        self._check_tapos(raw)
        now = self.now_ms()
        if raw.expiration <= now:
            raise SandboxError("TRANSACTION_EXPIRATION_ERROR", "transaction expired")
        if raw.expiration > now + ttx.MAX_EXPIRATION_MS:
            raise SandboxError("TRANSACTION_EXPIRATION_ERROR", "expiration is more than one day ahead")
        self.txs[txid] = {"txID": txid, "raw_data_hex": raw_bytes.hex(), "signature": [sigs[0].hex()]}
        if self.hold:
            self.held[txid] = (raw, raw_bytes, sigs[0])
            return txid
        try:
            self._include(txid, raw, raw_bytes)
        except SandboxError:
            del self.txs[txid]
            raise
        return txid

    def release(self) -> list[str]:
        """Include the held transactions that are still valid; an expired or failing one is dropped."""
        done = []
        for txid, (raw, raw_bytes, _) in list(self.held.items()):
            del self.held[txid]
            try:
                if raw.expiration <= self.now_ms():
                    raise SandboxError("TRANSACTION_EXPIRATION_ERROR", "expired while held")
                self._include(txid, raw, raw_bytes)
                done.append(txid)
            except SandboxError:
                del self.txs[txid]
        return done

    def drop_held(self) -> int:
        n = len(self.held)
        for txid in self.held:
            del self.txs[txid]
        self.held.clear()
        return n

    def _include(self, txid: str, raw: ttx.Raw, raw_bytes: bytes) -> None:
        owner = from_bytes21(raw.owner)
        if raw.contract_type == ttx.TRANSFER:
            info = self._apply_transfer(raw, owner, ttx.bandwidth_bytes(raw_bytes))
        else:
            info = self._apply_trigger(raw, owner, ttx.bandwidth_bytes(raw_bytes))
        blk = self._new_block([txid])
        self.infos[txid] = {"id": txid, "blockNumber": blk["number"], "blockTimeStamp": blk["timestamp"], **info}

    def _check_tapos(self, raw: ttx.Raw) -> None:
        for blk in reversed(self.blocks[-65536:]):
            if blk["number"] & 0xFFFF == int.from_bytes(raw.ref_bytes, "big"):
                if bytes.fromhex(blk["id"])[8:16] == raw.ref_hash:
                    return
        raise SandboxError("TAPOS_ERROR", "Tapos check error: the reference block is not on this chain")

    def _bandwidth(self, acct: AccountState, size: int, *, creates: bool) -> int:
        """Sun burnt for bandwidth; uses staked, then free, bandwidth as the docstring says."""
        if creates:
            if acct.net_limit - acct.net_used >= size * PARAMS["getCreateNewAccountBandwidthRate"]:
                acct.net_used += size
                return 0
            return PARAMS["getCreateAccountFee"]
        if acct.net_limit - acct.net_used >= size:
            acct.net_used += size
            return 0
        if PARAMS["getFreeNetLimit"] - acct.free_net_used >= size:
            acct.free_net_used += size
            return 0
        return size * PARAMS["getTransactionFee"]

    def _sender(self, owner: str) -> AccountState:
        acct = self.accounts.get(owner)
        if acct is None:
            raise SandboxError("CONTRACT_VALIDATE_ERROR", "Validate TransferContract error, no OwnerAccount.")
        return acct

    def _apply_transfer(self, raw: ttx.Raw, owner: str, size: int) -> dict[str, Any]:
        acct = self._sender(owner)
        to = from_bytes21(raw.to)
        if to == owner:
            raise SandboxError("CONTRACT_VALIDATE_ERROR", "Cannot transfer TRX to yourself.")
        creates = to not in self.accounts
        if raw.amount <= 0:
            raise SandboxError("CONTRACT_VALIDATE_ERROR", "Amount must be greater than 0.")
        saved = (acct.net_used, acct.free_net_used)
        net_fee = self._bandwidth(acct, size, creates=creates)
        fee = net_fee + (PARAMS["getCreateNewAccountFeeInSystemContract"] if creates else 0)
        if acct.balance < raw.amount + fee:
            acct.net_used, acct.free_net_used = saved
            raise SandboxError("CONTRACT_VALIDATE_ERROR", f"Validate TransferContract error, balance is not "
                               f"sufficient (needs {raw.amount + fee} sun).")
        acct.balance -= raw.amount + fee
        dest = self.accounts.setdefault(to, AccountState(create_time=self.now_ms()))
        dest.balance += raw.amount
        return {"fee": fee, "receipt": {"net_usage": 0 if net_fee else size, "net_fee": net_fee}}

    def _apply_trigger(self, raw: ttx.Raw, owner: str, size: int) -> dict[str, Any]:
        acct = self._sender(owner)
        if from_bytes21(raw.to) != USDT:
            raise SandboxError("CONTRACT_VALIDATE_ERROR", "No contract or not a smart contract")
        call = tokens.decode_transfer(raw.call_data)
        if call is None or raw.amount:
            raise SandboxError("CONTRACT_VALIDATE_ERROR", "this sandbox's TRC-20 only takes transfer(address,uint256)")
        if raw.fee_limit < 0 or raw.fee_limit > PARAMS["getMaxFeeLimit"]:
            raise SandboxError("CONTRACT_VALIDATE_ERROR", "feeLimit must be >= 0 and <= 15000000000")
        to = from_bytes21(bytes([VERSION]) + call[0])
        net_fee = self._bandwidth(acct, size, creates=False)
        energy = self._transfer_energy(to)
        staked = min(energy, acct.energy_limit - acct.energy_used)
        burn = (energy - staked) * PARAMS["getEnergyFee"]
        if acct.balance < net_fee + min(burn, raw.fee_limit):
            raise SandboxError("CONTRACT_VALIDATE_ERROR", "balance is not sufficient for the fee")
        acct.energy_used += staked
        if burn > raw.fee_limit:     # out of energy: the fee_limit is burnt and nothing moves
            acct.balance -= net_fee + raw.fee_limit
            return {"fee": net_fee + raw.fee_limit, "result": "FAILED", "resMessage": b"Not enough energy"
                    .hex(), "receipt": {"result": "OUT_OF_ENERGY", "energy_fee": raw.fee_limit,
                                        "energy_usage_total": energy, "net_fee": net_fee}}
        acct.balance -= net_fee + burn
        ok = self.usdt.get(owner, 0) >= call[1]
        if ok:
            self.usdt[owner] -= call[1]
            self.usdt[to] = self.usdt.get(to, 0) + call[1]
        receipt = {"result": "SUCCESS" if ok else "REVERT", "energy_fee": burn, "energy_usage": staked,
                   "energy_usage_total": energy, "net_fee": net_fee, "net_usage": 0 if net_fee else size}
        return {"fee": net_fee + burn, "receipt": receipt, **({} if ok else {"result": "FAILED"})}

    def resources(self, address: str) -> dict[str, Any]:
        a = self.accounts.get(address) or AccountState()
        out = {"freeNetLimit": PARAMS["getFreeNetLimit"], "freeNetUsed": a.free_net_used, "NetLimit": a.net_limit,
               "NetUsed": a.net_used, "EnergyLimit": a.energy_limit, "EnergyUsed": a.energy_used}
        return {k: v for k, v in out.items() if v}          # java-tron omits zero fields


def parse_address(text: Any) -> str:
    """A base58 address, or the 41-prefixed hex form the node also accepts."""
    s = str(text)
    if len(s) == 42 and s.startswith("41"):
        return from_bytes21(bytes.fromhex(s))
    return from_bytes21(to_bytes21(s))
