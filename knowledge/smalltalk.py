"""Greetings and thanks around a question ('hey, who is...?', '...? thanks'): recognised, set
aside, and answered with a short friendly reply when nothing else was asked.

The lists are short on purpose: words people greet and thank with, per language. They are only
ever removed at the edges of a question, never from inside it.
"""

from __future__ import annotations

from functools import lru_cache

from .text import TOKEN_RE, fold, words

HELLO = {
    "en": "hi, hello, hey, hiya, howdy, yo, greetings, good morning, good afternoon, "
    "good evening, good day, hi there, hello there, hey there, dear bot, ok, okay",
    "ru": "привет, здравствуйте, здравствуй, добрый день, доброе утро, добрый вечер, "
    "приветствую, пожалуйста",
    "fr": "bonjour, salut, bonsoir, coucou, s'il vous plaît, s'il te plaît, svp, stp",
    "ar": "مرحبا, مرحباً, أهلا, أهلاً, أهلا وسهلا, السلام عليكم, صباح الخير, مساء الخير, "
    "من فضلك, لو سمحت",
    "es": "hola, buenos días, buenas tardes, buenas noches, saludos, por favor",
    "de": "hallo, guten tag, guten morgen, guten abend, moin, servus, bitte",
}
THANKS = {
    "en": "thanks, thank you, thank you very much, thanks a lot, many thanks, thx, ty, "
    "cheers, thank you so much",
    "ru": "спасибо, большое спасибо, благодарю, спасибо большое",
    "fr": "merci, merci beaucoup, merci bien",
    "ar": "شكرا, شكراً, شكرا جزيلا, شكراً جزيلاً, جزاك الله خيرا",
    "es": "gracias, muchas gracias, mil gracias",
    "de": "danke, danke schön, danke sehr, vielen dank, besten dank",
}
REPLIES = {
    "hello": {
        "en": "Hello! Ask me about the articles I have, for example:",
        "ru": "Здравствуйте! Спросите меня о статьях, которые у меня есть, например:",
        "fr": "Bonjour ! Posez-moi une question sur mes articles, par exemple :",
        "ar": "مرحبا! اسألني عن المقالات المتوفرة لدي، مثلا:",
        "es": "¡Hola! Pregúntame sobre los artículos que tengo, por ejemplo:",
        "de": "Hallo! Frag mich zu den Artikeln, die ich habe, zum Beispiel:",
    },
    "thanks": {
        "en": "You're welcome! Ask me anything else, for example:",
        "ru": "Пожалуйста! Спросите что-нибудь ещё, например:",
        "fr": "Avec plaisir ! Posez-moi une autre question, par exemple :",
        "ar": "عفوا! اسألني عن أي شيء آخر، مثلا:",
        "es": "¡De nada! Pregúntame otra cosa, por ejemplo:",
        "de": "Gern geschehen! Frag mich noch etwas, zum Beispiel:",
    },
}


@lru_cache(maxsize=1)
def _phrases() -> dict[tuple[str, ...], tuple[str, str]]:
    """Folded phrase (a word tuple) -> (kind, language)."""
    table: dict[tuple[str, ...], tuple[str, str]] = {}
    for kind, lists in (("hello", HELLO), ("thanks", THANKS)):
        for lang, text in lists.items():
            for item in text.split(","):
                table[tuple(words(item))] = (kind, lang)
    return table


def strip_small_talk(text: str) -> tuple[str, str | None, str | None]:
    """(the question without greetings and thanks at either end, the kind set aside, its
    language). The kind is 'thanks' or 'hello' ('thanks' wins when both are there).

    >>> strip_small_talk("hey, who is the Russian ambassador?")
    ('who is the Russian ambassador?', 'hello', 'en')
    >>> strip_small_talk("Who is the Russian ambassador? thanks")
    ('Who is the Russian ambassador?', 'thanks', 'en')
    """
    spans = [(m.start(), m.end(), fold(m.group())) for m in TOKEN_RE.finditer(text)]
    tokens = [t for _, _, t in spans]
    table = _phrases()
    longest = max(len(k) for k in table)
    found: list[tuple[str, str]] = []
    first, last = 0, len(tokens)  # the question is tokens[first:last]
    while first < last:
        size = next(
            (n for n in range(longest, 0, -1) if tuple(tokens[first : first + n]) in table), 0
        )
        if not size or first + size > last:
            break
        found.append(table[tuple(tokens[first : first + size])])
        first += size
    while last > first:
        size = next(
            (
                n
                for n in range(longest, 0, -1)
                if n <= last - first and tuple(tokens[last - n : last]) in table
            ),
            0,
        )
        if not size:
            break
        found.append(table[tuple(tokens[last - size : last])])
        last -= size
    if not found:
        return text, None, None
    kind = "thanks" if any(k == "thanks" for k, _ in found) else "hello"
    lang = next(lang for k, lang in found if k == kind)
    if first >= last:
        return "", kind, lang
    core = text[spans[first][0] : spans[last][0] if last < len(spans) else len(text)]
    return core.strip(" \t,;:!.-–—"), kind, lang


def greeting_reply(kind: str, lang: str) -> str:
    """The friendly line that answers a greeting or thanks, in the user's language."""
    table = REPLIES.get(kind, REPLIES["hello"])
    return table.get(lang, table["en"])
