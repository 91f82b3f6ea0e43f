"""Settings for the Telegram bot, read once from the environment and an optional `.env` file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

DEFAULT_API_BASE_URL = "https://api.telegram.org"
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"  # the Docker image sets 0.0.0.0
DEFAULT_WEBHOOK_PORT = 8443
DEFAULT_FLOOD_LIMIT = 8  # questions per user…
DEFAULT_FLOOD_WINDOW = 30  # …in this many seconds
DEFAULT_FEEDBACK_DAYS = 90  # questions and votes are kept this long

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A missing or bad setting. The message names the variable and fits on one line."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment, validated."""

    token: str
    api_base_url: str = DEFAULT_API_BASE_URL
    db_path: Path | None = None
    admins: frozenset[int] = frozenset()
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    log_level: str = "INFO"
    flood_limit: int = DEFAULT_FLOOD_LIMIT
    flood_window: int = DEFAULT_FLOOD_WINDOW
    feedback: bool = True
    feedback_db: Path | None = None  # None: feedback.db next to the default knowledge base
    feedback_days: int = DEFAULT_FEEDBACK_DAYS
    group_feedback: bool = False
    journal: Path | None = None  # None: journal.db next to the feedback store

    def __repr__(self) -> str:  # never show the token or the webhook secret
        return (
            f"Settings(api_base_url={self.api_base_url!r}, db_path={self.db_path!r}, "
            f"admins={sorted(self.admins)!r}, webhook_url={self.webhook_url!r}, "
            f"webhook_listen={self.webhook_listen!r}, webhook_port={self.webhook_port!r}, "
            f"log_level={self.log_level!r}, flood_limit={self.flood_limit!r}, "
            f"flood_window={self.flood_window!r}, feedback={self.feedback!r}, "
            f"feedback_db={self.feedback_db!r}, feedback_days={self.feedback_days!r}, "
            f"group_feedback={self.group_feedback!r}, journal={self.journal!r})"
        )

    @property
    def api_url(self) -> str:
        """The base URL for Bot API methods; python-telegram-bot appends the token."""
        return f"{self.api_base_url}/bot"

    @property
    def file_url(self) -> str:
        """The base URL for file downloads; python-telegram-bot appends the token."""
        return f"{self.api_base_url}/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path the webhook server listens on: the path of WEBHOOK_URL."""
        return urlsplit(self.webhook_url or "").path.strip("/")

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log."""
        return tuple(s for s in (self.token, self.webhook_secret) if s)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Read the settings: `environ` (default `os.environ`) wins over `env_file`.

        Raises SettingsError with a one-line message that names the variable.
        """
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        env = {k: v.strip() for k, v in values.items() if v.strip()}

        webhook_url = _webhook_url(env.get("WEBHOOK_URL"))
        secret = env.get("WEBHOOK_SECRET")
        if secret is not None and not _SECRET.match(secret):
            raise SettingsError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        if webhook_url and secret is None:
            raise SettingsError(
                "WEBHOOK_SECRET is required when WEBHOOK_URL is set "
                "(e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return cls(
            token=_token(env.get("TELEGRAM_BOT_TOKEN")),
            api_base_url=_api_base_url(env.get("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL)),
            db_path=Path(env["QABOT_DB"]).expanduser() if "QABOT_DB" in env else None,
            admins=_admins(env.get("QABOT_ADMINS", "")),
            webhook_url=webhook_url,
            webhook_secret=secret,
            webhook_listen=env.get("WEBHOOK_LISTEN", DEFAULT_WEBHOOK_LISTEN),
            webhook_port=_port(env.get("WEBHOOK_PORT")),
            log_level=_log_level(env.get("LOG_LEVEL", "INFO")),
            flood_limit=_positive(
                "QABOT_FLOOD_LIMIT", env.get("QABOT_FLOOD_LIMIT"), DEFAULT_FLOOD_LIMIT
            ),
            flood_window=_positive(
                "QABOT_FLOOD_WINDOW", env.get("QABOT_FLOOD_WINDOW"), DEFAULT_FLOOD_WINDOW
            ),
            feedback=_switch("QABOT_FEEDBACK", env.get("QABOT_FEEDBACK"), True),
            feedback_db=(
                Path(env["QABOT_FEEDBACK_DB"]).expanduser() if "QABOT_FEEDBACK_DB" in env else None
            ),
            feedback_days=_days(env.get("QABOT_FEEDBACK_DAYS")),
            group_feedback=_switch("QABOT_GROUP_FEEDBACK", env.get("QABOT_GROUP_FEEDBACK"), False),
            journal=Path(env["QABOT_JOURNAL"]).expanduser() if "QABOT_JOURNAL" in env else None,
        )


def _token(value: str | None) -> str:
    if value is None:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather (/newbot) "
            "and put it in the environment or in .env"
        )
    if not _TOKEN.match(value):  # never echo the value: it may be a real token with a typo
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected 123456:ABC-xyz...)"
        )
    return value


def _api_base_url(value: str) -> str:
    url = value.rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"TELEGRAM_API_BASE_URL must be an http(s) URL, not {value!r}")
    if parts.path.endswith("/bot") or parts.query or parts.fragment:
        raise SettingsError(
            f"TELEGRAM_API_BASE_URL must be the Bot API root without /bot, e.g. "
            f"{DEFAULT_API_BASE_URL}, not {value!r}"
        )
    return url


def _webhook_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        raise SettingsError(
            f"WEBHOOK_URL must be the public https:// URL Telegram posts to, not {value!r}"
        )
    return value


def _admins(value: str) -> frozenset[int]:
    ids = [item for item in re.split(r"[\s,;]+", value) if item]
    try:
        return frozenset(int(item) for item in ids)
    except ValueError:
        raise SettingsError(
            f"QABOT_ADMINS must be Telegram user ids separated by commas, not {value!r}"
        ) from None


def _port(value: str | None) -> int:
    if value is None:
        return DEFAULT_WEBHOOK_PORT
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"WEBHOOK_PORT must be a port number (1-65535), not {value!r}")
    return int(value)


def _positive(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 0 < int(value) <= 86400:
        raise SettingsError(f"{name} must be a whole number from 1 to 86400, not {value!r}")
    return int(value)


def _switch(name: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    word = value.lower()
    if word in ("on", "true", "yes", "1"):
        return True
    if word in ("off", "false", "no", "0"):
        return False
    raise SettingsError(f"{name} must be on or off, not {value!r}")


def _days(value: str | None) -> int:
    if value is None:
        return DEFAULT_FEEDBACK_DAYS
    if not value.isdigit() or not 1 <= int(value) <= 3650:
        raise SettingsError(
            f"QABOT_FEEDBACK_DAYS must be a whole number of days from 1 to 3650, not {value!r}"
        )
    return int(value)


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in _LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(_LEVELS)}, not {value!r}")
    return level
