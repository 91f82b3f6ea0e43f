"""Build knowledge bases from article files; find and build the default one."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .parser import Article, ArticleParseError, decode, parse_text
from .store import (
    ArticleReport,
    KnowledgeBaseError,
    article_url,
    build,
    open_database,
    stored_articles,
    stored_urls,
)

SEED_NAME = "algeria-russia-relations.txt"


@dataclass
class IngestResult:
    """What an ingest did: per-article counts, and the files it skipped with the reason."""

    articles: list[ArticleReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. an empty heading, skipped


def default_db_path() -> Path:
    """$QABOT_DB, else ~/.local/share/qabot/qabot.db (or under $XDG_DATA_HOME)."""
    if os.environ.get("QABOT_DB"):
        return Path(os.environ["QABOT_DB"]).expanduser()
    root = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(root) / "qabot" / "qabot.db"


def seed_text() -> str:
    return resources.files("knowledge").joinpath("data", SEED_NAME).read_text("utf-8-sig")


def build_knowledge_base(
    paths: Sequence[str | Path],
    db_path: str | Path,
    *,
    keep_existing: bool = False,
    skip_bad: bool = False,
    progress: Callable[[str], None] | None = None,
    base_url: str | None = None,
) -> IngestResult:
    """Build `db_path` from article files, atomically.

    With keep_existing, the articles already in the database stay (an article with the same
    title is replaced by the new file). A file that cannot be parsed raises
    ArticleParseError, or with skip_bad is reported in `skipped` and left out.

    Each article links to the address its infobox declares (`URL:` or `Source:`), else to
    `base_url` + its title (`""`: no link), else to Wikipedia.
    """
    result = IngestResult()
    parsed: dict[str, tuple[Article, str]] = {}
    if keep_existing and Path(db_path).exists():
        urls = stored_urls(db_path)
        for source, text in stored_articles(db_path):
            article = parse_text(text, source=source)
            if article.url is None:
                article.url = urls.get(article.title)
            parsed[article.title] = (article, text)
    for path in paths:
        try:
            text = decode(_read(path), str(path))
            article = parse_text(text, source=str(path))
        except ArticleParseError as exc:
            if not skip_bad:
                raise
            result.skipped.append(str(exc))
            continue
        if article.url is None and base_url is not None:
            article.url = article_url(article.title, base_url)
        result.warnings += article.warnings
        parsed[article.title] = (article, text)
    result.articles = build(parsed.values(), db_path, progress=progress)
    return result


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ArticleParseError(str(path), 0, f"cannot read the file ({exc.strerror})") from None


def ensure_knowledge_base(path: str | Path | None = None) -> Path:
    """Return a usable knowledge base path, building the seed one if there is none.

    The default base, when an older qabot left it, is rebuilt from the article texts it
    stores, so articles a user ingested are kept. An explicit path is never rewritten.
    """
    explicit = path is not None
    path = Path(path) if path else default_db_path()
    if path.exists():
        try:
            open_database(path).close()
            return path
        except KnowledgeBaseError:
            texts = None if explicit else _salvage(path)
            if texts is None:
                raise
            build(((parse_text(t, source=s), t) for s, t in texts), path)
            return path
    build([(parse_text(seed_text(), source=SEED_NAME), seed_text())], path)
    return path


def _salvage(path: Path) -> list[tuple[str, str]] | None:
    """Article texts of an old-schema qabot database, or None if it isn't one."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("select source, text from articles").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return [(s, t) for s, t in rows] or None
