"""A journal of the updates the bot received, in a small SQLite file, so that none is lost.

An update is written here before Telegram is told it arrived (the next getUpdates offset, or
the webhook's 200), and marked done once its handlers have finished. At start-up the updates
not marked done are handled again: a crash or a SIGKILL loses nothing that was confirmed.

    journal = Journal.open(path)
    fresh = await journal.add([raw, ...])   # the ones never seen before
    await journal.done(update_id)
    for raw in await journal.replay(): ...

All SQLite work runs in one worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

KEEP_DONE_SECONDS = 24 * 3600  # done rows kept this long, to recognise a redelivered update
MAX_ATTEMPTS = 3  # an update that was being handled at three crashes is given up
PRUNE_EVERY = 500  # done updates between two prunes

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    update_id INTEGER PRIMARY KEY,
    raw TEXT NOT NULL,
    received REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    done REAL
);
CREATE INDEX IF NOT EXISTS updates_pending ON updates (update_id) WHERE done IS NULL;
"""


class JournalError(Exception):
    """The journal file cannot be opened or written. The message fits on one line."""


class Journal:
    """Updates received and not yet handled, in SQLite (WAL mode)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.path = path
        self._db = connection
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        self._done_since_prune = 0

    @classmethod
    def open(cls, path: Path) -> Journal:
        """Open (or create) the journal at `path` and drop done rows older than a day."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # survives a killed process
            db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the update journal {path}: {exc}") from None
        journal = cls(db, path)
        journal._prune()
        return journal

    async def _run(self, function: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, function, *args)

    async def add(self, raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Record `raws` (update dicts); returns those not recorded before, in order."""
        return await self._run(self._add, raws)

    async def done(self, update_id: int) -> None:
        """Mark an update handled."""
        await self._run(self._done, update_id)

    async def started(self, update_id: int) -> None:
        """Count one more attempt at handling an update (its handlers are starting)."""
        await self._run(self._started, update_id)

    async def replay(self) -> list[dict[str, Any]]:
        """The updates not marked done, oldest first.

        Updates whose handling started MAX_ATTEMPTS times without finishing are marked done
        and left out, so that one update that crashes the process cannot keep it down."""
        return await self._run(self._replay)

    async def pending_ids(self) -> list[int]:
        """The ids of the updates not marked done."""
        return await self._run(self._pending_ids)

    def _pending_ids(self) -> list[int]:
        rows = self._db.execute("SELECT update_id FROM updates WHERE done IS NULL ORDER BY 1")
        return [row[0] for row in rows]

    def close(self) -> None:
        self._worker.shutdown(wait=True)
        self._db.close()

    def _add(self, raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
        now = time.time()
        fresh = []
        with self._db:
            self._db.execute("BEGIN")
            for raw in raws:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO updates (update_id, raw, received) VALUES (?, ?, ?)",
                    (raw["update_id"], json.dumps(raw, ensure_ascii=False), now),
                )
                if cursor.rowcount:
                    fresh.append(raw)
        return fresh

    def _done(self, update_id: int) -> None:
        self._db.execute(
            "UPDATE updates SET done = ? WHERE update_id = ?", (time.time(), update_id)
        )
        self._done_since_prune += 1
        if self._done_since_prune >= PRUNE_EVERY:
            self._prune()

    def _started(self, update_id: int) -> None:
        self._db.execute(
            "UPDATE updates SET attempts = attempts + 1 WHERE update_id = ?", (update_id,)
        )

    def _replay(self) -> list[dict[str, Any]]:
        with self._db:
            self._db.execute("BEGIN")
            given_up = [
                row[0]
                for row in self._db.execute(
                    "UPDATE updates SET done = ? WHERE done IS NULL AND attempts >= ? "
                    "RETURNING update_id",
                    (time.time(), MAX_ATTEMPTS),
                )
            ]
            rows = self._db.execute(
                "SELECT raw FROM updates WHERE done IS NULL ORDER BY update_id"
            ).fetchall()
        if given_up:
            log.warning(
                "Gave up updates %s: being handled at %d crashes in a row", given_up, MAX_ATTEMPTS
            )
        return [json.loads(raw) for (raw,) in rows]

    def _prune(self) -> None:
        self._done_since_prune = 0
        self._db.execute(
            "DELETE FROM updates WHERE done IS NOT NULL AND done < ?",
            (time.time() - KEEP_DONE_SECONDS,),
        )


def default_journal_path(feedback_db: Path) -> Path:
    """`journal.db` in the folder of the feedback store (which must be writable anyway)."""
    return feedback_db.parent / "journal.db"
