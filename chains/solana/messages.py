"""Off-chain message signing for Solana: ed25519 over the message bytes.

Two forms, chosen by the caller:
- raw (default): the signature covers exactly the message bytes. This is what Phantom, Solflare
  and the wallet-standard `signMessage` produce, and what dapps check with nacl/tweetnacl.
- offchain=True: the Solana off-chain message format v0 as implemented by the Solana CLI's
  `solana sign-offchain-message` (solana-sdk `offchain_message.rs`, 1.x):
      b"\\xffsolana offchain" | version u8 = 0 | format u8 | length u16 LE | message
  format 0 = restricted ASCII (printable, <= 1212 bytes), 1 = limited UTF-8 (<= 1212 bytes),
  2 = extended UTF-8 (<= 65515 bytes). The 0xff first byte can never start a transaction
  message, so such a signature can never authorise a transaction.
Raw bytes that parse as a transaction message (legacy, or v0 with or without its 0x80 prefix) are
refused: a signature over them is a signature of that transaction, spendable by whoever holds it.
Signatures are base58, as everywhere on Solana.
"""

from __future__ import annotations

import struct

from chains.errors import BadInput
from wallet_i18n import _

SIGNING_DOMAIN = b"\xffsolana offchain"
MAX_LEN_LEDGER = 1212
MAX_LEN = 65515


def offchain_v0(message: bytes) -> bytes:
    if not message:
        raise BadInput(_("an off-chain message may not be empty"))
    try:
        text = message.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(_("an off-chain message must be UTF-8 text")) from None
    n = len(message)
    if n <= MAX_LEN_LEDGER:
        fmt = 0 if all(0x20 <= b <= 0x7E for b in message) else 1
    elif n <= MAX_LEN:
        fmt = 2
    else:
        raise BadInput(_("an off-chain message may be at most {limit} bytes").format(limit=MAX_LEN))
    del text
    return SIGNING_DOMAIN + bytes([0, fmt]) + struct.pack("<H", n) + message


def is_transaction_message(data: bytes) -> bool:
    """True when `data` deserialises as a legacy Message or a v0 MessageV0 (solders' own parsers).

    Deliberately broad (a parse with trailing bytes counts too): refusing a rare text that happens to
    parse costs a retry with the off-chain format; signing a real message costs the account.
    """
    from solders.message import Message, MessageV0, from_bytes_versioned

    candidates = [(Message.from_bytes, data), (MessageV0.from_bytes, data), (from_bytes_versioned, data)]
    if data[:1] == b"\x80":
        candidates.append((MessageV0.from_bytes, data[1:]))
    for parse, raw in candidates:
        try:
            parse(raw)
        except Exception:  # noqa: BLE001, S112 - solders raises its own error types on any malformed input
            continue
        return True
    return False


def signed_bytes(message: bytes, offchain: bool) -> bytes:
    return offchain_v0(message) if offchain else message


def bytes_to_sign(message: bytes, offchain: bool) -> bytes:
    """What sign_message signs; refuses raw bytes that are a transaction message."""
    if not offchain and is_transaction_message(message):
        raise BadInput(_("these bytes are a Solana transaction message, and signing them would authorise that "
                         "transaction; sign text with the off-chain message format (--offchain) instead"))
    return signed_bytes(message, offchain)
