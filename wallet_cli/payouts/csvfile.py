"""Reading a payout file: bounded, UTF-8 (BOM or not), CRLF or LF, header `to,amount[,token,id,memo]`.

Only the shape of the file is checked here (columns, empty cells, line numbers); whether an address or
an amount is valid for the network is the plan's job. Unknown columns (e.g. a `comment` column) are
ignored, so operators can keep notes beside the data.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from keystore.boundedio import os_reason
from wallet_i18n import _

MAX_BYTES = 32 * 1024 * 1024          # ~300,000 rows of typical width; refuse anything larger
MAX_ROWS = 200_000
MAX_CELL = 1024
COLUMNS = ("to", "amount", "token", "id", "memo")


def literal(value: object) -> str:
    """Text from the file (or a node) as it may be shown: control, format (bidi, zero-width) and other
    non-printable characters escaped, never interpreted (the rule of output.escaped)."""
    if value is None:
        return ""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in str(value))


class FileProblem(Exception):
    """The file as a whole cannot be read (one sentence)."""


@dataclass(frozen=True, slots=True)
class RawRow:
    line: int                          # 1-based line number in the file, for messages
    to: str
    amount: str
    token: str | None
    id: str | None
    memo: str | None


@dataclass
class ParsedFile:
    rows: list[RawRow]
    problems: list[tuple[int, str]]    # (line, sentence)


def read_bytes(path: str) -> bytes:
    """The file's bytes, at most MAX_BYTES; '-' reads stdin. Only regular files (no FIFOs, devices)."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)      # a text-only stdin (embedding, tests) has none
        data = stream.read(MAX_BYTES + 1) if stream is not None else sys.stdin.read(MAX_BYTES + 1).encode()
    else:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as e:
            raise FileProblem(_("cannot open {path}: {reason}").format(path=path, reason=os_reason(e))) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise FileProblem(_("{path} is not a regular file").format(path=path))
            with os.fdopen(fd, "rb", closefd=False) as f:
                data = f.read(MAX_BYTES + 1)
        finally:
            os.close(fd)
    if len(data) > MAX_BYTES:
        raise FileProblem(_("the payout file is larger than {size} MiB").format(size=MAX_BYTES // (1024 * 1024)))
    return data


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise FileProblem(_("line {line} is not valid UTF-8").format(line=line)) from None
    if "\x00" in text:
        raise FileProblem(_("the payout file contains NUL bytes; it is not a CSV text file"))
    return text


def parse_text(text: str) -> ParsedFile:
    """Rows with their line numbers, and every shape problem found (all of them, not just the first)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[tuple[int, str]] = []
    rows: list[RawRow] = []
    header: list[str] | None = None
    index: dict[str, int] = {}
    try:
        for rec in reader:
            line = reader.line_num
            if not rec or all(not c.strip() for c in rec):
                continue                           # blank lines are allowed anywhere
            if header is None:
                header = [c.strip().lower() for c in rec]
                index = {name: header.index(name) for name in COLUMNS if name in header}
                dup = sorted({h for h in header if h and header.count(h) > 1})
                if dup:
                    raise FileProblem(_("the header names column {column!r} twice").format(column=dup[0]))
                missing = [c for c in ("to", "amount") if c not in index]
                if missing:
                    raise FileProblem(_("line {line}: the header must name the columns to and amount (missing: "
                                        "{missing})").format(line=line, missing=", ".join(missing)))
                continue
            if len(rows) >= MAX_ROWS:
                raise FileProblem(_("the payout file has more than {count} rows").format(count=MAX_ROWS))
            row = _row(line, rec, header, index, problems)
            if row is not None:
                rows.append(row)
    except csv.Error as e:
        raise FileProblem(_("line {line} is not valid CSV ({reason})").format(line=reader.line_num, reason=e)) from None
    if header is None:
        raise FileProblem(_("the payout file is empty (it needs a header line: to,amount)"))
    return ParsedFile(rows, problems)


def _row(line: int, rec: list[str], header: list[str], index: dict[str, int],
         problems: list[tuple[int, str]]) -> RawRow | None:
    if len(rec) > len(header):
        problems.append((line, _("has {count} fields but the header has {columns} (quote a field that contains a "
                                 "comma)").format(count=len(rec), columns=len(header))))
        return None
    if any(len(c) > MAX_CELL for c in rec):
        problems.append((line, _("has a field longer than {count} characters").format(count=MAX_CELL)))
        return None

    def cell(name: str) -> str | None:
        i = index.get(name)
        if i is None or i >= len(rec):
            return None
        v = rec[i].strip()
        return v or None

    to, amount = cell("to"), cell("amount")
    if to is None:
        problems.append((line, _("has no recipient in the to column")))
        return None
    if amount is None:
        problems.append((line, _("has no amount")))
        return None
    return RawRow(line, to, amount, cell("token"), cell("id"), cell("memo"))


def load(path: str | Path) -> ParsedFile:
    return parse_text(decode(read_bytes(str(path))))
