"""Telegram faults, injected by the fake Bot API: every question gets exactly one reply.

`test_300_questions_through_10_percent_faults` runs the production application in this
process, polling the fake over real HTTP (python-telegram-bot's own network stack), while
10% of sendMessage and getUpdates calls fail (429 with retry_after, 500, 502, a dropped
connection, a connection held then dropped). The soak version (`-m soak`) sends more.
The SIGTERM test runs the real `qabot run` as a subprocess.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import (
    DROP,
    TIMEOUT,
    TOKEN,
    FakeBotApi,
    FakeBotApiServer,
    message_update,
)
from reliability_harness import unthrottle
from telegram.ext import ContextTypes
from telegram_fakes import SETTINGS, FakeRequest
from test_e2e import QABOT, free_port, post, qabot_run, stop

from bot.app import ALLOWED_UPDATES, SORRY, build_application
from knowledge import KnowledgeBase

QUESTIONS = [
    "When did Putin visit Algiers?",
    "Who is the Russian ambassador to Algeria?",
    "When did Medvedev visit Algeria?",
    "Who visited in 1969?",
    "What is the capital of France?",  # abstains
    "Tell me a joke",
    "/visits 2000-2010",
    "/search arms",
    "/sources",
    "/help",
]


def private(uid: int) -> dict[str, Any]:
    return {
        "chat": {"id": uid, "type": "private", "first_name": f"U{uid}"},
        "sender": {"id": uid, "is_bot": False, "first_name": f"U{uid}"},
    }


def tally(api: FakeBotApi, asked: Counter[int]) -> dict[str, int]:
    """Replies per chat against questions per chat: exactly one each."""
    replies: Counter[int] = Counter()
    apologies = 0
    for call in api.calls_to("sendMessage"):
        if call.status == 200:
            replies[int(call.params["chat_id"])] += 1
            apologies += call.params["text"] == SORRY
    return {
        "questions": sum(asked.values()),
        "replies": sum(replies[c] for c in asked),
        "apologies": apologies,
        "lost": sum(max(0, n - replies[c]) for c, n in asked.items()),
        "duplicates": sum(max(0, replies[c] - n) for c, n in asked.items()),
        "strays": sum(n for c, n in replies.items() if c not in asked),
    }


async def chaos_run(
    seed_db: Path,
    users: int,
    per_user: int,
    rate: float,
    monkeypatch: pytest.MonkeyPatch,
    timeout: float,
    wave: int = 50,
) -> tuple[dict[str, int], FakeBotApi]:
    """Poll the fake over HTTP while it injects faults; returns the tally and the fake."""
    monkeypatch.setattr("bot.app.SEND_RETRY_DELAYS", (0.05, 0.1, 0.2))
    # python-telegram-bot 22's RetryAfter warns (deprecated int seconds) unless this is set;
    # under filterwarnings=error the warning would be raised inside the rate limiter
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    errors: list[BaseException] = []

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)  # type: ignore[arg-type]

    with FakeBotApiServer() as server:
        api = server.api
        api.timeout_hold = 0.2
        settings = replace(SETTINGS, api_base_url=server.base_url)
        app = build_application(settings, KnowledgeBase.open(seed_db))
        app.add_error_handler(record)
        unthrottle(app)
        asked: Counter[int] = Counter()
        async with app:
            await app.post_init(app)  # type: ignore[misc]
            await app.updater.start_polling(  # type: ignore[union-attr]
                allowed_updates=ALLOWED_UPDATES, timeout=1
            )
            await app.start()
            api.chaos(rate, methods=("sendMessage", "getUpdates"), seed=20240605)
            api.fail("getUpdates", 502)  # at least one, however the calls interleave
            try:
                for round_ in range(per_user):
                    for uid in range(100_001, 100_001 + users):
                        question = QUESTIONS[(uid + round_) % len(QUESTIONS)]
                        api.enqueue(message_update(question, **private(uid)))
                        asked[uid] += 1
                        if sum(asked.values()) % wave == 0:
                            await asyncio.sleep(0.05)  # in waves: several getUpdates calls
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    figures = tally(api, asked)
                    if figures["replies"] + unsure_sends(api) >= figures["questions"]:
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.3)  # late duplicates would show up now
            finally:
                api.chaos(0)
                await app.updater.stop()  # type: ignore[union-attr]
                await app.stop()
                await app.post_shutdown(app)  # type: ignore[misc]
        figures = tally(api, asked)
        figures["faults injected"] = sum(api.injected.values())
        for (method, status), count in sorted(api.injected.items()):
            name = {DROP: "drop", TIMEOUT: "held+drop"}.get(status, str(status))
            figures[f"  {method} {name}"] = count
        figures["handler errors"] = len(errors)
        for error in errors:
            figures[f"  {type(error).__name__}: {error}"[:90]] = 1
        return figures, api


def unsure_sends(api: FakeBotApi) -> int:
    """Sends that timed out or lost their connection: not repeated, as they may have
    reached Telegram (the fake never delivers them)."""
    return api.injected[("sendMessage", DROP)] + api.injected[("sendMessage", TIMEOUT)]


def report(figures: dict[str, int]) -> None:
    print("\n" + "\n".join(f"{name}: {value}" for name, value in figures.items()))


async def test_300_questions_through_10_percent_faults(
    seed_db: Path, monkeypatch: pytest.MonkeyPatch
):
    figures, api = await chaos_run(seed_db, 60, 5, 0.10, monkeypatch, timeout=45)
    report(figures)
    assert figures["questions"] == 300
    ambiguous = unsure_sends(api)  # the only replies that may be missing
    assert figures["lost"] <= ambiguous
    assert figures["duplicates"] == 0 and figures["strays"] == 0
    assert figures["replies"] >= 300 - ambiguous
    assert figures["faults injected"] >= 20
    polls = [call.status for call in api.calls_to("getUpdates")]
    assert 502 in polls and 200 in polls[polls.index(502) :]  # polling resumed after a fault


@pytest.mark.soak
async def test_soak_3000_questions_through_10_percent_faults(
    seed_db: Path, monkeypatch: pytest.MonkeyPatch
):
    figures, api = await chaos_run(seed_db, 500, 6, 0.10, monkeypatch, timeout=600, wave=10)
    report(figures)
    assert figures["lost"] <= unsure_sends(api)
    assert figures["duplicates"] == 0 and figures["strays"] == 0


async def test_failed_sends_are_retried_a_bounded_number_of_times(
    seed_db: Path, monkeypatch: pytest.MonkeyPatch
):
    """In memory: a 502 is retried, a dead API is not hammered. (A timeout or a dropped
    connection is not retried: the message may be out already; see test_sending.py.)"""
    from fake_bot_api import PRIVATE_CHAT
    from telegram_fakes import process, running

    monkeypatch.setattr("bot.app.SEND_RETRY_DELAYS", (0.0, 0.0, 0.0))
    api = FakeBotApi()
    app = build_application(SETTINGS, KnowledgeBase.open(seed_db), request=FakeRequest(api))
    async with running(app) as errors:
        api.fail("sendMessage", 502, times=3)
        mark = await process(app, api, message_update(QUESTIONS[0]))
        statuses = [c.status for c in api.calls_to("sendMessage", mark)]
        assert statuses == [502, 502, 502, 200] and errors == []
        api.fail("sendMessage", 500, times=100)  # Telegram is down
        mark = await process(app, api, message_update(QUESTIONS[0]))
        calls = api.calls_to("sendMessage", mark)
        # 4 tries of the answer, 4 of the apology: bounded, then given up
        assert [c.status for c in calls] == [500] * 8
        assert len(errors) == 1  # the answer's; the failed apology is only logged
        assert PRIVATE_CHAT["id"] == calls[0].params["chat_id"]


def run_logged(env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """`qabot run` with its stderr in a file: a full pipe would block a chatty DEBUG log."""
    with log.open("ab") as sink:
        return subprocess.Popen(
            [str(QABOT), "run"],
            env={"PATH": os.environ.get("PATH", ""), **env},
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )


def sigterm(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigterm_finishes_in_flight_updates_and_commits_the_offset(tmp_path: Path, seed_db: Path):
    """The real `qabot run`: SIGTERM mid-batch, questions arrive while it is down, restart.
    Every question is answered exactly once, and the token is in no log line and no reply."""
    shutil.copy(seed_db, tmp_path / "kb.db")
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "QABOT_DB": str(tmp_path / "kb.db"),
        "LOG_LEVEL": "DEBUG",
        "HOME": str(tmp_path),
        "QABOT_ADMINS": "777",
        "QABOT_FLOOD_LIMIT": "1000",
    }
    asked: Counter[int] = Counter()
    logs = []
    with FakeBotApiServer() as server:
        api = server.api
        env["TELEGRAM_API_BASE_URL"] = server.base_url
        log = tmp_path / "qabot.log"
        proc = run_logged(env, tmp_path, log)
        if True:
            api.wait_for("getUpdates")
            # errors whose text carries the token, to be logged
            api.fail("sendMessage", 400, description=f"Bad Request: see /bot{TOKEN}/sendMessage")
            api.fail("getUpdates", 502, description=f"Bad Gateway {TOKEN}")
            mark = api.mark()
            for number in range(120):
                uid = 200_000 + number % 40
                api.enqueue(message_update(QUESTIONS[number % 4], **private(uid)))
                asked[uid] += 1
            api.wait_for("sendMessage", since=mark, timeout=20)
            code = sigterm(proc)  # SIGTERM with updates in flight
        assert code == 0, log.read_text()[-3000:]
        first = tally(api, asked)
        offsets = [int(c.params.get("offset") or 0) for c in api.calls_to("getUpdates")]
        # while it was down
        for number in range(30):
            uid = 300_000 + number
            api.enqueue(message_update(QUESTIONS[number % 4], **private(uid)))
            asked[uid] += 1
        mark = api.mark()
        proc = run_logged(env, tmp_path, log)
        try:
            deadline = time.monotonic() + 30
            while tally(api, asked)["replies"] < sum(asked.values()):
                assert time.monotonic() < deadline, tally(api, asked)
                time.sleep(0.05)
            time.sleep(0.5)
        finally:
            code = sigterm(proc)
        assert code == 0, log.read_text()[-3000:]
        logs.append(log.read_text())
        after = tally(api, asked)
        texts = [str(c.params) for c in api.calls]
    print(f"\nfirst run (SIGTERM mid-batch): {first}\nafter the restart: {after}")
    # the bot had fetched a first batch (getUpdates gives at most 100): every update of it
    # was answered before it stopped, and its offset confirmed to Telegram
    assert offsets[-1] == max(offsets) > 1
    assert first["replies"] == offsets[-1] - 1
    assert after["lost"] == 0 and after["duplicates"] == 0 and after["replies"] == 150
    everything = "\n".join(logs)
    assert "Error while handling update" in everything and "[REDACTED]" in everything
    assert TOKEN.lower() not in everything.lower()
    assert not any(TOKEN in text for text in texts)


def test_webhook_refuses_requests_without_the_secret(tmp_path: Path, seed_db: Path):
    shutil.copy(seed_db, tmp_path / "kb.db")
    port, secret = free_port(), "right-Secret_42"
    with FakeBotApiServer() as server:
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "QABOT_DB": str(tmp_path / "kb.db"),
            "HOME": str(tmp_path),
            "WEBHOOK_URL": "https://bot.example.org/hook",
            "WEBHOOK_SECRET": secret,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "LOG_LEVEL": "DEBUG",
        }
        with qabot_run(env, cwd=tmp_path) as proc:
            server.api.wait_for("setWebhook")
            url = f"http://127.0.0.1:{port}/hook"
            mark = server.api.mark()
            update = {**message_update(QUESTIONS[0]), "update_id": 1}
            assert post(url, update, "") == 403  # header present, empty
            assert post(url, update, secret.upper()) == 403
            assert post(url, update, secret + "x") == 403
            assert _post_without_header(url, update) == 403
            time.sleep(0.5)
            assert server.api.calls_to("sendMessage", mark) == []  # not processed
            assert post(url, {**update, "update_id": 2}, secret) == 200
            server.api.wait_for("sendMessage", since=mark)
            code, stderr = stop(proc)
    assert code == 0 and secret not in stderr and TOKEN not in stderr


def _post_without_header(url: str, update: dict) -> int:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_token_is_redacted_from_every_log_record(caplog: pytest.LogCaptureFixture):
    """configure_logging's filter, on a record with the token in message, args and traceback."""
    from bot.logging_setup import configure_logging

    handler = configure_logging("DEBUG", (TOKEN,))
    try:
        stream = handler.stream = __import__("io").StringIO()
        log = logging.getLogger("some.library")
        try:
            raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
        except RuntimeError:
            log.exception("while calling %s", f"/bot{TOKEN.upper()}/x")
        logging.getLogger("httpx").warning("url=%s", f"/bot{TOKEN}/getUpdates")
        output = stream.getvalue()
    finally:
        logging.getLogger().removeHandler(handler)
    assert output.count("[REDACTED]") >= 3 and TOKEN.lower() not in output.lower()


_ = (os, signal, subprocess)
