"""Curation in the chat: /unanswered, /feedback, /teach, /aliases and /forget for the admins
(QABOT_ADMINS, in a private chat), the feedback lines of /stats, and /privacy for everyone.

/teach takes three forms:
- `/teach QUESTION => FACT_ID`, or `/teach QUESTION => SEARCH WORDS` (candidate facts as buttons);
- as a reply to a message holding a question (a user's question forwarded to the bot, or any
  text): `/teach FACT_ID`, `/teach SEARCH WORDS`, or a bare `/teach` (searches the question);
- as a reply to a /unanswered or /feedback list: `/teach N => FACT_ID` or `/teach N WORDS`.

Callback data: `ft:<key>:<fact id>`, the key naming the question waiting to be taught.
"""

from __future__ import annotations

import asyncio
import gettext
import itertools
import re
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.i18n import N_, translator
from handlers.addressing import command_argument
from handlers.admin import is_admin
from handlers.chat import unknown_command
from handlers.feedback import Feedback, feedback, refresh_aliases
from handlers.language import user_language
from handlers.render import BUTTON_LABEL_LENGTH, shorten
from handlers.replies import reply
from handlers.state import BoundedDict, state
from knowledge.aliases import statuses
from knowledge.feedback import DEFAULT_DAYS, FeedbackError, fact_hash

TEACH_PATTERN = r"^ft:\d{1,9}:\d{1,18}$"
DEFAULT_REPORT_DAYS = 7
REPORT_LIMIT = 15
CANDIDATES = 5
REMEMBERED = 200
QUESTION_WIDTH = 120
ARROW = "=>"

OFF = N_(
    "Feedback is off (QABOT_FEEDBACK=off, or the feedback store could not be opened: see the logs)."
)
TEACH_USAGE = N_(
    "Send <code>/teach QUESTION =&gt; FACT_ID</code> or <code>/teach QUESTION =&gt; WORDS</code>, "
    "or reply to a question with <code>/teach FACT_ID</code> or <code>/teach WORDS</code>."
)
NO_FACT = N_("There is no fact {id} in the knowledge base. Find one with /search WORDS.")
LIST_HINT = N_(
    "Reply to this list with <code>/teach N =&gt; FACT_ID</code> or <code>/teach N WORDS</code>."
)

PRIVACY = N_(
    "<b>What I keep about you</b>\n"
    "When you ask me a question, I record the question, its language, the kind of chat "
    "(private or group), the fact I quoted, how sure I was, and the time. If you press 👍 or "
    "👎, I keep your vote under a salted hash of your Telegram id, only so that each person "
    "votes once per answer. I never store your user id, your name or the chat's id.\n\n"
    "<b>For how long</b>\n"
    "Questions and votes are deleted after {days} days.\n\n"
    "<b>How to opt out</b>\n"
    "Don't press the buttons, and ask in inline mode (@{bot} question), which is never recorded; "
    "the bot's owner can turn recording off entirely (QABOT_FEEDBACK=off)."
)
PRIVACY_ON = N_("Recording is currently on.")
PRIVACY_OFF = N_("Recording is currently off.")


def _t(update: Update) -> gettext.NullTranslations:
    """The admin's language (commands carry no question to tell it from)."""
    return translator(user_language(update))


def _pending(shared: Feedback) -> BoundedDict[int, tuple[str, tuple[int, ...]]]:
    """Questions waiting for an admin to press the fact that answers them."""
    return shared.extras.setdefault("pending", BoundedDict(REMEMBERED))


def _listings(shared: Feedback) -> BoundedDict[tuple[int, int], list[str]]:
    """(chat id, message id) of a /unanswered or /feedback list → the questions in it."""
    return shared.extras.setdefault("listings", BoundedDict(REMEMBERED))


async def _admin_store(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Feedback | None:
    """The feedback state for an admin with a store; otherwise answer and return None."""
    if not is_admin(update, context):
        message = update.effective_message
        if message is not None and message.chat.type == ChatType.PRIVATE:
            await unknown_command(update, context)
        return None
    shared = feedback(context)
    if shared.store is None:
        await reply(update, context, _t(update).gettext(OFF))
        return None
    return shared


def _days(update: Update, default: int = DEFAULT_REPORT_DAYS) -> int | None:
    argument = command_argument(update.effective_message)
    if not argument:
        return default
    if re.fullmatch(r"[0-9]{1,4}", argument) and 1 <= int(argument) <= 3650:
        return int(argument)
    return None


def _number(text: str) -> int | None:
    """A positive id written in ASCII digits that fits an SQLite integer, else None."""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def _quote(text: str) -> str:
    return f"“{escape(shorten(text, QUESTION_WIDTH))}”"


async def _send_listing(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, questions: list[str]
) -> None:
    message = update.effective_message
    if message is None:
        return
    sent = await message.reply_text(text)
    _listings(feedback(context))[(sent.chat_id, sent.message_id)] = questions


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered [days]: the questions the bot abstained on, near-duplicates grouped."""
    shared = await _admin_store(update, context)
    if shared is None or shared.store is None:
        return
    t = _t(update)
    days = _days(update)
    if days is None:
        await reply(update, context, t.gettext("Send /unanswered or /unanswered DAYS (1-3650)."))
        return
    try:
        groups = await asyncio.to_thread(shared.store.unanswered, days, None, REPORT_LIMIT)
    except FeedbackError as exc:
        await reply(update, context, f"⚠️ {escape(str(exc))}")
        return
    if not groups:
        text = t.ngettext(
            "No unanswered questions in the last {n} day.",
            "No unanswered questions in the last {n} days.",
            days,
        )
        await reply(update, context, text.format(n=days))
        return
    heading = t.ngettext(
        "Unanswered in the last {n} day", "Unanswered in the last {n} days", days
    ).format(n=days)
    lines = [f"<b>{heading}</b>"]
    for number, group in enumerate(groups, 1):
        lines.append(f"{number}. {_quote(group.question)} ×{group.count}")
        lines += [f"    ~ {_quote(v)}" for v in group.variants[:2]]
    lines += ["", t.gettext(LIST_HINT)]
    await _send_listing(update, context, "\n".join(lines), [g.question for g in groups])


async def feedback_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feedback [days]: the facts with the most 👎, the questions behind them, and the facts
    people chose instead."""
    shared = await _admin_store(update, context)
    if shared is None or shared.store is None:
        return
    t = _t(update)
    days = _days(update)
    if days is None:
        await reply(update, context, t.gettext("Send /feedback or /feedback DAYS (1-3650)."))
        return
    kb = state(context).kb
    store = shared.store
    gone = f"<i>{t.gettext('(no longer in the knowledge base)')}</i>"

    def report() -> tuple[list[str], list[str]]:
        lines, questions = [], []
        for item in store.disputed(days, None, REPORT_LIMIT):
            fact = kb.fact(item.fact_id)
            same = fact is not None and fact_hash(fact.text) == item.fact_hash
            text = escape(shorten(fact.text, 90)) if fact and same else gone
            questions.append(item.questions[0] if item.questions else "")
            name = t.gettext("fact {id}").format(id=item.fact_id)
            lines.append(f"{len(questions)}. {name} 👎 {item.down} 👍 {item.up}: {text}")
            lines += [f"    ? {_quote(q)}" for q in item.questions[:3]]
            lines += [
                "    → " + t.gettext("fact {id} chosen instead").format(id=f) + f" ×{n}"
                for f, n in item.chosen
            ]
        return lines, questions

    try:
        lines, questions = await asyncio.to_thread(report)
    except FeedbackError as exc:
        await reply(update, context, f"⚠️ {escape(str(exc))}")
        return
    if not lines:
        text = t.ngettext("No 👎 in the last {n} day.", "No 👎 in the last {n} days.", days)
        await reply(update, context, text.format(n=days))
        return
    heading = t.ngettext(
        "Facts voted 👎 in the last {n} day", "Facts voted 👎 in the last {n} days", days
    ).format(n=days)
    lines.insert(0, f"<b>{heading}</b>")
    lines += ["", t.gettext(LIST_HINT)]
    await _send_listing(update, context, "\n".join(lines), questions)


def _parse_teach(
    message: Message, argument: str, listed: list[str] | None, t: gettext.NullTranslations
) -> tuple[str, str]:
    """(question, target) from the three /teach forms; target is a fact id or search words.
    Raises ValueError with the line to send back."""
    replied = message.reply_to_message
    if listed is not None:  # a reply to a /unanswered or /feedback list
        number, _, target = argument.replace(ARROW, " ", 1).partition(" ")
        if not 1 <= (_number(number) or 0) <= len(listed):
            raise ValueError(
                t.gettext(
                    "Say which question of the list: <code>/teach N =&gt; FACT_ID</code>, "
                    "with N from 1 to {n}."
                ).format(n=len(listed))
            )
        return listed[int(number) - 1], target.strip()
    if ARROW in argument:
        question, _, target = argument.partition(ARROW)
        return question.strip(), target.strip()
    if replied is not None and (replied.text or replied.caption):
        question = (replied.text or replied.caption or "").strip()
        return question, argument.strip() or question
    raise ValueError(t.gettext(TEACH_USAGE))


async def teach(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/teach: store an alias, or show candidate facts as buttons."""
    shared = await _admin_store(update, context)
    message = update.effective_message
    if shared is None or shared.store is None or message is None:
        return
    replied = message.reply_to_message
    listed = None
    if replied is not None:
        listed = _listings(shared).get((replied.chat_id, replied.message_id))
    t = _t(update)
    try:
        question, target = _parse_teach(message, command_argument(message), listed, t)
    except ValueError as exc:
        await reply(update, context, str(exc))
        return
    if not question or not target:
        await reply(update, context, t.gettext(TEACH_USAGE))
        return
    kb = state(context).kb
    if target.isdigit():  # a fact id
        fact_id = _number(target)
        if fact_id is None:  # too long for any fact
            await reply(update, context, t.gettext(NO_FACT).format(id=escape(target)))
            return
        await reply(update, context, await _store_alias(context, shared, question, fact_id, t))
        return
    facts = await asyncio.to_thread(kb.search, target, CANDIDATES)
    if not facts:
        text = t.gettext("No facts match “{words}”. Try other words.")
        await reply(update, context, text.format(words=escape(target)))
        return
    key = next(shared.extras.setdefault("keys", itertools.count(1)))
    _pending(shared)[key] = (question, tuple(f.id for f in facts))
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"{f.id}: {shorten(f.text, BUTTON_LABEL_LENGTH)}",
                                  callback_data=f"ft:{key}:{f.id}")]
            for f in facts
        ]
    )  # fmt: skip
    text = t.gettext("Which fact answers {question}?").format(question=_quote(question))
    await reply(update, context, text, keyboard)


async def _store_alias(
    context: ContextTypes.DEFAULT_TYPE,
    shared: Feedback,
    question: str,
    fact_id: int,
    t: gettext.NullTranslations,
) -> str:
    """Teach the alias; returns the line to show (or why not)."""
    kb = state(context).kb
    store = shared.store
    assert store is not None
    fact = await asyncio.to_thread(kb.fact, fact_id)
    if fact is None:
        return t.gettext(NO_FACT).format(id=fact_id)
    try:
        alias = await asyncio.to_thread(store.teach, question, fact.id, fact_hash(fact.text))
    except ValueError:
        return t.gettext("The question has no words.")
    except FeedbackError as exc:
        return f"⚠️ {escape(str(exc))}"
    await refresh_aliases(shared)
    text = t.gettext("✅ Alias {alias}: {question} now answers with fact {id}:")
    text = text.format(alias=alias.id, question=_quote(alias.question), id=fact.id)
    return f"{text}\n{escape(fact.text)}"


async def teach_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A candidate fact pressed after /teach WORDS: teach it."""
    query = update.callback_query
    if query is None:
        return
    notice: str | None = None
    try:
        notice = await _press_teach(update, context)
    finally:
        await query.answer(notice)


async def _press_teach(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    query = update.callback_query
    assert query is not None
    shared = feedback(context)
    message = query.message
    t = _t(update)
    admin = query.from_user.id in state(context).admins
    if not admin or not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
        return t.gettext("This button is for the bot's admins.")
    if shared.store is None:
        return t.gettext("Feedback is off.")
    _, key, fact = (query.data or "").split(":")
    pending = _pending(shared).get(int(key))
    if pending is None or int(fact) not in pending[1]:
        return t.gettext("This list has expired: send /teach again.")
    text = await _store_alias(context, shared, pending[0], int(fact), t)
    await query.edit_message_text(text, reply_markup=None)
    return None


async def aliases(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/aliases: the taught questions and their facts; an alias whose fact is gone says so."""
    shared = await _admin_store(update, context)
    if shared is None or shared.store is None:
        return
    kb = state(context).kb
    store = shared.store
    t = _t(update)

    def listing() -> list[str]:
        lines = []
        for status in statuses(kb, store.aliases()):
            alias = status.alias
            if status.fact_id is None:
                where = "⚠️ " + t.gettext(
                    "fact {id} is gone from the knowledge base: not applied"
                ).format(id=alias.fact_id)
            else:
                fact = kb.fact(status.fact_id)
                where = t.gettext("fact {id}").format(id=status.fact_id)
                if status.moved:
                    where += " (" + t.gettext("was {id}").format(id=alias.fact_id) + ")"
                where += f": {escape(shorten(fact.text if fact else '', 60))}"
            lines.append(f"{alias.id}. {_quote(alias.question)} → {where}")
        return lines

    try:
        lines = await asyncio.to_thread(listing)
    except FeedbackError as exc:
        await reply(update, context, f"⚠️ {escape(str(exc))}")
        return
    if not lines:
        none = t.gettext("No taught questions yet.")
        await reply(update, context, f"{none} {t.gettext(TEACH_USAGE)}")
        return
    lines.insert(0, t.gettext("<b>Taught questions</b> (/forget ID deletes one)"))
    await reply(update, context, "\n".join(lines))


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget ID: delete a taught question."""
    shared = await _admin_store(update, context)
    if shared is None or shared.store is None:
        return
    t = _t(update)
    argument = command_argument(update.effective_message)
    if _number(argument) is None:
        await reply(update, context, t.gettext("Send /forget ID, with an id from /aliases."))
        return
    try:
        gone = await asyncio.to_thread(shared.store.forget, int(argument))
    except FeedbackError as exc:
        await reply(update, context, f"⚠️ {escape(str(exc))}")
        return
    await refresh_aliases(shared)
    if gone:
        text = t.gettext("Forgot alias {id}.")
    else:
        text = t.gettext("There is no alias {id}. See /aliases.")
    await reply(update, context, text.format(id=argument))


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/privacy: what is stored, for how long, and how to opt out (for everyone)."""
    t = translator(user_language(update))
    shared = feedback(context)
    recording = shared.store is not None and shared.recording
    days = shared.days if recording else DEFAULT_DAYS
    status = t.gettext(PRIVACY_ON if recording else PRIVACY_OFF)
    text = t.gettext(PRIVACY).format(days=days, bot=escape(context.bot.username or "bot"))
    text += " " + status
    await reply(update, context, text)


# admin commands: in no menu, not in /help; others get the unknown-command reply
CURATION_CALLBACKS = {
    "unanswered": unanswered,
    "feedback": feedback_report,
    "teach": teach,
    "aliases": aliases,
    "forget": forget,
}
CURATION_COMMANDS = tuple(CURATION_CALLBACKS)
HANDLERS = [CallbackQueryHandler(teach_button, pattern=TEACH_PATTERN)]
