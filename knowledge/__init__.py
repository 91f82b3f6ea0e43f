"""Articles in, sourced answers out. This package knows nothing about Telegram."""

from .ingest import build_knowledge_base, default_db_path, ensure_knowledge_base
from .kb import KnowledgeBase
from .models import Alternative, Answer, ArticleInfo, Fact, Source, Visit, VisitFilter
from .parser import ArticleParseError, parse_file, parse_text
from .store import KnowledgeBaseError
from .visits import VisitFilterError, filter_text, make_visit_filter, parse_visit_filter

__all__ = [
    "Alternative",
    "Answer",
    "ArticleInfo",
    "ArticleParseError",
    "Fact",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Source",
    "Visit",
    "VisitFilter",
    "VisitFilterError",
    "build_knowledge_base",
    "default_db_path",
    "ensure_knowledge_base",
    "filter_text",
    "make_visit_filter",
    "parse_file",
    "parse_text",
    "parse_visit_filter",
]
