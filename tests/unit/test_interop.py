"""keystore.interop against the official Web3 Secret Storage vectors, eth-account and Foundry's cast."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from Crypto.Cipher import AES
from Crypto.Hash import keccak
from Crypto.Protocol.KDF import scrypt
from Crypto.Util import Counter
from eth_account import Account

from keystore.errors import BadSecretInput, WrongPassword
from keystore.interop import address_of, decrypt_keystore, encrypt_keystore

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors" / "web3_keystore"
CAST = REPO / ".tools" / "node" / "node_modules" / ".bin" / "cast"
BASIC = json.loads((VECTORS / "basic_tests.json").read_text())
SHORT = json.loads((VECTORS / "short_keys.json").read_text())
MEW = json.loads((VECTORS / "mew_capital_crypto.json").read_text())
V2 = json.loads((VECTORS / "pbkdf2_v2_test.json").read_text())
# From eth-keyfile's test suite: this key's checksummed address.
VECTOR_KEY = bytes.fromhex("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")
VECTOR_ADDRESS = "008aeeda4d805471df9b2a5b0f38a0c3bcba786b"
SMALL_N = 2**10


@pytest.mark.parametrize("name", sorted(BASIC))
def test_official_vectors(name: str) -> None:
    case = BASIC[name]
    raw = json.dumps(case["json"])
    # Both input types; the scrypt vector is slow (n=2^18), so one of each.
    data: str | bytes = raw if case["json"]["crypto"]["kdf"] == "scrypt" else raw.encode()
    assert decrypt_keystore(data, case["password"]).hex() == case["priv"]


def test_official_vector_wrong_password() -> None:
    case = BASIC["test1"]
    with pytest.raises(WrongPassword, match="MAC mismatch") as exc:
        decrypt_keystore(json.dumps(case["json"]), "testpassworD")
    assert "testpassword" not in str(exc.value)


def test_mew_keystore_with_capital_crypto_and_address() -> None:
    assert decrypt_keystore(MEW["json"], MEW["password"]).hex() == MEW["priv"]


def test_version_2_refused() -> None:
    case = V2["test1"]
    with pytest.raises(BadSecretInput, match="unsupported version 2"):
        decrypt_keystore(case["json"], case["password"])


@pytest.mark.parametrize("name", sorted(SHORT))
def test_keys_with_leading_zeros_decrypt_to_32_bytes(name: str) -> None:
    case = SHORT[name]
    key = decrypt_keystore(case["json"], case["password"])
    assert len(key) == 32 and key.hex() == case["priv"]
    assert len(bytes.fromhex(case["json"]["crypto"]["ciphertext"])) == case["ciphertext_len"]
    # eth-account returns the raw plaintext, so a stripped vector really is 30 or 31 bytes inside.
    theirs = bytes(Account.decrypt(case["json"], case["password"]))
    assert len(theirs) == case["ciphertext_len"] and theirs.rjust(32, b"\0") == key


def test_address_of_matches_eth_keyfile_vector_and_eth_account() -> None:
    assert address_of(VECTOR_KEY) == VECTOR_ADDRESS
    key = bytes(Account.create().key)[1:].rjust(32, b"\0")
    assert address_of(key) == Account.from_key(key).address.lower()[2:]


@pytest.mark.parametrize("key_hex", ["0011" + "22" * 30, "0000" + "33" * 30, VECTOR_KEY.hex()])
def test_our_export_opens_in_eth_account(key_hex: str) -> None:
    key = bytes.fromhex(key_hex)
    doc = encrypt_keystore(key, "pässword", scrypt_n=SMALL_N)
    assert bytes(Account.decrypt(doc, "pässword")) == key
    assert doc["address"] == Account.from_key(key).address.lower()[2:]
    assert decrypt_keystore(json.dumps(doc), "pässword") == key


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_eth_account_export_opens_in_ours(kdf: str) -> None:
    key = bytes.fromhex("00" + "ab" * 31)
    iterations = SMALL_N if kdf == "scrypt" else 1000
    doc = Account.encrypt(key, "hunter2", kdf=kdf, iterations=iterations)
    assert decrypt_keystore(json.dumps(doc), "hunter2") == key
    with pytest.raises(WrongPassword):
        decrypt_keystore(doc, "hunter3")


def test_export_format() -> None:
    doc = encrypt_keystore(VECTOR_KEY, "pw", scrypt_n=SMALL_N)
    assert doc["version"] == 3 and doc["address"] == VECTOR_ADDRESS
    crypto = doc["crypto"]
    assert crypto["cipher"] == "aes-128-ctr" and crypto["kdf"] == "scrypt"
    assert {k: v for k, v in crypto["kdfparams"].items() if k != "salt"} == \
        {"dklen": 32, "n": SMALL_N, "r": 8, "p": 1}
    assert len(bytes.fromhex(crypto["ciphertext"])) == 32
    assert doc != encrypt_keystore(VECTOR_KEY, "pw", scrypt_n=SMALL_N)  # fresh salt, iv and id


@pytest.mark.parametrize("bad", [b"", b"\0" * 32, bytes.fromhex("ff" * 32), b"\x01" * 31])
def test_export_refuses_invalid_keys(bad: bytes) -> None:
    with pytest.raises(BadSecretInput, match="not a valid secp256k1 key"):
        encrypt_keystore(bad, "pw", scrypt_n=SMALL_N)


def test_export_refuses_empty_password_and_bad_n() -> None:
    with pytest.raises(BadSecretInput, match="empty password"):
        encrypt_keystore(VECTOR_KEY, "", scrypt_n=SMALL_N)
    for n in (1000, 2**21, 1):
        with pytest.raises(BadSecretInput, match="power of two"):
            encrypt_keystore(VECTOR_KEY, "pw", scrypt_n=n)


def _edit(path: str, value: Any) -> dict:
    doc = copy.deepcopy(SHORT["31-byte-scrypt-padded"]["json"])
    target = doc
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return doc


_DELETE = object()
MALFORMED = [
    ("crypto", _DELETE, "'crypto' is missing"),
    ("version", 4, "unsupported version 4"),
    ("crypto.cipher", "aes-128-cbc", "unsupported cipher 'aes-128-cbc'"),
    ("crypto.cipherparams.iv", "00" * 15, "'cipherparams.iv' must be 16 bytes"),
    ("crypto.cipherparams.iv", "zz" * 16, "'cipherparams.iv' is not valid hex"),
    ("crypto.ciphertext", "00" * 33, "'ciphertext' must be at most 32 bytes"),
    ("crypto.ciphertext", "", "'ciphertext' is empty"),
    ("crypto.mac", "00" * 31, "'mac' must be 32 bytes"),
    ("crypto.mac", 5, "'mac' is not a hex string"),
    ("crypto.kdf", "argon2", "unsupported kdf 'argon2'"),
    ("crypto.kdfparams.dklen", 16, "dklen must be 32"),
    ("crypto.kdfparams.n", 1000, "kdfparams.n = 1000 is not a power of two"),
    ("crypto.kdfparams.n", 2**21, r"kdfparams.n = 2097152 is outside the accepted range 2..1048576"),
    ("crypto.kdfparams.n", True, "kdfparams.n is missing or not an integer"),
    ("crypto.kdfparams.r", 17, "kdfparams.r = 17 is outside"),
    ("crypto.kdfparams.p", 17, "kdfparams.p = 17 is outside"),
    ("crypto.kdfparams.p", 0, "kdfparams.p = 0 is outside"),
    ("crypto.kdfparams.salt", _DELETE, "'kdfparams.salt' is not a hex string"),
    ("address", "00" * 20, "address field does not match"),
]


@pytest.mark.parametrize(("path", "value", "message"), MALFORMED,
                         ids=[f"{m[0]}={'<deleted>' if m[1] is _DELETE else repr(m[1])}"[:40] for m in MALFORMED])
def test_malformed_keystores_refused_before_the_kdf(path: str, value: Any, message: str) -> None:
    doc = _edit(path, value)
    with pytest.raises(BadSecretInput, match=message):
        decrypt_keystore(doc, SHORT["31-byte-scrypt-padded"]["password"])


def test_scrypt_memory_cap_and_pbkdf2_caps_refused_quickly() -> None:
    doc = _edit("crypto.kdfparams.n", 2**20)
    doc["crypto"]["kdfparams"]["r"] = 16  # 2 GiB of scrypt memory
    pbkdf = copy.deepcopy(SHORT["31-byte-pbkdf2-padded"]["json"])
    cases = [(doc, "needs more than 1024 MiB")]
    for c, prf, message in ((10_000_001, "hmac-sha256", "kdfparams.c = 10000001 is outside"),
                            (0, "hmac-sha256", "kdfparams.c = 0 is outside"),
                            (1000, "hmac-sha512", "prf must be 'hmac-sha256'")):
        edited = copy.deepcopy(pbkdf)
        edited["crypto"]["kdfparams"].update({"c": c, "prf": prf})
        cases.append((edited, message))
    for case, message in cases:
        start = time.monotonic()
        with pytest.raises(BadSecretInput, match=message):
            decrypt_keystore(case, "pw")
        assert time.monotonic() - start < 0.5


def test_not_json_and_not_an_object() -> None:
    for raw in ("", "{", "[1]", b"\xff\xfe"):
        with pytest.raises(BadSecretInput):
            decrypt_keystore(raw, "pw")


def test_zero_key_inside_a_valid_keystore_refused() -> None:
    """A keystore (built with pycryptodome) whose MAC is right but whose key is zero."""
    salt, iv = os.urandom(32), os.urandom(16)
    derived = scrypt(b"pw", salt, 32, N=SMALL_N, r=8, p=1)
    ctr = Counter.new(128, initial_value=int.from_bytes(iv, "big"))
    ct = AES.new(derived[:16], AES.MODE_CTR, counter=ctr).encrypt(b"\0" * 32)
    mac = keccak.new(digest_bits=256, data=derived[16:32] + ct).hexdigest()
    doc = {"version": 3, "id": "x", "crypto": {
        "cipher": "aes-128-ctr", "cipherparams": {"iv": iv.hex()}, "ciphertext": ct.hex(), "kdf": "scrypt",
        "kdfparams": {"dklen": 32, "n": SMALL_N, "r": 8, "p": 1, "salt": salt.hex()}, "mac": mac}}
    with pytest.raises(BadSecretInput, match="not a valid secp256k1 key"):
        decrypt_keystore(doc, "pw")


def _cast_decrypt(tmp_path: Path, doc: dict, password: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "export.json").write_text(json.dumps(doc))
    env = {**os.environ, "CAST_UNSAFE_PASSWORD": password}
    return subprocess.run([str(CAST), "wallet", "decrypt-keystore", "-k", str(tmp_path), "export.json"],
                          env=env, capture_output=True, text=True, timeout=120)


needs_cast = pytest.mark.skipif(not CAST.exists(), reason="cast is installed by the project's bootstrap")


@needs_cast
@pytest.mark.parametrize("key_hex", ["00" + "5a" * 31, "0000" + "c3" * 30])
def test_cast_opens_our_export_of_short_keys(tmp_path: Path, key_hex: str) -> None:
    result = _cast_decrypt(tmp_path, encrypt_keystore(bytes.fromhex(key_hex), "cast pw", scrypt_n=SMALL_N),
                           "cast pw")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"0x{key_hex}")
    wrong = _cast_decrypt(tmp_path, encrypt_keystore(bytes.fromhex(key_hex), "cast pw", scrypt_n=SMALL_N),
                          "other")
    assert key_hex not in wrong.stdout


@needs_cast
@pytest.mark.slow
def test_cast_opens_our_default_export(tmp_path: Path) -> None:
    """The real export parameters (scrypt n=2^18, r=8, p=1), as geth, cast and MetaMask use."""
    key = bytes(Account.create().key)
    doc = encrypt_keystore(key, "default export")
    assert doc["crypto"]["kdfparams"]["n"] == 2**18
    result = _cast_decrypt(tmp_path, doc, "default export")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("0x" + key.hex())
    assert decrypt_keystore(doc, "default export") == key
