"""The feedback store: questions asked, votes and taught aliases, in their own SQLite file.

The knowledge base stays read-only; what people ask and think of the answers goes here.
`FeedbackStore` is the interface handlers and the command line use; `SQLiteFeedbackStore` is
the only implementation (WAL, a busy timeout, writes through sqlite-utils). A shared database
can replace it when several replicas serve one bot token.

Nothing here holds a raw Telegram user id or chat id: `voter()` and `origin()` turn them into
salted hashes (HMAC-SHA256 with a salt generated once and kept in the store), used only to
keep one vote per person per answer and to refuse a vote pressed in another chat.

    store = SQLiteFeedbackStore.open(path)
    qid = store.record(QuestionRecord("When did Putin visit Algiers?", "en", "private",
                                      fact_id=12, fact_hash=fact_hash(text), confidence=0.94,
                                      abstained=False, origin=store.origin(chat_id)))
    store.vote(qid, store.voter(user_id), -1, store.origin(chat_id))
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import sqlite_utils
from rapidfuzz import fuzz, process

from .ingest import default_db_path

DAY = 86400.0
DEFAULT_DAYS = 90
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another process's write to finish
HASH_LENGTH = 32  # hex characters kept of an HMAC or SHA-256
GROUP_SCORE = 85  # token_sort_ratio at which two unanswered questions count as one
MAX_ROWS = 20_000  # questions read at most for one report
MAX_QUESTION = 1000  # characters of a question kept
SCHEMA = 1

UP, DOWN = 1, -1


class FeedbackError(Exception):
    """The feedback store cannot be opened or written. The message is one line."""


@dataclass(frozen=True)
class QuestionRecord:
    """One question as asked, and what the bot did with it."""

    question: str
    lang: str
    chat_type: str
    fact_id: int | None
    fact_hash: str | None
    confidence: float
    abstained: bool
    curated: bool = False
    # (fact id, text hash) of the next-best facts, offered after a 👎
    alternatives: tuple[tuple[int, str], ...] = ()
    origin: str = ""  # salted hash of the chat the answer went to


@dataclass(frozen=True)
class StoredQuestion:
    id: int
    asked_at: float
    record: QuestionRecord


@dataclass(frozen=True)
class VoteResult:
    """What a vote did. `accepted` False: refused (`reason` says why). `changed` False: the
    same vote was already counted (a replay)."""

    accepted: bool
    changed: bool = False
    reason: str = ""
    right_fact: tuple[int, str] | None = None


@dataclass(frozen=True)
class Alias:
    """A taught question: it (and close variants) answers with the fact of that text hash."""

    id: int
    question: str
    fact_id: int
    fact_hash: str
    created: float


@dataclass(frozen=True)
class UnansweredGroup:
    """Near-duplicate questions the bot abstained on: the most frequent wording first."""

    question: str
    count: int
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Disputed:
    """A fact people voted 👎 on, the questions behind the votes, and the facts they chose."""

    fact_id: int
    fact_hash: str
    down: int
    up: int
    questions: tuple[str, ...]
    chosen: tuple[tuple[int, int], ...]  # (fact id, times chosen) as the right fact


@dataclass(frozen=True)
class Counts:
    answered: int
    abstained: int
    up: int
    down: int


@dataclass(frozen=True)
class TrainingPair:
    """A question and a fact (by text hash), with a label: 1 right, 0 wrong. For a ranker."""

    question: str
    fact_hash: str
    label: int
    origin: str  # "alias", "vote" or "choice"


class FeedbackStore(Protocol):
    """What the bot and the command line need from a feedback store."""

    def voter(self, user_id: int) -> str: ...
    def origin(self, chat_id: int) -> str: ...
    def record(self, record: QuestionRecord, now: float | None = None) -> int: ...
    def question(self, question_id: int) -> StoredQuestion | None: ...
    def vote(
        self, question_id: int, voter: str, vote: int, origin: str, now: float | None = None
    ) -> VoteResult: ...
    def choose(
        self, question_id: int, voter: str, index: int, origin: str, now: float | None = None
    ) -> VoteResult: ...
    def purge(self, days: float, now: float | None = None) -> int: ...
    def unanswered(
        self, days: float, now: float | None = None, limit: int = 20
    ) -> list[UnansweredGroup]: ...
    def disputed(
        self, days: float, now: float | None = None, limit: int = 10
    ) -> list[Disputed]: ...
    def counts(self, days: float, now: float | None = None) -> Counts: ...
    def teach(self, question: str, fact_id: int, fact_hash: str) -> Alias: ...
    def aliases(self) -> list[Alias]: ...
    def aliases_version(self) -> int: ...
    def forget(self, alias_id: int) -> bool: ...
    def training_pairs(self) -> list[TrainingPair]: ...
    def close(self) -> None: ...


def default_feedback_path() -> Path:
    """$QABOT_FEEDBACK_DB, else `feedback.db` next to the default knowledge base."""
    if os.environ.get("QABOT_FEEDBACK_DB", "").strip():
        return Path(os.environ["QABOT_FEEDBACK_DB"].strip()).expanduser()
    return default_db_path().parent / "feedback.db"


def fact_hash(text: str) -> str:
    """The hash of a fact's text, the same whatever its id or spacing:
    `fact_hash("a  b") == fact_hash("a b")`."""
    normal = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def normalise(question: str) -> str:
    """A question reduced for fuzzy matching: case folded, punctuation dropped, any script kept.

    `normalise("When did  Putin visit Algiers?") == "when did putin visit algiers"`
    """
    text = unicodedata.normalize("NFKC", question).casefold()
    return " ".join(re.findall(r"\w+", text))


def group_questions(questions: list[str], score: int = GROUP_SCORE) -> list[UnansweredGroup]:
    """Group near-duplicate questions (RapidFuzz token_sort_ratio ≥ `score` on normalised text),
    most frequent group first; each group is named by its most frequent wording."""
    by_text = Counter(q for q in questions if normalise(q))
    wording: dict[str, Counter[str]] = {}
    for text, count in by_text.items():
        wording.setdefault(normalise(text), Counter())[text] += count
    keys: list[str] = []  # the normal form naming each group
    members: list[list[str]] = []
    totals = {key: sum(c.values()) for key, c in wording.items()}
    for key in sorted(totals, key=lambda k: (-totals[k], k)):
        found = process.extractOne(
            key, keys, scorer=fuzz.token_sort_ratio, processor=None, score_cutoff=score
        )
        if found is None:
            keys.append(key)
            members.append([key])
        else:
            members[found[2]].append(key)
    groups = []
    for group in members:
        counts: Counter[str] = Counter()
        for key in group:
            counts.update(wording[key])
        ordered = [text for text, _ in sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))]
        groups.append(UnansweredGroup(ordered[0], sum(counts.values()), tuple(ordered[1:])))
    return sorted(groups, key=lambda g: (-g.count, g.question))


class SQLiteFeedbackStore:
    """The feedback store in one SQLite file. Safe to share between threads (one lock);
    several processes may write to the same file at once (WAL and a busy timeout)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.db = sqlite_utils.Database(conn)
        self.db.enable_wal()  # readers never wait for a writer; two writers queue
        with self._write():
            self._create()
        self._salt = self._load_salt()

    @classmethod
    def open(cls, path: str | Path) -> SQLiteFeedbackStore:
        """Open (or create) the store; raises FeedbackError with a one-line reason."""
        path = Path(path).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, check_same_thread=False)
            conn.execute(f"pragma busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            conn.execute("pragma secure_delete = on")  # purged rows are overwritten, not left
            # with WAL: a commit survives a crash of the process, only a power cut may undo it
            conn.execute("pragma synchronous = normal")
            return cls(conn, path)
        except (sqlite3.Error, OSError) as exc:
            raise FeedbackError(f"cannot open the feedback store {path}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # -- schema and salt -----------------------------------------------------------------

    def _create(self) -> None:
        self.db.execute(
            "create table if not exists meta (key text primary key, value text not null)"
        )
        self.db.execute(
            "create table if not exists questions ("
            " id integer primary key, asked_at real not null, question text not null,"
            " lang text not null, chat_type text not null, fact_id integer, fact_hash text,"
            " confidence real not null, abstained integer not null, curated integer not null,"
            " alternatives text not null default '[]', origin text not null default '')"
        )
        self.db.execute("create index if not exists questions_time on questions (asked_at)")
        self.db.execute(
            "create table if not exists votes ("
            " question_id integer not null references questions(id) on delete cascade,"
            " voter text not null, vote integer not null, voted_at real not null,"
            " right_fact_id integer, right_fact_hash text,"
            " primary key (question_id, voter))"
        )
        self.db.execute(
            "create table if not exists aliases ("
            " id integer primary key, question text not null, norm text not null unique,"
            " fact_id integer not null, fact_hash text not null, created real not null)"
        )
        self.db.execute(
            "insert or ignore into meta (key, value) values ('schema', ?), ('salt', ?),"
            " ('aliases_version', '0')",
            [str(SCHEMA), secrets.token_hex(32)],
        )

    def _load_salt(self) -> bytes:
        row = self.db.execute("select value from meta where key = 'salt'").fetchone()
        return bytes.fromhex(row[0])

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One transaction, serialised in this process, started with a write lock so that
        two processes wait for each other (busy timeout) instead of failing mid-way."""
        with self._lock:
            conn = self.db.conn
            try:
                conn.execute("begin immediate")
                try:
                    yield
                except BaseException:
                    conn.rollback()
                    raise
                conn.commit()
            except (sqlite3.Error, OSError) as exc:
                raise FeedbackError(f"cannot write the feedback store {self.path}: {exc}") from None

    def _read(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise FeedbackError(f"cannot read the feedback store {self.path}: {exc}") from None

    # -- hashing -------------------------------------------------------------------------

    def _hash(self, kind: str, value: int) -> str:
        digest = hmac.new(self._salt, f"{kind}:{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:HASH_LENGTH]

    def voter(self, user_id: int) -> str:
        """The salted hash that stands for a user: one vote per person per answer."""
        return self._hash("user", user_id)

    def origin(self, chat_id: int) -> str:
        """The salted hash that stands for a chat: a vote must come from the answer's chat."""
        return self._hash("chat", chat_id)

    # -- questions and votes -------------------------------------------------------------

    def record(self, record: QuestionRecord, now: float | None = None) -> int:
        """Store a question; returns its id (for the vote buttons)."""
        row = {
            "asked_at": time.time() if now is None else now,
            "question": record.question[:MAX_QUESTION],
            "lang": record.lang,
            "chat_type": record.chat_type,
            "fact_id": record.fact_id,
            "fact_hash": record.fact_hash,
            "confidence": round(float(record.confidence), 4),
            "abstained": int(record.abstained),
            "curated": int(record.curated),
            "alternatives": json.dumps([list(a) for a in record.alternatives]),
            "origin": record.origin,
        }
        with self._write():
            return int(self.db.table("questions").insert(row).last_pk)

    def question(self, question_id: int) -> StoredQuestion | None:
        rows = self._read(
            "select id, asked_at, question, lang, chat_type, fact_id, fact_hash, confidence,"
            " abstained, curated, alternatives, origin from questions where id = ?",
            [question_id],
        )
        if not rows:
            return None
        r = rows[0]
        record = QuestionRecord(
            r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), bool(r[9]),
            tuple((int(i), str(h)) for i, h in json.loads(r[10])), r[11],
        )  # fmt: skip
        return StoredQuestion(r[0], r[1], record)

    def vote(
        self, question_id: int, voter: str, vote: int, origin: str, now: float | None = None
    ) -> VoteResult:
        """👍 (1) or 👎 (-1) from `voter` on an answer; a second vote replaces the first.

        Refused when the question is unknown (or purged), or `origin` is not the chat the
        answer went to; the same vote again is counted once.
        """
        if vote not in (UP, DOWN):
            return VoteResult(False, reason="bad vote")
        return self._vote(question_id, voter, vote, origin, None, now)

    def choose(
        self, question_id: int, voter: str, index: int, origin: str, now: float | None = None
    ) -> VoteResult:
        """After a 👎: the voter says the right fact was the `index`-th alternative offered.

        The fact comes from what was stored with the question, never from the caller, so a
        forged button cannot name another fact.
        """
        return self._vote(question_id, voter, DOWN, origin, index, now)

    def _vote(self, question_id, voter, vote, origin, index, now) -> VoteResult:
        now = time.time() if now is None else now
        with self._write():
            row = self.db.execute(
                "select origin, alternatives, abstained from questions where id = ?",
                [question_id],
            ).fetchone()
            if row is None:
                return VoteResult(False, reason="unknown question")
            if not hmac.compare_digest(row[0], origin):
                return VoteResult(False, reason="another chat")
            if row[2]:
                return VoteResult(False, reason="no answer to vote on")
            right = None
            if index is not None:
                alternatives = json.loads(row[1])
                if not 0 <= index < len(alternatives):
                    return VoteResult(False, reason="unknown choice")
                right = (int(alternatives[index][0]), str(alternatives[index][1]))
            before = self.db.execute(
                "select vote, right_fact_hash from votes where question_id = ? and voter = ?",
                [question_id, voter],
            ).fetchone()
            same_choice = right is None or (before is not None and before[1] == right[1])
            if before is not None and before[0] == vote and same_choice:
                return VoteResult(True, changed=False, right_fact=right)
            self.db.execute(
                "insert into votes (question_id, voter, vote, voted_at, right_fact_id,"
                " right_fact_hash) values (?, ?, ?, ?, ?, ?)"
                " on conflict (question_id, voter) do update set vote = excluded.vote,"
                " voted_at = excluded.voted_at, right_fact_id = excluded.right_fact_id,"
                " right_fact_hash = excluded.right_fact_hash",
                [question_id, voter, vote, now, *(right or (None, None))],
            )
        return VoteResult(True, changed=True, right_fact=right)

    def purge(self, days: float, now: float | None = None) -> int:
        """Delete the questions older than `days`, with their votes; returns how many."""
        cutoff = (time.time() if now is None else now) - days * DAY
        with self._write():
            self.db.execute(
                "delete from votes where question_id in"
                " (select id from questions where asked_at < ?)",
                [cutoff],
            )
            return self.db.execute("delete from questions where asked_at < ?", [cutoff]).rowcount

    # -- reports -------------------------------------------------------------------------

    def unanswered(
        self, days: float, now: float | None = None, limit: int = 20
    ) -> list[UnansweredGroup]:
        """The questions the bot abstained on in the last `days`, near-duplicates grouped."""
        since = (time.time() if now is None else now) - days * DAY
        rows = self._read(
            "select question from questions where abstained = 1 and asked_at >= ?"
            " order by asked_at desc limit ?",
            [since, MAX_ROWS],
        )
        return group_questions([r[0] for r in rows])[:limit]

    def disputed(self, days: float, now: float | None = None, limit: int = 10) -> list[Disputed]:
        """The facts with the most 👎 in the last `days` (by text hash: a rebuild keeps them
        together), the questions behind the votes, and the facts voters chose instead."""
        since = (time.time() if now is None else now) - days * DAY
        rows = self._read(
            "select q.fact_hash, max(q.fact_id), sum(v.vote = -1), sum(v.vote = 1)"
            " from votes v join questions q on q.id = v.question_id"
            " where v.voted_at >= ? and q.fact_hash is not null"
            " group by q.fact_hash having sum(v.vote = -1) > 0"
            " order by sum(v.vote = -1) desc, sum(v.vote = 1), max(q.id) desc limit ?",
            [since, limit],
        )
        out = []
        for digest, fact_id, down, up in rows:
            questions = self._read(
                "select q.question, count(*) from votes v join questions q on q.id = v.question_id"
                " where q.fact_hash = ? and v.vote = -1 and v.voted_at >= ?"
                " group by q.question order by count(*) desc, q.question limit 5",
                [digest, since],
            )
            chosen = self._read(
                "select max(v.right_fact_id), count(*) from votes v"
                " join questions q on q.id = v.question_id where q.fact_hash = ? and"
                " v.right_fact_hash is not null and v.voted_at >= ?"
                " group by v.right_fact_hash order by count(*) desc limit 3",
                [digest, since],
            )
            out.append(
                Disputed(
                    int(fact_id),
                    digest,
                    int(down),
                    int(up),
                    tuple(q for q, _ in questions),
                    tuple((int(f), int(n)) for f, n in chosen),
                )  # fmt: skip
            )
        return out

    def counts(self, days: float, now: float | None = None) -> Counts:
        """Answered, abstained, 👍 and 👎 over the last `days`."""
        since = (time.time() if now is None else now) - days * DAY
        answered, abstained = self._read(
            "select coalesce(sum(abstained = 0), 0), coalesce(sum(abstained = 1), 0)"
            " from questions where asked_at >= ?",
            [since],
        )[0]
        up, down = self._read(
            "select coalesce(sum(vote = 1), 0), coalesce(sum(vote = -1), 0) from votes"
            " where voted_at >= ?",
            [since],
        )[0]
        return Counts(int(answered), int(abstained), int(up), int(down))

    # -- aliases -------------------------------------------------------------------------

    def teach(self, question: str, fact_id: int, fact_hash: str) -> Alias:
        """Store an alias; teaching the same question again points it at the new fact."""
        norm = normalise(question)
        if not norm:
            raise ValueError("the question has no words")
        question = " ".join(question.split())
        now = time.time()
        with self._write():
            self.db.execute(
                "insert into aliases (question, norm, fact_id, fact_hash, created)"
                " values (?, ?, ?, ?, ?) on conflict (norm) do update set"
                " question = excluded.question, fact_id = excluded.fact_id,"
                " fact_hash = excluded.fact_hash, created = excluded.created",
                [question, norm, fact_id, fact_hash, now],
            )
            self._bump()
            row = self.db.execute("select id from aliases where norm = ?", [norm]).fetchone()
        return Alias(int(row[0]), question, fact_id, fact_hash, now)

    def aliases(self) -> list[Alias]:
        rows = self._read(
            "select id, question, fact_id, fact_hash, created from aliases order by id"
        )
        return [Alias(int(r[0]), r[1], int(r[2]), r[3], r[4]) for r in rows]

    def aliases_version(self) -> int:
        """A number that changes whenever an alias is taught or forgotten, by any process."""
        return int(self._read("select value from meta where key = 'aliases_version'")[0][0])

    def forget(self, alias_id: int) -> bool:
        """Delete an alias; False when there is none with that id."""
        with self._write():
            gone = self.db.execute("delete from aliases where id = ?", [alias_id]).rowcount
            if gone:
                self._bump()
        return bool(gone)

    def _bump(self) -> None:
        self.db.execute(
            "update meta set value = cast(value as integer) + 1 where key = 'aliases_version'"
        )

    # -- for a ranker --------------------------------------------------------------------

    def training_pairs(self) -> list[TrainingPair]:
        """Taught aliases and votes as (question, fact hash, label) pairs for training a
        ranker: an alias or a chosen fact is right (1), a 👍 right, a 👎 wrong (0)."""
        pairs = [TrainingPair(a.question, a.fact_hash, 1, "alias") for a in self.aliases()]
        rows = self._read(
            "select q.question, q.fact_hash, v.vote, v.right_fact_hash from votes v"
            " join questions q on q.id = v.question_id where q.fact_hash is not null"
            " order by q.id, v.voter"
        )
        for question, digest, vote, right in rows:
            pairs.append(TrainingPair(question, digest, int(vote == UP), "vote"))
            if right:
                pairs.append(TrainingPair(question, right, 1, "choice"))
        return pairs
