"""Admin commands, for the user ids in QABOT_ADMINS only: /reload and /stats.

They are in no command menu and not in /help. Anyone else gets exactly what an unknown
command gets: a pointer to /help in a private chat, silence in a group.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.i18n import translator
from handlers.chat import unknown_command
from handlers.feedback import stats_lines
from handlers.language import user_language
from handlers.render import escape
from handlers.replies import reply
from handlers.state import state
from knowledge import KnowledgeBase, KnowledgeBaseError

log = logging.getLogger(__name__)

ADMIN_COMMANDS = ("reload", "stats")


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """An admin, in a private chat (admin commands never run in groups)."""
    message = update.effective_message
    user = update.effective_user
    return (
        message is not None
        and message.chat.type == ChatType.PRIVATE
        and user is not None
        and user.id in state(context).admins
    )


async def _not_for_you(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Exactly what an unknown command gets."""
    message = update.effective_message
    if message is not None and message.chat.type == ChatType.PRIVATE:
        await unknown_command(update, context)


def why_unreadable(path: Path, error: Exception) -> str:
    """One line saying why the knowledge base file at `path` could not be opened.

    The checks in `KnowledgeBase.open` say it themselves; a file that passes them but is
    damaged further in fails while loading (e.g. `database disk image is malformed`).
    """
    if isinstance(error, KnowledgeBaseError):
        return str(error)
    detail = " ".join(str(error).split())[:200] or type(error).__name__
    return f"{path} could not be read (corrupt?): {detail}"


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: open the knowledge base file again and serve it, with no restart.

    The new base is opened (read-only, checked) in a thread, then swapped in with one
    assignment; the old one is closed when the last handler using it finishes. A bad file
    keeps the old base.
    """
    if not is_admin(update, context):
        await _not_for_you(update, context)
        return
    shared = state(context)
    path = shared.kb.path
    try:
        new = await asyncio.to_thread(KnowledgeBase.open, path, read_only=True)
    except Exception as exc:  # whatever is wrong with the file, the old base stays
        reason = why_unreadable(path, exc)
        log.warning("Reload failed: %s", reason)
        log.debug("Reload failed", exc_info=exc)
        t = translator(user_language(update))
        failed = t.gettext("⚠️ Reload failed, still serving the previous knowledge base:")
        await reply(update, context, f"{escape(failed)} {escape(reason)}")
        return
    shared.swap(new)
    shared.stats.reloads += 1
    articles = await asyncio.to_thread(new.articles)
    log.info("Reloaded the knowledge base from %s", path)
    t = translator(user_language(update))
    loaded = t.ngettext("{n} article", "{n} articles", len(articles)).format(n=len(articles))
    facts = sum(a.facts for a in articles)
    loaded += ", " + t.ngettext("{n} fact", "{n} facts", facts).format(n=facts)
    text = t.gettext("✅ Reloaded {path}: {loaded}.").format(path=escape(str(path)), loaded=loaded)
    await reply(update, context, text)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: uptime, questions, answers, abstentions, what is loaded."""
    if not is_admin(update, context):
        await _not_for_you(update, context)
        return
    shared = state(context)
    counts = shared.stats
    kb = shared.kb
    articles, visits = await asyncio.to_thread(lambda: (kb.articles(), kb.visits()))
    t = translator(user_language(update))
    uptime = int(time.monotonic() - counts.started)
    hours, rest = divmod(uptime, 3600)
    facts = sum(a.facts for a in articles)
    rows = [
        (t.gettext("Uptime"), f"{hours}h {rest // 60:02d}m {rest % 60:02d}s"),
        (t.gettext("Questions"), counts.questions),
        (t.gettext("Answered"), counts.answered),
        (t.gettext("Abstained"), counts.abstained),
        (t.gettext("Left unanswered in groups (weak match)"), counts.silent),
        (t.gettext("Refused by the flood limit"), counts.flood_refused),
        (t.gettext("Reloads"), counts.reloads),
        (
            t.gettext("Loaded"),
            t.ngettext("{n} article", "{n} articles", len(articles)).format(n=len(articles)),
        ),
        (t.gettext("Loaded"), t.ngettext("{n} fact", "{n} facts", facts).format(n=facts)),
        (
            t.gettext("Loaded"),
            t.ngettext("{n} visit", "{n} visits", len(visits)).format(n=len(visits)),
        ),
    ]
    title = t.gettext("qabot statistics")
    lines = [f"<b>{escape(title)}</b>"]
    lines += [f"{escape(label)}: {escape(str(value))}" for label, value in rows]
    lines += await stats_lines(context, user_language(update))  # 👍, 👎… over 7 days
    await reply(update, context, "\n".join(lines))


ADMIN_CALLBACKS = {"reload": reload, "stats": stats}
