"""Bitcoin message signatures against published vectors and an independent verifier (the bip322 package)."""

from __future__ import annotations

import bip322
import pytest

from chains.bitcoin.messages import sign, verify
from keystore.keys import parse_private_key

# BIP-322's test vectors (P2WPKH, "simple" encoding).
ADDR = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"
KEY = "L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k"
VECTORS = {
    b"": "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40"
         "ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=",
    b"Hello World": "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/s"
                    "ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=",
}
# Bitcoin Core's rpc_signmessage.py: signmessagewithprivkey on testnet.
CORE_KEY, CORE_ADDR = "cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N", "mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB"
CORE_SIG = "INbVnW4e6PeRmsv2Qgu8NuopvrVjkcxob+sX8OcZG0SALhWybUjzMLPdAsXI46YZGb0KQTRii+wWIQzRpG/U+S0="


@pytest.mark.parametrize("message", list(VECTORS))
def test_bip322_vectors_verify_and_our_signatures_pass_an_independent_verifier(message: bytes) -> None:
    assert verify(message, VECTORS[message], ADDR)
    assert not verify(message + b"!", VECTORS[message], ADDR)
    ours = sign(message, parse_private_key(KEY, "btc").private_key, ADDR)
    assert bip322.verify_simple_encoded(ADDR, message.decode(), ours) is None    # raises if invalid
    assert verify(message, ours, ADDR)


def test_legacy_format_matches_bitcoin_core() -> None:
    key = parse_private_key(CORE_KEY, "btc").private_key
    assert sign(b"This is just a test message", key, CORE_ADDR) == CORE_SIG
    assert verify(b"This is just a test message", CORE_SIG, CORE_ADDR)
    assert not verify(b"This is just a test message.", CORE_SIG, CORE_ADDR)


def test_wrong_key_and_garbage_are_refused() -> None:
    one = (1).to_bytes(32, "big")
    from chains.errors import BadInput

    with pytest.raises(BadInput, match="does not belong"):
        sign(b"x", one, ADDR)
    assert not verify(b"x", "not base64!!", ADDR)
    assert not verify(b"x", "AAAA", CORE_ADDR)
