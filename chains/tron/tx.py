"""TRON transactions: Transaction.raw with one TransferContract or TriggerSmartContract, and its txID.

Field numbers are from TRON's core/Tron.proto and core/contract/*.proto (tronprotocol/protocol):
  Transaction          raw_data=1 signature=2 (repeated)
  Transaction.raw      ref_block_bytes=1 ref_block_num=3 ref_block_hash=4 expiration=8 data=10
                       contract=11 (repeated) timestamp=14 fee_limit=18
  Transaction.Contract type=1 parameter=2 (google.protobuf.Any: type_url=1 value=2) Permission_id=5
  TransferContract     owner_address=1 to_address=2 amount=3
  TriggerSmartContract owner_address=1 contract_address=2 call_value=3 data=4
txID = sha256(raw bytes). The memo is raw.data, so it is part of what is hashed and signed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from chains.tron import proto as pb
from chains.tron.address import from_bytes21
from wallet_i18n import _

TRANSFER, TRIGGER = 1, 31
TYPE_URLS = {TRANSFER: "type.googleapis.com/protocol.TransferContract",
             TRIGGER: "type.googleapis.com/protocol.TriggerSmartContract"}
NAMES = {TRANSFER: "TransferContract", TRIGGER: "TriggerSmartContract"}
MAX_EXPIRATION_MS = 24 * 3600 * 1000      # java-tron refuses an expiration more than a day ahead


@dataclass(frozen=True)
class RefBlock:
    """TaPoS: bytes 6..8 of the block number and bytes 8..16 of the block id of a recent block."""

    number: int
    block_id: bytes                       # 32 bytes: 8-byte number || 24 bytes of the header hash

    @property
    def ref_bytes(self) -> bytes:
        return (self.number & 0xFFFF).to_bytes(2, "big")

    @property
    def ref_hash(self) -> bytes:
        return self.block_id[8:16]

    @classmethod
    def parse(cls, text: str) -> RefBlock:
        """NUMBER:BLOCKID (the block id in hex, as getnowblock's blockID)."""
        num, _colon, bid = text.strip().partition(":")
        try:
            block_id = bytes.fromhex(bid.removeprefix("0x"))
            number = int(num)
        except ValueError:
            raise ValueError(_('a reference block is NUMBER:BLOCKID, e.g. 1234:00000000000004d2…')) from None
        if len(block_id) != 32 or number < 0 or int.from_bytes(block_id[:8], "big") != number:
            raise ValueError(_('a block id is 32 bytes whose first 8 are the block number'))
        return cls(number, block_id)


@dataclass(frozen=True)
class Raw:
    """The fields of Transaction.raw that this wallet writes and reads."""

    ref_bytes: bytes
    ref_hash: bytes
    expiration: int                       # ms since the epoch
    timestamp: int                        # ms
    contract_type: int
    owner: bytes                          # 21 bytes
    to: bytes                             # recipient (TRX) or token contract (TRC-20), 21 bytes
    amount: int = 0                       # sun (TRX); call_value for a trigger (always 0 here)
    call_data: bytes = b""                # TRC-20: the ABI call
    memo: bytes = b""
    fee_limit: int = 0

    def contract_value(self) -> bytes:
        if self.contract_type == TRANSFER:
            return pb.message([pb.bytes_field(1, self.owner), pb.bytes_field(2, self.to),
                               pb.int_field(3, self.amount)])
        return pb.message([pb.bytes_field(1, self.owner), pb.bytes_field(2, self.to),
                           pb.int_field(3, self.amount), pb.bytes_field(4, self.call_data)])

    def encode(self) -> bytes:
        any_ = pb.message([pb.bytes_field(1, TYPE_URLS[self.contract_type].encode()),
                           pb.bytes_field(2, self.contract_value())])
        contract = pb.message([pb.int_field(1, self.contract_type), pb.bytes_field(2, any_)])
        return pb.message([pb.bytes_field(1, self.ref_bytes), pb.bytes_field(4, self.ref_hash),
                           pb.int_field(8, self.expiration), pb.bytes_field(10, self.memo),
                           pb.bytes_field(11, contract), pb.int_field(14, self.timestamp),
                           pb.int_field(18, self.fee_limit)])

    @property
    def owner_address(self) -> str:
        return from_bytes21(self.owner)

    @property
    def to_address(self) -> str:
        return from_bytes21(self.to)


def txid(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def decode_raw(raw: bytes) -> Raw:
    """Parse Transaction.raw; ProtoError unless it holds exactly one Transfer or Trigger contract."""
    f = pb.fields(raw, {1: "bytes", 3: "int", 4: "bytes", 8: "int", 9: "bytes", 10: "bytes", 11: "bytes",
                        12: "bytes", 14: "int", 18: "int"})
    if f.get(9) or f.get(12):
        raise pb.ProtoError(_("auths and scripts are not used by this wallet's transactions"))
    contracts = f.get(11, [])
    if len(contracts) != 1:
        raise pb.ProtoError(_('a TRON transaction holds exactly one contract'))
    c = pb.fields(bytes(contracts[0]), {1: "int", 2: "bytes", 3: "bytes", 4: "bytes", 5: "int"})
    ctype = int(pb.one(c, 1, 0))
    if ctype not in TYPE_URLS or pb.one(c, 5, 0):
        raise pb.ProtoError(_('contract type {ctype} (or a permission id) is not one this wallet signs').format(
            ctype=ctype))
    any_ = pb.fields(bytes(pb.one(c, 2, b"")), {1: "bytes", 2: "bytes"})
    if bytes(pb.one(any_, 1, b"")) != TYPE_URLS[ctype].encode():
        raise pb.ProtoError(_("the contract's type URL does not match its type"))
    spec = {1: "bytes", 2: "bytes", 3: "int"} if ctype == TRANSFER else \
        {1: "bytes", 2: "bytes", 3: "int", 4: "bytes", 5: "int", 6: "int"}
    v = pb.fields(bytes(pb.one(any_, 2, b"")), spec)
    if ctype == TRIGGER and (pb.one(v, 5, 0) or pb.one(v, 6, 0)):
        raise pb.ProtoError(_('TRC-10 token values in a trigger are not used by this wallet'))
    return Raw(bytes(pb.one(f, 1, b"")), bytes(pb.one(f, 4, b"")), pb.as_int64(int(pb.one(f, 8, 0))),
               pb.as_int64(int(pb.one(f, 14, 0))), ctype, bytes(pb.one(v, 1, b"")), bytes(pb.one(v, 2, b"")),
               pb.as_int64(int(pb.one(v, 3, 0))), bytes(pb.one(v, 4, b"")) if ctype == TRIGGER else b"",
               bytes(pb.one(f, 10, b"")), pb.as_int64(int(pb.one(f, 18, 0))))


def signed_bytes(raw: bytes, signature: bytes) -> bytes:
    """The Transaction message (raw_data and one signature) as broadcasthex takes it."""
    return pb.message([pb.bytes_field(1, raw), pb.bytes_field(2, signature)])


def split_signed(tx: bytes) -> tuple[bytes, list[bytes]]:
    """(raw bytes, signatures) of a Transaction; ret (field 5) is allowed and ignored."""
    f = pb.fields(tx, {1: "bytes", 2: "bytes", 5: "bytes"})
    return bytes(pb.one(f, 1, b"")), [bytes(s) for s in f.get(2, [])]


def bandwidth_bytes(raw: bytes) -> int:
    """Bandwidth points a transaction costs: its serialised size with one signature, plus the 64
    bytes java-tron reserves for the result (MAX_RESULT_SIZE_IN_TX)."""
    return len(signed_bytes(raw, b"\0" * 65)) + 64
