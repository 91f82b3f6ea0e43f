"""No doubled answers (issue 10, section 3): a send that may have reached Telegram is not
repeated, and no apology follows a reply that went out; a deleted question and a late button
press are handled quietly."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import (
    BOT_USER,
    DROP,
    GROUP_CHAT,
    TIMEOUT,
    FakeBotApi,
    callback_update,
    message_payload,
    message_update,
)
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram_fakes import SETTINGS, FakeRequest, ScriptedKnowledgeBase, harness, process, running

from bot.app import SORRY, build_application
from bot.sending import may_have_arrived, repeats_harm
from knowledge import KnowledgeBase

PUTIN = "When did Putin visit Algiers?"
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@pytest.fixture(autouse=True)
def _no_retry_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.app.SEND_RETRY_DELAYS", (0.0, 0.0, 0.0))


@pytest.mark.parametrize("fault", [TIMEOUT, DROP], ids=["timeout", "dropped"])
async def test_a_send_that_may_have_arrived_is_neither_repeated_nor_apologised_for(
    seed_db: Path, fault: int
):
    async with harness(KnowledgeBase.open(seed_db)) as bot:
        bot.api.fail("sendMessage", fault)
        calls = await bot.send(message_update(PUTIN))
        assert [(c.method, c.status) for c in calls] == [("sendMessage", fault)]
        assert len(bot.errors) == 1


class RefusingRequest(FakeRequest):
    """The first `refusals` sendMessage calls find no server listening."""

    def __init__(self, api: FakeBotApi, refusals: int) -> None:
        super().__init__(api)
        self.refusals = refusals

    async def do_request(self, url: str, method: str, request_data: Any = None, **kw: Any):
        if url.endswith("/sendMessage") and self.refusals:
            self.refusals -= 1
            raise NetworkError("httpx.ConnectError: [Errno 111] Connection refused")
        return await super().do_request(url, method, request_data, **kw)


async def test_a_send_that_never_left_is_tried_again(seed_db: Path):
    api = FakeBotApi()
    request = RefusingRequest(api, refusals=2)
    app = build_application(SETTINGS, KnowledgeBase.open(seed_db), request=request)
    async with running(app) as errors:
        mark = await process(app, api, message_update(PUTIN))
        [answer] = api.calls_to("sendMessage", mark)
        assert "2006" in answer.params["text"] and request.refusals == 0
    assert errors == []


def test_which_failures_may_have_reached_telegram():
    assert may_have_arrived(TimedOut())
    assert may_have_arrived(NetworkError("httpx.ReadError: connection reset"))
    assert may_have_arrived(NetworkError("httpx.RemoteProtocolError: Server disconnected"))
    assert not may_have_arrived(NetworkError("httpx.ConnectError: [Errno 111] refused"))
    assert not may_have_arrived(TimedOut("Pool timeout: All connections ... not sent"))
    assert not may_have_arrived(NetworkError("Bad Gateway"))
    assert not may_have_arrived(BadRequest("Bad Request: chat not found"))
    assert repeats_harm("sendMessage") and repeats_harm("copyMessage")
    assert not repeats_harm("sendChatAction") and not repeats_harm("editMessageText")


class FailingAfterFirstSend(FakeRequest):
    """Every sendMessage after the first fails with a 500."""

    async def do_request(self, url: str, method: str, request_data: Any = None, **kw: Any):
        if url.endswith("/sendMessage") and self.api.calls_to("sendMessage"):
            self.api.fail("sendMessage", 500)
        return await super().do_request(url, method, request_data, **kw)


async def test_no_apology_once_part_of_the_answer_went_out(seed_db: Path):
    long_answer = {PUTIN: {"text": "The visit. " * 600}}  # two messages
    kb = ScriptedKnowledgeBase(KnowledgeBase.open(seed_db), long_answer)
    api = FakeBotApi()
    app = build_application(SETTINGS, kb, request=FailingAfterFirstSend(api))  # type: ignore[arg-type]
    async with running(app) as errors:
        await process(app, api, message_update(PUTIN))
    sent = api.calls_to("sendMessage")
    assert sent[0].status == 200 and all(c.status == 500 for c in sent[1:])
    assert SORRY not in [c.params["text"] for c in sent]
    assert len(errors) == 1


async def test_a_deleted_question_is_answered_without_the_reply_link(seed_db: Path):
    async with harness(KnowledgeBase.open(seed_db)) as bot:
        bot.api.fail("sendMessage", 400, "Bad Request: message to be replied not found")
        ask = f"/ask@{BOT_USER['username']} {PUTIN}"
        calls = await bot.send(message_update(ask, chat=GROUP_CHAT))
        assert [c.status for c in calls] == [400, 200]
        assert calls[0].params["reply_parameters"]["allow_sending_without_reply"] is True
        assert "reply_parameters" not in calls[1].params and "2006" in calls[1].params["text"]
    assert bot.errors == []


async def test_a_late_button_press_gets_its_edit_and_no_apology(seed_db: Path):
    async with harness(KnowledgeBase.open(seed_db)) as bot:
        fact = bot.app.bot_data["qabot"].kb.ask(PUTIN).fact_ids[0]
        sent = await bot.reply_call(message_update(PUTIN))
        bot.api.fail("answerCallbackQuery", 400, TOO_OLD)
        calls = await bot.send(callback_update(f"f:{fact}", sent.result))
        assert [(c.method, c.status) for c in calls] == [
            ("editMessageText", 200),
            ("answerCallbackQuery", 400),
        ]
    assert bot.errors == []


async def test_the_error_handler_ignores_a_late_press_of_any_button(seed_db: Path):
    """Buttons of other features (👍/👎, /teach) answer through PTB directly."""
    settings = replace(SETTINGS)
    api = FakeBotApi()
    app = build_application(settings, KnowledgeBase.open(seed_db), request=FakeRequest(api))

    async def late(update: object, context: Any) -> None:
        raise BadRequest(TOO_OLD)

    from telegram.ext import CallbackQueryHandler

    app.add_handler(CallbackQueryHandler(late, pattern="^late$"), group=-2)
    async with running(app) as errors:
        message = message_payload("x", sender=BOT_USER)
        mark = await process(app, api, callback_update("late", message))
        assert api.calls_to("sendMessage", mark) == []  # no apology
    assert len(errors) == 1
