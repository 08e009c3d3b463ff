"""What you see is what you sign (issue 8, items 12 and 14): `sign-typed-data` shows every signed field as
a tree and refuses fields the types do not declare; `sign-message` refuses an empty message."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.unit.test_typed_data import DEAD, OWNER, permit


def write(tmp_path: Path, doc: dict) -> str:
    p = tmp_path / "typed.json"
    p.write_text(json.dumps(doc))
    return str(p)


def test_a_permit_with_a_display_field_is_refused(cli, restored, tmp_path: Path) -> None:
    doc = permit(note="Sign in to example.org [and nothing else]")
    r = cli("--json", "--yes", "sign-typed-data", "evm:0", write(tmp_path, doc))
    assert r.code == 2, r.err
    assert "message has fields that Permit does not declare (note)" in r.err
    assert "signature" not in r.out and r.out == ""


def test_the_review_shows_every_field_and_the_signature_matches(cli, restored, tmp_path: Path) -> None:
    doc = permit()
    r = cli("--yes", "sign-typed-data", "evm:0", write(tmp_path, doc))
    assert r.code == 0, r.err
    for expected in ("domain (EIP712Domain)", '  name (string): "USD Coin"', "  chainId (uint256): 1",
                     "message (Permit)", f"  spender (address): {DEAD}",
                     f"  value (uint256): {2**256 - 1} (the maximum uint256: unlimited)", "  nonce (uint256): 0"):
        assert expected in r.err.splitlines() or "  " + expected in r.err.splitlines()
    sig = r.out.strip()
    assert Account.recover_message(encode_typed_data(full_message=doc), signature=sig) == OWNER  # evm:0


def test_loose_values_are_refused(cli, restored, tmp_path: Path) -> None:
    for change in ({"value": "lots"}, {"nonce": True}, {"spender": "0x1234"}):
        r = cli("--yes", "sign-typed-data", "evm:0", write(tmp_path, permit(**change)))
        assert r.code == 2, r.err
        assert len(r.err.strip().splitlines()) == 1 and r.out == ""


def test_sign_message_refuses_an_empty_message(cli, restored, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for args in (["evm:0", ""], ["evm:0", "--file", str(empty)], ["evm:0"]):
        r = cli("--json", "--yes", "sign-message", *args)
        assert r.code == 2, (args, r.err)
        assert r.out == ""
    assert "the message is empty; nothing was signed" in cli("--yes", "sign-message", "evm:0", "").err


def test_typed_data_with_a_duplicate_key_is_refused(cli, restored, tmp_path: Path) -> None:
    # Python's json keeps the last of two equal keys, other parsers (and a reader of the file) the first:
    # the same file would mean two different permits, so it is ambiguous and refused, not signed.
    text = json.dumps(permit()).replace(f'"spender": "{DEAD}"',
                                        f'"spender": "{OWNER}", "spender": "{DEAD}"', 1)
    assert text.count(f'"spender": "{DEAD}"') == 1 and text.count(f'"spender": "{OWNER}"') == 1
    p = tmp_path / "dup.json"
    p.write_text(text)
    r = cli("--yes", "sign-typed-data", "evm:0", str(p))
    assert r.code == 2, r.err
    assert "the key \"spender\" twice" in r.err and r.out == ""


def test_sign_message_reviews_the_whole_message(cli, restored, tmp_path: Path) -> None:
    # A long message (a SIWE text with a clause at the end) was shown cut at 400 characters and signed whole;
    # bytes that are not UTF-8 were shown as U+FFFD, so two different messages looked the same.
    long = "Sign in to example.org\n" + "x" * 600 + "\nand approve 0xdEaD for everything"
    p = tmp_path / "long.txt"
    p.write_text(long)
    r = cli("--yes", "sign-message", "evm:0", "--file", str(p))
    assert r.code == 0, r.err
    assert "and approve 0xdEaD for everything" in r.err
    b1, b2 = tmp_path / "b1.bin", tmp_path / "b2.bin"
    b1.write_bytes(b"pay \xff\xfe")
    b2.write_bytes(b"pay \xfe\xff")
    r1 = cli("--yes", "sign-message", "evm:0", "--file", str(b1))
    r2 = cli("--yes", "sign-message", "evm:0", "--file", str(b2))
    assert r1.code == r2.code == 0, (r1.err, r2.err)
    assert "0x70617920fffe" in r1.err and "0x70617920feff" in r2.err


def test_typed_data_whose_types_nest_thousands_deep_is_refused_not_a_crash(wallet_proc, restored,
                                                                         tmp_path: Path) -> None:
    # A chain T0 -> T1 -> ... -> T4999 fits in 200 kB; checking it for cycles recursed once per level and
    # died with "unexpected RecursionError; this is a bug" (exit 1).
    n = 5000
    types: dict = {"EIP712Domain": [{"name": "name", "type": "string"}]}
    for i in range(n):
        types[f"T{i}"] = [{"name": "a", "type": f"T{i + 1}" if i < n - 1 else "uint256"}]
    doc = {"types": types, "primaryType": "T0", "domain": {"name": "x"}, "message": {"a": 1}}
    r = wallet_proc("--yes", "sign-typed-data", "evm:0", write(tmp_path, doc))   # a real process's stack
    assert r.code == 2, r.err
    assert "nest more than" in r.err and len(r.err.strip().splitlines()) == 1 and r.out == ""


def test_under_json_the_review_is_one_english_object_in_every_language(cli, restored, tmp_path: Path,
                                                                       monkeypatch) -> None:  # noqa: ANN001
    path = write(tmp_path, permit())
    reviews = {}
    for lang in ("en", "zh_CN"):
        monkeypatch.setenv("WALLET_LANG", lang)
        r = cli("--json", "--yes", "sign-typed-data", "evm:0", path)
        assert r.code == 0, r.err
        lines = [json.loads(line) for line in r.err.splitlines() if line.strip()]
        reviews[lang] = [x for x in lines if "review" in x]
    assert reviews["en"] == reviews["zh_CN"] and len(reviews["en"]) == 1
    review = reviews["en"][0]
    assert review["title"].startswith("Review the typed data (Permit) signed by")
    assert f"  value (uint256): {2**256 - 1} (the maximum uint256: unlimited)" in review["review"]
