"""Knowledge-base fixtures: the seed article built once, and no test touches ~/.local/share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import knowledge
from knowledge.vectors import CACHE_ENV

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "knowledge" / "data" / "algeria-russia-relations.txt"
ARTICLES = ROOT / "tests" / "data" / "articles"
# Vectors of the test articles' facts, so that building a test knowledge base embeds only
# what changed (regenerate with `make vectors`). Subprocesses inherit it too.
VECTORS = ROOT / "tests" / "data" / "vectors.npz"
if VECTORS.is_file():
    os.environ.setdefault(CACHE_ENV, str(VECTORS))


@pytest.fixture(autouse=True)
def _isolated_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point QABOT_DB at a per-test temporary file for every test."""
    path = tmp_path / "qabot-default.db"
    monkeypatch.setenv("QABOT_DB", str(path))
    return path


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base built from the seed article only. Tests must not write to it."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    knowledge.build_knowledge_base([SEED], path)
    return path


@pytest.fixture(scope="session")
def multi_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed plus every article in tests/data/articles, in one knowledge base."""
    path = tmp_path_factory.mktemp("multi") / "multi.db"
    knowledge.build_knowledge_base([SEED, *sorted(ARTICLES.glob("*.txt"))], path)
    return path


@pytest.fixture(scope="session")
def kb(seed_db: Path):
    with knowledge.KnowledgeBase.open(seed_db) as base:
        yield base


@pytest.fixture(scope="session")
def multi_kb(multi_db: Path):
    with knowledge.KnowledgeBase.open(multi_db) as base:
        yield base
