"""Inline mode: `@bot question` in any chat offers answers, each with its citation."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import MessageLimit
from telegram.ext import ContextTypes

from bot.i18n import translator
from handlers.commands import examples_of
from handlers.language import language_of
from handlers.render import render_answer, shorten, utf16_len, where
from handlers.state import state
from knowledge import thresholds
from knowledge.models import Answer

INLINE_RESULTS = 10  # Telegram allows 50; ten fit on a phone screen
TITLE_LENGTH = 80
DESCRIPTION_LENGTH = 120
CACHE_SECONDS = 300


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers for the query, only confident ones; example questions (with their answers)
    for an empty query. Everything in the asker's language."""
    query = update.inline_query
    if query is None:
        return
    kb = state(context).kb
    question = query.query.strip()
    lang = await language_of(update, question)
    t = translator(lang)
    answers: list[tuple[str, str, Answer]] = []  # title, description, answer
    if not question:
        for example in (await examples_of(context, lang, questions_only=True))[:INLINE_RESULTS]:
            answer = await asyncio.to_thread(kb.ask, example)
            if not answer.abstained:
                answers.append((example, shorten(answer.text, DESCRIPTION_LENGTH), answer))
        button = InlineQueryResultsButton(text=t.gettext("How to ask me"), start_parameter="inline")
    else:
        best = await asyncio.to_thread(kb.ask, question)
        if not best.abstained and best.intent != "greeting":  # nothing to share
            answers.append(_titled(best))
            seen = set(best.fact_ids)
            floor = thresholds.of(best.route).unsure  # results after the first: only sure ones
            for alt in best.alternatives:
                if len(answers) >= INLINE_RESULTS or alt.confidence < floor:
                    continue
                if alt.fact_id in seen:
                    continue
                answer = await asyncio.to_thread(kb.answer_fact, alt.fact_id)
                if answer is None:
                    continue
                seen.add(alt.fact_id)
                answers.append(_titled(replace(answer, confidence=alt.confidence)))
        button = (
            None
            if answers
            else InlineQueryResultsButton(
                text=t.gettext("No answer found: see what I know"), start_parameter="inline"
            )
        )
    results = [
        InlineQueryResultArticle(
            id=str(number),
            title=title,
            description=description,
            input_message_content=InputTextMessageContent(
                _fitted(answer, context.bot.username, lang)
            ),
        )
        for number, (title, description, answer) in enumerate(answers[:INLINE_RESULTS])
    ]
    # personal: the language (and so the results) depends on who asks
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True, button=button)


def _titled(answer: Answer) -> tuple[str, str, Answer]:
    """Title an answer with its quote, described by its citation (`Article › Section`)."""
    first = answer.sources[0] if answer.sources else None
    return (
        shorten(answer.text or answer.question, TITLE_LENGTH) or "…",
        where(first) if first else "",
        answer,
    )


def _fitted(
    answer: Answer, username: str, lang: str, limit: int = MessageLimit.MAX_TEXT_LENGTH
) -> str:
    """The rendered answer, its quote shortened until it fits one message with its source."""
    text = render_answer(answer, username, lang=lang)
    width = len(answer.text)
    while utf16_len(text) > limit and width > 20:
        width = width * 3 // 4
        text = render_answer(replace(answer, text=shorten(answer.text, width)), username, lang=lang)
    return text
