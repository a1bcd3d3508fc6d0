"""Settings, built once at the edge (defaults < file < env < CLI) and handed down.

Only this module reads the environment.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from . import __version__

USER_AGENT = f"Newsweave/{__version__} (news event comparison tool; python-httpx)"


@dataclass(frozen=True)
class Settings:
    db: str = "newsweave.db"
    allow_private: bool = False  # allow fetching loopback/private/link-local addresses
    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_bytes: int = 20 * 1024 * 1024  # largest HTTP body or input file accepted
    max_redirects: int = 5
    batch_size: int = 200  # articles per store transaction
    enrich: bool = True  # run the understanding stages (sentences, entities, dates…) at ingest
    workers: int = 1  # processes for the per-article stages (models loaded once per worker)
    group: bool = True  # embed articles and rebuild copies/events/storylines after each ingest
    host: str = "127.0.0.1"  # address `newsweave serve` binds to
    port: int = 8000
    token: str | None = field(default=None, repr=False)  # bearer token for the API's writes
    runner: str = "local"  # where the per-article stages run: "local" (in-process) or "ray"
    ray_address: str | None = None  # Ray cluster to join ("auto": the running one); None: start one
    # How sure the event model must be that an article reports an event before it joins it (and
    # before two events it bridges merge). None: the value fitted on the labelled data (0.40),
    # which keeps one running story together; higher values give tighter events (see README).
    event_threshold: float | None = None

    def __post_init__(self) -> None:
        t = self.event_threshold
        if t is not None and not 0.0 < t < 1.0:
            raise ValueError(f"event_threshold must be between 0 and 1 (exclusive), got {t}")

    def with_overrides(self, **kw: Any) -> "Settings":
        """A copy with the given non-None values set (CLI flags)."""
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


_ENV = {
    "db": "NEWSWEAVE_DB",
    "allow_private": "NEWSWEAVE_ALLOW_PRIVATE",
    "user_agent": "NEWSWEAVE_USER_AGENT",
    "connect_timeout": "NEWSWEAVE_CONNECT_TIMEOUT",
    "read_timeout": "NEWSWEAVE_READ_TIMEOUT",
    "max_bytes": "NEWSWEAVE_MAX_BYTES",
    "max_redirects": "NEWSWEAVE_MAX_REDIRECTS",
    "batch_size": "NEWSWEAVE_BATCH_SIZE",
    "enrich": "NEWSWEAVE_ENRICH",
    "group": "NEWSWEAVE_GROUP",
    "workers": "NEWSWEAVE_WORKERS",
    "host": "NEWSWEAVE_HOST",
    "port": "NEWSWEAVE_PORT",
    "token": "NEWSWEAVE_TOKEN",
    "runner": "NEWSWEAVE_RUNNER",
    "ray_address": "NEWSWEAVE_RAY_ADDRESS",
    "event_threshold": "NEWSWEAVE_EVENT_THRESHOLD",
}


def _coerce(name: str, value: Any) -> Any:
    typ = {f.name: f.type for f in fields(Settings)}[name]
    if typ == "bool" and isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    try:
        if typ == "int":
            return int(value)
        if typ in ("float", "float | None"):
            return float(value)
    except (TypeError, ValueError):
        kind = "a whole number" if typ == "int" else "a number"
        raise ValueError(f"{name} ({_ENV[name]}) must be {kind}, got {value!r}") from None
    return value


def load_settings(config_file: str | Path | None = None, env: dict[str, str] | None = None,
                  **cli: Any) -> Settings:
    """Build the settings: defaults, then a TOML file ([newsweave] table), then env, then CLI."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    path = config_file or env.get("NEWSWEAVE_CONFIG")
    if path:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        for k, v in data.get("newsweave", data).items():
            if k in _ENV:
                values[k] = _coerce(k, v)
    for k, var in _ENV.items():
        if var in env and env[var] != "":
            values[k] = _coerce(k, env[var])
    for k, v in cli.items():
        if v is not None and k in _ENV:
            values[k] = _coerce(k, v)
    return Settings(**values)
