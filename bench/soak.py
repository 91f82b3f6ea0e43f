"""`make soak`: qabot under sustained and hostile load. Not part of `make test`.

    make soak                       # or: python -m bench.soak [--quick] [--no-results]
    make soak SOAK_ARGS=--quick     # the seed only, short phases: about a minute

The real `qabot run` (polling) runs as a subprocess against the fake Bot API
(tests/fake_bot_api.py) served on 127.0.0.1, and the soak plays the users. On the seed and on
a base of 1,000 generated articles it measures:

- the latency of a private `/help` (each from a new user, every PROBE_INTERVAL s) alone, while
  one group floods the bot, while crafted slow questions arrive, and while every reply to one
  chat gets a 429 (Too Many Requests, retry_after);
- the questions lost (never answered) and doubled (answered twice) when the bot is SIGKILLed
  10 times under load and restarted each time;
- the bot's RSS over many `/reload`s;
- and, in-process, the time to parse each adversarial article (and to ingest it, without
  embedding) at sizes 1x, 2x and 4x: a growth exponent near 1 is linear.

Every wait is bounded; a probe not answered within the drain time counts as lost, and a p99
that falls on a lost probe is shown as "> drain". The figures go to stdout and to the "Soak"
section of bench/RESULTS.md. `--quick` is the seed only, with short phases (about a minute).

The 1,000-article base is built once into bench/out/soak/ with stand-in vectors (unit vectors
drawn from a hash of each fact): embedding 20,000 facts with the real model takes about half
an hour on a small machine. Answers on it are therefore not about quality; their cost is the
real one (the question is embedded by the real model and scored against every vector).
`--real-vectors` builds it with the real model instead.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import itertools
import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import common

sys.path.insert(0, str(common.ROOT / "tests"))

from fake_bot_api import (  # noqa: E402  (tests/ is not a package)
    BOT_USER,
    TOKEN,
    Call,
    FakeBotApi,
    FakeBotApiServer,
    message_update,
)

SOAK_DIR = common.OUT / "soak"
BOT = f"@{BOT_USER['username']}"
ADMIN_ID = 4242
GROUP = {"id": -1002000000001, "type": "supergroup", "title": "Flooders"}
BUSY_GROUP = {"id": -1002000000002, "type": "supergroup", "title": "Throttled"}
PROBE_INTERVAL = 0.25  # seconds between two /help probes
RETRY_AFTER = 3  # seconds Telegram asks the bot to wait, in the 429 phase
START_TIMEOUT = 90.0  # seconds for `qabot run` to start polling
REPLY_TIMEOUT = 60.0  # seconds for one expected reply (warm-up, /reload)
ARTICLES = 1000
_user_ids = itertools.count(10_000_000)


@dataclass(frozen=True)
class Plan:
    """How long and how hard each part runs."""

    bases: tuple[str, ...]
    phase_seconds: float  # load while probing
    drain_seconds: float  # after the load, how long probes may still be answered
    kills: int
    kill_rate: float  # questions a second during the kills
    kill_after: tuple[float, float]  # a SIGKILL comes this many seconds after polling starts
    reloads: dict[str, int]
    parse_limit: float  # CPU seconds one parse measurement may take
    ladder: int  # sizes N, 2N, … 2**(ladder-1) N
    hard_limit: float  # the whole soak, after which everything is killed
    settle: float = 0.0  # seconds to wait after the reloads, for RSS once retired bases close


FULL = Plan(
    bases=("seed", "1,000 articles"),
    phase_seconds=8.0,
    drain_seconds=10.0,
    kills=10,
    kill_rate=4.0,
    kill_after=(0.5, 2.0),
    reloads={"seed": 100, "1,000 articles": 10},
    parse_limit=2.0,
    ladder=6,
    hard_limit=1800.0,
    settle=5.0,  # a retired base is closed when its last user lets go: no grace period
)
QUICK = Plan(
    bases=("seed",),
    phase_seconds=3.0,
    drain_seconds=5.0,
    kills=3,
    kill_rate=4.0,
    kill_after=(0.5, 1.5),
    reloads={"seed": 10},
    parse_limit=1.0,
    ladder=3,
    hard_limit=300.0,
)


# -- crafted inputs ---------------------------------------------------------------------------


def crafted_questions() -> list[str]:
    """Questions of at most 4,096 characters (a Telegram message) that are slow to answer:
    many distinct words, one long word, many names, places, years, a repeated follow-up."""
    rng = random.Random(5)
    from bench.generate import FIRST, LAST

    def fit(text: str) -> str:
        return text[:4000]

    return [
        fit(" ".join(f"w{i}ord" for i in range(800))),
        "x" * 4000,
        fit("When did " + " ".join(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(400))),
        fit(" ".join(f"Town{i}, France" for i in range(400))),
        fit("Visits in " + " ".join(str(1900 + i % 120) for i in range(900))),
        fit("and when did he go back " * 170),
    ]


def adversarial(kind: str, n: int) -> str:
    """An article that is costly to read when the parser is not linear in `n`."""
    if kind == "heading of N spaces":
        return f"= T =\n\n=={' ' * n}x\nSome text.\n"
    if kind == "title of N spaces":
        return f"={' ' * n}x\n\nSome text.\n"
    if kind == "N capitalised words":
        words = (f"{FIRST_WORDS[i % len(FIRST_WORDS)]}{i}" for i in range(n))
        return "= T =\n\n" + " ".join(words) + ".\n"
    if kind == "N sections":
        return "= T =\n\n" + "".join(f"== Section {i} ==\nText {i}.\n\n" for i in range(n))
    if kind == "N “Town, France” sentences":
        return "= T =\n\n" + " ".join(f"They stopped in Town{i}, France." for i in range(n)) + "\n"
    raise ValueError(kind)


FIRST_WORDS = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel")
# kind → the smallest N; the soak doubles it (Plan.ladder sizes) until a size goes over the
# time limit, and reports the growth over the last three sizes it measured.
ADVERSARIAL = {
    "heading of N spaces": 125,
    "title of N spaces": 100,
    "N capitalised words": 500,
    "N sections": 250,
    "N “Town, France” sentences": 250,
}
SLOW_ENOUGH = 0.02  # CPU seconds: a growth measured on faster runs would be noise
# A parse is killed past its CPU limit (RLIMIT_CPU); this wall-time backstop, for a worker
# that hangs, is generous: on a busy machine a second of CPU can take many seconds.
WALL_BACKSTOP = 30.0


class StandInEmbedder:
    """Unit vectors drawn from a hash of each text: the shape and cost of real vectors at
    search time, without the half hour the real model needs for 20,000 facts."""

    def __init__(self) -> None:
        from knowledge.embed import DIM, E5Embedder

        self.name = E5Embedder.name  # the bot embeds questions with the real model
        self.dim = DIM

    def queries(self, texts: Any) -> Any:
        return self.passages(texts)

    def passages(self, texts: Any, progress: Callable[[int], None] | None = None) -> Any:
        import numpy as np

        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim)
            out[row] = vector / np.linalg.norm(vector)
        if progress:
            progress(len(texts))
        return out


# -- knowledge bases --------------------------------------------------------------------------


def seed_base() -> Path:
    """The seed article's knowledge base (its vectors ship with qabot)."""
    from knowledge import build_knowledge_base

    path = SOAK_DIR / "seed.db"
    if not usable(path):
        build_knowledge_base([common.SEED], path)
    return path


def large_base(real_vectors: bool) -> Path:
    """The seed and 999 generated articles, ingested once (kept in bench/out/soak/)."""
    from bench import generate
    from knowledge.ingest import seed_text
    from knowledge.parser import parse_text
    from knowledge.store import build

    path = SOAK_DIR / f"base-{ARTICLES}{'-e5' if real_vectors else ''}.db"
    if usable(path):
        return path
    common.log(f"   building {path} (once)")
    texts = [("algeria-russia-relations.txt", seed_text())]
    texts += [
        (f"synthetic-{i:05d}.txt", g.text)
        for i, g in enumerate(generate.corpus(ARTICLES - 1, seed=ARTICLES))
    ]
    started = time.perf_counter()
    build(
        ((parse_text(text, source=source), text) for source, text in texts),
        path,
        embedder=None if real_vectors else StandInEmbedder(),
    )
    common.log(f"   built in {time.perf_counter() - started:.0f} s")
    return path


def usable(path: Path) -> bool:
    """A knowledge base this qabot opens (an older schema is built again)."""
    from knowledge.store import KnowledgeBaseError, open_database

    try:
        open_database(path).close()
    except KnowledgeBaseError:
        return False
    return True


# -- the fake Bot API, with clocks and a throttled chat -----------------------------------------


class SoakApi(FakeBotApi):
    """The fake Bot API that also notes when each chat got each reply, and answers every
    sendMessage to the chats in `throttled` with a 429 (retry_after seconds)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.replies: dict[int, list[float]] = defaultdict(list)
        self.throttled: dict[int, int] = {}

    def handle(
        self, token: str, method: str, params: dict[str, Any], wait: bool = True
    ) -> tuple[int, dict[str, Any]]:
        if method == "sendMessage" and self.throttled:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                retry_after = self.throttled.get(int(params["chat_id"]))
                if retry_after is not None:
                    with self._lock:
                        self.injected[(method, 429)] += 1
                        self._record(Call(method, params, 429))
                    body = {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {retry_after}",
                        "parameters": {"retry_after": retry_after},
                    }
                    return 429, body
        return super().handle(token, method, params, wait)

    def _record(self, call: Call) -> None:
        if call.method == "sendMessage" and call.status == 200:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                self.replies[int(call.params["chat_id"])].append(time.perf_counter())
        super()._record(call)

    def wait_replies(self, chat_id: int, count: int = 1, timeout: float = REPLY_TIMEOUT) -> bool:
        """Wait until `chat_id` has had `count` replies; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.replies.get(chat_id, ())) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.5))
        return True

    def reply_count(self) -> int:
        with self._lock:
            return sum(len(times) for times in self.replies.values())


def user(uid: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(private chat, sender) of a new user (or of `uid`)."""
    uid = uid or next(_user_ids)
    sender = {"id": uid, "is_bot": False, "first_name": f"U{uid}", "language_code": "en"}
    return {"id": uid, "type": "private", "first_name": f"U{uid}"}, sender


# -- the bot process ----------------------------------------------------------------------------

_children: list[subprocess.Popen[bytes]] = []


def _kill_children() -> None:
    for proc in _children:
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired, OSError):
                proc.wait(5)


atexit.register(_kill_children)


@dataclass
class BotProcess:
    """`qabot run` against `server`, its output in `log`."""

    server: FakeBotApiServer
    db: Path
    work: Path
    name: str
    admins: str = ""
    proc: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)
    starts: int = 0

    def __post_init__(self) -> None:
        self.log = self.work / f"{self.name}.log"

    def start(self) -> float:
        """Start the bot and wait until it polls; the seconds that took."""
        env = common.base_env(
            HOME=str(self.work),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.server.base_url,
            QABOT_DB=str(self.db),
            QABOT_FEEDBACK_DB=str(self.work / "feedback.db"),
            # one journal per scenario: each fake Bot API numbers its updates from 1 again
            QABOT_JOURNAL=str(self.work / f"{self.name}-journal.db"),
            QABOT_ADMINS=self.admins,
            LOG_LEVEL="INFO",
            OMP_NUM_THREADS="1",
        )
        api = self.server.api
        mark = api.mark()
        started = time.perf_counter()
        with open(self.log, "ab") as out:
            out.write(f"\n==== start {self.starts + 1}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [str(common.QABOT), "run"],
                env=env,
                cwd=self.work,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )
        _children.append(self.proc)
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"qabot run exited with {self.proc.returncode}; see {self.log}")
            with contextlib.suppress(TimeoutError):
                api.wait_for("getUpdates", since=mark, timeout=0.5)
                return time.perf_counter() - started
        raise RuntimeError(f"qabot run did not poll within {START_TIMEOUT:.0f} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no last offset."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()

    def rss_mb(self) -> float:
        """Resident memory now (VmRSS), in MB."""
        assert self.proc is not None
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def handler_errors(self) -> int:
        return self.log.read_text(errors="replace").count("Error while handling")


@contextlib.contextmanager
def bot_against_fake(db: Path, work: Path, name: str, admins: str = "") -> Iterator[BotProcess]:
    """A fresh fake Bot API on 127.0.0.1 and `qabot run` against it; always stopped."""
    with FakeBotApiServer(SoakApi()) as server:
        bot = BotProcess(server, db, work, name, admins)
        try:
            yield bot
        finally:
            bot.kill()


def warm_up(bot: BotProcess) -> None:
    """A /help (it works out the example questions once) and a question (loads the model)."""
    api: SoakApi = bot.server.api  # type: ignore[assignment]
    for text in ("/help", "When did Putin visit Algiers?"):
        chat, sender = user()
        api.enqueue(message_update(text, chat=chat, sender=sender))
        if not api.wait_replies(chat["id"], timeout=REPLY_TIMEOUT):
            raise RuntimeError(f"no answer to the warm-up {text!r}; see {bot.log}")


# -- load -----------------------------------------------------------------------------------------


def every(interval: float, stop: threading.Event, action: Callable[[int], None]) -> None:
    """Call `action(n)` every `interval` seconds until `stop` is set."""
    start = time.perf_counter()
    for n in itertools.count():
        if stop.is_set():
            return
        action(n)
        stop.wait(max(0.0, start + (n + 1) * interval - time.perf_counter()))


def group_flood(api: SoakApi, stop: threading.Event) -> None:
    """One group floods: 10 messages a second, `/ask@bot` and mentions, each from a member
    who has not written yet (no member reaches the per-user flood limit)."""
    questions, _ = common.seed_questions()

    def send(n: int) -> None:
        _, sender = user()
        question = questions[n % len(questions)]
        text = f"/ask{BOT} {question}" if n % 2 else f"{BOT} {question}"
        api.enqueue(message_update(text, chat=GROUP, sender=sender))

    every(0.1, stop, send)


def slow_questions(api: SoakApi, stop: threading.Event) -> None:
    """A crafted slow question every second, each from a new private user."""
    crafted = crafted_questions()

    def send(n: int) -> None:
        chat, sender = user()
        api.enqueue(message_update(crafted[n % len(crafted)], chat=chat, sender=sender))

    every(1.0, stop, send)


def throttled_chat(api: SoakApi, stop: threading.Event) -> None:
    """Every reply to one group gets a 429; that group asks once a second."""
    questions, _ = common.seed_questions()
    api.throttled[BUSY_GROUP["id"]] = RETRY_AFTER

    def send(n: int) -> None:
        _, sender = user()
        text = f"/ask{BOT} {questions[n % len(questions)]}"
        api.enqueue(message_update(text, chat=BUSY_GROUP, sender=sender))

    every(1.0, stop, send)  # the 429s go on until the phase ends


CONDITIONS: dict[str, Callable[[SoakApi, threading.Event], None] | None] = {
    "alone": None,
    "one group floods": group_flood,
    "crafted slow questions": slow_questions,
    "one chat under a 429": throttled_chat,
}


@dataclass
class Latency:
    base: str
    condition: str
    probes: int
    answered: int
    seconds: list[float]  # answered probes only
    drain: float
    handler_errors: int
    start_s: float

    def percentile(self, p: float) -> str:
        """The p-th percentile; lost probes count as slower than any, shown as '> drain'."""
        if not self.probes:
            return "–"
        rank = max(1, math.ceil(p * self.probes / 100))
        ordered = sorted(self.seconds)
        if rank > len(ordered):
            return f"> {self.drain:.0f} s"
        return f"{1000 * ordered[rank - 1]:.0f} ms"


def latency_phase(db: Path, base: str, condition: str, plan: Plan, work: Path) -> Latency:
    """Probe a private /help every PROBE_INTERVAL s while `condition` loads the bot."""
    load = CONDITIONS[condition]
    name = f"latency-{slug(base)}-{slug(condition)}"
    with bot_against_fake(db, work, name) as bot:
        start_s = bot.start()
        warm_up(bot)
        api: SoakApi = bot.server.api  # type: ignore[assignment]
        stop = threading.Event()
        loader = threading.Thread(target=load, args=(api, stop), daemon=True) if load else None
        if loader:
            loader.start()
            time.sleep(0.5)  # let the load reach the bot first
        asked: dict[int, float] = {}

        def probe(_: int) -> None:
            chat, sender = user()
            asked[chat["id"]] = time.perf_counter()
            api.enqueue(message_update("/help", chat=chat, sender=sender))

        prober_stop = threading.Event()
        prober = threading.Thread(target=every, args=(PROBE_INTERVAL, prober_stop, probe))
        prober.start()
        time.sleep(plan.phase_seconds)
        prober_stop.set()
        prober.join()
        stop.set()
        if loader:
            loader.join(5)
        deadline = time.monotonic() + plan.drain_seconds
        for chat_id in list(asked):
            api.wait_replies(chat_id, timeout=max(0.0, deadline - time.monotonic()))
        with api._lock:
            seconds = [
                api.replies[chat_id][0] - at
                for chat_id, at in asked.items()
                if api.replies.get(chat_id)
            ]
        bot.kill()
        return Latency(
            base,
            condition,
            len(asked),
            len(seconds),
            seconds,
            plan.drain_seconds,
            bot.handler_errors(),
            start_s,
        )


# -- SIGKILL under load --------------------------------------------------------------------------


@dataclass
class Kills:
    base: str
    kills: int
    asked: int
    lost: int
    doubled: int
    seconds: float


def kill_phase(db: Path, base: str, plan: Plan, work: Path) -> Kills:
    """Questions from new private users at `kill_rate` a second; the bot is SIGKILLed
    `kills` times (a random `kill_after` seconds after it starts polling) and started again
    each time. Then the load stops and the last bot answers what is left (until no reply
    for the drain time).
    Each question has its own chat: lost = no reply, doubled = more than one."""
    rng = random.Random(11)
    questions, _ = common.seed_questions()
    started = time.perf_counter()
    with bot_against_fake(db, work, f"kills-{slug(base)}") as bot:
        api: SoakApi = bot.server.api  # type: ignore[assignment]
        asked: list[int] = []

        def ask(n: int) -> None:
            chat, sender = user()
            asked.append(chat["id"])
            api.enqueue(message_update(questions[n % len(questions)], chat=chat, sender=sender))

        stop = threading.Event()
        loader = threading.Thread(target=every, args=(1 / plan.kill_rate, stop, ask), daemon=True)
        bot.start()
        warm_up(bot)
        loader.start()
        try:
            for number in range(plan.kills):
                time.sleep(rng.uniform(*plan.kill_after))
                bot.kill()
                common.log(f"   SIGKILL {number + 1}/{plan.kills}")
                bot.start()
        finally:
            stop.set()
            loader.join(5)
        # drain: until every question has a reply, or none came for the drain time
        last, seen = time.monotonic(), api.reply_count()
        while time.monotonic() - last < plan.drain_seconds:
            with api._lock:
                if all(api.replies.get(chat_id) for chat_id in asked):
                    break
            time.sleep(0.5)
            if (count := api.reply_count()) != seen:
                last, seen = time.monotonic(), count
        bot.stop()
        with api._lock:
            counts = [len(api.replies.get(chat_id, ())) for chat_id in asked]
    return Kills(
        base,
        plan.kills,
        len(asked),
        sum(1 for c in counts if c == 0),
        sum(1 for c in counts if c > 1),
        time.perf_counter() - started,
    )


# -- RSS over reloads ----------------------------------------------------------------------------


@dataclass
class Reloads:
    base: str
    count: int
    done: int
    rss: list[tuple[int, float]]  # (reloads so far, MB)
    seconds: float
    settled: float | None = None  # MB, `settle` seconds after the last reload


def reload_phase(db: Path, base: str, count: int, work: Path, settle: float = 0.0) -> Reloads:
    """An admin sends /reload `count` times, each after the last was answered; the bot's RSS
    is read before, every tenth of the way, and `settle` seconds after the last (when the
    bases it retired should be closed)."""
    chat, sender = user(ADMIN_ID)
    started = time.perf_counter()
    with bot_against_fake(db, work, f"reloads-{slug(base)}", admins=str(ADMIN_ID)) as bot:
        api: SoakApi = bot.server.api  # type: ignore[assignment]
        bot.start()
        warm_up(bot)
        rss = [(0, bot.rss_mb())]
        step = max(1, count // 10)
        done = 0
        for number in range(1, count + 1):
            api.enqueue(message_update("/reload", chat=chat, sender=sender))
            if not api.wait_replies(ADMIN_ID, number, timeout=REPLY_TIMEOUT):
                common.log(f"   /reload {number} got no answer within {REPLY_TIMEOUT:.0f} s")
                break
            done = number
            if number % step == 0 or number == count:
                rss.append((number, bot.rss_mb()))
        settled = None
        if settle:
            time.sleep(settle)
            settled = bot.rss_mb()
        bot.kill()
    return Reloads(base, count, done, rss, time.perf_counter() - started, settled)


# -- parse time against size ---------------------------------------------------------------------


@dataclass
class ParseTimes:
    kind: str
    stage: str
    times: dict[int, float | str]  # size → CPU seconds, or "over" / "error"
    limit: float
    refused: str = ""  # why the parser refused the article (it still took the time shown)

    def triple(self) -> list[int]:
        """The three largest consecutive sizes measured (x, 2x, 4x), preferring ones slow
        enough to measure."""
        measured = [n for n, t in self.times.items() if isinstance(t, float)]
        if len(measured) < 3:
            return sorted(self.times)[:3]
        return sorted(measured)[-3:]

    def over_at(self) -> str:
        over = [n for n, t in self.times.items() if t == "over"]
        return f"N = {min(over)}" if over else "–"


TRIVIAL = "= T =\n\nSome text.\n"


def parse_worker(jobs: list[tuple[str, int, str]], limit: float) -> None:
    """In a child process: for each (kind, size, stage), print one JSON line with the
    seconds it took (see `best_time`). Stage "parse" is `parse_text`; "ingest" is
    parsing and writing a knowledge base without embedding, less the same for a trivial
    article (the fixed cost of a build). A job past about 2 x `limit` CPU seconds gets this
    process killed by the kernel (RLIMIT_CPU), however busy the machine."""
    import resource
    import tempfile

    from knowledge.parser import ArticleParseError, parse_text
    from knowledge.store import build

    def ingest(text: str, folder: str) -> None:
        article = parse_text(text, source="adversarial.txt")
        build([(article, text)], Path(folder) / "kb.db", embedder=StandInEmbedder())

    def best_time(action: Callable[[], object], runs: int = 0) -> float:
        """The best CPU time of a few runs: 3 under 0.2 s, else 1 (or `runs`). CPU time,
        so that a busy machine does not count; it is counted in ticks (4 ms here), so only
        times of 20 ms or more give a growth (`growth`)."""
        best = float("inf")
        for _ in range(runs or 3):
            start = time.process_time()
            action()
            best = min(best, time.process_time() - start)
            if not runs and best > 0.2:
                break
        return best

    with tempfile.TemporaryDirectory() as folder:
        ingest(TRIVIAL, folder)  # loads what every build loads once
        fixed = best_time(lambda: ingest(TRIVIAL, folder), runs=5)
        for kind, size, stage in jobs:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            used = usage.ru_utime + usage.ru_stime
            hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
            resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(used + 2 * limit) + 1, hard))
            text = adversarial(kind, size)
            refused = ""

            def run(text: str = text, stage: str = stage) -> None:
                nonlocal refused
                try:
                    if stage == "parse":
                        parse_text(text, source="adversarial.txt")
                    else:
                        ingest(text, folder)
                except ArticleParseError as exc:
                    refused = f"refused: {exc.reason}"

            seconds = best_time(run)
            if stage == "ingest" and not refused:  # a refused article builds nothing
                seconds = max(0.0, seconds - fixed)
            line = {"job": [kind, size, stage], "result": seconds, "refused": refused}
            print(json.dumps(line), flush=True)


def measure_parses(
    jobs: list[tuple[str, int, str]], limit: float
) -> tuple[dict[tuple, float | str], dict[tuple, str]]:
    """Run `parse_worker` over `jobs` in child processes; a job killed past its CPU limit
    (or hung past the wall-time backstop) gets "over", and so do the larger
    sizes of the same kind and stage, which are not run."""
    import queue

    results: dict[tuple, float | str] = {}
    todo = list(jobs)
    refusals: dict[tuple, str] = {}
    while todo:
        spec = json.dumps({"jobs": todo, "limit": limit})
        cmd = [sys.executable, "-m", "bench.soak", "--parse-worker", spec]
        env = {**os.environ, "PYTHONPATH": str(common.ROOT)}
        proc = subprocess.Popen(
            cmd, cwd=common.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        _children.append(proc)
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        reader = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True)
        reader.start()
        wait = 10 * limit + 2 * WALL_BACKSTOP  # the first also waits for the imports
        while todo:
            try:
                line = lines.get(timeout=wait)
            except queue.Empty:
                line = ""
            wait = 10 * limit + WALL_BACKSTOP
            if not line:  # over the CPU limit (SIGXCPU), too slow (SIGKILL), or it failed
                proc.kill()
                proc.wait(5)
                kind, _, stage = job = todo.pop(0)
                assert proc.stderr is not None
                err = proc.stderr.read().decode(errors="replace")
                failed = proc.returncode not in (-signal.SIGKILL, -signal.SIGXCPU)
                results[job] = "error" if failed else "over"
                if failed:
                    common.log(f"   parse worker ({proc.returncode}): {err[-400:]}")
                for later in [j for j in todo if j[0] == kind and j[2] == stage]:
                    results[later] = "over"
                    todo.remove(later)
                break
            done = json.loads(line)
            job = tuple(done["job"])
            todo.remove(job)
            result = done["result"]
            results[job] = result
            if done["refused"]:
                refusals[job] = done["refused"]
        else:
            proc.wait(10)
    return results, refusals


def _pump(stream: Any, lines: Any) -> None:
    """Hand each line of `stream` to the queue `lines`, then an empty one at the end."""
    for line in stream:
        lines.put(line.decode())
    lines.put("")


def parse_phase(plan: Plan) -> list[ParseTimes]:
    sizes = {
        kind: [first * 2**k for k in range(plan.ladder)] for kind, first in ADVERSARIAL.items()
    }
    jobs = [
        (kind, size, stage)
        for stage in ("parse", "ingest")
        for kind in ADVERSARIAL
        for size in sizes[kind]
    ]
    results, refusals = measure_parses(jobs, plan.parse_limit)
    out = []
    for stage in ("parse", "ingest"):
        for kind in ADVERSARIAL:
            times = {n: results[(kind, n, stage)] for n in sizes[kind]}
            refused = next(
                (refusals[(kind, n, stage)] for n in sizes[kind] if (kind, n, stage) in refusals),
                "",
            )
            out.append(ParseTimes(kind, stage, times, plan.parse_limit, refused))
            common.log(f"   {stage}: {kind}: {times}")
    return out


def growth(times: ParseTimes) -> str:
    """log(t(b) / t(a)) / log(b / a) for the smallest size a and the largest b shown whose
    times are at least SLOW_ENOUGH: about 1 is linear, 2 quadratic, 3 cubic."""
    measured = [(n, t) for n in times.triple() if isinstance(t := times.times[n], float)]
    usable = [(n, t) for n, t in measured if t >= SLOW_ENOUGH]
    if len(usable) < 2:
        fast = measured and all(t < SLOW_ENOUGH for _, t in measured)
        return f"≤ 1 (under {SLOW_ENOUGH * 1000:.0f} ms)" if fast else "–"
    (a, ta), (b, tb) = usable[0], usable[-1]
    return f"{math.log(tb / ta) / math.log(b / a):.2f}"


# -- report --------------------------------------------------------------------------------------


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def fmt_seconds(value: float | str, limit: float) -> str:
    if value == "over":
        return f"> {2 * limit:g} s CPU"
    if isinstance(value, str):
        return value
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def report(
    plan: Plan,
    quick: bool,
    latencies: list[Latency],
    kills: list[Kills],
    reloads: list[Reloads],
    parses: list[ParseTimes],
    total: float,
    failures: list[str],
) -> str:
    command = "make soak" + (" SOAK_ARGS=--quick" if quick else "")
    lines = [
        "## Soak",
        "",
        f"Generated by `{command}` (`python -m bench.soak{' --quick' if quick else ''}`) on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, in "
        f"{total:.0f} s. The real `qabot run` polls the fake Bot API (tests/fake_bot_api.py) on "
        "127.0.0.1. The 1,000-article base has stand-in vectors (see bench/soak.py): its "
        "answers cost what real ones cost, but are not about quality.",
        "",
        f"**Private `/help` latency** (update queued → the reply reaching the fake API), one "
        f"probe from a new user every {PROBE_INTERVAL} s for {plan.phase_seconds:.0f} s. Group "
        "flood: 10 messages a second in one group (`/ask@bot` and mentions). Slow questions: one "
        f"crafted question (≤ 4,000 characters) a second. 429: every reply to one group gets a "
        f"429 with retry_after {RETRY_AFTER} s while it asks once a second. A probe not "
        f"answered {plan.drain_seconds:.0f} s after the load stops is lost.",
        "",
        common.table(
            [
                "base",
                "while",
                "probes",
                "answered",
                "p50",
                "p99",
                "worst",
                "handler errors",
                "start → polling",
            ],
            [
                [
                    r.base,
                    r.condition,
                    r.probes,
                    r.answered,
                    r.percentile(50),
                    r.percentile(99),
                    f"{1000 * max(r.seconds):.0f} ms" if r.seconds else "–",
                    r.handler_errors,
                    f"{r.start_s:.1f} s",
                ]
                for r in latencies
            ],
        ),
    ]
    if kills:
        lines += [
            "",
            f"**SIGKILL under load**: questions from new private users, {plan.kill_rate:.0f} a "
            f"second; the bot is SIGKILLed a random {plan.kill_after[0]:g}-"
            f"{plan.kill_after[1]:g} s after each start and started again; then the last one "
            "answers what is left. Lost = never answered, doubled = answered more than once.",
            "",
            common.table(
                ["base", "SIGKILLs", "questions", "lost", "doubled", "run"],
                [
                    [k.base, k.kills, k.asked, k.lost, k.doubled, f"{k.seconds:.0f} s"]
                    for k in kills
                ],
            ),
        ]
    if reloads:
        lines += [
            "",
            "**RSS over reloads**: an admin sends `/reload`, each after the last was answered; "
            "the bot's VmRSS before, every tenth of the way"
            + (f", and {plan.settle:.0f} s after the last." if plan.settle else "."),
            "",
            common.table(
                [
                    "base",
                    "reloads",
                    "RSS before",
                    "RSS after",
                    "growth per reload",
                    "RSS samples",
                    "RSS once retired bases close",
                    "run",
                ],
                [
                    [
                        r.base,
                        f"{r.done}/{r.count}",
                        f"{r.rss[0][1]:.0f} MB",
                        f"{r.rss[-1][1]:.0f} MB",
                        f"{(r.rss[-1][1] - r.rss[0][1]) / max(1, r.rss[-1][0]):.2f} MB",
                        ", ".join(f"{n}: {mb:.0f}" for n, mb in r.rss),
                        f"{r.settled:.0f} MB" if r.settled is not None else "–",
                        f"{r.seconds:.0f} s",
                    ]
                    for r in reloads
                ],
            ),
        ]
    if parses:
        lines += [
            "",
            "**Parse time against size** for adversarial articles, in CPU time (the best of 3 "
            "runs under 0.2 s): "
            "`parse` is `knowledge.parser.parse_text`; `ingest` parses and writes a knowledge "
            "base without embedding, less the same for a one-line article. Each size is "
            f"doubled from N up to {2 ** (plan.ladder - 1)}N until one takes over "
            f"{2 * plan.parse_limit:g} s of CPU (the child process is killed; larger sizes are not "
            "run); the table shows the last three sizes measured. Growth = log(t(b) / t(a)) / "
            "log(b / a) over the sizes shown that took at least 20 ms (CPU time is counted in "
            "ticks): 1 is linear, 2 quadratic, 3 cubic.",
            "",
            common.table(
                [
                    "article",
                    "stage",
                    "sizes",
                    "1x",
                    "2x",
                    "4x",
                    "growth",
                    "over the limit at",
                    "note",
                ],
                [
                    [
                        p.kind,
                        p.stage,
                        ", ".join(str(n) for n in p.triple()),
                        *(fmt_seconds(p.times[n], p.limit) for n in p.triple()),
                        growth(p),
                        p.over_at(),
                        p.refused,
                    ]
                    for p in parses
                ],
            ),
        ]
    if failures:
        lines += ["", "Parts that failed: " + "; ".join(failures)]
    return "\n".join(lines) + "\n"


def write_results(section: str, path: Path = common.BENCH / "RESULTS.md") -> None:
    """Put `section` in place of the "## Soak" section of RESULTS.md (or after the rest)."""
    text = path.read_text("utf-8") if path.exists() else "# qabot benchmarks\n"
    start = text.find("\n## Soak\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        rest = text[end:] if end != -1 else ""
        text = text[: start + 1] + section + rest
    path.write_text(text, "utf-8")


# -- main ----------------------------------------------------------------------------------------


def watchdog(seconds: float) -> None:
    """Past `seconds`, kill every child and leave: the soak never hangs."""

    def fire() -> None:
        common.log(f"soak: over {seconds:.0f} s, stopping")
        _kill_children()
        os._exit(3)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="the seed only, short phases")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--real-vectors", action="store_true", help="embed the 1,000 articles")
    parser.add_argument("--only", help="comma-separated: latency,kills,reloads,parse")
    parser.add_argument("--parse-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.parse_worker:
        spec = json.loads(args.parse_worker)
        parse_worker([tuple(job) for job in spec["jobs"]], spec["limit"])
        return 0
    plan = QUICK if args.quick else FULL
    parts = set((args.only or "latency,kills,reloads,parse").split(","))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # finally blocks kill the bots
    watchdog(plan.hard_limit)
    started = time.perf_counter()
    SOAK_DIR.mkdir(parents=True, exist_ok=True)
    work = common.tmp_dir("soak")
    latencies: list[Latency] = []
    kills: list[Kills] = []
    reloads: list[Reloads] = []
    parses: list[ParseTimes] = []
    failures: list[str] = []

    def attempt(label: str, action: Callable[[], Any]) -> Any:
        common.log(f"== soak: {label}")
        t0 = time.perf_counter()
        try:
            return action()
        except Exception as exc:  # one failed part must not lose the others' figures
            common.log(f"   failed: {exc!r}")
            failures.append(f"{label}: {exc}")
            return None
        finally:
            common.log(f"   {label}: {time.perf_counter() - t0:.0f} s")

    try:
        if "parse" in parts:
            parses = attempt("parse time against size", lambda: parse_phase(plan)) or []
        for base in plan.bases:
            db = attempt(
                f"{base}: knowledge base",
                seed_base if base == "seed" else lambda: large_base(args.real_vectors),
            )
            if db is None:
                continue
            if "latency" in parts:
                for condition in CONDITIONS:
                    result = attempt(
                        f"{base}: /help while {condition}",
                        lambda c=condition, d=db, b=base: latency_phase(d, b, c, plan, work),
                    )
                    if result:
                        latencies.append(result)
            if "kills" in parts:
                result = attempt(
                    f"{base}: SIGKILLs", lambda d=db, b=base: kill_phase(d, b, plan, work)
                )
                if result:
                    kills.append(result)
            if "reloads" in parts:
                count = plan.reloads.get(base, 0)
                result = attempt(
                    f"{base}: {count} reloads",
                    lambda d=db, b=base, n=count: reload_phase(d, b, n, work, plan.settle),
                )
                if result:
                    reloads.append(result)
    finally:
        _kill_children()
    section = report(
        plan,
        args.quick,
        latencies,
        kills,
        reloads,
        parses,
        time.perf_counter() - started,
        failures,
    )
    print(section)
    if not args.no_results:
        write_results(section)
        common.log(f"soak: wrote the Soak section of {common.BENCH / 'RESULTS.md'}")
    common.log(f"soak: logs in {work}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
