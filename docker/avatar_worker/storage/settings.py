"""The tunables of ``init``, read from ``AVATAR_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..contract import INIT_SETTINGS, setting_value
from ..errors import UsageError


@dataclass(frozen=True)
class InitSettings:
    """Tunables of ``init``; every field maps to one environment variable (see docker/README.md)."""

    attempts: int = int(INIT_SETTINGS["downloadAttempts"].default)
    stale_seconds: float = 120.0
    wait_seconds: float = 3600.0
    poll_seconds: float = 5.0
    concurrency: int = int(INIT_SETTINGS["downloadConcurrency"].default)
    backoff_seconds: float = 2.0
    read_timeout_seconds: float = 60.0
    rehash_existing: bool = False

    @property
    def heartbeat_seconds(self) -> float:
        """How often the mutex is touched: well inside the stale limit, at most every 15 s."""
        return max(0.1, min(self.stale_seconds / 4.0, 15.0))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "InitSettings":
        """Read the ``AVATAR_*`` tunables; a malformed value is a :class:`UsageError`."""
        defaults = cls()
        return cls(
            attempts=_contract_setting(environ, "downloadAttempts"),
            stale_seconds=_env_number(environ, "AVATAR_INIT_LOCK_STALE_SECONDS", defaults.stale_seconds, minimum=1),
            wait_seconds=_env_number(environ, "AVATAR_INIT_LOCK_WAIT_SECONDS", defaults.wait_seconds, minimum=0),
            poll_seconds=_env_number(environ, "AVATAR_INIT_LOCK_POLL_SECONDS", defaults.poll_seconds, minimum=0.01),
            concurrency=_contract_setting(environ, "downloadConcurrency"),
            backoff_seconds=_env_number(environ, "AVATAR_DOWNLOAD_BACKOFF_SECONDS", defaults.backoff_seconds, minimum=0),
            read_timeout_seconds=_env_number(
                environ, "AVATAR_DOWNLOAD_TIMEOUT_SECONDS", defaults.read_timeout_seconds, minimum=0.1
            ),
            rehash_existing=environ.get("AVATAR_INIT_REHASH", "").strip().lower() in ("1", "true", "yes"),
        )


def _contract_setting(environ: Mapping[str, str], key: str) -> int:
    """A setting StorageInitJob sets too, within the contract's bounds (docker/avatar_worker/contract.py)."""
    setting = INIT_SETTINGS[key]
    value, problem = setting_value(setting, environ.get(setting.env))
    if problem is not None:
        raise UsageError(f"{problem}: StorageInitJob accepts the same range")
    return int(value)


def _env_number(environ: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{name} is {raw!r}: it must be a number >= {minimum:g}") from None
    if value < minimum:
        raise UsageError(f"{name} is {raw!r}: it must be >= {minimum:g}")
    return value
