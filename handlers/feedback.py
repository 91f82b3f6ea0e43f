"""Feedback in the chat: questions recorded, 👍/👎 under answers, "was it one of these?".

The store (`knowledge.feedback`) lives in `bot_data`, opened in post_init by `start_feedback`
and read through `feedback()`. Every store call runs in a thread. When the store is off, or
cannot be opened or written (a full disk, an unwritable file), the bot answers as before,
without buttons, and logs one line.

Callback data (ids only): `fb:<question id>:+` / `fb:<question id>:-` for a vote,
`fc:<question id>:<n>` for the n-th next-best fact after a 👎.
"""

from __future__ import annotations

import asyncio
import gettext
import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.i18n import N_, choose_language, translator
from handlers.render import BUTTON_LABEL_LENGTH, render_answer, shorten, split_message
from handlers.replies import is_edit
from handlers.state import BoundedDict, state
from knowledge.aliases import AliasBook, find_fact
from knowledge.aliases import ask as ask_with_aliases
from knowledge.feedback import (
    DAY,
    DOWN,
    UP,
    FeedbackError,
    FeedbackStore,
    QuestionRecord,
    SQLiteFeedbackStore,
    fact_hash,
)
from knowledge.models import Answer

log = logging.getLogger(__name__)

FEEDBACK_KEY = "qabot.feedback"
VOTE_PATTERN = r"^fb:\d{1,18}:[+-]$"
CHOICE_PATTERN = r"^fc:\d{1,18}:\d{1,2}$"
PURGE_JOB = "feedback-retention"
PURGE_FIRST = 60.0  # seconds after start-up, then daily
STATS_DAYS = 7
REMEMBERED_QUESTIONS = 2000  # (chat, message) → question id, so an edit is not a new question

UP_LABEL = "👍"
DOWN_LABEL = "👎"
THANKS = N_("Thanks!")
ONE_OF_THESE = N_("Thanks. Was it one of these?")
NOTED = N_("Thanks: noted as the right answer to your question.")
GONE = N_("This button no longer works.")
CURATED = N_("✅ Curated answer")


@dataclass
class Feedback:
    """The feedback store (None: off or unavailable) and what goes with it."""

    store: FeedbackStore | None = None
    recording: bool = False  # False with a store: QABOT_FEEDBACK=off, taught questions only
    days: int = 90
    group_buttons: bool = False
    book: AliasBook = field(default_factory=AliasBook)
    extras: dict[str, Any] = field(default_factory=dict)  # for the curation commands


def feedback(context: ContextTypes.DEFAULT_TYPE) -> Feedback:
    """The feedback state; a disabled one when feedback is off."""
    found = context.bot_data.get(FEEDBACK_KEY)
    return found if isinstance(found, Feedback) else Feedback()


def curated_note(lang: str) -> str:
    """The mark on an answer taught by an admin, in the asker's language."""
    return f"<i>{translator(lang).gettext(CURATED)}</i>"


# -- start-up and retention ----------------------------------------------------------------


async def start_feedback(
    application: Application,
    *,
    enabled: bool,
    path: Path,
    days: int,
    group_buttons: bool,
) -> Feedback:
    """Open the store (in a thread) and schedule the daily retention purge. A store that
    cannot be opened logs one line and leaves feedback off: the bot still answers.

    With recording off (`enabled` False) an existing store is still opened, read-only in
    effect: taught questions keep answering as taught; nothing is recorded, and no file is
    created."""
    shared = Feedback(days=days, group_buttons=group_buttons, recording=enabled)
    if enabled or Path(path).exists():
        try:
            shared.store = await asyncio.to_thread(SQLiteFeedbackStore.open, path)
        except FeedbackError as exc:
            log.warning("Feedback is off: %s", exc)
    application.bot_data[FEEDBACK_KEY] = shared
    if shared.store is not None:
        await refresh_aliases(shared)
        if application.job_queue is not None:
            application.job_queue.run_repeating(
                purge_job, interval=DAY, first=PURGE_FIRST, name=PURGE_JOB
            )
    return shared


async def stop_feedback(application: Application) -> None:
    shared = application.bot_data.pop(FEEDBACK_KEY, None)
    if isinstance(shared, Feedback) and shared.store is not None:
        await asyncio.to_thread(shared.store.close)


async def purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The daily job: delete questions and votes older than QABOT_FEEDBACK_DAYS."""
    shared = feedback(context)
    if shared.store is None:
        return
    try:
        removed = await asyncio.to_thread(shared.store.purge, shared.days)
    except FeedbackError as exc:
        log.warning("Feedback retention purge failed: %s", exc)
        return
    log.info("Feedback retention: deleted %d questions older than %d days", removed, shared.days)


async def refresh_aliases(shared: Feedback) -> AliasBook:
    """The aliases, read again when any process taught or forgot one since the last read."""
    store = shared.store
    if store is None:
        return shared.book

    def load() -> AliasBook:
        version = store.aliases_version()
        if version == shared.book.version:
            return shared.book
        return AliasBook(store.aliases(), version)

    try:
        shared.book = await asyncio.to_thread(load)
    except FeedbackError as exc:
        log.warning("Could not read the taught questions: %s", exc)
    return shared.book


# -- the answer path -----------------------------------------------------------------------


async def ask(
    context: ContextTypes.DEFAULT_TYPE, question: str, borrowed: Sequence[str] = ()
) -> Answer:
    """Answer a question, off the event loop: a taught alias first, else retrieval (with the
    names a follow-up question borrows)."""
    shared = feedback(context)
    book = await refresh_aliases(shared) if shared.store is not None else None
    kb = state(context).kb
    return await asyncio.to_thread(ask_with_aliases, kb, question, book, tuple(borrowed))


async def record_answer(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    question: str,
    answer: Answer,
    keyboard: InlineKeyboardMarkup | None,
    *,
    replied: bool = True,
) -> InlineKeyboardMarkup | None:
    """Record the question (in a thread) and return `keyboard` with 👍/👎 added when the
    answer can be voted on: a real answer, in a private chat (or a group with
    QABOT_GROUP_FEEDBACK=on). A question left without reply counts as abstained."""
    shared = feedback(context)
    message = update.effective_message
    store = shared.store
    if store is None or not shared.recording or message is None:
        return keyboard
    kb = state(context).kb
    abstained = answer.abstained or not replied
    fact_id = answer.fact_ids[0] if answer.fact_ids and not answer.abstained else None

    def write() -> int:
        fact = kb.fact(fact_id) if fact_id is not None else None
        record = QuestionRecord(
            question=question,
            lang=answer.lang,
            chat_type=str(message.chat.type),
            fact_id=fact_id,
            fact_hash=fact_hash(fact.text) if fact is not None else None,
            confidence=answer.confidence,
            abstained=abstained,
            curated=answer.curated,
            alternatives=tuple((a.fact_id, fact_hash(a.text)) for a in answer.alternatives),
            origin=store.origin(message.chat_id),
        )
        return store.record(record)

    recorded = shared.extras.setdefault("recorded", BoundedDict(REMEMBERED_QUESTIONS))
    key = (message.chat_id, message.message_id)
    earlier = recorded.get(key) if is_edit(update) else None
    if earlier is not None and earlier[0] == question:  # edited, but to the same question
        question_id = earlier[1]
    else:
        try:
            question_id = await asyncio.to_thread(write)
        except FeedbackError as exc:
            log.warning("Answering without recording: %s", exc)
            return keyboard
        recorded[key] = (question, question_id)
    private = message.chat.type == ChatType.PRIVATE
    group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if abstained or not (private or (group and shared.group_buttons)):
        return keyboard
    rows = list(keyboard.inline_keyboard) if keyboard is not None else []
    return InlineKeyboardMarkup([*rows, vote_row(question_id)])


def vote_row(question_id: int, voted: int = 0, thanks: str = "") -> list[InlineKeyboardButton]:
    """👍 and 👎 for an answer; after a vote the chosen one says thanks."""
    up = f"{UP_LABEL} {thanks}" if voted == UP else UP_LABEL
    down = f"{DOWN_LABEL} {thanks}" if voted == DOWN else DOWN_LABEL
    return [
        InlineKeyboardButton(up, callback_data=f"fb:{question_id}:+"),
        InlineKeyboardButton(down, callback_data=f"fb:{question_id}:-"),
    ]


# -- buttons -------------------------------------------------------------------------------


async def vote_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍 or 👎 pressed: record it (one vote per person, the last one counts)."""
    query = update.callback_query
    if query is None:
        return
    notice: str | None = None
    try:
        notice = await _vote(query, context)
    finally:
        await query.answer(notice)


async def choice_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One of the next-best facts chosen after a 👎: record it as the right one, show it."""
    query = update.callback_query
    if query is None:
        return
    notice: str | None = None
    try:
        notice = await _choose(query, context)
    finally:
        await query.answer(notice)


def _language(query: CallbackQuery, question_lang: str | None) -> str:
    return choose_language(question_lang, query.from_user.language_code)


async def _vote(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    shared = feedback(context)
    store = shared.store
    message = query.message
    t = translator(query.from_user.language_code)
    if store is None or not shared.recording or not isinstance(message, Message):
        return t.gettext(GONE)
    _, number, sign = (query.data or "").split(":")
    question_id, vote = int(number), UP if sign == "+" else DOWN
    voter, origin = store.voter(query.from_user.id), store.origin(message.chat_id)
    try:
        result = await asyncio.to_thread(store.vote, question_id, voter, vote, origin)
        stored = await asyncio.to_thread(store.question, question_id)
    except FeedbackError as exc:
        log.warning("Vote not recorded: %s", exc)
        return None
    if not result.accepted or stored is None:
        log.info("Refused a vote on question %s: %s", question_id, result.reason)
        return t.gettext(GONE)
    t = translator(_language(query, stored.record.lang))
    thanks = t.gettext(THANKS)
    if message.chat.type == ChatType.PRIVATE and result.changed:
        await _mark_voted(query, message, question_id, vote, thanks)
    if vote == DOWN and result.changed:
        offered = await _offer_alternatives(context, message, question_id, stored.record, t)
        if offered:
            return None
    return thanks


async def _mark_voted(
    query: CallbackQuery, message: Message, question_id: int, vote: int, thanks: str
) -> None:
    """Turn the vote buttons into thanks; the other buttons under the answer stay."""
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    kept = [row for row in rows if not any(_is_vote(b) for b in row)]
    markup = InlineKeyboardMarkup([*kept, vote_row(question_id, vote, thanks)])
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            log.info("Could not mark a vote: %s", exc)


def _is_vote(button: InlineKeyboardButton) -> bool:
    return isinstance(button.callback_data, str) and bool(
        re.fullmatch(VOTE_PATTERN, button.callback_data)
    )


async def _offer_alternatives(
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    question_id: int,
    record: QuestionRecord,
    t: gettext.NullTranslations,
) -> bool:
    """After a 👎: the next-best facts as buttons, in a reply to the answer."""
    kb = state(context).kb

    def labels() -> list[tuple[int, str]]:
        found = []
        for index, (fact_id, digest) in enumerate(record.alternatives):
            fact = find_fact(kb, fact_id, digest)
            if fact is not None:
                found.append((index, fact.text))
        return found

    choices = await asyncio.to_thread(labels)
    if not choices:
        return False
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    shorten(text, BUTTON_LABEL_LENGTH),
                    callback_data=f"fc:{question_id}:{index}",
                )
            ]
            for index, text in choices
        ]
    )
    await message.reply_text(t.gettext(ONE_OF_THESE), reply_markup=keyboard, do_quote=True)
    return True


async def _choose(query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    shared = feedback(context)
    store = shared.store
    message = query.message
    t = translator(query.from_user.language_code)
    if store is None or not shared.recording or not isinstance(message, Message):
        return t.gettext(GONE)
    _, number, index = (query.data or "").split(":")
    voter, origin = store.voter(query.from_user.id), store.origin(message.chat_id)
    try:
        result = await asyncio.to_thread(store.choose, int(number), voter, int(index), origin)
        stored = await asyncio.to_thread(store.question, int(number))
    except FeedbackError as exc:
        log.warning("Choice not recorded: %s", exc)
        return None
    if not result.accepted or result.right_fact is None or stored is None:
        log.info("Refused a choice on question %s: %s", number, result.reason)
        return t.gettext(GONE)
    lang = _language(query, stored.record.lang)
    t = translator(lang)
    kb = state(context).kb

    def chosen() -> Answer | None:
        fact = find_fact(kb, *result.right_fact)
        return kb.answer_fact(fact.id) if fact is not None else None

    answer = await asyncio.to_thread(chosen)
    if answer is None:
        return t.gettext(GONE)
    note = f"<i>{t.gettext(NOTED)}</i>"
    text = split_message(render_answer(answer, context.bot.username, note, lang))[0]
    try:
        await query.edit_message_text(text, reply_markup=None)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            log.info("Could not show the chosen fact: %s", exc)
    return None


async def stats_lines(context: ContextTypes.DEFAULT_TYPE, lang: str | None = None) -> list[str]:
    """The feedback lines of /stats: answered, abstained, 👍 and 👎 over the last 7 days."""
    t = translator(lang)
    store = feedback(context).store
    if store is None:
        return [t.gettext("Feedback: off")]
    try:
        counts = await asyncio.to_thread(store.counts, STATS_DAYS)
    except FeedbackError as exc:
        return [t.gettext("Feedback: unavailable ({error})").format(error=html.escape(str(exc)))]
    text = t.ngettext(
        "Last {n} day: answered {answered}, abstained {abstained}, 👍 {up}, 👎 {down}",
        "Last {n} days: answered {answered}, abstained {abstained}, 👍 {up}, 👎 {down}",
        STATS_DAYS,
    )
    return [
        text.format(
            n=STATS_DAYS,
            answered=counts.answered,
            abstained=counts.abstained,
            up=counts.up,
            down=counts.down,
        )
    ]


HANDLERS = [
    CallbackQueryHandler(vote_button, pattern=VOTE_PATTERN),
    CallbackQueryHandler(choice_button, pattern=CHOICE_PATTERN),
]
