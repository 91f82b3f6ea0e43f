"""Run in a subprocess by bench/scale.py: open a knowledge base, answer, report JSON on stdout.

    python -m bench.scale_worker DB QUESTIONS.json WRATIO_COUNT

QUESTIONS.json holds {"warmup": [q...], "questions": [[q, expected phrase or ""], ...]}.
Peak RSS is read after qabot answered and before the WRatio baseline loads every fact text.
"""

from __future__ import annotations

import json
import sys
import time


def vm_hwm_mb() -> float:
    """This process's peak RSS since exec (VmHWM). ru_maxrss would also count the memory of
    the parent it was forked from, which on Linux is carried over into the child's maximum."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str]) -> int:
    db, questions_path, wratio_count = argv[0], argv[1], int(argv[2])
    with open(questions_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    start = time.perf_counter()
    from knowledge import KnowledgeBase

    kb = KnowledgeBase.open(db)
    opened = time.perf_counter() - start
    for q in spec["warmup"]:
        kb.ask(q)
    times, right, graded, abstained = [], 0, 0, 0
    for q, expected in spec["questions"]:
        t0 = time.perf_counter()
        answer = kb.ask(q)
        times.append(time.perf_counter() - t0)
        abstained += answer.abstained
        if expected:
            graded += 1
            right += (not answer.abstained) and expected in answer.text
    rss_mb = vm_hwm_mb()

    from rapidfuzz import fuzz, process, utils

    texts = [utils.default_process(t) for (t,) in kb.db.execute("select text from facts")]
    wratio = []
    for q, _ in spec["questions"][:wratio_count]:
        t0 = time.perf_counter()
        process.extractOne(utils.default_process(q), texts, scorer=fuzz.WRatio)
        wratio.append(time.perf_counter() - t0)
    facts = len(texts)
    kb.close()
    json.dump(
        {
            "open_s": opened,
            "times": times,
            "right": right,
            "graded": graded,
            "abstained": abstained,
            "rss_mb": rss_mb,
            "wratio": wratio,
            "facts": facts,
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
