"""The Telegram bot, offline: the production application over a fake Bot API."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import (
    BOT_USER,
    CHANNEL_CHAT,
    GROUP_CHAT,
    OTHER_USER,
    PRIVATE_CHAT,
    TOKEN,
    callback_update,
    edited_update,
    inline_update,
    message_payload,
    message_update,
    sticker_update,
)
from telegram.constants import MessageLimit
from telegram.error import Forbidden, NetworkError
from telegram_fakes import (
    FakeRequest,
    Harness,
    ScriptedKnowledgeBase,
    harness,
)

from bot.app import SORRY
from bot.examples import examples
from handlers.render import NO_ANSWER, UNSURE_NOTE, split_message
from knowledge import KnowledgeBase, build_knowledge_base, thresholds
from knowledge.commands import COMMANDS

BOT = f"@{BOT_USER['username']}"
PUTIN = "When did Putin visit Algiers?"
SOURCE_LINE = (
    '📖 <a href="https://en.wikipedia.org/wiki/Algeria%E2%80%93Russia_relations#High_level_visits">'
    "Algeria–Russia relations › High level visits</a>"
)
CALLBACK = re.compile(r"^(f:\d+|vp:\d+:[ -~]*|sp:\d+)$")


@pytest.fixture
async def bot(seed_db: Path) -> AsyncIterator[Harness]:
    """The bot over its own connection to the seed knowledge base; tests read expected
    values from conftest's shared `kb`. Fails the test if a handler raised."""
    async with harness(KnowledgeBase.open(seed_db)) as running_bot:
        yield running_bot
    assert running_bot.errors == [], "a handler raised"


def group_message(text: str, **kwargs: Any) -> dict[str, Any]:
    return message_update(text, chat=GROUP_CHAT, **kwargs)


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    markup = params.get("reply_markup") or {"inline_keyboard": []}
    return [button for row in markup["inline_keyboard"] for button in row]


def fact_id(kb: KnowledgeBase, text: str) -> int:
    """The id of the seed fact that contains `text`."""
    matches = [f for f in kb.search(text, limit=20) if text in f.text]
    assert matches, text
    return matches[0].id


# -- wiring -----------------------------------------------------------------------------


async def test_start_up_sets_command_menus_per_scope_and_uses_the_base_url(bot: Harness):
    menus = {
        c.params["scope"]["type"]: c.params["commands"] for c in bot.api.calls_to("setMyCommands")
    }
    assert set(menus) == {"all_private_chats", "all_group_chats"}
    assert [c["command"] for c in menus["all_private_chats"]] == [n for n, _ in COMMANDS]
    group = [c["command"] for c in menus["all_group_chats"]]
    assert "ask" in group and "start" not in group
    request = bot.app.bot.request
    assert isinstance(request, FakeRequest)
    assert request.urls[0] == f"https://api.telegram.invalid/bot{TOKEN}/getMe"


async def test_messages_are_html_without_link_previews(bot: Harness):
    params = await bot.reply_to(message_update("/help"))
    assert params["parse_mode"] == "HTML"
    assert params["link_preview_options"] == {"is_disabled": True}


# -- commands ---------------------------------------------------------------------------


async def test_start_welcomes_with_examples(bot: Harness, kb: KnowledgeBase):
    text = (await bot.reply_to(message_update("/start")))["text"]
    assert text.startswith("<b>Hello!</b>")
    assert f"• {kb.examples()[0]}" in text
    assert "/help" in text


async def test_start_deep_link_shows_that_fact(bot: Harness, kb: KnowledgeBase):
    number = fact_id(kb, "Valerian Shuvaev")
    text = (await bot.reply_to(message_update(f"/start f{number}")))["text"]
    assert text.startswith("Russian Ambassador to Algeria: Valerian Shuvaev\n\n📖 ")
    assert f'href="https://t.me/qabot_test_bot?start=f{number}"' in text


async def test_start_with_a_fact_that_is_gone_says_so(bot: Harness):
    text = (await bot.reply_to(message_update("/start f999999")))["text"]
    assert text.startswith("That fact is no longer in the knowledge base.\n\n<b>Hello!</b>")


async def test_help_lists_every_command(bot: Harness):
    text = (await bot.reply_to(message_update("/help")))["text"]
    for name, description in COMMANDS:
        assert f"/{name}" in text
        assert description.split(":")[0] in text
    assert f"{BOT} and a question" in text


async def test_ask_answers_with_the_quote_and_a_linked_source_line(bot: Harness, kb):
    text = (await bot.reply_to(message_update(f"/ask {PUTIN}")))["text"]
    body, source = text.split("\n\n")
    assert "Date of visit: 10 March 2006" in body
    number = fact_id(kb, "10 March 2006")
    assert (
        source == f'{SOURCE_LINE} · <a href="https://t.me/qabot_test_bot?start=f{number}">'
        "🔗 share</a>"
    )


async def test_ask_without_a_question_shows_how(bot: Harness):
    text = (await bot.reply_to(message_update("/ask")))["text"]
    assert text.startswith("Ask me a question about the articles.\nFor example:\n• ")


async def test_private_text_is_a_question(bot: Harness):
    text = (await bot.reply_to(message_update("Who is the Russian ambassador to Algeria?")))["text"]
    assert text.startswith("Russian Ambassador to Algeria: Valerian Shuvaev")
    assert "📖 " in text.splitlines()[-1]


async def test_a_russian_question_gets_the_english_fact_framed_in_russian(bot: Harness):
    text = (await bot.reply_to(message_update("Кто посол России в Алжире?")))["text"]
    assert text.startswith(
        "<i>Из статьи (на английском):</i>\n\nRussian Ambassador to Algeria: Valerian Shuvaev"
    )


async def test_a_french_greeting_gets_a_french_reply_without_an_article_frame(bot: Harness):
    text = (await bot.reply_to(message_update("Bonjour !")))["text"]
    assert text.startswith("Bonjour ! Posez-moi une question sur mes articles")
    assert "anglais" not in text and "📖" not in text


async def test_a_french_question_nothing_matches_is_said_in_french(bot: Harness):
    text = (await bot.reply_to(message_update("Quelle est la capitale du Canada ?")))["text"]
    assert text.startswith("Je ne sais pas : mes articles ne le disent pas.")
    assert "Vous pouvez demander, par exemple :" in text
    assert text.endswith("Ou essayez /visits, /search MOTS ou /sources.")


async def test_a_spanish_question_is_answered_in_spanish_not_french(bot: Harness):
    text = (await bot.reply_to(message_update("¿Cuál es la capital de Canadá?")))["text"]
    assert text.startswith("No lo sé: mis artículos no lo dicen.")
    assert "Puedes preguntar, por ejemplo:" in text
    assert text.endswith("O prueba /visits, /search PALABRAS o /sources.")
    text = (await bot.reply_to(message_update("¿Cuándo visitó Putin Argelia?")))["text"]
    assert text.startswith("<i>Del artículo (en inglés):</i>\n\nGuest: President Vladimir Putin")
    assert "🔗 compartir</a>" in text


async def test_a_ukrainian_question_is_answered_in_english_not_russian(bot: Harness):
    text = (await bot.reply_to(message_update("Коли Путін відвідав Алжир?")))["text"]
    assert text.startswith("Guest: President Vladimir Putin")
    assert "статьи" not in text and "поделиться" not in text  # no Russian framing


async def test_spanish_and_german_greetings_get_replies_in_their_language(bot: Harness):
    text = (await bot.reply_to(message_update("¡Hola!")))["text"]
    assert text.startswith("¡Hola! Pregúntame sobre los artículos que tengo")
    text = (await bot.reply_to(message_update("Danke schön!")))["text"]
    assert text.startswith("Gern geschehen! Frag mich noch etwas")
    assert "Englisch" not in text and "📖" not in text


async def test_a_german_question_gets_the_fact_framed_in_german(bot: Harness):
    text = (await bot.reply_to(message_update("Wann hat Putin Algerien besucht?")))["text"]
    assert text.startswith("<i>Aus dem Artikel (auf Englisch):</i>\n\nGuest: President Vladimir")
    assert "🔗 teilen</a>" in text


async def test_nothing_matches_says_so_and_suggests_questions(bot: Harness, kb: KnowledgeBase):
    params = await bot.reply_to(message_update("What is the capital of France?"))
    assert params["text"].startswith(NO_ANSWER)
    assert f"• {kb.examples()[0]}" in params["text"]
    assert "reply_markup" not in params


async def test_visits_lists_in_pages_and_buttons_turn_them(bot: Harness):
    sent = await bot.reply_call(message_update("/visits"))
    params = sent.params
    assert params["text"].startswith("<b>High-level visits</b> (8)")
    assert "13-18 December 1965" in params["text"] and "Page 1 of 2" in params["text"]
    assert "6 October 2010" not in params["text"]
    assert params["text"].endswith(SOURCE_LINE)
    [next_page] = buttons(params)
    assert next_page["text"] == "Next ›" and next_page["callback_data"] == "vp:1:"
    calls = await bot.send(callback_update(next_page["callback_data"], sent.result))
    assert [c.method for c in calls] == ["editMessageText", "answerCallbackQuery"]
    page = calls[0].params
    assert "6 October 2010" in page["text"] and "Page 2 of 2" in page["text"]
    assert [b["text"] for b in buttons(page)] == ["‹ Previous"]


@pytest.mark.parametrize(
    ("words", "shown", "hidden"),
    [
        ("2006", ["10 March 2006"], ["3-6 April 2001"]),
        ("2000-2010", ["3-6 April 2001", "6 October 2010"], ["13 June 2023", "June–July 1967"]),
        ("1960s", ["13-18 December 1965", "26 March-1 April 1969"], ["3-6 April 2001"]),
        ("Medvedv", ["6 October 2010"], ["10 March 2006"]),  # a typo, matched fuzzily
        ("algiers", ["26 March-1 April 1969", "10 March 2006"], ["13 June 2023"]),
    ],
)
async def test_visits_filters(bot: Harness, words: str, shown: list[str], hidden: list[str]):
    text = (await bot.reply_to(message_update(f"/visits {words}")))["text"]
    for date in shown:
        assert date in text
    for date in hidden:
        assert date not in text


async def test_visits_without_a_match_suggests_filters(bot: Harness):
    text = (await bot.reply_to(message_update("/visits 1990")))["text"]
    assert text.startswith("No visits in 1990. Filter by a year (/visits 2006)")
    assert text.endswith("or a name (/visits Tebboune).")  # a name from the visits loaded


async def test_an_old_page_button_is_answered_with_a_notice(bot: Harness):
    message = message_payload("old list", sender=BOT_USER)
    calls = await bot.send(callback_update("v:999:1", message))
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == "This button no longer works: send the command again."


async def test_sources_lists_articles_and_sections(bot: Harness, kb: KnowledgeBase):
    text = (await bot.reply_to(message_update("/sources")))["text"]
    [article] = kb.articles()
    assert '📄 <a href="https://en.wikipedia.org/wiki/Algeria%E2%80%93Russia_relations">' in text
    assert f"{article.facts} facts, 8 visits" in text
    assert "  • Background › Cold War Era › Early years" in text


async def test_search_shows_best_facts(bot: Harness):
    text = (await bot.reply_to(message_update("/search arms deal")))["text"]
    assert text.startswith("<b>Facts matching “arms deal”</b>\n\n1. ")
    assert "7.5 billion dollar arms deal" in text
    assert text.count("📖 ") == len(re.findall(r"^\d+\. ", text, re.MULTILINE))


@pytest.mark.parametrize(
    ("command", "start"),
    [("/search", "Send /search and some words"), ("/search qwxzv", "No facts match “qwxzv”")],
)
async def test_search_without_words_or_matches(bot: Harness, command: str, start: str):
    assert (await bot.reply_to(message_update(command)))["text"].startswith(start)


async def test_unknown_command_points_to_help(bot: Harness):
    text = (await bot.reply_to(message_update("/frobnicate")))["text"]
    assert text == "I don't know /frobnicate. /help lists what I can do."


# -- unsure answers and buttons -----------------------------------------------------------


async def test_unsure_answer_offers_did_you_mean_buttons(kb: KnowledgeBase, seed_db: Path):
    unsure = (thresholds.ABSTAIN + thresholds.UNSURE) / 2
    scripted = ScriptedKnowledgeBase(KnowledgeBase.open(seed_db), {"arms": {"confidence": unsure}})
    expected = kb.ask("arms").alternatives
    assert expected, "the seed should offer alternatives for 'arms'"
    async with harness(scripted) as bot:
        sent = await bot.reply_call(message_update("arms"))
        params = sent.params
        # the note sits last, just above its buttons, after the source line
        assert params["text"].endswith(f"\n\n{UNSURE_NOTE}")
        assert "📖 " in params["text"].splitlines()[-3]
        pressed = [b for b in buttons(params) if not b["callback_data"].startswith("fb:")]
        assert [b["callback_data"] for b in pressed] == [f"f:{a.fact_id}" for a in expected]
        assert all(len(b["callback_data"].encode()) <= 64 for b in pressed)
        calls = await bot.send(callback_update(pressed[0]["callback_data"], sent.result))
        assert [c.method for c in calls] == ["editMessageText", "answerCallbackQuery"]
        assert calls[0].params["text"].startswith(html.escape(expected[0].text, quote=False))
        assert "reply_markup" not in calls[0].params
    assert bot.errors == []


async def test_button_for_a_missing_fact_is_still_answered(bot: Harness):
    message = message_payload("x", sender=BOT_USER)
    calls = await bot.send(callback_update("f:999999", message))
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == "That fact is no longer in the knowledge base."


# -- groups and channels -------------------------------------------------------------------


async def test_group_stays_silent_without_a_mention(bot: Harness):
    assert await bot.send(group_message(PUTIN)) == []
    assert await bot.send(group_message(f"/ask@other_bot {PUTIN}")) == []
    assert await bot.send(sticker_update(chat=GROUP_CHAT)) == []


async def test_group_answers_ask_for_this_bot_quoting_the_question(bot: Harness):
    update = group_message(f"/ask{BOT} {PUTIN}")
    params = await bot.reply_to(update)
    assert params["chat_id"] == GROUP_CHAT["id"]
    assert params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert "10 March 2006" in params["text"]


async def test_group_answers_a_mention_and_a_reply_to_the_bot(bot: Harness):
    mention = await bot.reply_to(group_message(f"{BOT} who is the russian ambassador to algeria?"))
    assert "Valerian Shuvaev" in mention["text"]
    bots_message = message_payload("an earlier answer", chat=GROUP_CHAT, sender=BOT_USER)
    update = group_message(PUTIN, sender=OTHER_USER, reply_to=bots_message)
    assert "10 March 2006" in (await bot.reply_to(update))["text"]


async def test_group_ignores_messages_from_other_bots(bot: Harness):
    other_bot = {"id": 555, "is_bot": True, "first_name": "Echo", "username": "echo_bot"}
    assert await bot.send(group_message(f"/ask{BOT} {PUTIN}", sender=other_bot)) == []


async def test_group_silent_on_a_weak_match_but_ask_always_answers(seed_db: Path):
    weak = (thresholds.ABSTAIN + thresholds.GROUP_SILENCE) / 2
    scripted = ScriptedKnowledgeBase(
        KnowledgeBase.open(seed_db), {PUTIN: {"confidence": weak, "alternatives": ()}}
    )
    async with harness(scripted) as bot:
        assert await bot.send(group_message(f"{BOT} {PUTIN}")) == []
        assert "10 March 2006" in (await bot.reply_to(group_message(f"/ask {PUTIN}")))["text"]
        # in a private chat the same weak match is answered
        assert "10 March 2006" in (await bot.reply_to(message_update(PUTIN)))["text"]
    assert bot.errors == []


async def test_group_mention_alone_gets_a_hint(bot: Harness):
    text = (await bot.reply_to(group_message(BOT)))["text"]
    assert text.startswith("Ask me a question about the articles")


async def test_channel_answers_commands_and_mentions_only(bot: Harness):
    channel = {"chat": CHANNEL_CHAT, "sender": None}
    command = await bot.reply_to(message_update(f"/ask{BOT} {PUTIN}", **channel))
    assert command["chat_id"] == CHANNEL_CHAT["id"] and "10 March 2006" in command["text"]
    mention = await bot.reply_to(message_update(f"{BOT} {PUTIN}", **channel))
    assert "10 March 2006" in mention["text"]
    assert (await bot.reply_to(message_update("/help", **channel)))["text"].startswith("<b>I ")
    assert await bot.send(message_update(PUTIN, **channel)) == []
    assert await bot.send(message_update(f"/ask@other_bot {PUTIN}", **channel)) == []


# -- edits, stickers, long answers, escaping ---------------------------------------------------


async def test_edited_question_edits_the_earlier_answer(bot: Harness):
    update = message_update(PUTIN)
    answer_id = (await bot.reply_call(update)).result["message_id"]
    calls = await bot.send(edited_update(update["message"], "Who is the Russian ambassador?"))
    assert [c.method for c in calls] == ["editMessageText"]
    assert calls[0].params["message_id"] == answer_id
    assert "Valerian Shuvaev" in bot.api.message(PRIVATE_CHAT["id"], answer_id)["text"]
    # the same text again: Telegram says "not modified", which is no error
    again = await bot.send(edited_update(update["message"], "Who is the Russian ambassador?"))
    assert [(c.method, c.status) for c in again] == [("editMessageText", 400)]


async def test_edited_command_in_a_group_edits_too(bot: Harness):
    update = group_message(f"/ask{BOT} {PUTIN}")
    await bot.reply_to(update)
    calls = await bot.send(edited_update(update["message"], f"/ask{BOT} Who visited in 1969?"))
    assert [c.method for c in calls] == ["editMessageText"]
    assert "26 March-1 April 1969" in calls[0].params["text"]


async def test_sticker_in_private_gets_a_hint(bot: Harness, kb: KnowledgeBase):
    text = (await bot.reply_to(sticker_update()))["text"]
    assert text.startswith("I can only read text.")
    assert kb.examples()[0] in text


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An article with HTML-special characters and one 5000-character sentence."""
    folder = tmp_path_factory.mktemp("tiny")
    harbours = ", ".join(f"the harbour number {i} of Quux" for i in range(160))
    (folder / "tiny.txt").write_text(
        '= Tiny <Test> & "Quotes" =\n\n'
        'The Zorblax treaty of 1999 says that 3 < 4 & "peace" is <b>kept</b> forever.\n\n'
        "== Long <section> ==\n\n"
        f"The Quux chronicle lists {harbours}.\n",
        encoding="utf-8",
    )
    build_knowledge_base([folder / "tiny.txt"], folder / "tiny.db")
    return folder / "tiny.db"


@pytest.fixture
async def tiny(tiny_db: Path) -> AsyncIterator[Harness]:
    async with harness(KnowledgeBase.open(tiny_db)) as running_bot:
        yield running_bot
    assert running_bot.errors == []


async def test_facts_and_sources_are_html_escaped(tiny: Harness):
    text = (await tiny.reply_to(message_update("What does the Zorblax treaty say?")))["text"]
    assert text.startswith(
        'The Zorblax treaty of 1999 says that 3 &lt; 4 &amp; "peace" is '
        '&lt;b&gt;kept&lt;/b&gt; forever.\n\n📖 <a href="https://en.wikipedia.org/wiki/'
        'Tiny_%3CTest%3E_%26_%22Quotes%22">Tiny &lt;Test&gt; &amp; "Quotes"'
        "</a>"
    )
    sources = (await tiny.reply_to(message_update("/sources")))["text"]
    assert "• Long &lt;section&gt;" in sources and "<section>" not in sources


async def test_a_5000_character_answer_is_split_on_line_boundaries(tiny: Harness):
    calls = await tiny.send(message_update("What does the Quux chronicle list?"))
    texts = [c.params["text"] for c in calls if c.method == "sendMessage"]
    assert len(texts) == 2
    assert all(len(t) <= MessageLimit.MAX_TEXT_LENGTH for t in texts)
    assert texts[0].startswith("The Quux chronicle lists the harbour number 0 of Quux")
    assert texts[1].endswith("</a>") and "📖 " in texts[1]
    assert "harbour number 159 of Quux." in texts[1]
    assert " ".join(texts).count("the harbour number") == 160


def test_split_keeps_lines_whole_and_entities_intact():
    lines = [f"line {i} &amp; more" for i in range(600)]
    chunks = split_message("\n".join(lines), limit=1000)
    assert all(len(c) <= 1000 for c in chunks)
    assert "\n".join(chunks).split("\n") == lines
    [long] = [split_message("&amp;" * 300, limit=1000)]
    assert all(c.endswith(";") and len(c) <= 1000 for c in long)
    assert "".join(long) == "&amp;" * 300


# -- inline mode ----------------------------------------------------------------------------


async def test_inline_query_gives_answers_with_citations(bot: Harness):
    calls = await bot.send(inline_update("putin algiers"))
    assert [c.method for c in calls] == ["answerInlineQuery"]
    results = calls[0].params["results"]
    assert 1 <= len(results) <= 10
    assert len({r["id"] for r in results}) == len(results)
    first = results[0]["input_message_content"]
    assert "10 March 2006" in first["message_text"] and first["parse_mode"] == "HTML"
    for result in results:
        assert "\n\n📖 <a href=" in result["input_message_content"]["message_text"]
        assert result["title"]


async def test_empty_inline_query_shows_examples(bot: Harness, kb: KnowledgeBase):
    params = (await bot.send(inline_update("")))[0].params
    questions = examples(kb, "en", questions_only=True)
    assert questions and [r["title"] for r in params["results"]] == questions[:10]
    assert params["button"]["start_parameter"] == "inline"


async def test_inline_query_without_an_answer_offers_the_bot(bot: Harness):
    params = (await bot.send(inline_update("capital of France")))[0].params
    assert params["results"] == []
    assert params["button"]["start_parameter"] == "inline"


# -- errors ------------------------------------------------------------------------------


async def test_telegram_errors_are_logged_not_raised(
    seed_db: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("bot.app.SEND_RETRY_DELAYS", (0.0, 0.0, 0.0))
    async with harness(KnowledgeBase.open(seed_db), admins=frozenset({42})) as bot:
        bot.api.fail("sendMessage", 500, times=4)  # more than the bounded retries
        with caplog.at_level(logging.ERROR, logger="bot.app"):
            calls = await bot.send(message_update(PUTIN))
        # the answer failed; the user gets an apology, the admin a notice
        assert [(c.method, c.status) for c in calls] == [
            *[("sendMessage", 500)] * 4,
            ("sendMessage", 200),
            ("sendMessage", 200),
        ]
        assert calls[4].params["text"] == SORRY
        assert calls[5].params["chat_id"] == 42 and "NetworkError" in calls[5].params["text"]
        assert len(bot.errors) == 1 and isinstance(bot.errors[0], NetworkError)
        [record] = [r for r in caplog.records if r.name == "bot.app"]
        assert record.exc_info is not None and record.exc_info[1] is bot.errors[0]

        bot.errors.clear()
        bot.api.fail("sendMessage", 403)  # blocked by the user: logged, no apology
        calls = await bot.send(message_update(PUTIN))
        assert [(c.method, c.status) for c in calls] == [("sendMessage", 403)]
        assert len(bot.errors) == 1 and isinstance(bot.errors[0], Forbidden)


async def test_no_such_visit_is_said_as_such(bot: Harness):
    text = (await bot.reply_to(message_update("When did Brezhnev visit Algeria?")))["text"]
    assert text.startswith("I know of no such visit")
    assert "• " in text  # and what can be asked instead


async def test_an_inline_greeting_shares_nothing(bot: Harness):
    params = (await bot.send(inline_update("hello")))[0].params
    assert params["results"] == []


async def test_telling_the_reply_language_never_blocks_the_event_loop(monkeypatch):
    import asyncio
    import threading

    from handlers.language import language_of
    from knowledge import language

    loop_ran = threading.Event()

    class SureGerman:
        def classify(self, _text):
            return [("de", 0.99)]

    def slow_load():
        # the loader waits for the event loop to run something else meanwhile
        assert loop_ran.wait(5), "the event loop was blocked while the language model loaded"
        return SureGerman()

    monkeypatch.setattr(language, "_loaded", [])
    monkeypatch.setattr(language, "_load_identifier", slow_load)
    telling = asyncio.create_task(language_of(None, "Wann war Putin in Algerien?"))
    await asyncio.sleep(0.01)
    loop_ran.set()
    assert await telling == "de"
