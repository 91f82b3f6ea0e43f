"""The feedback store: records, votes, retention, reports, aliases, hashing and safety."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from knowledge.feedback import (
    DAY,
    DOWN,
    UP,
    FeedbackError,
    QuestionRecord,
    SQLiteFeedbackStore,
    UnansweredGroup,
    fact_hash,
    group_questions,
    normalise,
)

ROOT = Path(__file__).resolve().parents[1]
NOW = 1_800_000_000.0
USER_ID = 987654321  # long enough that a hash holding these digits by chance is ~impossible
CHAT_ID = 987654321
GROUP_ID = -1009988776655


@pytest.fixture
def store(tmp_path: Path):
    with_store = SQLiteFeedbackStore.open(tmp_path / "feedback.db")
    yield with_store
    with_store.close()


def answered(store: SQLiteFeedbackStore, question: str = "Who is the ambassador?", **kw) -> int:
    record = QuestionRecord(
        question=question,
        lang="en",
        chat_type="private",
        fact_id=kw.pop("fact_id", 3),
        fact_hash=kw.pop("fact_hash", fact_hash("Algerian Ambassador to Russia: B. Guennad")),
        confidence=0.96,
        abstained=False,
        alternatives=kw.pop("alternatives", ((2, fact_hash("Russian Ambassador: V. Shuvaev")),)),
        origin=store.origin(kw.pop("chat", CHAT_ID)),
    )
    return store.record(record, now=kw.pop("now", NOW))


def abstained(store: SQLiteFeedbackStore, question: str, now: float = NOW) -> int:
    record = QuestionRecord(question, "en", "private", None, None, 0.1, True)
    return store.record(record, now=now)


# -- pure helpers ------------------------------------------------------------------------


def test_fact_hash_ignores_spacing_and_ids_but_not_words():
    spaced = fact_hash("Russian  Ambassador\n to Algeria")
    assert spaced == fact_hash("Russian Ambassador to Algeria")
    assert fact_hash("Russian Ambassador") != fact_hash("Algerian Ambassador")
    assert len(fact_hash("x")) == 32


def test_normalise_keeps_every_script():
    assert normalise("When did  Putin visit Algiers?") == "when did putin visit algiers"
    assert normalise("Когда Путин посетил Алжир?") == "когда путин посетил алжир"
    assert normalise("متى زار بوتين الجزائر؟") == "متى زار بوتين الجزائر"
    assert normalise("?!") == ""


def test_group_questions_groups_near_duplicates_with_counts():
    questions = [
        "How much debt did Russia write off?",
        "how much debt did russia write off",
        "How much debt did Russia write-off?",
        "How much dept has Russia written off?",  # not the same words: grouped by RapidFuzz
        "What about the fighter jets?",
        "Who is the mayor of Algiers?",
        "What about the fighter jets",
    ]
    assert group_questions(questions) == [
        UnansweredGroup(
            "How much debt did Russia write off?",
            4,
            (
                "How much debt did Russia write-off?",
                "How much dept has Russia written off?",
                "how much debt did russia write off",
            ),
        ),
        UnansweredGroup("What about the fighter jets", 2, ("What about the fighter jets?",)),
        UnansweredGroup("Who is the mayor of Algiers?", 1, ()),
    ]


# -- records and votes -------------------------------------------------------------------


def test_a_record_reads_back(store: SQLiteFeedbackStore):
    qid = answered(store)
    stored = store.question(qid)
    assert stored is not None and stored.asked_at == NOW
    assert stored.record.question == "Who is the ambassador?"
    assert stored.record.fact_id == 3
    assert stored.record.alternatives == ((2, fact_hash("Russian Ambassador: V. Shuvaev")),)
    assert store.question(qid + 1) is None


def test_one_vote_per_person_and_a_new_vote_replaces_the_old(store: SQLiteFeedbackStore):
    qid = answered(store)
    origin = store.origin(CHAT_ID)
    first = store.vote(qid, store.voter(USER_ID), UP, origin, now=NOW)
    assert first.accepted and first.changed
    replay = store.vote(qid, store.voter(USER_ID), UP, origin, now=NOW)
    assert replay.accepted and not replay.changed  # counted once
    assert (store.counts(7, now=NOW).up, store.counts(7, now=NOW).down) == (1, 0)
    again = store.vote(qid, store.voter(USER_ID), DOWN, origin, now=NOW)
    assert again.accepted and again.changed
    assert (store.counts(7, now=NOW).up, store.counts(7, now=NOW).down) == (0, 1)


def test_votes_from_another_chat_unknown_questions_and_abstentions_are_refused(
    store: SQLiteFeedbackStore,
):
    qid = answered(store)
    voter = store.voter(USER_ID)
    assert store.vote(qid, voter, UP, store.origin(GROUP_ID)).reason == "another chat"
    assert store.vote(qid + 100, voter, UP, store.origin(CHAT_ID)).reason == "unknown question"
    assert store.vote(qid, voter, 5, store.origin(CHAT_ID)).reason == "bad vote"
    nothing = abstained(store, "What about the fighter jets?")
    assert store.vote(nothing, voter, DOWN, "").reason == "no answer to vote on"
    assert store.counts(7, now=NOW).up == store.counts(7, now=NOW).down == 0


def test_choosing_the_right_fact_takes_it_from_the_stored_alternatives(
    store: SQLiteFeedbackStore,
):
    qid = answered(store)
    voter, origin = store.voter(USER_ID), store.origin(CHAT_ID)
    chosen = store.choose(qid, voter, 0, origin, now=NOW)
    assert chosen.accepted and chosen.right_fact == (2, fact_hash("Russian Ambassador: V. Shuvaev"))
    assert store.choose(qid, voter, 0, origin, now=NOW).changed is False  # replayed
    assert store.choose(qid, voter, 1, origin).reason == "unknown choice"  # a forged index
    assert store.choose(qid, voter, -1, origin).reason == "unknown choice"
    [disputed] = store.disputed(7, now=NOW)
    assert (disputed.fact_id, disputed.down, disputed.up) == (3, 1, 0)
    assert disputed.questions == ("Who is the ambassador?",)
    assert disputed.chosen == ((2, 1),)


def test_several_people_vote_on_one_group_answer(store: SQLiteFeedbackStore):
    qid = answered(store, chat=GROUP_ID)
    origin = store.origin(GROUP_ID)
    for user in (1, 2, 3):
        store.vote(qid, store.voter(user), DOWN, origin, now=NOW)
    store.vote(qid, store.voter(4), UP, origin, now=NOW)
    [disputed] = store.disputed(7, now=NOW)
    assert (disputed.down, disputed.up) == (3, 1)


def test_disputed_facts_are_ranked_by_downvotes_and_keyed_by_text_hash(
    store: SQLiteFeedbackStore,
):
    digest = fact_hash("Some fact")
    for fact_id in (7, 9):  # the same text under two ids: before and after a rebuild
        qid = answered(store, "When?", fact_id=fact_id, fact_hash=digest)
        store.vote(qid, store.voter(fact_id), DOWN, store.origin(CHAT_ID), now=NOW)
    other = answered(store, "Who?")
    store.vote(other, store.voter(1), DOWN, store.origin(CHAT_ID), now=NOW)
    disputed = store.disputed(7, now=NOW)
    assert [(d.fact_id, d.down) for d in disputed] == [(9, 2), (3, 1)]


def test_counts_cover_the_window_only(store: SQLiteFeedbackStore):
    answered(store, now=NOW - 8 * DAY)
    answered(store, now=NOW - DAY)
    abstained(store, "x y", now=NOW - DAY)
    abstained(store, "x z", now=NOW)
    counts = store.counts(7, now=NOW)
    assert (counts.answered, counts.abstained) == (1, 2)


def test_unanswered_lists_abstentions_in_the_window(store: SQLiteFeedbackStore):
    abstained(store, "How much debt did Russia write off?", now=NOW - 2 * DAY)
    abstained(store, "how much debt did Russia write off", now=NOW)
    abstained(store, "Who won the 1998 match?", now=NOW - 40 * DAY)
    answered(store, "Who is the ambassador?")
    assert store.unanswered(30, now=NOW) == [
        UnansweredGroup(
            "How much debt did Russia write off?", 2, ("how much debt did Russia write off",)
        )
    ]
    assert [g.question for g in store.unanswered(90, now=NOW)] == [
        "How much debt did Russia write off?",
        "Who won the 1998 match?",
    ]


# -- retention ---------------------------------------------------------------------------


def test_purge_deletes_questions_and_votes_past_the_retention(store: SQLiteFeedbackStore):
    old = answered(store, "Old question?", now=NOW - 91 * DAY)
    store.vote(old, store.voter(1), DOWN, store.origin(CHAT_ID), now=NOW - 91 * DAY)
    recent = answered(store, "Recent question?", now=NOW - 89 * DAY)
    store.vote(recent, store.voter(1), UP, store.origin(CHAT_ID), now=NOW - 89 * DAY)
    store.teach("Old question?", 3, fact_hash("x"))
    assert store.purge(90, now=NOW) == 1
    assert store.question(old) is None
    assert store.question(recent) is not None
    votes = store.db.execute("select question_id from votes").fetchall()
    assert votes == [(recent,)]
    assert len(store.aliases()) == 1  # curation is not personal data: it stays
    assert store.purge(90, now=NOW) == 0


def test_purged_questions_leave_no_trace_in_the_file(tmp_path: Path):
    path = tmp_path / "feedback.db"
    store = SQLiteFeedbackStore.open(path)
    answered(store, "A question to forget about Shuvaev?", now=NOW - 100 * DAY)
    answered(store, "A question to keep?", now=NOW)
    store.close()
    assert b"A question to forget" in path.read_bytes()  # the scan sees stored text
    store = SQLiteFeedbackStore.open(path)
    assert store.purge(90, now=NOW) == 1
    store.close()  # checkpoints the WAL into the file
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"A question to forget" not in data  # overwritten (secure_delete), not just unlinked
    assert b"A question to keep?" in data


def test_a_very_long_question_is_kept_cut(store: SQLiteFeedbackStore):
    qid = answered(store, "why " * 1000)
    stored = store.question(qid)
    assert stored is not None and len(stored.record.question) == 1000


# -- aliases -----------------------------------------------------------------------------


def test_teach_list_and_forget_aliases(store: SQLiteFeedbackStore):
    version = store.aliases_version()
    alias = store.teach("  Who is the  ambassador? ", 2, fact_hash("b"))
    assert (alias.question, alias.fact_id) == ("Who is the ambassador?", 2)
    assert store.aliases_version() == version + 1
    again = store.teach("who is the ambassador", 5, fact_hash("c"))  # the same question
    assert again.id == alias.id
    assert [(a.id, a.fact_id) for a in store.aliases()] == [(alias.id, 5)]
    assert store.forget(alias.id) is True
    assert store.forget(alias.id) is False
    assert store.aliases() == []
    assert store.aliases_version() == version + 3
    with pytest.raises(ValueError):
        store.teach("?!", 1, "h")


def test_training_pairs_from_aliases_votes_and_choices(store: SQLiteFeedbackStore):
    store.teach("Who is the Russian envoy?", 2, fact_hash("b"))
    qid = answered(store)
    store.choose(qid, store.voter(1), 0, store.origin(CHAT_ID))
    pairs = [(p.question, p.label, p.origin) for p in store.training_pairs()]
    assert pairs == [
        ("Who is the Russian envoy?", 1, "alias"),
        ("Who is the ambassador?", 0, "vote"),
        ("Who is the ambassador?", 1, "choice"),
    ]


# -- privacy and safety ------------------------------------------------------------------


def test_no_raw_user_or_chat_id_anywhere_in_the_file(tmp_path: Path):
    path = tmp_path / "feedback.db"
    store = SQLiteFeedbackStore.open(path)
    qid = answered(store, "Who is the ambassador?")
    store.vote(qid, store.voter(USER_ID), UP, store.origin(CHAT_ID))
    group = answered(store, "When did Putin visit Algiers?", chat=GROUP_ID)
    store.vote(group, store.voter(USER_ID), DOWN, store.origin(GROUP_ID))
    store.close()  # checkpoints the WAL into the file
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("feedback"))
    assert b"When did Putin visit Algiers?" in data  # the scan reads what was written
    for raw in (USER_ID, GROUP_ID):
        assert str(raw).encode() not in data
        assert str(abs(raw)).encode() not in data
        for size in (4, 6, 8):  # SQLite stores integers big-endian in 1-8 bytes
            try:
                assert raw.to_bytes(size, "big", signed=True) not in data
            except OverflowError:
                continue


def test_the_salt_is_made_once_and_kept_in_the_store(tmp_path: Path):
    first = SQLiteFeedbackStore.open(tmp_path / "a.db")
    hashed = first.voter(USER_ID)
    first.close()
    again = SQLiteFeedbackStore.open(tmp_path / "a.db")
    other = SQLiteFeedbackStore.open(tmp_path / "b.db")
    assert again.voter(USER_ID) == hashed
    assert other.voter(USER_ID) != hashed
    assert again.voter(USER_ID) != again.origin(USER_ID)
    assert str(USER_ID) not in hashed
    again.close()
    other.close()


def test_the_file_is_in_wal_mode(store: SQLiteFeedbackStore):
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path):
    path = tmp_path / "feedback.db"
    SQLiteFeedbackStore.open(path).close()
    writer = textwrap.dedent(
        f"""
        import sys
        from knowledge.feedback import QuestionRecord, SQLiteFeedbackStore
        store = SQLiteFeedbackStore.open({str(path)!r})
        for i in range(150):
            qid = store.record(QuestionRecord(f"q {{sys.argv[1]}} {{i}}", "en", "private",
                               1, "h", 0.9, False, origin=store.origin(1)))
            store.vote(qid, store.voter(int(sys.argv[1])), 1, store.origin(1))
        store.close()
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", writer, str(n)], cwd=ROOT, stderr=subprocess.PIPE)
        for n in (1, 2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    store = SQLiteFeedbackStore.open(path)
    assert store.db.execute("select count(*) from questions").fetchone()[0] == 300
    assert store.db.execute("select count(*) from votes").fetchone()[0] == 300
    store.close()


def test_an_unwritable_place_is_one_line_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(FeedbackError) as caught:
        SQLiteFeedbackStore.open(blocker / "feedback.db")
    assert "\n" not in str(caught.value) and "feedback store" in str(caught.value)


def test_a_full_disk_is_a_feedback_error_and_loses_nothing_stored(store: SQLiteFeedbackStore):
    qid = answered(store)
    pages = store.db.execute("pragma page_count").fetchone()[0]
    store.db.execute(f"pragma max_page_count = {pages}")  # the disk is full from now on
    with pytest.raises(FeedbackError) as caught:
        for n in range(200):
            answered(store, "A long question " * 40 + str(n))
    assert "full" in str(caught.value)
    assert store.question(qid) is not None  # what was there is still there
    assert store.db.conn.in_transaction is False  # and the store still works for reading
    assert store.counts(7, now=NOW).answered >= 1
    with pytest.raises(sqlite3.Error):  # really full: the test is not vacuous
        store.db.execute("insert into meta values ('x', ?)", ["y" * 100_000])
