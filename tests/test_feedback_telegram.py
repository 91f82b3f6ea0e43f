"""Feedback and curation in Telegram, through the fake request layer: 👍/👎, "was it one of
these?", forged votes, groups, privacy, retention, a failing store, and the admin commands."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import (
    BOT_USER,
    GROUP_CHAT,
    OTHER_USER,
    PRIVATE_CHAT,
    USER,
    callback_update,
    inline_update,
    message_payload,
    message_update,
)
from telegram.ext import CallbackContext
from telegram_fakes import Harness, harness

from handlers.feedback import FEEDBACK_KEY, PURGE_JOB, Feedback, purge_job
from knowledge import KnowledgeBase
from knowledge.feedback import DAY, Counts, QuestionRecord, SQLiteFeedbackStore, fact_hash

QUESTION = "Who is the ambassador?"
SHUVAEV = "Russian Ambassador to Algeria: Valerian Shuvaev"
GUENNAD = "Algerian Ambassador to Russia: Boumediene Guennad"
UNANSWERED = "How much debt did Russia write off?"
ADMIN = USER  # the admin talks to the bot in a private chat
ADMIN_CHAT = PRIVATE_CHAT
OTHER_CHAT = {"id": OTHER_USER["id"], "type": "private", "first_name": "Bob"}


@pytest.fixture
def feedback_db(tmp_path: Path) -> Path:
    return tmp_path / "feedback" / "feedback.db"


@pytest.fixture
async def bot(seed_db: Path, feedback_db: Path) -> AsyncIterator[Harness]:
    async with harness(
        KnowledgeBase.open(seed_db), feedback_db=feedback_db, admins=frozenset({ADMIN["id"]})
    ) as running_bot:
        yield running_bot
    assert running_bot.errors == [], "a handler raised"


def shared(bot: Harness) -> Feedback:
    found = bot.app.bot_data[FEEDBACK_KEY]
    assert isinstance(found, Feedback)
    return found


def store(bot: Harness) -> SQLiteFeedbackStore:
    found = shared(bot).store
    assert isinstance(found, SQLiteFeedbackStore)
    return found


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    markup = params.get("reply_markup") or {"inline_keyboard": []}
    return [button for row in markup["inline_keyboard"] for button in row]


def data(params: dict[str, Any], prefix: str) -> list[str]:
    return [b["callback_data"] for b in buttons(params) if b["callback_data"].startswith(prefix)]


def fact_id(kb: KnowledgeBase, text: str) -> int:
    [found] = [i for (i, t) in kb.db.execute("select id, text from facts") if t == text]
    return found


def texts(calls) -> list[str]:
    return [c.params["text"] for c in calls if c.method in ("sendMessage", "editMessageText")]


def toast(calls) -> str | None:
    [answered] = [c for c in calls if c.method == "answerCallbackQuery"]
    return answered.params.get("text")


async def ask(bot: Harness, question: str = QUESTION, **kwargs: Any):
    """Ask in a private chat; returns the sendMessage call of the answer."""
    return await bot.reply_call(message_update(question, **kwargs))


# -- buttons and records -----------------------------------------------------------------


async def test_a_private_answer_carries_vote_buttons_and_is_recorded(bot: Harness, kb):
    sent = await ask(bot)
    [up, down] = data(sent.params, "fb:")
    assert up.endswith(":+") and down.endswith(":-")
    assert [b["text"] for b in buttons(sent.params)] == ["👍", "👎"]
    stored = store(bot).question(int(up.split(":")[1]))
    assert stored is not None
    record = stored.record
    assert (record.question, record.lang, record.chat_type) == (QUESTION, "en", "private")
    assert (record.fact_id, record.abstained) == (fact_id(kb, GUENNAD), False)
    assert record.curated is False
    assert record.confidence == pytest.approx(kb.ask(QUESTION).confidence, abs=1e-3)
    assert record.alternatives and record.alternatives[0][0] == fact_id(kb, SHUVAEV)


async def test_an_abstention_is_recorded_without_buttons(bot: Harness):
    sent = await ask(bot, UNANSWERED)
    assert data(sent.params, "fb:") == []
    counts = store(bot).counts(1)
    assert (counts.answered, counts.abstained) == (0, 1)
    assert [g.question for g in store(bot).unanswered(1)] == [UNANSWERED]


async def test_a_vote_turns_the_buttons_into_thanks_and_a_new_vote_replaces_it(bot: Harness):
    sent = await ask(bot)
    up, down = data(sent.params, "fb:")
    calls = await bot.send(callback_update(up, sent.result))
    [edit] = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert [b["text"] for b in buttons(edit.params)] == ["👍 Thanks!", "👎"]
    assert toast(calls) == "Thanks!"
    assert (store(bot).counts(1).up, store(bot).counts(1).down) == (1, 0)
    again = await bot.send(callback_update(up, sent.result))  # a replay: counted once
    assert (store(bot).counts(1).up, store(bot).counts(1).down) == (1, 0)
    assert [c.method for c in again] == ["answerCallbackQuery"]  # "not modified" is no error
    await bot.send(callback_update(down, sent.result))
    assert (store(bot).counts(1).up, store(bot).counts(1).down) == (0, 1)


async def test_thanks_is_said_in_the_askers_language(bot: Harness):
    russian = {**USER, "language_code": "ru"}
    sent = await ask(bot, "Кто посол России в Алжире?", sender=russian)
    up, _ = data(sent.params, "fb:")
    calls = await bot.send(callback_update(up, sent.result, sender=russian))
    assert toast(calls) == "Спасибо!"


async def test_a_downvote_offers_the_next_best_facts_and_a_choice_is_recorded(bot: Harness, kb):
    sent = await ask(bot)
    _, down = data(sent.params, "fb:")
    calls = await bot.send(callback_update(down, sent.result))
    [offer] = [c for c in calls if c.method == "sendMessage"]
    assert offer.params["text"] == "Thanks. Was it one of these?"
    choices = data(offer.params, "fc:")
    assert buttons(offer.params)[0]["text"].startswith("Russian Ambassador to Algeria")
    calls = await bot.send(callback_update(choices[0], offer.result))
    [shown] = [c for c in calls if c.method == "editMessageText"]
    assert shown.params["text"].startswith(SHUVAEV)
    assert "noted as the right answer" in shown.params["text"]
    [disputed] = store(bot).disputed(1)
    assert disputed.fact_id == fact_id(kb, GUENNAD)
    assert disputed.chosen == ((fact_id(kb, SHUVAEV), 1),)
    # a second 👎 from the same person offers nothing new
    again = await bot.send(callback_update(down, sent.result))
    assert [c.method for c in again if c.method == "sendMessage"] == []


# -- forged and stale votes --------------------------------------------------------------


async def test_forged_votes_are_refused_or_counted_once(bot: Harness):
    sent = await ask(bot)
    up, down = data(sent.params, "fb:")
    question_id = int(up.split(":")[1])
    # the same callback data pressed under a message in another chat
    elsewhere = message_payload("x", chat=OTHER_CHAT, sender=None)
    bot.api.learn({"message": elsewhere})
    refused = await bot.send(callback_update(up, elsewhere, sender=OTHER_USER))
    assert toast(refused) == "This button no longer works."
    # a question that does not exist, and a choice that was never offered
    assert toast(await bot.send(callback_update("fb:999999:+", sent.result))) == (
        "This button no longer works."
    )
    assert toast(await bot.send(callback_update(f"fc:{question_id}:7", sent.result))) == (
        "This button no longer works."
    )
    assert (store(bot).counts(1).up, store(bot).counts(1).down) == (0, 0)
    for _ in range(3):  # replayed
        await bot.send(callback_update(down, sent.result))
    assert store(bot).counts(1).down == 1


# -- groups ------------------------------------------------------------------------------


async def test_groups_get_no_buttons_unless_group_feedback_is_on(seed_db, feedback_db):
    ask_in_group = message_update(f"/ask {QUESTION}", chat=GROUP_CHAT)
    async with harness(KnowledgeBase.open(seed_db), feedback_db=feedback_db) as bot:
        sent = await bot.reply_call(ask_in_group)
        assert data(sent.params, "fb:") == []
        assert store(bot).counts(1).answered == 1  # recorded all the same
    async with harness(
        KnowledgeBase.open(seed_db), feedback_db=feedback_db, group_feedback=True
    ) as bot:
        sent = await bot.reply_call(message_update(f"/ask {QUESTION}", chat=GROUP_CHAT))
        up, _ = data(sent.params, "fb:")
        for voter in (USER, OTHER_USER):  # each member votes once
            calls = await bot.send(callback_update(up, sent.result, sender=voter))
            assert toast(calls) == "Thanks!"
            assert "editMessageReplyMarkup" not in [c.method for c in calls]  # shared buttons
        assert store(bot).counts(1).up == 2
        assert bot.errors == []


# -- privacy, retention, switching off, failures -----------------------------------------


async def test_no_raw_user_or_chat_id_reaches_the_feedback_file(seed_db, feedback_db):
    user = {**USER, "id": 987654321}
    chat = {**PRIVATE_CHAT, "id": 987654321}
    group = {**GROUP_CHAT, "id": -1009988776655}
    async with harness(
        KnowledgeBase.open(seed_db), feedback_db=feedback_db, group_feedback=True
    ) as bot:
        for where in (chat, group):
            text = QUESTION if where is chat else f"/ask {QUESTION}"
            sent = await bot.reply_call(message_update(text, chat=where, sender=user))
            up, down = data(sent.params, "fb:")
            await bot.send(callback_update(down, sent.result, sender=user))
        await bot.reply_call(message_update(UNANSWERED, chat=chat, sender=user))
        assert store(bot).counts(1).down == 2
    files = [p for p in feedback_db.parent.iterdir() if p.name.startswith("feedback.db")]
    raw = b"".join(p.read_bytes() for p in files)
    assert UNANSWERED.encode() in raw  # the scan reads what the bot wrote
    for number in (987654321, -1009988776655):
        assert str(number).encode() not in raw and str(abs(number)).encode() not in raw
        for size in (4, 6, 8):
            try:
                assert number.to_bytes(size, "big", signed=True) not in raw
            except OverflowError:
                continue


async def test_the_daily_job_purges_past_the_retention(bot: Harness):
    [job] = bot.app.job_queue.get_jobs_by_name(PURGE_JOB)
    assert job.trigger.interval.total_seconds() == DAY
    old = store(bot).record(
        QuestionRecord("Old?", "en", "private", None, None, 0.1, True), now=1_000_000.0
    )
    await ask(bot)
    await purge_job(CallbackContext(bot.app))
    assert store(bot).question(old) is None
    assert store(bot).counts(1).answered == 1


async def test_retention_days_come_from_the_settings(seed_db, feedback_db):
    kb = KnowledgeBase.open(seed_db)
    async with harness(kb, feedback_db=feedback_db, feedback_days=3) as bot:
        now = time.time()
        two = store(bot).record(QuestionRecord("2?", "en", "private", None, None, 0, True),
                                now=now - 2 * DAY)  # fmt: skip
        four = store(bot).record(QuestionRecord("4?", "en", "private", None, None, 0, True),
                                 now=now - 4 * DAY)  # fmt: skip
        await purge_job(CallbackContext(bot.app))
        assert store(bot).question(two) is not None and store(bot).question(four) is None


async def test_feedback_off_records_nothing_and_shows_no_buttons(seed_db, feedback_db):
    async with harness(KnowledgeBase.open(seed_db), feedback_db=feedback_db, feedback=False) as bot:
        sent = await ask(bot)
        assert data(sent.params, "fb:") == []
        privacy = await bot.reply_to(message_update("/privacy"))
        assert "Recording is currently off." in privacy["text"]
    assert not feedback_db.exists()


async def test_an_unwritable_feedback_file_never_stops_answers(
    seed_db, tmp_path, caplog: pytest.LogCaptureFixture
):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING):
        async with harness(KnowledgeBase.open(seed_db), feedback_db=blocker / "fb.db") as bot:
            sent = await ask(bot)
            assert sent.params["text"].startswith(GUENNAD)
            assert data(sent.params, "fb:") == []
            assert bot.errors == []
    lines = [r for r in caplog.records if "Feedback is off" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None


async def test_a_full_disk_answers_without_recording(bot: Harness, caplog):
    db = store(bot).db
    db.execute(f"pragma max_page_count = {db.execute('pragma page_count').fetchone()[0]}")
    with caplog.at_level(logging.WARNING):
        for n in range(30):
            sent = await ask(bot, f"{QUESTION} {'very ' * 200}{n}")
            assert "Ambassador" in sent.params["text"]
    failed = [r for r in caplog.records if "Answering without recording" in r.getMessage()]
    assert failed and all("full" in r.getMessage() and r.exc_info is None for r in failed)
    assert data(sent.params, "fb:") == []


async def test_privacy_says_what_is_kept_for_how_long_and_how_to_opt_out(seed_db, feedback_db):
    kb = KnowledgeBase.open(seed_db)
    async with harness(kb, feedback_db=feedback_db, feedback_days=30) as bot:
        text = (await bot.reply_to(message_update("/privacy")))["text"]
        assert "salted hash" in text and "after 30 days" in text
        assert "QABOT_FEEDBACK=off" in text and "Recording is currently on." in text
        french = {**USER, "language_code": "fr"}
        text = (await bot.reply_to(message_update("/privacy", sender=french)))["text"]
        assert "30 jours" in text


# -- admin commands ----------------------------------------------------------------------


async def test_admin_commands_are_unknown_commands_for_others(bot: Harness):
    for command in ("/unanswered", "/feedback", "/teach x => 1", "/aliases", "/forget 1"):
        reply = await bot.reply_to(message_update(command, chat=OTHER_CHAT, sender=OTHER_USER))
        assert reply["text"].startswith("I don't know /")
        assert await bot.texts(message_update(command, chat=GROUP_CHAT)) == []
    assert store(bot).aliases() == []


async def test_unanswered_groups_near_duplicates_and_teach_by_reply_answers_as_curated(
    bot: Harness, kb
):
    for question in (UNANSWERED, "how much debt did Russia write off", "What about the jets?"):
        await ask(bot, question, chat=OTHER_CHAT, sender=OTHER_USER)
    listing = await bot.reply_call(message_update("/unanswered"))
    text = listing.params["text"]
    assert f"1. “{UNANSWERED}” ×2" in text and "2. “What about the jets?” ×1" in text
    debt = next(f for f in kb.search("debt forgiven", limit=5) if "debt" in f.text)
    taught = await bot.reply_to(message_update(f"/teach 1 => {debt.id}", reply_to=listing.result))
    assert taught["text"].startswith(f"✅ Alias 1: “{UNANSWERED}” now answers with fact {debt.id}")
    variant = "How much debt did Russia write off"
    answer = await ask(bot, variant, chat=OTHER_CHAT, sender=OTHER_USER)
    assert "5.7 billion dollar debt was forgiven" in answer.params["text"]
    assert "Curated answer" in answer.params["text"]
    assert data(answer.params, "f:") == []  # no "did you mean" under a curated answer
    assert data(answer.params, "fb:")  # but it can be voted on
    bad = await bot.reply_to(message_update("/teach 9 => 1", reply_to=listing.result))
    assert bad["text"].startswith("Say which question of the list")


async def test_teach_forms_and_a_missing_fact(bot: Harness, kb):
    missing = await bot.reply_to(message_update(f"/teach {QUESTION} => 99999"))
    assert missing["text"] == (
        "There is no fact 99999 in the knowledge base. Find one with /search WORDS."
    )
    usage = await bot.reply_to(message_update("/teach"))
    assert usage["text"].startswith("Send <code>/teach QUESTION =&gt; FACT_ID</code>")
    assert store(bot).aliases() == []
    # search words: candidate facts as buttons
    offer = await bot.reply_call(message_update(f"/teach {QUESTION} => russian ambassador"))
    choices = data(offer.params, "ft:")
    shuvaev = fact_id(kb, SHUVAEV)
    [pick] = [c for c in choices if c.endswith(f":{shuvaev}")]
    # somebody else pressing it (e.g. a forwarded keyboard) is refused
    elsewhere = message_payload("x", chat=OTHER_CHAT, sender=None)
    refused = await bot.send(callback_update(pick, elsewhere, sender=OTHER_USER))
    assert toast(refused) == "This button is for the bot's admins."
    forged = pick.rsplit(":", 1)[0] + ":99999"  # a fact that was not offered
    assert toast(await bot.send(callback_update(forged, offer.result))) == (
        "This list has expired: send /teach again."
    )
    calls = await bot.send(callback_update(pick, offer.result))
    assert texts(calls)[0].startswith(f"✅ Alias 1: “{QUESTION}” now answers with fact {shuvaev}")
    answer = await ask(bot, "who is the ambassador", chat=OTHER_CHAT, sender=OTHER_USER)
    assert answer.params["text"].startswith(SHUVAEV)
    # reply form: a forwarded user question, taught with an id
    forwarded = message_payload("Who is Russia's envoy in Algiers?", forward_origin={
        "type": "hidden_user", "sender_user_name": "Someone", "date": 1})  # fmt: skip
    taught = await bot.reply_to(message_update(f"/teach {shuvaev}", reply_to=forwarded))
    assert taught["text"].startswith("✅ Alias 2: “Who is Russia&#x27;s envoy in Algiers?”")


async def test_aliases_and_forget(bot: Harness, kb):
    shuvaev = fact_id(kb, SHUVAEV)
    await bot.reply_to(message_update(f"/teach {QUESTION} => {shuvaev}"))
    listing = (await bot.reply_to(message_update("/aliases")))["text"]
    assert f"1. “{QUESTION}” → fact {shuvaev}: Russian Ambassador" in listing
    assert (await bot.reply_to(message_update("/forget 1")))["text"] == "Forgot alias 1."
    assert (await bot.reply_to(message_update("/forget 1")))["text"] == (
        "There is no alias 1. See /aliases."
    )
    assert (await bot.reply_to(message_update("/forget one")))["text"].startswith("Send /forget ID")
    answer = await ask(bot, chat=OTHER_CHAT, sender=OTHER_USER)
    assert answer.params["text"].startswith(GUENNAD)  # the engine's answer again


async def test_aliases_report_a_fact_that_is_gone(bot: Harness):
    store(bot).teach(QUESTION, 2, "0" * 32)  # a text hash no fact has
    listing = (await bot.reply_to(message_update("/aliases")))["text"]
    assert "⚠️ fact 2 is gone from the knowledge base: not applied" in listing
    answer = await ask(bot, chat=OTHER_CHAT, sender=OTHER_USER)
    assert answer.params["text"].startswith(GUENNAD) and "Curated" not in answer.params["text"]


async def test_an_alias_taught_by_another_process_is_used(bot: Harness, kb, feedback_db):
    other = SQLiteFeedbackStore.open(feedback_db)  # e.g. `qabot teach` while the bot runs
    other.teach(QUESTION, fact_id(kb, SHUVAEV), fact_hash(SHUVAEV))
    other.close()
    answer = await ask(bot, chat=OTHER_CHAT, sender=OTHER_USER)
    assert answer.params["text"].startswith(SHUVAEV)


async def test_feedback_report_and_stats(bot: Harness, kb):
    sent = await ask(bot, chat=OTHER_CHAT, sender=OTHER_USER)
    _, down = data(sent.params, "fb:")
    offer = [c for c in await bot.send(callback_update(down, sent.result, sender=OTHER_USER))
             if c.method == "sendMessage"][0]  # fmt: skip
    await bot.send(callback_update(data(offer.params, "fc:")[0], offer.result, sender=OTHER_USER))
    await ask(bot, UNANSWERED, chat=OTHER_CHAT, sender=OTHER_USER)
    report = (await bot.reply_to(message_update("/feedback")))["text"]
    assert f"1. fact {fact_id(kb, GUENNAD)} 👎 1 👍 0: {GUENNAD}" in report
    assert f"? “{QUESTION}”" in report
    assert f"→ fact {fact_id(kb, SHUVAEV)} chosen instead ×1" in report
    stats = (await bot.reply_to(message_update("/stats")))["text"]
    assert "Last 7 days: answered 1, abstained 1, 👍 0, 👎 1" in stats
    assert (await bot.reply_to(message_update("/feedback 0")))["text"].startswith("Send /feedback")


async def test_inline_queries_are_not_recorded_and_group_silence_counts_as_unanswered(
    bot: Harness,
):
    await bot.send(inline_update(QUESTION))
    assert store(bot).counts(1) == Counts(0, 0, 0, 0)
    # a weak match in a group gets no reply, and is listed as unanswered
    silent = await bot.texts(message_update(f"@{BOT_USER['username']} debt write off?",
                                            chat=GROUP_CHAT))  # fmt: skip
    assert silent == []
    assert [g.question for g in store(bot).unanswered(1)] == ["debt write off?"]


async def test_curation_replies_in_the_admins_language(bot: Harness):
    russian_admin = {**ADMIN, "language_code": "ru"}
    await ask(bot, UNANSWERED, chat=OTHER_CHAT, sender=OTHER_USER)
    listing = (await bot.reply_to(message_update("/unanswered", sender=russian_admin)))["text"]
    assert listing.startswith("<b>Без ответа за последние 7 дней</b>")
    missing = await bot.reply_to(message_update("/teach x => 99999", sender=russian_admin))
    assert missing["text"].startswith("Факта 99999 нет в базе знаний.")


async def test_recording_off_keeps_taught_questions_but_records_nothing(seed_db, feedback_db, kb):
    taught = SQLiteFeedbackStore.open(feedback_db)
    taught.teach(QUESTION, fact_id(kb, SHUVAEV), fact_hash(SHUVAEV))
    taught.close()
    async with harness(KnowledgeBase.open(seed_db), feedback_db=feedback_db, feedback=False) as bot:
        sent = await ask(bot, "who is the ambassador")
        assert sent.params["text"].startswith(SHUVAEV) and "Curated answer" in sent.params["text"]
        assert data(sent.params, "fb:") == []
        refused = await bot.send(callback_update("fb:1:+", sent.result))
        assert toast(refused) == "This button no longer works."
        assert (
            "Recording is currently off."
            in (await bot.reply_to(message_update("/privacy")))["text"]
        )
        assert store(bot).counts(1) == Counts(0, 0, 0, 0)
        assert bot.errors == []


@pytest.mark.parametrize(
    "command",
    ["/teach q => 99999999999999999999", "/teach q => ²", "/feedback ²", "/unanswered 99999",
     "/forget 99999999999999999999", "/forget ²"],
)  # fmt: skip
async def test_odd_numbers_get_one_line_and_no_error(bot: Harness, command: str):
    [text] = await bot.texts(message_update(command))  # one reply; the fixture checks no error
    expected = ("There is no fact", "Send /feedback", "Send /unanswered", "Send /forget")
    assert text.startswith(expected)
    assert "\n" not in text and store(bot).aliases() == []
    if command.startswith("/teach q => 9"):
        assert text.startswith("There is no fact 99999999999999999999 ")
