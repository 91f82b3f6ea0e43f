"""Part 3: how build time, size, answer time and memory grow with the number of articles.

Knowledge bases of 10, 100, 1,000 (and without --quick 10,000) articles: the seed plus
synthetic articles from bench/generate.py, built with `knowledge.store.build` straight from
parsed texts (no files written). Each is then opened by a fresh subprocess
(bench/scale_worker.py) that answers questions about random articles and seed questions, and
reports answer times, peak RSS and the naive WRatio full scan's times over the same facts.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time

from tqdm import tqdm

from knowledge.ingest import seed_text
from knowledge.parser import parse_text
from knowledge.store import build

from . import common, generate

QUICK_SIZES = (10, 100, 1000)
FULL_SIZES = (10, 100, 1000, 10000)
TARGET_P99_1000_MS = 25.0
TARGET_BUILD_1000_S = 60.0
SUBLINEAR_EXPONENT = 0.7  # "clearly sublinear": cost grows slower than N^0.7


def questions_for(items: list[generate.Generated], count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        q, expected = rng.choice(rng.choice(items).questions)
        if n % 4 == 3:
            q = common.typo_drop(q, rng)
        out.append([q, expected])
    return out


def build_size(size: int, where) -> tuple[float, float, list[generate.Generated]]:
    items = generate.corpus(size - 1, seed=size)
    texts = [("algeria-russia-relations.txt", seed_text())]
    texts += [(f"synthetic-{i:05d}.txt", g.text) for i, g in enumerate(items)]
    db_path = where / f"scale-{size}.db"
    bar = tqdm(
        total=len(texts),
        desc=f"building {size} articles",
        unit="article",
        file=sys.stderr,
        mininterval=0.5,
        leave=False,
    )
    start = time.perf_counter()
    try:
        build(
            ((parse_text(text, source=source), text) for source, text in texts),
            db_path,
            progress=lambda _title: bar.update(),
        )
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    return seconds, db_path.stat().st_size / 2**20, items


def exponent(sizes: list[int], values: list[float]) -> float:
    """Least-squares slope of log(value) against log(size)."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(v, 1e-9)) for v in values]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mx) ** 2 for x in xs)
    return num / den if den else float("nan")


def run(quick: bool = False) -> tuple[str, list[tuple]]:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    per_size = 100 if quick else 160
    where = common.tmp_dir("scale")
    seed_qs, origin = common.seed_questions()
    seed_qs = seed_qs[:30]
    results = []
    for size in sizes:
        common.log(f"   scale: {size} articles")
        build_s, size_mb, items = build_size(size, where)
        spec = {
            "warmup": seed_qs[:10],
            "questions": questions_for(items, per_size, size) + [[q, ""] for q in seed_qs],
        }
        spec_path = where / f"questions-{size}.json"
        spec_path.write_text(json.dumps(spec), "utf-8")
        wratio_count = 60 if size <= 1000 else 20
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.scale_worker",
                str(where / f"scale-{size}.db"),
                str(spec_path),
                str(wratio_count),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=common.ROOT,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"scale_worker failed at {size} articles: {proc.stderr[-800:]}")
        data = json.loads(proc.stdout)
        qabot = common.Stats.of(data["times"])
        wratio = common.Stats.of(data["wratio"])
        results.append(
            {
                "size": size,
                "build_s": build_s,
                "db_mb": size_mb,
                "facts": data["facts"],
                "open_ms": 1000 * data["open_s"],
                "qabot": qabot,
                "wratio": wratio,
                "rss_mb": data["rss_mb"],
                "right": data["right"],
                "graded": data["graded"],
                "abstained": data["abstained"],
                "n": len(data["times"]),
            }
        )
        if size == sizes[-1]:
            profile = profile_largest(where / f"scale-{size}.db", spec["questions"][:60])
        (where / f"scale-{size}.db").unlink()
    png = plot(results)

    rows = [
        [
            f"{r['size']:,}",
            f"{r['facts']:,}",
            r["build_s"],
            r["build_s"] / r["size"] * 1000,
            r["db_mb"],
            r["open_ms"],
            r["qabot"].p50,
            r["qabot"].p99,
            r["wratio"].p50,
            r["wratio"].p99,
            r["wratio"].p50 / r["qabot"].p50,
            r["rss_mb"],
            f"{r['right']}/{r['graded']}",
        ]
        for r in results
    ]
    big = [r for r in results if r["size"] >= 100]
    exp50 = exponent([r["size"] for r in big], [r["qabot"].p50 for r in big])
    exp99 = exponent([r["size"] for r in big], [r["qabot"].p99 for r in big])
    expw = exponent([r["size"] for r in big], [r["wratio"].p50 for r in big])
    expb = exponent([r["size"] for r in big], [r["build_s"] for r in big])
    at1000 = next(r for r in results if r["size"] == 1000)
    sub = max(exp50, exp99) < SUBLINEAR_EXPONENT
    md = [
        "## 3. Scale",
        "",
        f"The seed plus synthetic articles (bench/generate.py, seed = size). Per size: "
        f"{per_size} generated questions about random articles (every fourth with a dropped "
        f"letter) plus {len(seed_qs)} seed questions from {origin}, each asked once in a fresh "
        "process after 10 warm-up questions. `right` = generated questions answered (not "
        "abstained) with the expected phrase. WRatio = naive full scan over every fact in the "
        "same process (first "
        + ", ".join(f"{60 if s <= 1000 else 20}" for s in sizes)
        + " questions). RSS = peak of the process that opened the knowledge base and answered, "
        "read before the WRatio scan loads the fact texts. Sizes in MB; times in ms unless "
        "marked.",
        "",
        common.table(
            [
                "articles",
                "facts",
                "build s",
                "build ms/article",
                "DB MB",
                "open ms",
                "qabot p50",
                "qabot p99",
                "WRatio p50",
                "WRatio p99",
                "WRatio p50 ÷ qabot p50",
                "RSS MB",
                "right",
            ],
            rows,
        ),
        "",
        f"Growth exponents over {', '.join(str(r['size']) for r in big)} articles (slope of "
        f"log cost against log size; 1 = linear): qabot p50 {exp50:.2f}, p99 {exp99:.2f}; "
        f"WRatio p50 {expw:.2f}; build time {expb:.2f}.",
        "",
        f"![cost vs size](scale.png) (`bench/{png.name}`)",
        "",
        f"Targets: p99 ≤ {TARGET_P99_1000_MS:.0f} ms at 1,000 articles: "
        f"{common.ok(at1000['qabot'].p99 <= TARGET_P99_1000_MS)} ({at1000['qabot'].p99:.1f} ms); "
        f"growth clearly sublinear (exponent < {SUBLINEAR_EXPONENT}): {common.ok(sub)}; "
        f"build 1,000 articles < {TARGET_BUILD_1000_S:.0f} s: "
        f"{common.ok(at1000['build_s'] < TARGET_BUILD_1000_S)} ({at1000['build_s']:.1f} s).",
    ]
    md += [
        "",
        f"Where answer time goes at {sizes[-1]:,} articles (pyinstrument over 60 of the "
        f"questions, in-process; `bench/out/{profile.name}`):",
        "",
        common.top_frames(profile, 30),
    ]
    if quick:
        md.append("\n--quick: 10,000 articles are measured only in a full run.")
    targets = [
        (
            "answer p99 at 1,000 articles",
            f"{at1000['qabot'].p99:.1f} ms",
            f"≤ {TARGET_P99_1000_MS:.0f} ms",
            at1000["qabot"].p99 <= TARGET_P99_1000_MS,
        ),
        (
            "answer time growth (exponent, p50/p99)",
            f"{exp50:.2f} / {exp99:.2f}",
            f"< {SUBLINEAR_EXPONENT}",
            sub,
        ),
        (
            "build 1,000 articles",
            f"{at1000['build_s']:.1f} s",
            f"< {TARGET_BUILD_1000_S:.0f} s",
            at1000["build_s"] < TARGET_BUILD_1000_S,
        ),
    ]
    return "\n".join(md), targets


def profile_largest(db_path, questions):
    from knowledge import KnowledgeBase

    with KnowledgeBase.open(db_path) as kb:
        qs = [q for q, _ in questions]
        for q in qs[:5]:
            kb.ask(q)
        return common.profile_calls("scale-largest", kb.ask, qs)


def plot(results: list[dict]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["size"] for r in results]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    left.plot(sizes, [r["qabot"].p50 for r in results], "o-", label="qabot p50")
    left.plot(sizes, [r["qabot"].p99 for r in results], "o--", label="qabot p99")
    left.plot(sizes, [r["wratio"].p50 for r in results], "s-", label="WRatio full scan p50")
    left.plot(sizes, [r["wratio"].p99 for r in results], "s--", label="WRatio full scan p99")
    ref = results[0]["wratio"].p50
    left.plot(sizes, [ref * s / sizes[0] for s in sizes], ":", color="grey", label="linear")
    left.set(
        xscale="log", yscale="log", xlabel="articles", ylabel="ms per question", title="Answer time"
    )
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    right.plot(sizes, [r["build_s"] for r in results], "o-", label="build time (s)")
    right.plot(sizes, [r["db_mb"] for r in results], "s-", label="database (MB)")
    right.plot(sizes, [r["rss_mb"] for r in results], "^-", label="peak RSS answering (MB)")
    right.set(xscale="log", yscale="log", xlabel="articles", title="Build, size, memory")
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=8)
    fig.tight_layout()
    path = common.BENCH / "scale.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
