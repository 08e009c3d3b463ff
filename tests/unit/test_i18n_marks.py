"""Every message a person can see is marked for translation, and marked in a way extraction can read.

Run as a script (`python tests/unit/test_i18n_marks.py chains/evm`) to list what is left under a path.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# devnet/ is excluded: its sandboxes are model nodes, and a node's text is shown as the node's, untranslated.
SCANNED = ("wallet_cli", "chains", "keystore")
# Calls whose first argument a person reads.
SINKS = {"info", "warn", "error", "echo", "secho", "prompt", "confirm", "review", "fail", "BadParameter", "Exit",
         "__init__"}   # __init__: an exception class passing its message to super()
TEXT_KEYWORDS = {"title", "prompt", "message"}
OPT_OUT = "i18n: not shown"   # on the line: an internal message that never reaches a person
MARKS = {"_", "N_", "ngettext"}


def _has_words(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return sum(c.isalpha() for c in node.value) >= 2
    if isinstance(node, ast.JoinedStr):
        return any(_has_words(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _has_words(node.left) or _has_words(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return _has_words(node.func.value)
    if isinstance(node, ast.IfExp):
        return _has_words(node.body) or _has_words(node.orelse)
    return False


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _files(prefix: str = "") -> list[Path]:
    out = []
    for top in SCANNED:
        for p in sorted((ROOT / top).rglob("*.py")):
            rel = p.relative_to(ROOT).as_posix()
            if rel.startswith(prefix):
                out.append(p)
    return out


def _is_summary(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "summary") or \
        (isinstance(node, ast.Attribute) and node.attr == "summary")


def _label_keys(node: ast.AST) -> list[ast.AST]:
    """The literal keys of a dict literal (and of the ones it unpacks): review labels, shown translated."""
    if isinstance(node, ast.IfExp):
        return _label_keys(node.body) + _label_keys(node.orelse)
    if not isinstance(node, ast.Dict):
        return []
    out: list[ast.AST] = []
    for k, v in zip(node.keys, node.values, strict=True):
        out += _label_keys(v) if k is None else [k] if _has_words(k) else []
    return out


def unmarked(prefix: str = "") -> list[str]:
    """file:line: text, for each literal with words passed straight to a place a person reads, and each
    review label (a key of a transaction's summary or of key_values' rows) that is not a marked msgid."""
    found = []
    for path in _files(prefix):
        src = path.read_text()
        lines = src.splitlines()
        tree = ast.parse(src)
        rel = path.relative_to(ROOT).as_posix()

        def report(node: ast.AST, rel: str = rel, lines: list[str] = lines) -> None:
            end = getattr(node, "end_lineno", node.lineno)
            if not any(OPT_OUT in lines[i - 1] for i in range(max(1, node.lineno - 1), end + 1)):
                found.append(f"{rel}:{node.lineno}: {ast.unparse(node)[:100]}")

        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(t, ast.Subscript) and _is_summary(t.value) and _has_words(t.slice):
                        report(t.slice)
                    if _is_summary(t):
                        for k in _label_keys(node.value):
                            report(k)
            if isinstance(node, ast.Call) and _name(node.func) == "key_values" and node.args:
                for k in _label_keys(node.args[0]):
                    report(k)
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                for a in node.exc.args:
                    if _has_words(a):
                        report(a)
            elif isinstance(node, ast.Call) and _name(node.func) not in MARKS:
                if _name(node.func) in SINKS:
                    for a in node.args[:1]:
                        if _has_words(a):
                            report(a)
                for k in node.keywords:
                    if k.arg in TEXT_KEYWORDS and _has_words(k.value):
                        report(k.value)
    return found


def bad_marks() -> list[str]:
    """`_()` of anything but one literal (extraction reads literals only), positional placeholders (a
    translation may reorder them), and modules that import `_` and also bind it (a loop's `_` would shadow)."""
    found = []
    for path in _files():
        tree = ast.parse(path.read_text())
        rel = path.relative_to(ROOT).as_posix()
        imports_mark = any(isinstance(n, ast.ImportFrom) and n.module == "wallet_i18n" and
                           any(a.name == "_" for a in n.names) for n in ast.walk(tree))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in MARKS and isinstance(node.func, ast.Name):
                want = 2 if node.func.id == "ngettext" else 1
                for a in node.args[:want]:
                    if not (isinstance(a, ast.Constant) and isinstance(a.value, str)):
                        found.append(f"{rel}:{node.lineno}: {node.func.id}() of a non-literal: {ast.unparse(a)[:80]}")
                    elif "{}" in a.value or any(f"{{{i}" in a.value for i in range(10)):
                        found.append(f"{rel}:{node.lineno}: positional placeholder in {a.value[:80]!r}")
            if imports_mark and isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                found.append(f"{rel}:{node.lineno}: binds _, which this module imports as the translation mark")
            if imports_mark and isinstance(node, ast.arg) and node.arg == "_":
                found.append(f"{rel}:{node.lineno}: an argument named _ shadows the translation mark")
    return found


def test_every_shown_literal_is_marked() -> None:
    left = unmarked()
    assert not left, f"{len(left)} messages are not marked for translation:\n" + "\n".join(left[:60])


def test_marks_are_extractable() -> None:
    bad = bad_marks()
    assert not bad, "\n".join(bad)


if __name__ == "__main__":
    left = unmarked(sys.argv[1] if len(sys.argv) > 1 else "")
    print("\n".join(left + bad_marks()))
    print(f"{len(left)} unmarked", file=sys.stderr)
