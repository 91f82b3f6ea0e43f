"""Offline python-telegram-bot: a fake request layer over `FakeBotApi`, and a running app.

api = FakeBotApi()
app = build_application(settings, kb, request=FakeRequest(api))
async with running(app) as errors:
    await process(app, api, message_update("/start"))
    assert "Hello" in api.sent_texts()[-1]
    assert errors == []
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

from fake_bot_api import DROP, TIMEOUT, TOKEN, Call, FakeBotApi, decode_parameters
from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application, ContextTypes
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.settings import Settings
from knowledge import KnowledgeBase
from knowledge.models import Answer

SETTINGS = Settings(token=TOKEN, api_base_url="https://api.telegram.invalid")


class FakeRequest(BaseRequest):
    """Answers python-telegram-bot's HTTP calls from a `FakeBotApi`, in memory.

    The parameters go through the same JSON encoding as a real request, so what the fake
    records is what Telegram would receive.
    """

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.urls: list[str] = []

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        self.urls.append(url)
        prefix, _, api_method = url.rpartition("/")
        token = prefix.rpartition("/bot")[2]
        params = decode_parameters(request_data.json_parameters if request_data else {})
        status, body = self.api.handle(token, api_method, params, wait=False)
        # what python-telegram-bot's HTTPXRequest raises when there is no answer
        if status == DROP:
            raise NetworkError(
                "httpx.RemoteProtocolError: Server disconnected without sending a response."
            )
        if status == TIMEOUT:
            raise TimedOut
        return status, json.dumps(body).encode()


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[list[BaseException]]:
    """Initialise `app` and run its post_init; yields the errors handlers raise.

    `process_update` only logs handler errors, so a test error handler records them.
    """
    errors: list[BaseException] = []

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_error_handler(record)
    async with app:
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        try:
            yield errors
        finally:
            await app.post_shutdown(app)


async def process(app: Application, api: FakeBotApi, payload: dict[str, Any]) -> int:
    """Hand one update to the app, as the updater would; returns the position in `api.calls`
    before it, for `api.calls_to(..., since=...)`."""
    api.learn(payload)
    mark = api.mark()
    await app.process_update(Update.de_json(payload, app.bot))
    return mark


class ScriptedKnowledgeBase:
    """A real knowledge base whose answers to some questions are replaced: for handler
    behaviour that depends on confidence, independent of how the engine is tuned."""

    def __init__(self, kb: KnowledgeBase, answers: dict[str, dict[str, Any]]) -> None:
        self._kb = kb
        self._answers = answers

    def ask(self, question: str) -> Answer:
        answer = self._kb.ask(question)
        changes = self._answers.get(question)
        return replace(answer, **changes) if changes else answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kb, name)


@dataclass
class Harness:
    """The production application, a fake Bot API, and the errors handlers raised."""

    app: Application
    api: FakeBotApi
    errors: list[BaseException]

    async def send(self, payload: dict[str, Any]) -> list[Call]:
        """Process one update; returns the Bot API calls it caused."""
        mark = await process(self.app, self.api, payload)
        return self.api.calls[mark:]

    async def texts(self, payload: dict[str, Any]) -> list[str]:
        """Process one update; returns the texts it sent or edited successfully."""
        return [
            c.params["text"]
            for c in await self.send(payload)
            if c.method in ("sendMessage", "editMessageText") and c.status == 200
        ]

    async def reply_to(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Process one update that must get exactly one message; returns its parameters."""
        return (await self.reply_call(payload)).params

    async def reply_call(self, payload: dict[str, Any]) -> Call:
        """Process one update that must get exactly one message; returns that call."""
        sent = [c for c in await self.send(payload) if c.method == "sendMessage"]
        assert len(sent) == 1, [c.params.get("text") for c in sent]
        return sent[0]


@asynccontextmanager
async def harness(kb: Any, **settings: Any) -> AsyncIterator[Harness]:
    """The production application over `kb` (closed at shut-down) and a fake Bot API."""
    api = FakeBotApi()
    app = build_application(replace(SETTINGS, **settings), kb, request=FakeRequest(api))
    async with running(app) as errors:
        yield Harness(app, api, errors)
