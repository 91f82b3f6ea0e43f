"""Example questions in the reader's language, drawn from the articles loaded and checked:
only questions the engine answers confidently are offered. Telegram-free."""

from __future__ import annotations

import weakref
from functools import cache

from babel import Locale

from knowledge import KnowledgeBase, thresholds
from knowledge.examples import ExampleSeed, example_seeds

from .i18n import N_, normalize, translator

# English questions can quote the article's roles, keys and places as they are written.
TEMPLATES = {
    "role": N_("Who is the {role}?"),
    "value": N_("What is the {key} of {title}?"),
    "visit": N_("When did {guest} visit {place}?"),
}
# Other languages name the country visited in their own words (CLDR, through Babel), so a
# question reads in one language but for the guest's name, quoted from the article.
VISIT_COUNTRY = N_("When did {guest} visit the country {country}?")
COMMANDS = {"visits": "/visits {years}", "search": "/search {title}"}
CHECKED = 12  # questions tried per language; the rest are not worth the time

_cache: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, list[str]]] = weakref.WeakKeyDictionary()


@cache
def _territories(lang: str) -> dict[str, str]:
    """English country name → its name in `lang` ('Russia' → 'Россия')."""
    english = Locale("en").territories
    local = Locale(lang).territories
    return {name: local[code] for code, name in english.items() if code in local}


def word(seed: ExampleSeed, lang: str) -> str | None:
    """The seed as a question (or a command) in `lang`; None when it cannot be worded in
    that language without English words of the interface's own."""
    values = dict(seed.values)
    if seed.kind in COMMANDS:
        return COMMANDS[seed.kind].format(**values)
    if lang == "en":
        return translator(lang).gettext(TEMPLATES[seed.kind]).format(**values)
    country = _territories(lang).get(values.get("country", ""))
    if seed.kind != "visit" or not country:
        return None
    return translator(lang).gettext(VISIT_COUNTRY).format(guest=values["guest"], country=country)


def _answers(kb: KnowledgeBase, question: str, lang: str, fact_id: int) -> bool:
    """Whether the engine answers `question` in `lang` with the fact the example was made
    from (or, without one, confidently)."""
    answer = kb.ask(question)
    if answer.abstained or answer.lang != lang:
        return False
    if fact_id:
        return fact_id in answer.fact_ids
    return answer.confidence >= thresholds.of(answer.route).unsure


def examples(kb: KnowledgeBase, lang: str = "en", questions_only: bool = False) -> list[str]:
    """Questions (then commands) someone reading `lang` can ask of `kb`, from several
    articles in turn. Checked once per knowledge base and language, then remembered."""
    lang = normalize(lang)
    per_kb = _cache.setdefault(kb, {})
    if lang not in per_kb:
        seeds = example_seeds(kb)
        worded = [(q, s) for s in seeds if s.kind not in COMMANDS and (q := word(s, lang))]
        good = [q for q, s in worded[:CHECKED] if _answers(kb, q, lang, s.fact_id)]
        commands = [q for s in seeds if s.kind in COMMANDS and (q := word(s, lang))]
        per_kb[lang] = list(dict.fromkeys(good)) + list(dict.fromkeys(commands))
    found = per_kb[lang]
    return [e for e in found if not e.startswith("/")] if questions_only else list(found)
