"""A short memory per chat: the names the last answered question was about, so that a
follow-up with a pronoun and no name ("and when did he go back?") can borrow them.

The memory is small (a few names per chat, for CONTEXT_SECONDS) and kept only in RAM.
"""

from __future__ import annotations

import re
import time

from telegram.ext import ContextTypes

from handlers.state import state

CONTEXT_SECONDS = 300.0
# Words that refer back to someone or something named before, per language.
PRONOUNS = {
    "en": {"he", "she", "it", "they", "him", "her", "his", "its", "them", "their", "there"},
    "ru": {"он", "она", "оно", "они", "его", "её", "ее", "ему", "ей", "им", "их", "там", "туда"},
    "fr": {"il", "elle", "ils", "elles", "lui", "leur", "leurs", "y", "là", "son", "sa", "ses"},
    "ar": {"هو", "هي", "هم", "هما", "له", "لها", "لهم", "هناك"},
    # Not 'la' (also an article) nor German 'es' ('gibt es'): too many questions have them.
    "es": {"él", "ella", "ellos", "ellas", "le", "les", "lo", "su", "sus", "allí", "allá", "ahí"},
    "de": {"er", "sie", "ihm", "ihr", "ihn", "ihnen", "sein", "seine", "seinen", "dort", "dorthin"},
}
WORD = re.compile(r"[^\W\d_]+")


def refers_back(question: str, lang: str) -> bool:
    """Whether the question has a pronoun ('he', 'она', 'il', 'هو', 'él', 'er')."""
    pronouns = PRONOUNS.get(lang, set()) | PRONOUNS["en"]
    return any(w in pronouns for w in WORD.findall(question.casefold()))


def follow_up_entities(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, question: str, lang: str
) -> tuple[str, ...]:
    """The names to borrow for `question`: those of the chat's last question that it does
    not name itself, when it refers back with a pronoun and the memory is fresh."""
    remembered = state(context).conversations.get(chat_id)
    if remembered is None:
        return ()
    names, when = remembered
    if time.monotonic() - when > CONTEXT_SECONDS or not refers_back(question, lang):
        return ()
    own = set(state(context).kb.entities_of(question))
    return tuple(name for name in names if name not in own)


def remember_entities(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, question: str, borrowed: tuple[str, ...]
) -> None:
    """Keep the names of an answered question (or those it borrowed) for the next one."""
    names = tuple(dict.fromkeys(state(context).kb.entities_of(question) + borrowed))
    if names:
        state(context).conversations[chat_id] = (names[:4], time.monotonic())
