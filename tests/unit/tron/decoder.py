"""Independent judges of the TRON transactions we sign, none of them chains.tron code:
- TRON's official .proto schema (tron_subset.proto, copied from tronprotocol/protocol) compiled by
  grpcio-tools' protoc and parsed by Google's protobuf runtime;
- trezorlib's TRON messages (trezorlib.tron.from_raw_data, SatoshiLabs' own protobuf reader), which must
  read the same fields;
- addresses by bip_utils, the signer recovered by coincurve, TRC-20 calls by eth_abi.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import coincurve
from bip_utils import TrxAddrEncoder

_HERE = Path(__file__).parent
_lock = threading.Lock()
_module: ModuleType | None = None


def schema() -> ModuleType:
    """The generated tron_subset_pb2 module, compiled once per process."""
    global _module
    with _lock:
        if _module is None:
            import grpc_tools
            from grpc_tools import protoc

            out = Path(tempfile.mkdtemp(prefix="tron-pb-"))
            include = Path(grpc_tools.__file__).parent / "_proto"
            rc = protoc.main(["protoc", f"-I{_HERE}", f"-I{include}", f"--python_out={out}",
                              str(_HERE / "tron_subset.proto")])
            if rc != 0:
                raise RuntimeError(f"protoc failed with {rc}")
            sys.path.insert(0, str(out))
            try:
                _module = importlib.import_module("tron_subset_pb2")
            finally:
                sys.path.remove(str(out))
                shutil.rmtree(out, ignore_errors=True)   # the module is loaded; leave nothing in /tmp
        return _module


def _b58(raw21: bytes) -> str:
    assert raw21[:1] == b"\x41" and len(raw21) == 21, raw21.hex()
    # bip_utils encodes from a public key; for a 20-byte hash, build the base58check by hand with its codec.
    from bip_utils import Base58Encoder

    return Base58Encoder.CheckEncode(raw21)


@dataclass
class Decoded:
    txid: str                  # sha256 of the raw bytes as Google's runtime re-serialises them
    contract: str              # "TransferContract" or "TriggerSmartContract"
    owner: str
    to: str                    # TRX recipient, or the TRC-20 contract
    amount: int                # TRX sun, or call_value
    data: bytes                # trigger call data
    memo: bytes
    expiration: int
    fee_limit: int
    signer: str | None         # the address coincurve recovers from the signature


def decode(tx_hex: str) -> Decoded:
    """Decode a signed Transaction (raw_data + signature) as broadcasthex takes it."""
    pb = schema()
    tx = pb.Transaction()
    blob = bytes.fromhex(tx_hex)
    tx.ParseFromString(blob)
    assert tx.SerializeToString(deterministic=True) == blob, "not canonical protobuf"
    raw = tx.raw_data
    raw_bytes = raw.SerializeToString(deterministic=True)
    assert len(raw.contract) == 1
    c = raw.contract[0]
    name = pb.Transaction.Contract.ContractType.Name(c.type)
    assert c.parameter.type_url == f"type.googleapis.com/protocol.{name}", c.parameter.type_url
    if name == "TransferContract":
        v = pb.TransferContract()
        assert c.parameter.Unpack(v)
        to, amount, data = v.to_address, v.amount, b""
    else:
        assert name == "TriggerSmartContract", name
        v = pb.TriggerSmartContract()
        assert c.parameter.Unpack(v)
        to, amount, data = v.contract_address, v.call_value, v.data
    txid = hashlib.sha256(raw_bytes).hexdigest()
    signer = None
    if len(tx.signature) == 1 and len(tx.signature[0]) == 65:
        sig = tx.signature[0]
        pub = coincurve.PublicKey.from_signature_and_message(sig[:64] + bytes([sig[64] % 27]),
                                                             bytes.fromhex(txid), hasher=None)
        signer = TrxAddrEncoder.EncodeKey(pub.format(compressed=False))
    trezor_agrees(raw_bytes, name, v.owner_address, to, amount, data, raw)
    return Decoded(txid, name, _b58(v.owner_address), _b58(to), amount, data, raw.data, raw.expiration,
                   raw.fee_limit, signer)


def trezor_agrees(raw_bytes: bytes, name: str, owner: bytes, to: bytes, amount: int, data: bytes,
                   raw: Any) -> None:
    from trezorlib import messages, tron

    sign_tx, contract = tron.from_raw_data(raw_bytes)
    assert (sign_tx.expiration, sign_tx.timestamp, sign_tx.fee_limit or 0, sign_tx.data or b"") == (
        raw.expiration, raw.timestamp, raw.fee_limit, raw.data)
    assert (sign_tx.ref_block_bytes, sign_tx.ref_block_hash) == (raw.ref_block_bytes, raw.ref_block_hash)
    if name == "TransferContract":
        assert isinstance(contract, messages.TronTransferContract)
        assert (contract.owner_address, contract.to_address, contract.amount) == (owner, to, amount)
    else:
        assert isinstance(contract, messages.TronTriggerSmartContract)
        assert (contract.owner_address, contract.contract_address, contract.data) == (owner, to, data)


def trc20_transfer(data: bytes) -> tuple[str, int]:
    """(recipient, value) of an ABI transfer(address,uint256) call, decoded with eth_abi."""
    from eth_abi import decode as abi_decode

    assert data[:4] == bytes.fromhex("a9059cbb"), data[:4].hex()
    to, value = abi_decode(["address", "uint256"], data[4:])
    return _b58(b"\x41" + bytes.fromhex(to[2:])), value
