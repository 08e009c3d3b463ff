"""Prints the bad-input suite's counts (cases, exit-1s, tracebacks, hangs), also under pytest-xdist."""

from __future__ import annotations

from collections import Counter
from typing import Any

_counts: Counter[str] = Counter()


def pytest_runtest_logreport(report: Any) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == "bad_input":
            _counts[value] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _counts:
        return
    total = sum(_counts.values())
    bad = {k: v for k, v in sorted(_counts.items()) if k != "ok"}
    terminalreporter.write_line(
        f"bad inputs: {total} cases, {_counts['exit-1']} exit-1s, {_counts['traceback']} tracebacks, "
        f"{_counts['hang']} hangs, {_counts['exit-0']} accepted, {_counts['sentence']} not one sentence"
        + (f" ({bad})" if bad else ""))
