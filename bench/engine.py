"""Part 6: the engine on public question sets, against BM25, FTS5 and e5 alone, in one run.

- accuracy per language and kind on the development halves in ../shared/eval/external
  (XQuAD in six languages over the English articles; SQuAD 2.0, half of it unanswerable);
- answer latency (mean, p99) of `kb.ask`, as a ratio to e5's query embedding alone and to a
  BM25 query, timed interleaved in the same process;
- ingest throughput in facts per second, with embeddings and with a stub embedder;
- answer latency at 1,000 articles with embeddings;
- start to the first answer, in English and in Russian, on a fresh knowledge base and on
  opening an existing one.

Skipped, with a message, when ../shared/eval/external is not there.
"""

from __future__ import annotations

import math
import os
import random
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.evaluate import grade
from knowledge import KnowledgeBase
from knowledge.embed import default_embedder, passage_text
from knowledge.ingest import build_knowledge_base
from knowledge.parser import parse_text
from knowledge.store import KnowledgeBaseError, build, open_database

from . import common
from .baselines import BM25, DenseAlone, FTS5Alone, load_facts

EXTERNAL = common.ROOT.parent / "shared" / "eval" / "external"
XQUAD_LANGS = ("en", "ru", "de", "es", "ar", "zh")
SYSTEMS = ("qabot", "BM25", "FTS5", "e5 alone")
TARGET_P99_RATIO = 2.0  # answer p99 ≤ 2 × the query embedding's p99
TARGET_COLD_S = 1.5
# the same question in English (ranked by its words) and in Russian (needs its vector)
COLD_QUESTIONS = {
    "English": "Where does Russia have a consulate in Algeria?",
    "Russian": "Где у России консульство в Алжире?",
}
COLD_EXPECT = "Annaba"
BIG = 1000
REPLICA = re.compile(r"^(.*) \(copy \d+\): ", re.S)


# -- pure helpers (tests/test_bench_engine.py) ----------------------------------------------


def p99(values: Sequence[float]) -> float:
    """The nearest-rank 99th percentile."""
    return common.percentile(values, 99)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(a: float, b: float) -> float:
    """a ÷ b; not a number when b is not a positive number."""
    return a / b if b > 0 and not math.isnan(b) else float("nan")


def kind_of(case: dict) -> str:
    return "unanswerable (abstain)" if case["kind"] == "oos" else "answerable"


Key = tuple[str, str, str]  # (data set, language, kind)


def tally(graded: Iterable[tuple[Key, str, bool]]) -> dict[Key, dict[str, list[int]]]:
    """((set, lang, kind), system, right) triples -> per key, per system, [right, total]."""
    out: dict[Key, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for key, system, right in graded:
        cell = out[key][system]
        cell[0] += bool(right)
        cell[1] += 1
    return out


def accuracy_rows(counts: dict[Key, dict[str, list[int]]], systems: Sequence[str]) -> list[list]:
    """One row per (set, lang, kind): its size and each system's accuracy, plus the set's
    totals over all languages and kinds when it has more than one row."""
    rows = []
    for dataset in dict.fromkeys(k[0] for k in counts):
        keys = [k for k in counts if k[0] == dataset]
        for key in keys:
            cells = counts[key]
            n = max(c[1] for c in cells.values())
            rows.append([*key, n, *(_share(cells.get(s)) for s in systems)])
        if len(keys) > 1:
            merged = {
                s: [sum(counts[k][s][i] for k in keys if s in counts[k]) for i in (0, 1)]
                for s in systems
            }
            n = max(c[1] for c in merged.values())
            rows.append([dataset, "all", "all", n, *(_share(merged[s]) for s in systems)])
    return rows


def _share(cell: list[int] | None) -> float:
    return cell[0] / cell[1] if cell and cell[1] else float("nan")


def latency_rows(times: dict[str, Sequence[float]], refs: Sequence[str]) -> list[list]:
    """Per timed call (seconds): n, mean and p99 in ms, and mean and p99 ÷ each reference."""
    rows = []
    for name, secs in times.items():
        m, p = 1000 * mean(secs), 1000 * p99(secs)
        row = [name, len(secs), m, p]
        for ref in refs:
            row += [ratio(m, 1000 * mean(times[ref])), ratio(p, 1000 * p99(times[ref]))]
        rows.append(row)
    return rows


def replica_text(text: str, copy: int) -> str:
    """An article's text under another title: '= T =' becomes '= T (copy N) ='."""
    first, _, rest = text.lstrip("\ufeff").partition("\n")
    title = first.strip().strip("=").strip()
    return f"= {title} (copy {copy}) =\n{rest}"


def original_passage(text: str) -> str:
    """The passage a replica's passage was copied from: 'T (copy 3): fact' -> 'T: fact'."""
    return REPLICA.sub(r"\1: ", text, count=1)


# -- embedders ------------------------------------------------------------------------------


class MemoEmbedder:
    """The real embedder, remembering each question's vector: the accuracy passes ask the
    same question of qabot and of e5 alone, and embed it once."""

    def __init__(self, inner):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.memo: dict[str, np.ndarray] = {}

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            for text, vector in zip(missing, self.inner.queries(missing), strict=True):
                self.memo[text] = vector
        return np.stack([self.memo[t] for t in texts])

    def passages(self, texts, progress=None) -> np.ndarray:
        return self.inner.passages(texts, progress=progress)


class StubEmbedder:
    """No embedding at all: one constant unit vector per text (ingest without embeddings)."""

    name = "bench-stub"

    def __init__(self, dim: int):
        self.dim = dim
        self.unit = np.zeros(dim, dtype=np.float32)
        self.unit[0] = 1.0

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(self.unit, (len(texts), 1))

    def passages(self, texts, progress=None) -> np.ndarray:
        if progress:
            progress(len(texts))
        return np.tile(self.unit, (len(texts), 1))


class ReplicaEmbedder:
    """Passages of replicated articles get the vector of the passage they copy (read from
    the knowledge bases already built); anything else is embedded for real."""

    def __init__(self, inner, known: dict[str, np.ndarray]):
        self.inner, self.name, self.dim, self.known = inner, inner.name, inner.dim, known

    def queries(self, texts):
        return self.inner.queries(texts)

    def passages(self, texts, progress=None) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        todo = []
        for i, text in enumerate(texts):
            vector = self.known.get(original_passage(text))
            if vector is None:
                todo.append(i)
            else:
                out[i] = vector
        if todo:
            out[todo] = self.inner.passages([texts[i] for i in todo])
        if progress:
            progress(len(texts))
        return out


def stored_passages(db_path: Path) -> dict[str, np.ndarray]:
    """passage text -> its stored vector, for every fact of a knowledge base."""
    db = open_database(db_path)
    try:
        rows = db.execute(
            "select articles.title, facts.text, vectors.vector from vectors "
            "join facts on facts.id = vectors.fact_id "
            "join articles on articles.id = facts.article_id"
        ).fetchall()
    finally:
        db.close()
    return {
        passage_text(t, f): np.frombuffer(v, dtype=np.float16).astype(np.float32)
        for t, f, v in rows
    }


# -- data -----------------------------------------------------------------------------------


@dataclass
class DataSet:
    name: str
    articles: list[Path]
    cases: list[dict]


def external_sets(quick: bool) -> list[DataSet] | None:
    """XQuAD (every language) and SQuAD 2.0 dev halves; a sample of each with --quick."""
    if not (EXTERNAL / "xquad").is_dir() or not (EXTERNAL / "squad2").is_dir():
        return None
    rng = random.Random(9)
    xquad = []
    for lang in XQUAD_LANGS:
        cases = common.read_jsonl(EXTERNAL / "xquad" / f"{lang}.jsonl")
        xquad += sorted(rng.sample(cases, 60), key=cases.index) if quick else cases
    squad = common.read_jsonl(EXTERNAL / "squad2" / "questions.jsonl")
    if quick:
        squad = sorted(rng.sample(squad, 300), key=squad.index)
    return [
        DataSet("XQuAD", sorted((EXTERNAL / "xquad" / "articles").glob("*.txt")), xquad),
        DataSet("SQuAD 2.0", sorted((EXTERNAL / "squad2" / "articles").glob("*.txt")), squad),
    ]


# -- measurements ---------------------------------------------------------------------------


def timed_build(paths: Sequence[Path], db_path: Path, embedder) -> tuple[float, int]:
    """Seconds to ingest these files into a fresh base (no vector cache), and its facts."""
    db_path.unlink(missing_ok=True)
    saved = os.environ.pop("QABOT_VECTOR_CACHE", None)
    try:
        start = time.perf_counter()
        result = build_knowledge_base(paths, db_path, embedder=embedder)
        seconds = time.perf_counter() - start
    finally:
        if saved is not None:
            os.environ["QABOT_VECTOR_CACHE"] = saved
    return seconds, sum(a.facts for a in result.articles)


def cached_base(name: str, articles: Sequence[Path]) -> Path:
    """A knowledge base of these articles in bench/out/, rebuilt on every run so it follows
    the code; the vectors of the previous build are reused, so only new texts are embedded."""
    path = common.out_dir() / f"kb-{name}.db"
    common.log(f"   building {path.name} ({len(articles)} articles)")
    build_knowledge_base(articles, path)
    return path


def open_kb(db_path: Path, embedder) -> KnowledgeBase:
    return KnowledgeBase(open_database(db_path), db_path, embedder=embedder)


def baselines(kb: KnowledgeBase, embed: Callable[[str], np.ndarray]) -> dict[str, object]:
    facts = load_facts(kb.db)
    return {
        "BM25": BM25(facts),
        "FTS5": FTS5Alone(facts),
        "e5 alone": DenseAlone(facts, kb.dense.fact_ids, kb.dense.matrix, embed),
    }


def grade_set(data: DataSet, kb: KnowledgeBase, others: dict) -> list[tuple[Key, str, bool]]:
    """Every case answered by qabot and by each baseline (which never holds back)."""
    out = []
    for case in data.cases:
        key = (data.name, case.get("lang", "en"), kind_of(case))
        out.append((key, "qabot", grade(case, kb.ask(case["q"]))))
        for name, system in others.items():
            out.append((key, name, grade(case, system.answer(case["q"], -math.inf))))
    return out


def time_interleaved(
    calls: dict[str, Callable[[str], object]], questions: Sequence[str], rounds: int
) -> dict[str, list[float]]:
    """Each call on each question in turn, so load on the machine hits them alike."""
    for question in questions[:10]:  # warm-up
        for fn in calls.values():
            fn(question)
    times: dict[str, list[float]] = {name: [] for name in calls}
    clock = time.perf_counter
    for _ in range(rounds):
        for question in questions:
            for name, fn in calls.items():
                start = clock()
                fn(question)
                times[name].append(clock() - start)
    return times


def latency_questions(sets: list[DataSet], count: int) -> list[str]:
    rng = random.Random(5)
    pool = [c["q"] for c in sets[0].cases]
    return rng.sample(pool, min(count, len(pool)))


def big_base(sources: list[Path], known: dict[str, np.ndarray], embedder) -> tuple[Path, float]:
    """A base of 1,000 articles (the external articles copied under other titles), built
    once and kept in bench/out/; (its path, build seconds or nan when reused)."""
    path = common.out_dir() / f"engine-{BIG}.db"
    if path.exists():
        try:
            db = open_database(path)
        except KnowledgeBaseError:  # built by an older qabot: built again below
            count = 0
        else:
            try:
                count = db.execute("select count(*) from articles").fetchone()[0]
            finally:
                db.close()
        if count == BIG:
            return path, float("nan")
    texts = [p.read_text("utf-8-sig") for p in sources]
    articles = []
    for i in range(BIG):  # every title made distinct: two sets share an article's title
        text = replica_text(texts[i % len(texts)], i)
        articles.append((parse_text(text, source=f"copy-{i}.txt"), text))
    start = time.perf_counter()
    build(articles, path, embedder=ReplicaEmbedder(embedder, known))
    return path, time.perf_counter() - start


def cold_start(quick: bool) -> dict[str, list[tuple[float, float]]]:
    """`qabot ask` as a new process, in English and in Russian: on a fresh QABOT_DB (builds
    the seed base), and on the base it left (opens it); (wall seconds, CPU seconds) of each
    run."""
    work = common.tmp_dir("engine-start")
    env = common.base_env(HOME=str(work))
    warmup = [str(common.QABOT), "ask", COLD_QUESTIONS["English"]]
    common.run_measured(warmup, env={**env, "QABOT_DB": str(work / "warmup.db")}, cwd=work)
    out: dict[str, list[tuple[float, float]]] = {}
    for language, question in COLD_QUESTIONS.items():
        cmd = [str(common.QABOT), "ask", question]
        runs = (f"cold, {language} (builds the seed base)", f"{language}, opens an existing base")
        for i in range(2 if quick else 5):
            dbs = (work / f"cold-{language}-{i}.db", work / f"cold-{language}-0.db")
            for name, db in zip(runs, dbs, strict=True):
                run = common.run_measured(cmd, env={**env, "QABOT_DB": str(db)}, cwd=work)
                if run.returncode != 0 or COLD_EXPECT not in run.stdout:
                    raise RuntimeError(f"qabot ask failed ({run.returncode}): {run.stderr[-300:]}")
                out.setdefault(name, []).append((run.seconds, run.cpu_seconds))
    return out


# -- the part -------------------------------------------------------------------------------


def run(quick: bool = False) -> tuple[str, list[tuple]]:
    sets = external_sets(quick)
    if sets is None:
        message = f"skipped: {EXTERNAL} is not here (the shared public question sets)"
        common.log(f"   engine {message}")
        return f"## 6. Engine\n\n{message}.", []
    work = common.tmp_dir("engine")
    embedder = default_embedder()
    md = ["## 6. Engine on the public development halves", ""]

    # Ingest throughput: XQuAD's articles into a fresh base, with embeddings and without.
    articles = sets[0].articles[: 6 if quick else None]
    common.log(f"   ingest throughput ({len(articles)} articles)")
    with_s, facts = timed_build(articles, work / "fresh.db", embedder)
    without_s, _ = timed_build(articles, work / "stub.db", StubEmbedder(embedder.dim))
    ingest = [
        [
            f"{sets[0].name} articles",
            len(articles),
            facts,
            with_s,
            facts / with_s,
            without_s,
            facts / without_s,
        ]
    ]
    bases = {
        data.name: cached_base(data.name.split()[0].lower().replace(".", ""), data.articles)
        for data in sets
    }

    # Accuracy: qabot and the baselines on every case.
    memo = MemoEmbedder(embedder)
    graded = []
    for data in sets:
        common.log(f"   answering {len(data.cases)} {data.name} questions with 4 systems")
        kb = open_kb(bases[data.name], memo)
        graded += grade_set(data, kb, baselines(kb, lambda q: memo.queries([q])[0]))
        kb.close()
    counts = tally(graded)

    # Latency on XQuAD, interleaved: kb.ask (real embedder), the embedding alone, BM25.
    questions = latency_questions(sets, 60 if quick else 200)
    kb = open_kb(bases[sets[0].name], embedder)
    bm25 = BM25(load_facts(kb.db))
    common.log(f"   timing {len(questions)} questions")
    times = time_interleaved(
        {
            "qabot kb.ask": kb.ask,
            "e5 query embedding alone": lambda q: embedder.queries([q]),
            "BM25 (bm25s) query": bm25.top,
        },
        questions,
        rounds=1 if quick else 2,
    )
    facts_small = kb.db.execute("select count(*) from facts").fetchone()[0]
    kb.close()

    # 1,000 articles.
    common.log(f"   {BIG} articles")
    known = {}
    for db in bases.values():
        known.update(stored_passages(db))
    sources = [p for data in sets for p in data.articles]
    big_path, big_build = big_base(sources, known, embedder)
    kb = open_kb(big_path, embedder)
    facts_big = kb.db.execute("select count(*) from facts").fetchone()[0]
    big_times = time_interleaved(
        {"qabot kb.ask": kb.ask, "e5 query embedding alone": lambda q: embedder.queries([q])},
        questions[: 40 if quick else 120],
        rounds=1,
    )
    kb.close()

    common.log("   cold start")
    starts = cold_start(quick)

    # -- report
    refs = ["e5 query embedding alone", "BM25 (bm25s) query"]
    lat = latency_rows(times, refs)
    big_lat = latency_rows(big_times, refs[:1])
    ask_ratio = ratio(p99(times["qabot kb.ask"]), p99(times[refs[0]]))
    big_ratio = ratio(p99(big_times["qabot kb.ask"]), p99(big_times[refs[0]]))
    cold = max(median([wall for wall, _ in runs]) for runs in starts.values())
    n_cases = ", ".join(f"{d.name} {len(d.cases)}" for d in sets)
    md += [
        "### Accuracy",
        "",
        f"Questions: {n_cases}{' (a sample: --quick)' if quick else ''}. Graded with "
        "`bot.evaluate.grade` (the rule of score.py). qabot answers or abstains as it does "
        "for users; the baselines always quote their top fact (BM25 and FTS5 hold back only "
        "when no word matches), so an unanswerable question is never right for them. "
        "XQuAD's knowledge base is the English articles, whatever the question's language. "
        "e5 alone: the fact with the closest stored vector (the same vectors qabot uses).",
        "",
        common.table(["set", "language", "kind", "n", *SYSTEMS], accuracy_rows(counts, SYSTEMS)),
        "",
        "### Answer latency",
        "",
        f"XQuAD base ({facts_small} facts), {len(questions)} questions from every language, "
        "each call timed in turn on the same question, after a warm-up; `kb.ask` embeds the "
        "question itself (no cache).",
        "",
        common.table(
            [
                "call",
                "n",
                "mean ms",
                "p99 ms",
                "mean ÷ e5",
                "p99 ÷ e5",
                "mean ÷ BM25",
                "p99 ÷ BM25",
            ],
            lat,
        ),
        "",
        f"At {BIG} articles ({facts_big} facts; the {len(sources)} external articles copied "
        "under other titles, with the vectors of the passages they copy; built once in "
        f"bench/out/{big_path.name}"
        + (f", {big_build:.0f} s" if not math.isnan(big_build) else ", reused")
        + "):",
        "",
        common.table(["call", "n", "mean ms", "p99 ms", "mean ÷ e5", "p99 ÷ e5"], big_lat),
        "",
        "### Ingest throughput",
        "",
        "A fresh base from XQuAD's article files (`build_knowledge_base`, no vector cache); "
        "without embeddings: the same build with a stub embedder that returns a constant "
        "vector.",
        "",
        common.table(
            [
                "set",
                "articles",
                "facts",
                "with embeddings s",
                "facts/s",
                "without s",
                "facts/s without",
            ],
            ingest,
        ),
        "",
        "### Start to the first answer",
        "",
        f'`qabot ask "{COLD_QUESTIONS["English"]}"` as a new process, and the same in '
        f'Russian, "{COLD_QUESTIONS["Russian"]}": the English question is ranked by its '
        "words, the Russian one needs its vector, so e5 is loaded. CPU s: user + system "
        "time of the process, which a busy machine inflates less than wall time.",
        "",
        common.table(
            ["run", "n", "median s", "min s", "max s", "median CPU s"],
            [
                [
                    name,
                    len(s),
                    median([w for w, _ in s]),
                    min(w for w, _ in s),
                    max(w for w, _ in s),
                    median([c for _, c in s]),
                ]
                for name, s in starts.items()
            ],
        ),
    ]
    targets = [
        (
            "answer p99 ÷ query-embedding p99 (XQuAD base)",
            f"{ask_ratio:.2f}",
            f"≤ {TARGET_P99_RATIO}",
            ask_ratio <= TARGET_P99_RATIO,
        ),
        (
            f"answer p99 ÷ query-embedding p99 ({BIG} articles)",
            f"{big_ratio:.2f}",
            f"≤ {TARGET_P99_RATIO}",
            big_ratio <= TARGET_P99_RATIO,
        ),
        (
            "start to the first answer (the slowest median above)",
            f"{cold:.2f} s",
            f"≤ {TARGET_COLD_S} s",
            cold <= TARGET_COLD_S,
        ),
    ]
    return "\n".join(md), targets
