"""Build knowledge bases from article files; find and build the default one."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .embed import Embedder
from .parser import Article, ArticleParseError, decode, parse_text, read_article
from .safe_write import ingest_lock, target_of, write_problem
from .store import (
    ArticleReport,
    KnowledgeBaseError,
    article_url,
    build,
    check_replaceable,
    is_stale,
    open_database,
    read_only_rows,
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
    embed_progress: Callable[[int, int], None] | None = None,
    embedder: Embedder | None = None,
    base_url: str | None = None,
    force: bool = False,
    max_bytes: int | None = None,
    on_wait: Callable[[Path], None] | None = None,
) -> IngestResult:
    """Build `db_path` from article files, atomically, one ingest at a time.

    With keep_existing, the articles already in the database stay (an article with the same
    title is replaced by the new file). A file that cannot be parsed, or is bigger than
    `max_bytes` (default: parser.max_article_bytes()), raises ArticleParseError, or with
    skip_bad is reported in `skipped` and left out. Two files with the same title: the later
    one is kept, with a warning. A file at `db_path` that is not a knowledge base is only
    replaced with `force`. While another ingest writes the same file, this one calls
    on_wait(path) and waits for it.

    Each article links to the address its infobox declares (`URL:` or `Source:`), else to
    `base_url` + its title (`""`: no link), else to Wikipedia.
    """
    try:
        with ingest_lock(db_path, on_wait) as target:
            if not keep_existing:
                check_replaceable(target, force)
            return _build_locked(
                paths,
                target,
                keep_existing=keep_existing,
                skip_bad=skip_bad,
                progress=progress,
                embed_progress=embed_progress,
                embedder=embedder,
                base_url=base_url,
                force=force,
                max_bytes=max_bytes,
            )
    except OSError as exc:  # the lock file or the folder cannot be made
        raise KnowledgeBaseError(write_problem(exc, target_of(db_path))) from None


def _build_locked(
    paths,
    db_path: Path,
    *,
    keep_existing=False,
    skip_bad=False,
    progress=None,
    embed_progress=None,
    embedder=None,
    base_url=None,
    force=False,
    max_bytes=None,
) -> IngestResult:
    result = IngestResult()
    parsed: dict[str, tuple[Article, str]] = {}
    if keep_existing and Path(db_path).exists():
        urls = stored_urls(db_path)
        for source, text in stored_articles(db_path):
            article = parse_text(text, source=source)
            if article.url is None:
                article.url = urls.get(article.title)
            parsed[article.title] = (article, text)
    sources: set[str] = set()  # the files of this ingest, to tell a duplicate from an update
    for path in paths:
        try:
            text = decode(read_article(path, max_bytes), str(path))
            article = parse_text(text, source=str(path))
        except ArticleParseError as exc:
            if not skip_bad:
                raise
            result.skipped.append(str(exc))
            continue
        if article.url is None and base_url is not None:
            article.url = article_url(article.title, base_url)
        result.warnings += article.warnings
        earlier = parsed.get(article.title)
        if earlier and earlier[0].source in sources:
            result.warnings.append(
                f"{path}: has the same title as {earlier[0].source} ({article.title!r}); "
                f"keeping {path} only"
            )
        sources.add(str(path))
        parsed[article.title] = (article, text)
    result.articles = build(
        parsed.values(),
        db_path,
        progress=progress,
        embedder=embedder,
        embed_progress=embed_progress,
        force=force,
    )
    return result


def ensure_knowledge_base(path: str | Path | None = None) -> Path:
    """Return a usable knowledge base path, building the seed one if there is none.

    The default base, when an older qabot left it (another schema, or rows derived by
    another build: knowledge/fingerprint.py), is rebuilt from the article texts it stores, so
    articles a user ingested are kept, with their links and, unless their text changed,
    their vectors; where it cannot be rewritten, it is used as it is. An explicit path is
    never rewritten.
    Opening an existing base needs no write access; building takes the ingest lock, and
    looks again once it has it (another ingest may have built the base meanwhile).
    """
    explicit = path is not None
    path = Path(path) if path else default_db_path()
    usable = False
    if path.exists():
        try:
            open_database(path).close()
            usable = True
            if explicit or not is_stale(path):
                return path
        except KnowledgeBaseError:
            if explicit:
                raise
    try:
        with ingest_lock(path):
            return _ensure_locked(path, explicit)
    except (OSError, KnowledgeBaseError) as exc:
        if usable:  # a stale base that cannot be rewritten here is still served as it is
            return path
        if isinstance(exc, KnowledgeBaseError):
            raise
        raise KnowledgeBaseError(write_problem(exc, target_of(path))) from None


def _ensure_locked(path: Path, explicit: bool) -> Path:
    if path.exists():
        try:
            open_database(path).close()
        except KnowledgeBaseError:
            texts = None if explicit else _salvage(path)
            if texts is None:
                raise
            build(((parse_text(t, source=s), t) for s, t in texts), path)
            return path
        if not explicit and is_stale(path):  # the same articles, links and vectors, rederived
            _build_locked([], path, keep_existing=True)
        return path
    build([(parse_text(seed_text(), source=SEED_NAME), seed_text())], path)
    return path


def _salvage(path: Path) -> list[tuple[str, str]] | None:
    """Article texts of an old-schema qabot database, or None if it isn't one."""
    rows = read_only_rows(path, "select source, text from articles")
    return [(s, t) for s, t in rows] if rows else None
