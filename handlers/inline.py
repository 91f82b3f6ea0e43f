"""Inline mode: `@bot question` in any chat offers answers, each with its citation."""

from __future__ import annotations

from dataclasses import replace

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import MessageLimit
from telegram.ext import ContextTypes

from handlers.render import SECTION_SEPARATOR, render_answer, shorten
from handlers.state import state
from knowledge.models import Answer

INLINE_RESULTS = 10  # Telegram allows 50; ten fit on a phone screen
TITLE_LENGTH = 80
DESCRIPTION_LENGTH = 120
CACHE_SECONDS = 300


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Up to ten answers for the query; example questions with their answers for an empty one."""
    query = update.inline_query
    if query is None:
        return
    kb = state(context).kb
    question = query.query.strip()
    answers: list[tuple[str, str, Answer]] = []  # title, description, answer
    if not question:
        questions = [e for e in kb.examples() if not e.startswith("/")]  # not commands
        for example in questions[:INLINE_RESULTS]:
            answer = kb.ask(example)
            if not answer.abstained:
                answers.append((example, shorten(answer.text, DESCRIPTION_LENGTH), answer))
        button = InlineQueryResultsButton(text="How to ask me", start_parameter="inline")
    else:
        best = kb.ask(question)
        if not best.abstained and best.intent != "greeting":  # nothing to share
            answers.append(_titled(best))
            seen = set(best.fact_ids)
            fact_ids = [alt.fact_id for alt in best.alternatives]
            fact_ids += [fact.id for fact in kb.search(question, limit=INLINE_RESULTS)]
            for fact_id in fact_ids:
                if len(answers) >= INLINE_RESULTS:
                    break
                if fact_id in seen or (answer := kb.answer_fact(fact_id)) is None:
                    continue
                seen.add(fact_id)
                answers.append(_titled(answer))
        button = (
            None
            if answers
            else InlineQueryResultsButton(
                text="No answer found: see what I know", start_parameter="inline"
            )
        )
    results = [
        InlineQueryResultArticle(
            id=str(number),
            title=title,
            description=description,
            input_message_content=InputTextMessageContent(_fitted(answer, context.bot.username)),
        )
        for number, (title, description, answer) in enumerate(answers[:INLINE_RESULTS])
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, button=button)


def _titled(answer: Answer) -> tuple[str, str, Answer]:
    """Title an answer with its quote, described by its citation (`Article › Section`)."""
    first = answer.sources[0] if answer.sources else None
    where = SECTION_SEPARATOR.join(p for p in (first.article, first.section) if p) if first else ""
    return shorten(answer.text or answer.question, TITLE_LENGTH) or "Answer", where, answer


def _fitted(answer: Answer, username: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> str:
    """The rendered answer, its quote shortened until it fits one message with its source."""
    text = render_answer(answer, username)
    width = len(answer.text)
    while len(text) > limit and width > 20:
        width = width * 3 // 4
        text = render_answer(replace(answer, text=shorten(answer.text, width)), username)
    return text
