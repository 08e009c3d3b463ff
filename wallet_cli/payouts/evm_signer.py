"""A per-run EVM signer: the key is built once, fixed fields are RLP-encoded once, each tx is encoded once.

`chains.evm.sign.sign_transaction` serves one send: it checks and converts a JSON tx dict, builds the
secp256k1 key, RLP-encodes the fields for the signing hash and again for the raw bytes. For a payout of
thousands of rows from one account at one fee, all of that is the same every time except nonce, recipient,
value and data, so this signer keeps the encoded parts and concatenates (the bytes are identical; a test
compares them with sign_transaction).
"""

from __future__ import annotations

from chains.evm.fees import Fees
from chains.evm.rlp import _length_prefix, encode
from keystore.addresses import SECP256K1_ORDER, keccak256
from wallet_i18n import _

_HALF_ORDER = SECP256K1_ORDER // 2


class FastSigner:
    def __init__(self, key: bytes, chain_id: int, fees: Fees) -> None:
        from coincurve import PrivateKey

        if len(key) != 32 or not 0 < int.from_bytes(key, "big") < SECP256K1_ORDER:
            raise ValueError(_("the EVM signer needs a 32-byte secp256k1 private key"))
        self._key = PrivateKey(key)
        pub = self._key.public_key.format(compressed=False)
        self.address_bytes = keccak256(pub[1:])[-20:]
        self.chain_id = chain_id
        self.legacy = fees.legacy
        if self.legacy:
            self._price = encode(fees.max_fee)
            self._tail = encode(chain_id) + b"\x80\x80"          # EIP-155: chainId, 0, 0 in the signing hash
        else:
            self._head = encode(chain_id)
            self._fees = encode(int(fees.priority_fee or 0)) + encode(fees.max_fee)

    def sign(self, nonce: int, to: bytes, value: int, data: bytes, gas: int) -> tuple[str, str]:
        """(raw hex with 0x, txid) of one transfer."""
        common = encode(gas) + encode(to) + encode(value) + encode(data)
        if self.legacy:
            body = encode(nonce) + self._price + common
            pre = body + self._tail
            digest = keccak256(_length_prefix(len(pre), 0xC0) + pre)
        else:
            body = self._head + encode(nonce) + self._fees + common + b"\xc0"   # empty access list
            digest = keccak256(b"\x02" + _length_prefix(len(body), 0xC0) + body)
        sig = self._key.sign_recoverable(digest, hasher=None)
        r, s, rec = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
        if not 0 < s <= _HALF_ORDER or rec > 1:
            raise RuntimeError(_("libsecp256k1 returned a signature Ethereum does not accept"))
        v = rec + 35 + 2 * self.chain_id if self.legacy else rec
        full = body + encode(v) + encode(r) + encode(s)
        raw = _length_prefix(len(full), 0xC0) + full
        if not self.legacy:
            raw = b"\x02" + raw
        return "0x" + raw.hex(), "0x" + keccak256(raw).hex()
