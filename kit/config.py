"""Settings from the environment, overridable by the nameko config of a container.

Every key is an environment variable of the same name; a nameko config dict (tests,
`nameko run --config`) wins over the environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from contracts import names

from .i18n import N_

DEFAULT_AMQP_URI = "amqp://guest:guest@localhost:5672/"
HTTP_PORTS = {
    names.STAFF: 8000,
    names.BOOKING: 8001,
    names.RECEPTION: 8002,
    names.WORKSHOP: 8003,
    names.PARTS: 8004,
    names.BILLING: 8005,
    names.FOLLOWUP: 8006,
}
HQ_HTTP_PORT = 8010  # the group HQ's dashboard (services/hq; not one of the line's services)
# Message ids: the UI shows them in the staff member's language (kit/translations).
SERVICE_TITLES = {
    names.STAFF: N_("Staff"),
    names.BOOKING: N_("Booking"),
    names.RECEPTION: N_("Reception"),
    names.WORKSHOP: N_("Workshop"),
    names.PARTS: N_("Parts"),
    names.BILLING: N_("Settlement"),
    names.FOLLOWUP: N_("Follow-up"),
    names.HQ: N_("Group HQ"),
}


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = DEFAULT_AMQP_URI
    bus_namespace: str = ""
    dealer_id: str = "demo-4s"
    dealer_timezone: str = "Asia/Shanghai"
    var_dir: Path = Path("var")
    signing_key_dir: Path | None = None
    max_delivery_attempts: int = 5
    seed: str = "none"
    session_hours: float = 12.0
    # the dealer group's HQ feed (issue 14): what of a customer leaves the store, how long the feed stream keeps
    feed_personal_data: str = "pseudonymous"  # or "full" (kit.feed)
    feed_max_age: str = "30D"  # the stream's x-max-age: Y, M, D, h, m, s units
    feed_max_bytes: int = 5_000_000_000  # the stream's x-max-length-bytes
    raw: Mapping[str, Any] | None = None

    @staticmethod
    def value(key: str, default: str | None = "", overrides: Mapping[str, Any] | None = None) -> str | None:
        """One raw setting as `load` reads it (an override that is not None, else the environment, else
        `default`), without copying the whole environment: for what a hot path needs of the settings."""
        override = (overrides or {}).get(key)
        return override if override is not None else os.environ.get(key, default)

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None) -> Settings:
        source: dict[str, Any] = dict(os.environ)
        source.update({k: v for k, v in (overrides or {}).items() if v is not None})
        var_dir = Path(source.get("VAR_DIR", "var"))
        key_dir = source.get("SIGNING_KEY_DIR")
        return cls(
            amqp_uri=source.get("AMQP_URI", DEFAULT_AMQP_URI),
            bus_namespace=source.get("BUS_NAMESPACE", ""),
            dealer_id=source.get("DEALER_ID", "demo-4s"),
            dealer_timezone=source.get("DEALER_TIMEZONE", "Asia/Shanghai"),
            var_dir=var_dir,
            signing_key_dir=Path(key_dir) if key_dir else var_dir / "keys",
            max_delivery_attempts=int(source.get("MAX_DELIVERY_ATTEMPTS", 5)),
            seed=source.get("SEED", "none"),
            session_hours=float(source.get("SESSION_HOURS", 12)),
            feed_personal_data=source.get("FEED_PERSONAL_DATA", "pseudonymous"),
            feed_max_age=source.get("FEED_MAX_AGE", "30D"),
            feed_max_bytes=int(source.get("FEED_MAX_BYTES", 5_000_000_000)),
            raw=source,
        )

    @property
    def ports(self) -> dict[str, int]:
        """Each service's HTTP port, for links between the department UIs.

        `SERVICE_PORTS=staff=18000,booking=18001` overrides the defaults (tests run the line on free ports).
        """
        ports = dict(HTTP_PORTS)
        for item in filter(None, (self.raw or {}).get("SERVICE_PORTS", "").split(",")):
            service, _, port = item.partition("=")
            ports[service.strip()] = int(port)
        return ports

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.dealer_timezone)

    def database_url(self, service: str) -> str:
        """`<SERVICE>_DATABASE_URL` if set, else a SQLite file under VAR_DIR."""
        explicit = (self.raw or {}).get(f"{service.upper()}_DATABASE_URL")
        if explicit:
            return explicit
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / f'{service}.db').resolve()}"


T = TypeVar("T")
_DERIVED: dict[tuple, Any] = {}
_DERIVED_KEPT = 64


def derived(build: Callable[[], T], setting_names: Iterable[str]) -> T:
    """`build()`, rules a service derives from its settings (slot rules, the floor's settings, a calendar), kept
    for the values the named settings have now and built again as soon as one of them changes (as in the tests).
    A request asks for such rules; parsing the environment again each time costs more than a small read does."""
    key = (build, *map(os.environ.get, setting_names))
    try:
        return _DERIVED[key]
    except KeyError:
        if len(_DERIVED) >= _DERIVED_KEPT:
            _DERIVED.clear()
        value = _DERIVED[key] = build()
        return value
