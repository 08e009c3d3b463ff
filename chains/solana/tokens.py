"""SPL Token / Token-2022 / Associated Token Account encodings, written from the SPL program specs.

solders ships the account layouts' program ids and the ATA derivation but no instruction builders,
so the few instructions the wallet needs are packed here by hand. The integration tests prove each
encoding on the real programs inside LiteSVM.

Instruction data (spl-token `instruction.rs`, shared by Token-2022 for these indices):
  InitializeMint2 = 20: [20, decimals u8, mint_authority 32B, freeze COption: 0 | 1 + 32B]
  MintTo          = 7:  [7, amount u64 LE]
  FreezeAccount   = 10: [10]
  TransferChecked = 12: [12, amount u64 LE, decimals u8]
ATA program: Create = 0 (or empty data), CreateIdempotent = 1.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from solders.token.associated import get_associated_token_address

from wallet_i18n import _

TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
TOKEN_PROGRAMS = (TOKEN_PROGRAM, TOKEN_2022_PROGRAM)

MINT_LEN = 82
TOKEN_ACCOUNT_LEN = 165


def ata_address(owner: Pubkey, mint: Pubkey, token_program: Pubkey = TOKEN_PROGRAM) -> Pubkey:
    return get_associated_token_address(owner, mint, token_program)


def create_ata_idempotent(payer: Pubkey, owner: Pubkey, mint: Pubkey,
                          token_program: Pubkey = TOKEN_PROGRAM) -> Instruction:
    """Creates owner's ATA for mint if missing; a no-op (not an error) when it already exists."""
    ata = ata_address(owner, mint, token_program)
    return Instruction(ATA_PROGRAM, bytes([1]), [
        AccountMeta(payer, True, True),
        AccountMeta(ata, False, True),
        AccountMeta(owner, False, False),
        AccountMeta(mint, False, False),
        AccountMeta(SYSTEM_PROGRAM, False, False),
        AccountMeta(token_program, False, False),
    ])


def transfer_checked(source: Pubkey, mint: Pubkey, dest: Pubkey, owner: Pubkey, amount: int,
                     decimals: int, token_program: Pubkey = TOKEN_PROGRAM) -> Instruction:
    """The program re-checks `decimals` against the mint, so a wrong-decimals build cannot land."""
    data = bytes([12]) + struct.pack("<QB", amount, decimals)
    return Instruction(token_program, data, [
        AccountMeta(source, False, True),
        AccountMeta(mint, False, False),
        AccountMeta(dest, False, True),
        AccountMeta(owner, True, False),
    ])


def initialize_mint2(mint: Pubkey, decimals: int, authority: Pubkey, freeze_authority: Pubkey | None = None,
                     token_program: Pubkey = TOKEN_PROGRAM) -> Instruction:
    freeze = bytes([1]) + bytes(freeze_authority) if freeze_authority is not None else bytes([0])
    data = bytes([20, decimals]) + bytes(authority) + freeze
    return Instruction(token_program, data, [AccountMeta(mint, False, True)])


def freeze_account(account: Pubkey, mint: Pubkey, authority: Pubkey,
                   token_program: Pubkey = TOKEN_PROGRAM) -> Instruction:
    return Instruction(token_program, bytes([10]), [
        AccountMeta(account, False, True),
        AccountMeta(mint, False, False),
        AccountMeta(authority, True, False),
    ])


def mint_to(mint: Pubkey, dest: Pubkey, authority: Pubkey, amount: int,
            token_program: Pubkey = TOKEN_PROGRAM) -> Instruction:
    data = bytes([7]) + struct.pack("<Q", amount)
    return Instruction(token_program, data, [
        AccountMeta(mint, False, True),
        AccountMeta(dest, False, True),
        AccountMeta(authority, True, False),
    ])


@dataclass(frozen=True)
class MintInfo:
    decimals: int
    supply: int
    mint_authority: str | None
    freeze_authority: str | None = None


@dataclass(frozen=True)
class TokenAccountInfo:
    mint: str
    owner: str
    amount: int
    state: int          # 0 uninitialized, 1 initialized, 2 frozen


def parse_mint(data: bytes) -> MintInfo:
    """Base Mint layout (identical in Token-2022, whose extensions follow byte 165)."""
    if len(data) < MINT_LEN or data[45] != 1:
        raise ValueError(_("not an initialized SPL mint"))
    has_auth = struct.unpack_from("<I", data, 0)[0] == 1
    auth = str(Pubkey.from_bytes(data[4:36])) if has_auth else None
    supply, decimals = struct.unpack_from("<QB", data, 36)
    has_freeze = struct.unpack_from("<I", data, 46)[0] == 1
    freeze = str(Pubkey.from_bytes(data[50:82])) if has_freeze else None
    return MintInfo(decimals, supply, auth, freeze)


def parse_token_account(data: bytes) -> TokenAccountInfo:
    if len(data) < TOKEN_ACCOUNT_LEN:
        raise ValueError(_("not an SPL token account"))
    amount = struct.unpack_from("<Q", data, 64)[0]
    return TokenAccountInfo(str(Pubkey.from_bytes(data[0:32])), str(Pubkey.from_bytes(data[32:64])),
                            amount, data[108])
