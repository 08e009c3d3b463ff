"""Regenerate short_keys.json: v3 keystores for keys whose big-endian form is 30 or 31 bytes.

Written with pycryptodome and eth-keys only (not with keystore.interop), so the vectors are independent of
the code they test. Keystores written by geth before PR #3032 (2016) encrypted the key with its leading
zeros stripped, so the ciphertext is 30 or 31 bytes; later writers pad it to 32. Both must decrypt to the
same 32-byte key. Run: .venv/bin/python tests/vectors/web3_keystore/make_short_key_vectors.py
"""

import hashlib
import json
from pathlib import Path

from Crypto.Cipher import AES
from Crypto.Hash import keccak
from Crypto.Protocol.KDF import PBKDF2, scrypt
from Crypto.Util import Counter
from eth_keys import keys

PASSWORD = "short key password"


def _keccak(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def _keystore(plain: bytes, address: str, kdf: str, tag: str) -> dict:
    salt = hashlib.sha256(b"salt" + tag.encode()).digest()
    iv = hashlib.sha256(b"iv" + tag.encode()).digest()[:16]
    if kdf == "scrypt":
        derived = scrypt(PASSWORD.encode(), salt, 32, N=1024, r=8, p=1)
        params = {"dklen": 32, "n": 1024, "r": 8, "p": 1, "salt": salt.hex()}
    else:
        from Crypto.Hash import SHA256

        derived = PBKDF2(PASSWORD.encode(), salt, 32, count=1000, hmac_hash_module=SHA256)
        params = {"c": 1000, "dklen": 32, "prf": "hmac-sha256", "salt": salt.hex()}
    ctr = Counter.new(128, initial_value=int.from_bytes(iv, "big"))
    ciphertext = AES.new(derived[:16], AES.MODE_CTR, counter=ctr).encrypt(plain)
    return {
        "address": address,
        "crypto": {"cipher": "aes-128-ctr", "cipherparams": {"iv": iv.hex()}, "ciphertext": ciphertext.hex(),
                   "kdf": kdf, "kdfparams": params, "mac": _keccak(derived[16:32] + ciphertext).hex()},
        "id": "00000000-0000-4000-8000-00000000000" + str(len(plain) % 10),
        "version": 3,
    }


def main() -> None:
    cases = {}
    for zeros in (1, 2):
        body = hashlib.sha256(f"leading zeros {zeros}".encode()).digest()[zeros:]
        key = b"\x00" * zeros + body
        address = keys.PrivateKey(key).public_key.to_address()[2:].lower()
        for kdf in ("scrypt", "pbkdf2"):
            for form, plain in (("stripped", body), ("padded", key)):
                tag = f"{32 - zeros}-byte-{kdf}-{form}"
                cases[tag] = {"json": _keystore(plain, address, kdf, tag), "password": PASSWORD,
                              "priv": key.hex(), "ciphertext_len": len(plain)}
    out = Path(__file__).with_name("short_keys.json")
    out.write_text(json.dumps(cases, indent=2) + "\n")


if __name__ == "__main__":
    main()
