"""Shared by the polling, journal and webhook tests: the production application served by
`bot.service.serve` (our polling loop or webhook server) in this process, over a fake Bot API
on 127.0.0.1, stopped by an event instead of a signal."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fake_bot_api import FakeBotApi, FakeBotApiServer
from telegram.ext import Application
from telegram_fakes import SETTINGS

from bot.app import ALLOWED_UPDATES, build_application
from bot.journal import Journal
from bot.service import serve
from bot.settings import Settings
from knowledge import KnowledgeBase


@dataclass
class Served:
    api: FakeBotApi
    app: Application
    journal: Journal
    task: asyncio.Task[None]
    stop: asyncio.Event

    async def wait_for(self, method: str, since: int = 0, timeout: float = 10.0) -> Any:
        """`api.wait_for` without blocking the event loop the bot runs on."""
        return await asyncio.to_thread(self.api.wait_for, method, since, timeout)


@contextlib.asynccontextmanager
async def serving(
    seed_db: Path, tmp_path: Path, server: FakeBotApiServer, **settings: Any
) -> AsyncIterator[Served]:
    """Serve until the block ends (then stop as on SIGTERM); errors of `serve` propagate."""
    config: Settings = replace(SETTINGS, api_base_url=server.base_url, feedback=False, **settings)
    app = build_application(config, KnowledgeBase.open(seed_db))
    journal = Journal.open(tmp_path / "journal.db")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config, journal, ALLOWED_UPDATES, stop=stop))
    try:
        yield Served(server.api, app, journal, task, stop)
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, 15)
        finally:
            journal.close()
