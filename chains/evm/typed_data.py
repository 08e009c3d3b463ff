"""EIP-712 typed data: strict validation, one canonical form, and the review tree of every signed field.

What is signed is exactly what `types` declares: a message field that `types` does not declare would be
dropped by the encoder, so a display-only field ("Sign in to example.org") could dress up an unlimited
approval. Such fields are an error, as are missing fields, loose values (bool "yes", bytes32 "0x11",
numbers out of their uintN/intN range, malformed addresses) and recursive types. The canonical form
(ints as int, addresses checksummed, bytes as 0x-hex) is what the review shows and what is signed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from chains.errors import BadInput
from chains.evm.address import checksum
from wallet_i18n import _

_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_ARRAY = re.compile(r"^(.*)\[(\d*)\]$")
_INT = re.compile(r"^(u?)int(\d+)$")
_BYTES_N = re.compile(r"^bytes(\d+)$")
_HEX = re.compile(r"^0x[0-9a-fA-F]*$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
DOMAIN_FIELDS = {"name": "string", "version": "string", "chainId": "uint256", "verifyingContract": "address",
                 "salt": "bytes32"}
TOP_KEYS = {"types", "primaryType", "domain", "message"}
MAX_DEPTH = 32
MAX_ITEMS = 10_000


def _bad(problem: str) -> BadInput:
    return BadInput(_("the EIP-712 typed data is invalid: {problem}").format(problem=problem))


def _is_atomic(t: str) -> bool:
    if t in ("address", "bool", "string", "bytes"):
        return True
    m = _INT.match(t)
    if m:
        bits = int(m.group(2))
        return 8 <= bits <= 256 and bits % 8 == 0 and not m.group(2).startswith("0")
    m = _BYTES_N.match(t)
    return bool(m) and 1 <= int(m.group(1)) <= 32 and not m.group(1).startswith("0")


def _base(t: str) -> str:
    while (m := _ARRAY.match(t)) is not None:
        t = m.group(1)
    return t


def check_types(types: Any) -> dict[str, list[tuple[str, str]]]:
    """{struct: [(field, type)]}, refusing malformed, duplicate, unknown and recursive types."""
    if not isinstance(types, dict) or not types:
        raise _bad(_("types must be an object of struct definitions"))
    out: dict[str, list[tuple[str, str]]] = {}
    for name, fields in types.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name) or _is_atomic(name):
            raise _bad(_("type name {name!r} is not a valid struct name").format(name=name))
        if not isinstance(fields, list):
            raise _bad(_("type {name} must be a list of {{name, type}} fields").format(name=name))
        seen: list[tuple[str, str]] = []
        for f in fields:
            if not isinstance(f, dict) or set(f) != {"name", "type"} or not all(isinstance(v, str) for v in f.values()):
                raise _bad(_('type {name} has a field that is not exactly {{"name": ..., "type": ...}}').format(
                    name=name))
            if not _NAME.fullmatch(f["name"]):
                raise _bad(_("type {name} has a field name {field!r} that is not an identifier").format(
                    name=name, field=f["name"]))
            if any(f["name"] == n for n, _t in seen):
                raise _bad(_("type {name} declares the field {field} twice").format(name=name, field=f["name"]))
            seen.append((f["name"], f["type"].strip()))
        out[name] = seen
    for name, fields in out.items():
        for field, t in fields:
            if not _is_atomic(_base(t)) and _base(t) not in out:
                raise _bad(_("{where} has the unknown type {type!r}").format(where=f"{name}.{field}", type=t))
            if re.search(r"\[0\d*\]", t):
                raise _bad(_("{where} has the malformed array type {type!r}").format(where=f"{name}.{field}", type=t))
    _refuse_cycles(out)
    return out


def _refuse_cycles(types: dict[str, list[tuple[str, str]]]) -> None:
    state: dict[str, int] = {}   # 1 = on the current path, 2 = done

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 1:
            raise _bad(_("types are recursive ({path}), which cannot be reviewed").format(
                path=" -> ".join([*path, name])))
        if state.get(name) == 2:
            return
        if len(path) >= MAX_DEPTH:   # values cannot nest deeper anyway, and a deep chain would exhaust the stack
            raise _bad(_("types nest more than {depth} levels deep ({path})").format(
                depth=MAX_DEPTH, path=" -> ".join([*path[:3], "…", name])))
        state[name] = 1
        for _f, t in types[name]:
            if _base(t) in types:
                visit(_base(t), [*path, name])
        state[name] = 2

    for name in types:
        visit(name, [])


def _int_value(v: Any, t: str, where: str) -> int:
    m = _INT.match(t)
    assert m is not None
    if isinstance(v, bool) or isinstance(v, float):
        raise _bad(_("{where} must be a whole number for {type}, not {value}").format(
            where=where, type=t, value=json.dumps(v)))
    if isinstance(v, str):
        s = v.strip()
        if re.fullmatch(r"-?[0-9]{1,80}", s):
            v = int(s)
        elif re.fullmatch(r"0x[0-9a-fA-F]{1,64}", s):
            v = int(s, 16)
        else:
            raise _bad(_("{where} must be a whole number for {type}, not {value}").format(
                where=where, type=t, value=json.dumps(v)))
    if not isinstance(v, int):
        raise _bad(_("{where} must be a whole number for {type}").format(where=where, type=t))
    bits = int(m.group(2))
    lo, hi = (0, 2**bits - 1) if m.group(1) else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if not lo <= v <= hi:
        raise _bad(_("{where} = {value} is out of range for {type}").format(where=where, value=v, type=t))
    return v


def _value(types: dict[str, list[tuple[str, str]]], t: str, v: Any, where: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _bad(_("{where} nests too deeply").format(where=where))
    if (m := _ARRAY.match(t)) is not None:
        inner, size = m.group(1), m.group(2)
        if not isinstance(v, list):
            raise _bad(_("{where} must be an array for {type}").format(where=where, type=t))
        if size and len(v) != int(size):
            raise _bad(_("{where} has {count} items but {type} has exactly {size}").format(
                where=where, count=len(v), type=t, size=size))
        if len(v) > MAX_ITEMS:
            raise _bad(_("{where} has too many items").format(where=where))
        return [_value(types, inner, x, f"{where}[{i}]", depth + 1) for i, x in enumerate(v)]
    if t in types:
        return struct_value(types, t, v, where, depth + 1)
    if t == "bool":
        if not isinstance(v, bool):
            raise _bad(_("{where} must be true or false, not {value}").format(where=where, value=json.dumps(v)))
        return v
    if t == "string":
        if not isinstance(v, str):
            raise _bad(_("{where} must be a string").format(where=where))
        return v
    if t == "address":
        if not isinstance(v, str) or not _ADDRESS.match(v.strip()):
            raise _bad(_("{where} must be a 0x address of 40 hex digits, not {value}").format(
                where=where, value=json.dumps(v)))
        s = v.strip()
        if s[2:] != s[2:].lower() and s[2:] != s[2:].upper() and checksum(s) != s:
            raise _bad(_("{where} = {address} fails its EIP-55 checksum (a typo?)").format(where=where, address=s))
        return checksum(s)
    if t == "bytes" or _BYTES_N.match(t):
        if not isinstance(v, str) or not _HEX.match(v.strip()) or len(v.strip()) % 2:
            raise _bad(_("{where} must be 0x-hex bytes for {type}, not {value}").format(
                where=where, type=t, value=json.dumps(v)[:80]))
        s = v.strip().lower()
        if t != "bytes" and len(s) - 2 != 2 * int(t[5:]):
            raise _bad(_("{where} has {count} bytes but {type} needs exactly {size}").format(
                where=where, count=(len(s) - 2) // 2, type=t, size=t[5:]))
        return s
    return _int_value(v, t, where)


def struct_value(types: dict[str, list[tuple[str, str]]], name: str, v: Any, where: str, depth: int = 0) -> dict:
    if not isinstance(v, dict):
        raise _bad(_("{where} must be an object of type {name}").format(where=where, name=name))
    declared = [f for f, _t in types[name]]
    extra = [k for k in v if k not in declared]
    if extra:
        raise _bad(_("{where} has fields that {name} does not declare ({fields}); they would not be signed, so "
                     "they cannot be shown").format(where=where, name=name, fields=", ".join(map(str, extra))))
    missing = [f for f in declared if f not in v]
    if missing:
        raise _bad(_("{where} lacks fields of {name}: {fields}").format(
            where=where, name=name, fields=", ".join(missing)))
    return {f: _value(types, t, v[f], f"{where}.{f}", depth) for f, t in types[name]}


def canonical(typed: Any) -> dict[str, Any]:
    """Validated typed data in canonical form, ready to encode; BadInput (exit 2) for anything loose."""
    if not isinstance(typed, dict) or set(typed) != TOP_KEYS:
        raise BadInput(_("EIP-712 typed data is an object with exactly types, primaryType, domain and message"))
    types = check_types(typed["types"])
    if "EIP712Domain" not in types:
        raise _bad(_("types lack EIP712Domain, so the domain cannot be checked"))
    for f, t in types["EIP712Domain"]:
        if DOMAIN_FIELDS.get(f) != t:
            raise _bad(_("EIP712Domain.{field} ({type}) is not one of the standard domain fields name, version, "
                         "chainId, verifyingContract, salt").format(field=f, type=t))
    primary = typed["primaryType"]
    if not isinstance(primary, str) or primary not in types or primary == "EIP712Domain":
        raise _bad(_("primaryType {value} is not a struct declared in types").format(value=json.dumps(primary)[:80]))
    raw_types = {n: [{"name": f, "type": t} for f, t in fs] for n, fs in types.items()}
    return {"types": raw_types, "primaryType": primary,
            "domain": struct_value(types, "EIP712Domain", typed["domain"], "domain"),
            "message": struct_value(types, primary, typed["message"], "message")}


def literal(text: str) -> str:
    """A string as a quoted literal: control, format and separator characters escaped, never interpreted."""
    out = []
    for ch in json.dumps(text, ensure_ascii=False)[1:-1]:
        out.append(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn")
                   else ch)
    return '"' + "".join(out) + '"'


def review_tree(typed: dict[str, Any]) -> list[str]:
    """Every signed field of canonical typed data, one per line, nested by indentation."""
    types = {n: [(f["name"], f["type"]) for f in fs] for n, fs in typed["types"].items()}
    lines: list[str] = []

    def show(t: str, v: Any, label: str, indent: int) -> None:
        pad = "  " * indent
        if (m := _ARRAY.match(t)) is not None:
            lines.append(f"{pad}{label} " + _("({type}, {count} items)").format(type=t, count=len(v)))
            for i, x in enumerate(v):
                show(m.group(1), x, f"[{i}]", indent + 1)
        elif t in types:
            lines.append(f"{pad}{label} ({t})")
            for f, ft in types[t]:
                show(ft, v[f], f, indent + 1)
        else:
            lines.append(f"{pad}{label} ({t}): {_atom(t, v)}")

    show("EIP712Domain", typed["domain"], "domain", 0)
    show(typed["primaryType"], typed["message"], "message", 0)
    return lines


def _atom(t: str, v: Any) -> str:
    if t == "string":
        return literal(v)
    if t == "bool":
        return "true" if v else "false"
    if isinstance(v, int):
        m = _INT.match(t)
        if m and m.group(1) and v == 2 ** int(m.group(2)) - 1:
            return _("{value} (the maximum {type}: unlimited)").format(value=v, type=t)
        return str(v)
    return str(v)
