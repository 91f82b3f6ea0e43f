"""A knowledge base made by another build of qabot: found, rebuilt or flagged, never lost."""

from __future__ import annotations

import errno
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from embedder_fakes import CountingEmbedder

from bot.cli import main
from knowledge import build_knowledge_base, ensure_knowledge_base, ingest, store
from knowledge.fingerprint import build_fingerprint

ARTICLES = Path(__file__).parent / "data" / "articles"
SEED = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "algeria-russia-relations.txt"


def _made_elsewhere(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("update meta set value = 'another-build' where key = ?", [store.BUILT_BY])
    conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_base_records_the_build_that_made_it(seed_db: Path):
    assert len(build_fingerprint()) == 16
    assert not store.is_stale(seed_db) and store.stale_notice(seed_db) is None


def test_a_base_from_another_build_is_stale(tmp_path: Path, seed_db: Path):
    path = tmp_path / "old.db"
    shutil.copy(seed_db, path)
    _made_elsewhere(path)
    assert store.is_stale(path)
    notice = store.stale_notice(path)
    assert str(path) in notice and f"qabot ingest --db {path}" in notice and "\n" not in notice


def test_the_default_base_from_another_build_is_rebuilt_with_its_articles_links_and_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    counting = CountingEmbedder()
    monkeypatch.setattr(store, "default_embedder", lambda: counting)
    monkeypatch.delenv("QABOT_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    default = tmp_path / "qabot" / "qabot.db"
    default.parent.mkdir()
    thames = ARTICLES / "river-thames.txt"
    build_knowledge_base([SEED, thames], default, base_url="https://example.org/wiki/")
    _made_elsewhere(default)
    counting.seen.clear()
    assert ensure_knowledge_base(None) == default
    assert not store.is_stale(default)
    assert counting.seen == []  # every vector came from the base it replaced
    links = store.stored_urls(default)
    assert set(links) == {"Algeria–Russia relations", "River Thames"}
    assert links["River Thames"].startswith("https://example.org/wiki/")


def test_an_explicit_base_from_another_build_is_served_as_it_is(tmp_path: Path, seed_db: Path):
    path = tmp_path / "mine.db"
    shutil.copy(seed_db, path)
    _made_elsewhere(path)
    before = _digest(path)
    assert ensure_knowledge_base(path) == path
    assert _digest(path) == before


def test_ask_names_a_stale_base_and_ingest_without_files_rebuilds_it(
    tmp_path: Path, seed_db: Path, capsys: pytest.CaptureFixture
):
    path = tmp_path / "mine.db"
    shutil.copy(seed_db, path)
    _made_elsewhere(path)
    assert main(["ask", "--db", str(path), "When did Putin visit Algeria?"]) == 0
    assert f"qabot: {store.stale_notice(path)}" in capsys.readouterr().err
    assert main(["ingest", "--db", str(path)]) == 0
    assert not store.is_stale(path)
    assert main(["ask", "--db", str(path), "When did Putin visit Algeria?"]) == 0
    assert "qabot:" not in capsys.readouterr().err


def test_replace_without_files_is_refused_and_keeps_the_base(
    tmp_path: Path, seed_db: Path, capsys: pytest.CaptureFixture
):
    path = tmp_path / "mine.db"
    shutil.copy(seed_db, path)
    before = _digest(path)
    assert main(["ingest", "--replace", "--db", str(path)]) != 0
    assert "--replace needs the article files" in capsys.readouterr().err
    assert _digest(path) == before


def test_a_stale_default_base_that_cannot_be_rewritten_is_still_served(
    tmp_path: Path, seed_db: Path, monkeypatch: pytest.MonkeyPatch
):
    default = tmp_path / "qabot-default.db"  # QABOT_DB, as conftest sets it
    shutil.copy(seed_db, default)
    _made_elsewhere(default)
    before = _digest(default)

    def read_only_folder(path, on_wait=None):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(ingest, "ingest_lock", read_only_folder)
    assert ensure_knowledge_base(None) == default
    assert _digest(default) == before and store.is_stale(default)
