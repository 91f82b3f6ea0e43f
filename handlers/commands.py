"""The commands, and the question answering that /ask, free text and mentions share."""

from __future__ import annotations

import asyncio
import logging
import re
import weakref

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.examples import examples
from bot.i18n import translator
from bot.phrases import filter_hint, filter_problem, no_visits
from handlers import feedback
from handlers.addressing import command_argument
from handlers.conversation import follow_up_entities, remember_entities
from handlers.language import language_of, user_language
from handlers.render import (
    abstention_reason,
    did_you_mean_keyboard,
    escape,
    page_count,
    page_sources,
    pager,
    quoted,
    render_answer,
    render_articles,
    render_facts,
    render_help,
    render_no_answer,
    render_visits,
    unsure_note,
)
from handlers.replies import reply, retract
from handlers.state import state
from knowledge import (
    KnowledgeBase,
    VisitFilterError,
    filter_text,
    parse_visit_filter,
    thresholds,
)
from knowledge.models import Answer, ArticleInfo, VisitFilter

log = logging.getLogger(__name__)

SEARCH_LIMIT = 5
DEEP_LINK = re.compile(r"f([1-9][0-9]*)")  # `f123`: ASCII digits only, as share_url writes them
LARGEST_FACT_ID = 2**63 - 1  # SQLite's largest integer: a larger id is no fact of ours
CALLBACK_LIMIT = 64  # bytes of callback_data Telegram keeps
VISITS_DATA = "vp:{page}:"  # + the filter as text: the whole state of a visits page
SOURCES_DATA = "sp:{page}"


async def examples_of(
    context: ContextTypes.DEFAULT_TYPE, lang: str, questions_only: bool = False
) -> list[str]:
    """Example questions in `lang` for the knowledge base served. Worked out once per base
    and language (it asks the engine), in a thread: never on the event loop."""
    return await asyncio.to_thread(examples, state(context).kb, lang, questions_only)


def suggestions(answer: Answer, kb: KnowledgeBase, lang: str) -> list[str]:
    """What to suggest when abstaining: the engine's own candidates when it has some, then
    example questions from the articles loaded, in the reader's language."""
    generic = set(kb.examples())
    own = [s for s in answer.suggestions if s not in generic] if lang == "en" else []
    return list(dict.fromkeys(own + examples(kb, lang)))[:3]


def render_reply(
    answer: Answer, context: ContextTypes.DEFAULT_TYPE, lang: str = "en", assumed: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message for an answer; when unsure, "did you mean" buttons under it."""
    username = context.bot.username
    if answer.abstained:
        reason = abstention_reason(answer)
        text = render_no_answer(suggestions(answer, state(context).kb, lang), lang, reason)
        # the closest facts found for this question, as buttons
        return text, did_you_mean_keyboard(answer.alternatives) if answer.alternatives else None
    if answer.curated:  # taught by an admin: no "did you mean"
        return render_answer(answer, username, feedback.curated_note(lang), lang, assumed), None
    if answer.confidence < thresholds.of(answer.route).unsure and answer.alternatives:
        keyboard = did_you_mean_keyboard(answer.alternatives)
        note = unsure_note(lang) if keyboard else ""
        return render_answer(answer, username, note, lang, assumed), keyboard
    return render_answer(answer, username, lang=lang, assumed=assumed), None


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, *, explicit: bool
) -> None:
    """Answer `question`. In groups and channels an implicit question (a mention, a reply)
    gets no answer when the match is weak; an explicit /ask always does.

    A follow-up such as "and when did he go back?" borrows the names of the chat's last
    question (for a few minutes), and the answer says which name it assumed.
    """
    message = update.effective_message
    if message is None:
        return
    lang = await language_of(update, question)
    t = translator(lang)
    if not question:
        hint = escape(t.gettext("Ask me a question about the articles."))
        found = (await examples_of(context, lang))[:2]
        if found:
            hint += "\n" + escape(t.gettext("For example:")) + "\n"
            hint += "\n".join(f"• {escape(e)}" for e in found)
        await reply(update, context, hint)
        return
    counts = state(context).stats
    counts.questions += 1
    borrowed = follow_up_entities(context, message.chat_id, question, lang)
    # taught aliases first, then retrieval, off the event loop
    answer = await feedback.ask(context, question, borrowed)
    weak = answer.abstained or answer.confidence < thresholds.of(answer.route).group_silence
    if weak and not explicit and message.chat.type != ChatType.PRIVATE:
        counts.silent += 1
        log.debug("Staying silent in chat %s: confidence %.2f", message.chat_id, answer.confidence)
        await feedback.record_answer(update, context, question, answer, None, replied=False)
        await retract(update, context, lang)  # an edit made an earlier answer wrong
        return
    if answer.abstained:
        counts.abstained += 1
        await examples_of(context, lang)  # the suggestions, worked out off the event loop
    else:
        counts.answered += 1
        remember_entities(context, message.chat_id, question, borrowed)
    assumed = ", ".join(name.title() for name in borrowed) if not answer.abstained else ""
    text, keyboard = render_reply(answer, context, lang, assumed)
    keyboard = await feedback.record_answer(update, context, question, answer, keyboard)
    await reply(update, context, text, keyboard)


def welcome(found: list[str], lang: str) -> str:
    """The /start text: what the bot does, questions to try (`found`), where to look next."""
    t = translator(lang)
    lines = [
        t.gettext(
            "<b>Hello!</b> I answer questions about encyclopedia articles: I quote the "
            "article and link the section, or tell you when I don't know."
        )
    ]
    if found:
        lines += ["", escape(t.gettext("Try asking:"))] + [f"• {escape(e)}" for e in found[:3]]
    lines += ["", escape(t.gettext("/help lists everything I can do."))]
    return "\n".join(lines)


def deep_link_fact(payload: str) -> int | None:
    """The fact id in a /start payload the bot made (`f123` → 123); None for anything else,
    e.g. an id too large for the knowledge base to hold (`f99999999999999999999999999`)."""
    match = DEEP_LINK.fullmatch(payload)
    if match is None or len(match.group(1)) > len(str(LARGEST_FACT_ID)):
        return None
    fact_id = int(match.group(1))
    return fact_id if fact_id <= LARGEST_FACT_ID else None


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, and deep links: `/start f123` shows fact 123; an unknown link says so."""
    payload = command_argument(update.effective_message)
    lang = user_language(update)
    t = translator(lang)
    notice = ""
    if payload and (fact_id := deep_link_fact(payload)) is not None:
        answer = await asyncio.to_thread(state(context).kb.answer_fact, fact_id)
        if answer is not None:
            await reply(update, context, render_answer(answer, context.bot.username, lang=lang))
            return
        notice = t.gettext("That fact is no longer in the knowledge base.")
    elif payload and payload != "inline":
        notice = t.gettext("I don't recognise that link.")
    text = welcome(await examples_of(context, lang), lang)
    await reply(update, context, f"{escape(notice)}\n\n{text}" if notice else text)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = user_language(update)
    found = await examples_of(context, lang)
    await reply(update, context, render_help(context.bot.username, lang, found))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION: always answered, also in groups."""
    question = command_argument(update.effective_message)
    await answer_question(update, context, question, explicit=True)


def name_example(kb: KnowledgeBase) -> str | None:
    """A guest's name from the visits loaded, for hints (`/visits Medvedev`)."""
    for visit in reversed(kb.visits()):
        if visit.guest:
            return visit.guest.split()[-1]
    return None


def visits_page(
    kb: KnowledgeBase, flt: VisitFilter, page: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """One page of a visits list as one message, with ‹ › buttons that carry the filter
    and the page (no server memory); None when nothing matches."""
    found = kb.visits(flt)
    if not found:
        return None
    pages = page_count(len(found))
    page = min(max(page, 0), pages - 1)
    shown = found[page * 5 : (page + 1) * 5]
    facts = {v.fact_id: fact for v in shown if (fact := kb.fact(v.fact_id)) is not None}
    text = render_visits(shown, len(found), flt, page, page_sources(shown, facts), lang)
    if pages == 1:
        return text, None
    data = VISITS_DATA + filter_text(flt)
    if len(data.format(page=pages).encode()) > CALLBACK_LIMIT:
        note = translator(lang).gettext("Narrow the filter to turn the pages.")
        return text + "\n\n" + escape(note), None
    return text, InlineKeyboardMarkup([pager(data, page, pages, lang)])


async def visits(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/visits [filter]: the high-level visits, filtered, one page per message."""
    words = command_argument(update.effective_message)
    lang = await language_of(update, words)
    t = translator(lang)
    kb = state(context).kb
    try:
        flt = parse_visit_filter(words) if words else VisitFilter()
    except VisitFilterError as exc:
        example = await asyncio.to_thread(name_example, kb)
        text = f"{filter_problem(exc, t)} {filter_hint(t, example)}"
        await reply(update, context, escape(text))
        return
    page = await asyncio.to_thread(visits_page, kb, flt, 0, lang)
    if page is None:
        text = no_visits(flt, t)
        if not flt.empty:
            text += " " + filter_hint(t, await asyncio.to_thread(name_example, kb))
        await reply(update, context, escape(text))
        return
    await reply(update, context, *page)


_articles: weakref.WeakKeyDictionary[KnowledgeBase, list[ArticleInfo]] = weakref.WeakKeyDictionary()


async def articles_of(context: ContextTypes.DEFAULT_TYPE) -> list[ArticleInfo]:
    """The articles of the knowledge base served, read once per base (it never changes;
    /reload serves a new one), in a thread."""
    kb = state(context).kb
    if kb not in _articles:
        _articles[kb] = await asyncio.to_thread(kb.articles)
    return _articles[kb]


def sources_page(
    articles: list[ArticleInfo], page: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of /sources, with ‹ › buttons."""
    text, pages = render_articles(articles, page, lang)
    page = min(max(page, 0), pages - 1)
    if pages == 1:
        return text, None
    return text, InlineKeyboardMarkup([pager(SOURCES_DATA, page, pages, lang)])


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: the articles loaded, with their sections, one page per message."""
    page = sources_page(await articles_of(context), 0, user_language(update))
    await reply(update, context, *page)


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/search WORDS: the best matching facts, each with its source."""
    words = command_argument(update.effective_message)
    lang = await language_of(update, words)
    t = translator(lang)
    if not words:
        text = escape(t.gettext("Send /search and some words, for example:"))
        found = [e for e in await examples_of(context, lang) if e.startswith("/search")]
        command = escape(found[0] if found else "/search")
        await reply(update, context, f"{text} <code>{command}</code>")
        return
    facts = await asyncio.to_thread(state(context).kb.search, words, limit=SEARCH_LIMIT)
    if not facts:
        text = escape(t.gettext("No facts match “{words}”. See /sources."))
        await reply(update, context, text.format(words=quoted(words)))
        return
    heading = escape(t.gettext("Facts matching “{words}”")).format(words=quoted(words))
    await reply(update, context, render_facts(facts, f"<b>{heading}</b>"))


# name → callback; `handlers/__init__.py` registers them, the channel handler dispatches to them
COMMAND_CALLBACKS = {
    "start": start,
    "help": help_command,
    "ask": ask,
    "visits": visits,
    "sources": sources,
    "search": search,
}
