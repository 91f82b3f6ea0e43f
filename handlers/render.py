"""Telegram HTML for answers, facts, visits and articles. Every outside string is escaped here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from knowledge.commands import COMMANDS
from knowledge.i18n import phrase
from knowledge.models import Alternative, Answer, ArticleInfo, Fact, Source, Visit, VisitFilter

SECTION_SEPARATOR = " › "
VISITS_PER_PAGE = 5
BUTTON_LABEL_LENGTH = 48
UNSURE_NOTE = "<i>Not it? Did you mean one of these?</i>"


def unsure_note(lang: str = "en") -> str:
    """The note above "did you mean" buttons, in the asker's language."""
    return UNSURE_NOTE if lang == "en" else f"<i>{escape(phrase('did_you_mean', lang))}</i>"

NO_ANSWER = "I could not find that in the articles I know."


def link(url: str, label: str) -> str:
    return f'<a href="{escape(url)}">{escape(label)}</a>'


def source_line(sources: Iterable[Source], share_url: str | None = None) -> str:
    """`📖 Article › Section` linked to the section; several sources share the line."""
    line = "📖 " + "; ".join(
        link(s.url, SECTION_SEPARATOR.join(p for p in (s.article, s.section) if p))
        for s in dict.fromkeys(sources)
    )
    if share_url:
        line += f" · {link(share_url, '🔗 share')}"
    return line


def share_url(bot_username: str | None, answer: Answer) -> str | None:
    """A deep link (`t.me/bot?start=f123`) that shows this answer again, when it is one fact."""
    if not bot_username or len(answer.fact_ids) != 1:
        return None
    return f"https://t.me/{bot_username}?start=f{answer.fact_ids[0]}"


def render_answer(answer: Answer, bot_username: str | None = None, note: str = "") -> str:
    """An answer: the quoted fact(s) (or visits), an optional note, then the source line."""
    if answer.abstained:
        return render_no_answer(answer.suggestions, answer.lang, abstention_reason(answer))
    if answer.visits:
        parts = ["\n".join(visit_line(v) for v in answer.visits)]
    else:
        parts = [escape(answer.text).strip()]
    if phrase("in_english", answer.lang) and answer.sources:  # a greeting quotes nothing
        parts.insert(0, f"<i>{escape(phrase('in_english', answer.lang))}</i>")
    if note:
        parts.append(note)
    if answer.sources:
        parts.append(source_line(answer.sources, share_url(bot_username, answer)))
    return "\n\n".join(parts)


def render_help(username: str) -> str:
    """The /help text: every command, then how to ask in private, in groups and inline."""
    lines = [
        "<b>I answer questions about encyclopedia articles</b>, quoting the article and "
        "linking the section I quote.",
        "",
    ]
    lines += [f"/{name} — {escape(description)}" for name, description in COMMANDS]
    lines += [
        "",
        "In a private chat, just send your question.",
        f"In a group, use /ask@{username}, mention @{username} or reply to one of my messages.",
        f"In any chat, type @{username} and a question to share an answer.",
    ]
    return "\n".join(lines)


def abstention_reason(answer: Answer) -> str:
    """Why qabot abstains, when it says more than "I don't know" ('no such visit')."""
    return "" if answer.text == phrase("dont_know", answer.lang) else answer.text


def render_no_answer(suggestions: Sequence[str], lang: str = "en", reason: str = "") -> str:
    """Nothing matched: say so (in the asker's language), and suggest what can be asked."""
    default = NO_ANSWER if lang == "en" else escape(phrase("dont_know", lang))
    lines = [escape(reason) if reason else default]
    if suggestions:
        ask = "You can ask, for example:" if lang == "en" else phrase("you_could_ask", lang)
        lines += ["", escape(ask)]
        lines += [f"• {escape(s)}" for s in suggestions[:3]]
    lines += ["", "Or try /visits, /search WORDS or /sources."]
    return "\n".join(lines)


def render_facts(facts: Sequence[Fact], heading: str) -> str:
    """Numbered facts, each followed by its source line."""
    blocks = [heading]
    for number, fact in enumerate(facts, 1):
        blocks.append(f"{number}. {escape(fact.text)}\n{source_line([fact.source])}")
    return "\n\n".join(blocks)


def render_articles(articles: Sequence[ArticleInfo]) -> str:
    """The articles loaded, each with its sections."""
    if not articles:
        return "No articles are loaded."
    blocks = [f"<b>Articles loaded: {len(articles)}</b>"]
    for article in articles:
        lines = [
            f"📄 {link(article.url, article.title)} — {article.facts} facts, "
            f"{article.visits} visits"
        ]
        lines += [f"  • {escape(section)}" for section in article.sections]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def visit_line(visit: Visit) -> str:
    line = (
        f"• <b>{escape(visit.date)}</b> — {escape(visit.guest)} in {escape(visit.place)}"
        f" (host: {escape(visit.host)})"
    )
    if visit.notes:
        line += f" — {escape(visit.notes)}"
    return line


def describe_filter(flt: VisitFilter) -> str:
    """`1960–1969, Putin` for a filter; empty for no filter."""
    parts = []
    if flt.year_from is not None or flt.year_to is not None:
        start, end = flt.year_from, flt.year_to
        parts.append(str(start) if start == end else f"{start or '…'}–{end or '…'}")
    parts += [name for name in (flt.person, flt.place, flt.name) if name]
    return ", ".join(parts)


def page_count(total: int, per_page: int = VISITS_PER_PAGE) -> int:
    return max(1, -(-total // per_page))


def render_visits(
    visits: Sequence[Visit],
    flt: VisitFilter,
    page: int,
    sources: Sequence[Source],
    per_page: int = VISITS_PER_PAGE,
) -> str:
    """One page of a visits list, with its heading and the source line."""
    what = describe_filter(flt)
    heading = f"<b>High-level visits{': ' + escape(what) if what else ''}</b> ({len(visits)})"
    shown = visits[page * per_page : (page + 1) * per_page]
    lines = [heading, ""] + [visit_line(v) for v in shown]
    pages = page_count(len(visits), per_page)
    if pages > 1:
        lines += ["", f"Page {page + 1} of {pages}"]
    if sources:
        lines += ["", source_line(sources)]
    return "\n".join(lines)


def visits_keyboard(key: int, page: int, pages: int) -> InlineKeyboardMarkup | None:
    """‹ and › buttons for a long visits list; the callback data is `v:<list key>:<page>`."""
    if pages <= 1:
        return None
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton("‹ Previous", callback_data=f"v:{key}:{page - 1}"))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton("Next ›", callback_data=f"v:{key}:{page + 1}"))
    return InlineKeyboardMarkup([buttons])


def did_you_mean_keyboard(alternatives: Sequence[Alternative]) -> InlineKeyboardMarkup | None:
    """One button per runner-up fact; the callback data is `f:<fact id>`, never text."""
    rows = [
        [InlineKeyboardButton(label, callback_data=f"f:{alt.fact_id}")]
        for alt in alternatives[:3]
        if (label := shorten(alt.text, BUTTON_LABEL_LENGTH))
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def shorten(text: str, width: int) -> str:
    """`text` cut at a word boundary to at most `width` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] or text[: width - 1]
    return cut.rstrip(" ,;:.") + "…"


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split `text` into messages of at most `limit` characters, on line boundaries.

    A single line longer than `limit` is cut at a space, never inside an HTML tag or entity.
    """
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            head, line = _cut(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()] or [text[:limit]]


def _cut(line: str, limit: int) -> tuple[str, str]:
    head = line[:limit]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    else:  # no good space: do not cut an entity (&amp;) or a tag in half
        amp, lt = head.rfind("&"), head.rfind("<")
        if amp > head.rfind(";"):
            head = head[:amp]
        elif lt > head.rfind(">"):
            head = head[:lt]
    head = head or line[:limit]
    return head, line[len(head) :].lstrip(" ")
