"""Which language to answer in: the question's, else the user's Telegram `language_code`."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.i18n import choose_language, normalize
from knowledge import lexicon
from knowledge.query import detect_language
from knowledge.text import words


def question_language(text: str) -> str | None:
    """'ru', 'ar' or 'fr' when the text is in that language; 'en' only when it has English
    function or question words; None when it is too short or plain to tell ('Bonjour',
    'Putin 2006')."""
    lang = detect_language(text)
    if lang != "en":
        return lang
    tokens = words(text)
    english = lexicon.stopwords("en")
    questions = {key[0] for key in lexicon.question_words()}
    return "en" if any(t in english or t in questions for t in tokens) else None


def user_language(update: Update | None) -> str:
    """The user's Telegram language, when we have a catalog for it; else English."""
    user = update.effective_user if update is not None else None
    return normalize(user.language_code if user else None)


async def language_of(update: Update | None, question: str = "") -> str:
    """The language of the reply to `update` (about `question`, if there is one).

    Told off the event loop: the first question after start may wait for the language model.
    """
    user = update.effective_user if update is not None else None
    asked = await asyncio.to_thread(question_language, question) if question.strip() else None
    return choose_language(asked, user.language_code if user else None)
