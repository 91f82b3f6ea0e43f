"""The command line under bad input: a 1 MB line, and batch ingests with a bad file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from knowledge import KnowledgeBase

QABOT = Path(sys.executable).parent / "qabot"
ROOT = Path(__file__).resolve().parents[2]
ARTICLES = sorted((ROOT / "tests" / "data" / "articles").glob("*.txt"))
MEGABYTE = 1 << 20


def one_mb_line() -> str:
    words = ["When", "did", "Putin", "visit", "Algiers?", "NEAR(", '"', "*", "Путин", "普京"]
    line = " ".join(words[i % len(words)] for i in range(MEGABYTE // 4))
    return line[:MEGABYTE]


def run(args: list[str], db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "QABOT_DB": str(db), "HOME": str(db.parent)}
    return subprocess.run(
        [str(QABOT), *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def db(tmp_path: Path, seed_db: Path) -> Path:
    path = tmp_path / "kb.db"
    shutil.copy(seed_db, path)
    return path


def test_ask_a_1mb_line_on_stdin(db: Path):
    line = one_mb_line()
    assert len(line) == MEGABYTE and "\n" not in line
    result = run(["ask", "--json"], db, stdin=line + "\nWhen did Putin visit Algiers?\n")
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stderr == ""
    first, second = (json.loads(out) for out in result.stdout.splitlines())
    assert isinstance(first["abstained"], bool) and len(first["question"]) <= 4096
    assert "10 March 2006" in second["answer"]


def test_ask_a_1mb_line_as_arguments(db: Path):
    """Linux caps one argument at 128 KiB (MAX_ARG_STRLEN): 1 MB goes as 11 arguments of
    about 100 KB, which qabot joins into one line."""
    line = one_mb_line()
    parts = [line[i : i + 100_000] for i in range(0, len(line), 100_000)]
    assert sum(map(len, parts)) == MEGABYTE and len(parts) == 11
    result = run(["ask", "--json", "--", *parts], db)
    assert result.returncode == 0, result.stderr[-500:]
    answer = json.loads(result.stdout)
    assert isinstance(answer["abstained"], bool) and answer["answer"]


def test_ask_a_1mb_single_argument_in_process(db: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["ask", "--json", "--db", str(db), one_mb_line()]) == 0
    assert isinstance(json.loads(capsys.readouterr().out)["abstained"], bool)


# -- batch ingest --------------------------------------------------------------------------


NO_TITLE = "expected the article title as '= Title =' on the first line"


def facts_of(db: Path) -> list[tuple]:
    with KnowledgeBase.open(db) as kb:
        return [(a.title, a.facts, a.sections) for a in kb.articles()]


@pytest.fixture
def batch(tmp_path: Path) -> list[Path]:
    """Two good articles with a bad one between them."""
    folder = tmp_path / "batch"
    folder.mkdir()
    bad = folder / "2-bad.txt"
    bad.write_text("Bad, no title\n\nText.\n", encoding="utf-8")
    shutil.copy(ARTICLES[0], folder / "1-good.txt")
    shutil.copy(ARTICLES[1], folder / "3-good.txt")
    return sorted(folder.iterdir())


def test_a_bad_file_stops_the_batch_and_leaves_the_base(
    db: Path, batch: list[Path], capsys: pytest.CaptureFixture[str]
):
    before = facts_of(db)
    assert main(["ingest", "--db", str(db), *map(str, batch)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"qabot: {batch[1]}:1: {NO_TITLE}"
    assert facts_of(db) == before
    assert [p.name for p in db.parent.iterdir() if p.name.startswith(".qabot-")] == []


def test_a_bad_file_stops_a_new_base_before_it_exists(tmp_path: Path, batch: list[Path]):
    new = tmp_path / "new.db"
    assert main(["ingest", "--replace", "--db", str(new), *map(str, batch)]) == 1
    assert not new.exists() and not list(tmp_path.glob(".qabot-*"))


def test_skip_bad_reports_and_skips(
    db: Path, batch: list[Path], capsys: pytest.CaptureFixture[str]
):
    assert main(["ingest", "--skip-bad", "--db", str(db), *map(str, batch)]) == 0
    err = capsys.readouterr().err
    assert f"skipped {batch[1]}:1: {NO_TITLE}" in err
    titles = [title for title, *_ in facts_of(db)]
    assert len(titles) == 3 and "Bad" not in titles


def test_binary_and_truncated_files_in_a_batch(tmp_path: Path, db: Path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    truncated = tmp_path / "cut.txt"
    truncated.write_bytes(ARTICLES[0].read_bytes()[:1001] + "é".encode()[:1])
    before = facts_of(db)
    for path in (binary, truncated):
        assert main(["ingest", "--db", str(db), str(path)]) == 1
    assert facts_of(db) == before


def test_duplicate_titles_in_a_batch_keep_one_article(tmp_path: Path, db: Path):
    for name, body in (("a.txt", "Zorblax signed it in 1999."), ("b.txt", "Quux won in 2001.")):
        (tmp_path / name).write_text(f"= Same Title =\n\n{body}\n", encoding="utf-8")
    assert main(["ingest", "--db", str(db), str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]) == 0
    titles = [title for title, *_ in facts_of(db)]
    assert titles.count("Same Title") == 1
    with KnowledgeBase.open(db) as kb:
        assert kb.search("Quux") and not kb.search("Zorblax")  # the later file wins
