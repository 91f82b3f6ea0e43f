"""The `qabot` command line, run as a real subprocess: the --json contract and error exits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "tests" / "data" / "articles"
QABOT = Path(sys.executable).with_name("qabot")
URL = "https://en.wikipedia.org/wiki/Algeria%E2%80%93Russia_relations"


def qabot(*args: str, stdin: str = "", env_db: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    if env_db is not None:
        env["QABOT_DB"] = str(env_db)
    return subprocess.run(
        [str(QABOT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture(autouse=True)
def _needs_the_script():
    if not QABOT.exists():
        pytest.skip(f"{QABOT} is not installed")


def test_ask_json_one_object_per_line_in_order(seed_db):
    questions = [
        "Which diplomat is Moscow's ambassador to Algeria?",
        "Which city is Australia's capital?",
        "List visits in the 2000s",
        "",
    ]
    result = qabot("ask", "--json", "--db", str(seed_db), stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    objects = [json.loads(line) for line in lines]
    for obj in objects:
        assert {"question", "abstained", "answer", "confidence", "sources"} <= set(obj)
        assert isinstance(obj["confidence"], float | int)
        for source in obj["sources"]:
            assert set(source) == {"article", "section", "url"}
    assert [o["question"] for o in objects] == questions
    assert [o["abstained"] for o in objects] == [False, True, False, True]
    assert objects[0]["answer"] == "Russian Ambassador to Algeria: Valerian Shuvaev"
    assert objects[0]["sources"] == [
        {"article": "Algeria–Russia relations", "section": "", "url": URL}
    ]
    assert objects[1]["sources"] == []
    assert objects[2]["answer"].count("\n") == 2
    assert objects[2]["sources"] == [
        {
            "article": "Algeria–Russia relations",
            "section": "High level visits",
            "url": f"{URL}#High_level_visits",
        }
    ]


def test_ask_text(seed_db):
    result = qabot(
        "ask",
        "--db",
        str(seed_db),
        "Who",
        "hosted",
        "the",
        "Non-Aligned",
        "Movement",
        "in",
        "Algiers",
        "in",
        "1973?",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "In 1973, Houari Boumediène hosted the Non-Aligned Movement in Algiers.\n"
        f"— Algeria–Russia relations › Background › Cold War Era › 1970s ({URL}#1970s)\n"
    )


def test_ask_uses_qabot_db_and_builds_the_seed(tmp_path):
    db = tmp_path / "fresh" / "qabot.db"
    result = qabot("ask", "Which diplomat is Moscow's ambassador to Algeria?", env_db=db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Russian Ambassador to Algeria: Valerian Shuvaev\n")
    assert db.is_file()


def test_ingest_prints_counts(tmp_path):
    db = tmp_path / "kb.db"
    result = qabot(
        "ingest",
        "--replace",
        "--db",
        str(db),
        str(ARTICLES / "apollo-11.txt"),
        str(ARTICLES / "france-japan-relations.txt"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Apollo 11: 9 sections, 43 facts, 0 visits",
        "France–Japan relations: 9 sections, 36 facts, 8 visits",
        f"knowledge base: {db}",
    ]


def test_ingest_keeps_the_seed_by_default(tmp_path):
    db = tmp_path / "kb.db"
    result = qabot("ingest", "--db", str(db), str(ARTICLES / "river-thames.txt"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Algeria–Russia relations: 8 sections, 57 facts, 8 visits",
        "River Thames: 10 sections, 47 facts, 0 visits",
        f"knowledge base: {db}",
    ]


def test_visits_year_json(seed_db):
    result = qabot("visits", "--year", "2006", "--json", "--db", str(seed_db))
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    visit = json.loads(line)
    assert {k: visit[k] for k in ("guest", "host", "place", "date", "year_from", "year_to")} == {
        "guest": "President Vladimir Putin",
        "host": "President Abdelaziz Bouteflika",
        "place": "Algiers",
        "date": "10 March 2006",
        "year_from": 2006,
        "year_to": 2006,
    }
    assert visit["article"] == "Algeria–Russia relations"


def test_visits_text_table(seed_db):
    result = qabot("visits", "--from", "1960", "--to", "1969", "--db", str(seed_db))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Date", "Guest", "Host", "Place"]
    assert len(lines) == 2 + 3
    assert lines[2].startswith("13-18 December 1965 ")
    assert lines[2].split("  ")[-1].strip() == "Moscow"
    assert "President Houari Boumediène" in lines[2]
    assert lines[4].startswith("26 March-1 April 1969  Chairman Nikolai Podgorny")


def test_ingest_broken_file_fails_in_one_line(tmp_path):
    db = tmp_path / "kb.db"
    bad = tmp_path / "garbage.bin"
    bad.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00")
    result = qabot("ingest", "--replace", "--db", str(db), str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"qabot: {bad}:1: this is a binary file, not a text article\n"
    assert not db.exists()


def test_ingest_skip_bad(tmp_path):
    db = tmp_path / "kb.db"
    bad = tmp_path / "untitled.txt"
    bad.write_text("No title.\n", encoding="utf-8")
    result = qabot(
        "ingest",
        "--replace",
        "--skip-bad",
        "--db",
        str(db),
        str(bad),
        str(ARTICLES / "apollo-11.txt"),
    )
    assert result.returncode == 0
    assert result.stderr == (
        f"skipped {bad}:1: expected the article title as '= Title =' on the first line\n"
    )
    assert result.stdout.splitlines()[0] == "Apollo 11: 9 sections, 43 facts, 0 visits"


def test_ask_on_a_foreign_database_fails_in_one_line(tmp_path):
    db = tmp_path / "notes.db"
    db.write_bytes(b"not a database\n" * 100)
    result = qabot("ask", "--db", str(db), "anything")
    assert result.returncode == 1
    assert result.stderr == f"qabot: {db} is not a qabot knowledge base (corrupt or foreign)\n"
    assert "Traceback" not in result.stderr
