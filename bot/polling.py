"""Polling that never goes deaf: our own getUpdates loop instead of Application.run_polling.

Each round fetches a small batch as raw JSON (so one malformed update cannot poison the
batch), hands it to the `Intake` (which journals it), and only then asks for the next batch,
which is what confirms the previous one to Telegram. Faults:

- 401/404 (the token was revoked, or the API root is wrong) and 403: `TokenRejected`, which
  `qabot run` turns into one line and a non-zero exit, so Docker or systemd restarts it.
- 409 Conflict (another instance polls with the same token): one log line when it starts,
  a notice to the admins at most once an hour, and a back-off until it ends.
- 429: wait as long as Telegram says. Network errors and 5xx: one line each, back-off.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from telegram import Bot
from telegram.error import (
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBUserWarning

from bot.intake import Intake, update_id_of

log = logging.getLogger(__name__)

BATCH = 20  # updates per getUpdates: journalled before they are confirmed
POLL_TIMEOUT = 10  # seconds a getUpdates waits for updates (long polling)
BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # seconds before each retry after a failure
CONFLICT_NOTICE_INTERVAL = 3600.0  # seconds between two notices to the admins about a 409
# Updates accepted and not yet handled before polling waits: large, because a chat that waits
# out a flood limit holds its own updates back (bot/concurrency.py), and they are journalled.
MAX_IN_FLIGHT = 5000


class TokenRejected(Exception):
    """Telegram answered 401, 403 or 404 to getUpdates: polling can never succeed."""


class Poller:
    """Fetches updates until cancelled; raises TokenRejected when the token is rejected."""

    def __init__(
        self,
        bot: Bot,
        intake: Intake,
        *,
        allowed_updates: Iterable[str] | None = None,
        admins: Iterable[int] = (),
        batch: int = BATCH,
        timeout: int | None = None,
        backoff: tuple[float, ...] | None = None,
        notice_interval: float = CONFLICT_NOTICE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.intake = intake
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.admins = sorted(admins)
        self.batch = batch
        self.timeout = POLL_TIMEOUT if timeout is None else timeout
        self.backoff = BACKOFF if backoff is None else backoff
        self.notice_interval = notice_interval
        self.clock = clock
        self.offset: int | None = None
        self._asked_offset: int | None = None  # the offset of the last getUpdates sent
        self._failures = 0
        self._in_conflict = False
        self._last_notice: float | None = None

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            await self.intake.wait_below(MAX_IN_FLIGHT)
            try:
                raws = await self.fetch()
            except (InvalidToken, EndPointNotFound, Forbidden) as exc:
                raise TokenRejected(str(exc.__cause__ or exc)) from None
            except Conflict as exc:
                await self._conflict(exc)
                await self._back_off()
                continue
            except RetryAfter as exc:
                log.warning("getUpdates: flood control, waiting %s", exc.retry_after)
                await asyncio.sleep(_seconds(exc.retry_after))
                continue
            except TelegramError as exc:  # NetworkError, TimedOut, BadRequest…
                if not isinstance(exc, TimedOut) or self._failures:
                    log.warning("getUpdates failed (%s: %s); retrying", type(exc).__name__, exc)
                await self._back_off()
                continue
            self._recovered()
            try:
                await self.take(raws)
            except (sqlite3.Error, OSError) as exc:  # not journalled: fetched again, not lost
                log.error("Could not journal the updates (%s); fetching them again", exc)
                await self._back_off()

    async def fetch(self, timeout: int | None = None, limit: int | None = None) -> Any:
        """One getUpdates call, returning Telegram's raw result (not parsed)."""
        timeout = self.timeout if timeout is None else timeout
        parameters = {"timeout": timeout, "limit": limit or self.batch, "offset": self.offset}
        if self.allowed_updates is not None:
            parameters["allowed_updates"] = self.allowed_updates
        read_timeout = (self.bot.request.read_timeout or 0) + timeout
        self._asked_offset = self.offset
        with warnings.catch_warnings():
            # PTB suggests get_updates, which parses the whole batch at once: we want raw JSON
            warnings.filterwarnings("ignore", "Please use 'Bot.getUpdates'", PTBUserWarning)
            return await self.bot.do_api_request(
                "getUpdates", api_kwargs=parameters, read_timeout=read_timeout
            )

    async def take(self, raws: Any) -> None:
        """Hand a batch to the intake (which journals it) and move the offset past it: the
        next getUpdates confirms it to Telegram."""
        if not isinstance(raws, list):
            log.warning("getUpdates returned %s, not a list; ignored", type(raws).__name__)
            await self._back_off()
            return
        await self.intake.accept(raws)
        ids = [i for i in map(update_id_of, raws) if i is not None]
        if ids:
            self.offset = max(ids) + 1
        elif raws:  # nothing in the batch has an id: there is no way past it but to wait
            log.warning("getUpdates returned %d updates without update_id; ignored", len(raws))
            await self._back_off()

    async def confirm(self) -> None:
        """Tell Telegram the updates taken since the last getUpdates arrived (at a stop, as
        python-telegram-bot does), so that it does not send them again."""
        if self.offset is None or self.offset == self._asked_offset:
            return
        try:
            await self.fetch(timeout=0, limit=1)
        except TelegramError as exc:  # they are journalled: the next start skips them
            log.debug("Could not confirm the last updates: %s", exc)

    async def _back_off(self) -> None:
        delay = self.backoff[min(self._failures, len(self.backoff) - 1)]
        self._failures += 1
        await asyncio.sleep(delay)

    def _recovered(self) -> None:
        if self._in_conflict:
            log.info("getUpdates works again: the other instance has stopped")
        self._failures = 0
        self._in_conflict = False

    async def _conflict(self, exc: Conflict) -> None:
        if not self._in_conflict:
            self._in_conflict = True
            log.error(
                "Another instance is polling with this bot token (409 Conflict: %s); "
                "stop the other one. Retrying quietly until it stops.",
                exc,
            )
        now = self.clock()
        if self._last_notice is not None and now - self._last_notice < self.notice_interval:
            return
        self._last_notice = now
        for admin in self.admins:
            try:
                await self.bot.send_message(
                    admin,
                    "⚠️ Another instance is running with this bot's token (409 Conflict), so "
                    "updates go to one or the other. Stop one of them.",
                )
            except TelegramError as error:
                log.warning("Could not tell admin %s about the conflict: %s", admin, error)


def _seconds(value: Any) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total() if total else value)
