"""Updates handled concurrently, each chat's in order: one chat never stalls the others.

python-telegram-bot hands every update to the update processor in its own task. Here each
update first waits for its chat's lane (an asyncio lock, first come first served), then for
one of `max_running` slots. So a busy group, or a chat waiting out a 429, holds up only its
own later updates; other chats go on.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_RUNNING = 32  # updates handled at the same time, across all chats
# Updates accepted at once (running, or waiting for their chat's lane): PTB's own bound.
# It must be large: an update waiting for a busy chat's lane holds one of these slots.
MAX_ACCEPTED = 100_000


def lane_of(update: object) -> int | None:
    """The key that orders `update`: its chat, else its sender (inline queries, buttons
    under inline messages); None for an update with neither (it runs at once)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within each chat.

    Locks exist only while a chat has updates in flight: a chat's lock is dropped when its
    last update is done, so the table never grows with the number of chats ever seen.
    """

    def __init__(self, max_running: int = MAX_RUNNING, max_accepted: int = MAX_ACCEPTED) -> None:
        super().__init__(max_accepted)
        self.max_running = max_running
        self._running = asyncio.BoundedSemaphore(max_running)
        self._lanes: dict[int, tuple[asyncio.Lock, int]] = {}  # key → (lock, updates using it)

    @property
    def lanes(self) -> int:
        """Chats with updates in flight."""
        return len(self._lanes)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = lane_of(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        lock, users = self._lanes.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._lanes[key] = (lock, users + 1)
        started = False
        try:
            async with lock, self._running:
                started = True
                await coroutine
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting (shut-down): never started
            lock, users = self._lanes[key]
            if users <= 1:
                del self._lanes[key]
            else:
                self._lanes[key] = (lock, users - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
