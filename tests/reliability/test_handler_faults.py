"""Handler faults found by the reliability review: a corrupt /reload, a deep link too large
for SQLite, lengths counted in code points instead of UTF-16 units, and anonymous group
admins taken for bots.

Each test drives the production application through the fake request layer; a test error
handler records anything a handler raises (what would reach the admins as an alert).
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import (
    BOT_USER,
    GROUP_CHAT,
    PRIVATE_CHAT,
    inline_update,
    message_update,
)
from reliability_harness import bot_over, markup_problems
from telegram import Message
from telegram.constants import ChatID, MessageLimit

from bot.app import DESCRIPTION_LIMIT, SHORT_DESCRIPTION_LIMIT, descriptions
from bot.phrases import shorten, utf16_len, utf16_prefix
from handlers.addressing import from_another_bot, sender_key
from handlers.commands import deep_link_fact
from handlers.render import split_message
from knowledge import KnowledgeBase
from knowledge.models import Answer, Fact

BOT = f"@{BOT_USER['username']}"
PUTIN = "When did Putin visit Algiers?"
ADMIN_ID = 4242
ADMIN_CHAT = {"id": ADMIN_ID, "type": "private", "first_name": "Root"}
ADMIN_USER = {"id": ADMIN_ID, "is_bot": False, "first_name": "Root"}
LIMIT = MessageLimit.MAX_TEXT_LENGTH
EMOJI = "😀"  # one code point, two UTF-16 units


def alerts(calls: list[Any]) -> list[str]:
    """What the admin was sent (the error handler alerts admins in their private chat)."""
    return [
        c.params["text"]
        for c in calls
        if c.method == "sendMessage" and c.params.get("chat_id") == ADMIN_ID
    ]


def sent(calls: list[Any]) -> list[str]:
    return [c.params["text"] for c in calls if c.method == "sendMessage"]


# -- /reload of a corrupt file ------------------------------------------------------------


def corrupt_copy(source: Path, target: Path, table: str = "words") -> None:
    """`source` with the first page of `table` overwritten: the schema version still reads,
    so the file passes the first checks, and loading fails with "disk image is malformed"."""
    with sqlite3.connect(source) as conn:
        page_size = conn.execute("pragma page_size").fetchone()[0]
        [root] = conn.execute("select rootpage from sqlite_master where name = ?", [table])
    conn.close()
    data = bytearray(source.read_bytes())
    start = (root[0] - 1) * page_size
    data[start : start + page_size] = b"\xa5" * page_size
    target.write_bytes(bytes(data))


async def test_reload_of_a_corrupt_file_says_so_and_keeps_the_old_base(
    tmp_path: Path, seed_db: Path
):
    db = tmp_path / "kb.db"
    shutil.copy(seed_db, db)
    async with bot_over(KnowledgeBase.open(db), admins=frozenset({ADMIN_ID})) as bot:
        corrupt_copy(seed_db, tmp_path / "bad.db")
        (tmp_path / "bad.db").replace(db)  # put in place atomically, as `qabot ingest` does
        calls = await bot.send(message_update("/reload", chat=ADMIN_CHAT, sender=ADMIN_USER))
        [text] = sent(calls)
        assert text.startswith("⚠️ Reload failed, still serving the previous knowledge base:")
        assert "malformed" in text and "Sorry" not in text and "\n" not in text
        assert markup_problems(text) == []
        assert "10 March 2006" in (await bot.texts(message_update(PUTIN)))[0]
    assert bot.errors == []


# -- /start with a payload it did not make ------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "f99999999999999999999999999",  # OverflowError in SQLite, before
        "f9223372036854775808",  # one past SQLite's largest integer
        "f" + "9" * 400,
        "f١٢",  # Arabic-Indic digits: int() reads them, but the bot never writes them
        "f0",
        "f-1",
    ],
)
async def test_start_with_a_bad_deep_link_gets_the_welcome(seed_db: Path, payload: str):
    async with bot_over(KnowledgeBase.open(seed_db), admins=frozenset({ADMIN_ID})) as bot:
        calls = await bot.send(message_update(f"/start {payload}"))
        [text] = sent(calls)
        assert text.startswith("I don't recognise that link.") and "Hello!" in text
        assert alerts(calls) == []
    assert bot.errors == []


def test_deep_link_fact_ids():
    assert deep_link_fact("f1") == 1
    assert deep_link_fact(f"f{2**63 - 1}") == 2**63 - 1
    assert deep_link_fact(f"f{2**63}") is None
    assert deep_link_fact("f99999999999999999999999999") is None
    assert deep_link_fact("f１２") is None  # fullwidth digits
    assert deep_link_fact("inline") is None


async def test_start_with_the_largest_fact_id_says_the_fact_is_gone(seed_db: Path):
    async with bot_over(KnowledgeBase.open(seed_db)) as bot:
        [text] = await bot.texts(message_update(f"/start f{2**63 - 1}"))
        assert text.startswith("That fact is no longer in the knowledge base.")
    assert bot.errors == []


# -- lengths in UTF-16 units --------------------------------------------------------------


def test_utf16_helpers():
    assert utf16_len("abc") == 3 and utf16_len(EMOJI * 3) == 6 and utf16_len("") == 0
    assert utf16_prefix(EMOJI * 3, 5) == EMOJI * 2  # an emoji is never cut in half
    assert utf16_prefix("a" + EMOJI, 2) == "a"
    assert utf16_prefix("abc", 0) == ""


@pytest.mark.parametrize(
    "text",
    [
        EMOJI * 2040 + "\nsource line",  # under 4,096 code points, over 4,096 units
        EMOJI * 5000,  # one line, no space
        " ".join([EMOJI * 7] * 700),  # one line with spaces
        "\n".join([EMOJI * 100] * 50),
        "a" * 4096 + EMOJI,
    ],
)
def test_split_message_counts_utf16_units(text: str):
    chunks = split_message(text)
    assert all(0 < utf16_len(chunk) <= LIMIT for chunk in chunks)
    assert "".join(chunks).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


BANNER = Fact(
    id=1,
    article="Zorblax banner",
    section="",
    kind="sentence",
    text=f"The Zorblax banner shows {EMOJI * 2040}.",
    url="https://en.wikipedia.org/wiki/Zorblax_banner",
)


class EmojiKnowledgeBase:
    """The seed base, except that every search and question finds a fact of 2,040 emoji:
    under 4,096 code points, over 4,096 UTF-16 units with its heading and source line."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb

    def search(self, words: str, limit: int = 5) -> list[Fact]:
        return [BANNER]

    def ask(self, question: str) -> Answer:
        return replace(
            self._kb.answer_fact(1, question), text=BANNER.text, sources=(BANNER.source,)
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kb, name)


async def test_search_for_a_fact_of_2040_emoji_fits_telegram(seed_db: Path):
    async with bot_over(EmojiKnowledgeBase(KnowledgeBase.open(seed_db))) as bot:
        calls = await bot.send(message_update("/search Zorblax banner"))
        texts = sent(calls)
        assert all(c.status == 200 for c in calls if c.method == "sendMessage"), [
            c.params for c in calls if c.status != 200
        ]
        assert len(texts) >= 2 and all(utf16_len(t) <= LIMIT for t in texts)
        assert sum(t.count(EMOJI) for t in texts) == 2040
    assert bot.errors == []


async def test_search_followed_by_2040_emoji(seed_db: Path):
    async with bot_over(KnowledgeBase.open(seed_db)) as bot:
        calls = await bot.send(message_update("/search " + EMOJI * 2040))
        assert [c.status for c in calls if c.method == "sendMessage"] == [200]
        assert all(markup_problems(t) == [] for t in sent(calls))
    assert bot.errors == []


async def test_an_inline_answer_of_2040_emoji_fits_telegram(seed_db: Path):
    async with bot_over(EmojiKnowledgeBase(KnowledgeBase.open(seed_db))) as bot:
        calls = await bot.send(inline_update("What does the Zorblax banner show?"))
        [answer] = [c for c in calls if c.method == "answerInlineQuery"]
        results = answer.params["results"]
        assert results
        for result in results:
            assert utf16_len(result["input_message_content"]["message_text"]) <= LIMIT
    assert bot.errors == []


# -- anonymous admins and posts as a channel ------------------------------------------------

ANONYMOUS_ADMIN = {
    "id": ChatID.ANONYMOUS_ADMIN,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
AS_CHANNEL = {
    "id": ChatID.FAKE_CHANNEL,
    "is_bot": True,
    "first_name": "Channel",
    "username": "Channel_Bot",
}
THE_CHANNEL = {"id": -1005550001111, "type": "channel", "title": "Our channel"}
OTHER_BOT = {"id": 777123, "is_bot": True, "first_name": "Other", "username": "other_bot"}


@pytest.mark.parametrize(
    ("sender", "sender_chat"),
    [(ANONYMOUS_ADMIN, GROUP_CHAT), (AS_CHANNEL, THE_CHANNEL)],
    ids=["anonymous admin", "as a channel"],
)
@pytest.mark.parametrize("command", [f"/ask{BOT}", "/ask"])
async def test_an_anonymous_admin_or_a_channel_gets_an_answer_to_ask(
    seed_db: Path, sender: dict[str, Any], sender_chat: dict[str, Any], command: str
):
    async with bot_over(KnowledgeBase.open(seed_db)) as bot:
        update = message_update(
            f"{command} {PUTIN}", chat=GROUP_CHAT, sender=sender, sender_chat=sender_chat
        )
        [text] = await bot.texts(update)
        assert "10 March 2006" in text
    assert bot.errors == []


async def test_another_bot_is_still_ignored(seed_db: Path):
    async with bot_over(KnowledgeBase.open(seed_db)) as bot:
        for chat in (GROUP_CHAT, PRIVATE_CHAT):
            assert (
                await bot.texts(message_update(f"/ask{BOT} {PUTIN}", chat=chat, sender=OTHER_BOT))
                == []
            )
    assert bot.errors == []


def test_who_a_message_is_from():
    def message(sender: dict[str, Any] | None, **extra: Any) -> Message:
        payload = {"message_id": 1, "date": 0, "chat": GROUP_CHAT, "text": "hi", **extra}
        if sender is not None:
            payload["from"] = sender
        return Message.de_json(payload, None)

    anonymous = message(ANONYMOUS_ADMIN, sender_chat=GROUP_CHAT)
    assert not from_another_bot(anonymous) and sender_key(anonymous) == GROUP_CHAT["id"]
    as_channel = message(AS_CHANNEL, sender_chat=THE_CHANNEL)
    assert not from_another_bot(as_channel) and sender_key(as_channel) == THE_CHANNEL["id"]
    assert from_another_bot(message(OTHER_BOT))
    person = message({"id": 5, "is_bot": False, "first_name": "P"})
    assert not from_another_bot(person) and sender_key(person) == 5


def test_shorten_counts_utf16_units():
    assert shorten(EMOJI * 600, 512) == EMOJI * 255 + "…"
    assert utf16_len(shorten(("a" + EMOJI + " ") * 300, 120)) <= 120
    assert shorten("short enough", 12) == "short enough"


def test_the_bot_description_fits_telegram_with_emoji_titles():
    description, short = descriptions([EMOJI * 300, "Zorblax " + EMOJI * 80], "en")
    assert utf16_len(description) <= DESCRIPTION_LIMIT
    assert utf16_len(short) <= SHORT_DESCRIPTION_LIMIT
