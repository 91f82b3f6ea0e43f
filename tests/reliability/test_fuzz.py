"""Bad input, generated: questions, search words, visit filters and article files.

Whatever a user types (up to Telegram's 4096 characters) `kb.ask` answers or refuses, and
never raises; whatever a file holds, the parser reads it or raises ArticleParseError naming
the line. The example counts are sized so the module runs in a few seconds; `FUZZ_CASES`
collects how many cases ran (printed at the end with `pytest -s`).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import (
    Answer,
    ArticleParseError,
    KnowledgeBase,
    VisitFilter,
    VisitFilterError,
    parse_text,
    parse_visit_filter,
)
from knowledge.parser import decode

SEED = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "algeria-russia-relations.txt"
FUZZ_CASES: Counter[str] = Counter()

# Fragments that break naive code: FTS5 syntax, SQL, control and invisible characters,
# right-to-left text, combining marks, emoji, other scripts.
NASTY = [
    '"',
    '""',
    "'",
    "*",
    "^",
    ":",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "NEAR(",
    "NEAR(a b, 2)",
    "AND",
    "OR",
    "NOT",
    "-",
    "-putin",
    "+",
    "terms:",
    "facts_fts:",
    '"unterminated',
    "a* OR b*",
    "^start",
    "col:value",
    "(((",
    ")))",
    "'; DROP TABLE facts; --",
    "' OR '1'='1",
    "1; SELECT * FROM sqlite_master",
    "/* x */",
    "UNION SELECT",
    "%",
    "_",
    "\\",
    "\\\\",
    "%s",
    "{0}",
    "${x}",
    "<b>",
    "</a>",
    "&amp;",
    "\x00",
    "\x01",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\x7f",
    "\u0085",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\u202d",
    "\u061c",
    "e\u0301",
    "\u0301\u0301\u0301",
    "Z\u0351\u0352\u0353\u0354",
    "😀",
    "👨‍👩‍👧‍👦",
    "🇩🇿",
    "\U0001f9ea",
    "Путин",
    "посетил",
    "Алжир",
    "когда",
    "الجزائر",
    "بوتين",
    "متى",
    "普京",
    "阿尔及利亚",
    "何时",
    "ｐｕｔｉｎ",
    "ǅ",
    "ß",
    "İ",
    "ﬁ",
    "\ud800",
    "\udfff",
    "Putin",
    "Algiers",
    "visit",
    "When",
    "Who",
    "ambassador",
    "1969",
    "2006",
    "-2006",
    "2000-2010",
]
fragments = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=12),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=8),  # surrogates too
)
questions = st.one_of(
    st.lists(fragments, max_size=30).map(" ".join),
    st.lists(fragments, max_size=30).map("".join),
    st.text(max_size=4096),
    st.sampled_from(["", " ", "\t\n  ", "?!.,;:…", "...", "???", "-", "—", "\u200b\u200b"]),
    st.tuples(st.sampled_from(NASTY), st.integers(1, 4096)).map(
        lambda pair: (pair[0] * pair[1])[:4096]
    ),
)
FUZZ = settings(
    derandomize=True,  # the same cases on every run: CI must not flake
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _answer_ok(answer: object) -> None:
    assert isinstance(answer, Answer)
    assert isinstance(answer.text, str) and answer.text
    assert 0.0 <= answer.confidence <= 1.0
    if not answer.abstained and answer.intent != "greeting":  # a greeting quotes nothing
        assert answer.sources and answer.fact_ids


@settings(FUZZ, max_examples=150)
@given(question=questions)
def test_any_question_gets_an_answer_or_a_refusal(kb: KnowledgeBase, question: str):
    FUZZ_CASES["kb.ask"] += 1
    _answer_ok(kb.ask(question))


@settings(FUZZ, max_examples=600)
@given(words=questions)
def test_any_search_gives_facts(kb: KnowledgeBase, words: str):
    FUZZ_CASES["kb.search"] += 1
    facts = kb.search(words, limit=5)
    assert isinstance(facts, list) and len(facts) <= 5


@settings(FUZZ, max_examples=1500)
@given(words=questions)
def test_any_visit_filter_parses_and_filters(kb: KnowledgeBase, words: str):
    FUZZ_CASES["parse_visit_filter"] += 1
    try:
        flt = parse_visit_filter(words)
    except VisitFilterError as exc:  # says why, in one line
        assert exc.kind in ("not_a_year", "too_short") and "\n" not in str(exc)
        return
    assert isinstance(flt, VisitFilter)
    assert isinstance(kb.visits(flt), list)


@pytest.mark.parametrize(
    "question",
    [
        " ".join(f"zqx{i}" for i in range(800)),  # many unknown words: a very low score
        " ".join(["Putin"] * 800),
        "NEAR(" * 800,
        '"' * 4096,
        "When did Putin visit Algiers? " * 140,
    ],
    ids=["unknown-words", "repeated-name", "near", "quotes", "repeated-question"],
)
def test_long_questions(kb: KnowledgeBase, question: str):
    _answer_ok(kb.ask(question))
    assert isinstance(kb.search(question), list)


# -- articles ------------------------------------------------------------------------------

LINES = [
    "= Title =",
    "=Title=",
    "= =",
    "=",
    "== Section ==",
    "==Section==",
    "== ==",
    "==",
    "=== Sub",
    "====== Deep ======",
    "= Another title =",
    "Infobox",
    "Infobox:",
    "- Key: Value",
    "- : v",
    "- Key:",
    "* Envoy1: Someone",
    "| Guest | Host | Place of visit | Date of visit |",
    "| A | B | Moscow | 3-6 April 2001 |",
    "|",
    "||",
    "| a \\| b |",
    "|---|---|",
    "| x",
    "A paragraph about Putin, who visited Algiers on 10 March 2006.",
    "",
    " ",
    "&amp; &lt;b&gt;",
    "\t",
    "\ufeff= T =",
    "Пу́тин посетил Алжир.",
    "زار بوتين الجزائر",
    "普京访问阿尔及利亚。",
]
articles = st.one_of(
    st.lists(st.one_of(st.sampled_from(LINES), st.text(max_size=40)), max_size=40).map("\n".join),
    st.lists(st.sampled_from(LINES), min_size=1, max_size=40).map(
        lambda lines: "= Fuzz =\n" + "\n".join(lines)
    ),
    st.text(max_size=2000),
    st.integers(0, len(SEED.read_text("utf-8"))).map(lambda n: SEED.read_text("utf-8")[:n]),
)


def _parses_or_names_the_line(text: str, source: str = "fuzz.txt") -> None:
    try:
        article = parse_text(text, source=source)
    except ArticleParseError as exc:
        assert isinstance(exc.line, int) and 0 <= exc.line <= text.count("\n") + 2
        assert str(exc).startswith(f"{source}:{exc.line}: ") and exc.reason
    else:
        assert article.title and "\n" not in article.title


@settings(FUZZ, max_examples=1500)
@given(text=articles)
def test_any_article_text_parses_or_names_the_line(text: str):
    FUZZ_CASES["parse_text"] += 1
    _parses_or_names_the_line(text)


@settings(FUZZ, max_examples=500)
@given(data=st.binary(max_size=2000))
def test_binary_garbage_is_a_parse_error_naming_the_line(data: bytes):
    FUZZ_CASES["decode+parse binary"] += 1
    try:
        text = decode(data, "garbage.bin")
    except ArticleParseError as exc:
        assert re.match(r"garbage\.bin:\d+: ", str(exc))
        return
    _parses_or_names_the_line(text, "garbage.bin")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("= T =\n\n|" + "|".join(["c"] * 100) + "|\n", 3),  # too many columns
        ("", 1),
        ("no title here\n", 1),
    ],
)
def test_known_bad_articles_name_their_line(text: str, line: int):
    with pytest.raises(ArticleParseError) as caught:
        parse_text(text, source="bad.txt")
    assert caught.value.line == line and str(caught.value).startswith(f"bad.txt:{line}: ")


def test_a_huge_table_parses():
    header = "| Guest | Host | Place of visit | Date of visit | " + " | ".join(
        f"C{i}" for i in range(50)
    )
    rows = [
        f"| Guest {i} | Host {i} | City {i} | {1 + i % 28} May {1950 + i % 70} | "
        + " | ".join(str(i * j) for j in range(50))
        for i in range(5000)
    ]
    article = parse_text("= Big =\n\n== Visits ==\n" + "\n".join([header, *rows]) + "\n")
    [table] = article.tables
    assert len(table.rows) == 5000 and len(table.header) == 54


def test_truncated_files_parse_or_name_the_line():
    data = SEED.read_bytes()
    for cut in range(0, len(data), max(1, len(data) // 300)):
        FUZZ_CASES["truncated seed"] += 1
        try:
            text = decode(data[:cut], "cut.txt")  # may cut a UTF-8 sequence in half
        except ArticleParseError as exc:
            assert re.match(r"cut\.txt:\d+: ", str(exc))
            continue
        _parses_or_names_the_line(text, "cut.txt")


def test_zz_print_fuzz_counts():
    """Runs last in this module (pytest keeps file order): the number of cases generated."""
    print("\nfuzz cases:", dict(FUZZ_CASES), "total", sum(FUZZ_CASES.values()))
