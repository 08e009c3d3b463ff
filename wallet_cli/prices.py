"""Fiat prices for the portfolio, behind one small interface: a price API or a local prices file.

A price is never guessed: an asset the source does not quote has no value, and every value is shown
with its source and age. With no source configured the portfolio shows amounts only.

Config (config.toml):  [prices]  api = "coingecko" | "https://…/api/v3"   (CoinGecko's simple/price shape)
                                 file = "/path/prices.json"    currency = "usd"    ids = { SYM = "coin-id" }
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

from chains.errors import Unavailable
from keystore.boundedio import os_reason
from wallet_cli.errors import UsageError
from wallet_i18n import _

COINGECKO = "https://api.coingecko.com/api/v3"
STALE_AFTER = 3600.0   # seconds; older quotes are still shown, marked stale
MAX_FILE = 1 << 20

# Symbol -> CoinGecko coin id for the built-in networks' assets; config [prices.ids] adds or overrides.
COIN_IDS = {"BTC": "bitcoin", "ETH": "ethereum", "SOL": "solana", "BNB": "binancecoin", "TRX": "tron",
            "POL": "polygon-ecosystem-token", "AVAX": "avalanche-2", "USDT": "tether", "USDC": "usd-coin"}


def now() -> float:
    """The clock (tests replace it)."""
    return time.time()


@dataclass(frozen=True)
class Quote:
    asset: str
    price: Decimal
    currency: str
    as_of: float           # unix time the source says the price is from


class PriceSource(ABC):
    """Quotes for asset symbols. `name` is what the portfolio shows as the source."""

    name: str
    currency: str

    @abstractmethod
    def quotes(self, assets: list[str]) -> dict[str, Quote]:
        """Quotes for the assets it knows; missing assets are simply absent."""


def _price(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() and d >= 0 and not isinstance(value, bool) else None


class CoinGecko(PriceSource):
    """GET {api}/simple/price?ids=…&vs_currencies=…&include_last_updated_at=true over the shared client."""

    def __init__(self, api: str, currency: str = "usd", ids: dict[str, str] | None = None,
                 timeout: float = 10.0) -> None:
        self.api = COINGECKO if api == "coingecko" else api
        self.currency = currency.lower()
        self.ids = {**COIN_IDS, **{k.upper(): v for k, v in (ids or {}).items()}}
        self.timeout = timeout
        from chains.transport.http import redact_url

        self.name = redact_url(self.api)

    def quotes(self, assets: list[str]) -> dict[str, Quote]:
        from chains.transport.http import HttpClient, HttpFailure
        from chains.transport.jsonrpc import loads, unavailable

        wanted = {a: self.ids[a.upper()] for a in assets if a.upper() in self.ids}
        if not wanted:
            return {}
        query = (f"/simple/price?ids={quote(','.join(sorted(set(wanted.values()))))}"
                 f"&vs_currencies={quote(self.currency)}&include_last_updated_at=true")
        try:
            status, body = HttpClient(self.api, self.timeout).request("GET", query)
        except HttpFailure as e:
            raise unavailable(_("the price API"), self.name, self.timeout, e) from None
        if status != 200:
            raise Unavailable(_("the price API at {url} answered HTTP {status}").format(url=self.name, status=status))
        try:
            data = loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise Unavailable(_("the price API at {url} answered something that is not a price list").format(
                url=self.name))
        out: dict[str, Quote] = {}
        for asset, coin in wanted.items():
            row = data.get(coin)
            if not isinstance(row, dict):
                continue
            price, stamp = _price(row.get(self.currency)), row.get("last_updated_at")
            if price is None or not isinstance(stamp, int | float) or isinstance(stamp, bool):
                continue   # no timestamp: the age could not be shown, so the price is not used
            out[asset] = Quote(asset, price, self.currency, float(stamp))
        return out


class PricesFile(PriceSource):
    """{"currency": "usd", "as_of": "2026-12-01T12:00:00Z", "prices": {"BTC": "60000", …}}"""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self.currency, self._quotes = self._load()

    def _load(self) -> tuple[str, dict[str, Quote]]:
        try:
            with open(self.path, "rb") as f:
                raw = f.read(MAX_FILE + 1)
        except OSError as e:
            raise UsageError(_("cannot read the prices file {path}: {reason}").format(path=self.path,
                                                                                      reason=os_reason(e))) from None
        if len(raw) > MAX_FILE:
            raise UsageError(_("the prices file {path} is larger than 1 MiB").format(path=self.path))
        try:
            data = json.loads(raw)
            currency = str(data.get("currency", "usd")).lower()
            as_of = datetime.fromisoformat(str(data["as_of"]).replace("Z", "+00:00"))
            if as_of.tzinfo is None:
                raise ValueError("as_of needs a time zone")   # i18n: not shown
            prices = data["prices"]
            if not isinstance(prices, dict):
                raise ValueError("prices is not a table")   # i18n: not shown
        except (ValueError, KeyError, AttributeError, TypeError):
            raise UsageError(_("the prices file {path} is not of the form {{\"currency\": \"usd\", "
                               "\"as_of\": \"2026-12-01T12:00:00Z\", \"prices\": {{\"BTC\": \"60000\"}}}}").format(
                path=self.path)) from None
        quotes: dict[str, Quote] = {}
        for asset, value in prices.items():
            price = _price(value)
            if price is None:
                raise UsageError(_("the prices file {path} has a price for {asset!r} that is not "
                                   "a non-negative number").format(path=self.path, asset=str(asset)[:20]))
            quotes[str(asset).upper()] = Quote(str(asset).upper(), price, currency, as_of.timestamp())
        return currency, quotes

    def quotes(self, assets: list[str]) -> dict[str, Quote]:
        return {a: self._quotes[a.upper()] for a in assets if a.upper() in self._quotes}


def source(settings: dict[str, Any], api: str | None = None, file: Path | None = None,
           currency: str | None = None) -> PriceSource | None:
    """The price source the options or config.toml's [prices] choose; None when there is none."""
    if api and file:
        raise UsageError(_("--price-api and --prices-file exclude each other"))
    api = api or (None if file else settings.get("api"))
    file = file or (None if api else (Path(settings["file"]).expanduser() if settings.get("file") else None))
    cur = currency or str(settings.get("currency", "usd"))
    if api:
        if api != "coingecko" and not api.startswith(("http://", "https://")):
            raise UsageError(_("a price API is 'coingecko' or an http(s) URL"))
        return CoinGecko(api, cur, dict(settings.get("ids") or {}))
    if file:
        return PricesFile(file)
    return None


def age_text(seconds: float) -> str:
    """An age for a person, in their language: '45 s', '12 min', '3 h', '5 days'."""
    s = max(0, int(seconds))
    if s < 120:
        return _("{seconds} s").format(seconds=s)
    if s < 7200:
        return _("{minutes} min").format(minutes=s // 60)
    if s < 172800:
        return _("{hours} h").format(hours=s // 3600)
    return _("{days} days").format(days=s // 86400)
