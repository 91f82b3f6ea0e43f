"""`qabot feedback`, `teach`, `aliases`, `forget`, and `qabot ask` honouring taught questions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import SEED

from bot.cli import main
from knowledge import KnowledgeBase, build_knowledge_base
from knowledge.feedback import QuestionRecord, SQLiteFeedbackStore, fact_hash

SHUVAEV = "Russian Ambassador to Algeria: Valerian Shuvaev"
QUESTION = "Who is the ambassador?"


@pytest.fixture
def feedback_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "fb" / "feedback.db"
    monkeypatch.setenv("QABOT_FEEDBACK_DB", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def shuvaev(kb: KnowledgeBase) -> int:
    [fact_id] = [i for (i, t) in kb.db.execute("select id, text from facts") if t == SHUVAEV]
    return fact_id


def test_teach_then_ask_answers_with_the_taught_fact(capsys, seed_db, kb, feedback_db):
    db = str(seed_db)
    code, out, _ = run(capsys, "ask", "--json", "--db", db, QUESTION)
    assert json.loads(out)["answer"] != SHUVAEV  # what the engine says untaught
    code, out, err = run(capsys, "teach", QUESTION, str(shuvaev(kb)), "--db", db)
    assert (code, err) == (0, "")
    assert out == f"alias 1: “{QUESTION}” → fact {shuvaev(kb)}: {SHUVAEV}\n"
    code, out, _ = run(capsys, "ask", "--json", "--db", db, "who is the ambassador")
    assert json.loads(out)["answer"] == SHUVAEV
    code, out, _ = run(capsys, "aliases", "--db", db)
    assert out.startswith(f"   1  “{QUESTION}” → fact {shuvaev(kb)}: Russian Ambassador")
    code, out, _ = run(capsys, "forget", "1")
    assert (code, out) == (0, "forgot alias 1\n")
    code, out, _ = run(capsys, "ask", "--json", "--db", db, QUESTION)
    assert json.loads(out)["answer"] != SHUVAEV


def test_ask_without_a_feedback_store_creates_none(capsys, seed_db, feedback_db):
    code, out, _ = run(capsys, "ask", "--db", str(seed_db), QUESTION)
    assert code == 0 and out
    assert not feedback_db.exists()


def test_teaching_a_fact_that_does_not_exist_is_one_line_and_stores_nothing(
    capsys, seed_db, feedback_db
):
    code, out, err = run(capsys, "teach", QUESTION, "999999", "--db", str(seed_db))
    assert code == 1 and out == ""
    assert err.startswith("qabot: there is no fact 999999") and err.count("\n") == 1
    assert run(capsys, "aliases", "--db", str(seed_db))[1].startswith("No taught questions")


def test_forgetting_an_unknown_alias_and_bad_days_are_one_line(capsys, seed_db, feedback_db):
    code, _, err = run(capsys, "forget", "42")
    assert code == 1 and err == "qabot: there is no alias 42 (see qabot aliases)\n"
    with pytest.raises(SystemExit) as exited:
        main(["feedback", "--days", "soon"])
    assert exited.value.code == 2
    assert "must be a whole number of days" in capsys.readouterr().err


def test_an_unwritable_feedback_store_is_one_line(capsys, seed_db, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = run(
        capsys, "aliases", "--db", str(seed_db), "--feedback-db", str(blocker / "f.db")
    )
    assert code == 1 and err.startswith("qabot: cannot open the feedback store")
    assert err.count("\n") == 1


def test_aliases_report_a_fact_gone_after_a_rebuild(capsys, tmp_path, kb, feedback_db):
    store = SQLiteFeedbackStore.open(feedback_db)
    store.teach(QUESTION, shuvaev(kb), fact_hash(SHUVAEV))
    store.close()
    changed = tmp_path / "changed.txt"
    changed.write_text(SEED.read_text("utf-8").replace("Shuvaev", "Ivanov"), "utf-8")
    rebuilt = tmp_path / "rebuilt.db"
    build_knowledge_base([changed], rebuilt)
    code, out, _ = run(capsys, "aliases", "--db", str(rebuilt))
    assert "is gone from the knowledge base: not applied" in out
    code, out, _ = run(capsys, "ask", "--json", "--db", str(rebuilt), QUESTION)
    assert "Ivanov" not in json.loads(out)["answer"]  # never applied to the new fact


def fill(feedback_db: Path, kb: KnowledgeBase) -> None:
    store = SQLiteFeedbackStore.open(feedback_db)
    for question in ("How much debt did Russia write off?", "how much debt did Russia write off"):
        store.record(QuestionRecord(question, "en", "private", None, None, 0.2, True))
    wrong = kb.ask(QUESTION)
    qid = store.record(
        QuestionRecord(
            QUESTION, "en", "private", wrong.fact_ids[0], fact_hash(wrong.text), 0.96, False,
            alternatives=((shuvaev(kb), fact_hash(SHUVAEV)),), origin=store.origin(5),
        )
    )  # fmt: skip
    store.choose(qid, store.voter(5), 0, store.origin(5))
    store.close()


def test_feedback_prints_unanswered_and_disputed(capsys, seed_db, kb, feedback_db):
    fill(feedback_db, kb)
    code, out, _ = run(capsys, "feedback", "--db", str(seed_db), "--days", "7")
    assert code == 0
    assert "Unanswered in the last 7 days:\n     2 × How much debt did Russia write off?" in out
    wrong = kb.ask(QUESTION)
    assert f"fact {wrong.fact_ids[0]}: 👎 1 👍 0  {wrong.text}" in out
    assert f"? {QUESTION}" in out
    assert f"→ fact {shuvaev(kb)} chosen instead 1×" in out


def test_feedback_csv(capsys, seed_db, kb, feedback_db):
    fill(feedback_db, kb)
    code, out, _ = run(capsys, "feedback", "--csv", "--db", str(seed_db))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["kind"], r["count"], r["question"]) for r in rows] == [
        ("unanswered", "2", "How much debt did Russia write off?"),
        ("unanswered", "2", "how much debt did Russia write off"),
        ("disputed", "1", QUESTION),
    ]
    assert rows[2]["chosen"] == f"{shuvaev(kb)}x1"
    assert rows[2]["fact"] == kb.ask(QUESTION).text


def test_chat_answers_taught_questions_as_taught(capsys, monkeypatch, seed_db, kb, feedback_db):
    store = SQLiteFeedbackStore.open(feedback_db)
    store.teach(QUESTION, shuvaev(kb), fact_hash(SHUVAEV))
    store.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("who is the ambassador\n"))
    code, out, _ = run(capsys, "chat", "--db", str(seed_db))
    assert code == 0 and SHUVAEV in out


@pytest.mark.parametrize(
    "args",
    [["teach", "q", "²"], ["forget", "-1"],
     ["feedback", "--days", "²"]],
)  # fmt: skip
def test_odd_numbers_are_usage_errors(capsys, seed_db, feedback_db, args):
    with pytest.raises(SystemExit) as exited:
        main([*args, *(["--db", str(seed_db)] if args[0] != "forget" else [])])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("qabot ")


def test_an_id_too_long_for_sqlite_is_no_fact_and_no_alias(capsys, seed_db, feedback_db):
    huge = "9" * 25
    code, _, err = run(capsys, "teach", QUESTION, huge, "--db", str(seed_db))
    assert code == 1 and err.startswith(f"qabot: there is no fact {huge} ")
    code, _, err = run(capsys, "forget", huge)
    assert code == 1 and err == f"qabot: there is no alias {huge} (see qabot aliases)\n"
