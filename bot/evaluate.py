"""`qabot eval FILE.jsonl`: the same figures as ../shared/eval/score.py, by kind and style."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from knowledge import Answer, KnowledgeBase

DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
QUOTES = {ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'}
BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(DASHES).translate(QUOTES).casefold()
    return re.sub(r"\s+", " ", text).strip()


def grade(case: dict, answer: Answer) -> bool:
    """The scoring rule of score.py: abstain on 'oos', else the expected phrases and section."""
    if case["kind"] == "oos":
        return answer.abstained
    if answer.abstained:
        return False
    text = norm(answer.text)
    if any(norm(p) not in text for p in case.get("expect_all", [])):
        return False
    expect_any = case.get("expect_any", [])
    if expect_any and not any(norm(p) in text for p in expect_any):
        return False
    if case.get("section"):
        return any(norm(case["section"]) in norm(s.section) for s in answer.sources)
    return True


def groups_of(case: dict) -> list[str]:
    if case["kind"] == "oos":
        return ["oos", f"oos/{case['lang']}"]
    if case["lang"] == "en":
        return ["en", f"en/{case['kind']}", f"en/{case['style']}"]
    return ["intl", f"intl/{case['lang']}", f"intl/{case['kind']}"]


def load_cases(path: Path) -> list[dict]:
    """The cases of a JSON-lines evaluation file. Raises OSError (unreadable) or ValueError
    naming the line that is not a case."""
    cases = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number} is not JSON ({exc.msg})") from None
        if not isinstance(case, dict) or "q" not in case or "kind" not in case:
            raise ValueError(f"line {number} is not a case with 'q' and 'kind'")
        cases.append(case)
    return cases


def evaluate(kb: KnowledgeBase, cases: list[dict] | Path, calibration: bool = False) -> int:
    if isinstance(cases, Path):
        cases = load_cases(cases)
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    bins: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    misses, times = [], []
    for case in cases:
        start = time.perf_counter()
        answer = kb.ask(case["q"])
        times.append(time.perf_counter() - start)
        ok = grade(case, answer)
        for key in groups_of(case):
            groups[key][0] += ok
            groups[key][1] += 1
        # Calibration: is the answer right, whatever the abstention decided? (An oos case
        # never is.)
        index = next(i for i, edge in enumerate(BINS[1:]) if answer.confidence < edge)
        bins[index][0] += case["kind"] != "oos" and grade(case, replace(answer, abstained=False))
        bins[index][1] += 1
        if not ok:
            misses.append((case, answer))
    for key in sorted(groups):
        good, total = groups[key]
        print(f"{key:16} {good:4}/{total:<4} {good / total:.3f}")
    times.sort()
    print(
        f"answer time: mean {1000 * sum(times) / len(times):.2f} ms, "
        f"worst {1000 * times[-1]:.2f} ms over {len(times)} questions"
    )
    if calibration:
        print("\nconfidence     right/total  accuracy   (oos cases count as wrong answers)")
        for index in sorted(bins):
            good, total = bins[index]
            print(
                f"[{BINS[index]:.1f}, {min(BINS[index + 1], 1.0):.1f})   {good:4}/{total:<4}"
                f"     {good / total:.2f}"
            )
    if misses:
        print("\nmisses:")
    for case, answer in misses:
        state = "abstained" if answer.abstained else f"answered ({answer.confidence:.2f})"
        print(
            f"- {case['id']} [{case['kind']}/{case['lang']}/{case['style']}] {case['q']!r} "
            f"-> {state}: {answer.text[:120]!r}"
        )
    return 0
