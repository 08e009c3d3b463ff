"""The vault commands end to end through the real CLI, checked against independent derivations."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest
from eth_account import Account

from tests.cli.conftest import ABANDON, PASSWORD

Account.enable_unaudited_hdwallet_features()

# Published values for the BIP39 test mnemonic "abandon ... about" (no passphrase).
EVM0 = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"  # m/44'/60'/0'/0/0, as MetaMask shows it
BTC0 = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"  # BIP84 spec, m/84'/0'/0'/0/0


def by_ref(items: list[dict]) -> dict[str, dict]:
    return {a["ref"]: a for a in items}


def test_restore_lists_default_accounts_without_password(cli, restored) -> None:
    accts = by_ref(restored["accounts"])
    assert accts["evm:0"]["address"] == EVM0
    assert accts["btc:0"]["address"] == BTC0
    listed = cli("--json", "accounts", "list", password=False)
    assert listed.code == 0, listed.err
    items = listed.json()
    assert {a["ref"] for a in items} == {"evm:0", "btc:0", "sol:0", "tron:0"}
    for a in items:
        assert set(a) >= {"chain", "index", "path", "address", "label"}


def test_derive_matches_eth_account(cli, restored) -> None:
    r = cli("--json", "accounts", "derive", "--chain", "evm", "--count", "3")
    assert r.code == 0, r.err
    got = {a["index"]: a["address"] for a in r.json()}
    assert sorted(got) == [1, 2, 3]
    for i, addr in got.items():
        assert addr == Account.from_mnemonic(ABANDON, account_path=f"m/44'/60'/0'/0/{i}").address


def test_custom_path_and_label(cli, restored) -> None:
    path = "m/44'/60'/7'/0/3"
    r = cli("--json", "accounts", "derive", "--chain", "evm", "--path", path, "--label", "savings")
    assert r.code == 0, r.err
    (a,) = r.json()
    assert a["path"] == path and a["label"] == "savings"
    assert a["address"] == Account.from_mnemonic(ABANDON, account_path=path).address
    shown = cli("--json", "address", "savings", password=False)
    assert shown.json()["address"] == a["address"]


def test_wrong_password_is_exit_3(cli, restored, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not the password\n")
    bad.chmod(0o600)
    r = cli("--password-file", str(bad), "accounts", "derive", "--chain", "evm")
    assert r.code == 3
    assert "wrong password" in r.err


def test_no_password_and_no_tty_fails_fast(wallet_proc, cli, restored) -> None:
    t0 = time.monotonic()
    r = wallet_proc("accounts", "derive", "--chain", "evm", password=False)
    assert r.code == 3, r.err
    assert "no password" in r.err
    assert time.monotonic() - t0 < 20  # it did not wait for input


@pytest.mark.parametrize(
    ("words", "expect"),
    [
        (ABANDON.replace("about", "abandon"), "checksum"),
        (ABANDON.replace("abandon", "zzzzzz", 1), "word 1"),
        (" ".join(ABANDON.split()[:11]), "11"),
    ],
)
def test_bad_mnemonics_are_exit_2_and_never_echoed(cli, words: str, expect: str) -> None:
    r = cli("restore", stdin=words + "\n")
    assert r.code == 2
    assert expect in r.err
    assert "zzzzzz" not in r.err + r.out


def test_init_writes_mnemonic_file_0600_and_never_to_stdout(cli, tmp_path: Path, home: Path) -> None:
    out = tmp_path / "phrase.txt"
    r = cli("--json", "init", "--mnemonic-out", str(out), "--words", "24")
    assert r.code == 0, r.err
    words = out.read_text().split()
    assert len(words) == 24
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert " ".join(words[:3]) not in r.out + r.err
    vault_file = home / "vaults" / "default.json"
    assert stat.S_IMODE(vault_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "vaults").stat().st_mode) == 0o700
    # the file restores to the same accounts
    again = cli("--json", "--vault", "copy", "restore", "--mnemonic-file", str(out))
    assert again.code == 0, again.err
    assert by_ref(again.json()["accounts"])["evm:0"]["address"] == by_ref(r.json()["accounts"])["evm:0"]["address"]


def test_init_without_terminal_or_file_refuses(cli, home: Path) -> None:
    r = cli("init")
    assert r.code == 2
    assert "--mnemonic-out" in r.err
    assert not (home / "vaults" / "default.json").exists()


def test_japanese_mnemonic_with_passphrase(cli, tmp_path: Path) -> None:
    vectors = json.loads((Path(__file__).parents[1] / "vectors" / "bip39_japanese.json").read_text())
    v = vectors[1]
    mnemonic, passphrase = v["phrase"], v["salt"]
    pf = tmp_path / "pass.txt"
    pf.write_text(passphrase + "\n")
    r = cli("--json", "restore", "--passphrase-file", str(pf), stdin=mnemonic)
    assert r.code == 0, r.err
    from bip_utils import Bip32Secp256k1

    seed = bytes.fromhex(v["seed"])
    assert r.json()["fingerprint"] == Bip32Secp256k1.FromSeed(seed).FingerPrint().ToBytes().hex()


def test_change_password(cli, restored, tmp_path: Path, pwfile: Path) -> None:
    new = tmp_path / "new.txt"
    new.write_text("a brand new password\n")
    r = cli("change-password", "--new-password-file", str(new))
    assert r.code == 0, r.err
    assert cli("accounts", "derive", "--chain", "sol").code == 3
    assert cli("--password-file", str(new), "accounts", "derive", "--chain", "sol").code == 0


def test_import_and_export_raw_keys(cli, restored, tmp_path: Path) -> None:
    acct = Account.create()
    r = cli("--json", "import-key", "evm", "--label", "hot", stdin=acct.key.hex() + "\n")
    assert r.code == 0, r.err
    assert r.json()["address"] == acct.address
    out = tmp_path / "key.txt"
    e = cli("--yes", "export-key", "hot", "--out", str(out))
    assert e.code == 0, e.err
    assert out.read_text().strip().removeprefix("0x") == acct.key.hex().removeprefix("0x")
    as_json = tmp_path / "key.json"     # under --json the file holds a JSON object
    j = cli("--yes", "--json", "export-key", "hot", "--out", str(as_json))
    assert j.code == 0, j.err
    assert json.loads(as_json.read_text())["private_key"].removeprefix("0x") == acct.key.hex().removeprefix("0x")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    dup = cli("import-key", "evm", stdin=acct.key.hex())
    assert dup.code == 2 and "already" in dup.err


def test_export_key_needs_confirmation(cli, restored) -> None:
    r = cli("export-key", "evm:0")
    assert r.code == 2 and "terminal" in r.err
    assert r.out == ""


def test_keystore_import_pbkdf2_and_export_opened_by_eth_account(cli, restored, tmp_path: Path) -> None:
    acct = Account.create()
    ks = tmp_path / "in.json"
    ks.write_text(json.dumps(Account.encrypt(acct.key, "ks-pass", kdf="pbkdf2", iterations=1000)))
    kpw = tmp_path / "kpw.txt"
    kpw.write_text("ks-pass\n")
    r = cli("--json", "import-keystore", str(ks), "--keystore-password-file", str(kpw))
    assert r.code == 0, r.err
    assert r.json()["address"] == acct.address
    out = tmp_path / "out.json"
    e = cli("export-keystore", "evm:0", "--out", str(out), "--keystore-password-file", str(kpw))
    assert e.code == 0, e.err
    doc = json.loads(out.read_text())
    assert doc["crypto"]["kdfparams"]["n"] == 2**18
    key = Account.decrypt(doc, "ks-pass")
    assert Account.from_key(key).address == EVM0


def test_keyring_remember_then_unlock_without_password_file(cli, restored) -> None:
    assert cli("keyring", "remember").code == 0
    r = cli("accounts", "derive", "--chain", "tron", password=False)
    assert r.code == 0, r.err
    assert cli("keyring", "forget").code == 0
    assert cli("accounts", "derive", "--chain", "tron", password=False).code == 3


def test_address_qr(cli, restored) -> None:
    r = cli("address", "evm:0", "--qr", password=False)
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0] == EVM0
    assert len(lines) > 10 and any("█" in ln or "▀" in ln for ln in lines)


def test_secrets_never_printed(cli, restored, tmp_path: Path) -> None:
    outputs = []
    for args, stdin in [
        (("--json", "accounts", "list"), None),
        (("accounts", "derive", "--chain", "btc", "--count", "2"), None),
        (("--json", "accounts", "derive", "--chain", "sol"), None),
        (("restore", "--name", "x"), ABANDON.replace("about", "zoo")),
        (("--debug", "export-key", "evm:0"), None),
        (("address", "nope"), None),
    ]:
        r = cli(*args, stdin=stdin)
        outputs.append(r.out + r.err)
    blob = "\n".join(outputs)
    key0 = Account.from_mnemonic(ABANDON).key.hex().removeprefix("0x")
    assert PASSWORD not in blob
    assert "abandon abandon" not in blob
    assert key0 not in blob.lower()


def test_show_mnemonic_needs_explicit_confirmation(cli, restored) -> None:
    refused = cli("show-mnemonic")
    assert refused.code == 2 and "terminal" in refused.err
    assert "abandon" not in refused.out + refused.err
    shown = cli("--yes", "show-mnemonic")
    assert shown.code == 0, shown.err
    assert shown.out == ""  # never on stdout
    assert ABANDON in " ".join(shown.err.split())


def test_weak_test_kdf_warns_on_every_unlock(cli, restored) -> None:
    r = cli("accounts", "derive", "--chain", "evm")
    assert r.code == 0
    assert "weak test KDF" in r.err


def test_solana_keygen_json_round_trip(cli, restored, tmp_path: Path) -> None:
    from solders.keypair import Keypair

    kp = Keypair()
    f = tmp_path / "id.json"
    f.write_text(json.dumps(list(bytes(kp))))
    r = cli("--json", "import-key", "sol", "--key-file", str(f), "--label", "cli-key")
    assert r.code == 0, r.err
    assert r.json()["address"] == str(kp.pubkey())
    out = tmp_path / "out.json"
    e = cli("--yes", "export-key", "cli-key", "--solana-json", "--out", str(out))
    assert e.code == 0, e.err
    assert Keypair.from_bytes(bytes(json.loads(out.read_text()))).pubkey() == kp.pubkey()


def test_unknown_account_and_vault_errors(cli, restored, home: Path) -> None:
    r = cli("address", "evm:99", password=False)
    assert r.code == 2 and "evm:99" in r.err
    missing = cli("--vault", "nope", "accounts", "list", password=False)
    assert missing.code == 2
    (home / "vaults" / "default.json").chmod(0o644)
    unsafe = cli("accounts", "list", password=False)
    assert unsafe.code == 3


def test_derive_refuses_duplicates_and_address_level_btc_paths(cli, restored) -> None:
    dup = cli("accounts", "derive", "--chain", "tron", "--path", "m/44'/195'/0'/0/0")
    assert dup.code == 2 and "already" in dup.err
    addr_path = cli("accounts", "derive", "--chain", "btc", "--path", "m/84'/0'/5'/0/0")
    assert addr_path.code == 2 and "account path" in addr_path.err
    ok = cli("--json", "accounts", "derive", "--chain", "btc", "--path", "m/84'/0'/5'")
    assert ok.code == 0, ok.err


def test_shared_directory_is_refused_not_chmodded(cli, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    r = cli("--home", str(shared), "history", password=False)
    assert r.code == 3 and "other users can write" in r.err
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777


def test_new_password_ignores_the_old_password_sources(monkeypatch, tmp_path: Path) -> None:
    from wallet_cli import passwords
    from wallet_cli.context import Options, set_options
    from wallet_cli.errors import PasswordUnavailable

    old = tmp_path / "old.txt"
    old.write_text("old\n")
    set_options(Options(home=tmp_path, password_file=old))
    monkeypatch.setenv("WALLET_PASSWORD", "old")
    with pytest.raises(PasswordUnavailable):
        passwords.new_password("default", prompt_only=True)
    assert passwords.new_password("default") == "old"  # a new vault may take them


def test_config_toml_readable_by_others_is_refused(cli, home: Path) -> None:
    added = cli("networks", "add", "x-net", "--rpc-url", "http://127.0.0.1:1", "--chain-id", "5", "--no-verify",
                password=False)
    assert added.code == 0
    (home / "config.toml").chmod(0o644)
    r = cli("networks", "list", password=False)
    assert r.code == 3 and "config.toml" in r.err
