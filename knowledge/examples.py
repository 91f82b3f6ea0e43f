"""What can be asked of the articles loaded: example seeds drawn from every article in turn
(infobox roles and values, visits, titles), for the welcome, help, menus and inline mode.

The seeds are data; the interface words them in the reader's language and keeps only those
the engine really answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, zip_longest
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .kb import KnowledgeBase

PERSON_KEYS = ("ambassador", "envoy", "president", "leader", "founder", "minister", "head")
SEEDS_PER_ARTICLE = 4


@dataclass(frozen=True)
class ExampleSeed:
    """`kind` is 'role' (role), 'value' (key, title), 'visit' (guest, place, country: the
    destination's English name, or ''), 'visits' (years) or 'search' (title); `values` fill
    the question's template."""

    kind: str
    values: tuple[tuple[str, str], ...]
    article: str
    fact_id: int = 0  # the fact that answers it, when there is one

    def get(self, name: str) -> str:
        return dict(self.values)[name]


def example_seeds(kb: KnowledgeBase) -> list[ExampleSeed]:
    """Seeds from every article, taken in turn: the first of each article, then the second…
    Per article: its roles, its latest visits, other infobox values, then the commands."""
    roles: dict[str, list[ExampleSeed]] = {}
    values: dict[str, list[ExampleSeed]] = {}
    rows = kb.db.query(
        "select articles.title as title, infobox.key as key, infobox.fact_id as fact_id "
        "from infobox "
        "join articles on articles.id = infobox.article_id order by articles.id, infobox.id"
    )
    for row in rows:
        title, key, fact_id = row["title"], row["key"], row["fact_id"] or 0
        if any(word in key.lower() for word in PERSON_KEYS):
            seed = ExampleSeed("role", (("role", key),), title, fact_id)
            roles.setdefault(title, []).append(seed)
        elif len(key) <= 30 and not any(ch.isdigit() for ch in key):
            seed = ExampleSeed("value", (("key", key.lower()), ("title", title)), title, fact_id)
            values.setdefault(title, []).append(seed)
    visits: dict[str, list[ExampleSeed]] = {}
    years: dict[str, list[int]] = {}
    for visit in reversed(kb.visits()):
        if visit.year_from:
            years.setdefault(visit.article, []).append(visit.year_from)
        guest = visit.guest.split()[-1] if visit.guest else ""
        country = visit.direction.partition("→")[2].strip()  # 'Algeria → Russia': Russia
        if guest and visit.place:
            filled = (("guest", guest), ("place", visit.place), ("country", country))
            seed = ExampleSeed("visit", filled, visit.article, visit.fact_id)
            visits.setdefault(visit.article, []).append(seed)
    per_article = []
    for article in kb.articles():
        title = article.title
        seeds = roles.get(title, [])[:2] + visits.get(title, [])[:2] + values.get(title, [])[:2]
        seeds = seeds[:SEEDS_PER_ARTICLE]
        found = sorted(years.get(title, []))
        if found:
            middle = found[len(found) // 2] // 10 * 10
            seeds.append(ExampleSeed("visits", (("years", f"{middle}-{middle + 10}"),), title))
        seeds.append(ExampleSeed("search", (("title", title),), title))
        per_article.append(seeds)
    columns = zip_longest(*per_article)
    return [seed for seed in chain.from_iterable(columns) if seed is not None]
