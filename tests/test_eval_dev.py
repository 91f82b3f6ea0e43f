"""Accuracy floors: the shared dev set on the seed, and the multi-article set in tests/data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.evaluate import grade
from knowledge import KnowledgeBase, build_knowledge_base

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
ARTICLES_EVAL = ROOT / "tests" / "data" / "eval_articles.jsonl"


def _group(case: dict) -> str:
    if case["kind"] == "oos":
        return "oos"
    return "en" if case["lang"] == "en" else "intl"


def score(kb: KnowledgeBase, path: Path) -> tuple[dict[str, float], list[str]]:
    """Accuracy by group (en, intl, oos, all), and the ids of the misses."""
    good: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        ok = grade(case, kb.ask(case["q"]))
        for key in (_group(case), "all"):
            good[key] += ok
            total[key] += 1
        if not ok:
            misses.append(case["id"])
    return {key: good[key] / total[key] for key in total}, misses


def test_dev_set_on_the_seed(kb):
    if not DEV.exists():
        pytest.skip(f"{DEV} is not here")
    accuracy, misses = score(kb, DEV)
    assert accuracy["en"] >= 0.97, (accuracy, misses)
    assert accuracy["oos"] >= 0.95, (accuracy, misses)
    assert accuracy["intl"] >= 0.80, (accuracy, misses)


def test_dev_set_unchanged_with_every_article_loaded(kb, multi_kb):
    if not DEV.exists():
        pytest.skip(f"{DEV} is not here")
    alone, _ = score(kb, DEV)
    together, misses = score(multi_kb, DEV)
    assert together == alone, misses


@pytest.mark.parametrize(
    ("folder", "floor_all", "floor_oos"),
    [
        # Written by people who had not seen the engine. When the floors were set:
        # heldout  en 0.75, intl 0.78, oos 0.88 (all 0.79); first blind run all 0.67;
        # heldout2 en 0.87, intl 0.70, oos 0.94 (all 0.86); first blind run all 0.78.
        # Since questions that do not read as English take the fitted "foreign" route
        # (knowledge/model.py): heldout all 0.80 (oos 0.75, was 0.88), heldout2 all 0.84
        # (oos 0.75, was 0.94), heldout3 all 0.69 (was 0.54): foreign questions are answered
        # far more often, and foreign out-of-scope ones wrongly answered more often.
        ("heldout", 0.72, 0.70),
        ("heldout2", 0.78, 0.70),
        # nine languages without word lists, on the seed alone: first run all 0.625 (intl
        # 32/51, oos 8/13); 0.656 since a visit without roles is answered both ways
        ("heldout_ml", 0.60, 0.55),
    ],
)
def test_blind_heldout_sets(tmp_path, folder, floor_all, floor_oos):
    articles = [ROOT / "knowledge" / "data" / "algeria-russia-relations.txt"]
    articles += sorted((ROOT / "tests" / "data" / folder / "articles").glob("*.txt"))
    build_knowledge_base(articles, tmp_path / "heldout.db")
    with KnowledgeBase.open(tmp_path / "heldout.db") as kb:
        accuracy, misses = score(kb, ROOT / "tests" / "data" / folder / "eval.jsonl")
    assert accuracy["all"] >= floor_all, (accuracy, misses)
    assert accuracy["oos"] >= floor_oos, (accuracy, misses)


def test_grade_rules():
    from knowledge import Answer, Source

    source = Source("Algeria–Russia relations", "Background › Post Cold War", "u")
    answer = Answer("q", "Algeria’s 5.7 billion dollar debt", False, 0.9, (source,))
    abstained = Answer("q", "I don't know", True, 0.1)
    case = {
        "kind": "fact",
        "lang": "en",
        "expect_any": ["algeria's 5.7"],
        "section": "Post Cold War",
    }
    assert grade(case, answer)
    assert not grade(case, abstained)
    assert not grade({**case, "section": "Economic relations"}, answer)
    assert grade({"kind": "oos"}, abstained)
    assert not grade({"kind": "oos"}, answer)
