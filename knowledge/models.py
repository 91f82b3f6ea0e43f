"""Plain data returned by the knowledge package. Nothing here knows about Telegram."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: the article, the section path and a link to that section."""

    article: str
    section: str
    url: str


@dataclass(frozen=True)
class Fact:
    """One sentence, infobox pair or table row, quoted verbatim from an article."""

    id: int
    article: str
    section: str
    kind: str  # "sentence", "infobox" or "row"
    text: str
    url: str

    @property
    def source(self) -> Source:
        return Source(self.article, self.section, self.url)


@dataclass(frozen=True)
class Alternative:
    """A runner-up answer: the fact that would answer, and how sure we are of it."""

    fact_id: int
    text: str
    confidence: float


@dataclass(frozen=True)
class Visit:
    """A row of a high-level visits table."""

    id: int
    article: str
    guest: str
    host: str
    place: str
    date: str  # as the article writes it
    year_from: int | None
    year_to: int | None
    notes: str
    direction: str  # e.g. "Algeria → Russia"
    fact_id: int


@dataclass(frozen=True)
class Answer:
    """The reply to one question: text quoted from the sources, or an abstention."""

    question: str
    text: str
    abstained: bool
    confidence: float
    sources: tuple[Source, ...] = ()
    fact_ids: tuple[int, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    visits: tuple[Visit, ...] = ()
    suggestions: tuple[str, ...] = ()
    intent: str = "what"
    lang: str = "en"
    curated: bool = False  # answered with a fact an admin taught for this question
    route: str = "english"  # the question's model and thresholds: 'english' or 'foreign'

    def to_json(self) -> dict:
        """The object `qabot ask --json` prints, as ../shared/eval/score.py documents."""
        return {
            "question": self.question,
            "abstained": self.abstained,
            "answer": self.text,
            "confidence": round(self.confidence, 3),
            "sources": [asdict(s) for s in self.sources],
            "alternatives": [asdict(a) for a in self.alternatives],
            "lang": self.lang,
            "intent": self.intent,
        }


@dataclass(frozen=True)
class ArticleInfo:
    """An article loaded in the knowledge base."""

    title: str
    url: str
    sections: tuple[str, ...] = field(default_factory=tuple)
    facts: int = 0
    visits: int = 0


@dataclass(frozen=True)
class VisitFilter:
    """Which visits to list: a year range, a person and a place (all optional)."""

    year_from: int | None = None
    year_to: int | None = None
    person: str | None = None
    place: str | None = None
    name: str | None = None  # a person or a place

    @property
    def empty(self) -> bool:
        return not any((self.year_from, self.year_to, self.person, self.place, self.name))
