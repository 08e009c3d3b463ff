"""config get | set | unset: the home's settings that are not networks, tokens or policy (today: lang)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wallet_cli import config, output
from wallet_cli.context import options
from wallet_cli.errors import UsageError
from wallet_i18n import LANGUAGES, _, normalize

config_app = typer.Typer(help="Show or change settings kept in the wallet home (config.toml).", no_args_is_help=True)

KEYS = ("lang",)


def _key(key: str) -> str:
    if key not in KEYS:
        raise UsageError(_("unknown setting {key!r}; the settings are: {keys}").format(key=key, keys=", ".join(KEYS)))
    return key


@config_app.command("get")
def get(key: Annotated[str, typer.Argument(help="The setting: lang.")]) -> None:
    """Show a setting's value (nothing when it is not set)."""
    value = config.load(options().home).get(_key(key))
    output.emit({"key": key, "value": value}, lambda: output.line("" if value is None else str(value)))


@config_app.command("set")
def set_(key: Annotated[str, typer.Argument(help="The setting: lang.")],
         value: Annotated[str, typer.Argument(help="Its value: en or zh_CN for lang.")]) -> None:
    """Keep a setting in config.toml. lang chooses the language of messages, after $WALLET_LANG."""
    _key(key)
    lang = normalize(value)
    if lang is None:
        raise UsageError(_("unsupported language {value!r}; use one of: {languages}").format(
            value=value, languages=", ".join(LANGUAGES)))

    def change(cfg: dict[str, Any]) -> None:
        cfg[key] = lang

    config.update(options().home, change)
    output.emit({"key": key, "value": lang}, lambda: output.info(_("{key} is now {value}").format(key=key, value=lang)))


@config_app.command("unset")
def unset(key: Annotated[str, typer.Argument(help="The setting: lang.")]) -> None:
    """Remove a setting, so its default applies again."""
    _key(key)

    def change(cfg: dict[str, Any]) -> None:
        cfg.pop(key, None)

    config.update(options().home, change)
    output.emit({"key": key, "value": None}, lambda: output.info(_("{key} is no longer set").format(key=key)))


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config", rich_help_panel="Settings")
