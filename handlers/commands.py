"""The commands, and the question answering that /ask, free text and mentions share."""

from __future__ import annotations

import logging
import re
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from handlers import feedback
from handlers.addressing import command_argument
from handlers.render import (
    did_you_mean_keyboard,
    page_count,
    render_answer,
    render_articles,
    render_facts,
    render_help,
    render_no_answer,
    render_visits,
    unsure_note,
    visits_keyboard,
)
from handlers.replies import reply
from handlers.state import state
from knowledge import parse_visit_filter, thresholds
from knowledge.models import Answer, Source, Visit, VisitFilter

log = logging.getLogger(__name__)

SEARCH_LIMIT = 5
DEEP_LINK = re.compile(r"f(\d+)")


def render_reply(
    answer: Answer, context: ContextTypes.DEFAULT_TYPE
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message for an answer; when unsure, "did you mean" buttons under it."""
    username = context.bot.username
    if answer.abstained:
        suggestions = answer.suggestions or state(context).kb.examples()[:3]
        return render_no_answer(suggestions, answer.lang), None
    if answer.curated:  # taught by an admin: no "did you mean"
        return render_answer(answer, username, note=feedback.curated_note(answer.lang)), None
    if answer.confidence < thresholds.UNSURE and answer.alternatives:
        keyboard = did_you_mean_keyboard(answer.alternatives)
        return render_answer(answer, username, note=unsure_note(answer.lang)), keyboard
    return render_answer(answer, username), None


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, *, explicit: bool
) -> None:
    """Answer `question`. In groups and channels an implicit question (a mention, a reply)
    gets no answer when the match is weak; an explicit /ask always does."""
    message = update.effective_message
    if message is None:
        return
    if not question:
        examples = state(context).kb.examples()[:2]
        hint = "Ask me a question about the articles"
        if examples:
            hint += ", for example:\n" + "\n".join(f"• {escape(e)}" for e in examples)
        await reply(update, context, hint)
        return
    counts = state(context).stats
    counts.questions += 1
    answer = await feedback.ask(context, question)  # taught aliases first, off the event loop
    weak = answer.abstained or answer.confidence < thresholds.GROUP_SILENCE
    if weak and not explicit and message.chat.type != ChatType.PRIVATE:
        counts.silent += 1
        log.debug("Staying silent in chat %s: confidence %.2f", message.chat_id, answer.confidence)
        await feedback.record_answer(update, context, question, answer, None, replied=False)
        return
    if answer.abstained:
        counts.abstained += 1
    else:
        counts.answered += 1
    text, keyboard = render_reply(answer, context)
    keyboard = await feedback.record_answer(update, context, question, answer, keyboard)
    await reply(update, context, text, keyboard)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, and deep links: `/start f123` shows fact 123."""
    payload = command_argument(update.effective_message)
    if match := DEEP_LINK.fullmatch(payload):
        answer = state(context).kb.answer_fact(int(match.group(1)))
        if answer is not None:
            await reply(update, context, render_answer(answer, context.bot.username))
            return
    examples = state(context).kb.examples()[:3]
    lines = [
        "<b>Hello!</b> I answer questions about encyclopedia articles: I quote the "
        "article and link the section, or tell you when I don't know."
    ]
    if examples:
        lines += ["", "Try asking:"] + [f"• {escape(e)}" for e in examples]
    lines += ["", "/help lists everything I can do."]
    await reply(update, context, "\n".join(lines))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, context, render_help(context.bot.username))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION: always answered, also in groups."""
    question = command_argument(update.effective_message)
    await answer_question(update, context, question, explicit=True)


async def visits(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/visits [filter]: the high-level visits, filtered, in pages."""
    words = command_argument(update.effective_message)
    flt = parse_visit_filter(words) if words else VisitFilter()
    found = state(context).kb.visits(flt)
    if not found:
        await reply(
            update,
            context,
            f"No visits match “{escape(words)}”. Try /visits 2006, /visits 2000-2010, "
            "/visits 1960s or /visits Putin.",
        )
        return
    pages = page_count(len(found))
    key = state(context).remember_visit_list(flt) if pages > 1 else 0
    text = render_visits(found, flt, 0, visits_sources(context, found))
    await reply(update, context, text, visits_keyboard(key, 0, pages))


def visits_sources(context: ContextTypes.DEFAULT_TYPE, found: list[Visit]) -> list[Source]:
    """The sources of a visits list: the tables its visits come from."""
    facts = (state(context).kb.fact(visit.fact_id) for visit in found)
    return list(dict.fromkeys(fact.source for fact in facts if fact is not None))


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: the articles loaded, with their sections."""
    await reply(update, context, render_articles(state(context).kb.articles()))


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/search WORDS: the best matching facts, each with its source."""
    words = command_argument(update.effective_message)
    if not words:
        await reply(update, context, "Send /search and some words: <code>/search arms deal</code>.")
        return
    facts = state(context).kb.search(words, limit=SEARCH_LIMIT)
    if not facts:
        await reply(update, context, f"No facts match “{escape(words)}”. See /sources.")
        return
    await reply(update, context, render_facts(facts, f"<b>Facts matching “{escape(words)}”</b>"))


# name → callback; `handlers/__init__.py` registers them, the channel handler dispatches to them
COMMAND_CALLBACKS = {
    "start": start,
    "help": help_command,
    "ask": ask,
    "visits": visits,
    "sources": sources,
    "search": search,
}
