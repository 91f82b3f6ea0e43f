"""The interface in the user's language: gettext catalogs for en, ru, fr, ar, es and de.

Every string qabot says itself goes through a translator; quotes from articles never do.

    from bot.i18n import translator
    t = translator("ru")
    t.gettext("Hello!")
    t.ngettext("{n} article", "{n} articles", n).format(n=n)

To add or change a string:
1. Write it in English in the code, inside `t.gettext("…")`, `t.ngettext("…", "…", n)`, or
   `N_("…")` for a constant translated later with `t.gettext(CONSTANT)`. Use `{name}`
   placeholders (str.format), never f-strings or `%` inside the message.
2. `make messages`: extracts the strings into `bot/locale/qabot.pot` and merges them into each
   `bot/locale/<lang>/LC_MESSAGES/qabot.po`.
3. Translate the new entries in the `.po` files (ru, fr, ar, es, de; en needs nothing), and
   remove any `#, fuzzy` flag once checked.
4. `make catalogs`: compiles the `.mo` files, which are committed (they ship in the package;
   `tests/test_i18n.py` fails when a `.mo` is older than its `.po` or a string is untranslated).
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

DOMAIN = "qabot"
LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT = "en"
# every language has a catalog; others fall back to English
LANGUAGES = ("en", "ru", "fr", "ar", "es", "de")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a constant for extraction; translate it where it is used, with `t.gettext`."""
    return message


def normalize(code: str | None) -> str:
    """A supported language for an IETF code such as `ru`, `fr-CA` or `pt-br`; else English."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT


def translator(lang: str | None) -> gettext.NullTranslations:
    """The catalog for `lang` (any code; unsupported ones get English), with `gettext` and
    `ngettext` (plural forms from the catalog: Russian has three, Arabic six)."""
    return _load(normalize(lang))


@cache
def _load(code: str) -> gettext.NullTranslations:
    if code == DEFAULT:
        return gettext.NullTranslations()  # the messages are English already
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def choose_language(question_lang: str | None, language_code: str | None) -> str:
    """The language to answer in: the question's, when one was recognised (`None` when the
    text is too short or plain to tell, e.g. `Bonjour` or a bare name), else the user's
    Telegram `language_code`; English for anything else."""
    if question_lang:
        return normalize(question_lang)
    return normalize(language_code)
