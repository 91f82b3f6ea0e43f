"""Parsing and indexing an article take time in proportion to its size, whatever it holds.

Each test times one adversarial input at sizes 1x, 2x and 4x and bounds the ratio of the
times, never the times themselves: linear work gives about 4 at 4x, quadratic 16, cubic 64,
so `< 8` holds for linear work on a loaded machine and fails for anything worse. The sizes
are small enough that the quadratic and cubic code this replaced still finished in a few
seconds at 4x. `python -m pytest tests/reliability/test_parse_linear.py -s` prints the times.
"""

from __future__ import annotations

import contextlib
import gc
import random
import re
import string
from collections.abc import Callable
from time import thread_time

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import store
from knowledge.parser import ArticleParseError, parse_text
from knowledge.places import city_country_pairs
from knowledge.sentences import split_sentences
from knowledge.store import _create_schema, _place_aliases, _Writer

SIZES = (1, 2, 4)
BOUND = 8.0  # t(4x) / t(1x): linear about 4, quadratic 16


def calls_filling(func: Callable[[], object], budget: float) -> tuple[int, float]:
    """How many calls of `func` take at least `budget` seconds, and the time of one."""
    calls = 1
    while True:
        elapsed = timed(func, calls)
        if elapsed >= budget:
            return calls, elapsed / calls
        calls *= 2


def timed(func: Callable[[], object], calls: int) -> float:
    start = thread_time()
    for _ in range(calls):
        func()
    return thread_time() - start


def assert_linear(
    name: str, make: Callable[[int], Callable[[], object]], base: int, budget: float = 0.01
) -> None:
    """Time the input at sizes 1x, 2x, 4x: the best of 4 rounds that take turns between
    the sizes, in this thread's CPU time (time lost to other processes on a loaded machine
    does not count), garbage collection off (its cost depends on everything alive, not on
    the input)."""
    funcs = [make(base * k) for k in SIZES]
    gc.collect()
    gc.disable()
    try:
        plan = [calls_filling(func, budget) for func in funcs]
        times = [first for _, first in plan]
        for _ in range(3):
            for i, (func, (calls, _)) in enumerate(zip(funcs, plan, strict=True)):
                times[i] = min(times[i], timed(func, calls) / calls)
    finally:
        gc.enable()
    shown = ", ".join(f"{k}x={t * 1000:.2f} ms" for k, t in zip(SIZES, times, strict=True))
    print(f"\n{name}: {shown}")
    ratio = times[-1] / times[0]
    assert ratio < BOUND, f"{name}: 4x the size took {ratio:.1f}x the time ({shown})"


def article(body: str) -> str:
    return f"= Title =\n\n{body}\n"


def name(i: int) -> str:
    """A distinct capitalised word per number: 'Tbaa', 'Tcaa'..."""
    letters = "".join(string.ascii_lowercase[(i // 26**p) % 26] for p in range(3))
    return f"T{letters}"


PARSE_INPUTS = {
    # `==` then spaces: the heading pattern backtracked over the spaces (cubic)
    "heading of spaces": (lambda n: article("== " + " " * n + "x"), 80),
    # the title pattern did the same
    "title of spaces": (lambda n: "= " + " " * n + "x\n\nText.\n", 100),
    # an infobox item with a long run of spaces and no colon (quadratic)
    "infobox item of spaces": (lambda n: article("Infobox\n- a" + " " * n + "b"), 1000),
    # every heading was looked up in the list of the sections before it (quadratic)
    "many sections": (lambda n: article("\n".join(f"== S{i} ==\nText." for i in range(n))), 1000),
}


@pytest.mark.parametrize("case", PARSE_INPUTS)
def test_parse_time_grows_linearly(case: str):
    make_text, base = PARSE_INPUTS[case]

    def make(n: int):
        text = make_text(n)

        def parse():
            with contextlib.suppress(ArticleParseError):  # a title of spaces has no end
                parse_text(text)

        return parse

    assert_linear(case, make, base)


def test_city_country_scan_is_linear_on_a_paragraph_of_capitalised_words():
    """One paragraph of capitalised words and no comma: the 'City, Country' regex tried
    every word as a start and ran to the end from each (32,000 words took 45 s)."""

    def make(n: int):
        parsed = parse_text(article(" ".join(["Word"] * n)))
        return lambda: _place_aliases(parsed)

    assert_linear("capitalised paragraph", make, 500)


def test_splitting_a_paragraph_of_initials_is_linear():
    """'A. A. A. …': every stop is an initial, so the text before it grew and was copied
    and split again at each one (8,000 took 9 s)."""

    def make(n: int):
        text = "A. " * n
        return lambda: split_sentences(text)

    assert_linear("paragraph of initials", make, 1000)


def test_pairing_many_envoys_is_linear():
    """`- Envoy1: …` items: each looked for its `Envoytitle1` among all the items."""

    def make(n: int):
        pairs = [(f"Envoy{i}", "A. Person") for i in range(n)]
        pairs += [(f"Envoytitle{i}", "Ambassador") for i in range(n)]
        return lambda: store._infobox_pairs(pairs)

    assert_linear("envoys", make, 500)


class CountingDict(dict):
    """A dict that counts the entries read from it: looked up, or visited by a loop."""

    reads = 0

    def __iter__(self):
        for key in super().__iter__():
            CountingDict.reads += 1
            yield key

    def __contains__(self, key) -> bool:
        CountingDict.reads += 1
        return super().__contains__(key)

    def __getitem__(self, key):
        CountingDict.reads += 1
        return super().__getitem__(key)


def test_indexing_many_towns_reads_the_place_names_linearly(monkeypatch: pytest.MonkeyPatch):
    """'Town, France.' sentences: every town became a place name that was then looked for
    in every fact (32,000 sentences took 47 s). Counted, not timed: below thousands of
    sentences the other work per fact hides the quadratic loop."""
    real = store._place_aliases
    monkeypatch.setattr(store, "_place_aliases", lambda a: CountingDict(real(a)))
    reads = []
    for n in (50, 100, 200):
        text = article(" ".join(f"{name(i)}, France is a town." for i in range(n)))
        db = sqlite_utils.Database(memory=True)
        _create_schema(db)
        CountingDict.reads = 0
        _Writer(db).add(parse_text(text), text)
        reads.append(CountingDict.reads)
    print(f"\ntown sentences, place names read: {reads}")
    assert reads[-1] / reads[0] < BOUND, reads


OLD_CAPITAL_OF_RE = re.compile(
    r"\b([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)*), (?:the capital of )?([A-Z][\w'’ -]+)"
)
PIECES = ["A", "Ab", "b", " ", "  ", ", ", "'", "’", "-", "(", ".", "é", "1", "_"]
PIECES.append("the capital of ")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_city_country_pairs_finds_what_the_old_regex_found(text: str):
    assert city_country_pairs(text) == OLD_CAPITAL_OF_RE.findall(text)


def test_city_country_pairs_on_real_sentences():
    rng = random.Random(7)
    words = ["Algiers", "the", "capital", "of", "Algeria,", "Oran", "(Paris,", "France.", "New"]
    for _ in range(100):
        text = " ".join(rng.choice(words) for _ in range(12))
        assert city_country_pairs(text) == OLD_CAPITAL_OF_RE.findall(text)
    assert city_country_pairs("in Algiers, the capital of Algeria. Lyon, France") == [
        ("Algiers", "Algeria"),
        ("Lyon", "France"),
    ]
