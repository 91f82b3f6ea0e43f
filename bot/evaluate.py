"""`qabot eval FILE.jsonl`: the same figures as ../shared/eval/score.py, by kind and style."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from knowledge import Answer, KnowledgeBase, grading


def grade(case: dict, answer: Answer) -> bool:
    """The scoring rule of score.py: abstain on 'oos', else the expected phrases and section."""
    return grading.grade(case, answer.abstained, answer.text, [s.section for s in answer.sources])


def groups_of(case: dict) -> list[str]:
    if case["kind"] == "oos":
        return ["oos", f"oos/{case['lang']}"]
    if case["lang"] == "en":
        return ["en", f"en/{case['kind']}", f"en/{case['style']}"]
    return ["intl", f"intl/{case['lang']}", f"intl/{case['kind']}"]


def reliability_diagram(bins: dict[int, list[int]], path: Path) -> str:
    """Save accuracy against confidence as a PNG; returns a line saying where (or why not)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "no reliability diagram: matplotlib is not installed (pip install '.[bench]')"
    centres, accuracy, counts = [], [], []
    for index in sorted(bins):
        good, total = bins[index]
        centres.append(sum(grading.bin_bounds(index)) / 2)
        accuracy.append(good / total)
        counts.append(total)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    ax.plot(centres, accuracy, marker="o", label="qabot")
    for x, y, n in zip(centres, accuracy, counts, strict=True):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(0, 6), ha="center")
    ax.set_xlabel("confidence")
    ax.set_ylabel("share of top facts that answer")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.legend(loc="upper left")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=100)
    except OSError as exc:
        return f"no reliability diagram: cannot write {path} ({exc.strerror})"
    finally:
        plt.close(fig)
    return f"reliability diagram: {path}"


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


def evaluate(
    kb: KnowledgeBase,
    cases: list[dict] | Path,
    calibration: bool = False,
    plot: Path | None = None,
) -> int:
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
        index = grading.calibration_bin(answer.confidence)
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
            low, high = grading.bin_bounds(index)
            print(f"[{low:.1f}, {high:.1f})   {good:4}/{total:<4}     {good / total:.2f}")
        if plot is not None:
            print(reliability_diagram(bins, plot))
    if misses:
        print("\nmisses:")
    for case, answer in misses:
        state = "abstained" if answer.abstained else f"answered ({answer.confidence:.2f})"
        print(
            f"- {case['id']} [{case['kind']}/{case['lang']}/{case['style']}] {case['q']!r} "
            f"-> {state}: {answer.text[:120]!r}"
        )
    return 0
