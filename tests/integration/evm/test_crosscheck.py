"""Our addresses, transactions and signatures checked against independent references:
the EIP-55 and EIP-712 specification vectors and Foundry's cast (Rust, alloy).
"""

from __future__ import annotations

import json
import secrets

import pytest
from eth_account import Account as EthAccount

from chains.base import Amount, Transfer
from chains.errors import InvalidAddress
from chains.evm import Adapter, build_offline

from .helpers import cast, local_network, new_wallet

# EIP-55's own examples (the first four are their own checksum in all caps / all lower case).
EIP55 = ["0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
         "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
         "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
         "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"]
NET = local_network("http://127.0.0.1:9")
DEV1_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


@pytest.mark.parametrize("addr", EIP55)
def test_eip55_vectors(addr):
    assert Adapter.parse_address(addr, NET) == addr
    assert Adapter.parse_address(addr.lower(), NET) == addr
    assert Adapter.parse_address("0x" + addr[2:].upper(), NET) == addr


@pytest.mark.parametrize("addr", EIP55[4:])
def test_wrong_checksum_rejected(addr):
    i = next(i for i, c in enumerate(addr) if i > 1 and c.isalpha())
    bad = addr[:i] + addr[i].swapcase() + addr[i + 1:]
    with pytest.raises(InvalidAddress, match="invalid EIP-55 checksum"):
        Adapter.parse_address(bad, NET)


@pytest.mark.parametrize(("text", "kind"), [
    ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "Bitcoin"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "Bitcoin"),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "Bitcoin"),
    ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "Bitcoin"),
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TRON"),
    ("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "Solana"),
])
def test_other_chains_addresses_named(text, kind):
    with pytest.raises(InvalidAddress, match=f"looks like an? {kind}"):
        Adapter.parse_address(text, NET)


@pytest.mark.parametrize(("text", "match"), [
    ("0x" + "0" * 40, "zero address"), ("0x1234", "4 hex digits"), ("vitalik.eth", "ENS"),
    ("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x prefix"), ("0xZZ" + "0" * 38, "not hex"), ("", "empty"),
])
def test_malformed_addresses(text, match):
    with pytest.raises(InvalidAddress, match=match):
        Adapter.parse_address(text, NET)


def test_checksum_matches_cast_for_random_addresses():
    addrs = ["0x" + secrets.token_hex(20) for _ in range(5)]
    for a in addrs:
        out = cast("to-check-sum-address", a)
        assert out.returncode == 0, out.stderr
        assert Adapter.parse_address(a, NET) == out.stdout.strip()


def _cast_mktx(*args: str) -> str:
    out = cast("mktx", "--private-key", DEV1_KEY, "--chain", "31337", "--rpc-url", "http://127.0.0.1:9", *args)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_offline_eip1559_tx_is_byte_identical_to_cast():
    dev = new_wallet(bytes.fromhex(DEV1_KEY[2:]))
    to = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    unsigned = build_offline(Transfer(NET, dev.account, to, Amount(12345, 18, "ETH")), nonce=3,
                             max_fee=3 * 10**9, priority_fee=10**9, gas_limit=21000)
    signed = Adapter(NET).sign(unsigned, dev.signer)
    assert signed.raw == _cast_mktx("--nonce", "3", "--gas-limit", "21000", "--priority-gas-price",
                                    str(10**9), "--gas-price", str(3 * 10**9), to, "--value", "12345")
    decoded = json.loads(cast("decode-transaction", signed.raw).stdout)
    decoded = json.loads(decoded) if isinstance(decoded, str) else decoded
    assert decoded["signer"].lower() == dev.address.lower()
    assert decoded["hash"] == signed.txid


def test_offline_legacy_and_erc20_txs_match_cast():
    dev = new_wallet(bytes.fromhex(DEV1_KEY[2:]))
    to, tok = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    legacy_net = local_network("http://127.0.0.1:9", legacy_fees=True)
    unsigned = build_offline(Transfer(legacy_net, dev.account, to, Amount(7, 18, "ETH")), nonce=0,
                             max_fee=2 * 10**9, priority_fee=None, gas_limit=21000)
    assert Adapter(legacy_net).sign(unsigned, dev.signer).raw == _cast_mktx(
        "--legacy", "--nonce", "0", "--gas-limit", "21000", "--gas-price", str(2 * 10**9), to, "--value", "7")

    unsigned = build_offline(Transfer(NET, dev.account, to, Amount(5_000_000, 6, "TT"), token=tok), nonce=9,
                             max_fee=3 * 10**9, priority_fee=10**9, gas_limit=60000)
    assert Adapter(NET).sign(unsigned, dev.signer).raw == _cast_mktx(
        "--nonce", "9", "--gas-limit", "60000", "--priority-gas-price", str(10**9), "--gas-price",
        str(3 * 10**9), tok, "transfer(address,uint256)", to, "5000000")


def cast_verifies(address: str, *args: str) -> bool:
    # cast 1.7.1 exits 0 even when validation fails, so read what it says.
    out = cast("wallet", "verify", "--address", address, *args)
    text = out.stdout + out.stderr
    assert ("Validation succeeded" in text) != ("Validation failed" in text), text
    return "Validation succeeded" in text and out.returncode == 0


def test_personal_sign_matches_cast_and_verifies():
    w = new_wallet()
    key_hex = "0x" + w.signer.private_key.hex()
    ad = Adapter(NET)
    for message in ("hello", "multi\nline ünïcode message"):
        sig = ad.sign_message(message.encode(), w.signer)
        ref = cast("wallet", "sign", "--private-key", key_hex, message)
        assert ref.returncode == 0, ref.stderr
        assert sig == ref.stdout.strip()
        assert cast_verifies(w.address, message, sig)
        assert not cast_verifies(new_wallet().address, message, sig)
        assert ad.verify_message(message.encode(), sig, w.address)
        assert not ad.verify_message(message.encode() + b"!", sig, w.address)
        assert not ad.verify_message(message.encode(), sig, new_wallet().address)
    assert not ad.verify_message(b"x", "0x1234", w.address)


# The example from the EIP-712 specification (its Example.js): key = keccak256("cow").
MAIL = {
    "types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                         {"name": "chainId", "type": "uint256"},
                         {"name": "verifyingContract", "type": "address"}],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"},
                 {"name": "contents", "type": "string"}],
    },
    "primaryType": "Mail",
    "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
               "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
    "message": {"from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
                "contents": "Hello, Bob!"},
}
COW_KEY = "c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4"
MAIL_SIG = ("0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
            "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562" "1c")


def test_eip712_spec_vector_and_cast():
    cow = new_wallet(bytes.fromhex(COW_KEY))
    assert cow.address == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"
    ad = Adapter(NET)
    sig = ad.sign_typed_data(MAIL, cow.signer)
    assert sig == MAIL_SIG
    ref = cast("wallet", "sign", "--private-key", "0x" + COW_KEY, "--data", json.dumps(MAIL))
    assert ref.returncode == 0, ref.stderr
    assert ref.stdout.strip() == MAIL_SIG
    assert cast_verifies(cow.address, "--data", json.dumps(MAIL), sig)
    assert not cast_verifies(new_wallet().address, "--data", json.dumps(MAIL), sig)
    assert ad.verify_typed_data(MAIL, sig, cow.address)
    tampered = json.loads(json.dumps(MAIL))
    tampered["message"]["contents"] = "Hello, Eve!"
    assert not ad.verify_typed_data(tampered, sig, cow.address)


def test_random_key_typed_data_recovers_with_eth_account():
    from eth_account.messages import encode_typed_data

    w = new_wallet()
    sig = Adapter(NET).sign_typed_data(MAIL, w.signer)
    assert EthAccount.recover_message(encode_typed_data(full_message=MAIL), signature=sig) == w.address
