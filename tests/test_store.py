"""What the store writes, how it checks a database on open, and atomic rebuilds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

import knowledge
from knowledge import ArticleParseError, KnowledgeBase, KnowledgeBaseError, build_knowledge_base
from knowledge.sentences import split_sentences
from knowledge.store import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "knowledge" / "data" / "algeria-russia-relations.txt"
ARTICLES = ROOT / "tests" / "data" / "articles"
URL = "https://en.wikipedia.org/wiki/Algeria%E2%80%93Russia_relations"


@pytest.fixture
def db(seed_db):
    database = sqlite_utils.Database(sqlite3.connect(f"{seed_db.as_uri()}?mode=ro", uri=True))
    yield database
    database.close()


def test_tables(db):
    assert {
        "meta",
        "articles",
        "sections",
        "facts",
        "infobox",
        "tables",
        "visits",
        "words",
        "facts_fts",
    } <= set(db.table_names())


def test_fts5_table(db):
    sql = db.execute("select sql from sqlite_master where name = 'facts_fts'").fetchone()[0]
    assert "USING FTS5" in sql.upper()
    hits = db.execute("select rowid from facts_fts where facts_fts match 'annaba'").fetchall()
    assert len(hits) >= 2


def test_schema_version_recorded(db):
    assert db.execute("select value from meta where key = 'schema_version'").fetchone() == (
        str(SCHEMA_VERSION),
    )


def test_article_row(db):
    [row] = db.query("select title, url, source from articles")
    assert row == {"title": "Algeria–Russia relations", "url": URL, "source": str(SEED)}


def test_sections(db):
    rows = list(db.query("select path, heading, url from sections order by position"))
    assert rows == [
        {"path": "", "heading": "", "url": URL},
        {"path": "Background", "heading": "Background", "url": f"{URL}#Background"},
        {
            "path": "Background › Cold War Era",
            "heading": "Cold War Era",
            "url": f"{URL}#Cold_War_Era",
        },
        {
            "path": "Background › Cold War Era › Early years",
            "heading": "Early years",
            "url": f"{URL}#Early_years",
        },
        {"path": "Background › Cold War Era › 1970s", "heading": "1970s", "url": f"{URL}#1970s"},
        {
            "path": "Background › Post Cold War",
            "heading": "Post Cold War",
            "url": f"{URL}#Post_Cold_War",
        },
        {
            "path": "Background › Recent relations",
            "heading": "Recent relations",
            "url": f"{URL}#Recent_relations",
        },
        {
            "path": "High level visits",
            "heading": "High level visits",
            "url": f"{URL}#High_level_visits",
        },
        {
            "path": "Economic relations",
            "heading": "Economic relations",
            "url": f"{URL}#Economic_relations",
        },
    ]


def test_one_fact_per_sentence_pair_and_row(db):
    article = knowledge.parse_file(SEED)
    sentences = [s for p in article.paragraphs for s in split_sentences(p.text)]
    counts = dict(db.execute("select kind, count(*) from facts group by kind").fetchall())
    assert counts == {"sentence": len(sentences), "row": 8, "infobox": 4}
    assert len(sentences) == 45
    stored = [
        r["text"] for r in db.query("select text from facts where kind = 'sentence' order by id")
    ]
    assert stored == sentences
    assert db.execute("select value from meta where key = 'facts'").fetchone() == ("57",)


def test_sentence_fact_section(db):
    [row] = db.query(
        "select sections.path from facts join sections on sections.id = facts.section_id "
        "where facts.text = ?",
        ["The Soviet Union granted Algeria a long-term loan in the amount of 90 million rubles."],
    )
    assert row == {"path": "Background › Cold War Era › Early years"}


def test_row_fact_text(db):
    rows = [r["text"] for r in db.query("select text from facts where kind = 'row' order by id")]
    assert rows[2] == (
        "Guest: Chairman Nikolai Podgorny · Host: President Houari Boumediène · "
        "Place of visit: Algiers · Date of visit: 26 March-1 April 1969"
    )


def test_infobox_envoys_paired_with_their_titles(db):
    pairs = {(r["key"], r["value"]) for r in db.query("select key, value from infobox")}
    assert ("Russian Ambassador to Algeria", "Valerian Shuvaev") in pairs
    assert ("Algerian Ambassador to Russia", "Boumediene Guennad") in pairs
    assert ("Mission1", "Embassy of Algeria in Moscow, Russia") in pairs
    assert not {k for k, _ in pairs} & {"Envoy1", "Envoy2", "Envoytitle1", "Envoytitle2"}
    facts = {r["text"] for r in db.query("select text from facts where kind = 'infobox'")}
    assert "Russian Ambassador to Algeria: Valerian Shuvaev" in facts
    assert "Algerian Ambassador to Russia: Boumediene Guennad" in facts
    assert "Filetype: svg" not in facts  # page layout, not a fact about the subject


def test_visits_with_years(db):
    rows = [
        (r["date"], r["year_from"], r["year_to"], r["place"])
        for r in db.query("select date, year_from, year_to, place from visits order by id")
    ]
    assert rows == [
        ("13-18 December 1965", 1965, 1965, "Moscow"),
        ("June–July 1967", 1967, 1967, "Moscow"),
        ("26 March-1 April 1969", 1969, 1969, "Algiers"),
        ("3-6 April 2001", 2001, 2001, "Moscow"),
        ("10 March 2006", 2006, 2006, "Algiers"),
        ("18-19 February 2008", 2008, 2008, "Moscow"),
        ("6 October 2010", 2010, 2010, "Algiers"),
        ("13 June 2023", 2023, 2023, "Moscow"),
    ]


def test_visit_objects(kb):
    visits = kb.visits()
    assert len(visits) == 8
    putin = visits[4]
    assert (putin.guest, putin.host, putin.place, putin.date) == (
        "President Vladimir Putin",
        "President Abdelaziz Bouteflika",
        "Algiers",
        "10 March 2006",
    )
    assert putin.direction == "Russia → Algeria"
    assert visits[0].direction == "Algeria → Russia"
    assert kb.fact(putin.fact_id).kind == "row"


def test_articles_listing(kb):
    [info] = kb.articles()
    assert (info.title, info.url, info.facts, info.visits) == (
        "Algeria–Russia relations",
        URL,
        57,
        8,
    )
    assert info.sections[2] == "Background › Cold War Era › Early years"


# -- opening bad files --------------------------------------------------------------------


def test_open_missing(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="no knowledge base at .*missing.db"):
        KnowledgeBase.open(tmp_path / "missing.db")


def test_open_foreign_sqlite(tmp_path):
    path = tmp_path / "other.db"
    foreign = sqlite_utils.Database(path)
    foreign.table("dogs").insert({"name": "Cleo"})
    foreign.close()
    with pytest.raises(KnowledgeBaseError) as info:
        KnowledgeBase.open(path)
    assert str(info.value) == f"{path} is not a qabot knowledge base (no schema version)"


def test_open_foreign_meta_table(tmp_path):
    path = tmp_path / "other.db"
    foreign = sqlite_utils.Database(path)
    foreign.table("meta").insert({"name": "x", "size": 1})
    foreign.close()
    with pytest.raises(KnowledgeBaseError, match="not a qabot knowledge base"):
        KnowledgeBase.open(path)


def test_open_corrupt(tmp_path):
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not sqlite at all\n" * 200)
    with pytest.raises(KnowledgeBaseError) as info:
        KnowledgeBase.open(path)
    assert str(info.value) == f"{path} is not a qabot knowledge base (corrupt or foreign)"


def test_open_truncated(tmp_path, seed_db):
    path = tmp_path / "truncated.db"
    path.write_bytes(seed_db.read_bytes()[:4096])
    with pytest.raises(KnowledgeBaseError, match="not a qabot knowledge base"):
        KnowledgeBase.open(path)


def test_open_other_schema_version(tmp_path, seed_db):
    path = tmp_path / "old.db"
    path.write_bytes(seed_db.read_bytes())
    with sqlite3.connect(path) as conn:
        conn.execute("update meta set value = '2' where key = 'schema_version'")
    conn.close()
    with pytest.raises(KnowledgeBaseError) as info:
        KnowledgeBase.open(path)
    assert str(info.value) == (
        f"{path} has schema version 2, this qabot needs {SCHEMA_VERSION}: "
        "rebuild it with 'qabot ingest'"
    )


def test_open_garbled_schema_version(tmp_path, seed_db):
    path = tmp_path / "garbled.db"
    path.write_bytes(seed_db.read_bytes())
    with sqlite3.connect(path) as conn:
        conn.execute("update meta set value = 'three' where key = 'schema_version'")
    conn.close()
    with pytest.raises(KnowledgeBaseError, match="not a qabot knowledge base"):
        KnowledgeBase.open(path)


# -- building -----------------------------------------------------------------------------


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".qabot-"))


def test_failed_ingest_leaves_old_database_unchanged(tmp_path):
    path = tmp_path / "kb.db"
    build_knowledge_base([SEED], path)
    before = path.read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    with pytest.raises(ArticleParseError, match=r"bad\.txt:1: this is a binary file"):
        build_knowledge_base(
            [ARTICLES / "apollo-11.txt", bad, ARTICLES / "river-thames.txt"],
            path,
            keep_existing=True,
        )
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    with KnowledgeBase.open(path) as kb:
        assert [a.title for a in kb.articles()] == ["Algeria–Russia relations"]
        assert kb.ask("Who is the Russian ambassador to Algeria?").text == (
            "Russian Ambassador to Algeria: Valerian Shuvaev"
        )


def test_crash_while_writing_leaves_old_database_unchanged(tmp_path, monkeypatch):
    path = tmp_path / "kb.db"
    build_knowledge_base([SEED], path)
    before = path.read_bytes()

    def explode(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(knowledge.store._Writer, "finish", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        build_knowledge_base([ARTICLES / "apollo-11.txt"], path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_skip_bad_reports_and_skips(tmp_path):
    path = tmp_path / "kb.db"
    bad = tmp_path / "untitled.txt"
    bad.write_text("No title here.\n", encoding="utf-8")
    result = build_knowledge_base([SEED, bad, ARTICLES / "apollo-11.txt"], path, skip_bad=True)
    assert result.skipped == [
        f"{bad}:1: expected the article title as '= Title =' on the first line"
    ]
    assert [(r.title, r.sections, r.facts, r.visits) for r in result.articles] == [
        ("Algeria–Russia relations", 8, 57, 8),
        ("Apollo 11", 9, 43, 0),
    ]


def test_several_articles_in_one_database(multi_kb):
    infos = {a.title: a for a in multi_kb.articles()}
    assert sorted(infos) == [
        "Algeria–Russia relations",
        "Apollo 11",
        "France–Japan relations",
        "Lanternfest of Brackwater",
        "River Thames",
    ]
    assert infos["France–Japan relations"].visits == 8
    assert infos["Apollo 11"].visits == 0
    assert infos["River Thames"].url == "https://en.wikipedia.org/wiki/River_Thames"
    assert len(multi_kb.visits()) == 16


def test_other_tables_kept_with_their_columns(multi_db):
    with sqlite_utils.Database(sqlite3.connect(f"{multi_db.as_uri()}?mode=ro", uri=True)) as db:
        headers = {
            (r["title"], r["header"], r["is_visits"])
            for r in db.query(
                "select articles.title, header, is_visits from tables "
                "join articles on articles.id = tables.article_id"
            )
        }
        bridge = db.execute("select text from facts where text like 'Bridge: Tower Bridge%'")
        bridge_text = bridge.fetchone()[0]
    assert ("River Thames", '["Bridge", "Opened", "Type", "Borough"]', 0) in headers
    assert ("Apollo 11", '["Event", "Date", "Time (UTC)"]', 0) in headers
    assert ("Apollo 11", '["Position", "Astronaut", "Born", "Previous flights"]', 0) in headers
    assert bridge_text == (
        "Bridge: Tower Bridge · Opened: 1894 · Type: Bascule and suspension bridge · "
        "Borough: Tower Hamlets"
    )


def test_keep_existing_replaces_an_article_by_title(tmp_path):
    path = tmp_path / "kb.db"
    build_knowledge_base([SEED, ARTICLES / "apollo-11.txt"], path)
    edited = tmp_path / "apollo.txt"
    edited.write_text("= Apollo 11 =\n\nApollo 11 landed on the Moon.\n", encoding="utf-8")
    result = build_knowledge_base([edited], path, keep_existing=True)
    assert sorted((r.title, r.facts) for r in result.articles) == [
        ("Algeria–Russia relations", 57),
        ("Apollo 11", 1),
    ]


def test_a_build_removes_what_a_killed_build_left_behind(tmp_path):
    import os
    import time

    stale = tmp_path / ".qabot-old.tmp"
    fresh = tmp_path / ".qabot-running.tmp"
    stale.write_bytes(b"half a database")
    fresh.write_bytes(b"another build, still running")
    an_hour_ago = time.time() - 2 * 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    build_knowledge_base([SEED], tmp_path / "kb.db")
    assert not stale.exists()
    assert fresh.exists()
