"""The long-lived objects handlers share, kept in `bot_data` and read through `state()`."""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from telegram.ext import ContextTypes

from knowledge import KnowledgeBase
from knowledge.memory import release_free_memory

K = TypeVar("K")
V = TypeVar("V")

STATE_KEY = "qabot"
REMEMBERED_REPLIES = 2000
REMEMBERED_CHATS = 5000  # chats whose last question's names are kept (for follow-ups)
REMEMBERED_USERS = 10_000  # flood counters kept; the least recently active are forgotten


class BoundedDict(OrderedDict[K, V], Generic[K, V]):
    """A dict that forgets its least recently written entries beyond `maxsize`."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)


class FloodLimiter:
    """At most `limit` questions per user in any `window` seconds; one notice, then silence.

    A refused question does not count, so a user who keeps sending is served again as soon
    as their oldest counted question leaves the window.
    """

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: BoundedDict[int, deque[float]] = BoundedDict(REMEMBERED_USERS)
        self._warned: set[int] = set()

    def check(self, user_id: int) -> str:
        """'ok' (counted), 'notice' (refused: tell the user once) or 'silent' (refused)."""
        now = self.clock()
        times = self._seen.get(user_id) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._seen[user_id] = times
            self._warned.discard(user_id)
            return "ok"
        if user_id in self._warned:
            return "silent"
        if len(self._warned) >= REMEMBERED_USERS:
            self._warned.clear()
        self._warned.add(user_id)
        return "notice"

    def wait(self, user_id: int) -> float:
        """Seconds until `user_id` may ask again."""
        times = self._seen.get(user_id)
        if not times or len(times) < self.limit:
            return 0.0
        return max(0.0, times[0] + self.window - self.clock())


@dataclass
class Stats:
    """Counters for /stats."""

    started: float = field(default_factory=time.monotonic)
    questions: int = 0
    answered: int = 0
    abstained: int = 0
    silent: int = 0  # weak matches left unanswered in groups
    flood_refused: int = 0
    reloads: int = 0


@dataclass
class BotState:
    """What handlers need between updates."""

    kb: KnowledgeBase
    admins: frozenset[int] = frozenset()
    flood: FloodLimiter = field(default_factory=lambda: FloodLimiter(8, 30.0))
    stats: Stats = field(default_factory=Stats)
    # (chat id, message id) of a question → id of the first message answering it
    replies: BoundedDict[tuple[int, int], int] = field(
        default_factory=lambda: BoundedDict(REMEMBERED_REPLIES)
    )
    # chat id → (names the last answered question was about, monotonic time)
    conversations: BoundedDict[int, tuple[tuple[str, ...], float]] = field(
        default_factory=lambda: BoundedDict(REMEMBERED_CHATS)
    )
    # groups greeted when the bot was added (once each)
    greeted: BoundedDict[int, bool] = field(default_factory=lambda: BoundedDict(REMEMBERED_CHATS))
    # knowledge bases replaced by /reload and still in use: each is closed, and its memory
    # given back, as soon as the last handler using it lets go (or at shut-down)
    retired: weakref.WeakSet[KnowledgeBase] = field(default_factory=weakref.WeakSet)

    def swap(self, kb: KnowledgeBase) -> KnowledgeBase:
        """Serve `kb` from now on; returns the previous one (retired, still open).

        One assignment: a handler sees either the old or the new knowledge base, never a mix.
        """
        old, self.kb = self.kb, kb
        self.retired.add(old)
        weakref.finalize(old, _close_freed, old.db)
        return old

    def close_retired(self) -> None:
        """Close every retired knowledge base still held somewhere (at shut-down)."""
        for old in list(self.retired):
            self.retired.discard(old)
            old.close()


def _close_freed(db: Any) -> None:
    """Close the database of a knowledge base nothing refers to any more."""
    db.close()
    release_free_memory()  # else the heaps keep the freed pages and RSS only grows


def attach(
    bot_data: dict[Any, Any],
    kb: KnowledgeBase,
    admins: frozenset[int] = frozenset(),
    flood: FloodLimiter | None = None,
) -> BotState:
    """Put a fresh state holding `kb` into `bot_data` (done once, in post_init)."""
    shared = BotState(kb, admins=admins)
    if flood is not None:
        shared.flood = flood
    bot_data[STATE_KEY] = shared
    return shared


def detach(bot_data: dict[Any, Any]) -> BotState | None:
    """Take the state out of `bot_data` (in post_shutdown); the caller closes the KB.

    Knowledge bases retired by /reload are closed here.
    """
    shared = bot_data.pop(STATE_KEY, None)
    if isinstance(shared, BotState):
        shared.close_retired()
    return shared


def state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """The shared state: the one typed way handlers reach the knowledge base."""
    shared = context.bot_data[STATE_KEY]
    if not isinstance(shared, BotState):
        raise RuntimeError("post_init did not attach the bot state")
    return shared
