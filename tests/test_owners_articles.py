"""Owners' articles: their own link (infobox `URL:`, `qabot ingest --base-url`), and an empty
heading skipped with a warning instead of rejecting the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from knowledge import KnowledgeBase

MILL = (
    "= Our Mill =\n\nInfobox\n- URL: https://wiki.example.org/mill\n- Built: 1820\n\n"
    "== History ==\nThe mill was built by Ann Lee in 1820.\n"
)
FARM = "= Green Farm =\n\nIntro.\n\n== ==\nThe farm grows apples since 1901.\n"


def _ingest(tmp_path: Path, *args: str) -> tuple[int, Path]:
    db = tmp_path / "kb.db"
    (tmp_path / "mill.txt").write_text(MILL, encoding="utf-8")
    (tmp_path / "farm.txt").write_text(FARM, encoding="utf-8")
    files = [str(tmp_path / "mill.txt"), str(tmp_path / "farm.txt")]
    return main(["ingest", "--replace", "--db", str(db), *args, *files]), db


def _urls(db: Path) -> dict[str, str]:
    with KnowledgeBase.open(db) as kb:
        return {a.title: a.url for a in kb.articles()}


def test_declared_link_wins_and_others_link_to_wikipedia(tmp_path: Path, capsys):
    code, db = _ingest(tmp_path)
    assert code == 0
    assert _urls(db) == {
        "Our Mill": "https://wiki.example.org/mill",
        "Green Farm": "https://en.wikipedia.org/wiki/Green_Farm",
    }
    with KnowledgeBase.open(db) as kb:
        fact = kb.search("mill built Ann Lee")[0]
        assert fact.url == "https://wiki.example.org/mill#History"
        assert not any("wiki.example.org" in f.text for f in kb.search("URL mill"))


def test_base_url_links_the_others_there(tmp_path: Path):
    code, db = _ingest(tmp_path, "--base-url", "https://farm.example/wiki/")
    assert code == 0
    assert _urls(db)["Green Farm"] == "https://farm.example/wiki/Green_Farm"
    assert _urls(db)["Our Mill"] == "https://wiki.example.org/mill"


def test_empty_base_url_means_no_link(tmp_path: Path):
    code, db = _ingest(tmp_path, "--base-url", "")
    assert code == 0
    assert _urls(db)["Green Farm"] == ""
    with KnowledgeBase.open(db) as kb:
        assert kb.search("farm apples")[0].url == ""


def test_links_survive_a_later_ingest_that_keeps_them(tmp_path: Path):
    code, db = _ingest(tmp_path, "--base-url", "https://farm.example/wiki/")
    other = tmp_path / "other.txt"
    other.write_text("= Other =\n\nText about pears.\n", encoding="utf-8")
    assert main(["ingest", "--db", str(db), str(other)]) == 0
    assert _urls(db)["Green Farm"] == "https://farm.example/wiki/Green_Farm"
    assert _urls(db)["Other"] == "https://en.wikipedia.org/wiki/Other"


def test_empty_heading_is_a_warning_naming_the_line(tmp_path: Path, capsys):
    code, db = _ingest(tmp_path)
    assert code == 0
    err = capsys.readouterr().err
    assert f"warning: {tmp_path / 'farm.txt'}:5: skipped a section heading with no text" in err
    with KnowledgeBase.open(db) as kb:
        assert any("apples" in f.text for f in kb.search("farm apples"))


@pytest.mark.parametrize("value", ["Wikipedia", "the parish records"])
def test_a_source_that_is_not_a_link_stays_a_fact(tmp_path: Path, value: str):
    db = tmp_path / "kb.db"
    path = tmp_path / "a.txt"
    path.write_text(f"= Mill Two =\n\nInfobox\n- Source: {value}\n\nText.\n", encoding="utf-8")
    assert main(["ingest", "--replace", "--db", str(db), str(path)]) == 0
    assert _urls(db)["Mill Two"] == "https://en.wikipedia.org/wiki/Mill_Two"
