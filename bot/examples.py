"""Example questions in the reader's language, drawn from the articles loaded and checked:
only questions the engine answers confidently are offered. Telegram-free."""

from __future__ import annotations

import weakref

from knowledge import KnowledgeBase, thresholds
from knowledge.examples import ExampleSeed, example_seeds

from .i18n import N_, normalize, translator

TEMPLATES = {
    "role": N_("Who is the {role}?"),
    "value": N_("What is the {key} of {title}?"),
    "visit": N_("When did {guest} visit {place}?"),
}
COMMANDS = {"visits": "/visits {years}", "search": "/search {title}"}
CHECKED = 12  # questions tried per language; the rest are not worth the time

_cache: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, list[str]]] = weakref.WeakKeyDictionary()


def word(seed: ExampleSeed, lang: str) -> str:
    """The seed as a question (or a command) in `lang`."""
    values = dict(seed.values)
    if seed.kind in COMMANDS:
        return COMMANDS[seed.kind].format(**values)
    return translator(lang).gettext(TEMPLATES[seed.kind]).format(**values)


def _answers(kb: KnowledgeBase, question: str, lang: str) -> bool:
    answer = kb.ask(question)
    return not answer.abstained and answer.confidence >= thresholds.UNSURE and (answer.lang == lang)


def examples(kb: KnowledgeBase, lang: str = "en", questions_only: bool = False) -> list[str]:
    """Questions (then commands) someone reading `lang` can ask of `kb`, from several
    articles in turn. Checked once per knowledge base and language, then remembered."""
    lang = normalize(lang)
    per_kb = _cache.setdefault(kb, {})
    if lang not in per_kb:
        seeds = example_seeds(kb)
        asked = [s for s in seeds if s.kind not in COMMANDS][:CHECKED]
        good = [q for q in (word(s, lang) for s in asked) if _answers(kb, q, lang)]
        commands = [word(s, lang) for s in seeds if s.kind in COMMANDS]
        per_kb[lang] = list(dict.fromkeys(good)) + list(dict.fromkeys(commands))
    found = per_kb[lang]
    return [e for e in found if not e.startswith("/")] if questions_only else list(found)
