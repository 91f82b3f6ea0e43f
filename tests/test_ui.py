"""Issue 11, through the fake request layer: the interface in four languages, lists that
fit one message per page, filters that say what they did, stateless buttons, conversations
and the smaller rough edges."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fake_bot_api import (
    BOT_USER,
    GROUP_CHAT,
    PRIVATE_CHAT,
    USER,
    _utf16_length,
    callback_update,
    edited_update,
    inline_update,
    message_payload,
    message_update,
)
from reliability.reliability_harness import markup_problems
from telegram_fakes import Harness, ScriptedKnowledgeBase, harness

import handlers.conversation
from bot.i18n import LOCALE_DIR
from knowledge import KnowledgeBase, build_knowledge_base, thresholds
from knowledge.models import Alternative, ArticleInfo

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "knowledge" / "data" / "algeria-russia-relations.txt"
BOT = f"@{BOT_USER['username']}"
PUTIN = "When did Putin visit Algiers?"
LIMIT = 4096
USERS = {
    lang: {**USER, "id": 2000 + n, "language_code": lang}
    for n, lang in enumerate(("en", "ru", "fr", "ar", "de", "es", "it"))
}


def from_user(text: str | None, lang: str, **kwargs: Any) -> dict[str, Any]:
    """A private message from a user whose Telegram language is `lang`."""
    user = USERS[lang]
    chat = {**PRIVATE_CHAT, "id": user["id"]}
    return message_update(text, chat=chat, sender=user, **kwargs)


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    markup = params.get("reply_markup") or {"inline_keyboard": []}
    return [button for row in markup["inline_keyboard"] for button in row]


@pytest.fixture
async def bot(seed_db: Path) -> AsyncIterator[Harness]:
    async with harness(KnowledgeBase.open(seed_db), flood_limit=1000) as running:
        yield running
    assert running.errors == []


# -- 1. the whole interface in the user's language -----------------------------------------


def english_fragments() -> list[str]:
    """Runs of three or more English words from every message the bot says itself."""
    with open(LOCALE_DIR / "qabot.pot", "rb") as fh:
        catalog = read_po(fh)
    found = set()
    for message in catalog:
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            for part in re.split(r"\{[a-z_]*\}|<[^>]*>|/\w+|@\w+|[:;,.?!()“”]", msgid or ""):
                words = part.split()
                if len(words) >= 3:
                    found.add(" ".join(words))
    return sorted(found)


def english_left(text: str) -> list[str]:
    return [fragment for fragment in english_fragments() if fragment in text]


@pytest.mark.parametrize("lang", ["ru", "fr", "ar", "es", "de"])
async def test_every_reply_is_in_the_users_language(bot: Harness, lang: str):
    """/start, /help, /ask with nothing, /visits (and a page turn), a filter that matches
    nothing and one that cannot be a year, /sources, /search, an unknown command, a sticker,
    a bad button, a bad link: no English sentence of the bot's own."""
    texts = []
    for command in (
        "/start",
        "/help",
        "/ask",
        "/visits 3000",
        "/visits 0",
        "/visits b",
        "/sources",
        "/search",
        "/search qwxzv",
        "/frobnicate",
        "/start zzz",
        "/start f999999",
    ):
        texts += await bot.texts(from_user(command, lang))
    sent = await bot.reply_call(from_user("/visits", lang))
    texts.append(sent.params["text"])
    page = await bot.send(
        callback_update(buttons(sent.params)[0]["callback_data"], sent.result, sender=USERS[lang])
    )
    texts.append(page[0].params["text"])
    labels = [b["text"] for b in buttons(page[0].params)]
    stale = await bot.send(callback_update("v:10:1", sent.result, sender=USERS[lang]))
    labels.append(stale[0].params["text"])
    texts += await bot.texts(
        from_user(
            None,
            lang,
            sticker={
                "file_id": "x",
                "file_unique_id": "y",
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            },
        )
    )
    assert len(texts) >= 15 and len(labels) == 2
    for text in texts + labels:
        assert english_left(text) == [], text
    for text in texts:  # valid Telegram HTML, within one message
        assert markup_problems(text) == [], text


async def test_bonjour_from_a_french_user_gets_a_french_reply(bot: Harness):
    """A greeting alone gets the greeting reply (issue 9), in French, not English."""
    text = (await bot.reply_to(from_user("Bonjour", "fr")))["text"]
    assert text.startswith("Bonjour ! Posez-moi une question")


async def test_an_english_question_gets_english_whatever_the_users_language(bot: Harness):
    text = (await bot.reply_to(from_user(PUTIN, "ru")))["text"]
    assert text.startswith("Guest: President Vladimir Putin")  # no Russian framing line


async def test_a_russian_question_from_an_english_user_is_answered_in_russian(bot: Harness):
    text = (await bot.reply_to(from_user("Кто посол России в Алжире?", "en")))["text"]
    assert text.startswith("<i>Из статьи (на английском):</i>")
    assert "🔗 поделиться" in text


async def test_other_languages_fall_back_to_english(bot: Harness):
    text = (await bot.reply_to(from_user("/start", "it")))["text"]
    assert text.startswith("<b>Hello!</b>")


async def test_a_german_user_is_welcomed_in_german(bot: Harness):
    text = (await bot.reply_to(from_user("/start", "de")))["text"]
    assert text.startswith("<b>Hallo!</b> Ich beantworte Fragen zu Lexikonartikeln")
    assert text.endswith("/help zeigt alles, was ich kann.")


async def test_menus_and_descriptions_per_language_name_the_articles(multi_db: Path):
    async with harness(KnowledgeBase.open(multi_db)) as running:
        calls = running.api.calls
    menus = {
        (c.params.get("language_code"), c.params["scope"]["type"]): c.params["commands"]
        for c in calls
        if c.method == "setMyCommands"
    }
    assert set(menus) == {
        (code, scope)
        for code in (None, "ru", "fr", "ar", "es", "de")
        for scope in ("all_private_chats", "all_group_chats")
    }
    ru = {c["command"]: c["description"] for c in menus[("ru", "all_private_chats")]}
    assert ru["sources"] == "Статьи, которые я знаю, с разделами"
    for menu in menus.values():  # nothing tied to one article any more
        assert not any(w in c["description"] for c in menu for w in ("Putin", "loan"))
    descriptions = {
        c.params.get("language_code"): c.params for c in calls if c.method == "setMyDescription"
    }
    short = {
        c.params.get("language_code"): c.params["short_description"]
        for c in calls
        if c.method == "setMyShortDescription"
    }
    assert set(descriptions) == set(short) == {None, "ru", "fr", "ar", "es", "de"}
    assert "Algeria–Russia relations" in descriptions[None]["description"]
    assert "and 2 more" in descriptions[None]["description"]  # five articles loaded
    assert descriptions["fr"]["description"].startswith("Je réponds aux questions sur : ")
    assert all(len(text) <= 120 for text in short.values())


async def test_examples_come_from_every_article_loaded(multi_db: Path):
    async with harness(KnowledgeBase.open(multi_db)) as running:
        text = (await running.reply_to(message_update("/start")))["text"]
        inline = (await running.send(inline_update("")))[0].params["results"]
        nothing = await running.reply_to(message_update("What is the capital of Peru?"))
    examples = re.findall(r"^• (.*)$", text, re.MULTILINE)
    assert len(examples) == 3
    assert not all("Algeria" in e or "Russia" in e for e in examples)
    titles = {r["title"] for r in inline}
    assert any("Apollo 11" in t or "Japan" in t or "Thames" in t for t in titles)
    assert len(re.findall(r"^• ", nothing["text"], re.MULTILINE)) == 3


async def test_stats_counts_with_plural_forms(seed_db: Path):
    admin = {**USERS["ru"]}
    async with harness(KnowledgeBase.open(seed_db), admins=frozenset({admin["id"]})) as running:
        text = (await running.reply_to(from_user("/stats", "ru")))["text"]
        english = await running.texts(
            message_update("/stats", sender={**USER, "id": 77}, chat={**PRIVATE_CHAT, "id": 77})
        )
    assert "Загружено: 1 статья\n" in text and "Загружено: 8 визитов" in text
    assert english == ["I don't know /stats. /help lists what I can do."]


# -- 2. lists that scale -------------------------------------------------------------------

NAMES = [
    "Arlen",
    "Brisco",
    "Calder",
    "Dorian",
    "Ember",
    "Fenwick",
    "Galen",
    "Hollis",
    "Ivor",
    "Jasper",
    "Kellan",
    "Lorcan",
]


def write_articles(folder: Path, count: int = 60) -> list[Path]:
    """Articles with visits tables: 44 with 4 visits and 16 with 3 (232 with the seed)."""
    paths = []
    for i in range(count):
        name = f"{NAMES[i % 12]}{NAMES[(i // 12) % 12].lower()}"
        rows = [
            f"| President {name} {NAMES[(i + r) % 12]} | Chancellor {NAMES[(i + 2 * r) % 12]} "
            f"| {name}ville | {1 + r} May {1950 + (i * 7 + r * 3) % 70} | A long note about "
            f"the talks on trade, energy and culture between the two delegations, {r}. |"
            for r in range(4 if i < 44 else 3)
        ]
        text = (
            f"= {name}–Vantoria relations =\n\n{name} and Vantoria have relations.\n\n"
            "== High level visits ==\n| Guest | Host | Place of visit | Date of visit | Notes |\n"
            + "\n".join(rows)
            + "\n"
        )
        path = folder / f"article-{i:02d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    path = folder / "big.db"
    build_knowledge_base([SEED, *write_articles(folder)], path)
    return path


@pytest.fixture
async def big(big_db: Path) -> AsyncIterator[Harness]:
    async with harness(KnowledgeBase.open(big_db)) as running:
        yield running
    assert running.errors == []


async def test_a_visits_page_is_one_message_with_its_own_sources_and_buttons(big: Harness):
    kb = big.app.bot_data["qabot"].kb
    assert len(kb.visits()) == 232
    sent = await big.reply_call(message_update("/visits"))  # exactly one message
    text = sent.params["text"]
    assert _utf16_length(text) <= LIMIT
    assert text.startswith("<b>High-level visits</b> (232)") and "Page 1 of 47" in text
    shown = kb.visits()[:5]
    articles = {v.article for v in shown}
    linked = re.findall(r"📖 (.*)$", text, re.MULTILINE)[0]
    assert len(re.findall(r"<a href=", linked)) == len(articles) <= 5
    assert [b["text"] for b in buttons(sent.params)] == ["Next ›"]
    calls = await big.send(callback_update(buttons(sent.params)[0]["callback_data"], sent.result))
    assert [c.method for c in calls] == ["editMessageText", "answerCallbackQuery"]
    assert calls[0].params["message_id"] == sent.result["message_id"]  # › edits that message
    assert "Page 2 of 47" in calls[0].params["text"]
    assert [b["text"] for b in buttons(calls[0].params)] == ["‹ Previous", "Next ›"]


async def test_every_visits_page_fits_and_a_decade_is_one_message(big: Harness):
    sent = await big.reply_call(message_update("/visits 1990s"))
    assert _utf16_length(sent.params["text"]) <= LIMIT
    data = buttons(sent.params)[-1]["callback_data"]
    assert data == "vp:1:1990-1999"
    pages = int(re.search(r"Page 1 of (\d+)", sent.params["text"]).group(1))
    for page in range(pages):
        calls = await big.send(callback_update(f"vp:{page}:1990-1999", sent.result))
        if page:  # page 0 is the message as it is: "not modified"
            assert calls[0].status == 200 and _utf16_length(calls[0].params["text"]) <= LIMIT


class ManySections(ScriptedKnowledgeBase):
    """One article with 32,000 sections (nothing else needs to be that big)."""

    def articles(self) -> list[ArticleInfo]:
        sections = tuple(
            f"Section number {n} about a long and winding topic" for n in range(32_000)
        )
        return [ArticleInfo("Huge", "https://example.org/Huge", sections, 32_000, 0)]


async def test_sources_pages_one_message_per_command(seed_db: Path):
    async with harness(ManySections(KnowledgeBase.open(seed_db), {})) as running:
        sent = await running.reply_call(message_update("/sources"))  # one message, not 84
        assert _utf16_length(sent.params["text"]) <= LIMIT
        pages = int(re.search(r"Page 1 of (\d+)", sent.params["text"]).group(1))
        assert pages == -(-32_001 // 40)
        [next_page] = buttons(sent.params)
        assert next_page["callback_data"] == "sp:1"
        calls = await running.send(callback_update(f"sp:{pages - 1}", sent.result))
        assert calls[0].method == "editMessageText"
        assert f"Page {pages} of {pages}" in calls[0].params["text"]
        assert "Section number 31999 " in calls[0].params["text"]
        assert [b["text"] for b in buttons(calls[0].params)] == ["‹ Previous"]
    assert running.errors == []


# -- 3. filters say what they did --------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "reply"),
    [
        ("3000", "No visits in 3000."),
        ("0", "“0” cannot be a year."),
        ("-5", "“-5” cannot be a year."),
        ("99999999999999999999", "“99999999999999999999” cannot be a year."),
        ("<b>", "“b” is too short to search for."),
        ("zorro", "No visits match “zorro”."),
        ("putin 1960s", "No visits match “putin” in 1960–1969."),
    ],
)
async def test_filters_say_what_they_did(bot: Harness, words: str, reply: str):
    text = (await bot.reply_to(message_update(f"/visits {words}")))["text"]
    assert text.startswith(reply.replace("<", "&lt;"))
    assert "Filter by a year (/visits 2006)" in text


async def test_a_backward_range_is_the_same_range(bot: Harness):
    backward = (await bot.reply_to(message_update("/visits 2010-2000")))["text"]
    forward = (await bot.reply_to(message_update("/visits 2000-2010")))["text"]
    assert backward == forward and backward.startswith("<b>High-level visits: 2000–2010</b> (4)")


async def test_a_name_in_cyrillic_finds_the_visit(bot: Harness):
    text = (await bot.reply_to(message_update("/visits путин")))["text"]
    assert text.startswith("<b>Визиты на высшем уровне: путин</b> (4)")  # as for /visits putin
    assert text.count("Vladimir Putin") == 4 and "10 March 2006" in text


def test_the_command_line_uses_the_same_parser(seed_db: Path, capsys: pytest.CaptureFixture):
    from bot.cli import main

    assert main(["visits", "--db", str(seed_db), "--from", "2010", "--to", "2000"]) == 0
    backward = capsys.readouterr().out
    assert main(["visits", "--db", str(seed_db), "--from", "2000", "--to", "2010"]) == 0
    assert backward == capsys.readouterr().out and "10 March 2006" in backward
    assert main(["visits", "--db", str(seed_db), "--year", "3000"]) == 0
    assert capsys.readouterr().out == "No visits in 3000.\n"
    assert main(["visits", "--db", str(seed_db), "--year", "0"]) == 2
    assert capsys.readouterr().err == "qabot: “0” cannot be a year.\n"


# -- 4. buttons and links without server memory ------------------------------------------------


async def test_page_buttons_work_after_a_restart_and_on_another_replica(seed_db: Path):
    async with harness(KnowledgeBase.open(seed_db)) as first:
        sent = await first.reply_call(message_update("/visits 1960-2010"))
    data = buttons(sent.params)[0]["callback_data"]
    assert data == "vp:1:1960-2010" and len(data.encode()) <= 64
    async with harness(KnowledgeBase.open(seed_db)) as second:  # a restart, or a replica
        calls = await second.send(callback_update(data, sent.result))
    assert calls[0].method == "editMessageText" and "Page 2 of 2" in calls[0].params["text"]
    assert "1960–2010" in calls[0].params["text"]


async def test_long_filters_keep_callback_data_within_64_bytes(bot: Harness):
    params = await bot.reply_to(message_update("/visits " + "Бутефлика " * 20))
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(params))


@pytest.mark.parametrize(
    "data",
    [
        "v:10:1",  # an old version's button
        "vp:99999:putin",  # page out of range
        "vp:1:PUTIN",  # not a filter this bot writes
        "vp:1:0",  # not a year
        "vp:1:" + "a" * 60,  # too long
        "f:99999999999999999999",  # not an SQLite integer
        "f:0",
        "sp:x",
        "",
    ],
)
async def test_bad_button_data_gets_a_short_notice_in_the_users_language(bot: Harness, data):
    message = message_payload("old list", sender=BOT_USER)
    calls = await bot.send(callback_update(data, message, sender=USERS["fr"]))
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == "Ce bouton ne fonctionne plus : renvoyez la commande."


async def test_a_page_past_the_end_shows_the_last_page(bot: Harness):
    message = message_payload("old list", sender=BOT_USER)
    calls = await bot.send(callback_update("vp:40:", message))
    assert calls[0].method == "editMessageText" and "Page 2 of 2" in calls[0].params["text"]


@pytest.mark.parametrize("payload", ["zzz", "f0", "f" + "9" * 30, "../etc", "f12x"])
async def test_bad_deep_links_say_so(bot: Harness, payload: str):
    text = (await bot.reply_to(from_user(f"/start {payload}", "ru")))["text"]
    assert text.startswith("Эта ссылка мне незнакома.\n\n<b>Здравствуйте!</b>")


async def test_a_deep_link_to_a_fact_that_is_gone(bot: Harness):
    text = (await bot.reply_to(from_user("/start f999999", "fr")))["text"]
    assert text.startswith("Ce fait n'est plus dans la base de connaissances.")


# -- 5. conversations ----------------------------------------------------------------------------


async def test_a_follow_up_borrows_the_last_questions_names(bot: Harness):
    alone = (await bot.reply_to(message_update("and when did he go back?")))["text"]
    assert alone.startswith("I could not find that")  # no context yet
    await bot.reply_to(message_update(PUTIN))
    text = (await bot.reply_to(message_update("and when did he go back?")))["text"]
    assert text.startswith("<i>(About Putin, Algiers, as in your last question.)</i>\n\n")
    assert "Vladimir Putin" in text and "10 March 2006" in text
    other_chat = {**PRIVATE_CHAT, "id": 555}
    elsewhere = await bot.reply_to(message_update("and when did he go back?", chat=other_chat))
    assert elsewhere["text"].startswith("I could not find that")


async def test_the_context_expires(bot: Harness, monkeypatch: pytest.MonkeyPatch):
    await bot.reply_to(message_update(PUTIN))
    monkeypatch.setattr(handlers.conversation, "CONTEXT_SECONDS", -1.0)
    text = (await bot.reply_to(message_update("and when did he go back?")))["text"]
    assert text.startswith("I could not find that")


async def test_a_follow_up_in_russian_says_what_it_assumed_in_russian(bot: Harness):
    await bot.reply_to(message_update("Когда Медведев посетил Алжир?"))
    text = (await bot.reply_to(message_update("Когда он посетил Алжир?")))["text"]
    assert "<i>(О Medvedev, как в вашем прошлом вопросе.)</i>" in text
    assert "6 October 2010" in text


@pytest.mark.parametrize(
    "first, follow_up, assumed",
    [
        ("Wann hat Medwedew Algerien besucht?", "Wann hat er Algerien besucht?", "Über"),
        ("¿Cuándo visitó Medvedev Argelia?", "¿Y cuándo fue allí?", "Sobre"),
    ],
)
async def test_a_follow_up_in_german_or_spanish_borrows_the_name(
    bot: Harness, first: str, follow_up: str, assumed: str
):
    await bot.reply_to(message_update(first))
    text = (await bot.reply_to(message_update(follow_up)))["text"]
    assert f"<i>({assumed} Medvedev, " in text and "6 October 2010" in text


async def test_an_edited_mention_that_no_longer_asks_deletes_the_answer(bot: Harness):
    update = message_update(f"{BOT} {PUTIN}", chat=GROUP_CHAT)
    answer = await bot.reply_call(update)
    calls = await bot.send(edited_update(update["message"], "never mind, thanks all"))
    assert [(c.method, c.params["message_id"]) for c in calls] == [
        ("deleteMessage", answer.result["message_id"])
    ]


async def test_an_edit_to_a_weak_question_retracts_the_answer(bot: Harness):
    update = message_update(f"{BOT} {PUTIN}", chat=GROUP_CHAT)
    answer = await bot.reply_call(update)
    bot.api.fail("deleteMessage", 400, "Bad Request: message can't be deleted")
    calls = await bot.send(edited_update(update["message"], f"{BOT} what is the weather?"))
    assert [c.method for c in calls] == ["deleteMessage", "editMessageText"]
    assert calls[1].params["message_id"] == answer.result["message_id"]
    assert calls[1].params["text"] == (
        "<i>The question was edited; this answer no longer applies.</i>"
    )


def added(status_before: str = "left", status_now: str = "member") -> dict[str, Any]:
    member = {"user": BOT_USER}
    return {
        "update_id": 99_000 + len(status_before) + len(status_now),
        "my_chat_member": {
            "chat": GROUP_CHAT,
            "from": USERS["fr"],
            "date": 1_700_000_000,
            "old_chat_member": {**member, "status": status_before},
            "new_chat_member": {**member, "status": status_now},
        },
    }


async def test_greets_once_when_added_to_a_group(bot: Harness):
    calls = await bot.send(added())
    [greeting] = [c for c in calls if c.method == "sendMessage"]
    assert greeting.params["chat_id"] == GROUP_CHAT["id"]
    text = greeting.params["text"]
    assert f"/ask{BOT}" in text and f"mentionnez {BOT}" in text and "répondez" in text
    assert await bot.send(added()) == []  # once
    assert await bot.send(added("member", "left")) == []  # leaving is no arrival


def test_allowed_updates_include_being_added():
    from bot.app import ALLOWED_UPDATES

    assert "my_chat_member" in ALLOWED_UPDATES


# -- 8. smaller things ---------------------------------------------------------------------------


async def test_a_command_for_another_bot_in_private_is_ours(bot: Harness):
    text = (await bot.reply_to(message_update("/visits@otherbot 2006")))["text"]
    assert text.startswith("<b>High-level visits: 2006</b> (1)")


async def test_a_photo_caption_question_is_answered(bot: Harness):
    photo = [{"file_id": "p", "file_unique_id": "q", "width": 9, "height": 9}]
    text = (await bot.reply_to(message_update(None, photo=photo, caption=PUTIN)))["text"]
    assert "10 March 2006" in text
    in_group = message_update(
        None,
        chat=GROUP_CHAT,
        photo=photo,
        caption=f"{BOT} {PUTIN}",
        caption_entities=[{"type": "mention", "offset": 0, "length": len(BOT)}],
    )
    assert "10 March 2006" in (await bot.reply_to(in_group))["text"]


async def test_headings_shorten_long_queries(bot: Harness):
    long = "arms deal " + "very " * 200
    text = (await bot.reply_to(message_update(f"/search {long}")))["text"]
    heading = text.split("\n", 1)[0]
    assert len(heading) < 100 and heading.endswith("…”</b>")
    text = (await bot.reply_to(message_update(f"/visits putin {'x' * 900}")))["text"]
    assert text.startswith("No visits match “putin…”.") and "x" * 50 not in text


async def test_inline_results_only_above_the_confidence_floor(seed_db: Path, kb: KnowledgeBase):
    best = kb.ask("arms")
    weak = tuple(Alternative(a.fact_id, a.text, 0.3) for a in best.alternatives)
    strong = tuple(Alternative(a.fact_id, a.text, 0.95) for a in best.alternatives)
    for alternatives, expected in ((weak, 1), (strong, 1 + len(strong))):
        scripted = ScriptedKnowledgeBase(
            KnowledgeBase.open(seed_db),
            {"arms": {"confidence": 0.9, "abstained": False, "alternatives": alternatives}},
        )
        async with harness(scripted) as running:
            results = (await running.send(inline_update("arms")))[0].params["results"]
        assert len(results) == expected
    assert thresholds.UNSURE > 0.3


async def test_an_answer_without_a_link_is_plain_text(seed_db: Path, kb: KnowledgeBase):
    answer = kb.ask(PUTIN)
    unlinked = tuple(replace(s, url="") for s in answer.sources)
    scripted = ScriptedKnowledgeBase(KnowledgeBase.open(seed_db), {PUTIN: {"sources": unlinked}})
    async with harness(scripted) as running:
        text = (await running.reply_to(message_update(PUTIN)))["text"]
    assert "📖 Algeria–Russia relations › High level visits ·" in text


async def test_inline_results_are_in_the_askers_language(bot: Harness):
    ru = USERS["ru"]
    params = (await bot.send(inline_update("Кто посол России в Алжире?", sender=ru)))[0].params
    assert params["results"] and params.get("is_personal") in (True, "true")
    for result in params["results"]:
        text = result["input_message_content"]["message_text"]
        assert text.startswith("<i>Из статьи (на английском):</i>")
    nothing = (await bot.send(inline_update("столица Перу", sender=ru)))[0].params
    assert nothing["results"] == []
    assert nothing["button"]["text"] == "Ответ не найден: посмотрите, что я знаю"
    empty = (await bot.send(inline_update("", sender=USERS["fr"])))[0].params
    assert empty["button"]["text"] == "Comment me poser une question"


async def test_notices_are_in_the_users_language_too(seed_db: Path):
    ru = USERS["ru"]
    async with harness(KnowledgeBase.open(seed_db), flood_limit=1, admins=frozenset()) as running:
        await running.send(from_user(PUTIN, "ru"))
        [notice] = await running.texts(from_user(PUTIN, "ru"))
        assert notice.startswith("Вы отправляете сообщения быстрее, чем я успеваю отвечать.")
        running.api.fail("sendMessage", 500)
        running.api.fail("sendMessage", 500)
        running.api.fail("sendMessage", 500)
        running.api.fail("sendMessage", 500)
        other = {**ru, "id": 3333}
        chat = {**PRIVATE_CHAT, "id": 3333}
        texts = await running.texts(message_update(PUTIN, sender=other, chat=chat))
        assert texts == ["Извините, у меня что-то пошло не так. Попробуйте ещё раз чуть позже."]
        running.errors.clear()
    admin = {**USERS["ru"], "id": 4444}
    async with harness(KnowledgeBase.open(seed_db), admins=frozenset({4444})) as running:
        chat = {**PRIVATE_CHAT, "id": 4444}
        [text] = await running.texts(message_update("/reload", sender=admin, chat=chat))
        assert text.startswith("✅ Перезагружено ") and text.endswith(": 1 статья, 57 фактов.")
    ar_greeting = await _greeting_for("ar", seed_db)
    assert english_left(ar_greeting) == [] and "/ask@qabot_test_bot" in ar_greeting


async def _greeting_for(lang: str, seed_db: Path) -> str:
    async with harness(KnowledgeBase.open(seed_db)) as running:
        update = added()
        update["my_chat_member"]["from"] = USERS[lang]
        [call] = [c for c in await running.send(update) if c.method == "sendMessage"]
    return call.params["text"]


@pytest.mark.parametrize(
    ("lang", "start"), [("ru", "Когда "), ("fr", "À quelle date "), ("ar", "متى زار ")]
)
async def test_example_questions_are_in_the_users_language_and_answered(
    bot: Harness, lang: str, start: str
):
    text = (await bot.reply_to(from_user("/start", lang)))["text"]
    examples = re.findall(r"^• (.*)$", text, re.MULTILINE)
    assert examples and examples[0].startswith(start)
    answer = (await bot.reply_to(from_user(examples[0], lang)))["text"]
    assert "📖 " in answer and "<i>" in answer.split("\n", 1)[0]  # framed in that language
