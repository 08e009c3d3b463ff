"""Developer tool (needs babel, a test dependency): extract the marked messages and compile the catalogues.

    python -m wallet_i18n.build            compile po/<lang>/*.po into locale/<lang>/LC_MESSAGES/wallet.mo
    python -m wallet_i18n.build --missing [PATH-PREFIX]
                                           print, as .po entries to fill in, the marked messages (under the
                                           prefix, e.g. chains/evm) that have no zh_CN translation yet

Messages come from `_()`, `N_()` and `ngettext()` in the code (babel's Python extractor), and from the help
texts of every command and option, read from the click objects the CLI builds (so a docstring is marked by
being a command's help). Each area keeps its own .po file so that several people can translate at once;
compiling refuses one message translated two ways.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import wallet_i18n

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("wallet_cli", "chains", "keystore", "wallet_i18n")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PO_DIR = Path(__file__).resolve().parent / "po"


def po_files(lang: str) -> list[Path]:
    return sorted((PO_DIR / lang).glob("*.po"))


def catalogue(lang: str) -> Catalog:
    """Every .po of `lang` as one catalogue; the same msgid translated differently in two files is an error."""
    fixed = datetime(2026, 1, 1, tzinfo=UTC)   # a compilation depends on the .po files alone
    merged = Catalog(locale=lang, domain=wallet_i18n.DOMAIN, fuzzy=False, project="wallet-cli", version="1",
                     creation_date=fixed, revision_date=fixed)
    seen: dict[str | tuple[str, ...], tuple[object, Path]] = {}
    for path in po_files(lang):
        with path.open("rb") as f:
            part = read_po(f, locale=lang)
        for m in part:
            if not m.id or not m.string or m.fuzzy:
                continue
            if m.id in seen and seen[m.id][0] != m.string:
                raise SystemExit(f"{path.name} and {seen[m.id][1].name} translate {m.id!r} differently")
            seen[m.id] = (m.string, path)
            merged.add(m.id, m.string, locations=m.locations)
    return merged


def compiled(lang: str) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalogue(lang), use_fuzzy=False)
    return buf.getvalue()


def mo_path(lang: str) -> Path:
    return wallet_i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{wallet_i18n.DOMAIN}.mo"


def code_messages() -> Iterator[tuple[str | tuple[str, str], str]]:
    """(msgid, "file:line") for every `_()`, `N_()` and `ngettext()` in the sources; a plural is a pair."""
    for top in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
                ROOT / top, method_map=[("**.py", "python")], keywords=KEYWORDS, strip_comment_tags=True):
            if message:
                yield (message if isinstance(message, str) else tuple(message)), f"{top}/{filename}:{lineno}"


def help_messages() -> Iterator[tuple[str, str]]:
    """(text, "command") for the help of every command and option, as click holds them in English."""
    import click

    os.environ["WALLET_LANG"] = "en"
    wallet_i18n.reset()
    from wallet_cli.app import COMMANDS, command

    root = command()
    ctx = click.Context(root, info_name="wallet")

    def walk(cmd: click.Command, where: str) -> Iterator[tuple[str, str]]:
        for text in (cmd.help, cmd.short_help, cmd.epilog):
            if text:
                yield text, where
        for param in cmd.params:
            if getattr(param, "help", None):
                yield param.help, f"{where} {param.name}"  # type: ignore[attr-defined]
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, f"{where} {name}")

    yield from walk(root, "wallet")
    for name, (_module, text, panel) in COMMANDS.items():
        yield text, f"wallet {name}"
        yield panel, "wallet --help"
        sub = root.get_command(ctx, name)  # type: ignore[attr-defined]
        if sub is not None:
            yield from walk(sub, f"wallet {name}")


def all_messages() -> dict[str | tuple[str, str], list[str]]:
    found: dict[str | tuple[str, str], list[str]] = {}
    for message, where in [*code_messages(), *help_messages()]:
        found.setdefault(message, []).append(where)
    return found


def missing(lang: str, prefix: str = "") -> dict[str | tuple[str, str], list[str]]:
    have = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue(lang) if m.id and m.string}
    return {m: w for m, w in all_messages().items()
            if m not in have and any(x.startswith(prefix) for x in w)}


def _po_string(text: str) -> str:
    from babel.messages.pofile import escape

    return escape(text)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--missing"]:
        prefix = argv[1] if len(argv) > 1 else ""
        for message, where in missing("zh_CN", prefix).items():
            print(f"#: {' '.join(w.replace(' ', '_') for w in where[:3])}")
            if isinstance(message, tuple):
                print(f"msgid {_po_string(message[0])}\nmsgid_plural {_po_string(message[1])}\nmsgstr[0] \"\"\n")
            else:
                print(f"msgid {_po_string(message)}\nmsgstr \"\"\n")
        return 0
    for lang in wallet_i18n.LANGUAGES[1:]:
        path = mo_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(compiled(lang))
        print(f"wrote {path.relative_to(ROOT)} ({len(catalogue(lang))} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
