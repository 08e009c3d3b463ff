"""The payout file parser and plan validation, on plain text (no chain needed: EVM addresses parse offline)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from chains.evm import Adapter
from chains.networks import get_network
from keystore.addresses import to_checksum_address
from wallet_cli.payouts import csvfile, plan

NET = get_network("local-evm")
SENDER = to_checksum_address(b"\x11" * 20)


def addr() -> str:
    return to_checksum_address(os.urandom(20))


def build(text: str, *, allow_duplicates: bool = False, contacts: dict[str, str] | None = None) -> plan.Plan:
    parsed = csvfile.parse_text(csvfile.decode(text.encode("utf-8")))
    return plan.build(parsed.rows, NET, Adapter(NET), SENDER, default_token=None,
                      contact=(contacts or {}).get, allow_duplicates=allow_duplicates, known=set(),
                      problems=parsed.problems)


def problems(text: str) -> dict[int, str]:
    with pytest.raises(plan.PlanProblems) as e:
        build(text)
    return dict(e.value.problems)


def test_bom_crlf_quotes_blank_lines_comment_column_and_chinese_memo() -> None:
    a, b = addr(), addr()
    text = (f"\ufeffto,amount,comment,memo\r\n\r\n{a},\"1.5\",\"note, with comma\",工资 十二月\r\n"
            f"\r\n   \r\n\"{b}\",2,,\"quoted \"\"memo\"\"\"\r\n")
    p = build(text)
    assert [(r.line, r.to, r.amount.value, r.memo) for r in p.rows] == [
        (3, a, 15 * 10**17, "工资 十二月"), (6, b, 2 * 10**18, 'quoted "memo"')]
    assert p.assets[p.rows[0].asset] == 35 * 10**17


@pytest.mark.parametrize("amount", ["1e3", "\"1,5\"", "-1", "0", "0.0", "1.0000000000000000001", "NaN", "١"])
def test_bad_amounts_refused_by_line(amount: str) -> None:
    got = problems(f"to,amount\n{addr()},1\n{addr()},{amount}\n")
    assert list(got) == [3] and got[3]


def test_unquoted_decimal_comma_is_an_extra_field() -> None:
    got = problems(f"to,amount\n{addr()},1,5\n")
    assert "fields" in got[2]


def test_every_bad_row_is_reported_once_with_its_line() -> None:
    good = addr()
    wrong_case = "0x" + good[2:].swapcase()
    text = ("to,amount\n"
            f"{good},1\n"
            "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu,1\n"       # another chain's address
            f"{wrong_case},1\n"                                    # mixed case with a bad EIP-55 checksum
            ",1\n"
            f"{good},\n"
            "nobody,1\n")
    got = problems(text)
    assert sorted(got) == [3, 4, 5, 6, 7]
    assert all("\n" not in m for m in got.values())


def test_contact_names_resolve_but_never_shadow_addresses() -> None:
    a = addr()
    p = build(f"to,amount\nalice,1\n{a},2\n", contacts={"alice": a})
    assert [r.to for r in p.rows] == [a, a]


def test_identity_amount_as_number_and_duplicates() -> None:
    a = addr()
    got = problems(f"to,amount\n{a},1.50\n{a},1.5\n")
    assert "duplicate of line 2" in got[3]
    p = build(f"to,amount\n{a},1.50\n{a},1.5\n", allow_duplicates=True)
    assert p.rows[0].key != p.rows[1].key and p.rows[0].key.split("#")[0] == p.rows[1].key.split("#")[0]
    ids = build(f"id,to,amount\nx,{a},1\ny,{a},1\n")
    assert [r.key for r in ids.rows] == ["id:x", "id:y"]
    assert "repeats the id" in problems(f"id,to,amount\nx,{a},1\nx,{addr()},2\n")[3]


def test_header_problems() -> None:
    with pytest.raises(csvfile.FileProblem, match="to and amount"):
        csvfile.parse_text("address,value\nx,1\n")
    with pytest.raises(csvfile.FileProblem, match="empty"):
        csvfile.parse_text("\n\n")
    with pytest.raises(csvfile.FileProblem, match="UTF-8"):
        csvfile.decode(b"to,amount\n\xff\xfe,1\n")


def test_reads_are_bounded_and_regular_files_only(tmp_path: Path) -> None:
    with pytest.raises(csvfile.FileProblem, match="not a regular file"):
        csvfile.read_bytes(str(tmp_path))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(csvfile.FileProblem, match="not a regular file"):
        csvfile.read_bytes(str(fifo))
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(csvfile.MAX_BYTES + 1)
    with pytest.raises(csvfile.FileProblem, match="larger than"):
        csvfile.read_bytes(str(big))


def test_ten_thousand_rows() -> None:
    rows = "".join(f"{addr()},{i + 1}.{i % 100:02d}\n" for i in range(10_000))
    t0 = time.perf_counter()
    p = build("to,amount\n" + rows)
    assert time.perf_counter() - t0 < 20          # generous: a guard against quadratic work, not a benchmark
    assert len(p.rows) == 10_000 and len({r.key for r in p.rows}) == 10_000
    assert p.rows[-1].line == 10_001
    assert sum(p.assets.values()) == sum((i + 1) * 10**18 + (i % 100) * 10**16 for i in range(10_000))


def test_lookalikes_of_known_and_listed_addresses() -> None:
    a = addr()
    twin = a[:6] + ("0" if a[6] != "0" else "1") + a[7:]
    warnings = plan.lookalike_warnings([to_checksum_address(twin)], {a})
    assert len(warnings) == 1 and "poisoning" in warnings[0]
    assert plan.lookalike_warnings([a], {a}) == []


def test_control_characters_from_the_file_are_escaped_in_messages() -> None:
    with pytest.raises(plan.PlanProblems) as e:
        build("to,amount\n\x1b[8mhidden,1\n")
    assert "\x1b" not in str(e.value) and "\\x1b[8mhidden" in str(e.value)


def test_shown_file_text_escapes_bidi_and_format_characters() -> None:
    """An id or memo with U+202E (right-to-left override), U+2066 (isolate) or a zero-width joiner would
    reorder or hide what `pay status` and the review show, as the terminal control characters would."""
    for evil in ("\u202e", "\u2066", "\u200d", "\u061c", "\x1b", "\x9b"):
        shown = csvfile.literal(f"pay{evil}me")
        assert evil not in shown and shown.startswith("pay") and shown.endswith("me")
    assert csvfile.literal("工资 2026") == "工资 2026"            # printable text stays as it is
    assert csvfile.literal("a\tb\r\n") == "a\\tb\\r\\n"


def test_a_contact_repointed_after_its_row_was_paid_is_a_conflict_not_a_new_row() -> None:
    """A row without an id that names a contact keeps its identity when the contact's address changes: the
    file's text did not change, so paying the new address would pay the row twice. It is a conflict."""
    import sqlite3

    from wallet_cli.payouts.runs import Runs

    old, new = addr(), addr()
    text = "to,amount\nalice,1\n"
    before, after = build(text, contacts={"alice": old}), build(text, contacts={"alice": new})
    assert before.rows[0].key == after.rows[0].key
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE txs (id INTEGER PRIMARY KEY)")
    runs = Runs(db)
    assert runs.sync("r", before) == []
    db.execute("UPDATE payout_rows SET state = 'confirmed', txid = '0xab'")
    conflicts = runs.sync("r", after)
    assert [(row.to, rec.to) for row, rec in conflicts] == [(new, old)]
    # A contact and the address it names are still the same payment for the duplicate check.
    got = problems_with(f"to,amount\nalice,1\n{old},1\n", {"alice": old})
    assert list(got) == [3] and "duplicate" in got[3]


def problems_with(text: str, contacts: dict[str, str]) -> dict[int, str]:
    with pytest.raises(plan.PlanProblems) as e:
        build(text, contacts=contacts)
    return dict(e.value.problems)
