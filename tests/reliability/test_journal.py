"""No lost answers (issue 10, section 3): every update is journalled in SQLite before
Telegram is told it arrived, marked done once handled, and handled at the next start if the
process died first. The SIGKILL test runs the real `qabot run` against a fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
import subprocess
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import TOKEN, FakeBotApi, FakeBotApiServer, message_update
from serving import serving
from test_e2e import QABOT

from bot import journal as journal_module
from bot.concurrency import MAX_RUNNING
from bot.journal import MAX_ATTEMPTS, Journal, JournalError


def raw(update_id: int, text: str = "/start") -> dict[str, Any]:
    return {**message_update(text), "update_id": update_id}


async def test_add_returns_only_updates_never_seen(tmp_path: Path):
    journal = Journal.open(tmp_path / "j.db")
    try:
        assert [u["update_id"] for u in await journal.add([raw(1), raw(2)])] == [1, 2]
        await journal.done(1)
        # Telegram sends a batch again when its confirmation was lost: nothing is new
        fresh = await journal.add([raw(1), raw(2), raw(3)])
        assert [u["update_id"] for u in fresh] == [3]
        assert await journal.pending_ids() == [2, 3]
    finally:
        journal.close()


async def test_replay_gives_up_an_update_after_three_crashes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "j.db"
    journal = Journal.open(path)
    await journal.add([raw(7), raw(8)])
    await journal.done(8)
    journal.close()
    for _ in range(MAX_ATTEMPTS):  # the process dies while handling update 7, three times
        journal = Journal.open(path)
        assert [u["update_id"] for u in await journal.replay()] == [7]
        await journal.started(7)
        journal.close()
    journal = Journal.open(path)
    with caplog.at_level(logging.WARNING):
        assert await journal.replay() == []
    journal.close()
    assert "Gave up updates [7]" in caplog.text


async def test_an_update_never_started_is_never_given_up(tmp_path: Path):
    """Ten crashes while update 9 waited its turn: it was never being handled, so it stays."""
    path = tmp_path / "j.db"
    journal = Journal.open(path)
    await journal.add([raw(9)])
    journal.close()
    for _ in range(10):
        journal = Journal.open(path)
        assert [u["update_id"] for u in await journal.replay()] == [9]
        journal.close()


async def test_done_rows_are_pruned_after_a_day(tmp_path: Path):
    path = tmp_path / "j.db"
    journal = Journal.open(path)
    await journal.add([raw(1), raw(2), raw(3)])
    await journal.done(1)
    await journal.done(2)
    journal.close()
    with sqlite3.connect(path) as db:
        old = time.time() - journal_module.KEEP_DONE_SECONDS - 60
        db.execute("UPDATE updates SET done = ? WHERE update_id = 1", (old,))
    db.close()
    journal = Journal.open(path)
    journal.close()
    with sqlite3.connect(path) as db:
        ids = [row[0] for row in db.execute("SELECT update_id FROM updates ORDER BY 1")]
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    db.close()
    assert ids == [2, 3] and mode == "wal"


def test_an_unwritable_journal_is_one_line(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(JournalError) as caught:
        Journal.open(blocker / "journal.db")
    assert "cannot open the update journal" in str(caught.value)
    assert "\n" not in str(caught.value)


async def test_updates_journalled_before_a_crash_are_handled_at_start(
    seed_db: Path, tmp_path: Path
):
    """The journal holds two updates fetched, confirmed, and never handled (the process
    was killed), and one handled: the first two are answered at start, the third is not."""
    chats = [{"id": 4242 + n, "type": "private", "first_name": f"U{n}"} for n in range(3)]
    updates = [
        {**message_update("/start", chat=chat, sender={**chat, "is_bot": False}), "update_id": n}
        for n, chat in enumerate(chats, start=1)
    ]
    journal = Journal.open(tmp_path / "journal.db")
    await journal.add(updates)
    await journal.done(3)
    journal.close()
    with FakeBotApiServer() as server:
        for update in updates:
            server.api.learn(update)
        async with serving(seed_db, tmp_path, server) as served:
            deadline = time.monotonic() + 10
            while await served.journal.pending_ids() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert await served.journal.pending_ids() == []
            answered = {c.params["chat_id"] for c in server.api.calls_to("sendMessage")}
    assert answered == {chats[0]["id"], chats[1]["id"]}


def tally(api: FakeBotApi, asked: set[int]) -> Counter[int]:
    """Replies per asking chat."""
    replies: Counter[int] = Counter()
    for call in api.calls_to("sendMessage"):
        if call.status == 200 and int(call.params["chat_id"]) in asked:
            replies[int(call.params["chat_id"])] += 1
    return replies


def test_sigkill_under_load_loses_no_question(
    tmp_path: Path, seed_db: Path, monkeypatch: pytest.MonkeyPatch
):
    """60 users ask; `qabot run` is killed with SIGKILL after its first answer, then started
    again: every user gets an answer (python-telegram-bot's run_polling lost the batch)."""
    # the bot opens up to 32 connections at once: more than http.server's listen backlog (5)
    monkeypatch.setattr(ThreadingHTTPServer, "request_queue_size", 128)
    shutil.copy(seed_db, tmp_path / "kb.db")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "QABOT_DB": str(tmp_path / "kb.db"),
        "HOME": str(tmp_path),
        "QABOT_JOURNAL": str(tmp_path / "journal.db"),
        "QABOT_FLOOD_LIMIT": "1000",
        "LOG_LEVEL": "WARNING",
    }
    asked = set(range(500_001, 500_061))
    with FakeBotApiServer() as server:
        api = server.api
        env["TELEGRAM_API_BASE_URL"] = server.base_url
        log = (tmp_path / "qabot.log").open("ab")
        run = [str(QABOT), "run"]
        proc = subprocess.Popen(run, env=env, cwd=tmp_path, stdout=log, stderr=log)
        try:
            api.wait_for("getUpdates", timeout=30)
            mark = api.mark()
            for uid in sorted(asked):
                user = {"id": uid, "is_bot": False, "first_name": f"U{uid}"}
                chat = {"id": uid, "type": "private", "first_name": f"U{uid}"}
                api.enqueue(message_update("/start", chat=chat, sender=user))
            api.wait_for("sendMessage", since=mark, timeout=30)
        finally:
            proc.kill()
            proc.wait()
        before = tally(api, asked)
        proc = subprocess.Popen(run, env=env, cwd=tmp_path, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 40
            while len(tally(api, asked)) < len(asked) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.2)  # a late duplicate would show now
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.close()
        after = tally(api, asked)
    lost = len(asked - set(after))
    duplicates = sum(n - 1 for n in after.values())
    print(f"\nanswered before SIGKILL: {len(before)}; lost: {lost}; duplicates: {duplicates}")
    assert len(before) < len(asked)  # the kill came with questions outstanding
    assert lost == 0, (tmp_path / "qabot.log").read_text()[-2000:]
    assert duplicates <= MAX_RUNNING  # at most what was being handled at the kill


async def test_a_batch_that_cannot_be_journalled_is_fetched_again(
    seed_db: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
):
    """A full disk while journalling: the batch is not confirmed, so Telegram sends it again."""
    failures = [sqlite3.OperationalError("database or disk is full")]
    add = Journal.add

    async def add_once_failing(self: Journal, raws: list[dict[str, Any]]) -> Any:
        if failures:
            raise failures.pop()
        return await add(self, raws)

    monkeypatch.setattr(Journal, "add", add_once_failing)
    monkeypatch.setattr("bot.polling.BACKOFF", (0.01,))
    with FakeBotApiServer() as server:
        update = server.api.enqueue(message_update("/start"))
        with caplog.at_level(logging.WARNING):
            async with serving(seed_db, tmp_path, server) as served:
                await served.wait_for("sendMessage")
                polls = server.api.calls_to("getUpdates")
    assert [p.params.get("offset") for p in polls[:2]] == [None, None]  # not confirmed
    assert polls[1].result[0]["update_id"] == update["update_id"]  # sent again
    assert len(server.api.calls_to("sendMessage")) == 1
    lines = [r for r in caplog.records if "Could not journal the updates" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None


class _Processor:
    async def process_update(self, update: Any, coroutine: Any) -> None:
        await coroutine


class _Application:
    """Stands in for the Application: records how many updates are handled at once."""

    def __init__(self) -> None:
        self.update_processor = _Processor()
        self.running = self.most = 0
        self.handled: list[int] = []

    async def process_update(self, update: Any) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.01)
        self.handled.append(update.update_id)
        self.running -= 1


async def test_replayed_updates_are_handled_one_at_a_time(tmp_path: Path, monkeypatch):
    """A crash during the replay then counts against one update only: handled all at once,
    updates waiting for a thread were given up after repeated SIGKILLs of a slow base."""
    from types import SimpleNamespace

    from bot import intake as intake_module

    monkeypatch.setattr(intake_module, "parse_update", lambda data, app: SimpleNamespace(**data))
    journal = Journal.open(tmp_path / "journal.db")
    await journal.add([raw(n) for n in range(1, 6)])
    application = _Application()
    intake = intake_module.Intake(application, journal)  # type: ignore[arg-type]
    assert await intake.replay() == 5
    assert application.handled == [1, 2, 3, 4, 5] and application.most == 1
    assert await journal.pending_ids() == []
    journal.close()
