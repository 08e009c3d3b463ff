"""The README's main command in Chinese: `WALLET_LANG=zh_CN wallet demo` narrates and reports in Chinese."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.cli.test_i18n_cli import english_sentences


def test_demo_runs_in_chinese(tmp_path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "WALLET_LANG": "zh_CN"}
    p = subprocess.run([sys.executable, "-m", "wallet_cli", "demo"], capture_output=True, text=True, env=env,
                       timeout=300, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-3000:]
    shown = p.stdout + p.stderr
    assert len(re.findall(r"[\u4e00-\u9fff]", shown)) > 200, shown[-2000:]
    left = english_sentences(shown)
    assert not left, "\n".join(left[:40])
    assert "个接收方" in shown and "recipients" not in shown    # history's row for a payout to several addresses
    for amount in ("250 DEMO", "0.1 BTC", "0.5 SOL", "25 USDT"):   # amounts and symbols stay as they are
        assert amount in shown
    assert list(tmp_path.iterdir()) == []
