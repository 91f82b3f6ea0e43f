"""Part 1: answer latency on the seed, in-process, against two baselines measured in the same run.

Times `kb.ask()` alone (knowledge base open, one warm-up pass first) over the dev questions
plus generated variants: a swapped letter, a dropped letter, the words reordered.
"""

from __future__ import annotations

import time

from knowledge import KnowledgeBase, ensure_knowledge_base

from . import common
from .baselines import BM25, WRatioScan, load_facts

TARGET_P99_MS = 5.0


def run(quick: bool = False) -> tuple[str, list[tuple]]:
    rounds = 2 if quick else 5
    questions, origin = common.seed_questions()
    groups = common.variants(questions)
    everything = [q for qs in groups.values() for q in qs]
    db_path = common.tmp_dir("latency") / "seed.db"
    ensure_knowledge_base(db_path)
    kb = KnowledgeBase.open(db_path)
    try:
        start = time.perf_counter()
        kb.ask(questions[0])
        first = time.perf_counter() - start
        common.time_each(kb.ask, everything)  # warm-up pass
        facts = load_facts(kb.db)
        wratio, bm25 = WRatioScan(facts), BM25(facts)
        systems = {"qabot kb.ask": kb.ask, wratio.name: wratio.top, bm25.name: bm25.top}
        for fn in systems.values():
            common.time_each(fn, everything[:20])
        # Interleave the systems round by round so machine noise hits all of them alike.
        times: dict[str, dict[str, list[float]]] = {s: {g: [] for g in groups} for s in systems}
        for _ in range(rounds):
            for system, fn in systems.items():
                for group, qs in groups.items():
                    times[system][group] += common.time_each(fn, qs)
        stats = {s: common.Stats.of([t for g in groups for t in times[s][g]]) for s in systems}
        whatif = _memoised_fold(kb, everything, rounds)
        qabot = stats["qabot kb.ask"]
        slowest = sorted(everything, key=lambda q: -min(_once(kb.ask, q) for _ in range(3)))[:10]
        profile_md = ""
        if qabot.p99 > TARGET_P99_MS:
            path = common.profile_calls("latency", kb.ask, slowest * 20)
            profile_md = (
                f"\np99 is over the {TARGET_P99_MS} ms target: pyinstrument over the 10 slowest "
                f"questions × 20 (full report: `bench/out/{path.name}`):\n\n"
                + common.top_frames(path, 40)
            )
    finally:
        kb.close()

    rows = []
    for system, st in stats.items():
        rows.append(
            [
                system,
                st.n,
                st.mean,
                st.p50,
                st.p99,
                st.worst,
                qabot.mean / st.mean,
                qabot.p99 / st.p99,
            ]
        )
    by_group = []
    for group in groups:
        g = {s: common.Stats.of(times[s][group]) for s in systems}
        by_group.append(
            [group, len(groups[group])] + [g[s].p50 for s in systems] + [g[s].p99 for s in systems]
        )
    names = list(systems)
    rows.append(
        [
            WHATIF,
            whatif.n,
            whatif.mean,
            whatif.p50,
            whatif.p99,
            whatif.worst,
            qabot.mean / whatif.mean,
            qabot.p99 / whatif.p99,
        ]
    )
    md = [
        "## 1. Answer latency on the seed",
        "",
        f"Questions: {origin}, each also with a swapped letter, a dropped letter and its words "
        f"reordered: {len(everything)} questions × {rounds} rounds per system, after one "
        f"warm-up pass; the knowledge base ({len(facts)} facts) is open, `kb.ask()` alone is "
        "timed. Baselines over the same facts, in the same process and run, interleaved "
        "round by round.",
        "",
        common.table(
            [
                "system",
                "n",
                "mean ms",
                "p50 ms",
                "p99 ms",
                "worst ms",
                "qabot mean ÷ this",
                "qabot p99 ÷ this",
            ],
            rows,
        ),
        "",
        "By kind of question (ms):",
        "",
        common.table(
            ["questions", "count"] + [f"p50 {n}" for n in names] + [f"p99 {n}" for n in names],
            by_group,
        ),
        "",
        f"First question after opening the knowledge base in this process (loads lexicons and "
        f"caches): {1000 * first:.1f} ms. Slowest questions (min of 3): "
        + "; ".join(f"`{q}`" for q in slowest[:5])
        + ".",
        "",
        f"`{WHATIF}`: the same questions with `knowledge.ranker.fold` wrapped in "
        "functools.lru_cache for the run (then restored). `ranker._wording` folds the text of "
        "every candidate fact (up to 120) on every question; a profile of the bot under load "
        "puts about a third of `kb.ask` there (see part 5). This row shows what caching it (or "
        "storing folded text at build time) would save; once that is done it reads ≈ 1.",
        "",
        f"Target p99 ≤ {TARGET_P99_MS} ms: {common.ok(qabot.p99 <= TARGET_P99_MS)} "
        f"({qabot.p99:.2f} ms).",
        profile_md,
    ]
    targets = [
        (
            "seed answer p99",
            f"{qabot.p99:.2f} ms",
            f"≤ {TARGET_P99_MS} ms",
            qabot.p99 <= TARGET_P99_MS,
        )
    ]
    return "\n".join(md), targets


WHATIF = "what-if: kb.ask, fold memoised"


def _memoised_fold(kb, questions, rounds) -> common.Stats:
    import functools

    from knowledge import ranker

    original = ranker.fold
    ranker.fold = functools.lru_cache(maxsize=65536)(original)
    try:
        common.time_each(kb.ask, questions)  # fill the cache, as a long-running bot would
        return common.Stats.of(common.time_each(kb.ask, questions, rounds))
    finally:
        ranker.fold = original


def _once(fn, item) -> float:
    start = time.perf_counter()
    fn(item)
    return time.perf_counter() - start
