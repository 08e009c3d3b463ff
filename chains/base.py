"""The adapter boundary: value types shared by every chain family, and the adapter interface.

Build, sign and broadcast are separate calls so that --dry-run, offline signing and exactly-once
batches work the same on UTXO chains (btc) and account chains (evm, sol, tron). Everything that
crosses the boundary is a plain value; chain-specific data travels in `payload` dicts that are
JSON-serialisable, so an UnsignedTx or SignedTx can be written to a file and read back elsewhere.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Literal

from chains.errors import InvalidAmount, Unsupported
from wallet_i18n import _

FAMILIES = ("evm", "btc", "sol", "tron")

_DECIMAL_RE = re.compile(r"^([0-9]+)(?:\.([0-9]+))?$")  # ASCII only: \d matches other scripts


@dataclass(frozen=True)
class Amount:
    """An exact quantity: an integer in base units with the asset's decimals and symbol."""

    value: int
    decimals: int
    symbol: str

    @classmethod
    def parse(cls, text: str, decimals: int, symbol: str, *, allow_zero: bool = False) -> Amount:
        """Parse a plain decimal string; never goes through float. Rejects signs, exponents and NaN."""
        s = text.strip()
        m = _DECIMAL_RE.match(s)
        if not m:
            raise InvalidAmount(
                _("amount {amount!r} is not a plain decimal number (no sign, exponent, spaces or NaN)").format(amount=s)
            )
        whole, frac = m.group(1), m.group(2) or ""
        if len(whole) > 78:  # 2^256 has 78 digits; also keeps int() far from Python's digit limit
            raise InvalidAmount(_("amount {amount}… is too large").format(amount=s[:20]))
        if len(frac) > decimals:
            raise InvalidAmount(_("amount {amount} has {count} decimals but {symbol} has only {decimals}").format(
                amount=s, count=len(frac), symbol=symbol, decimals=decimals))
        value = int(whole) * 10**decimals + int(frac.ljust(decimals, "0") or "0")
        if value == 0 and not allow_zero:
            raise InvalidAmount(_("amount must be greater than zero"))
        if value >= 2**256:
            raise InvalidAmount(_("amount {amount} {symbol} is too large").format(amount=s, symbol=symbol))
        return cls(value, decimals, symbol)

    def to_decimal(self) -> Decimal:
        return Decimal(self.value).scaleb(-self.decimals)

    def __str__(self) -> str:
        return f"{self.plain()} {self.symbol}"

    def plain(self) -> str:
        """The amount as a decimal string without trailing zeros, e.g. '1.5'."""
        if self.decimals == 0:
            return str(self.value)
        sign = "-" if self.value < 0 else ""
        whole, frac = divmod(abs(self.value), 10**self.decimals)
        frac_s = str(frac).rjust(self.decimals, "0").rstrip("0")
        return f"{sign}{whole}.{frac_s}" if frac_s else f"{sign}{whole}"

    def to_json(self) -> dict[str, Any]:
        return {"value": str(self.value), "decimals": self.decimals, "symbol": self.symbol,
                "amount": self.plain()}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Amount:
        return cls(int(d["value"]), int(d["decimals"]), str(d["symbol"]))


@dataclass(frozen=True)
class Network:
    """One configured network. Loaded from chains/networks.toml plus the user's config.toml."""

    name: str
    family: str
    symbol: str
    decimals: int
    rpc_url: str
    kind: Literal["mainnet", "testnet", "local"] = "mainnet"
    chain_id: int | None = None          # evm
    btc_network: str | None = None       # btc: bitcoin, testnet4, signet, regtest
    explorer: str | None = None
    fee_cap: str | None = None           # max fee per transaction, in the native unit (decimal string)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # SYMBOL -> {address, decimals}
    legacy_fees: bool = False            # evm chains without EIP-1559
    genesis: str | None = None           # tron, btc: block 0's id; sol: the genesis hash; checked before signing
    description: str | None = None       # shown by 'networks list', e.g. that a network is being retired

    @property
    def is_test(self) -> bool:
        return self.kind != "mainnet"


@dataclass(frozen=True)
class Account:
    """Public facts about one account from the vault's plaintext index. No secret here."""

    chain: str
    index: int | None
    path: str | None
    address: str
    public_key: str                      # hex; for btc the account-level key
    label: str | None = None
    kind: Literal["hd", "imported", "watch"] = "hd"
    xpubs: dict[str, str] = field(default_factory=dict)   # btc: {"main": xpub, "test": tpub}
    descriptors: dict[str, str] = field(default_factory=dict)  # btc watch-only: {"main"|"test": desc}

    @property
    def ref(self) -> str:
        return f"{self.chain}:{self.index}" if self.index is not None else (self.label or self.address)


@dataclass(frozen=True)
class FeeOptions:
    """User overrides. Each adapter uses the ones that apply to it and ignores the rest."""

    max_fee: int | None = None           # evm: maxFeePerGas (wei), or gasPrice on legacy chains
    priority_fee: int | None = None      # evm: maxPriorityFeePerGas (wei); sol: micro-lamports per CU
    nonce: int | None = None             # evm/tron
    gas_limit: int | None = None         # evm
    fee_rate: Decimal | None = None      # btc: sat/vB
    target_blocks: int | None = None     # btc fee estimate target
    allow_high_fee: bool = False


@dataclass(frozen=True)
class Transfer:
    """What the user asked to send. amount None means 'everything' (btc max / sweep)."""

    network: Network
    sender: Account
    recipient: str
    amount: Amount | None
    token: str | None = None             # contract, mint or None for the native coin
    fees: FeeOptions = field(default_factory=FeeOptions)
    memo: str | None = None


@dataclass
class UnsignedTx:
    """A transaction ready to sign. `summary` is what the confirmation screen shows (label -> value)."""

    family: str
    network: str
    sender: str
    recipient: str
    amount: Amount
    fee: Amount                          # the most the user can pay in fees
    payload: dict[str, Any]              # chain specific, JSON-serialisable
    summary: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "unsigned", "family": self.family, "network": self.network,
                "sender": self.sender, "recipient": self.recipient, "amount": self.amount.to_json(),
                "fee": self.fee.to_json(), "payload": self.payload, "summary": self.summary}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> UnsignedTx:
        return cls(d["family"], d["network"], d["sender"], d["recipient"], Amount.from_json(d["amount"]),
                   Amount.from_json(d["fee"]), d["payload"], d.get("summary", {}))


@dataclass
class SignedTx:
    """A signed transaction. `raw` is what goes to the node (hex or base64, per family)."""

    family: str
    network: str
    txid: str
    raw: str
    sender: str = ""
    recipient: str = ""
    amount: Amount | None = None
    fee: Amount | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "signed", "family": self.family, "network": self.network, "txid": self.txid,
                "raw": self.raw, "sender": self.sender, "recipient": self.recipient,
                "amount": self.amount.to_json() if self.amount else None,
                "fee": self.fee.to_json() if self.fee else None, "payload": self.payload}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SignedTx:
        return cls(d["family"], d["network"], d["txid"], d["raw"], d.get("sender", ""),
                   d.get("recipient", ""), Amount.from_json(d["amount"]) if d.get("amount") else None,
                   Amount.from_json(d["fee"]) if d.get("fee") else None, d.get("payload", {}))


TxState = Literal["pending", "confirmed", "failed", "dropped", "unknown"]


@dataclass(frozen=True)
class TxStatus:
    txid: str
    state: TxState
    confirmations: int = 0
    block: int | None = None
    fee: Amount | None = None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"txid": self.txid, "state": self.state, "confirmations": self.confirmations,
                "block": self.block, "fee": self.fee.to_json() if self.fee else None, "detail": self.detail}


@dataclass(frozen=True, repr=False)
class Signer:
    """Holds only the key of one account. repr never shows it.

    private_key: 32-byte secp256k1 key (evm, tron, btc single key) or 32-byte ed25519 seed (sol).
    xprv: for btc HD accounts, the account-level extended private key that BDK signs with.
    """

    family: str
    address: str
    private_key: bytes = field(default=b"")
    xprv: str | None = None
    path: str | None = None
    # btc HD: the account's public descriptors derived from the seed itself ("main", "main_change",
    # "test", "test_change"), so building never trusts descriptors read from a plaintext file.
    descriptors: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Signer(family={self.family!r}, address={self.address!r}, key=<hidden>)"

    __str__ = __repr__


class ChainAdapter(ABC):
    """One per family. No prompting, no printing, no vault access: sign() receives a Signer.

    The constructor is cheap and does no I/O; `data_dir` is where an adapter may keep local
    state (the BDK database for btc).
    """

    family: ClassVar[str]

    def __init__(self, network: Network, data_dir: str | None = None) -> None:
        self.network = network
        self.data_dir = data_dir

    @classmethod
    @abstractmethod
    def parse_address(cls, text: str, network: Network) -> str:
        """Validate and normalise; reject other chains' and other networks' formats (InvalidAddress)."""

    @abstractmethod
    def balance(self, account: Account, token: str | None = None) -> Amount: ...

    @abstractmethod
    def build_transfer(self, transfer: Transfer) -> UnsignedTx:
        """Read nonce/fees/UTXOs/blockhash from the node and simulate. No signature."""

    @abstractmethod
    def sign(self, unsigned: UnsignedTx, signer: Signer) -> SignedTx:
        """Offline and deterministic."""

    @abstractmethod
    def broadcast(self, signed: SignedTx) -> str:
        """Idempotent: sending the same signed transaction again returns the same txid."""

    @abstractmethod
    def status(self, txid: str) -> TxStatus: ...

    def wait(self, txid: str, timeout: float = 60.0) -> TxStatus:
        """Poll status until the transaction is no longer pending or the timeout passes."""
        import time

        deadline = time.monotonic() + timeout
        st = self.status(txid)
        while st.state == "pending" and time.monotonic() < deadline:
            time.sleep(0.2)
            st = self.status(txid)
        return st

    # Optional capabilities; adapters override where the chain has them.
    def token_info(self, token: str) -> tuple[str, str, int]:
        """Resolve a symbol or contract/mint to (address, symbol, decimals)."""
        raise Unsupported(_("{family} has no tokens here").format(family=self.family))

    def speed_up(self, signed: SignedTx, signer: Signer, bump_percent: int = 10, *,
                 allow_high_fee: bool = False) -> SignedTx:
        raise Unsupported(_("speed-up is not available on {family}").format(family=self.family))

    def cancel(self, signed: SignedTx, signer: Signer, bump_percent: int = 10, *,
               allow_high_fee: bool = False) -> SignedTx:
        raise Unsupported(_("cancel is not available on {family}").format(family=self.family))

    def sign_message(self, message: bytes, signer: Signer) -> str:
        raise Unsupported(_("message signing is not available on {family}").format(family=self.family))

    def verify_message(self, message: bytes, signature: str, address: str) -> bool:
        raise Unsupported(_("message verification is not available on {family}").format(
            family=self.family))


def get_adapter(network: Network, data_dir: str | None = None) -> ChainAdapter:
    """Import only the one adapter needed, so listing and help never import web3 or BDK."""
    import importlib

    modules = {"evm": "chains.evm", "btc": "chains.bitcoin", "sol": "chains.solana", "tron": "chains.tron"}
    mod = importlib.import_module(modules[network.family])
    return mod.Adapter(network, data_dir)


# --- Address pre-check: secrets pasted where an address belongs are named, never repeated. ---
# Every family's parse_address calls precheck first; other input is quoted in an error only when it is
# no longer than an address of that family (quotable).

_HEX = re.compile(r"[0-9a-fA-F]+")
_B58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_EXT_PRV = ("xprv", "yprv", "zprv", "tprv", "uprv", "vprv", "Yprv", "Zprv", "Uprv", "Vprv")
_KEY_LIST = re.compile(r"\[\s*\d{1,3}(\s*,\s*\d{1,3}){31,}\s*\]")


def _b58decode(s: str) -> bytes | None:
    if not _B58.fullmatch(s) or len(s) > 120:
        return None
    import base58

    try:
        return base58.b58decode(s)
    except ValueError:
        return None


def _is_wif(raw: bytes) -> bool:
    """Base58check with version 0x80 (mainnet) or 0xef (test) and a 32-byte key (+0x01 if compressed)."""
    if len(raw) not in (37, 38) or raw[0] not in (0x80, 0xEF):
        return False
    if len(raw) == 38 and raw[33] != 0x01:
        return False
    return hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


def secret_hint(text: str) -> str | None:
    """A sentence naming what `text` looks like when it is a key, seed or hash rather than an address."""
    s = text.strip()
    words = s.split()
    # Eight or more words: a seed phrase, perhaps with a few words missing (BIP39 has 12 to 24).
    if len(words) >= 8 and all(w.isalpha() for w in words):
        return _("this looks like a seed phrase ({count} words), not an address; never share it with anyone").format(
            count=len(words))
    body = s[2:] if s[:2] in ("0x", "0X") else s
    if _HEX.fullmatch(body) and len(body) in (64, 128):
        if len(body) == 64:
            return _("this looks like a private key or hash ({count} hex digits), not an address").format(count=64)
        return _("this looks like a private key (a 64-byte keypair, {count} hex digits), not an address").format(
            count=128)
    if s.startswith(_EXT_PRV):
        return _("this looks like an extended private key, not an address; never share it with anyone")
    if _KEY_LIST.fullmatch(s):
        return _("this looks like a key file's contents (a list of numbers), not an address")
    raw = _b58decode(s)
    if raw is not None and _is_wif(raw):
        return _("this looks like a Bitcoin private key (WIF), not an address; never share it with anyone")
    if raw is not None and len(raw) == 64:
        return _("this looks like a Solana private key (64 bytes in base58), not an address")
    return None


def quotable(text: str, longest: int) -> str:
    """`text` itself when it is no longer than the longest address of the family, else a neutral phrase."""
    s = text.strip()
    return s if len(s) <= longest else _("this input ({count} characters)").format(count=len(s))


def precheck(text: str) -> str:
    """The stripped input, or InvalidAddress when it is empty or a pasted secret (never quoted)."""
    from chains.errors import InvalidAddress

    s = text.strip()
    if not s:
        raise InvalidAddress(_("the address is empty"))
    hint = secret_hint(s)
    if hint:
        raise InvalidAddress(hint)
    return s
