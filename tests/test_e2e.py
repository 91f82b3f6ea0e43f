"""End to end: the real `qabot run`, as a subprocess, against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fake_bot_api import (
    BOT_USER,
    GROUP_CHAT,
    PRIVATE_CHAT,
    TOKEN,
    FakeBotApiServer,
    callback_update,
    message_update,
)

QABOT = Path(sys.executable).parent / "qabot"
BOT = f"@{BOT_USER['username']}"
PUTIN = "When did Putin visit Algiers?"


@contextmanager
def qabot_run(env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """`qabot run` with exactly `env` (plus PATH); stopped with SIGTERM on exit."""
    env = {"PATH": os.environ.get("PATH", ""), **env}
    proc = subprocess.Popen(
        [str(QABOT), "run"],
        env=env,
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Stop the bot like a service manager would; returns (exit code, stderr)."""
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=15)
    return proc.returncode, stderr


def test_polling_with_only_the_token_and_the_api_url(tmp_path: Path):
    """No other setting is needed: the default knowledge base is built under $HOME."""
    with (
        FakeBotApiServer() as server,
        qabot_run(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": server.base_url,
                "HOME": str(tmp_path),
            },
            cwd=tmp_path,
        ) as proc,
    ):
        api = server.api
        api.wait_for("getUpdates")
        profile = ["setMyCommands", "setMyCommands", "setMyDescription", "setMyShortDescription"]
        assert [c.method for c in api.calls] == [
            "getMe",
            *profile * 6,  # en (the default), ru, fr, ar, es, de
            "deleteWebhook",
            "getUpdates",
        ]

        mark = api.mark()
        api.enqueue(message_update("/start"))
        assert api.wait_for("sendMessage", since=mark).params["text"].startswith("<b>Hello!</b>")
        code, stderr = stop(proc)
    assert code == 0, stderr
    assert (tmp_path / ".local" / "share" / "qabot" / "qabot.db").is_file()


def test_a_conversation_through_faults(tmp_path: Path, seed_db: Path):
    shutil.copy(seed_db, tmp_path / "kb.db")  # an explicit QABOT_DB is never built
    with (
        FakeBotApiServer() as server,
        qabot_run(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": server.base_url,
                "QABOT_DB": str(tmp_path / "kb.db"),
                "LOG_LEVEL": "DEBUG",
                "HOME": str(tmp_path),
            },
            cwd=tmp_path,
        ) as proc,
    ):
        api = server.api
        api.wait_for("getUpdates")

        # a flood wait: the rate limiter waits retry_after seconds and sends again
        mark = api.mark()
        api.fail("sendMessage", 429, retry_after=1)
        api.enqueue(message_update(PUTIN))
        answer = api.wait_for("sendMessage", since=mark)
        assert "10 March 2006" in answer.params["text"]
        assert [c.status for c in api.calls_to("sendMessage", mark)] == [429, 200]

        # a group: silent without a mention, answers /ask@bot
        mark = api.mark()
        api.enqueue(message_update(PUTIN, chat=GROUP_CHAT))
        api.enqueue(message_update(f"/ask{BOT} Who is the Russian ambassador?", chat=GROUP_CHAT))
        answer = api.wait_for("sendMessage", since=mark)
        assert answer.params["chat_id"] == GROUP_CHAT["id"]
        assert "Valerian Shuvaev" in answer.params["text"]

        # a page button: the list is edited, the press answered
        mark = api.mark()
        api.enqueue(message_update("/visits"))
        listing = api.wait_for("sendMessage", since=mark)
        data = listing.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        api.enqueue(callback_update(data, listing.result))
        edit = api.wait_for("editMessageText", since=mark)
        assert "Page 2 of 2" in edit.params["text"]
        api.wait_for("answerCallbackQuery", since=mark)

        # getUpdates fails once; a reply is refused with the token in its text; the bot goes on
        mark = api.mark()
        api.fail("getUpdates", 500)
        api.fail("sendMessage", 400, description=f"Bad Request: nope /bot{TOKEN}/sendMessage")
        api.enqueue(message_update("/help"))
        apology = api.wait_for("sendMessage", since=mark)  # the error handler apologises
        assert apology.params["text"].startswith("Sorry, something went wrong")
        mark = api.mark()
        api.enqueue(message_update("/sources"))
        assert "Algeria–Russia relations" in api.wait_for("sendMessage", since=mark).params["text"]

        # every update was handled exactly once (offsets confirmed)
        assert len([t for t in api.sent_texts() if "Date of visit: 10 March 2006" in t]) == 1
        code, stderr = stop(proc)
    assert code == 0, stderr
    assert "Error while handling update" in stderr and "BadRequest" in stderr
    # python-telegram-bot lower-cases parts of error descriptions: look for any case
    assert TOKEN.lower() not in stderr.lower() and "[REDACTED]" in stderr
    assert all(
        c.params["chat_id"] != GROUP_CHAT["id"] or "Shuvaev" in c.params["text"]
        for c in api.calls_to("sendMessage")
    )
    assert PRIVATE_CHAT["id"] in {c.params["chat_id"] for c in api.calls_to("sendMessage")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, update: dict, secret: str, timeout: float = 10.0) -> int:
    """POST an update like Telegram would; waits for the webhook server to listen."""
    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # setWebhook comes before the server listens


def test_webhook_mode_checks_the_secret(tmp_path: Path, seed_db: Path):
    shutil.copy(seed_db, tmp_path / "kb.db")
    port, secret = free_port(), "s3cret-Token_1"
    with (
        FakeBotApiServer() as server,
        qabot_run(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": server.base_url,
                "QABOT_DB": str(tmp_path / "kb.db"),
                "HOME": str(tmp_path),
                "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
                "WEBHOOK_SECRET": secret,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
            },
            cwd=tmp_path,
        ) as proc,
    ):
        api = server.api
        hook = api.wait_for("setWebhook").params
        assert hook["url"] == "https://bot.example.org/telegram/hook"
        assert hook["secret_token"] == secret
        local = f"http://127.0.0.1:{port}/telegram/hook"

        mark = api.mark()
        update = {**message_update(PUTIN), "update_id": 1}
        assert post(local, update, "wrong") == 403
        assert post(local, update, secret) == 200
        assert "10 March 2006" in api.wait_for("sendMessage", since=mark).params["text"]
        assert len(api.calls_to("sendMessage", mark)) == 1
        code, stderr = stop(proc)
    assert code == 0, stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "qabot: TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_PORT": "http"}, "qabot: WEBHOOK_PORT must be"),
    ],
)
def test_bad_settings_stop_start_up_with_one_line(tmp_path: Path, env: dict, message: str):
    result = subprocess.run(
        [str(QABOT), "run"],
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
