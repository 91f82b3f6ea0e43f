"""Build the SQLite knowledge base from parsed articles (atomically) and check it on open."""

from __future__ import annotations

import errno
import hashlib
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from .embed import Embedder, default_embedder
from .fact_features import (
    country_terms,
    located_terms,
    starts_with_pronoun,
    stems,
    subject_terms,
    value_flags,
)
from .fingerprint import build_fingerprint
from .lexicon import FOREIGN_LANGS
from .parser import Article, Paragraph, Table
from .places import (
    city_country_pairs,
    country_aliases,
    english_countries,
    foreign_names,
    places_named,
)
from .safe_write import (
    durable_replace,
    ingest_lock,
    new_temp_file,
    remove_stale_builds,
    target_of,
    write_problem,
)
from .sentences import split_sentences
from .text import MONTHS, TOKEN_RE, fold, slug, stem, years
from .vectors import VectorCache, embed_facts

SCHEMA_VERSION = 8
BUILT_BY = "built_by"  # meta key: the fingerprint of the build that wrote the base
WIKI_ROOT = "https://en.wikipedia.org/wiki/"
# Infobox keys that describe the page layout, not the subject.
INFOBOX_METADATA = frozenset({"filetype", "image", "caption", "logo", "map", "alt", "image_size"})
VISIT_COLUMNS = {
    "guest": ("guest", "visitor", "visiting"),
    "host": ("host",),
    "place": ("place", "location", "city", "venue"),
    "date": ("date", "when", "year"),
    "notes": ("note", "remark", "comment"),
}


class KnowledgeBaseError(RuntimeError):
    """A knowledge base that is missing, corrupt, foreign or built by an older version."""


@dataclass
class ArticleReport:
    title: str
    sections: int
    facts: int
    visits: int


def article_url(title: str, base_url: str = WIKI_ROOT) -> str:
    """The article's address under `base_url` (Wikipedia by default), percent-encoded as a
    valid URL; no address when `base_url` is empty."""
    return base_url + quote(slug(title), safe="()_,'!:") if base_url else ""


def section_anchor(heading: str) -> str:
    """A heading as a link's fragment, Wikipedia-style and percent-encoded:
    'Say "hi" <now>' -> 'Say_%22hi%22_%3Cnow%3E'."""
    return quote(slug(heading), safe="()_,'!:;.-~")


def build(
    articles: Iterable[tuple[Article, str]],
    db_path: str | Path,
    progress: Callable[[str], None] | None = None,
    *,
    embedder: Embedder | None = None,
    embed_progress: Callable[[int, int], None] | None = None,
    force: bool = False,
) -> list[ArticleReport]:
    """Write a new knowledge base from (article, raw text) pairs, then swap it into place.

    The database is written to a temporary file beside `db_path` and renamed over it only
    when complete and synced to disk, so a failure, a kill or a power cut leaves the previous
    knowledge base untouched. A symlink is written through to its target. A file there that
    is not a qabot knowledge base is never replaced, unless `force`. Every fact gets a
    vector; texts that the previous base (or a cache) already embedded are not embedded
    again. Raises KnowledgeBaseError, one line, when the file cannot be written.
    """
    try:
        with ingest_lock(db_path) as target:
            check_replaceable(target, force)
            remove_stale_builds(target.parent)
            return _build_into(articles, target, progress, embedder, embed_progress)
    except (OSError, sqlite3.OperationalError) as exc:
        raise KnowledgeBaseError(write_problem(exc, target_of(db_path))) from None


def _build_into(articles, target: Path, progress, embedder, embed_progress) -> list[ArticleReport]:
    tmp = new_temp_file(target.parent)
    try:
        db = sqlite_utils.Database(tmp)
        db.execute("PRAGMA journal_mode = OFF")
        # Nothing reads the file before it is complete, and durable_replace syncs it whole
        # before the rename: syncing every page as it is written would only be slower.
        db.execute("PRAGMA synchronous = OFF")
        _create_schema(db)
        writer = _Writer(db)
        reports = []
        for article, text in articles:
            reports.append(writer.add(article, text))
            if progress:
                progress(article.title)
        embedder = embedder or default_embedder()
        cache = VectorCache.default(previous=target)
        writer.vectors = embed_facts(writer.embeddable(), embedder, cache, embed_progress)
        db.table("meta").insert({"key": "embedder", "value": embedder.name}, replace=True)
        writer.finish()
        db.close()
        tmp.chmod(0o644)  # mkstemp makes it private; a knowledge base is meant to be read
        durable_replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return reports


def check_replaceable(path: Path, force: bool = False) -> None:
    """Refuse to overwrite a file that is not a qabot knowledge base (of any version):
    someone's other database or document. An empty file holds nothing to lose."""
    if force or not path.exists():
        return
    if path.is_dir():
        raise KnowledgeBaseError(write_problem(IsADirectoryError(errno.EISDIR, ""), path))
    if path.stat().st_size == 0 or _has_schema_version(path):
        return
    raise KnowledgeBaseError(
        f"{path} is not a qabot knowledge base; refusing to replace it "
        "(choose another --db, or add --force to overwrite it)"
    )


def read_only_rows(path: Path, sql: str) -> list[tuple] | None:
    """The rows `sql` reads from the SQLite file at `path`, opened read-only; None when the
    file is not a database or lacks what `sql` reads."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None


def _has_schema_version(path: Path) -> bool:
    return bool(read_only_rows(path, "select value from meta where key = 'schema_version'"))


def stored_urls(db_path: str | Path) -> dict[str, str]:
    """Title → the link each article of a knowledge base was given when it was ingested."""
    db = open_database(db_path)
    try:
        return {r["title"]: r["url"] for r in db.query("select title, url from articles")}
    finally:
        db.close()


def stored_articles(db_path: str | Path) -> list[tuple[str, str]]:
    """(source, raw text) of every article already in a knowledge base, to rebuild it."""
    db = open_database(db_path)
    try:
        return [(r["source"], r["text"]) for r in db.query("select source, text from articles")]
    finally:
        db.close()


def open_database(db_path: str | Path, read_only: bool = True) -> sqlite_utils.Database:
    """Open and check a knowledge base. Raises KnowledgeBaseError with a one-line reason."""
    db_path = Path(db_path)
    if db_path.is_dir():
        raise KnowledgeBaseError(
            f"{db_path} is a directory, not a knowledge base; give a file name, "
            f"e.g. --db {db_path / 'qabot.db'}"
        )
    if not db_path.is_file():
        raise KnowledgeBaseError(f"no knowledge base at {db_path}: run 'qabot ingest' first")
    try:
        if read_only:
            conn = sqlite3.connect(
                f"{db_path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        else:
            conn = sqlite3.connect(str(db_path), check_same_thread=False)
        db = sqlite_utils.Database(conn)
        version = _schema_version(db)
    except (sqlite3.DatabaseError, ValueError):
        raise KnowledgeBaseError(
            f"{db_path} is not a qabot knowledge base (corrupt or foreign)"
        ) from None
    if version is None:
        db.close()
        raise KnowledgeBaseError(f"{db_path} is not a qabot knowledge base (no schema version)")
    if version != SCHEMA_VERSION:
        db.close()
        raise KnowledgeBaseError(
            f"{db_path} has schema version {version}, this qabot needs {SCHEMA_VERSION}: "
            "rebuild it with 'qabot ingest'"
        )
    return db


def is_stale(path: str | Path) -> bool:
    """Was the knowledge base at `path` built by another build of qabot (knowledge/
    fingerprint.py)? Its derived rows may then differ from what this build would store."""
    rows = read_only_rows(Path(path), f"select value from meta where key = '{BUILT_BY}'")
    return not rows or rows[0][0] != build_fingerprint()


def stale_notice(path: str | Path) -> str | None:
    """One line for the owner of a stale knowledge base (`is_stale`), else None."""
    if not is_stale(path):
        return None
    return (
        f"{path} was built by another version of qabot, so some answers may differ from a "
        f"fresh base: rebuild it, keeping its articles, with 'qabot ingest --db {path}'"
    )


def _schema_version(db: sqlite_utils.Database) -> int | None:
    if "meta" not in db.table_names():
        return None
    row = db.execute("select value from meta where key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def _create_schema(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("articles").create(
        {
            "id": int,
            "title": str,
            "url": str,
            "checksum": str,
            "source": str,
            "text": str,
            "subject": str,
            "topics": str,
        },
        pk="id",
    )
    db.table("sections").create(
        {"id": int, "article_id": int, "path": str, "heading": str, "url": str, "position": int},
        pk="id",
        foreign_keys=[("article_id", "articles")],
    )
    db.table("facts").create(
        {
            "id": int,
            "article_id": int,
            "section_id": int,
            "kind": str,
            "position": int,
            "paragraph": int,
            "text": str,
            "terms": str,
            "context": str,
            "nearby": str,
            "antecedent": str,
            "located": str,
            "flags": str,
            "table_id": int,
        },
        pk="id",
        foreign_keys=[("article_id", "articles"), ("section_id", "sections")],
    )
    db.table("infobox").create(
        {"id": int, "article_id": int, "key": str, "value": str, "fact_id": int}, pk="id"
    )
    db.table("tables").create(
        {"id": int, "article_id": int, "section_id": int, "header": str, "is_visits": int},
        pk="id",
    )
    db.table("visits").create(
        {
            "id": int,
            "article_id": int,
            "fact_id": int,
            "guest": str,
            "host": str,
            "place": str,
            "date": str,
            "year_from": int,
            "year_to": int,
            "notes": str,
            "direction": str,
        },
        pk="id",
    )
    db.table("words").create(
        {"word": str, "stem": str, "df": int, "capitalised": int, "inside": int}, pk="word"
    )
    db.table("aliases").create({"word": str, "stem": str, "capital": int}, pk="word")
    db.table("place_names").create({"lang": str, "key": str, "name": str}, pk=("lang", "key"))
    db.table("vectors").create({"fact_id": int, "hash": str, "vector": bytes}, pk="fact_id")
    db.table("meta").insert_all(
        [
            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
            {"key": BUILT_BY, "value": build_fingerprint()},
        ],
        replace=True,
    )


class _Writer:
    """Accumulates the rows of every article, then writes them in bulk."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.facts: list[dict] = []
        self.sections: list[dict] = []
        self.infobox: list[dict] = []
        self.tables: list[dict] = []
        self.visits: list[dict] = []
        self.word_df: Counter[str] = Counter()
        self.word_caps: Counter[str] = Counter()
        self.word_seen: Counter[str] = Counter()
        self.titles: set[str] = set()
        self.title_of: dict[int, str] = {}
        self.vectors: list[dict] = []

    def add(self, article: Article, text: str) -> ArticleReport:
        if article.title in self.titles:
            raise ValueError(f"{article.source}: a second article is titled {article.title!r}")
        self.titles.add(article.title)
        url = article.url if article.url is not None else article_url(article.title)
        article_id = (
            self.db.table("articles")
            .insert(
                {
                    "title": article.title,
                    "url": url,
                    "source": article.source,
                    "text": text,
                    "subject": " ".join(dict.fromkeys(subject_terms(article.title))),
                    "checksum": hashlib.sha256(text.encode()).hexdigest(),
                }
            )
            .last_pk
        )
        self.title_of[article_id] = article.title
        title_terms = stems(article.title)
        aliases = _place_aliases(article)
        countries = [c for c in _title_countries(article.title)]
        section_ids = {(): self._section(article_id, url, (), 0)}
        for i, path in enumerate(article.sections, 1):
            section_ids[path] = self._section(article_id, url, path, i)
        first_facts = len(self.facts)
        visits_before = len(self.visits)

        def add_fact(
            kind,
            path,
            text,
            paragraph=-1,
            nearby="",
            located=(),
            table_id=None,
            cells=(),
            antecedent="",
            label="",
        ):
            context = title_terms + stems(" ".join(path))
            places = [stem(fold(aliases[p])) for p in places_named(text, aliases)]
            places += country_terms(text)
            self.facts.append(
                {
                    "id": len(self.facts) + 1,
                    "article_id": article_id,
                    "section_id": section_ids[path],
                    "kind": kind,
                    "position": len(self.facts) - first_facts,
                    "paragraph": paragraph,
                    "text": text,
                    "terms": " ".join(stems(text) + places),
                    "context": " ".join(dict.fromkeys(context)),
                    "nearby": nearby,
                    "antecedent": antecedent,
                    "located": " ".join(dict.fromkeys([*located, *located_terms(text)])),
                    "flags": value_flags(text, kind),
                    "table_id": table_id,
                }
            )
            self._count_words(text if kind == "sentence" else "", cells, label)
            return len(self.facts)

        for key, value in _infobox_pairs(article.infobox):
            if fold(key) in INFOBOX_METADATA:
                continue
            # Keys are Title Case ('Japanese Ambassador'): only values tell names apart.
            fact_id = add_fact("infobox", (), f"{key}: {value}", cells=(value,), label=key)
            self.infobox.append(
                {"article_id": article_id, "key": key, "value": value, "fact_id": fact_id}
            )
        for number, block in enumerate(article.blocks):
            if isinstance(block, Paragraph):
                sentences = split_sentences(block.text)
                for i, sentence in enumerate(sentences):
                    near = " ".join(sentences[max(0, i - 1) : i] + sentences[i + 1 : i + 2])
                    refers = i > 0 and starts_with_pronoun(sentence)
                    add_fact(
                        "sentence",
                        block.section,
                        sentence,
                        number,
                        " ".join(dict.fromkeys(stems(near))),
                        antecedent=" ".join(stems(sentences[i - 1])) if refers else "",
                    )
            elif isinstance(block, Table):
                self._table(article_id, block, section_ids, add_fact, aliases, countries)
        return ArticleReport(
            article.title,
            len(article.sections),
            len(self.facts) - first_facts,
            len(self.visits) - visits_before,
        )

    def _section(self, article_id: int, url: str, path: tuple[str, ...], position: int) -> int:
        self.sections.append(
            {
                "id": len(self.sections) + 1,
                "article_id": article_id,
                "path": " › ".join(path),
                "heading": path[-1] if path else "",
                "url": f"{url}#{section_anchor(path[-1])}" if path and url else url,
                "position": position,
            }
        )
        return len(self.sections)

    def _table(self, article_id, table: Table, section_ids, add_fact, aliases, countries):
        columns = _visit_columns(table.header)
        is_visits = bool(columns.get("guest") is not None and columns.get("date") is not None)
        table_id = len(self.tables) + 1
        self.tables.append(
            {
                "id": table_id,
                "article_id": article_id,
                "section_id": section_ids[table.section],
                "header": json.dumps(table.header),
                "is_visits": int(is_visits),
            }
        )
        for row in table.rows:
            text = " · ".join(f"{h}: {c}" for h, c in zip(table.header, row, strict=False) if c)
            located = []
            if columns.get("place") is not None:
                place = row[columns["place"]]
                located = stems(place) + [
                    stem(fold(aliases[p])) for p in places_named(place, aliases)
                ]
            fact_id = add_fact(
                "row", table.section, text, located=located, table_id=table_id, cells=row
            )
            if is_visits:
                self.visits.append(_visit(article_id, fact_id, row, columns, aliases, countries))

    def _count_words(self, sentence: str, cells: Iterable[str] = (), label: str = "") -> None:
        """Count words for document frequency and for telling names from common words.

        A word counts as written with a capital only where that means something: inside a
        sentence but not first, or inside a table or infobox cell but not first.
        """
        seen = {fold(w) for w in TOKEN_RE.findall(label)}
        for text in (sentence, *cells):
            for i, match in enumerate(TOKEN_RE.finditer(text)):
                word = fold(match.group())
                seen.add(word)
                if i == 0:
                    continue  # the first word is capitalised whatever it is
                self.word_seen[word] += 1
                if match.group()[0].isupper():
                    self.word_caps[word] += 1
        self.word_df.update(seen)

    def _topics(self) -> dict[int, str]:
        """Per article, the names that run through it ('London' in 'River Thames'): named in
        at least 3 of its sentences and in a sixth of them."""
        caps: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        for word, count in self.word_seen.items():
            seen[stem(word)] += count
            caps[stem(word)] += self.word_caps[word]
        months = {stem(m) for m in MONTHS}
        names = {s for s, n in seen.items() if n and caps[s] >= 0.8 * n and s not in months}
        per_article: dict[int, Counter[str]] = {}
        sentences: Counter[int] = Counter()
        for fact in self.facts:
            if fact["kind"] == "sentence":
                sentences[fact["article_id"]] += 1
                counts = per_article.setdefault(fact["article_id"], Counter())
                counts.update(set(fact["terms"].split()) & names)
        return {
            article: " ".join(
                s for s, n in counts.items() if n >= 3 and n * 6 >= sentences[article]
            )
            for article, counts in per_article.items()
        }

    def embeddable(self) -> list[tuple[int, str, str]]:
        """(fact id, article title, text) of every fact, for its vector."""
        return [(f["id"], self.title_of[f["article_id"]], f["text"]) for f in self.facts]

    def finish(self) -> None:
        db = self.db
        db.table("vectors").insert_all(self.vectors, batch_size=1000)
        for article_id, topics in self._topics().items():
            db.execute("update articles set topics = ? where id = ?", [topics, article_id])
        db.table("sections").insert_all(self.sections)
        db.table("facts").insert_all(self.facts, batch_size=1000)
        db.table("infobox").insert_all(self.infobox)
        db.table("tables").insert_all(self.tables)
        db.table("visits").insert_all(self.visits)
        db.table("words").insert_all(
            (
                {
                    "word": w,
                    "stem": stem(w),
                    "df": df,
                    "capitalised": self.word_caps[w],
                    "inside": self.word_seen[w],
                }
                for w, df in self.word_df.items()
            ),
            batch_size=5000,
        )
        stems = {stem(w) for w in self.word_df}
        names = country_aliases(include_capitals=False)
        db.table("aliases").insert_all(
            {"word": word, "stem": stem(fold(country)), "capital": int(word not in names)}
            for word, country in country_aliases().items()
            if stem(fold(country)) in stems and " " not in word
        )
        # Country and city names in the languages questions come in, from CLDR, so that
        # answering never has to load babel.
        db.table("place_names").insert_all(
            {"lang": lang, "key": key, "name": name}
            for lang in FOREIGN_LANGS
            for key, name in foreign_names(lang).items()
        )
        db.table("facts").enable_fts(
            ["terms", "context"], fts_version="FTS5", replace=True, tokenize="unicode61"
        )
        db.execute("create index facts_article on facts(article_id)")
        db.execute("create index visits_years on visits(year_from, year_to)")
        db.table("meta").insert_all([{"key": "facts", "value": str(len(self.facts))}], replace=True)
        db.conn.commit()
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("VACUUM")


def _infobox_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pair EnvoyN with EnvoytitleN ('Russian Ambassador to Algeria', 'Valerian Shuvaev')."""
    values = dict(pairs)
    titles: dict[str, str] = {}  # the first value of each key, for one look-up per envoy
    for key, value in pairs:
        titles.setdefault(key.lower(), value)
    out = []
    for key, value in pairs:
        match = re.fullmatch(r"(?i)envoy(\d+)", key)
        if match:
            title = titles.get(f"envoytitle{match.group(1)}")
            out.append((title or key, value))
        elif re.fullmatch(r"(?i)envoytitle\d+", key):
            if f"Envoy{key[10:]}" not in values and f"envoy{key[10:]}" not in values:
                out.append((key, value))
        else:
            out.append((key, value))
    return out


def _title_countries(title: str) -> list[str]:
    countries = english_countries()
    parts = re.split(r"\s*[–—-]\s*|\s+and\s+", re.sub(r"\s+relations?$", "", title))
    return [countries[fold(p)] for p in parts if fold(p) in countries]


def _place_aliases(article: Article) -> dict[str, str]:
    """City -> country, read from 'City, Country' and 'City, the capital of Country'."""
    countries = english_countries()
    longest = max(len(name.split()) for name in countries)
    texts = [v for _, v in article.infobox] + [b.text for b in article.paragraphs]
    aliases = {}
    for text in texts:
        for city, country in city_country_pairs(text):
            country = country.split(maxsplit=longest)[:longest]
            for n in range(len(country), 0, -1):
                name = " ".join(country[:n])
                if fold(name) in countries and fold(city) not in countries:
                    aliases.setdefault(city.split()[-1], countries[fold(name)])
                    break
    return aliases


def _visit_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        folded = fold(name)
        for role, needles in VISIT_COLUMNS.items():
            if role not in columns and any(n in folded for n in needles):
                columns[role] = index
                break
    return columns


def _visit(article_id, fact_id, row, columns, aliases, countries) -> dict:
    def cell(role: str) -> str:
        return row[columns[role]] if role in columns else ""

    place, date = cell("place"), cell("date")
    found = years(date)
    host_country = next((aliases[p] for p in places_named(place, aliases)), "")
    if not host_country:
        host_country = next((c for c in countries if c in place), "")
    guest_country = next((c for c in countries if c != host_country), "") if host_country else ""
    direction = f"{guest_country} → {host_country}" if guest_country and host_country else ""
    return {
        "article_id": article_id,
        "fact_id": fact_id,
        "guest": cell("guest"),
        "host": cell("host"),
        "place": place,
        "date": date,
        "year_from": min(found) if found else None,
        "year_to": max(found) if found else None,
        "notes": cell("notes"),
        "direction": direction,
    }
