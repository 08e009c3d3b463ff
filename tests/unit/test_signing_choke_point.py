"""Every path that signs goes through wallet_cli/signing.py: no other module asks the vault for a key
or calls an adapter's signing methods directly."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "wallet_cli"
SIGNING_METHODS = {"sign", "sign_message", "sign_typed_data", "sign_psbt", "speed_up", "cancel",
                   "send_with_resign"}
ALLOWED = {"signing.py", "session.py"}


def _calls(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "signer_for":
            out.append(("signer_for", node.lineno))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SIGNING_METHODS and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "adapter"):
            out.append((node.func.attr, node.lineno))
    return out


def test_only_the_choke_point_signs() -> None:
    offenders = {}
    for path in ROOT.rglob("*.py"):
        if path.name in ALLOWED:
            continue
        found = _calls(path)
        # transfer.publish hands the choke point's resign key to send_with_resign; that is the one exception.
        found = [f for f in found if not (path.name == "transfer.py" and f[0] == "send_with_resign")]
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_the_check_sees_a_direct_call(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(adapter, s):\n    return adapter.sign(1, s.signer_for(2))\n")
    assert sorted(n for n, _ in _calls(bad)) == ["sign", "signer_for"]
