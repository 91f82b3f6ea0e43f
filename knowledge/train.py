"""Fit the ranker and the confidence calibrator: `python -m knowledge.train`.

Training data: the project's own question sets (tests/data) and, where ../shared is present,
the seed's dev set and the development halves of SQuAD 2.0 and XQuAD. Every question's
candidates get features (`knowledge/features.py`) and a label (does quoting that fact answer
the question, by the rule of score.py). Folds are split by article, so a question is always
scored by a model that never saw its article. Needs scikit-learn (the `train` extra).

Writes knowledge/data/ranker.json (weights and thresholds) and prints the calibration table,
the thresholds chosen from it, and accuracy on both halves of an article split. `--extend`
and `--gate` fit one part only (new ranker weights; an answerability gate), holding the rest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import features, grading
from .feedback import SQLiteFeedbackStore, TrainingPair, fact_hash
from .ingest import build_knowledge_base
from .kb import KnowledgeBase, _clean_question
from .model import (
    CALIBRATION_FEATURES,
    ROUTES,
    Linear,
    Model,
    calibration_row,
    capped,
    route,
    shipped_thresholds,
    summarise,
)
from .query import analyse

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "knowledge" / "data" / "algeria-russia-relations.txt"
DATA = ROOT / "tests" / "data"
PRECISE = 0.9  # GROUP_SILENCE and UNSURE: answers above are right this often
# "I don't know" beats a wrong fact: choosing ABSTAIN, a wrong answer (a wrong fact, or any
# answer to an unanswerable question) costs this much more than abstaining does.
WRONG_COST = 0.25
# The objective is nearly flat over a range of thresholds, where its exact maximum moves with
# small changes to the data (0.31 or 0.42 from two fits alike). ABSTAIN maximises its mean
# over this many grid steps either side instead.
SMOOTHING = 5
FOLDS = 5
# The calibrator's inverse L2 penalty. Its inputs include the best fact's kind (infobox pair,
# table row), which only the project's few own questions show; at 1.0 it read those handfuls
# as rules (an infobox answer to a foreign question: -6 in the logit). 0.05 measured better on
# XQuAD and on the own sets, out of fold (0.2 was in between).
CALIBRATOR_C = 0.05
# `--gate`: the inputs of the answerability gate (knowledge.model.Gate). None is read from the
# question's vector, so the english route still answers without embedding the question.
GATE_FEATURES = (
    "top",
    "margin",
    "share",
    "known",
    "best_coverage",
    "best_missing",
    "best_wording",
    "best_bm25",
    "best_fts_rank",
    "best_intent",
    "best_infobox",
    "best_row",
    "best_length",
)
GATE_C = 1.0
GATE_FLOORS = np.round(np.arange(0.0, 0.401, 0.01), 2)


@dataclass(frozen=True)
class Corpus:
    name: str
    questions: Path
    articles: tuple[Path, ...]
    weight: float = 1.0
    away: bool = False  # asked of articles that do not hold them: every one is unanswerable
    topics: frozenset[str] = frozenset()  # when given, only the questions about these articles


OWN_WEIGHT = 3.0  # a question of the project's own sets counts this many public ones
# XQuAD's translated questions asked of the other half of XQuAD's articles, where nothing
# answers them. XQuAD has no unanswerable questions, so without these the foreign route would
# learn that answering always pays. (Asked of the project's own articles instead, they taught
# it that an infobox row is never right: XQuAD's articles have none.) One such question counts
# 1/12, which makes one unanswerable foreign question for every four answerable ones (the
# project's own sets have about one in five).
AWAY_WEIGHT = 1 / 12
FOREIGN = ("ru", "ar", "de", "es", "zh")


def corpora(own_weight: float = OWN_WEIGHT) -> list[Corpus]:
    """Every question set available here, with the articles it is asked about."""
    own = [
        Corpus(
            "own",
            DATA / "eval_articles.jsonl",
            (SEED, *sorted((DATA / "articles").glob("*.txt"))),
            own_weight,
        ),
        Corpus(
            "blind1",
            DATA / "heldout" / "eval.jsonl",
            (SEED, *sorted((DATA / "heldout" / "articles").glob("*.txt"))),
            own_weight,
        ),
        Corpus(
            "blind2",
            DATA / "heldout2" / "eval.jsonl",
            (SEED, *sorted((DATA / "heldout2" / "articles").glob("*.txt"))),
            own_weight,
        ),
    ]
    external = SHARED / "eval" / "external"
    shared = []
    if (SHARED / "eval" / "dev.jsonl").is_file():
        shared.append(Corpus("dev", SHARED / "eval" / "dev.jsonl", (SEED,), own_weight))
    if (external / "squad2").is_dir():
        shared.append(
            Corpus(
                "squad2",
                external / "squad2" / "questions.jsonl",
                tuple(sorted((external / "squad2" / "articles").glob("*.txt"))),
            )
        )
    if (external / "xquad").is_dir():
        arts = tuple(sorted((external / "xquad" / "articles").glob("*.txt")))
        for lang in ("en", *FOREIGN):
            shared.append(
                Corpus(f"xquad-{lang}", external / "xquad" / f"{lang}.jsonl", arts, 1 / 3)
            )
        halves = defaultdict(list)
        for path in arts:
            halves[split_half(article_title(path))].append(path)
        for lang in FOREIGN:
            for half in (0, 1):
                shared.append(
                    Corpus(
                        f"away-{lang}-{half}",
                        external / "xquad" / f"{lang}.jsonl",
                        tuple(halves[1 - half]),
                        AWAY_WEIGHT,
                        away=True,
                        topics=frozenset(article_title(p) for p in halves[half]),
                    )
                )
    return own + shared


def article_title(path: Path) -> str:
    """The title on an article's first line ('= Warsaw =')."""
    with path.open(encoding="utf-8") as lines:
        return lines.readline().strip().strip("=").strip()


@dataclass
class Examples:
    """One corpus's candidates: features, labels, and which question each row belongs to."""

    x: np.ndarray
    y: np.ndarray
    question: np.ndarray  # row -> question index within the corpus
    qinfo: list[dict]  # per question: english, known, dense, kind, lang, group, has_right


def extract(corpus: Corpus, work: Path) -> Examples:
    """Candidates and labels for every question of a corpus (cached in `work`)."""
    cache = work / f"{corpus.name}.npz"
    sig = hashlib.sha1(
        b"".join(p.read_bytes() for p in (*corpus.articles, corpus.questions))
        + f"{features.FEATURE_VERSION}:{','.join(features.BASE_FEATURES)}".encode()
        + (b":away" if corpus.away else b"")
        + "|".join(sorted(corpus.topics)).encode()
    ).hexdigest()
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            if str(data["sig"]) == sig:
                return Examples(
                    derived(data["x"], data["question"]),
                    data["y"],
                    data["question"],
                    json.loads(str(data["qinfo"])),
                )
    key = hashlib.sha1("\n".join(sorted(str(a) for a in corpus.articles)).encode()).hexdigest()[:12]
    db = work / f"kb-{key}.db"
    if not db.is_file():
        build_knowledge_base(corpus.articles, db)
    cases = [
        json.loads(line)
        for line in corpus.questions.read_text("utf-8").splitlines()
        if line.strip()
    ]
    if corpus.topics:
        cases = [case for case in cases if case.get("article") in corpus.topics]
    asked = []
    with KnowledgeBase.open(db) as kb:
        for index, case in enumerate(cases):
            _, cands, base, question = _candidates(kb, case["q"])
            labels = [
                not corpus.away
                and grading.text_answers(case, kb._with_antecedent(c.row), [c.row["section"] or ""])
                for c in cands
            ]
            info = {
                **question,
                "kind": "oos" if corpus.away else case["kind"],
                "lang": case.get("lang", "en"),
                "group": case.get("article") or corpus.name,
                "has_right": any(labels),
            }
            asked.append((base, labels, info))
            if index % 200 == 0:
                print(f"  {corpus.name}: {index}/{len(cases)}", file=sys.stderr)
    x, examples = _stacked(asked)
    np.savez_compressed(
        cache,
        x=x,
        y=examples.y,
        question=examples.question,
        qinfo=json.dumps(examples.qinfo),
        sig=sig,
    )
    return examples


def feedback_examples(pairs: list[TrainingPair], db: Path) -> Examples:
    """Candidates and labels for the questions people gave feedback on, asked of the knowledge
    base they were asked of: a fact taught or voted right is right, any other is not."""
    right: dict[str, set[str]] = defaultdict(set)
    for pair in pairs:
        right[pair.question] |= {pair.fact_hash} if pair.label else set()
    asked = []
    with KnowledgeBase.open(db) as kb:
        for question in sorted(right):
            query, cands, base, info = _candidates(kb, question)
            labels = [fact_hash(c.row["text"]) in right[question] for c in cands]
            articles = [c.row["article"] for c, ok in zip(cands, labels, strict=True) if ok]
            info = {
                **info,
                "kind": "fact",
                "lang": query.lang,
                "group": f"feedback:{articles[0] if articles else ''}",
                "has_right": bool(articles),
            }
            asked.append((base, labels, info))
    return _stacked(asked)[1]


def _candidates(kb: KnowledgeBase, question: str):
    """The question's analysis, its candidates in `kb`, their base features and the
    question-level values (`KnowledgeBase.candidates`)."""
    query = analyse(_clean_question(question) or "?", kb.vocab)
    cands, matrix, info = kb.candidates(query, vectors=True)
    return query, cands, matrix[:, : len(features.BASE_FEATURES)], info


def _stacked(asked: list[tuple[np.ndarray, list[bool], dict]]) -> tuple[np.ndarray, Examples]:
    """Per-question (base features, labels, info) stacked into one matrix and its Examples."""
    x = (
        np.vstack([base for base, _, _ in asked])
        if asked
        else np.zeros((0, len(features.BASE_FEATURES)))
    )
    question_of = np.repeat(
        np.arange(len(asked), dtype=np.int32), [len(labels) for _, labels, _ in asked]
    )
    y = np.asarray([label for _, labels, _ in asked for label in labels], dtype=np.int8)
    return x, Examples(derived(x, question_of), y, question_of, [info for _, _, info in asked])


def derived(base: np.ndarray, question: np.ndarray) -> np.ndarray:
    """The full feature matrix from the cached base columns, question by question."""
    out = np.zeros((len(base), len(features.FEATURES)))
    starts = np.flatnonzero(np.r_[True, np.diff(question) != 0, True])
    for start, end in zip(starts[:-1], starts[1:], strict=True):
        out[start:end] = features.with_derived(base[start:end])
    return out


def conditional_logit(
    z: np.ndarray,
    y: np.ndarray,
    qid: np.ndarray,
    qweight: np.ndarray,
    lam: float,
    offset: np.ndarray | float = 0.0,
):
    """The loss of a linear ranker `offset + z @ w` and its gradient in `w`: per question,
    the softmax over its candidates should put its mass on the right ones (questions with
    no right candidate count for nothing), plus `lam` times the squared weights."""
    questions, inv = np.unique(qid, return_inverse=True)
    positive = np.bincount(inv, weights=y, minlength=len(questions)) > 0
    weights = qweight[questions] * positive
    total = weights.sum()

    def loss(w):
        s = offset + z @ w
        top = np.full(len(questions), -np.inf)
        np.maximum.at(top, inv, s)
        e = np.exp(s - top[inv])
        den = np.bincount(inv, weights=e, minlength=len(questions))
        num = np.bincount(inv, weights=e * y, minlength=len(questions))
        ok = positive
        value = -(weights[ok] * (np.log(num[ok]) - np.log(den[ok]))).sum() / total + lam * (w @ w)
        share = e / den[inv]
        right = np.where(y > 0, e / np.maximum(num[inv], 1e-300), 0.0)
        grad = (z * (weights[inv] * (share - right))[:, None]).sum(axis=0) / total + 2 * lam * w
        return value, grad

    return loss


def fit_listwise(
    x: np.ndarray, y: np.ndarray, qid: np.ndarray, qweight: np.ndarray, lam: float = 1e-3
) -> Linear:
    """A linear ranker fitted so that, per question, the softmax over its candidates puts
    its mass on the right ones (a conditional logit). Questions with no right candidate
    teach the ranker nothing; the calibrator learns from them."""
    from scipy.optimize import minimize

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    loss = conditional_logit(z, y, qid, qweight, lam)
    result = minimize(
        loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500}
    )
    return Linear(tuple(features.FEATURES), mean, scale, result.x, 0.0)


def extend(
    ranker: Linear,
    new: list[str],
    x: np.ndarray,
    y: np.ndarray,
    qid: np.ndarray,
    qweight: np.ndarray,
    lam: float = 1e-3,
) -> tuple[Linear, float, float]:
    """The ranker with weights fitted for the features `new` only (raw units, L2 `lam`),
    every other weight held: the conditional logit of `fit_listwise`, with the held part as
    an offset. Also the loss before and after."""
    from scipy.optimize import minimize

    columns = [features.FEATURES.index(name) for name in new]
    loss = conditional_logit(x[:, columns], y, qid, qweight, lam, offset=ranker.logits(x))
    start = np.zeros(len(columns))
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 200})
    mean, scale, coef = ranker.mean.copy(), ranker.scale.copy(), ranker.coef.copy()
    for column, weight in zip(columns, result.x, strict=True):
        mean[column], scale[column], coef[column] = 0.0, 1.0, weight
    fitted = Linear(ranker.names, mean, scale, coef, ranker.intercept)
    return fitted, float(loss(start)[0]), float(result.fun)


def fit_linear(x: np.ndarray, y: np.ndarray, names, weight=None, c: float = 1.0) -> Linear:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=weight)
    return Linear(tuple(names), mean, scale, model.coef_[0], float(model.intercept_[0]))


@dataclass
class Pool:
    """Every corpus's examples stacked, with per-question arrays."""

    x: np.ndarray
    y: np.ndarray
    qid: np.ndarray  # row -> global question index
    weight: np.ndarray  # row weight
    questions: list[dict]  # global question index -> info (+ corpus, weight)


def pool(named: list[tuple[Corpus, Examples]]) -> Pool:
    xs, ys, qids, weights, questions = [], [], [], [], []
    for corpus, ex in named:
        offset = len(questions)
        xs.append(ex.x)
        ys.append(ex.y)
        qids.append(ex.question + offset)
        per_question = np.bincount(ex.question, minlength=len(ex.qinfo)).clip(min=1)
        weights.append(corpus.weight / per_question[ex.question])
        questions.extend({**q, "corpus": corpus.name, "weight": corpus.weight} for q in ex.qinfo)
    return Pool(
        np.vstack(xs), np.concatenate(ys), np.concatenate(qids), np.concatenate(weights), questions
    )


def top_candidates(logits: np.ndarray, p: Pool, rows: np.ndarray) -> dict[int, tuple]:
    """question -> (top logit, margin, softmax share, is the top right, its row)."""
    per: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        per[int(p.qid[r])].append(int(r))
    out = {}
    for q, members in per.items():
        scores = logits[members]
        best = members[int(np.argmax(scores))]
        out[q] = (*summarise(scores), bool(p.y[best]), best)
    return out


def calibration_rows(p: Pool, tops: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    qs = sorted(tops)
    x = np.array(
        [
            calibration_row(
                *tops[q][:3],
                p.questions[q]["english"],
                p.questions[q]["known"],
                p.questions[q]["dense"],
                p.x[tops[q][4]],
            )
            for q in qs
        ]
    )
    y = np.array([int(tops[q][3]) for q in qs])
    w = np.array([p.questions[q]["weight"] for q in qs])
    return x, y, w, qs


def fit(p: Pool, rows: np.ndarray, c: float = 1.0) -> Model:
    """Ranker on `rows`; calibrator on the ranker's out-of-fold scores of the same rows."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([p.questions[q]["group"] for q in p.qid[rows]])
    qweight = np.array([q["weight"] for q in p.questions], dtype=np.float64)
    oof = np.zeros(len(p.y))
    for train, test in GroupKFold(n_splits=FOLDS).split(rows, groups=groups):
        part = rows[train]
        ranker = fit_listwise(p.x[part], p.y[part], p.qid[part], qweight, c)
        oof[rows[test]] = ranker.logits(p.x[rows[test]])
    ranker = fit_listwise(p.x[rows], p.y[rows], p.qid[rows], qweight, c)
    cx, cy, cw, _ = calibration_rows(p, top_candidates(oof, p, rows))
    calibrator = fit_linear(cx, cy, CALIBRATION_FEATURES, cw, CALIBRATOR_C)
    return Model(ranker, calibrator), oof


def confidences(
    model: Model, p: Pool, logits: np.ndarray, rows: np.ndarray
) -> dict[int, tuple[float, bool]]:
    tops = top_candidates(logits, p, rows)
    cx, cy, _, qs = calibration_rows(p, tops)
    conf = 1 / (1 + np.exp(-model.calibrator.logits(cx))) if len(cx) else []
    return {q: (float(c), bool(y)) for q, c, y in zip(qs, conf, cy, strict=True)}


def score_table(
    p: Pool, conf: dict[int, tuple[float, bool]], abstain: float
) -> dict[str, tuple[int, int]]:
    """Right/total per corpus and kind, answering at `abstain` and above."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for q, (c, right) in conf.items():
        info = p.questions[q]
        ok = (c < abstain) if info["kind"] == "oos" else (c >= abstain and right)
        key = f"{info['corpus']}/{'oos' if info['kind'] == 'oos' else 'fact'}"
        out[key][0] += ok
        out[key][1] += 1
    return dict(out)


def choose_thresholds(p: Pool, conf: dict[int, tuple[float, bool]]) -> dict[str, float]:
    """ABSTAIN maximises the weighted questions handled right, less WRONG_COST for each
    wrong answer; GROUP_SILENCE and UNSURE are the lowest confidence above which answers are
    right PRECISE of the time."""
    items = [
        (c, right and p.questions[q]["kind"] != "oos", p.questions[q])
        for q, (c, right) in conf.items()
    ]
    grid = np.round(np.arange(0.2, 0.81, 0.01), 2)
    got = [
        sum(
            info["weight"] * _handled(c >= t, right, info["kind"] == "oos")
            for c, right, info in items
        )
        for t in grid
    ]
    abstain = round(float(grid[int(np.argmax(smoothed(got, SMOOTHING)))]), 2)
    precise = 0.95
    for t in np.round(np.arange(abstain, 0.96, 0.01), 2):
        answered = [(right and info["kind"] != "oos") for c, right, info in items if c >= t]
        if answered and sum(answered) / len(answered) >= PRECISE:
            precise = round(float(t), 2)
            break
    return {"ABSTAIN": abstain, "UNSURE": precise, "GROUP_SILENCE": precise}


def smoothed(values, half: int) -> np.ndarray:
    """Each value replaced by the mean of it and up to `half` neighbours on either side."""
    values = np.asarray(values, dtype=np.float64)
    sums = np.concatenate([[0.0], np.cumsum(values)])
    low = np.clip(np.arange(len(values)) - half, 0, None)
    high = np.clip(np.arange(len(values)) + half + 1, None, len(values))
    return (sums[high] - sums[low]) / (high - low)


def _handled(answered: bool, right: bool, unanswerable: bool) -> float:
    """1 for a right answer or a right abstention, -WRONG_COST for a wrong answer, else 0."""
    if not answered:
        return float(unanswerable)
    return 1.0 if right else -WRONG_COST


def calibration_table(conf: dict[int, tuple[float, bool]]) -> list[tuple[float, float, int, int]]:
    bins: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for c, right in conf.values():
        index = grading.calibration_bin(c)
        bins[index][0] += right
        bins[index][1] += 1
    return [(*grading.bin_bounds(i), *bins[i]) for i in sorted(bins)]


def print_table(title: str, table: dict[str, tuple[int, int]]) -> None:
    print(title)
    for key in sorted(table):
        good, total = table[key]
        print(f"  {key:20} {good:5}/{total:<5} {good / max(total, 1):.3f}")


def split_half(group: str) -> int:
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.train", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/qabot-train"), help="cache folder")
    parser.add_argument("--out", type=Path, default=ROOT / "knowledge" / "data" / "ranker.json")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--own-weight", type=float, default=OWN_WEIGHT, help="see OWN_WEIGHT")
    parser.add_argument("--l2", type=float, default=1e-3, help="the ranker's L2 penalty")
    parser.add_argument(
        "--route",
        choices=ROUTES,
        default="foreign",
        help="fit the model of this route only (questions that read as English or not); the "
        "other route's model is kept as shipped",
    )
    parser.add_argument(
        "--extend",
        action="store_true",
        help="fit only the weights of features the shipped ranker of this route has none for "
        "(features added since its fit), holding its other weights, its calibrator and its "
        "thresholds",
    )
    parser.add_argument(
        "--gate",
        action="store_true",
        help="fit only an answerability gate for this route (see knowledge.model.Gate), "
        "holding its ranker, calibrator and thresholds",
    )
    parser.add_argument(
        "--feedback",
        type=Path,
        metavar="FEEDBACK_DB",
        help="also learn from what people taught and voted (qabot's feedback database), "
        "asked of the knowledge base given with --feedback-base",
    )
    parser.add_argument("--feedback-base", type=Path, metavar="DB", help="see --feedback")
    args = parser.parse_args(argv)
    if bool(args.feedback) != bool(args.feedback_base):
        parser.error("--feedback and --feedback-base go together")
    for path in (args.feedback, args.feedback_base):
        if path and not path.is_file():
            parser.error(f"{path} is not a file")
    args.work.mkdir(parents=True, exist_ok=True)
    named = []
    for corpus in corpora(args.own_weight):
        print(f"features: {corpus.name}", file=sys.stderr)
        named.append((corpus, extract(corpus, args.work)))
    if args.feedback:
        store = SQLiteFeedbackStore.open(args.feedback)
        try:
            pairs = store.training_pairs()
        finally:
            store.close()
        print(f"features: feedback ({len({p.question for p in pairs})} questions)", file=sys.stderr)
        corpus = Corpus("feedback", args.feedback, (), args.own_weight)
        named.append((corpus, feedback_examples(pairs, args.feedback_base)))
    p = pool(named)
    every = np.flatnonzero(
        np.array([route(p.questions[q]["english"]) == args.route for q in p.qid], dtype=bool)
    )
    print(f"route {args.route}: {len(set(p.qid[every].tolist()))} questions")
    if args.extend:
        return _extend(args, p, every)
    if args.gate:
        return _gate(args, p, every)
    model, oof = fit(p, every, args.l2)
    conf = confidences(model, p, oof, every)
    chosen = choose_thresholds(p, conf)
    print("calibration (out of fold, split by article): confidence, right/total")
    for low, high, good, total in calibration_table(conf):
        print(f"  [{low:.1f}, {high:.1f})  {good:5}/{total:<5} {good / max(total, 1):.2f}")
    print(f"thresholds: {chosen}")
    shipped_abstain = shipped_thresholds()["ABSTAIN"]
    if shipped_abstain != chosen["ABSTAIN"]:
        print_table(
            f"out-of-fold accuracy at the shipped ABSTAIN {shipped_abstain}",
            score_table(p, conf, shipped_abstain),
        )
    print_table(
        f"out-of-fold accuracy at ABSTAIN {chosen['ABSTAIN']}",
        score_table(p, conf, chosen["ABSTAIN"]),
    )
    halves = np.array([split_half(p.questions[q]["group"]) for q in p.qid])
    for half in (0, 1):
        train, test = every[halves[every] == half], every[halves[every] != half]
        part, _ = fit(p, train, args.l2)
        for name, rows in (("fitted half", train), ("other half", test)):
            c = confidences(part, p, _logits(part, p, rows), rows)
            print_table(f"split {half}, {name}", score_table(p, c, chosen["ABSTAIN"]))
    if args.dry_run:
        return 0
    data = json.loads(args.out.read_text("utf-8")) if args.out.is_file() else {}
    data[args.route] = model.to_dict()
    data.setdefault("thresholds", chosen)
    data.setdefault("chosen", {})[args.route] = chosen
    args.out.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
    print(f"wrote {args.out}")
    return 0


def _extend(args, p: Pool, every: np.ndarray) -> int:
    """`--extend`: weights for the features the shipped ranker lacks, the rest as shipped."""
    data = json.loads(args.out.read_text("utf-8"))
    known = set(data[args.route]["ranker"]["names"])
    new = [name for name in features.FEATURES if name not in known]
    if not new:
        print(f"the {args.route} ranker has a weight for every feature: nothing to extend")
        return 0
    held = Model.from_dict(data[args.route])
    qweight = np.array([q["weight"] for q in p.questions], dtype=np.float64)
    ranker, before, after = extend(
        held.ranker, new, p.x[every], p.y[every], p.qid[every], qweight, args.l2
    )
    for name in new:
        print(f"  {name}: {ranker.coef[features.FEATURES.index(name)]:+.4f}")
    print(f"listwise loss {before:.5f} -> {after:.5f}")
    extended = Model(ranker, held.calibrator, held.gate)
    abstain = shipped_thresholds(args.route)["ABSTAIN"]
    for name, model in (("shipped", held), ("extended", extended)):
        conf = confidences(model, p, _logits(model, p, every), every)
        title = f"{name}, in sample, at the shipped ABSTAIN {abstain}"
        print_table(title, score_table(p, conf, abstain))
    if args.dry_run:
        return 0
    data[args.route] = extended.to_dict()
    args.out.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
    print(f"wrote {args.out}")
    return 0


def gate_chances(
    p: Pool, held: Model, rows: np.ndarray, c: float = GATE_C
) -> tuple[Linear, list[int], np.ndarray, np.ndarray, np.ndarray]:
    """The gate fitted on every question of `rows` (ranked by `held`), and per question: its
    index, the gate's out-of-fold chance (folds by article), the held confidence and whether
    the top fact is right."""
    from sklearn.model_selection import GroupKFold

    cx, cy, cw, qs = calibration_rows(p, top_candidates(_logits(held, p, rows), p, rows))
    columns = [CALIBRATION_FEATURES.index(name) for name in GATE_FEATURES]
    inputs = cx[:, columns]
    groups = np.array([p.questions[q]["group"] for q in qs])
    chance = np.zeros(len(qs))
    for train, test in GroupKFold(n_splits=FOLDS).split(inputs, groups=groups):
        part = fit_linear(inputs[train], cy[train], GATE_FEATURES, cw[train], c)
        chance[test] = 1 / (1 + np.exp(-part.logits(inputs[test])))
    gate = fit_linear(inputs, cy, GATE_FEATURES, cw, c)
    held_confidence = 1 / (1 + np.exp(-held.calibrator.logits(cx)))
    return gate, qs, chance, held_confidence, cy.astype(bool)


def handled_by_corpus(
    p: Pool, qs: list[int], answered: np.ndarray, right: np.ndarray
) -> dict[str, float]:
    """Per corpus, the mean of `_handled` over its questions."""
    out: dict[str, list[float]] = defaultdict(list)
    for q, a, r in zip(qs, answered, right, strict=True):
        info = p.questions[q]
        unanswerable = info["kind"] == "oos"
        out[info["corpus"]].append(_handled(bool(a), bool(r) and not unanswerable, unanswerable))
    return {name: float(np.mean(values)) for name, values in sorted(out.items())}


def choose_floor(
    p: Pool, qs: list[int], chance: np.ndarray, confidence: np.ndarray, right, abstain: float
) -> tuple[float, list[tuple[float, float, dict[str, float]]]]:
    """The gate's floor that handles the most questions right, every corpus weighing the
    same (SQuAD's 3,000 questions would otherwise choose alone), and the table it read. As
    for ABSTAIN, the objective is smoothed over SMOOTHING grid steps either side."""
    table = []
    for floor in GATE_FLOORS:
        per = handled_by_corpus(p, qs, capped(confidence, chance, floor) >= abstain, right)
        table.append((float(floor), float(np.mean(list(per.values()))), per))
    best = int(np.argmax(smoothed([mean for _, mean, _ in table], SMOOTHING)))
    return table[best][0], table


def _gate(args, p: Pool, every: np.ndarray) -> int:
    """`--gate`: the answerability gate of a route, its ranker, calibrator and thresholds held."""
    data = json.loads(args.out.read_text("utf-8"))
    held = Model.from_dict({k: v for k, v in data[args.route].items() if k != "gate"})
    abstain = shipped_thresholds(args.route)["ABSTAIN"]
    gate, qs, chance, confidence, right = gate_chances(p, held, every)
    floor, table = choose_floor(p, qs, chance, confidence, right, abstain)
    print(f"gate weights: {dict(zip(gate.names, np.round(gate.coef, 3).tolist(), strict=True))}")
    print(f"handled right (out of fold, at ABSTAIN {abstain}; every corpus weighs the same):")
    for value, mean, per in table:
        cells = "  ".join(f"{name} {v:.3f}" for name, v in per.items())
        print(f"  floor {value:.3f}  {mean:.4f}  {cells}")
    print(f"floor: {floor}")
    for name, cap in (("without the gate", 0.0), (f"gate at {floor}", floor)):
        gated = capped(confidence, chance, cap)
        conf = {q: (float(c), bool(r)) for q, c, r in zip(qs, gated, right, strict=True)}
        print_table(f"out of fold, {name}", score_table(p, conf, abstain))
    if args.dry_run:
        return 0
    data[args.route]["gate"] = {"model": gate.to_dict(), "floor": floor}
    args.out.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
    print(f"wrote {args.out}")
    return 0


def _logits(model: Model, p: Pool, rows: np.ndarray) -> np.ndarray:
    out = np.zeros(len(p.y))
    out[rows] = model.ranker.logits(p.x[rows])
    return out


if __name__ == "__main__":
    sys.exit(main())
