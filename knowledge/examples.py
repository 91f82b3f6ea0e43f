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
    """`kind` is 'role' (role), 'value' (key, title), 'visit' (guest, place), 'visits'
    (years) or 'search' (title); `values` fill the question's template."""

    kind: str
    values: tuple[tuple[str, str], ...]
    article: str

    def get(self, name: str) -> str:
        return dict(self.values)[name]


def example_seeds(kb: KnowledgeBase) -> list[ExampleSeed]:
    """Seeds from every article, taken in turn: the first of each article, then the second…
    Per article: its roles, its latest visits, other infobox values, then the commands."""
    roles: dict[str, list[ExampleSeed]] = {}
    values: dict[str, list[ExampleSeed]] = {}
    rows = kb.db.query(
        "select articles.title as title, infobox.key as key from infobox "
        "join articles on articles.id = infobox.article_id order by articles.id, infobox.id"
    )
    for row in rows:
        title, key = row["title"], row["key"]
        if any(word in key.lower() for word in PERSON_KEYS):
            roles.setdefault(title, []).append(ExampleSeed("role", (("role", key),), title))
        elif len(key) <= 30 and not any(ch.isdigit() for ch in key):
            seed = ExampleSeed("value", (("key", key.lower()), ("title", title)), title)
            values.setdefault(title, []).append(seed)
    visits: dict[str, list[ExampleSeed]] = {}
    for visit in reversed(kb.visits()):
        guest = visit.guest.split()[-1] if visit.guest else ""
        if guest and visit.place:
            seed = ExampleSeed("visit", (("guest", guest), ("place", visit.place)), visit.article)
            visits.setdefault(visit.article, []).append(seed)
    per_article = []
    for article in kb.articles():
        title = article.title
        seeds = roles.get(title, [])[:2] + visits.get(title, [])[:2] + values.get(title, [])[:2]
        seeds = seeds[:SEEDS_PER_ARTICLE]
        years = sorted(v.year_from for v in kb.visits() if v.article == title and v.year_from)
        if years:
            middle = years[len(years) // 2] // 10 * 10
            seeds.append(ExampleSeed("visits", (("years", f"{middle}-{middle + 10}"),), title))
        seeds.append(ExampleSeed("search", (("title", title),), title))
        per_article.append(seeds)
    columns = zip_longest(*per_article)
    return [seed for seed in chain.from_iterable(columns) if seed is not None]
