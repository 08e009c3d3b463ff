"""The plaintext account index: turning vault entries into Accounts, resolving references, deriving.

A reference is FAMILY:INDEX (evm:0, btc:3), a label, or an address. Index entries are plain dicts in
the vault file; this module is the only place that knows their fields.
"""

from __future__ import annotations

from typing import Any

from chains.base import FAMILIES, Account
from wallet_cli.errors import UsageError
from wallet_i18n import N_, _, translated

BTC_PURPOSES = {"p2wpkh": 84, "p2tr": 86, "p2sh-p2wpkh": 49, "p2pkh": 44}


def to_account(entry: dict[str, Any]) -> Account:
    return Account(
        chain=entry["chain"], index=entry.get("index"), path=entry.get("path"), address=entry["address"],
        public_key=entry.get("public_key", ""), label=entry.get("label"), kind=entry.get("kind", "hd"),
        xpubs=dict(entry.get("xpubs") or {}), descriptors=dict(entry.get("descriptors") or {}),
    )


TEST_NETWORKS = N_("test networks")   # --json keeps the English; a table shows it translated
# What the path column shows for an account with no derivation path (an imported key, a watch-only account).
KIND_NAMES = {"imported": N_("imported"), "watch": N_("watch-only")}


def address_network(entry: dict[str, Any]) -> str | None:
    """Which network a listed Bitcoin address is for (the index lists the mainnet one); None elsewhere,
    where an address is the same on every network of its family."""
    if entry["chain"] != "btc":
        return None
    addr = entry["address"].lower()
    return "bitcoin" if addr.startswith(("bc1", "1", "3")) else TEST_NETWORKS


def shown_network(entry: dict[str, Any]) -> str | None:
    """address_network() for a person: 'test networks' in their language (a network name stays as it is)."""
    name = address_network(entry)
    return translated(name) if name == TEST_NETWORKS else name


def shown_path(entry: dict[str, Any]) -> str | None:
    """The path column of an account table: its derivation path, else its kind in the person's language."""
    if entry.get("path"):
        return entry["path"]
    kind = entry.get("kind")
    return translated(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def address_on(entry: dict[str, Any], network: Any) -> str:
    """The account's (first receive) address on this network: a Bitcoin account's differs per network."""
    if entry["chain"] != "btc" or entry.get("kind") == "imported":
        return entry["address"]
    from chains.bitcoin.descriptors import first_address, public_descriptors

    return first_address(public_descriptors(to_account(entry), network)[0], network)


def public_view(entry: dict[str, Any]) -> dict[str, Any]:
    """What `accounts list --json` shows: stable field names."""
    return {
        "ref": to_account(entry).ref, "chain": entry["chain"], "index": entry.get("index"),
        "path": entry.get("path"), "address": entry["address"], "address_network": address_network(entry),
        "label": entry.get("label"),
        "kind": entry.get("kind", "hd"), "public_key": entry.get("public_key"),
        **({"xpubs": entry["xpubs"]} if entry.get("xpubs") else {}),
    }


FAMILY_NAMES = {"evm": N_("an EVM network"), "btc": N_("a Bitcoin network"), "sol": N_("a Solana network"),
                "tron": N_("a TRON network")}
ACCOUNT_NAMES = {"evm": N_("an EVM account"), "btc": N_("a Bitcoin account"), "sol": N_("a Solana account"),
                 "tron": N_("a TRON account")}


def a_network(family: str) -> str:
    """'an EVM network', 'a Bitcoin network': for messages, in the person's language."""
    if family in FAMILY_NAMES:
        return translated(FAMILY_NAMES[family])
    return _("a {family} network").format(family=family)


def an_account(family: str) -> str:
    """'an EVM account', 'a Bitcoin account': for messages, in the person's language."""
    if family in ACCOUNT_NAMES:
        return translated(ACCOUNT_NAMES[family])
    return _("a {family} account").format(family=family)


def check_chain(chain: str) -> str:
    if chain not in FAMILIES:
        raise UsageError(_("unknown chain {chain!r}; expected one of {families}").format(
            chain=chain, families=", ".join(FAMILIES)))
    return chain


def resolve(ref: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Find one entry by FAMILY:INDEX, label or address."""
    ref = ref.strip()
    fam, sep, idx = ref.partition(":")
    if sep and fam in FAMILIES:
        if not idx.isdigit():
            raise UsageError(_("account reference {ref!r} needs a whole-number index, like {family}:0").format(
                ref=ref, family=fam))
        for e in entries:
            if e["chain"] == fam and e.get("index") == int(idx):
                return e
        raise UsageError(_("account {ref} is not in this vault; derive it with "
                           "'wallet accounts derive --chain {family}'").format(ref=ref, family=fam))
    for e in entries:
        if e.get("label") == ref:
            return e
    for e in entries:
        addr = e["address"]
        if addr == ref or (addr.startswith("0x") and addr.lower() == ref.lower()):
            return e
    raise UsageError(_("no account matches {ref!r}; see 'wallet accounts list'").format(ref=ref))


def next_index(entries: list[dict[str, Any]], chain: str) -> int:
    used = [e["index"] for e in entries if e["chain"] == chain and e.get("index") is not None]
    return max(used, default=-1) + 1


def check_label(label: str | None, entries: list[dict[str, Any]]) -> None:
    if label is None:
        return
    fam, sep, _rest = label.partition(":")
    if (sep and fam in FAMILIES) or label.startswith("0x") or not label.strip():
        raise UsageError(_("label {label!r} would be confused with an account reference or address").format(
            label=label))
    if any(e.get("label") == label for e in entries):
        raise UsageError(_("label {label!r} is already used in this vault").format(label=label))


def hd_entry(seed: bytes, chain: str, index: int | None, *, path: str | None = None, purpose: int = 84,
             label: str | None = None) -> dict[str, Any]:
    from keystore import hd

    # With a custom btc path the purpose comes from the path itself.
    acct = hd.derive_account(seed, chain, index or 0, path=path, purpose=purpose if path is None else None)
    entry: dict[str, Any] = {
        "chain": chain, "index": index, "path": acct.path, "address": acct.address,
        "public_key": acct.public_key, "label": label, "kind": "hd",
    }
    if acct.xpubs:
        entry["xpubs"] = dict(acct.xpubs)
        entry["descriptors"] = dict(acct.descriptors)
        entry["purpose"] = acct.purpose
    return entry


def derive_entries(seed: bytes, chain: str, entries: list[dict[str, Any]], count: int, *,
                   path: str | None = None, purpose: int = 84, label: str | None = None) -> list[dict[str, Any]]:
    """New index entries for `count` accounts after the highest index in use; never a duplicate address."""
    new = _derive_entries(seed, chain, entries, count, path=path, purpose=purpose, label=label)
    have = {(e["chain"], e["address"]) for e in entries}
    for e in new:
        if (chain, e["address"]) in have:
            raise UsageError(_("{address} is already in this vault ({path})").format(address=e["address"],
                                                                                      path=e["path"]))
    return new


def _derive_entries(seed: bytes, chain: str, entries: list[dict[str, Any]], count: int, *,
                    path: str | None, purpose: int, label: str | None) -> list[dict[str, Any]]:
    check_chain(chain)
    if count < 1 or count > 10_000:
        raise UsageError(_("--count must be between 1 and 10000"))
    if path is not None and count != 1:
        raise UsageError(_("--path derives exactly one account; drop --count"))
    check_label(label, entries)
    if path is not None:
        path = check_path(path)
    if label is not None and count != 1:
        raise UsageError(_("--label names one account; derive one at a time to label them"))
    if path is not None and chain == "btc":
        parts = path.replace("h", "'").split("/")
        if len(parts) != 4 or not all(p.endswith("'") for p in parts[1:]):
            raise UsageError(_("a btc --path is an account path of three hardened levels, like m/84'/0'/5'"))
    start = next_index(entries, chain)
    if path is not None:
        # A custom path takes no FAMILY:INDEX (evm:i stays …/0/i), unless it is the next index's own path.
        from keystore import hd

        own = path.replace("h", "'") == hd.default_path(chain, start, purpose=purpose)
        return [hd_entry(seed, chain, start if own else None, path=path, purpose=purpose, label=label)]
    if chain == "btc" and path is None and purpose != 84:
        # btc:i is BIP84 account i; other script types take the next free index and their own account number.
        acct_no = sum(1 for e in entries if e["chain"] == "btc" and e.get("purpose") == purpose)
        return [hd_entry(seed, chain, start + k, path=f"m/{purpose}'/0'/{acct_no + k}'", purpose=purpose,
                         label=label) for k in range(count)]
    if chain == "btc" and path is None:
        taken = {e["index"] for e in entries if e["chain"] == "btc"}
        start = next(i for i in range(len(taken) + 1) if i not in taken) if start in taken else start
    return [hd_entry(seed, chain, start + k, path=path, purpose=purpose, label=label) for k in range(count)]


_CURLY = ("\u2019", "\u2018", "\u2032", "\u00b4", "`")


def check_path(path: str) -> str:
    """A derivation path as typed: refuse the master key itself and look-alike quote characters."""
    p = path.strip()
    bad = next((c for c in _CURLY if c in p), None)
    if bad:
        raise UsageError(_("use ' (apostrophe), not {bad}, to mark a hardened level in a path").format(bad=bad))
    if p.rstrip("/") in ("m", "M", ""):
        raise UsageError(_("a path needs at least one level below m; m itself is the master key, never an account"))
    return p


def default_entries(seed: bytes) -> list[dict[str, Any]]:
    """Index 0 of every family, so a new vault shows an address at once."""
    return [hd_entry(seed, chain, 0) for chain in FAMILIES]
