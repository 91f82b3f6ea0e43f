"""Settings from the environment and .env, start-up errors, and logging that hides secrets."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import TOKEN

from bot.app import run_bot
from bot.logging_setup import REDACTED, RedactingFilter, configure_logging
from bot.settings import Settings, SettingsError

SECRET = "hook-Secret_42"


def test_only_the_token_is_required():
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert settings == Settings(token=TOKEN)
    assert settings.api_url == "https://api.telegram.org/bot"
    assert settings.file_url == "https://api.telegram.org/file/bot"
    assert (settings.db_path, settings.webhook_url, settings.admins) == (None, None, frozenset())
    assert (settings.webhook_listen, settings.webhook_port, settings.log_level) == (
        "127.0.0.1",
        8443,
        "INFO",
    )


def test_every_variable_is_read_and_normalised(tmp_path: Path):
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": f" {TOKEN} ",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/",
            "QABOT_DB": str(tmp_path / "kb.db"),
            "QABOT_ADMINS": "11, 22;33",
            "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": "8080",
            "LOG_LEVEL": "debug",
        },
        env_file=None,
    )
    assert settings.token == TOKEN
    assert settings.api_url == "http://127.0.0.1:8081/bot"
    assert settings.file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.db_path == tmp_path / "kb.db"
    assert settings.admins == frozenset({11, 22, 33})
    assert settings.webhook_path == "telegram/hook"
    assert (settings.webhook_secret, settings.webhook_listen, settings.webhook_port) == (
        SECRET,
        "127.0.0.1",
        8080,
    )
    assert settings.log_level == "DEBUG"
    assert settings.secrets == (TOKEN, SECRET)


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"# comment\nTELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=WARNING\nWEBHOOK_URL=\nQABOT_ADMINS=7\n"
    )
    settings = Settings.from_env({"LOG_LEVEL": "ERROR"}, env_file=env_file)
    assert settings.token == TOKEN
    assert settings.log_level == "ERROR"
    assert settings.webhook_url is None  # empty means unset
    assert settings.admins == frozenset({7})


def test_settings_are_frozen_and_their_repr_hides_secrets():
    settings = Settings(token=TOKEN, webhook_secret=SECRET)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.token = "x"  # type: ignore[misc]
    assert TOKEN not in repr(settings) and SECRET not in repr(settings)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_API_BASE_URL": "api.telegram.org"}, "TELEGRAM_API_BASE_URL"),
        ({"TELEGRAM_API_BASE_URL": "https://api.telegram.org/bot"}, "TELEGRAM_API_BASE_URL"),
        ({"QABOT_ADMINS": "12, alice"}, "QABOT_ADMINS"),
        ({"WEBHOOK_URL": "http://bot.example.org/hook", "WEBHOOK_SECRET": SECRET}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "https://bot.example.org/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_SECRET": "has spaces"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
        ({"WEBHOOK_PORT": "https"}, "WEBHOOK_PORT"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_a_bad_value_names_the_variable_in_one_line(env: dict[str, str], variable: str):
    if variable != "TELEGRAM_BOT_TOKEN":
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, **env}
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env, env_file=None)
    message = str(raised.value)
    assert message.startswith(variable) and "\n" not in message
    assert TOKEN not in message


def test_a_malformed_token_is_not_echoed():
    almost = TOKEN.replace(":", ";")
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": almost}, env_file=None)
    assert almost not in str(raised.value)


def test_run_bot_without_a_token_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(tmp_path)  # no .env here
    assert run_bot({}) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("qabot: TELEGRAM_BOT_TOKEN is not set") and err.count("\n") == 1


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger, restored after a test that configures logging."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


def test_run_bot_reports_a_broken_knowledge_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], root_logger: logging.Logger
):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not sqlite")
    assert run_bot({"TELEGRAM_BOT_TOKEN": TOKEN, "QABOT_DB": str(broken)}, None) == 1
    err = capsys.readouterr().err
    assert err.startswith("qabot: ") and err.count("\n") == 1 and "Traceback" not in err


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("t", logging.ERROR, __file__, 1, message, args, exc_info)


def test_redacting_filter_hides_secrets_in_messages_arguments_and_tracebacks():
    redacting = RedactingFilter([TOKEN, SECRET])
    formatter = logging.Formatter()
    try:
        raise RuntimeError(f"Bad Request: /bot{TOKEN.lower()}/sendmessage")  # PTB lowers case
    except RuntimeError as exc:
        error = exc
    line = record("calling %s with %s", f"https://x/bot{TOKEN}/getMe", SECRET, exc=error)
    assert redacting.filter(line)
    text = formatter.format(line)
    assert TOKEN.lower() not in text.lower() and SECRET not in text
    assert f"calling https://x/bot{REDACTED}/getMe with {REDACTED}" in text
    assert f"RuntimeError: Bad Request: /bot{REDACTED}/sendmessage" in text


def test_configure_logging_quietens_httpx_and_redacts(
    capsys: pytest.CaptureFixture[str], root_logger: logging.Logger
):
    before = list(root_logger.handlers)
    configure_logging("INFO", [TOKEN])
    handler = configure_logging("DEBUG", [TOKEN])  # a second call replaces the first
    assert [h for h in root_logger.handlers if h not in before] == [handler]
    assert logging.getLogger("httpx").level == logging.WARNING
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/getMe", TOKEN)
    logging.getLogger("telegram.ext").warning("token is %s", TOKEN)
    err = capsys.readouterr().err
    assert "HTTP Request" not in err
    assert f"telegram.ext: token is {REDACTED}" in err and TOKEN not in err
