"""End to end: the real `qabot run` against the fake Bot API, and `qabot teach` in a second
process while it runs: a 👎 becomes an alias, and the question is then answered right."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from fake_bot_api import (
    PRIVATE_CHAT,
    TOKEN,
    USER,
    FakeBotApiServer,
    callback_update,
    message_update,
)
from test_e2e import QABOT, qabot_run, stop

QUESTION = "Who is the ambassador?"
SHUVAEV = "Russian Ambassador to Algeria: Valerian Shuvaev"
ASKER = {**USER, "id": 987654321}  # long: no hash or timestamp holds these digits by chance
CHAT = {**PRIVATE_CHAT, "id": ASKER["id"]}


def buttons(params: dict) -> list[dict]:
    markup = params.get("reply_markup") or {"inline_keyboard": []}
    return [b for row in markup["inline_keyboard"] for b in row]


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(QABOT), *args], env={"PATH": "", **env}, cwd=cwd, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def test_a_downvote_becomes_an_alias_taught_from_the_command_line(tmp_path: Path, seed_db: Path):
    shutil.copy(seed_db, tmp_path / "kb.db")
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "QABOT_DB": str(tmp_path / "kb.db"),
        "HOME": str(tmp_path),
    }
    with FakeBotApiServer() as server:
        with qabot_run({**env, "TELEGRAM_API_BASE_URL": server.base_url}, cwd=tmp_path) as proc:
            api = server.api
            api.wait_for("getUpdates")
            mark = api.mark()
            api.enqueue(message_update(QUESTION, chat=CHAT, sender=ASKER))
            answer = api.wait_for("sendMessage", since=mark)
            assert not answer.params["text"].startswith(SHUVAEV)
            [down] = [b for b in buttons(answer.params) if b["text"] == "👎"]

            mark = api.mark()
            api.enqueue(callback_update(down["callback_data"], answer.result, sender=ASKER))
            offer = api.wait_for("sendMessage", since=mark)
            assert offer.params["text"] == "Thanks. Was it one of these?"
            [choice] = [b for b in buttons(offer.params) if b["text"] == SHUVAEV]
            mark = api.mark()
            api.enqueue(callback_update(choice["callback_data"], offer.result, sender=ASKER))
            assert api.wait_for("editMessageText", since=mark).params["text"].startswith(SHUVAEV)

            # the owner reads the feedback and teaches the fact, from another process
            report = cli(env, tmp_path, "feedback", "--csv")
            assert report.returncode == 0, report.stderr
            chosen = report.stdout.splitlines()[1].rsplit(",", 1)[1]  # e.g. "2x1"
            fact_id = chosen.split("x")[0]
            taught = cli(env, tmp_path, "teach", QUESTION, fact_id)
            assert taught.returncode == 0, taught.stderr
            mark = api.mark()
            api.enqueue(message_update("who is the ambassador", chat=CHAT, sender=ASKER))
            again = api.wait_for("sendMessage", since=mark)
            assert again.params["text"].startswith(SHUVAEV)
            assert "Curated answer" in again.params["text"]
            code, stderr = stop(proc)
        assert code == 0, stderr
    files = [p for p in tmp_path.iterdir() if p.name.startswith("feedback.db")]
    assert files, "the store goes next to the knowledge base"
    raw = b"".join(p.read_bytes() for p in files)
    assert QUESTION.encode() in raw and str(ASKER["id"]).encode() not in raw
