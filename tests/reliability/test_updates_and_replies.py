"""Telegram updates of every kind, flood limits, admin commands and the HTML of every reply.

Driven offline through the production application (`bot.app.build_application`) and the fake
request layer; a test error handler records anything a handler raises.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import (
    BOT_USER,
    CHANNEL_CHAT,
    GROUP_CHAT,
    OTHER_USER,
    PRIVATE_CHAT,
    USER,
    callback_update,
    edited_update,
    inline_update,
    message_payload,
    message_update,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_harness import Bot, bot_over, markup_problems, unthrottle
from telegram.ext import AIORateLimiter

from bot.app import RETRIES_AFTER_FLOOD_WAIT, RetryingRateLimiter
from handlers.buttons import STALE
from handlers.commands import render_reply
from handlers.gate import FLOOD_NOTICE
from handlers.inline import _fitted
from handlers.render import (
    did_you_mean_keyboard,
    page_count,
    render_answer,
    render_articles,
    render_facts,
    render_help,
    render_no_answer,
    render_visits,
    split_message,
)
from handlers.state import state
from knowledge import KnowledgeBase, VisitFilter, build_knowledge_base

BOT = f"@{BOT_USER['username']}"
PUTIN = "When did Putin visit Algiers?"
UPDATE_CASES: Counter[str] = Counter()


@pytest.fixture
async def bot(seed_db: Path):
    async with bot_over(KnowledgeBase.open(seed_db)) as running_bot:
        yield running_bot
    assert running_bot.errors == [], "a handler raised"


# -- updates of every kind ----------------------------------------------------------------

users = st.one_of(
    st.sampled_from([USER, OTHER_USER]),
    st.builds(
        lambda uid, name, lang: {
            "id": uid,
            "is_bot": False,
            "first_name": name or "x",
            **({"language_code": lang} if lang else {}),
        },
        st.integers(1, 2**40),
        st.text(max_size=20),
        st.sampled_from([None, "en", "ru", "ar", "zh-hans", "xx"]),
    ),
)
# many groups and channels: Telegram's limit of 20 messages a minute in one would slow the run
chats = st.one_of(
    st.sampled_from([PRIVATE_CHAT, CHANNEL_CHAT]),
    st.builds(
        lambda n, kind: {"id": -n, "type": kind, "title": "G"},
        st.integers(1, 10**12),
        st.sampled_from(["group", "supergroup"]),
    ),
)
texts = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            PUTIN,
            "/start",
            "/start f999999",
            "/start f1",
            "/start fx",
            f"/ask{BOT}",
            f"/ask{BOT} {PUTIN}",
            "/visits 1960s",
            "/visits zzz",
            "/search",
            "/search NEAR( * ^",
            "/sources",
            "/help",
            "/reload",
            "/stats",
            "/frobnicate",
            f"{BOT}",
            f"{BOT} {PUTIN}",
            "/ask@other_bot hi",
            "\x00",
            "\u202e" + PUTIN,
        ]
    ),
)
buttons = st.one_of(
    st.sampled_from(
        ["f:1", "f:999999", "v:1:0", "v:999:3", "f:", "v:1", "page:2", "", "x" * 64]
        + ["f:99999999999999999999999", "v:1:99999999999999999999", "f:-1", "f:١٢"]
    ),
    st.text(max_size=64),
)


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(["message", "no-sender", "edited", "channel", "callback", "inline"])
    )
    chat = draw(chats)
    text = draw(texts)
    if kind == "inline":
        return inline_update(draw(st.text(max_size=256)), sender=draw(users))
    if kind == "callback":
        message = message_payload("Some answer", chat=chat, sender=BOT_USER)
        update = callback_update(draw(buttons), message, sender=draw(users))
        if draw(st.booleans()):  # a button under an inline message: no message at all
            del update["callback_query"]["message"]
            update["callback_query"]["inline_message_id"] = "AAAA"
        return update
    if kind == "channel" or chat is CHANNEL_CHAT:
        chat = {**CHANNEL_CHAT, "id": -draw(st.integers(10**12, 10**13))}
    sender = None if kind in ("no-sender", "channel") else draw(users)
    extra: dict[str, Any] = {}
    if text is None and draw(st.booleans()):
        extra["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    if draw(st.booleans()):
        extra["reply_to_message"] = message_payload("earlier", chat=chat, sender=BOT_USER)
    payload = message_payload(text, chat=chat, sender=sender, **extra)
    if kind == "edited" or (kind == "channel" and draw(st.booleans())):
        return edited_update(payload, text or "")
    key = "channel_post" if chat["type"] == "channel" else "message"
    return {"update_id": 1, key: payload}


async def test_updates_of_every_kind_are_handled_or_ignored(seed_db: Path):
    collected: list[dict[str, Any]] = []

    @settings(
        max_examples=600,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(update=updates())
    def collect(update: dict[str, Any]) -> None:
        collected.append(update)

    collect()
    async with bot_over(KnowledgeBase.open(seed_db), flood_limit=10**6) as bot:
        unthrottle(bot.app)
        for number, payload in enumerate(collected, 1):
            payload = {**payload, "update_id": number}
            UPDATE_CASES[next(k for k in payload if k != "update_id")] += 1
            for call in await bot.send(payload):
                if call.method in ("sendMessage", "editMessageText"):
                    assert markup_problems(call.params["text"]) == [], call.params["text"]
            assert bot.errors == [], (payload, bot.errors)
    print(f"\nupdates fuzzed: {len(collected)} {dict(UPDATE_CASES)}")
    assert len(collected) == 600


async def test_unknown_and_old_button_data_is_answered(bot: Bot):
    message = message_payload("x", sender=BOT_USER)
    for data in ("page:2", "v:1", "f:", "anything", "v:7:1"):
        calls = await bot.send(callback_update(data, message))
        assert [c.method for c in calls] == ["answerCallbackQuery"], data
        if data != "v:7:1":  # a well-formed page of a forgotten list has its own notice
            assert calls[0].params["text"] == STALE


async def test_inline_query_from_an_unknown_user(bot: Bot):
    stranger = {"id": 99999999, "is_bot": False, "first_name": "?"}
    calls = await bot.send(inline_update(PUTIN, sender=stranger))
    assert [c.method for c in calls] == ["answerInlineQuery"]


# -- Telegram's answers: blocked, unparsable, not modified --------------------------------


async def test_blocked_user_is_logged_once_without_retries(
    bot: Bot, caplog: pytest.LogCaptureFixture
):
    bot.api.fail("sendMessage", 403)
    with caplog.at_level(logging.INFO):
        calls = await bot.send(message_update(PUTIN))
    assert [(c.method, c.status) for c in calls] == [("sendMessage", 403)]  # no retry, no sorry
    assert [r.levelname for r in caplog.records if r.name == "bot.app"] == ["WARNING"]
    assert "blocked" in caplog.records[-1].getMessage()
    bot.errors.clear()  # the test error handler saw the Forbidden; the bot goes on:
    assert "10 March 2006" in (await bot.texts(message_update(PUTIN)))[0]


async def test_unparsable_html_is_sent_again_as_plain_text(bot: Bot):
    bot.api.fail("sendMessage", 400, description="Bad Request: can't parse entities: nope")
    calls = await bot.send(message_update(PUTIN))
    assert [(c.method, c.status) for c in calls] == [("sendMessage", 400), ("sendMessage", 200)]
    first, second = (c.params for c in calls)
    assert first["parse_mode"] == "HTML" and "parse_mode" not in second
    assert "<a href" in first["text"] and "<" not in second["text"]
    assert "10 March 2006" in second["text"] and "📖 Algeria–Russia relations" in second["text"]


async def test_unparsable_edit_and_not_modified_edit(bot: Bot):
    question = message_update(PUTIN)
    await bot.send(question)
    bot.api.fail("editMessageText", 400, description="Bad Request: can't parse entities: x")
    calls = await bot.send(edited_update(question["message"], "Who is the Russian ambassador?"))
    assert [(c.method, c.status) for c in calls] == [
        ("editMessageText", 400),
        ("editMessageText", 200),
    ]
    assert "parse_mode" not in calls[1].params
    listing = [c for c in await bot.send(message_update("/visits")) if c.method == "sendMessage"]
    data = listing[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    for _ in range(2):  # the second press: "message is not modified", ignored
        calls = await bot.send(callback_update(data, listing[0].result))
        assert calls[-1].method == "answerCallbackQuery"
    assert [c.status for c in calls if c.method == "editMessageText"] == [400]


def test_rate_limits_are_configured(seed_db: Path):
    from fake_bot_api import FakeBotApi
    from telegram_fakes import SETTINGS, FakeRequest

    from bot.app import build_application

    app = build_application(
        SETTINGS, KnowledgeBase.open(seed_db), request=FakeRequest(FakeBotApi())
    )
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, RetryingRateLimiter) and isinstance(limiter, AIORateLimiter)
    assert (limiter._group_max_rate, limiter._group_time_period) == (20, 60)  # per group
    assert limiter._base_limiter is not None and limiter._base_limiter.max_rate == 30
    assert limiter._max_retries == RETRIES_AFTER_FLOOD_WAIT and limiter.delays


# -- flood limits -------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("chat", [PRIVATE_CHAT, GROUP_CHAT], ids=["private", "group"])
async def test_flood_gets_one_notice_then_silence_until_the_window_passes(
    seed_db: Path, chat: dict[str, Any]
):
    async with bot_over(KnowledgeBase.open(seed_db), flood_limit=3, flood_window=30) as bot:
        clock = Clock()
        state(bot.app).flood.clock = clock  # type: ignore[arg-type]
        question = f"/ask {PUTIN}" if chat is GROUP_CHAT else PUTIN
        replies = []
        for _ in range(8):
            replies.append(await bot.texts(message_update(question, chat=chat)))
            clock.now += 1
        assert all("10 March 2006" in r[0] for r in replies[:3])
        assert replies[3] == [FLOOD_NOTICE.format(seconds=27)]
        assert replies[4:] == [[]] * 4  # silence
        other = await bot.texts(message_update(question, chat=chat, sender=OTHER_USER))
        assert "10 March 2006" in other[0]  # others are not affected
        clock.now += 30  # the window has passed
        assert "10 March 2006" in (await bot.texts(message_update(question, chat=chat)))[0]
        assert state(bot.app).stats.flood_refused == 5
    assert bot.errors == []


async def test_admins_are_not_flood_limited(seed_db: Path):
    async with bot_over(
        KnowledgeBase.open(seed_db), flood_limit=1, admins=frozenset({USER["id"]})
    ) as bot:
        for _ in range(5):
            assert "10 March 2006" in (await bot.texts(message_update(PUTIN)))[0]


# -- admin commands -----------------------------------------------------------------------


async def test_admin_commands_look_unknown_to_everyone_else(seed_db: Path):
    async with bot_over(KnowledgeBase.open(seed_db), admins=frozenset({OTHER_USER["id"]})) as bot:
        for name in ("reload", "stats"):
            assert await bot.texts(message_update(f"/{name}")) == [
                f"I don't know /{name}. /help lists what I can do."
            ]
            assert await bot.texts(message_update(f"/{name}", chat=GROUP_CHAT)) == []
            assert await bot.texts(message_update(f"/{name}{BOT}", chat=GROUP_CHAT)) == []
            # the admin too, in a group: silence, as for an unknown command
            in_group = message_update(f"/{name}{BOT}", chat=GROUP_CHAT, sender=OTHER_USER)
            assert await bot.texts(in_group) == []
        assert await bot.texts(message_update("/frobnicate", chat=GROUP_CHAT)) == []
        menus = [c.params["commands"] for c in bot.api.calls_to("setMyCommands")]
        assert all(c["command"] not in ("reload", "stats") for menu in menus for c in menu)
        assert "/reload" not in render_help("x") and "/stats" not in render_help("x")
    assert bot.errors == []


ADMIN = {"id": 4242, "type": "private", "first_name": "Root"}
ROOT_USER = {"id": 4242, "is_bot": False, "first_name": "Root"}


def admin_message(text: str) -> dict[str, Any]:
    return message_update(text, chat=ADMIN, sender=ROOT_USER)


async def test_stats_for_an_admin(seed_db: Path, kb: KnowledgeBase):
    async with bot_over(KnowledgeBase.open(seed_db), admins=frozenset({4242})) as bot:
        await bot.send(message_update(PUTIN))
        await bot.send(message_update("What is the capital of France?"))
        [text] = await bot.texts(admin_message("/stats"))
        facts = sum(a.facts for a in kb.articles())
        for line in ("Questions: 2", "Answered: 1", "Abstained: 1", "Loaded: 1 article\n"):
            assert line in text
        assert f"Loaded: {facts} facts" in text and "Uptime: 0h 00m" in text
        assert markup_problems(text) == []
    assert bot.errors == []


async def test_reload_swaps_in_the_new_base_and_closes_the_old(tmp_path: Path, seed_db: Path):
    db = tmp_path / "kb.db"
    build_knowledge_base(
        [Path(__file__).parents[2] / "knowledge/data/algeria-russia-relations.txt"], db
    )
    async with bot_over(KnowledgeBase.open(db), admins=frozenset({4242})) as bot:
        article = tmp_path / "zorblax.txt"
        article.write_text("= Zorblax =\n\nThe Zorblax treaty was signed in 1999.\n", "utf-8")
        build_knowledge_base([article], db, keep_existing=True)  # what `qabot ingest` does
        assert (
            "I could not find"
            in (await bot.texts(message_update("When was the Zorblax treaty signed?")))[0]
        )
        [text] = await bot.texts(admin_message("/reload"))
        assert text.startswith("✅ Reloaded") and "2 articles" in text
        # the base a /reload opened (the harness itself holds the first one)
        old_db = state(bot.app).kb.db
        old = weakref.ref(state(bot.app).kb)
        [text] = await bot.texts(admin_message("/reload"))
        assert text.startswith("✅ Reloaded") and state(bot.app).kb is not old()
        assert "1999" in (await bot.texts(message_update("When was the Zorblax treaty signed?")))[0]
        with pytest.raises(Exception, match="attempt to write a readonly database"):
            state(bot.app).kb.db.execute("create table x (y)")  # opened read-only
        assert old() is None  # freed at once, with nothing using it (no cycle, no timer)
        with pytest.raises(Exception, match="closed"):
            old_db.execute("select 1")  # and its database closed
        # a bad file, put in place atomically: the old base stays
        (tmp_path / "bad.db").write_bytes(b"not a database")
        (tmp_path / "bad.db").replace(db)
        [text] = await bot.texts(admin_message("/reload"))
        assert text.startswith("⚠️ Reload failed") and "not a qabot knowledge base" in text
        assert "1999" in (await bot.texts(message_update("When was the Zorblax treaty signed?")))[0]
    assert bot.errors == []


async def test_concurrent_asks_during_reloads_all_succeed(tmp_path: Path, seed_db: Path):
    """Threads keep asking through bot_data while an admin reloads 30 times."""
    async with bot_over(
        KnowledgeBase.open(seed_db), admins=frozenset({4242}), flood_limit=1000
    ) as bot:
        shared = state(bot.app)
        done = threading.Event()
        results: list[bool] = []
        failures: list[BaseException] = []

        def ask() -> None:
            while not done.is_set():
                try:
                    results.append("10 March 2006" in shared.kb.ask(PUTIN).text)
                except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                    failures.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            for _ in range(30):
                [text] = await bot.texts(admin_message("/reload"))
                assert text.startswith("✅ Reloaded")
                assert "10 March 2006" in (await bot.texts(message_update(PUTIN)))[0]
                await asyncio.sleep(0.005)
        finally:
            done.set()
            for thread in threads:
                thread.join()
        print(f"\nasks during 30 reloads: {len(results)}, failures: {len(failures)}")
        assert failures == [] and results and all(results)
        assert shared.stats.reloads == 30
    assert bot.errors == []
    assert len(shared.retired) == 0  # each closed once its last user let go


# -- every reply renders as intended ------------------------------------------------------


def test_every_fact_renders_as_valid_telegram_html(multi_kb: KnowledgeBase):
    kb = multi_kb
    ids = [row[0] for row in kb.db.execute("select id from facts order by id")]
    checked = 0
    for fact_id in ids:
        answer = kb.answer_fact(fact_id)
        fact = kb.fact(fact_id)
        assert answer is not None and fact is not None
        texts = [
            render_answer(answer, "qabot_test_bot"),
            render_answer(answer, None, note="<i>Not it?</i>"),
            render_facts([fact], "<b>Facts matching “x &amp; y”</b>"),
            _fitted(answer, "qabot_test_bot", "ar"),
        ]
        for text in texts:
            for chunk in split_message(text):
                assert markup_problems(chunk) == [], (fact_id, chunk)
                checked += 1
        keyboard = did_you_mean_keyboard([])
        assert keyboard is None
    visits = kb.visits()
    for page in range(page_count(len(visits))):
        shown = visits[page * 5 : (page + 1) * 5]
        flt = VisitFilter(name="<&>")
        for chunk in split_message(render_visits(shown, len(visits), flt, page, [])):
            assert markup_problems(chunk) == []
            checked += 1
    sources_page = render_articles(kb.articles())[0]
    for text in (sources_page, render_no_answer(["<b>&", "x"]), render_help("b")):
        for chunk in split_message(text):
            assert markup_problems(chunk) == []
            checked += 1
    print(f"\nfacts rendered: {len(ids)}, messages checked: {checked}")
    assert len(ids) > 150


async def test_every_fact_through_the_bot(multi_db: Path, multi_kb: KnowledgeBase):
    """The real path: a shared link (/start f<id>) for every fact, and the 'did you mean'
    render for every fact's own text as a question."""
    ids = [row[0] for row in multi_kb.db.execute("select id from facts order by id")]
    async with bot_over(KnowledgeBase.open(multi_db), flood_limit=10**6) as bot:
        unthrottle(bot.app)
        for fact_id in ids:
            [text] = await bot.texts(message_update(f"/start f{fact_id}"))
            assert markup_problems(text) == [], text
        for fact_id in ids[::5]:
            fact = multi_kb.fact(fact_id)
            assert fact is not None
            for text in await bot.texts(message_update(fact.text[:4096])):
                assert markup_problems(text) == [], text
    assert bot.errors == []


def test_the_checker_catches_bad_markup():
    assert markup_problems('<b>bold</b> &amp; <a href="https://x.org/a">x</a>') == []
    for bad in (
        "<b>x",
        "x</b>",
        "<div>x</div>",
        "3 < 4",
        "a & b",
        "&nbsp;",
        '<a href="javascript:x">y</a>',
        "<b><i>x</b></i>",
        "",
    ):
        assert markup_problems(bad), bad


def test_render_reply_is_valid_for_abstentions(kb: KnowledgeBase):
    class Context:
        class bot:  # noqa: N801
            username = "qabot_test_bot"

        bot_data: dict[str, Any] = {}

    from handlers.state import attach

    attach(Context.bot_data, kb)
    for question in ("<b>&", "What is the capital of France?", PUTIN):
        text, _ = render_reply(kb.ask(question), Context)  # type: ignore[arg-type]
        assert markup_problems(text) == []
