"""Part 7: does each hand-written resource still help next to the dense signal?

Each configuration switches one resource off at question time (a patch of the function that
reads it, undone afterwards) and answers the same questions as the full engine, with the same
knowledge bases, vectors and fitted ranker: the shared dev set (en / intl / oos), XQuAD en and
ru, and a sample of SQuAD 2.0 (answerable / unanswerable). The question vectors are computed
once and reused, so only the resource differs between rows.

Resources that the knowledge base is built with (stop words in article subjects) are left as
they are: this measures the question side.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from bot.evaluate import grade
from knowledge import lexicon, names, query, terms, translate
from knowledge.embed import default_embedder

from . import common
from .engine import EXTERNAL, MemoEmbedder, cached_base, open_kb
from .quality import group_of

NOISE = 3  # questions: a difference smaller than this over a column is not read as a change


@dataclass(frozen=True)
class Switch:
    name: str
    what: str  # the resource, as the lead will look for it
    patches: tuple[tuple[object, str, object], ...]


def _untranslated(question: str, lang: str, vocab) -> tuple[list[tuple[str, bool]], float]:
    """translate.py off: a foreign question's own words, folded, as if they were English."""
    return terms.english_tokens(question), 1.0


SWITCHES = (
    Switch("everything on", "", ()),
    Switch(
        "no foreign lexicons",
        "data/lexicon/ru.tsv, fr.tsv, ar.tsv",
        ((lexicon, "foreign", lambda lang: lexicon.ForeignLexicon({}, 1)),),
    ),
    Switch(
        "no synonyms",
        "data/lexicon/synonyms-en.tsv (terms.py SYNONYM_CREDIT)",
        ((lexicon, "synonyms", lambda: {}),),
    ),
    Switch(
        "no stop words",
        "data/lexicon/stopwords-*.txt",
        ((lexicon, "stopwords", lambda lang: frozenset()),),
    ),
    Switch(
        "no question words",
        "data/lexicon/questionwords-en.tsv",
        ((lexicon, "question_words", lambda: {}),),
    ),
    Switch(
        "no transliteration",
        "names.py transliterate (all of it)",
        ((translate, "transliterate", lambda *a: None),),
    ),
    Switch("no phonetic rules", "names.py PHONETIC_RULES", ((names, "PHONETIC_RULES", ()),)),
    Switch(
        "no consonant skeletons",
        "names.py SKELETON_TABLE / _by_skeleton",
        ((names, "_by_skeleton", lambda *a: None),),
    ),
    Switch("no CLDR place names", "translate.py _place", ((translate, "_place", lambda *a: None),)),
    Switch(
        "no translate.py",
        "translate.py to_english (with lexicons, names, places)",
        ((query, "to_english", _untranslated),),
    ),
)


@dataclass
class Column:
    label: str
    db: Path
    cases: list[dict]
    group: Callable[[dict], str]


def squad_group(case: dict) -> str:
    return "oos" if case["kind"] == "oos" else "answerable"


def columns(quick: bool) -> list[Column] | None:
    cases = common.dev_cases()
    if cases is None or not (EXTERNAL / "xquad").is_dir() or not (EXTERNAL / "squad2").is_dir():
        return None
    seed = cached_base("seed", [common.SEED])
    xquad = cached_base("xquad", sorted((EXTERNAL / "xquad" / "articles").glob("*.txt")))
    squad = cached_base("squad", sorted((EXTERNAL / "squad2" / "articles").glob("*.txt")))
    rng = random.Random(11)
    out = [Column("dev", seed, cases, group_of)]
    picked = None  # the same questions in both languages (the files are parallel)
    for lang in ("en", "ru"):
        xq = common.read_jsonl(EXTERNAL / "xquad" / f"{lang}.jsonl")
        picked = picked or sorted(rng.sample(range(len(xq)), 150 if quick else 300))
        xq = [xq[i] for i in picked]
        out.append(Column(f"XQuAD {lang}", xquad, xq, lambda c: "answerable"))
    sq = common.read_jsonl(EXTERNAL / "squad2" / "questions.jsonl")
    out.append(Column("SQuAD 2.0", squad, rng.sample(sq, 200 if quick else 400), squad_group))
    return out


def score(column: Column, embedder) -> dict[str, list[int]]:
    """group -> [right, total] for one column, with whatever is patched now."""
    kb = open_kb(column.db, embedder)
    out: dict[str, list[int]] = {}
    try:
        for case in column.cases:
            cell = out.setdefault(column.group(case), [0, 0])
            cell[0] += grade(case, kb.ask(case["q"]))
            cell[1] += 1
    finally:
        kb.close()
    return out


def measure(switch: Switch, cols: list[Column], embedder) -> dict[tuple[str, str], list[int]]:
    with contextlib.ExitStack() as stack:
        for target, attribute, value in switch.patches:
            stack.enter_context(mock.patch.object(target, attribute, value))
        return {
            (col.label, group): cell
            for col in cols
            for group, cell in sorted(score(col, embedder).items())
        }


def verdict(deltas: list[int]) -> str:
    """Right answers lost (negative) or won per column when the resource is off."""
    if any(d <= -NOISE for d in deltas):
        return "helps" if all(d < NOISE for d in deltas) else "mixed"
    if any(d >= NOISE for d in deltas):
        return "hurts (off is better)"
    return "no measurable effect"


def cell(right: int, total: int, base: int) -> str:
    delta = right - base
    sign = f" ({delta:+d})" if delta else ""
    return f"{right / total:.3f}{sign}"


def render(results: dict[str, dict[tuple[str, str], list[int]] | str]) -> str:
    """A row per switch: accuracy per column, with the change in right answers against the
    first row, and a verdict (or the error the engine raised without the resource)."""
    names_ = list(results)
    base = results[names_[0]]
    keys = list(base)
    headers = [
        "switched off",
        "resource",
        *(f"{c} {g} (n={base[(c, g)][1]})" for c, g in keys),
        "verdict",
    ]
    rows = []
    for switch in SWITCHES:
        if switch.name not in results:
            continue
        got = results[switch.name]
        if isinstance(got, str):  # the engine fails without it
            rows.append([switch.name, switch.what, *("–" for _ in keys), f"needed: {got}"])
            continue
        deltas = [got[k][0] - base[k][0] for k in keys]
        rows.append(
            [
                switch.name,
                switch.what or "–",
                *(cell(*got[k], base[k][0]) for k in keys),
                "–" if switch.name == names_[0] else verdict(deltas),
            ]
        )
    return common.table(headers, rows)


def _where(exc: BaseException) -> str:
    """The module and function an exception was raised in."""
    tb = exc.__traceback__
    while tb and tb.tb_next:
        tb = tb.tb_next
    if tb is None:
        return "?"
    code = tb.tb_frame.f_code
    return f"{Path(code.co_filename).name} {code.co_name}()"


def run(quick: bool = False) -> tuple[str, list[tuple]]:
    cols = columns(quick)
    if cols is None:
        message = "skipped: ../shared/eval (dev.jsonl and external/) is not here"
        common.log(f"   ablation {message}")
        return f"## 7. Ablation\n\n{message}.", []
    embedder = MemoEmbedder(default_embedder())
    results = {}
    for switch in SWITCHES:
        common.log(f"   {switch.name}")
        try:
            results[switch.name] = measure(switch, cols, embedder)
        except Exception as exc:  # the resource is load-bearing: say so
            results[switch.name] = f"{type(exc).__name__} {exc} in {_where(exc)}"
    sizes = ", ".join(f"{c.label} {len(c.cases)}" for c in cols)
    md = [
        "## 7. Ablation: the hand-written resources next to the dense signal",
        "",
        f"Questions: {sizes}{' (samples: --quick)' if quick else ''}. Each row switches one "
        "resource off at question time and keeps everything else (knowledge bases, vectors, "
        "the fitted ranker, the calibrated threshold). Cells: accuracy, and in brackets the "
        f"right answers won or lost against the first row. Verdict: `helps` when some column "
        f"loses {NOISE} or more right answers and none gains {NOISE}; `no measurable effect` "
        f"when no column moves by {NOISE}.",
        "",
        render(results),
    ]
    return "\n".join(md), []
