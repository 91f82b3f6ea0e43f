"""Telegram HTML for answers, facts, visits and articles, in the reader's language.

Every outside string (article text, user text) is escaped here. Every message fits
Telegram's 4,096 UTF-16 units: lists are cut into pages that each fit one message.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.i18n import N_, translator
from bot.phrases import describe_filter, shorten, utf16_len, utf16_prefix
from knowledge.commands import COMMANDS
from knowledge.i18n import phrase
from knowledge.models import Alternative, Answer, ArticleInfo, Fact, Source, Visit, VisitFilter

SECTION_SEPARATOR = " › "
VISITS_PER_PAGE = 5
BUTTON_LABEL_LENGTH = 48
QUERY_WIDTH = 60  # characters of a user's words repeated in a heading
# A page's budget, in UTF-16 units: room under Telegram's limit for the page line.
PAGE_BUDGET = MessageLimit.MAX_TEXT_LENGTH - 300
SOURCES_LINES_PER_PAGE = 40
UNSURE_NOTE = N_("<i>Not it? Did you mean one of these?</i>")
NO_ANSWER = N_("I could not find that in the articles I know.")

__all__ = ["escape", "shorten", "utf16_len"]


def escape(text: str) -> str:
    """Text for Telegram HTML: `<`, `>` and `&` escaped (quotes need no escaping outside
    attributes)."""
    return html.escape(text, quote=False)


def unsure_note(lang: str = "en") -> str:
    """The note just above "did you mean" buttons, in the reader's language."""
    return translator(lang).gettext(UNSURE_NOTE)


def link(url: str, label: str) -> str:
    """`label` linked to `url`; plain text when there is no link (an owner's article)."""
    return f'<a href="{html.escape(url)}">{escape(label)}</a>' if url else escape(label)


def where(source: Source) -> str:
    """`Article › Section`."""
    return SECTION_SEPARATOR.join(p for p in (source.article, source.section) if p)


def source_line(sources: Iterable[Source], share_url: str | None = None, lang: str = "en") -> str:
    """`📖 Article › Section` linked to the section; several sources share the line."""
    line = "📖 " + "; ".join(link(s.url, where(s)) for s in dict.fromkeys(sources))
    if share_url:
        label = translator(lang).gettext("🔗 share")
        line += f" · {link(share_url, label)}"
    return line


def share_url(bot_username: str | None, answer: Answer) -> str | None:
    """A deep link (`t.me/bot?start=f123`) that shows this answer again, when it is one fact."""
    if not bot_username or len(answer.fact_ids) != 1:
        return None
    return f"https://t.me/{bot_username}?start=f{answer.fact_ids[0]}"


def render_answer(
    answer: Answer,
    bot_username: str | None = None,
    note: str = "",
    lang: str = "en",
    assumed: str = "",
) -> str:
    """An answer: the quoted fact(s) (or visits), the source line, then an optional note
    (the "did you mean" note sits last, just above its buttons).

    `assumed` names what a follow-up question was taken to be about ("he" → Putin).
    """
    t = translator(lang)
    if answer.abstained:
        return render_no_answer(answer.suggestions, lang, abstention_reason(answer))
    parts = []
    if lang != "en" and answer.sources:  # a greeting quotes nothing
        framing = t.gettext("From the article (in English):")
        parts.append(f"<i>{escape(framing)}</i>")
    if assumed:
        about = t.gettext("(About {name}, as in your last question.)").format(name=assumed)
        parts.append(f"<i>{escape(about)}</i>")
    if answer.visits:
        parts.append("\n".join(visit_line(v, lang) for v in answer.visits))
    else:
        parts.append(escape(answer.text).strip())
    if answer.sources:
        parts.append(source_line(answer.sources, share_url(bot_username, answer), lang))
    if note:
        parts.append(note)
    return "\n\n".join(parts)


def render_help(username: str, lang: str = "en", examples: Sequence[str] = ()) -> str:
    """The /help text: every command, then how to ask in private, in groups and inline."""
    t = translator(lang)
    lines = [
        t.gettext(
            "<b>I answer questions about encyclopedia articles</b>, quoting the article and "
            "linking the section I quote."
        ),
        "",
    ]
    lines += [f"/{name} — {escape(t.gettext(description))}" for name, description in COMMANDS]
    if examples:
        lines += ["", escape(t.gettext("For example:"))]
        lines += [f"• {escape(e)}" for e in examples[:3]]
    lines += [
        "",
        escape(t.gettext("In a private chat, just send your question.")),
        escape(
            t.gettext(
                "In a group, use /ask@{bot}, mention @{bot} or reply to one of my messages."
            ).format(bot=username)
        ),
        escape(
            t.gettext("In any chat, type @{bot} and a question to share an answer.").format(
                bot=username
            )
        ),
    ]
    return "\n".join(lines)


def abstention_reason(answer: Answer) -> str:
    """Why qabot abstains, when it says more than "I don't know" ('no such visit')."""
    return "" if answer.text == phrase("dont_know", answer.lang) else answer.text


def render_no_answer(suggestions: Sequence[str], lang: str = "en", reason: str = "") -> str:
    """Nothing matched: say so (in the reader's language), and suggest what can be asked."""
    t = translator(lang)
    lines = [escape(reason) if reason else escape(t.gettext(NO_ANSWER))]
    if suggestions:
        lines += ["", escape(t.gettext("You can ask, for example:"))]
        lines += [f"• {escape(s)}" for s in suggestions[:3]]
    lines += ["", escape(t.gettext("Or try /visits, /search WORDS or /sources."))]
    return "\n".join(lines)


def render_facts(facts: Sequence[Fact], heading: str) -> str:
    """Numbered facts, each followed by its source line."""
    blocks = [heading]
    for number, fact in enumerate(facts, 1):
        blocks.append(f"{number}. {escape(fact.text)}\n{source_line([fact.source])}")
    return "\n\n".join(blocks)


def quoted(words: str) -> str:
    """A user's words for a heading: shortened, escaped."""
    return escape(shorten(words, QUERY_WIDTH))


# -- visits ------------------------------------------------------------------------------


def visit_line(visit: Visit, lang: str = "en", width: int | None = None) -> str:
    """`• <b>date</b> — guest in place (host: host) — notes`; fields cut to `width`."""
    t = translator(lang)

    def cut(text: str) -> str:
        return escape(shorten(text, width) if width else text)

    line = f"• <b>{cut(visit.date)}</b> — " + t.gettext("{guest} in {place} (host: {host})").format(
        guest=cut(visit.guest), place=cut(visit.place), host=cut(visit.host)
    )
    if visit.notes:
        line += f" — {cut(visit.notes)}"
    return line


def page_count(total: int, per_page: int = VISITS_PER_PAGE) -> int:
    return max(1, -(-total // per_page))


def page_sources(visits: Sequence[Visit], facts: dict[int, Fact]) -> list[Source]:
    """The sources of the visits shown (their tables), in order, once each."""
    return list(dict.fromkeys(facts[v.fact_id].source for v in visits if v.fact_id in facts))


def render_visits(
    shown: Sequence[Visit],
    total: int,
    flt: VisitFilter,
    page: int,
    sources: Sequence[Source],
    lang: str = "en",
    per_page: int = VISITS_PER_PAGE,
) -> str:
    """One page of a visits list: heading, the page's visits, page number, and the sources
    of those visits only. Always one message: long fields are cut until it fits."""
    t = translator(lang)
    what = describe_filter(flt)
    heading = t.gettext("High-level visits") + (f": {what}" if what else "")
    head = f"<b>{escape(heading)}</b> ({total})"
    pages = page_count(total, per_page)
    tail = []
    if pages > 1:
        tail = ["", escape(t.gettext("Page {page} of {pages}").format(page=page + 1, pages=pages))]
    text = ""
    for width in (None, 400, 160, 60, 24):
        source = source_line(sources[:per_page]) if sources else ""
        lines = [head, ""] + [visit_line(v, lang, width) for v in shown] + tail
        if source:
            lines += ["", source]
        text = "\n".join(lines)
        if utf16_len(text) <= PAGE_BUDGET:
            break
    return text


def pager(data: str, page: int, pages: int, lang: str = "en") -> list[InlineKeyboardButton]:
    """‹ and › buttons; `data` is a format string with `{page}` (callback data)."""
    t = translator(lang)
    buttons = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton(t.gettext("‹ Previous"), callback_data=data.format(page=page - 1))
        )
    if page < pages - 1:
        buttons.append(
            InlineKeyboardButton(t.gettext("Next ›"), callback_data=data.format(page=page + 1))
        )
    return buttons


# -- articles (/sources) -----------------------------------------------------------------


def article_lines(articles: Sequence[ArticleInfo], lang: str = "en") -> list[str]:
    """/sources as lines: each article (linked, with counts), then its sections."""
    t = translator(lang)
    lines = []
    for article in articles:
        counts = ", ".join(
            (
                t.ngettext("{n} fact", "{n} facts", article.facts).format(n=article.facts),
                t.ngettext("{n} visit", "{n} visits", article.visits).format(n=article.visits),
            )
        )
        lines.append(f"📄 {link(article.url, shorten(article.title, 200))} — {escape(counts)}")
        lines += [f"  • {escape(shorten(section, 120))}" for section in article.sections]
    return lines


def line_pages(lines: Sequence[str], budget: int = PAGE_BUDGET) -> list[tuple[int, int]]:
    """(start, end) of each page of `lines`: at most SOURCES_LINES_PER_PAGE lines and
    `budget` UTF-16 units a page."""
    pages = []
    start, size = 0, 0
    for index, line in enumerate(lines):
        cost = utf16_len(line) + 1
        if index > start and (size + cost > budget or index - start >= SOURCES_LINES_PER_PAGE):
            pages.append((start, index))
            start, size = index, 0
        size += cost
    pages.append((start, len(lines)))
    return pages


def render_articles(
    articles: Sequence[ArticleInfo], page: int = 0, lang: str = "en"
) -> tuple[str, int]:
    """One page of /sources, and the number of pages."""
    t = translator(lang)
    if not articles:
        return escape(t.gettext("No articles are loaded.")), 1
    lines = article_lines(articles, lang)
    pages = line_pages(lines)
    page = min(max(page, 0), len(pages) - 1)
    start, end = pages[page]
    count = len(articles)
    heading = t.ngettext("Articles loaded: {n}", "Articles loaded: {n}", count).format(n=count)
    body = [f"<b>{escape(heading)}</b>", ""] + list(lines[start:end])
    if len(pages) > 1:
        label = t.gettext("Page {page} of {pages}").format(page=page + 1, pages=len(pages))
        body += ["", escape(label)]
    return "\n".join(body), len(pages)


# -- did you mean ------------------------------------------------------------------------


def did_you_mean_keyboard(alternatives: Sequence[Alternative]) -> InlineKeyboardMarkup | None:
    """One button per runner-up fact; the callback data is `f:<fact id>`, never text."""
    rows = [
        [InlineKeyboardButton(label, callback_data=f"f:{alt.fact_id}")]
        for alt in alternatives[:3]
        if (label := shorten(alt.text, BUTTON_LABEL_LENGTH))
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split `text` into messages of at most `limit` UTF-16 units (Telegram's measure: an
    emoji counts 2), on line boundaries.

    A single line longer than `limit` is cut at a space, never inside an HTML tag or entity.
    """
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while utf16_len(line) > limit:
            head, line = _cut(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()] or [utf16_prefix(text, limit)]


def _cut(line: str, limit: int) -> tuple[str, str]:
    """The start of `line` that fits `limit` UTF-16 units (cut at a space when one is near the
    end), and the rest."""
    head = utf16_prefix(line, limit)
    space = head.rfind(" ")
    if space > len(head) // 2:
        head = head[:space]
    else:  # no good space: do not cut an entity (&amp;) or a tag in half
        amp, lt = head.rfind("&"), head.rfind("<")
        if amp > head.rfind(";"):
            head = head[:amp]
        elif lt > head.rfind(">"):
            head = head[:lt]
    head = head or utf16_prefix(line, limit) or line[:1]
    return head, line[len(head) :].lstrip(" ")
