"""The knowledge base: opened read-only, never silently rebuilt, never left half-written."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from reliability_harness import QABOT, run_qabot

from bot.app import open_knowledge_base
from knowledge import KnowledgeBase, KnowledgeBaseError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def old_schema(path: Path) -> None:
    """What an older qabot left: articles with their text, schema version 1."""
    conn = sqlite3.connect(path)
    conn.execute("create table meta (key text primary key, value text)")
    conn.execute("insert into meta values ('schema_version', '1')")
    conn.execute("create table articles (id integer primary key, source text, text text)")
    conn.execute("insert into articles values (1, 'a.txt', '= A =\n\nSome text.\n')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("kind", ["missing", "corrupt", "old-schema", "empty", "directory"])
def test_a_bad_qabot_db_stops_start_up_with_one_line(tmp_path: Path, kind: str):
    db = tmp_path / "kb.db"
    if kind == "corrupt":
        db.write_bytes(b"SQLite format 3\x00" + os.urandom(2000))
    elif kind == "old-schema":
        old_schema(db)
    elif kind == "empty":
        db.write_bytes(b"")
    elif kind == "directory":
        db.mkdir()
    before = digest(db) if db.is_file() else None
    result = run_qabot(tmp_path, "http://127.0.0.1:9", db, 30)  # the API is never reached
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("qabot: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and str(db) in result.stderr
    # nothing was built or rewritten
    assert (digest(db) if db.is_file() else None) == before
    assert db.exists() == (kind != "missing")
    assert not list(tmp_path.glob(".qabot-*"))


def test_without_qabot_db_the_default_base_is_built_and_opened_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("QABOT_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    kb = open_knowledge_base(None)
    try:
        assert kb.path == tmp_path / "qabot" / "qabot.db" and kb.articles()
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            kb.db.execute("delete from facts")
    finally:
        kb.close()


def test_an_explicit_base_is_opened_read_only(tmp_path: Path, seed_db: Path):
    db = tmp_path / "kb.db"
    shutil.copy(seed_db, db)
    before = digest(db)
    kb = open_knowledge_base(db)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            kb.db.execute("insert into meta values ('x', 'y')")
        kb.ask("When did Putin visit Algiers?")
    finally:
        kb.close()
    assert digest(db) == before
    with pytest.raises(KnowledgeBaseError, match="no knowledge base"):
        open_knowledge_base(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def generated_article(number: int) -> str:
    rows = "\n".join(
        f"| Guest {number}-{i} | Host {i} | City {i} | {1 + i % 28} May {1950 + i % 70} | |"
        for i in range(40)
    )
    paragraphs = "\n\n".join(
        f"The treaty number {number}-{i} between Zorbland and Quuxia was signed in "
        f"{1900 + i} by minister {number} in the city of Port {i}."
        for i in range(40)
    )
    return (
        f"= Generated article {number} =\n\nInfobox\n- Ambassador: Person {number}\n\n"
        f"Lead of article {number}.\n\n== History ==\n{paragraphs}\n\n== Visits ==\n"
        f"| Guest | Host | Place of visit | Date of visit | Notes |\n{rows}\n"
    )


def test_sigkill_during_ingest_leaves_the_previous_base_intact(tmp_path: Path, seed_db: Path):
    db = tmp_path / "data" / "kb.db"
    db.parent.mkdir()
    shutil.copy(seed_db, db)
    before = digest(db)
    with KnowledgeBase.open(db) as kb:
        expected = (kb.articles(), kb.ask("When did Putin visit Algiers?").text)
    articles = tmp_path / "articles"
    articles.mkdir()
    for number in range(300):
        (articles / f"a{number:03}.txt").write_text(generated_article(number), encoding="utf-8")
    proc = subprocess.Popen(
        [str(QABOT), "ingest", "--db", str(db), *map(str, sorted(articles.iterdir()))],
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        partial = [p for p in db.parent.glob(".qabot-*") if p.stat().st_size > 100_000]
        if partial:  # the new base is being written
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the ingest ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    leftovers = list(db.parent.glob(".qabot-*"))
    print(f"\nkilled mid-ingest; partial file left beside the base: {[p.name for p in leftovers]}")
    assert digest(db) == before
    with KnowledgeBase.open(db) as kb:
        assert (kb.articles(), kb.ask("When did Putin visit Algiers?").text) == expected
        assert kb.db.execute("pragma integrity_check").fetchone()[0] == "ok"
