"""EIP-712 strict validation and the review tree (issue 8, item 12)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from eth_account.messages import encode_typed_data

from chains.errors import BadInput
from chains.evm.typed_data import canonical, literal, review_tree

TOKEN = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
OWNER = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
DEAD = "0x000000000000000000000000000000000000dEaD"
DOMAIN_TYPE = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
               {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]


def permit(**message: Any) -> dict[str, Any]:
    msg = {"owner": OWNER, "spender": DEAD, "value": str(2**256 - 1), "nonce": 0, "deadline": 2**40}
    msg.update(message)
    return {"types": {"EIP712Domain": DOMAIN_TYPE,
                      "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
                                 {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
                                 {"name": "deadline", "type": "uint256"}]},
            "primaryType": "Permit",
            "domain": {"name": "USD Coin", "version": "2", "chainId": 1, "verifyingContract": TOKEN},
            "message": msg}


def mail() -> dict[str, Any]:
    """The EIP-712 example, with an array of nested structs and a bytes32."""
    return {"types": {"EIP712Domain": DOMAIN_TYPE,
                      "Person": [{"name": "name", "type": "string"}, {"name": "wallets", "type": "address[]"}],
                      "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person[2]"},
                               {"name": "contents", "type": "string"}, {"name": "tag", "type": "bytes32"},
                               {"name": "urgent", "type": "bool"}, {"name": "delta", "type": "int8"}]},
            "primaryType": "Mail",
            "domain": {"name": "Ether Mail", "version": "1", "chainId": "0x1",
                       "verifyingContract": "0xcccccccccccccccccccccccccccccccccccccccc"},
            "message": {"from": {"name": "Cow", "wallets": [OWNER]},
                        "to": [{"name": "Bob", "wallets": []}, {"name": "Eve\x1b[8m", "wallets": [DEAD, OWNER]}],
                        "contents": "Hello, Bob!", "tag": "0x" + "11" * 32, "urgent": True, "delta": -128}}


def test_the_canonical_form_encodes_as_eth_account_does() -> None:
    for doc in (permit(), mail()):
        assert encode_typed_data(full_message=canonical(doc)) == encode_typed_data(full_message=doc)


def test_an_undeclared_display_field_is_an_error() -> None:
    # eth_account drops it silently: the signature would equal that of the plain unlimited approval.
    decorated = permit(note="Sign in to example.org (no funds move)")
    assert encode_typed_data(full_message=decorated) == encode_typed_data(full_message=permit())
    with pytest.raises(BadInput, match=r"message has fields that Permit does not declare \(note\)"):
        canonical(decorated)
    nested = mail()
    nested["message"]["to"][1]["label"] = "friend"
    with pytest.raises(BadInput, match=r"message\.to\[1\] has fields that Person does not declare"):
        canonical(nested)
    domain = permit()
    domain["domain"]["salt"] = "0x" + "00" * 32          # a value for a field EIP712Domain does not list
    with pytest.raises(BadInput, match="domain has fields that EIP712Domain does not declare"):
        canonical(domain)


def bad(path: list[Any], value: Any, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(doc or mail())
    target = doc
    for k in path[:-1]:
        target = target[k]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize(("doc", "why"), [
    (bad(["message", "urgent"], "yes"), "must be true or false"),
    (bad(["message", "urgent"], 1), "must be true or false"),
    (bad(["message", "tag"], "0x11"), "has 1 bytes but bytes32 needs exactly 32"),
    (bad(["message", "tag"], "0x" + "1" * 63), "0x-hex bytes"),
    (bad(["message", "delta"], 128), "out of range for int8"),
    (bad(["message", "delta"], 1.5), "whole number"),
    (bad(["message", "contents"], KeyError), "lacks fields of Mail: contents"),
    (bad(["message", "to"], [{"name": "Bob", "wallets": []}]), "has 1 items but Person[2] has exactly 2"),
    (bad(["message", "from", "wallets"], ["0x1234"]), "0x address of 40 hex digits"),
    (bad(["message", "from", "wallets"], [OWNER.replace("E", "e", 1)]), "fails its EIP-55 checksum"),
    (bad(["domain", "chainId"], -1), "out of range for uint256"),
    (bad(["domain", "verifyingContract"], "not an address"), "0x address"),
    (bad(["domain", "name"], KeyError), "lacks fields of EIP712Domain: name"),
    (bad(["types", "Person", 0, "type"], "Mail"), "recursive"),
    (bad(["types", "Mail", 0, "type"], "Mail[]"), "recursive"),
    (bad(["types", "Mail", 5, "type"], "int7"), "unknown type 'int7'"),
    (bad(["types", "Mail", 5, "type"], "uint264"), "unknown type"),
    (bad(["types", "EIP712Domain"], [*DOMAIN_TYPE, {"name": "extra", "type": "string"}]), "standard domain fields"),
    (bad(["types", "EIP712Domain"], KeyError), "lack EIP712Domain"),
    (bad(["primaryType"], "Nope"), "not a struct declared in types"),
    (bad(["extra"], {}), "exactly types, primaryType, domain and message"),
    (bad(["types", "Mail", 1], {"name": "from", "type": "string"}), "declares the field from twice"),
])
def test_strict_validation(doc: dict[str, Any], why: str) -> None:
    with pytest.raises(BadInput, match=why.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        canonical(doc)


def test_uint_ranges_by_width() -> None:
    doc = bad(["types", "Mail", 5, "type"], "uint8")
    assert canonical(bad(["message", "delta"], 255, doc))["message"]["delta"] == 255
    assert canonical(bad(["message", "delta"], "0xff", doc))["message"]["delta"] == 255
    for v in (256, -1, "0x100", "ten"):
        with pytest.raises(BadInput):
            canonical(bad(["message", "delta"], v, doc))


def test_the_review_shows_every_signed_field_in_full_as_a_tree() -> None:
    lines = review_tree(canonical(mail()))
    assert lines == [
        "domain (EIP712Domain)",
        '  name (string): "Ether Mail"',
        '  version (string): "1"',
        "  chainId (uint256): 1",
        "  verifyingContract (address): 0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
        "message (Mail)",
        "  from (Person)",
        '    name (string): "Cow"',
        "    wallets (address[], 1 items)",
        f"      [0] (address): {OWNER}",
        "  to (Person[2], 2 items)",
        "    [0] (Person)",
        '      name (string): "Bob"',
        "      wallets (address[], 0 items)",
        "    [1] (Person)",
        '      name (string): "Eve\\u001b[8m"',
        "      wallets (address[], 2 items)",
        f"        [0] (address): {DEAD}",
        f"        [1] (address): {OWNER}",
        '  contents (string): "Hello, Bob!"',
        "  tag (bytes32): 0x" + "11" * 32,
        "  urgent (bool): true",
        "  delta (int8): -128",
    ]
    permit_lines = review_tree(canonical(permit()))
    assert f"  value (uint256): {2**256 - 1} (the maximum uint256: unlimited)" in permit_lines
    assert f"  spender (address): {DEAD}" in permit_lines


def test_literal_escapes_controls_and_invisible_characters() -> None:
    assert literal("a\x1b[8mb\u202e\x9bc\n") == '"a\\u001b[8mb\\u202e\\u009bc\\n"'
    assert literal("[and authorise 0xdEaD]") == '"[and authorise 0xdEaD]"'
