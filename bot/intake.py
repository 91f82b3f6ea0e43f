"""From raw update JSON to handled updates: parse each on its own, journal, handle, mark done.

Polling and the webhook both hand what Telegram sent to `Intake.accept`. A malformed update
(a message without `date`, `from` as a string…) is logged in one line and skipped; it cannot
stop the ones after it. Good updates are journalled before `accept` returns, that is before
Telegram is told they arrived, and marked done once the application has handled them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.journal import Journal

log = logging.getLogger(__name__)


def update_id_of(raw: object) -> int | None:
    """The update_id of a raw update, or None when it has none."""
    if isinstance(raw, dict) and type(raw.get("update_id")) is int:
        return raw["update_id"]
    return None


def parse_update(raw: object, application: Application) -> Update | None:
    """`raw` as an Update, or None (logged in one line) when it is malformed."""
    update_id = update_id_of(raw)
    try:
        if update_id is None:
            raise ValueError("no update_id")
        return Update.de_json(raw, application.bot)  # type: ignore[arg-type]
    except Exception as exc:  # anything at all in a malformed update: skip it
        problem = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        log.warning("Skipped malformed update %s (%s)", update_id, problem)
        return None


class Intake:
    """Hands updates to `application` and keeps the journal in step with their handling."""

    def __init__(self, application: Application, journal: Journal) -> None:
        self.application = application
        self.journal = journal
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def in_flight(self) -> int:
        """Updates accepted and not yet handled."""
        return len(self._tasks)

    async def accept(self, raws: list[Any]) -> int:
        """Journal the well-formed updates in `raws` and start handling those never seen
        before; returns how many were started. Returns once they are journalled."""
        parsed = {}
        for raw in raws:
            update = parse_update(raw, self.application)
            if update is not None:
                parsed[update.update_id] = update
        fresh = await self.journal.add([raw for raw in raws if update_id_of(raw) in parsed])
        for raw in fresh:
            self._start(parsed[raw["update_id"]])
        return len(fresh)

    async def replay(self) -> int:
        """Handle again the updates journalled and not marked done (the process stopped
        first), one at a time and before any new one; returns how many.

        One at a time, so that a crash during the replay counts against the one update being
        handled, not against every update that was waiting for a thread (with many handled at
        once, repeated SIGKILLs of a slow base gave up innocent updates)."""
        raws = await self.journal.replay()
        updates = [update for raw in raws if (update := parse_update(raw, self.application))]
        if updates:
            log.info("Handling %d updates received before the last stop", len(updates))
        for update in updates:
            await self._handle(update)
        return len(updates)

    def _start(self, update: Update) -> None:
        task = asyncio.create_task(self._handle(update), name=f"update-{update.update_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, update: Update) -> None:
        processor = self.application.update_processor  # honours concurrent_updates
        try:
            await processor.process_update(update, self._process(update))
        except asyncio.CancelledError:
            raise  # stopped before it finished: left in the journal, handled at the next start
        except Exception:  # process_update reports handler errors itself; this is a last resort
            log.exception("Update %s failed outside its handlers", update.update_id)
        try:
            await self.journal.done(update.update_id)
        except (sqlite3.Error, OSError) as exc:  # handled again at the next start: a duplicate
            log.error("Could not mark update %s done in the journal: %s", update.update_id, exc)

    async def _process(self, update: Update) -> None:
        await self.journal.started(update.update_id)
        await self.application.process_update(update)

    async def wait_below(self, limit: int) -> None:
        """Wait until fewer than `limit` updates are being handled."""
        while len(self._tasks) >= limit:
            await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)

    async def drain(self, timeout: float) -> None:
        """Let the updates being handled finish, for up to `timeout` seconds; the rest are
        cancelled and stay in the journal."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in late:
                task.cancel()
            if late:
                log.warning(
                    "%d updates left unfinished; they are handled at the next start", len(late)
                )
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait(late)
