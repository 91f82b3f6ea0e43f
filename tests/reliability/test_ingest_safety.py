"""Ingest is locked, durable and careful with other people's files; bad input gets one line.

Most tests call the command line in-process (`bot.cli.main`) with the seed article, whose
vectors are shipped, so nothing is embedded. Faults the machine cannot produce for real
(a full disk, a read-only file system, a HOME root may write to) are injected.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from knowledge import ArticleParseError, KnowledgeBase, build_knowledge_base, parse_file
from knowledge import store as store_module

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "knowledge" / "data" / "algeria-russia-relations.txt"
ARTICLES = ROOT / "tests" / "data" / "articles"
SEED_TITLE = "Algeria–Russia relations"


class FakeEmbedder:
    """Vectors from a hash of the text: building a test article embeds in no time."""

    name = "fake-embedder"
    dim = 384

    def _vectors(self, texts):
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            row = np.random.default_rng(seed).standard_normal(self.dim)
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), self.dim)

    def queries(self, texts):
        return self._vectors(texts)

    def passages(self, texts, progress=None):
        if progress:
            progress(len(texts))
        return self._vectors(texts)


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(err: str, *needles: str) -> None:
    assert err.startswith("qabot: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


def titles(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {t for (t,) in conn.execute("select title from articles")}
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".qabot-*"))


# -- size ------------------------------------------------------------------------------


def test_an_article_over_the_size_limit_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    big = tmp_path / "big.txt"
    big.write_text("= Big =\n" + "\n" * 5000)
    db = tmp_path / "kb.db"
    monkeypatch.setenv("QABOT_MAX_ARTICLE_BYTES", "1000")
    code, _, err = run(capsys, "ingest", "--replace", str(big), "--db", str(db))
    assert code == 1
    assert_one_line(err, str(big), "bigger than 1,000 bytes", "--max-bytes")
    assert not db.exists()
    monkeypatch.delenv("QABOT_MAX_ARTICLE_BYTES")
    code, _, err = run(capsys, "ingest", "--replace", str(big), "--db", str(db), "--max-bytes=99")
    assert code == 1
    assert_one_line(err, "bigger than 99 bytes")


def test_dev_zero_is_refused_without_reading_it_all(tmp_path: Path, capsys: pytest.CaptureFixture):
    db = tmp_path / "kb.db"
    code, _, err = run(capsys, "ingest", "--replace", "/dev/zero", f"--db={db}", "--max-bytes=4096")
    assert code == 1
    assert_one_line(err, "/dev/zero", "bigger than 4,096 bytes")


def test_a_bad_size_limit_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("QABOT_MAX_ARTICLE_BYTES", "lots")
    code, _, err = run(capsys, "ingest", str(SEED), "--db", str(tmp_path / "kb.db"))
    assert code == 1
    assert_one_line(err, "QABOT_MAX_ARTICLE_BYTES", "'lots'")


def test_build_refuses_a_big_file_as_a_parse_error(tmp_path: Path):
    with pytest.raises(ArticleParseError, match="bigger than 100 bytes"):
        build_knowledge_base([SEED], tmp_path / "kb.db", max_bytes=100)


# -- two ingests at once -----------------------------------------------------------------

PAUSING_INGEST = """
import sys
from knowledge import build_knowledge_base

paused = []

def pause(title):
    if not paused:  # inside the build: say so, then wait for a line on stdin
        paused.append(title)
        print("inside", flush=True)
        sys.stdin.readline()

build_knowledge_base([sys.argv[1]], sys.argv[2], keep_existing=True, progress=pause)
print("done", flush=True)
"""


def pausing_ingest(article: Path, db: Path) -> subprocess.Popen:
    """Another process's ingest, stopped inside its build until told to go on."""
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSING_INGEST, str(article), str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout.readline() == "inside\n"
    return child


def test_a_second_ingest_waits_for_the_first_and_keeps_its_batch(tmp_path: Path, seed_db: Path):
    db = tmp_path / "kb.db"
    shutil.copy(seed_db, db)
    first = pausing_ingest(ARTICLES / "apollo-11.txt", db)
    waiting = threading.Event()
    second = threading.Thread(
        target=build_knowledge_base,
        args=([ARTICLES / "river-thames.txt"], db),
        kwargs={"keep_existing": True, "on_wait": lambda path: waiting.set()},
    )
    second.start()
    try:
        assert waiting.wait(30), "the second ingest did not see the first"
        assert second.is_alive()
    finally:
        first.communicate("go\n", timeout=60)
        second.join(60)
    assert first.returncode == 0
    assert titles(db) == {SEED_TITLE, "Apollo 11", "River Thames"}


def test_temporary_files_of_killed_ingests_go_at_the_next_one(tmp_path: Path):
    """A build's temporary file carries its process id: the next ingest removes those
    whose process is gone at once, not an hour later, and leaves a running one's alone."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    killed = tmp_path / f".qabot-{gone.pid}-abcd1234.tmp"
    killed.write_bytes(b"half a knowledge base")
    running = tmp_path / f".qabot-{os.getppid()}-efgh5678.tmp"  # a live process's build
    running.write_bytes(b"")
    build_knowledge_base([SEED], tmp_path / "kb.db")
    assert temp_files(tmp_path) == [running]


def test_a_build_names_its_temporary_file_after_its_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    seen = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: seen.append(src) or real_replace(src, dst))
    build_knowledge_base([SEED], tmp_path / "kb.db")
    assert [Path(s).name.startswith(f".qabot-{os.getpid()}-") for s in seen] == [True]


# -- other files -------------------------------------------------------------------------


def foreign_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table important (value text)")
    conn.execute("insert into important values ('keep me')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("kind", ["sqlite", "text"])
def test_replace_refuses_a_file_that_is_not_a_knowledge_base(
    tmp_path: Path, capsys: pytest.CaptureFixture, kind: str
):
    other = tmp_path / "other.db"
    if kind == "sqlite":
        foreign_database(other)
    else:
        other.write_text("my notes\n")
    before = digest(other)
    code, _, err = run(capsys, "ingest", "--replace", str(SEED), "--db", str(other))
    assert code == 1
    assert_one_line(err, str(other), "not a qabot knowledge base", "--force")
    assert digest(other) == before
    assert temp_files(tmp_path) == []
    code, _, err = run(capsys, "ingest", "--replace", "--force", str(SEED), "--db", str(other))
    assert code == 0, err
    assert titles(other) == {SEED_TITLE}


def test_a_symlinked_db_is_written_through(tmp_path: Path, seed_db: Path):
    real = tmp_path / "data" / "kb.db"
    real.parent.mkdir()
    shutil.copy(seed_db, real)
    link = tmp_path / "link.db"
    link.symlink_to(real)
    build_knowledge_base([ARTICLES / "apollo-11.txt"], link, keep_existing=True)
    assert link.is_symlink() and link.resolve() == real
    assert titles(real) == {SEED_TITLE, "Apollo 11"}
    assert temp_files(tmp_path) == [] and temp_files(real.parent) == []


# -- durability --------------------------------------------------------------------------


def test_the_new_file_is_synced_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    events: list[tuple[str, ...]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src, dst) -> None:
        events.append(("replace", str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    db = tmp_path / "kb.db"
    build_knowledge_base([SEED], db)
    renames = [e for e in events if e[0] == "replace" and e[2] == str(db)]
    assert len(renames) == 1, events
    at = events.index(renames[0])
    assert ("fsync", renames[0][1]) in events[:at], events
    assert ("fsync", str(tmp_path)) in events[at + 1 :], events


# -- smaller faults ----------------------------------------------------------------------


def test_two_files_with_the_same_title_say_so(tmp_path: Path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    shutil.copy(SEED, first)
    shutil.copy(SEED, second)
    result = build_knowledge_base([first, second], tmp_path / "kb.db")
    assert [r.title for r in result.articles] == [SEED_TITLE]
    duplicate = [w for w in result.warnings if "same title" in w]
    assert len(duplicate) == 1 and str(first) in duplicate[0] and str(second) in duplicate[0]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_file_with_a_bom_is_read(tmp_path: Path, encoding: str):
    path = tmp_path / "article.txt"
    text = SEED.read_text("utf-8-sig")
    bom = {"utf-16-be": "\ufeff"}.get(encoding, "")  # utf-16 and utf-32 write their own
    path.write_bytes((bom + text).encode(encoding))
    assert parse_file(path).title == parse_file(SEED).title


# -- write errors ------------------------------------------------------------------------


def test_a_full_disk_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    def disk_full(self):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module._Writer, "finish", disk_full)
    db = tmp_path / "kb.db"
    code, _, err = run(capsys, "ingest", "--replace", str(SEED), "--db", str(db))
    assert code == 1
    assert_one_line(err, str(db), "disk is full", "free some space")
    assert temp_files(tmp_path) == [] and not db.exists()


def test_no_space_for_the_rename_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    def no_space(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    db = tmp_path / "kb.db"
    code, _, err = run(capsys, "ingest", "--replace", str(SEED), "--db", str(db))
    assert code == 1
    assert_one_line(err, str(db), "disk is full")
    assert temp_files(tmp_path) == []


def test_a_read_only_file_system_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    def read_only(*args, dir=None, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(dir))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    db = tmp_path / "kb.db"
    code, _, err = run(capsys, "ingest", "--replace", str(SEED), "--db", str(db))
    assert code == 1
    assert_one_line(err, str(db), "read-only", "--db")


@pytest.mark.parametrize("replace", [True, False])
def test_a_db_path_that_is_a_directory_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, replace: bool
):
    folder = tmp_path / "kb.db"
    folder.mkdir()
    options = ["--replace"] if replace else []
    code, _, err = run(capsys, "ingest", *options, str(SEED), "--db", str(folder))
    assert code == 1
    assert_one_line(err, str(folder), "is a directory", f"--db {folder / 'qabot.db'}")
    assert list(folder.iterdir()) == [] and temp_files(tmp_path) == []


def test_an_unwritable_home_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("QABOT_DB")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):  # root may write anywhere: refuse as a user's HOME would
        if self.is_relative_to(home):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    code, _, err = run(capsys, "ingest", str(SEED))
    assert code == 1
    assert_one_line(err, str(home / ".local" / "share" / "qabot"), "QABOT_DB")


# -- what an article may not carry into the terminal or a link ---------------------------

HOSTILE = """= Esc\x1b[31mape Test =

Infobox
- Capital: Al\x1b]0;owned\x07giers

== Hist\x1b[2Jory ==
In 2006 the \x1b[1mpresident\x1b[0m visited Algiers.\x07 It was a\x1b[?25l state visit.\x08

== Say "hi" <now> & then ==
| Guest | Host | Place | Date |
| Vladimir\x1b[5m Putin | Abdelaziz Bouteflika | Algiers\x1b[H | 10 March 2006 |
"""


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    article = folder / "hostile.txt"
    article.write_text(HOSTILE)
    db = folder / "kb.db"
    build_knowledge_base([article], db, embedder=FakeEmbedder())
    return db


def control_characters(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0]


def test_control_characters_are_stripped_at_ingest(hostile_db: Path):
    conn = sqlite3.connect(hostile_db)
    try:
        for table, column in [
            ("articles", "title"),
            ("articles", "text"),
            ("sections", "path"),
            ("facts", "text"),
            ("infobox", "value"),
            ("visits", "guest"),
            ("visits", "place"),
        ]:
            for (value,) in conn.execute(f"select {column} from {table}"):
                assert not control_characters(value or ""), (table, column, value)
        facts = [t for (t,) in conn.execute("select text from facts")]
    finally:
        conn.close()
    assert "In 2006 the president visited Algiers." in facts
    with KnowledgeBase.open(hostile_db) as kb:
        answer = kb.ask("When did Putin visit Algiers?")
        shown = [answer.text, *(s.article for s in answer.sources)]
        shown += [f"{v.guest} {v.place} {v.article}" for v in kb.visits()]
    assert all(not control_characters(text) for text in shown), shown
    assert any("Vladimir Putin" in text for text in shown)


def test_a_section_anchor_is_percent_encoded(hostile_db: Path):
    conn = sqlite3.connect(hostile_db)
    try:
        urls = [u for (u,) in conn.execute("select url from sections where heading like 'Say%'")]
    finally:
        conn.close()
    assert len(urls) == 1
    assert urls[0].endswith("#Say_%22hi%22_%3Cnow%3E_%26_then"), urls
