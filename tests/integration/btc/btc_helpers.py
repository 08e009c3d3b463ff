"""Test helpers: keys derived independently with bip_utils, and Esplora reads of the sandbox."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from bip_utils import (
    Bip39MnemonicGenerator,
    Bip39SeedGenerator,
    Bip44Changes,
    Bip84,
    Bip84Coins,
    Bip86,
    Bip86Coins,
)

from chains.base import Account, Signer

TEST_MNEMONIC = "abandon " * 11 + "about"


@dataclass
class Keys:
    """An account derived with bip_utils (not BDK), so addresses BDK finds are independently known."""

    mnemonic: str
    purpose: int
    account: Account
    signer: Signer

    def address(self, index: int, change: bool = False) -> str:
        ctx = _ctx(self.mnemonic, self.purpose)
        chain = Bip44Changes.CHAIN_INT if change else Bip44Changes.CHAIN_EXT
        return ctx.Change(chain).AddressIndex(index).PublicKey().ToAddress()


def _ctx(mnemonic: str, purpose: int):  # noqa: ANN202 - bip_utils context types differ per purpose
    seed = Bip39SeedGenerator(mnemonic).Generate()
    if purpose == 86:
        return Bip86.FromSeed(seed, Bip86Coins.BITCOIN_REGTEST).Purpose().Coin().Account(0)
    return Bip84.FromSeed(seed, Bip84Coins.BITCOIN_REGTEST).Purpose().Coin().Account(0)


def make_keys(mnemonic: str | None = None, purpose: int = 84) -> Keys:
    mnemonic = mnemonic or str(Bip39MnemonicGenerator().FromEntropy(secrets.token_bytes(16)))
    ctx = _ctx(mnemonic, purpose)
    xpub = ctx.PublicKey().ToExtended()     # vpub for BIP84 (SLIP-132), tpub for BIP86
    xprv = ctx.PrivateKey().ToExtended()
    first = ctx.Change(Bip44Changes.CHAIN_EXT).AddressIndex(0).PublicKey().ToAddress()
    account = Account(chain="btc", index=0, path=f"m/{purpose}'/1'/0'", address=first,
                      public_key=ctx.PublicKey().RawCompressed().ToHex(), xpubs={"test": xpub})
    return Keys(mnemonic, purpose, account, Signer("btc", first, xprv=xprv, path=account.path))



def get(url: str, path: str) -> Any:
    with urllib.request.urlopen(url + path, timeout=10) as r:  # noqa: S310 - loopback sandbox
        body = r.read()
    try:
        return json.loads(body)
    except ValueError:
        return body.decode()


def post_tx(url: str, raw_hex: str) -> tuple[int, str]:
    req = urllib.request.Request(url + "/tx", data=raw_hex.encode(), method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def address_balance(url: str, address: str) -> int:
    """Unspent value at an address, mempool included."""
    return sum(u["value"] for u in get(url, f"/address/{address}/utxo"))


def mempool(url: str) -> list[str]:
    return get(url, "/mempool/txids")
