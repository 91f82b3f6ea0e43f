"""Polling that never goes deaf (issue 10, section 2): a malformed update is skipped in one
line, a rejected token ends the process with one line, a 409 Conflict is one line and one
notice to the admins an hour. The bot polls a fake Bot API over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from fake_bot_api import (
    PRIVATE_CHAT,
    FakeBotApiServer,
    message_payload,
    message_update,
)
from reliability_harness import run_qabot
from serving import serving
from telegram_fakes import SETTINGS

from bot.app import build_application
from bot.errors import StartupError
from bot.intake import Intake
from bot.journal import Journal
from bot.polling import Poller
from knowledge import KnowledgeBase

ADMIN = 777


@pytest.fixture
def server():
    with FakeBotApiServer() as fake:
        yield fake


async def test_malformed_updates_are_skipped_in_one_line_each(
    seed_db: Path, tmp_path: Path, server: FakeBotApiServer, caplog: pytest.LogCaptureFixture
):
    api = server.api
    no_date = message_update("/start")
    del no_date["message"]["date"]
    api.enqueue(no_date)
    api.enqueue({"message": message_payload("/start", sender=None) | {"from": "mallory"}})
    api.enqueue({"message": "not a message"})
    good = api.enqueue(message_update("/start"))
    with caplog.at_level(logging.INFO):
        async with serving(seed_db, tmp_path, server) as served:
            answer = await served.wait_for("sendMessage")
            polls = api.calls_to("getUpdates")
    assert answer.params["chat_id"] == PRIVATE_CHAT["id"]
    assert answer.params["text"].startswith("<b>Hello!</b>")
    # one batch, then the next poll confirms it: no retry storm
    assert len(polls) <= 3 and polls[1].params["offset"] == good["update_id"] + 1
    skipped = [r for r in caplog.records if "Skipped malformed update" in r.getMessage()]
    assert len(skipped) == 3
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in skipped)
    assert "KeyError: 'date'" in skipped[0].getMessage()
    assert not any(r.levelno >= logging.CRITICAL for r in caplog.records)


@pytest.mark.parametrize("status", [401, 404])
async def test_a_rejected_token_stops_serving(
    seed_db: Path, tmp_path: Path, server: FakeBotApiServer, status: int
):
    server.api.fail("getUpdates", status)
    with pytest.raises(StartupError) as caught:
        async with serving(seed_db, tmp_path, server) as served:
            await asyncio.wait({served.task}, timeout=10)
    message = str(caught.value)
    assert caught.value.code == 2 and "\n" not in message
    assert message.startswith(f"the Bot API at {server.base_url} rejected TELEGRAM_BOT_TOKEN")
    assert len(server.api.calls_to("getUpdates")) == 1


def test_qabot_run_exits_non_zero_when_the_token_is_revoked(tmp_path: Path, seed_db: Path):
    """The process does not stay up deaf: Docker or systemd restarts it."""
    shutil.copy(seed_db, tmp_path / "kb.db")
    with FakeBotApiServer() as server:
        server.api.fail("getUpdates", 401, description="Unauthorized")
        result = run_qabot(tmp_path, server.base_url, tmp_path / "kb.db", 60, LOG_LEVEL="WARNING")
    assert result.returncode == 2
    assert result.stderr == (
        f"qabot: the Bot API at {server.base_url} rejected TELEGRAM_BOT_TOKEN (Unauthorized); "
        "check the token with @BotFather and TELEGRAM_API_BASE_URL\n"
    )


async def test_a_persistent_conflict_is_one_line_and_one_notice_an_hour(
    seed_db: Path, tmp_path: Path, server: FakeBotApiServer, caplog: pytest.LogCaptureFixture
):
    api = server.api
    settings = replace(SETTINGS, api_base_url=server.base_url, feedback=False)
    app = build_application(settings, KnowledgeBase.open(seed_db))
    journal = Journal.open(tmp_path / "journal.db")
    now = [0.0]
    poller = Poller(
        app.bot,
        Intake(app, journal),
        admins=[ADMIN],
        timeout=1,
        backoff=(0.0,),
        clock=lambda: now[0],
    )

    async def conflicts(times: int) -> None:
        api.fail("getUpdates", 409, "Conflict: terminated by other getUpdates request", times=times)
        done = api.injected[("getUpdates", 409)] + times
        while api.injected[("getUpdates", 409)] < done:
            await asyncio.sleep(0.01)
        mark = api.mark()
        await asyncio.to_thread(api.wait_for, "getUpdates", mark)  # a good poll: it is over

    def notices() -> list[str]:
        return [c.params["text"] for c in api.calls_to("sendMessage")]

    async with app:
        task = asyncio.create_task(poller.run())
        try:
            with caplog.at_level(logging.INFO):
                await conflicts(30)  # thirty in a row
                assert len(notices()) == 1 and "409 Conflict" in notices()[0]
                now[0] += 1800
                await conflicts(10)  # again within the hour: no notice
                assert len(notices()) == 1
                now[0] += 1800
                await conflicts(10)  # an hour after the first
                assert len(notices()) == 2
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    journal.close()
    conflict_lines = [r for r in caplog.records if "409 Conflict" in r.getMessage()]
    assert len(conflict_lines) == 3  # one per episode, not one per retry
    assert all(r.exc_info is None for r in caplog.records)
    assert api.calls_to("sendMessage")[0].params["chat_id"] == ADMIN
