"""One chat never stalls the others (issue 10, section 1).

The application runs as in production (`app.start()`: updates go through the update queue
and the update processor), over the in-memory fake Bot API. A request layer that holds one
chat's first message shows what waits for what.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import (
    BOT_USER,
    GROUP_CHAT,
    OTHER_USER,
    PRIVATE_CHAT,
    USER,
    FakeBotApi,
    callback_update,
    inline_update,
    message_payload,
    message_update,
)
from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import Application
from telegram_fakes import SETTINGS, FakeRequest, harness, process, running

from bot.app import RetryingRateLimiter, build_application
from bot.concurrency import PerChatUpdateProcessor
from handlers.state import state
from knowledge import KnowledgeBase, limits, ranker

PUTIN = "When did Putin visit Algiers?"
OTHER_CHAT = {"id": OTHER_USER["id"], "type": "private", "first_name": "Bob"}
GUARD = 10.0  # seconds before a test that waits gives up (a hang, not a measurement)


class HoldingRequest(FakeRequest):
    """Holds the first sendMessage to `chat` until `release` is set."""

    def __init__(self, api: FakeBotApi, chat: int) -> None:
        super().__init__(api)
        self.chat = chat
        self.release = asyncio.Event()
        self.held = False

    async def do_request(self, url: str, method: str, request_data: Any = None, **kw: Any):
        params = request_data.json_parameters if request_data else {}
        to_chat = url.endswith("/sendMessage") and int(params.get("chat_id", 0)) == self.chat
        if to_chat and not self.held:
            self.held = True
            await self.release.wait()
        return await super().do_request(url, method, request_data, **kw)


async def until(condition: Callable[[], bool]) -> None:
    """Wait for `condition`; fail after GUARD seconds."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), GUARD)


def sent_to(api: FakeBotApi, chat: int) -> list[str]:
    return [
        c.params["text"]
        for c in api.calls_to("sendMessage")
        if c.status == 200 and int(c.params["chat_id"]) == chat
    ]


async def put(app: Application, api: FakeBotApi, payload: dict[str, Any]) -> None:
    api.learn(payload)
    await app.update_queue.put(Update.de_json(payload, app.bot))


# -- concurrent, in order per chat --------------------------------------------------------


async def test_a_stalled_chat_does_not_hold_up_another_and_keeps_its_order(seed_db: Path):
    api = FakeBotApi()
    request = HoldingRequest(api, PRIVATE_CHAT["id"])
    app = build_application(SETTINGS, KnowledgeBase.open(seed_db), request=request)
    assert isinstance(app.update_processor, PerChatUpdateProcessor)
    questions = ["/help", PUTIN, "/sources"]
    async with running(app) as errors:
        await app.start()
        for question in questions:
            await put(app, api, message_update(question))
        await until(lambda: request.held)
        await put(app, api, message_update("/help", chat=OTHER_CHAT, sender=OTHER_USER))
        # the other chat is answered while this one's first reply is held
        await until(lambda: len(sent_to(api, OTHER_CHAT["id"])) == 1)
        assert sent_to(api, PRIVATE_CHAT["id"]) == []
        request.release.set()
        await until(lambda: len(sent_to(api, PRIVATE_CHAT["id"])) == 3)
        await app.stop()
        held_order = sent_to(api, PRIVATE_CHAT["id"])
        mark = api.mark()
        for question in questions:  # one at a time: the order to expect
            await process(app, api, message_update(question))
        assert held_order == sent_to(api, PRIVATE_CHAT["id"])[3:]
        assert api.calls[mark:] and app.update_processor.lanes == 0  # no lock left behind
    assert errors == []


async def test_a_429_pauses_its_own_chat_only_and_shut_down_does_not_wait_it_out(
    seed_db: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    api = FakeBotApi()
    app = build_application(SETTINGS, KnowledgeBase.open(seed_db), request=FakeRequest(api))
    async with running(app):
        await app.start()
        api.fail("sendMessage", 429, retry_after=20)  # under the cap: waited out
        await put(app, api, message_update("/help"))
        await until(lambda: any(c.status == 429 for c in api.calls_to("sendMessage")))
        await put(app, api, message_update("/help", chat=OTHER_CHAT, sender=OTHER_USER))
        await until(lambda: len(sent_to(api, OTHER_CHAT["id"])) == 1)
        assert sent_to(api, PRIVATE_CHAT["id"]) == []  # still paused
        await asyncio.wait_for(app.stop(), GUARD)  # the pause ends with the shut-down
    statuses = [c.status for c in api.calls_to("sendMessage")]
    assert statuses.count(429) == 1


async def test_a_flood_wait_beyond_the_cap_is_given_up_at_once(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    limiter = RetryingRateLimiter((0.0,), max_flood_wait=30.0, max_retries=3)
    calls: list[int] = []

    async def callback(wait: int) -> dict[str, Any]:
        calls.append(wait)
        if len(calls) == 1:
            raise RetryAfter(timedelta(seconds=wait))
        return {"ok": True}

    async def send(wait: int) -> Any:
        return await limiter.process_request(
            callback, (wait,), {}, "sendMessage", {"chat_id": 5}, None
        )

    await limiter.initialize()
    with pytest.raises(RetryAfter):
        await asyncio.wait_for(send(60), GUARD)
    assert calls == [60]
    calls.clear()
    assert await asyncio.wait_for(send(0), GUARD) == {"ok": True}
    assert calls == [0, 0]  # a short wait is waited out, then tried again
    await limiter.shutdown()


# -- the flood limit counts every kind of request ------------------------------------------


async def test_inline_queries_and_button_presses_count_against_the_flood_limit(seed_db: Path):
    async with harness(KnowledgeBase.open(seed_db), flood_limit=4, flood_window=30) as bot:
        for _ in range(10):
            await bot.send(inline_update(PUTIN))
        assert len(bot.api.calls_to("answerInlineQuery")) == 4
        state(bot.app).flood._seen.clear()  # a fresh window for the buttons
        message = message_payload("sources", sender=BOT_USER)
        for _ in range(10):
            await bot.send(callback_update("sp:0", message, sender=OTHER_USER))
        edits = bot.api.calls_to("editMessageText")
        answers = bot.api.calls_to("answerCallbackQuery")
        assert len(edits) <= 4 and len(answers) == 10  # refused presses still stop spinning
        notices = [a for a in answers if a.params.get("text", "").startswith("You are sending")]
        assert len(notices) == 1  # one notice, then silence
    assert bot.errors == []


# -- answering runs off the event loop ---------------------------------------------------


class ThreadRecordingKnowledgeBase:
    """A real knowledge base that records the threads asking it."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self.threads: list[threading.Thread] = []

    def ask(self, *args: Any) -> Any:
        self.threads.append(threading.current_thread())
        return self._kb.ask(*args)

    def answer_fact(self, *args: Any) -> Any:
        self.threads.append(threading.current_thread())
        return self._kb.answer_fact(*args)

    def search(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.current_thread())
        return self._kb.search(*args, **kwargs)

    def visits(self, *args: Any) -> Any:
        self.threads.append(threading.current_thread())
        return self._kb.visits(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kb, name)


async def test_inline_queries_and_buttons_answer_off_the_event_loop(seed_db: Path):
    kb = ThreadRecordingKnowledgeBase(KnowledgeBase.open(seed_db))
    async with harness(kb) as bot:
        await bot.send(inline_update(PUTIN))
        await bot.send(inline_update(""))
        fact = kb.ask(PUTIN).fact_ids[0]
        kb.threads.clear()
        await bot.send(callback_update(f"f:{fact}", message_payload("x", sender=BOT_USER)))
        await bot.send(inline_update(PUTIN))
    assert kb.threads and threading.main_thread() not in kb.threads
    assert bot.errors == []


async def test_search_and_visits_query_off_the_event_loop(seed_db: Path):
    kb = ThreadRecordingKnowledgeBase(KnowledgeBase.open(seed_db))
    async with harness(kb) as bot:
        kb.threads.clear()
        for command in ("/search embassy", "/visits Putin", "/visits 1066"):
            await bot.send(message_update(command))
    assert len(kb.threads) >= 3 and threading.main_thread() not in kb.threads
    assert bot.errors == []


def test_the_knowledge_base_answers_the_same_from_many_threads(kb: KnowledgeBase):
    questions = [PUTIN, "Who visited in 1969?", "When did Medvedev visit Algeria?", "arms"] * 3
    alone = [kb.ask(q) for q in questions]
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(kb.ask, questions))
    assert together == alone


# -- one question's cost is bounded ------------------------------------------------------


def crafted_question(size: int) -> str:
    """Capitalised Cyrillic words, each a possible name with transliterations."""
    words, n = [], 0
    while sum(len(w) + 1 for w in words) < size:
        n += 1
        words.append("Б" + "".join("абвгдежзиклмнопрст"[(n * k) % 18] for k in range(1, 7)))
    return " ".join(words)[:size]


def test_a_crafted_4kb_question_costs_a_few_times_an_ordinary_one(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
):
    embedded: list[int] = []
    scored: list[int] = []
    embed, score = kb._embed, ranker.score

    def counting_embed(text: str) -> Any:
        embedded.append(len(text))
        return embed(text)

    def counting_score(query: Any, rows: Any, subjects: Any) -> Any:
        scored.append(sum(1 + len(t.alts) for t in query.terms) * max(1, len(rows)))
        return score(query, rows, subjects)

    monkeypatch.setattr(kb, "_embed", counting_embed)
    monkeypatch.setattr("knowledge.kb.ranker.score", counting_score)

    def work(question: str) -> tuple[int, int]:
        embedded.clear()
        scored.clear()
        kb.ask(question)
        return sum(embedded), sum(scored)

    ordinary = work("Когда Путин посетил Алжир и кто встречал его в аэропорту столицы?")
    crafted = work(crafted_question(4096))
    assert crafted[0] <= 5 * ordinary[0], (crafted, ordinary)
    assert crafted[1] <= 10 * max(ordinary[1], 1), (crafted, ordinary)


def test_cut_question_keeps_whole_words():
    assert limits.cut_question("short") == "short"
    cut = limits.cut_question("word " * 100)
    assert len(cut) <= limits.MAX_QUESTION_CHARS and cut.endswith("word")


async def test_group_questions_do_not_hold_up_a_private_chat(seed_db: Path):
    """60 users ask in one group (20 replies a minute allowed there); /help elsewhere is
    answered while the group's replies wait for their turn."""
    api = FakeBotApi()
    app = build_application(SETTINGS, KnowledgeBase.open(seed_db), request=FakeRequest(api))
    bot = f"/help@{BOT_USER['username']}"
    async with running(app):
        await app.start()
        for uid in range(60):
            asker = {**USER, "id": 5000 + uid}
            await put(app, api, message_update(bot, chat=GROUP_CHAT, sender=asker))
        await until(lambda: len(sent_to(api, GROUP_CHAT["id"])) >= 20)
        await put(app, api, message_update("/help"))
        await until(lambda: len(sent_to(api, PRIVATE_CHAT["id"])) == 1)
        assert len(sent_to(api, GROUP_CHAT["id"])) < 60  # the group still waits
        app.bot.rate_limiter.stop_waiting()  # type: ignore[union-attr]
        for task in asyncio.all_tasks():  # the group's queue: minutes of waiting, cut short
            if "process_concurrent_update" in task.get_name():
                task.cancel()
        await asyncio.wait_for(app.stop(), GUARD)


def test_a_term_keeps_the_same_forms_whatever_order_its_synonyms_came_in():
    """Synonyms come from sets, whose order changes from one process to the next: the forms
    kept past MAX_ALTS must not, or the same question gets another answer after a restart
    ('Who bought the factory in 2005?' was answered at 0.87 or refused at 0.49)."""
    from knowledge.terms import Term

    forms = [f"form{i}" for i in range(limits.MAX_ALTS + 3)]
    kept = []
    for order in (forms, forms[::-1], forms[3:] + forms[:3]):
        term = Term("bought", "bought", 1.0, dict.fromkeys(order, 0.85), weak=set(order))
        (bounded,) = limits.bounded_terms([term])
        kept.append((sorted(bounded.alts), sorted(bounded.weak)))
    assert len(kept[0][0]) == limits.MAX_ALTS
    assert kept[0] == kept[1] == kept[2]
