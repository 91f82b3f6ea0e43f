"""The long-lived objects handlers share, kept in `bot_data` and read through `state()`."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from telegram.ext import ContextTypes

from knowledge import KnowledgeBase
from knowledge.models import VisitFilter

K = TypeVar("K")
V = TypeVar("V")

STATE_KEY = "qabot"
REMEMBERED_REPLIES = 2000
REMEMBERED_LISTS = 500


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


@dataclass
class BotState:
    """What handlers need between updates."""

    kb: KnowledgeBase
    # (chat id, message id) of a question → id of the first message answering it
    replies: BoundedDict[tuple[int, int], int] = field(
        default_factory=lambda: BoundedDict(REMEMBERED_REPLIES)
    )
    # key in a page button's callback data → the filter of that /visits list
    visit_lists: BoundedDict[int, VisitFilter] = field(
        default_factory=lambda: BoundedDict(REMEMBERED_LISTS)
    )
    _keys: itertools.count = field(default_factory=lambda: itertools.count(1))

    def remember_visit_list(self, flt: VisitFilter) -> int:
        key = next(self._keys)
        self.visit_lists[key] = flt
        return key


def attach(bot_data: dict[Any, Any], kb: KnowledgeBase) -> BotState:
    """Put a fresh state holding `kb` into `bot_data` (done once, in post_init)."""
    bot_data[STATE_KEY] = shared = BotState(kb)
    return shared


def detach(bot_data: dict[Any, Any]) -> BotState | None:
    """Take the state out of `bot_data` (in post_shutdown); the caller closes the KB."""
    return bot_data.pop(STATE_KEY, None)


def state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """The shared state: the one typed way handlers reach the knowledge base."""
    shared = context.bot_data[STATE_KEY]
    if not isinstance(shared, BotState):
        raise RuntimeError("post_init did not attach the bot state")
    return shared
