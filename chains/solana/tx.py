"""Pure transaction assembly for Solana: instructions in, legacy message out. No I/O.

The adapter decides what to send (after reading the chain); this module only puts the compute
budget instructions in front, fixes the blockhash and computes the fee the runtime will charge,
so the same code serves online builds, `--sign-only --blockhash` offline builds and re-signing
with a fresh blockhash.
"""

from __future__ import annotations

import base64
import statistics

from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import AccountMeta, CompiledInstruction, Instruction
from solders.message import Message
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import TransferParams
from solders.system_program import transfer as system_transfer
from solders.transaction import VersionedTransaction

from chains.solana import tokens as spl
from wallet_i18n import _

LAMPORTS_PER_SIGNATURE = 5000
MAX_COMPUTE_UNITS = 1_400_000
CU_HEADROOM = 1.1                 # simulated units * 1.1 ...
CU_MARGIN = 1_000                 # ... + a fixed margin, for small variations between sim and landing
# Offline builds cannot simulate; these limits are about twice what the runtime uses (measured in
# the sandbox: a SOL transfer ~450 CU, an SPL transfer_checked with idempotent ATA create ~30k CU).
OFFLINE_CU_SOL = 2_000
OFFLINE_CU_SPL = 80_000


def sol_transfer(sender: Pubkey, recipient: Pubkey, lamports: int) -> list[Instruction]:
    return [system_transfer(TransferParams(from_pubkey=sender, to_pubkey=recipient, lamports=lamports))]


def spl_transfer(sender: Pubkey, dest: Pubkey, mint: Pubkey, amount: int, decimals: int,
                 program: Pubkey, create_for: Pubkey | None) -> list[Instruction]:
    """transfer_checked from the sender's ATA to `dest`; first create `create_for`'s ATA if asked."""
    ixs = []
    if create_for is not None:
        ixs.append(spl.create_ata_idempotent(sender, create_for, mint, program))
    source = spl.ata_address(sender, mint, program)
    ixs.append(spl.transfer_checked(source, mint, dest, sender, amount, decimals, program))
    return ixs


MEMO_PROGRAM = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")   # SPL Memo v2
MAX_MEMO_BYTES = 500


def memo(signer: Pubkey, text: str) -> Instruction:
    """An SPL Memo v2 instruction: UTF-8 bytes as data, signed by the sender (so it is attributable)."""
    return Instruction(MEMO_PROGRAM, text.encode(), [AccountMeta(signer, True, False)])


def compose(payer: Pubkey, ixs: list[Instruction], blockhash: str, cu_limit: int, cu_price: int,
            *, price_ix: bool = False) -> Message:
    """price_ix keeps a price instruction even at price 0, so a simulation uses the same units."""
    budget = [set_compute_unit_limit(cu_limit)]
    if cu_price or price_ix:
        budget.append(set_compute_unit_price(cu_price))
    return Message.new_with_blockhash(budget + ixs, payer, Hash.from_string(blockhash))


def with_blockhash(msg: Message, blockhash: str) -> Message:
    """The same message (keys, instructions, budget) under a fresh blockhash, for re-signing."""
    h = msg.header
    return Message.new_with_compiled_instructions(
        h.num_required_signatures, h.num_readonly_signed_accounts, h.num_readonly_unsigned_accounts,
        msg.account_keys, Hash.from_string(blockhash), msg.instructions)


# Caps on what the RPC may choose for us: a price from getRecentPrioritizationFees above this is
# clamped (10 lamports per CU), and a simulated unit count above the runtime's per-instruction default
# is the node's claim, not ours to pay for.
MAX_AUTO_CU_PRICE = 10_000_000
MAX_CU_PER_INSTRUCTION = 200_000
COMPUTE_BUDGET = Pubkey.from_string("ComputeBudget111111111111111111111111111111")


def with_cu_limit(msg: Message, limit: int) -> Message:
    """The same message with its SetComputeUnitLimit instruction set to `limit`."""
    ixs = []
    for ix in msg.instructions:
        if msg.account_keys[ix.program_id_index] == COMPUTE_BUDGET and bytes(ix.data)[:1] == b"\x02":
            ix = CompiledInstruction(ix.program_id_index, b"\x02" + limit.to_bytes(4, "little"), bytes(ix.accounts))
        ixs.append(ix)
    h = msg.header
    return Message.new_with_compiled_instructions(
        h.num_required_signatures, h.num_readonly_signed_accounts, h.num_readonly_unsigned_accounts,
        msg.account_keys, msg.recent_blockhash, ixs)


def cu_limit_from_units(units: int, instructions: int | None = None) -> int:
    """The limit to ask for: simulated units plus headroom; with `instructions`, also at most the runtime's
    200k-CU default for each of them (a simulated count above that is the RPC's claim, not ours to pay)."""
    cap = MAX_COMPUTE_UNITS if instructions is None else min(MAX_COMPUTE_UNITS,
                                                             MAX_CU_PER_INSTRUCTION * max(instructions, 1))
    return min(cap, int(units * CU_HEADROOM) + CU_MARGIN)


def budget_of(msg: Message) -> tuple[int, int]:
    """(compute-unit limit, price in micro-lamports per CU) as the runtime reads them from the message.

    Without a limit instruction the runtime grants 200,000 CU per other instruction (at most 1.4M).
    """
    limit: int | None = None
    price = 0
    others = 0
    for ix in msg.instructions:
        data = bytes(ix.data)
        if msg.account_keys[ix.program_id_index] != COMPUTE_BUDGET:
            others += 1
        elif data[:1] == b"\x02" and len(data) == 5:
            limit = int.from_bytes(data[1:5], "little")
        elif data[:1] == b"\x03" and len(data) == 9:
            price = int.from_bytes(data[1:9], "little")
    if limit is None:
        limit = MAX_CU_PER_INSTRUCTION * others
    return min(limit, MAX_COMPUTE_UNITS), price


def fee_of_message(msg: Message) -> int:
    """The fee the runtime charges for exactly this message: 5000 lamports per signature plus
    ceil(price x limit / 1e6) for the priority fee, read from the message's own budget instructions."""
    limit, price = budget_of(msg)
    return local_fee(msg, limit, price)


def local_fee(msg: Message, cu_limit: int, cu_price: int) -> int:
    """The runtime's fee: 5000 lamports per signature plus ceil(price * limit / 1e6)."""
    priority = (cu_price * cu_limit + 999_999) // 10**6
    return LAMPORTS_PER_SIGNATURE * msg.header.num_required_signatures + priority


def median_fee(fees: list[int]) -> int:
    return int(statistics.median(fees)) if fees else 0


def message_b64(msg: Message) -> str:
    return base64.b64encode(bytes(msg)).decode()


def message_from_b64(text: str) -> Message:
    return Message.from_bytes(base64.b64decode(text))


def unsigned_tx_b64(msg: Message) -> str:
    """A transaction with empty signatures, for simulation with sigVerify off (before signing)."""
    sigs = [Signature.default()] * msg.header.num_required_signatures
    return base64.b64encode(bytes(VersionedTransaction.populate(msg, sigs))).decode()


def writable_accounts(msg: Message) -> list[str]:
    h, keys = msg.header, msg.account_keys
    n = h.num_required_signatures
    out = []
    for i, k in enumerate(keys):
        signed_rw = i < n - h.num_readonly_signed_accounts
        unsigned_rw = n <= i < len(keys) - h.num_readonly_unsigned_accounts
        if signed_rw or unsigned_rw:
            out.append(str(k))
    return out


def logs_tail(logs: list[str], n: int = 8) -> str:
    from chains.transport.jsonrpc import node_text  # the node's text: one inert line

    return node_text(" | ".join(str(x) for x in logs[-n:])) if logs else _("no program logs")
